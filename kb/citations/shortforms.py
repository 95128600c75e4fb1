"""Short citation forms in questions (kb.citations, "Short forms"): "K3 Đ13 NĐ32", "đ.c k1 Đ8",
"dieu 13 khoan 3" written out in the long form before the grammar runs. Never applied to stored
texts, where "K3" or "d 13" may mean something else."""

from __future__ import annotations

import re

from kb import doctypes
from kb.citations.refs import POINT_LETTERS
from kb.model import nfc

_QUERY_WORDS: tuple[tuple[str, str], ...] = (  # unaccented words before a number/letter
    (r"(?i)(?<!\w)dieu(?=\s*\d)", "Điều"),
    (r"(?i)(?<!\w)khoan(?=\s*\d)", "khoản"),
    (rf"(?i)(?<!\w)diem(?=\s+[{POINT_LETTERS}]\d?(?!\w))", "điểm"),
    (r"(?i)(?<!\w)phu\s+luc(?=\s+(?:so\s+)?(?:[IVXivx]+|\d)(?!\w))", "Phụ lục"),
    (r"(?i)(?<!\w)mau\s+so(?=\s*\d)", "Mẫu số"),
)  # and the `short` document types: _query_types


@doctypes.per_registry
def _query_types() -> tuple[tuple[str, str], ...]:
    """The `short` types (kb.doctypes) in a question: "nghi dinh 32" → "Nghị định 32", "Nghị định
    so 32" → "Nghị định số 32", "NĐ32", "nd 32" → "NĐ 32"."""
    short = doctypes.select(lambda t: t.short)
    out = [(rf"(?i)(?<!\w){doctypes.alternation([doctypes.unaccented(t.name)])}(?=\s+(?:so\s+)?\d)", t.name)
           for t in short]
    names = doctypes.alternation((t.name for t in short), doctypes.any_case, " ")
    out.append((rf"((?:{names})\s+)so(?=\s*\d)", r"\1số"))
    for t in short:
        forms = {f(code) for code in (t.code, doctypes.unaccented(t.code)) for f in (str, str.capitalize, str.lower)}
        out.append((rf"(?<![\w/])(?:{'|'.join(sorted(forms))})[\s.-]?(?=\d)", f"{t.code} "))
    return tuple(out)


_QUERY_POINT_RE = re.compile(rf"(?<![\w.])[ĐđDd]\.\s?(?P<p>[{POINT_LETTERS}]\d?)(?!\w)")
_QUERY_CLAUSE_RE = re.compile(r"(?<![\w.])(?:K(?:\.\s?|\s)?|k(?:\.\s?)?)(?P<k>\d{1,3})(?![\w/])")
_QUERY_ARTICLE_RE = re.compile(r"(?<![\w.])(?:[ĐD](?:\.\s?|\s)?|[đd](?:\.\s?)?)(?P<d>\d{1,3})(?:\.(?P<k>\d{1,3}))?(?![\w/]|\.\d)")
_QUERY_ART_DOT_RE = re.compile(r"[Đđ]iều\s+(?P<d>\d{1,3})\.(?P<k>\d{1,3})(?![\w/]|\.\d)")
_QUERY_REVERSED_RE = re.compile(
    rf"[Đđ]iều\s+(?P<d>\d{{1,3}}),?\s+[Kk]hoản\s+(?P<k>\d{{1,3}})(?:,?\s+[Đđ]iểm\s+(?P<p>[{POINT_LETTERS}]\d?))?(?!\w)"
)
_QUERY_SUFFIX_RE = re.compile(r"(?<=\d/\d{4}/)(?P<s>[a-zđ]{2,}(?:-[a-zđ]+)+)(?![\w-])", re.IGNORECASE)


def normalize_query_citations(query: str) -> str:
    """A question with its short citation forms written out (grammar above): "K3 Đ13 NĐ32" →
    "khoản 3 Điều 13 NĐ 32", "dieu 13 khoan 3 nd 32/2024" → "khoản 3 Điều 13 NĐ 32/2024".

    Questions only: stored texts keep the strict grammar (a "d 13" there is not an article)."""
    text = nfc(query)
    for pattern, word in _QUERY_WORDS + _query_types():
        text = re.sub(pattern, word, text)
    text = _QUERY_SUFFIX_RE.sub(lambda m: m["s"].upper().replace("D", "Đ", 1) if m["s"][:2].upper() in ("ND", "QD")
                                else m["s"].upper(), text)
    text = _QUERY_POINT_RE.sub(lambda m: f"điểm {m['p']}", text)
    text = _QUERY_CLAUSE_RE.sub(lambda m: f"khoản {m['k']}", text)
    text = _QUERY_ARTICLE_RE.sub(
        lambda m: f"khoản {m['k']} Điều {m['d']}" if m["k"] else f"Điều {m['d']}", text)
    text = _QUERY_ART_DOT_RE.sub(lambda m: f"khoản {m['k']} Điều {m['d']}", text)
    return _QUERY_REVERSED_RE.sub(
        lambda m: (f"điểm {m['p']} " if m["p"] else "") + f"khoản {m['k']} Điều {m['d']}", text)
