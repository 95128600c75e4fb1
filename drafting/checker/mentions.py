"""Finding the citations of a paragraph: numbers broken by a typo mended first (each typo a
`malformed_number` warning), a ký hiệu written once for several numbers shared, and whether
the words after a number identify the document."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass

from drafting.checker.report import Issue
from kb import doctypes
from kb.citations import CitationMention, DocRef, find_citations, normalize_number


@dataclass(slots=True)
class Found:
    """A citation found in a paragraph (span in the paragraph as written), with the typos of
    its number that were repaired to read it and whether the text around it identifies the
    document (a date, an issuer or a trích yếu right after the number)."""

    paragraph: int
    mention: CitationMention
    typos: list[Issue]
    identified: bool
    law_number: str | None = None  # "Luật Quản lý, sử dụng vũ khí … số 42/2024/QH15"


# A số hiệu broken by a typo: "525/QĐ- UBND", "2404/QĐ TTg", "NĐ‑CP" (non-breaking hyphen).
NUMBER_TYPO_RE = re.compile(
    r"(?<![\d/])(?P<head>\d+/(?:\d{4}/)?(?:[A-ZĐ][A-Za-zĐđ0-9]*-)*[A-ZĐ][A-Za-zĐđ0-9]*)"
    r"(?P<gap>[ \t]*[-\u2010\u2011\u2012\u2013\u2212][ \t]*|[ \t]+)"
    r"(?P<tail>[A-ZĐ]{2}[A-Za-zĐđ0-9]*)(?![\wĐđ])"
)
BARE_TYPE_CODE_RE = doctypes.Pattern(  # a norm's type code ending the head: the issuer's follows
    lambda: rf"/(?:\d{{4}}/)?(?:{doctypes.code_alternation(lambda t: t.doc_class is doctypes.NORM)})$"
)
# the number closing a law's name the grammar stopped short of ("Luật sửa đổi, bổ sung … số …")
LAW_NUMBER_AFTER_RE = re.compile(r"[^;.]{0,200}?(?<!\w)số\s+(\d+/\d{4}/QH\d*)")
IDENTITY_AFTER_RE = re.compile(
    r"\s*,?\s*(?:[&\w-]*\s+)?(?:ngày\s+\d|của\s+[A-ZĐỦ]|về\s|quy định\s|hướng dẫn\s|sửa đổi)"
)


# "Quyết định số 1656 và 1662/QĐ-UBND": the ký hiệu written once, after the last number
SHARED_CODE_RE = re.compile(r"\s*(?:,|và|;)\s*(?:số\s*)?\d+[a-z]?(?P<code>/(?:\d{4}/)?[A-ZĐ][\wĐđ/-]*)")


def _repair(text: str) -> tuple[str, list[int], list[tuple[int, int, str]]]:
    """The paragraph with broken numbers mended, a map (mended index → written index, plus the
    end) and the typos as (start, end, mended number) in the written text."""
    out: list[str] = []
    index: list[int] = []
    typos: list[tuple[int, int, str]] = []
    pos = 0
    for m in NUMBER_TYPO_RE.finditer(text):
        gap = m["gap"]
        if gap == "-" or (not gap.strip() and not BARE_TYPE_CODE_RE.search(m["head"])):
            continue
        out.append(text[pos : m.start("gap")])
        index.extend(range(pos, m.start("gap")))
        out.append("-")
        index.append(m.start("gap"))
        pos = m.end("gap")
        typos.append((m.start(), m.end(), f"{m['head']}-{m['tail']}"))
    out.append(text[pos:])
    index.extend(range(pos, len(text) + 1))
    return "".join(out), index, typos


def find_mentions(paragraph: int, text: str) -> Iterator[Found]:
    fixed, index, typos = _repair(text)
    for mention in find_citations(fixed):
        start, end = mention.span
        identified = IDENTITY_AFTER_RE.match(fixed, end) is not None
        if (shared := _shared_code(mention.doc_ref, fixed, end)) is not None:
            mention.doc_ref, tail = shared
            identified = identified or IDENTITY_AFTER_RE.match(fixed, tail) is not None
        mention.span = (index[start], index[end])
        mention.raw = text[mention.span[0] : mention.span[1]]
        own = [Issue("malformed_number", "warning",
                     f"số hiệu viết sai «{text[a:b]}»: viết liền «{number}»")
               for a, b, number in typos if mention.span[0] <= a < mention.span[1]]
        ref = mention.doc_ref
        law = None
        named = ref is not None and ref.name and ref.number is None
        if named and (m := LAW_NUMBER_AFTER_RE.match(fixed, end)):
            law = normalize_number(m[1])
        yield Found(paragraph, mention, own, identified, law)


def _shared_code(ref: DocRef | None, text: str, end: int) -> tuple[DocRef, int] | None:
    """ "Quyết định số 1656 và 1662/QĐ-UBND": the first number takes the ký hiệu of the next
    (the reference completed, and where the next number ends)."""
    if ref is None or ref.complete or not ref.number or not re.fullmatch(r"\d+[a-z]?", ref.number):
        return None
    m = SHARED_CODE_RE.match(text, end)
    if m is None:
        return None
    return dataclasses.replace(ref, number=normalize_number(ref.number + m["code"]), complete=True), m.end()
