"""Reading the letter: its paragraphs (DOCX, PDF, TXT through the ingest readers), its own
number and date, the date its citations are judged at and, for a legal text, its own
addresses (Điều/khoản around each paragraph)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from drafting.checker.report import vn_date
from drafting.severity import AsOfSource
from ingest.header import parse_header
from ingest.readers import read
from ingest.segments import ATTACHED_RE
from ingest.structure import reflow
from ingest.types import RawText
from kb import doctypes
from kb.citations import normalize_number
from kb.model import Citation, RelationKind

SENTENCE_RE = re.compile(r"[^.;!?]+(?:[.;!?]+|$)")
ARTICLE_HEADING_RE = re.compile(r"^Điều\s+(\d{1,3})\s*[.:]")
CLAUSE_HEADING_RE = re.compile(r"^(\d{1,2})\s*[.)]\s")
PART_HEADING_RE = doctypes.Pattern(
    lambda: rf"^({doctypes.heading_alternation(lambda t: t.attached)})(?!\s+CHUNG)\b"
)
ANNEX_HEADING_RE = re.compile(r"^(?:PHỤ LỤC|Phụ lục\s+(?:số\s+)?[IVXLC\d]+\s*$|Mẫu số\s)")
ANNEX_MARK = "*"  # context inside an annex or form: its "Điều 3" belong to the form's own text
PARTIAL_DATE_RE = re.compile(r"(?:tháng\s+(?P<m>\d{1,2})\s+)?năm\s+(?P<y>\d{4})")


@dataclass(slots=True)
class Letter:
    """The text checked: paragraphs (global offsets = paragraphs joined by "\\n"), its own
    number and date, and, when it is itself a legal text, its own addresses and contexts."""

    paragraphs: list[str]
    offsets: list[int]
    own_number: str | None
    issued: date | None
    issued_text: str | None
    own_addresses: set[tuple] | None = None  # (part, annex, article, clause, point)
    contexts: list[Citation] = field(default_factory=list)  # enclosing provision per paragraph
    # an amending text: (article, clause) of each amending item → the amended document (and part)
    amends: dict[tuple, Citation] = field(default_factory=dict)


def letter_text(path: Path | str) -> str:
    """The text a report's `start`/`end` index: the file's paragraphs joined by newlines."""
    return "\n".join(read_letter(read(Path(path))).paragraphs)


def read_letter(raw: RawText) -> Letter:
    lines = raw.lines
    paragraphs = reflow(lines, [b.original for b in raw.blocks]) if raw.wrapped else lines
    paragraphs = [p.strip() for p in paragraphs]
    offsets, pos = [], 0
    for text in paragraphs:
        offsets.append(pos)
        pos += len(text) + 1
    head = parse_header(lines)
    number = normalize_number(head.number) if head.number else None
    letter = Letter(paragraphs, offsets, number, head.issued, head.issued_text)
    if _legal_text(head.doc_type, paragraphs):
        _own_structure(letter, raw)
    return letter


def _legal_text(doc_type: str | None, paragraphs: list[str]) -> bool:
    """A text with Điều of its own (a decree, a decision …), not a letter quoting some."""
    if doc_type is not None and doc_type not in doctypes.NORMATIVE:
        return False
    return sum(1 for p in paragraphs if ARTICLE_HEADING_RE.match(p)) >= 2


def _own_structure(letter: Letter, raw: RawText) -> None:
    """A legal text: its own addresses (parsed) and the Điều/khoản around each paragraph."""
    from ingest.parse import parse

    docs = parse(raw)
    if not docs:
        return
    letter.own_addresses = {
        (c.part, c.annex, c.article, c.clause, c.point)
        for c in (node.citation for node in docs[0].all_provisions())
    }
    letter.own_number = letter.own_number or docs[0].number
    letter.amends = {(r.source.article, r.source.clause): Citation(r.target_doc, r.target.part)
                     for r in docs[0].relations if r.kind in (RelationKind.AMENDS, RelationKind.REPEALS)
                     and r.source is not None and r.target is not None and r.target.article is not None}
    part, annex, article, clause = None, None, None, None
    paragraphs = letter.paragraphs
    for i, text in enumerate(paragraphs):
        heading = PART_HEADING_RE.match(text)
        if annex is None and article is not None and ANNEX_HEADING_RE.match(text):
            annex, part, article, clause = ANNEX_MARK, None, None, None
        elif annex is None and heading and any(ATTACHED_RE.match(p) for p in paragraphs[i + 1 : i + 5]):
            part, article, clause = heading[1].capitalize(), None, None
        elif m := ARTICLE_HEADING_RE.match(text):
            article, clause = int(m[1]), None
        elif (m := CLAUSE_HEADING_RE.match(text)) and article is not None:
            clause = int(m[1])
        letter.contexts.append(Citation(letter.own_number, part, annex, article, clause))


def as_of_date(letter: Letter, as_of: date | None, today: date) -> tuple[date, AsOfSource, list[str]]:
    if as_of is not None:
        return as_of, AsOfSource.ARGUMENT, []
    if letter.issued is not None:
        return letter.issued, AsOfSource.LETTER, []
    partial = PARTIAL_DATE_RE.search(letter.issued_text or "")
    if partial:
        year, month = int(partial["y"]), int(partial["m"]) if partial["m"] else 12
        if 1 <= month <= 12:
            end = _month_end(year, month)
            at = min(end, today)
            return at, AsOfSource.LETTER, [
                f"văn bản chưa ghi đủ ngày («{letter.issued_text}»): xét hiệu lực tại ngày "
                f"{vn_date(at)}"]
    return today, AsOfSource.TODAY, [
        f"không đọc được ngày của văn bản: xét hiệu lực tại ngày hôm nay ({vn_date(today)})"]


def _month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)
