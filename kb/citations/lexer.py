"""The citation lexer (kb.citations): the words and numbers of a citation ("khoản 1, 2", "Điều 8",
"Nghị định số 32/2024/NĐ-CP ngày … của Chính phủ về …") as tokens, in an NFC text.

The loại văn bản come from kb.doctypes; the grammar that joins tokens into mentions is
kb.citations.grammar.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from kb import doctypes
from kb.citations.refs import POINT_LETTERS, DocRef
from kb.doctypes import doc_type_from_number, is_complete_number, normalize_number
from kb.model import nfc

# ---------------------------------------------------------------------------------------------
# Lexicon
# ---------------------------------------------------------------------------------------------

_S = r"(?:[^\S\n]+(?:\n[^\S\n]*)?|\n[^\S\n]*)"  # whitespace with at most one line break
_S0 = rf"(?:{_S})?"
_SL = r"[^\S\n]*/[^\S\n]*"
# "NĐ-CP"; "NĐ- CP" (a space after the hyphen, an OCR or line-wrap artefact) only before capitals
_SUFFIX = r"[A-ZĐ][A-Za-zĐđ0-9]*(?:-(?:[A-ZĐ][A-Za-zĐđ0-9]*|[^\S\n][A-ZĐ]{2,}(?![\w-])))*"
_NUM_FULL = (
    rf"\d+[a-z]?(?:-[A-ZĐ]+)?{_SL}(?:\d{{4}}{_SL})?{_SUFFIX}"
    r"|\d+-[A-ZĐ]{2,}(?![\w/-])"  # old style "74-CP", "167-HĐBT"
)
_NUM_PARTIAL = rf"\d+{_SL}\d{{4}}(?![\w/])"
_NUM_BARE = r"\d{1,4}(?![\w/])"
_INT = r"\d{1,4}(?![\w/])"
_POINT = rf"[{POINT_LETTERS}]\d{{0,2}}(?!\w)"
_LISTSEP = rf"(?:{_S0},{_S0}|{_S}(?:và|hoặc|hay|đến|tới){_S})"


# Loại văn bản come from kb.doctypes: "<name> số …" for its `cited` types, "NĐ 32/2024" for its
# `short` codes, "<name> này" for its norms, "Luật <name> <year>" for its `named` types.
def _type_alt() -> str:
    return doctypes.name_alternation(lambda t: t.cited, doctypes.any_case, _S)


def _abbr_alt() -> str:
    return doctypes.code_alternation(lambda t: t.short)


def _this_alt() -> str:
    return doctypes.name_alternation(lambda t: t.self_cited, sep=_S)


def _named_alt() -> str:
    """ "Bộ [Ll]uật|Luật|…": the first word as written, the others in either case."""
    names = (t.name.split(" ", 1) for t in doctypes.select(lambda t: t.named))
    return "|".join(
        re.escape(n[0]) + (_S + doctypes.alternation(n[1:], doctypes.any_case, _S) if n[1:] else "")
        for n in names
    )


def _part_alt() -> str:
    """Parts of a document: the `attached` types (Quy chế, Quy định, Điều lệ) and a Quy trình."""
    return f"{doctypes.name_alternation(lambda t: t.attached, sep=_S)}|Quy{_S}trình"


def _keyword_letters() -> str:
    """First letters a keyword may start with (units and document types, both cases)."""
    starts = {"Đ", "K", "P", "M", "B", "Q"} | {t.name[0] for t in doctypes.select(lambda t: t.cited or t.attached)}
    starts |= {t.code[0] for t in doctypes.select(lambda t: t.short)}
    return "".join(sorted({c for s in starts for c in (s.upper(), s.lower())}))


# Token regexes, each tried with .match() at a keyword found by _KEYWORD.
_KEM_THEO = rf"(?:được{_S})?(?:ban{_S}hành{_S})?kèm(?:{_S}theo)?(?!\w)"
_P_RE = re.compile(rf"[Đđ]iểm{_S}(?P<v>này(?!\w)|{_POINT}(?:{_LISTSEP}(?:[Đđ]iểm{_S})?{_POINT})*)")
_K_RE = re.compile(rf"[Kk]hoản{_S}(?P<v>này(?!\w)|{_INT}(?:{_LISTSEP}(?:[Kk]hoản{_S})?{_INT})*)")
_D_RE = re.compile(rf"[Đđ]iều{_S}(?P<v>này(?!\w)|{_INT}(?:{_LISTSEP}(?:[Đđ]iều{_S})?{_INT})*)")
_A_RE = re.compile(rf"Phụ{_S}lục{_S}(?:số{_S})?(?P<v>[IVXLC]+|\d{{1,2}})(?!\w)")
_F_RE = re.compile(rf"(?P<form>[Mm]ẫu|[Bb]iểu){_S}(?:số{_S})?(?P<v>\d+[\w.\-]*)(?<![.\-])")
_Q_RE = doctypes.Pattern(lambda: (
    rf"(?P<q>{_part_alt()})(?:{_S}(?P<this>này)(?!\w)"
    rf"|(?P<qname>(?:{_S}[\w,]+){{0,25}}?){_S}{_KEM_THEO}"
    rf"|{_S}(?:số{_S0})?(?P<num>{_NUM_FULL}))"
))
_DOC_NUM_RE = doctypes.Pattern(lambda: (
    rf"(?P<t>{_type_alt()})(?:{_S}(?P<so>số))?{_S0}"
    rf"(?P<num>{_NUM_FULL}|{_NUM_PARTIAL}|{_NUM_BARE})"
))
_DOC_ABBR_RE = doctypes.Pattern(lambda: (
    rf"(?P<t>{_abbr_alt()})(?:{_S0}|-)(?:số{_S0})?(?P<num>{_NUM_FULL}|{_NUM_PARTIAL}|{_NUM_BARE})"
))
_DOC_THIS_RE = doctypes.Pattern(lambda: rf"(?P<t>{_this_alt()}){_S}này(?!\w)")
_NAMED_START_RE = doctypes.Pattern(lambda: rf"(?P<t>{_named_alt()}){_S}")
_NAME_YEAR_RE = re.compile(
    rf"(?P<name>[^\W\d_][\w]*(?:,?{_S}[^\W\d_][\w]*){{0,20}}?){_S}(?:năm{_S})?"
    r"(?P<year>(?:19|20)\d{2})(?![\d/])"
)
_YEAR_RE = re.compile(rf"(?:năm{_S})?(?P<year>(?:19|20)\d{{2}})(?![\d/])")
_NUMBER_AHEAD_RE = re.compile(rf"(?<!\w)số{_S0}\d")
_NAME_WORD_RE = re.compile(rf"{_S}?(?P<w>[^\W\d_]\w*)")
_NAME_HARD_STOP = frozenset(
    ("ngày", "như", "thì", "có", "đã", "là", "nêu", "về", "được", "này", "đó", "nên", "đều")
)
_NAME_STOP = _NAME_HARD_STOP | {
    "số",
    "năm",
    "theo",
    "hiện",
    "mới",
    "sau",
    "trên",
    "cũng",
    "và",
    "hoặc",
    "quy",
    "hướng",
    "tại",
    "của",
    "cho",
    "khi",
    "do",
    "gồm",
    "bao",
    "sẽ",
    "với",
    "mà",
    "để",
    "trong",
}

_KEYWORD = doctypes.Pattern(lambda: (  # the lookahead on first letters lets the engine skip fast
    rf"(?=[{_keyword_letters()}])(?<!\w)(?:[Đđ]iểm|[Kk]hoản|[Đđ]iều|Phụ{_S}lục|[Mm]ẫu|[Bb]iểu|{_part_alt()}"
    rf"|{_type_alt()}|{_abbr_alt()})(?!\w)"
))

_META_RE = re.compile(
    rf"(?:{_S0},?{_S0}(?:được{_S})?(?:ban{_S}hành{_S})?ngày{_S}(?P<d>\d{{1,2}})"
    rf"(?:{_S}tháng{_S}|{_S0}[/.\-]{_S0})(?P<m>\d{{1,2}})"
    rf"(?:{_S}năm{_S}|{_S0}[/.\-]{_S0})(?P<y>\d{{4}})(?!\d))?"
    rf"(?:{_S}năm{_S}(?P<yo>\d{{4}})(?!\d))?"
)
_ISSUER_END = (
    rf"(?={_S}(?:về|[Qq]uy{_S}định|[Hh]ướng{_S}dẫn|[Bb]an{_S}hành|[Ss]ửa{_S}đổi|[Bb]ãi{_S}bỏ"
    rf"|[Pp]hê{_S}duyệt|[Tt]hành{_S}lập|[Qq]uy{_S}chế|thì|đã|là|có|được|tại|và|đối{_S}với"
    rf"|nhận|gửi|trong)(?!\w)|{_S0}[;:,.()\"”]|{_S0}$)"
)
_ISSUER_RE = re.compile(rf"{_S}của{_S}(?P<issuer>[^\W\d_][^;:,.()\"”]{{0,120}}?){_ISSUER_END}")
_TITLE_RE = re.compile(
    rf"{_S}(?P<title>(?:về|[Qq]uy{_S}định|[Hh]ướng{_S}dẫn|[Bb]an{_S}hành|[Ss]ửa{_S}đổi"
    rf"|[Bb]ãi{_S}bỏ|[Pp]hê{_S}duyệt|[Tt]hành{_S}lập|[Qq]uy{_S}chế)(?!\w)"
    r"[^;:()\n]*(?:\n(?![^\S\n]*\n)(?![^\S\n]*(?:[-+•*]|\d+[.)]|[a-zđ]\)|Căn cứ|Điều \d))"
    r"[^;:()\n]*){0,4})"
)
_TITLE_CUT_RE = doctypes.Pattern(lambda: (
    rf"\.(?:\s|$)|(?<!\w)(?:{_type_alt()}){_S}(?:số{_S0})?\d|Căn{_S}cứ"
    rf"|{_S}(?:có{_S}hiệu{_S}lực|thì|tiếp{_S}tục|đã{_S}được|được{_S}cơ{_S}quan)(?!\w)"
))
_TITLE_TAIL_RE = re.compile(r"(?:\s+(?:của|tại|bởi|theo|và))+$")

_HEADING_PREFIX_RE = re.compile(r"[\s#*>_|]*")
_THIS_STANDALONE_RE = re.compile(r"(?:tại|theo|của|trong|và)\s+$")
_WS_RE = re.compile(r"\s+")
# 1:1 replacements (spans stay valid): pdftotext glyphs, markdown emphasis read as spaces
_GLYPHS = (("ƣ", "ư"), ("Ƣ", "Ư"), ("*", " "), ("_", " "))


def _fix_glyphs(text: str) -> str:
    for old, new in _GLYPHS:
        if old in text:
            text = text.replace(old, new)
    return text


# ---------------------------------------------------------------------------------------------
# Text preparation (NFC + span map)
# ---------------------------------------------------------------------------------------------


def _prepare(text: str) -> tuple[str, list[int] | None]:
    """NFC text for matching and, when it differs in length, a map NFC index → input index."""
    if unicodedata.is_normalized("NFC", text):
        return _fix_glyphs(text), None
    out: list[str] = []
    index: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        chunk = nfc(text[i:j])
        out.append(chunk)
        index.extend([i] * len(chunk))
        i = j
    index.append(n)
    return _fix_glyphs("".join(out)), index


# ---------------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Tok:
    kind: str  # P K D A F Q DOC
    start: int
    end: int
    values: list = field(default_factory=list)  # ints / letters / roman; ["này"] for THIS
    doc: DocRef | None = None
    part: str | None = None  # Q: "Quy chế" / "Quy định"
    kem_theo: bool = False  # Q: "… ban hành kèm theo" (a document must follow)
    standalone: bool = False  # "… này" preceded by "tại/theo/của …": a citation on its own

    @property
    def this(self) -> bool:
        return self.values == ["này"]


def _expand(raw: str, kind: str) -> list:
    """Expand an enumeration "1, 2 và 3" / "5 đến 7" / "a, b" / "a đến đ" in token order."""
    items = re.split(r"\s*(,|\bvà\b|\bhoặc\b|\bhay\b|\bđến\b|\btới\b)\s*", _WS_RE.sub(" ", raw))
    values: list = []
    pending_range = False
    for item in items:
        item = re.sub(r"^(?:[Đđ]iểm|[Kk]hoản|[Đđ]iều)\s+", "", item.strip())
        if item in ("đến", "tới"):
            pending_range = True
            continue
        if not item or item in (",", "và", "hoặc", "hay"):
            continue
        value = item if kind == "P" else int(item)
        if pending_range and values:
            values.extend(_range(values[-1], value, kind))
        else:
            values.append(value)
        pending_range = False
    return values


def _range(first, last, kind: str) -> list:
    if kind == "P":
        if first in POINT_LETTERS and last in POINT_LETTERS:
            i, j = POINT_LETTERS.index(first), POINT_LETTERS.index(last)
            return list(POINT_LETTERS[i + 1 : j + 1])
        return [last]
    return list(range(first + 1, last + 1)) if last > first else [last]


def _at_line_start(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    return _HEADING_PREFIX_RE.fullmatch(text, line_start, pos) is not None


def _is_heading(text: str, tok_end: int, start: int, kind: str) -> bool:
    """ "Điều 8. Điều kiện …" / "Phụ lục I" as a structural heading, not a citation."""
    if not _at_line_start(text, start):
        return False
    nxt = text[tok_end : tok_end + 4].lstrip(" *")[:1]
    return nxt in (".", ":") or (kind == "A" and nxt in ("\n", ""))


def _lex_provision(text: str, m: re.Match, kind: str) -> _Tok | None:
    value = m["v"]
    tok = _Tok(kind, m.start(), m.end())
    if value == "này":
        before = text[max(0, m.start() - 12) : m.start()]
        tok.values = ["này"]
        tok.standalone = _THIS_STANDALONE_RE.search(before) is not None
        return tok
    if kind in ("D", "A") and _is_heading(text, m.end(), m.start(), kind):
        return None
    if kind == "F":  # a form, as its annex item is named: "Mẫu số 02", "Biểu số 04"
        tok.values = [f"{m['form'].capitalize()} số {value}"]
    else:
        tok.values = [value] if kind == "A" else _expand(value, kind)
    if kind == "A" and value.isdigit():
        tok.values = [str(int(value))]
    return tok


def _lex_part(m: re.Match) -> _Tok:
    part = _WS_RE.sub(" ", m["q"])
    tok = _Tok("Q", m.start(), m.end(), part=part)
    if m["this"]:
        tok.values = ["này"]
    elif m["num"]:
        number = normalize_number(m["num"])
        if not re.match(r"\d+/\d{4}/|\d+/QĐ-", number):  # "Quy định 366-QĐ/TW": a document
            ref = _numbered_ref(m.group(0), part, m["num"], informal=False)
            return _Tok("DOC", m.start(), m.end(), doc=ref)
        tok.doc = _numbered_ref(m["num"], None, m["num"], informal=False)
    else:
        tok.kem_theo = True
    return tok


def _numbered_ref(raw: str, doc_type: str | None, num_raw: str, *, informal: bool) -> DocRef:
    number = normalize_number(num_raw)
    complete = is_complete_number(number)
    derived = doc_type_from_number(number) if complete else None
    year_m = re.search(r"/(\d{4})(?:/|$)", number)
    return DocRef(
        raw=raw,
        doc_type=doc_type or derived,
        number=number,
        number_raw=num_raw,
        complete=complete,
        informal=informal or "/" not in number,
        year=int(year_m[1]) if year_m else None,
    )


def _lex_doc(text: str, pos: int) -> _Tok | None:
    """A document reference at pos: numbered, abbreviated, "… này", or a named law."""
    if (m := _DOC_THIS_RE.match(text, pos)) and m["t"][0].isupper():
        ref = DocRef(raw=m.group(0), doc_type=doctypes.canonical_name(m["t"]), this_document=True)
        return _Tok("DOC", pos, m.end(), doc=ref)
    if m := _DOC_NUM_RE.match(text, pos):
        doc_type = doctypes.canonical_name(m["t"])
        num = m["num"]
        bare = "/" not in num
        if not bare or (
            (t := doctypes.by_name(doc_type)) is not None and t.bare_serial and m["t"][0].isupper()
        ):
            ref = _numbered_ref(m.group(0), doc_type, num, informal=False)
            return _Tok("DOC", pos, m.end(), doc=ref)
    if m := _DOC_ABBR_RE.match(text, pos):
        ref = _numbered_ref(m.group(0), doctypes.by_code(m["t"]).name, m["num"], informal=True)
        return _Tok("DOC", pos, m.end(), doc=ref)
    if m := _NAMED_START_RE.match(text, pos):
        return _lex_named(text, pos, m)
    return None


def _lex_named(text: str, pos: int, m: re.Match) -> _Tok | None:
    """ "Luật Đất đai 2024", "Bộ luật Dân sự năm 2015", "Luật Đầu tư số 61/2020/QH14"."""
    doc_type = doctypes.canonical_name(m["t"])
    start = m.end()
    capital = text[start : start + 1].isupper() or text.startswith("sửa đổi", start)
    if doc_type == "Hiến pháp" and (y := _YEAR_RE.match(text, start)):
        return _Tok(
            "DOC",
            pos,
            y.end(),
            doc=DocRef(text[pos : y.end()], doc_type, name="", year=int(y["year"])),
        )
    name, year, end = _name_with_year(text, start)
    if name is None and capital:
        name, end = _name_by_stopwords(text, start)
    if not name:
        return None
    num_m = re.compile(rf"{_S}số{_S0}(?P<num>{_NUM_FULL}|{_NUM_PARTIAL})").match(text, end)
    raw_number = num_m["num"] if num_m else None
    if num_m:
        end = num_m.end()
        base = _numbered_ref(text[pos:end], doc_type, raw_number, informal=False)
        ref = DocRef(**{**_asdict(base), "name": name, "year": base.year or year})
    else:
        ref = DocRef(raw=text[pos:end], doc_type=doc_type, name=name, year=year)
    return _Tok("DOC", pos, end, doc=ref)


def _asdict(ref: DocRef) -> dict:
    return {f: getattr(ref, f) for f in DocRef.__slots__}


def _name_with_year(text: str, start: int) -> tuple[str | None, int | None, int]:
    m = _NAME_YEAR_RE.match(text, start, min(len(text), start + 200))
    if not m:
        return None, None, start
    words = _WS_RE.sub(" ", m["name"]).replace(",", "").split()
    joined = " ".join(words)
    if any(w in _NAME_HARD_STOP for w in words) or "quy định" in joined or "hiện hành" in joined:
        return None, None, start
    if _NUMBER_AHEAD_RE.search(text, m.start(), m.end()):  # "Luật Đầu tư số 61/2020/QH14"
        return None, None, start
    return _WS_RE.sub(" ", m["name"]), int(m["year"]), m.end()


def _name_by_stopwords(text: str, start: int) -> tuple[str, int]:
    end = start
    words: list[str] = []
    pos = start
    while len(words) < 10 and (w := _NAME_WORD_RE.match(text, pos)):
        word = w["w"]
        if word == "số" and not _NUMBER_AHEAD_RE.match(text, w.start("w")):
            pass  # "Luật Tần số vô tuyến điện"
        elif words and (word in _NAME_STOP or word in ("Nghị", "Thông", "Điều")):
            break
        words.append(word)
        pos = end = w.end()
    return " ".join(words), end


def _lex(text: str) -> Iterator[_Tok]:
    """All citation tokens of an NFC text, in order."""
    pos = 0
    search = _KEYWORD.search
    while (k := search(text, pos)) is not None:
        tok = _lex_at(text, k)
        if tok is None:
            pos = k.end()
            continue
        if tok.kind == "DOC" and tok.doc is not None and not tok.doc.this_document:
            tok = _with_meta(text, tok)
        yield tok
        pos = tok.end


def _lex_at(text: str, k: re.Match) -> _Tok | None:
    word = k.group(0)
    pos = k.start()
    head = word[:2].lower()
    if head == "đi" and word[2:3] == "ể":
        m = _P_RE.match(text, pos)
        return _lex_provision(text, m, "P") if m else None
    if head == "kh":
        m = _K_RE.match(text, pos)
        return _lex_provision(text, m, "K") if m else None
    if head == "đi":
        if m := _D_RE.match(text, pos):
            return _lex_provision(text, m, "D")
        if m := _Q_RE.match(text, pos):  # "Điều lệ … ban hành kèm theo …"
            return _lex_part(m)
        return _lex_doc(text, pos)  # "Điều lệ Đảng … 2011"
    if word.startswith("Phụ"):
        m = _A_RE.match(text, pos)
        return _lex_provision(text, m, "A") if m else None
    if head in ("mẫ", "bi"):
        m = _F_RE.match(text, pos)
        return _lex_provision(text, m, "F") if m else None
    if word.startswith("Quy"):
        m = _Q_RE.match(text, pos)
        return _lex_part(m) if m else _lex_doc(text, pos)
    return _lex_doc(text, pos)


def _with_meta(text: str, tok: _Tok) -> _Tok:
    """Extend a document token with "ngày … của <issuer>" and read the title after it."""
    ref = tok.doc
    assert ref is not None
    end = tok.end
    issued = None
    year = ref.year
    m = _META_RE.match(text, end)
    if m and m.group(0):
        if m["d"]:
            issued = _safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
        if issued or m["yo"]:
            year = year or (issued.year if issued else int(m["yo"]))
            end = m.end()
    issuer = None
    if im := _ISSUER_RE.match(text, end):
        issuer_text = im["issuer"]
        if issuer_text[0].isupper() and "\n\n" not in issuer_text:
            issuer = _WS_RE.sub(" ", issuer_text).strip()
            end = im.end("issuer")
    title = _read_title(text, end) if (issued or issuer) else None
    if end == tok.end and year == ref.year:
        return tok
    fields = {
        **_asdict(ref),
        "raw": text[tok.start : end],
        "issued": issued,
        "issuer": issuer,
        "title": title,
        "year": year,
    }
    return _Tok("DOC", tok.start, end, doc=DocRef(**fields))


def _read_title(text: str, pos: int) -> str | None:
    m = _TITLE_RE.match(text, pos)
    if not m:
        return None
    title = m["title"]
    if cut := _TITLE_CUT_RE.search(title):
        title = title[: cut.start()]
    title = _TITLE_TAIL_RE.sub("", _WS_RE.sub(" ", title).strip(" ,"))
    return title[:300] or None


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None
