"""The citation checker (`ccn check`): every citation of a letter parsed, resolved and judged.

    check_file(store, path) ─▶ read (ingest readers: DOCX, PDF, TXT, MD) ─▶ paragraphs, header
        ─▶ find_citations per paragraph ─▶ resolve (partial numbers, bare "Điều 11", "… này")
        ─▶ judge each address against the knowledge base at the letter's date ─▶ CheckReport
    annotate_docx(src, report, dst): one Word comment per citation, anchored on its words.

What is an error (the letter is wrong): a provision that does not exist (`no_such_provision`), a
document number unknown to the knowledge base that the letter does not identify either, or that
cannot exist (`unknown_document`: possibly invented), a document or provision not in force at the
letter's date (`not_in_force_at_date`), a repealed document (`repealed_document`, naming the
replacement), an informal short form "NĐ 32" (`informal_short_form`), a date or type that
contradicts the knowledge base (`wrong_date`, `wrong_document_type`).
Warnings: an amended provision (`amended_provision`), a bare reference not found in the document
it most likely means (`unresolved_reference`), "… này" with nothing to refer to in a letter
(`no_antecedent`), speculative wording about the law (`speculative_wording`), the type written
"QĐ số 768/QĐ-TTg" (`abbreviated_type`), a number broken by a typo "525/QĐ- UBND"
(`malformed_number`), an unknown decision without year, not identified (`unverified_document`).
Not errors about the letter (status `outside_kb`, severity info): a document the knowledge base
holds only as cited, or not at all while the letter identifies it (số hiệu, ngày, cơ quan ban hành
agreeing), correspondence (công văn, báo cáo …) and Party documents.

A letter's own number ("Số: 1178/ĐCK-CTT") and dates are not citations (the grammar needs a
document type), the incoming letter it answers is correspondence, and a repealed document named
in a sentence that says so ("… đã được thay thế bằng …") is a historical mention.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from drafting.severity import SEVERITY_LABEL, SEVERITY_RANK, CheckStatus, Severity
from ingest.header import parse_header
from ingest.readers import read
from ingest.readers.text import read_text
from ingest.segments import ATTACHED_RE
from ingest.structure import reflow
from ingest.types import RawText
from kb import catalog, doctypes
from kb.citations import (
    CitationMention,
    DocRef,
    doc_type_from_number,
    find_citations,
    issuer_from_number,
    match_partial,
    normalize_number,
    render,
    render_short,
    resolve_relative,
)
from kb.model import Citation, RelationKind, Status, nfc
from kb.store import Store
from kb.validity import (
    Validity,
    document_validity,
    provision_validity,
    relation_date,
    upcoming_expiry,
)

__all__ = [
    "CheckReport",
    "CitationCheck",
    "Finding",
    "Issue",
    "check_text",
    "check_file",
    "annotate_docx",
    "read_comments",
    "format_report",
    "letter_text",
]

AUTHOR = "Kiểm tra trích dẫn (ccn check)"

# Hedges that have no place in a statement of the law. "khoảng" is left out on purpose: real
# reports write "khoảng 20 ha", "khoảng 4.056 tỷ đồng" for figures, never for the law.
SPECULATIVE_RE = re.compile(
    r"(?<!\w)(?:dự kiến|có thể là|có lẽ|dường như|hình như|chắc là|có vẻ|nhiều khả năng|gần như"
    r"|khả năng cao|ước chừng)(?!\w)", re.IGNORECASE
)
# A personal opinion has no place anywhere in an agency's letter, law or not.
PERSONAL_RE = re.compile(r"(?<!\w)(?:theo tôi|tôi nghĩ|tôi cho rằng)(?!\w)", re.IGNORECASE)
LEGAL_CLAIM_RE = re.compile(r"(?<!\w)(?:quy định|hiệu lực|pháp luật)(?!\w)", re.IGNORECASE)
SENTENCE_RE = re.compile(r"[^.;!?]+(?:[.;!?]+|$)")
# a sentence that itself says the document ended or changed: naming it is no mistake
HISTORICAL_RE = re.compile(
    r"(?<!\w)(?:thay thế|hết hiệu lực|bãi bỏ|trước đây|đã được sửa đổi|căn cứ pháp lý đã)(?!\w)",
    re.IGNORECASE,
)
FUTURE_RE = re.compile(r"(?<!\w)(?:có hiệu lực (?:thi hành )?(?:kể )?từ|sẽ có hiệu lực)(?!\w)")
ABBREVIATED_RE = doctypes.Pattern(lambda: rf"(?:{doctypes.code_alternation(lambda t: t.short)})(?![\w])")
PARTY_NUMBER_RE = re.compile(r"^\d+[a-z]?-[A-ZĐ]+/")
ARTICLE_HEADING_RE = re.compile(r"^Điều\s+(\d{1,3})\s*[.:]")
CLAUSE_HEADING_RE = re.compile(r"^(\d{1,2})\s*[.)]\s")
PART_HEADING_RE = doctypes.Pattern(
    lambda: rf"^({doctypes.heading_alternation(lambda t: t.attached)})(?!\s+CHUNG)\b"
)
ANNEX_HEADING_RE = re.compile(r"^(?:PHỤ LỤC|Phụ lục\s+(?:số\s+)?[IVXLC\d]+\s*$|Mẫu số\s)")
ANNEX_MARK = "*"  # context inside an annex or form: its "Điều 3" belong to the form's own text
LETTERED_ARTICLE_RE = re.compile(r"\s+Điều\s+\d+[a-zđ]\b")
PARTIAL_DATE_RE = re.compile(r"(?:tháng\s+(?P<m>\d{1,2})\s+)?năm\s+(?P<y>\d{4})")
ADMIN_TYPES, NORM_TYPES, NAMED_TYPES = doctypes.ADMINISTRATIVE, doctypes.NORMATIVE, doctypes.NAMED
LOOKBACK_PARAGRAPHS = 2  # a bare "Điều 11" refers to a document named this far back at most


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Issue:
    code: str
    severity: Severity
    message: str

    def __post_init__(self) -> None:
        self.severity = Severity(self.severity)  # a literal given checks against the vocabulary


@dataclass(slots=True)
class CitationCheck:
    """One address cited (a mention naming several provisions gives one entry per provision)."""

    text: str
    start: int
    end: int
    paragraph: int
    citation: Citation | None = None
    canonical: str | None = None
    issues: list[Issue] = field(default_factory=list)

    @property
    def worst(self) -> Issue:
        if not self.issues:
            return Issue("ok", Severity.OK, "")
        return max(self.issues, key=lambda i: SEVERITY_RANK[i.severity])

    @property
    def status(self) -> CheckStatus:
        worst = self.worst
        if worst.severity in (Severity.ERROR, Severity.WARNING):
            return CheckStatus(worst.severity)
        if worst.severity == Severity.INFO and worst.code in OUTSIDE_CODES:
            return CheckStatus.OUTSIDE_KB
        return CheckStatus.OK

    def to_json(self) -> dict:
        worst = self.worst
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "paragraph": self.paragraph,
            "citation": self.citation.to_dict() if self.citation else None,
            "canonical": self.canonical,
            "status": self.status,
            "code": worst.code,
            "message": worst.message,
            "issues": [{"code": i.code, "severity": i.severity, "message": i.message}
                       for i in self.issues],
        }


OUTSIDE_CODES = frozenset(
    {"outside_kb", "correspondence", "party_document", "unidentified_document",
     "cannot_verify_provision", "no_antecedent_info"}
)


@dataclass(slots=True)
class Finding:
    severity: Severity
    code: str
    message: str
    text: str
    paragraph: int
    start: int
    end: int

    def __post_init__(self) -> None:
        self.severity = Severity(self.severity)

    def to_json(self) -> dict:
        return {"severity": self.severity, "code": self.code, "message": self.message,
                "text": self.text, "paragraph": self.paragraph, "start": self.start,
                "end": self.end}


@dataclass(slots=True)
class CheckReport:
    file: str
    as_of: date
    as_of_source: str  # "argument" | "letter" | "today"
    notes: list[str] = field(default_factory=list)
    citations: list[CitationCheck] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.WARNING]

    @property
    def counts(self) -> dict[str, int]:
        statuses = [c.status for c in self.citations]
        return {
            "citations": len(self.citations),
            **{status.value: statuses.count(status) for status in CheckStatus},
            "errors": len(self.errors),
            "warnings": len(self.warnings),
        }

    def to_json(self) -> dict:
        return {
            "file": self.file,
            "as_of": self.as_of.isoformat(),
            "as_of_source": self.as_of_source,
            "notes": self.notes,
            "citations": [c.to_json() for c in self.citations],
            "findings": [f.to_json() for f in self.findings],
            "counts": self.counts,
        }


AS_OF_SOURCE = {"argument": "theo tham số --as-of", "letter": "theo ngày của văn bản",
                "today": "ngày hôm nay"}


def format_report(report: CheckReport) -> str:
    """The report for the terminal: one line per citation and per finding without one."""
    lines = [f"Kiểm tra trích dẫn: {report.file}",
             f"Xét hiệu lực tại ngày {_vn(report.as_of)} ({AS_OF_SOURCE[report.as_of_source]})"]
    lines.extend(f"Lưu ý: {note}" for note in report.notes)
    rows = [(c.start, c.worst.severity, c.paragraph, c.text, c.worst.message) for c in report.citations]
    rows += [(f.start, f.severity, f.paragraph, f.text, f.message) for f in report.findings
             if f.code == "speculative_wording"]
    for _start, severity, paragraph, text, message in sorted(rows, key=lambda r: r[0]):
        snippet = " ".join(text.split())
        lines.append(f"[{SEVERITY_LABEL[severity]}] đoạn {paragraph + 1}: «{snippet}» — {message}")
    c = report.counts
    lines.append(f"{c['citations']} trích dẫn: {c['ok']} đúng, {c['error']} lỗi, {c['warning']} cảnh "
                 f"báo, {c['outside_kb']} ngoài cơ sở tri thức; tổng {c['errors']} lỗi, "
                 f"{c['warnings']} cảnh báo.")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Reading the letter
# ---------------------------------------------------------------------------------------------


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
    return "\n".join(_letter(read(Path(path))).paragraphs)


def _letter(raw: RawText) -> Letter:
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
    if doc_type is not None and doc_type not in NORM_TYPES:
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


def _as_of(letter: Letter, as_of: date | None, today: date) -> tuple[date, str, list[str]]:
    if as_of is not None:
        return as_of, "argument", []
    if letter.issued is not None:
        return letter.issued, "letter", []
    partial = PARTIAL_DATE_RE.search(letter.issued_text or "")
    if partial:
        year, month = int(partial["y"]), int(partial["m"]) if partial["m"] else 12
        if 1 <= month <= 12:
            end = _month_end(year, month)
            at = min(end, today)
            return at, "letter", [
                f"văn bản chưa ghi đủ ngày («{letter.issued_text}»): xét hiệu lực tại ngày "
                f"{_vn(at)}"]
    return today, "today", [
        f"không đọc được ngày của văn bản: xét hiệu lực tại ngày hôm nay ({_vn(today)})"]


def _month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def _vn(when: date | None) -> str:
    return when.strftime("%d/%m/%Y") if when else "?"


# ---------------------------------------------------------------------------------------------
# Knowledge-base access (cached: a long report cites the same documents hundreds of times)
# ---------------------------------------------------------------------------------------------


class _Kb:
    def __init__(self, store: Store, at: date):
        self.store, self.at = store, at
        self._docs: dict[str, object] = {}
        self._validity: dict[str, Validity] = {}
        self._rows: dict[str, dict[tuple, object]] = {}
        self._known: set[str] | None = None
        self._relations: dict[str, list] = {}
        self._source_kinds: dict[int, str] | None = None
        self._catalogue: dict[str, catalog.Entry | None] = {}
        self._ranges: dict[tuple[str, int], tuple[int, int]] | None = None

    def document(self, number: str):
        if number not in self._docs:
            self._docs[number] = self.store.document(number)
        return self._docs[number]

    def validity(self, number: str) -> Validity:
        if number not in self._validity:
            self._validity[number] = document_validity(self.store, number, self.at)
        return self._validity[number]

    def rows(self, number: str) -> dict[tuple, object]:
        """The document's provisions by address (first in document order wins)."""
        if number not in self._rows:
            table: dict[tuple, object] = {}
            for row in self.store.provisions(number):
                key = (row["part"], row["annex"], row["article"], row["clause"], row["point"])
                table.setdefault(key, row)
            self._rows[number] = table
        return self._rows[number]

    def compiled(self, number: str) -> bool:
        """Held only through Pháp điển topics: the articles of one đề mục, not the whole text."""
        if self._source_kinds is None:
            self._source_kinds = {r["id"]: r["kind"] for r in self.store.sources()}
        doc = self.document(number)
        source = doc.get("primary_source_id") if doc is not None else None
        return self._source_kinds.get(source) == "compilation"

    def relations_to(self, number: str) -> list:
        if number not in self._relations:
            self._relations[number] = self.store.relations(to_doc=number)
        return self._relations[number]

    def catalogue(self, number: str) -> catalog.Entry | None:
        """What the texts citing `number` say of it (kb/catalog.py), or None."""
        if number not in self._catalogue:
            self._catalogue[number] = catalog.entry(self.store, number)
        return self._catalogue[number]

    def serial_ranges(self) -> dict[tuple[str, int], tuple[int, int]]:
        if self._ranges is None:
            self._ranges = catalog.serial_ranges(self.store)
        return self._ranges

    def known_numbers(self) -> set[str]:
        if self._known is None:
            self._known = self.store.known_numbers()
        return self._known

    def doc_type(self, number: str) -> str | None:
        doc = self.document(number)
        return (doc["doc_type"] if doc else None) or doc_type_from_number(number)


# ---------------------------------------------------------------------------------------------
# Checking
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Seen:
    """A document mention met so far (for bare references and evidence of identity)."""

    paragraph: int
    start: int
    number: str
    doc_type: str | None


@dataclass
class _Run:
    kb: _Kb
    letter: Letter
    seen: list[_Seen] = field(default_factory=list)
    evidence: dict[str, list[DocRef]] = field(default_factory=dict)
    identified: set[str] = field(default_factory=set)  # numbers the letter identifies somewhere
    declared: frozenset[str] = frozenset()  # numbers the drafter declared outside the knowledge base


def check_text(store: Store, text: str, *, as_of: date | None = None, source: str = "",
               declared: Iterable[str] = ()) -> CheckReport:
    """Check a letter given as plain text (one paragraph a line, or hard-wrapped lines).
    `declared`: numbers of documents the drafter declared outside the knowledge base (a draft
    spec's `documents`): reported as outside it, not as unverified."""
    raw = read_text(Path(source or "văn bản"), nfc(text))
    return _check_raw(store, raw, as_of, source or "văn bản", declared)


def check_file(store: Store, path: Path | str, *, as_of: date | None = None,
               declared: Iterable[str] = ()) -> CheckReport:
    """Check a DOCX, PDF, TXT or Markdown file (ReadError when it cannot be read)."""
    path = Path(path)
    return _check_raw(store, read(path), as_of, str(path), declared)


def _check_raw(store: Store, raw: RawText, as_of: date | None, source: str,
               declared: Iterable[str] = ()) -> CheckReport:
    letter = _letter(raw)
    at, how, notes = _as_of(letter, as_of, date.today())
    report = CheckReport(source, at, how, notes)
    run = _Run(_Kb(store, at), letter, declared=frozenset(normalize_number(n) for n in declared))
    found = [f for i, text in enumerate(letter.paragraphs) for f in _find(i, text)]
    _gather_evidence(run, found)
    for item in found:
        checks = _check_mention(run, item.paragraph, item.mention)
        for check in checks:
            check.issues[:0] = item.typos
        report.citations.extend(checks)
    mentions = [(f.paragraph, f.mention) for f in found]
    report.findings.extend(_citation_findings(report.citations))
    report.findings.extend(_speculative(letter, mentions))
    report.findings.sort(key=lambda f: (f.start, f.end))
    return report


@dataclass(slots=True)
class _Found:
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


def _find(paragraph: int, text: str) -> Iterator[_Found]:
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
        yield _Found(paragraph, mention, own, identified, law)


def _shared_code(ref: DocRef | None, text: str, end: int) -> tuple[DocRef, int] | None:
    """ "Quyết định số 1656 và 1662/QĐ-UBND": the first number takes the ký hiệu of the next
    (the reference completed, and where the next number ends)."""
    if ref is None or ref.complete or not ref.number or not re.fullmatch(r"\d+[a-z]?", ref.number):
        return None
    m = SHARED_CODE_RE.match(text, end)
    if m is None:
        return None
    return dataclasses.replace(ref, number=normalize_number(ref.number + m["code"]), complete=True), m.end()


def _gather_evidence(run: _Run, found: list[_Found]) -> None:
    """Every mention of each number: a later short mention is backed by an earlier full one."""
    for item in found:
        ref = item.mention.doc_ref
        if item.law_number:
            run.identified.add(item.law_number)
        if ref is not None and ref.number and ref.complete:
            run.evidence.setdefault(ref.number, []).append(ref)
            if item.identified or _identifies(ref):
                run.identified.add(ref.number)


def _citation_findings(checks: list[CitationCheck]) -> Iterator[Finding]:
    """Errors and warnings, once per mention (its addresses may share a problem of its form)."""
    seen: set[tuple] = set()
    for check in checks:
        for issue in check.issues:
            key = (issue.code, issue.message, check.start, check.end)
            if issue.severity in (Severity.ERROR, Severity.WARNING) and key not in seen:
                seen.add(key)
                yield Finding(issue.severity, issue.code, issue.message, check.text,
                              check.paragraph, check.start, check.end)


def _speculative(letter: Letter, mentions: list[tuple[int, CitationMention]]) -> Iterator[Finding]:
    """Hedges in a sentence that states the law (it cites, or speaks of quy định / hiệu lực):
    "có vẻ", "nhiều khả năng", "gần như" …; a personal opinion ("theo tôi", "tôi cho rằng") in
    any sentence."""
    cited = {}
    for index, mention in mentions:
        cited.setdefault(index, []).append(mention.span)
    if letter.own_addresses is not None:
        return  # a legal text: "dự kiến" is a term there ("giá trị dự kiến")
    for index, text in enumerate(letter.paragraphs):
        for sentence in SENTENCE_RE.finditer(text):
            spans = [s for s in cited.get(index, []) if sentence.start() <= s[0] < sentence.end()]
            legal = bool(spans) or bool(LEGAL_CLAIM_RE.search(sentence.group(0)))
            hedges = [*SPECULATIVE_RE.finditer(text, sentence.start(), sentence.end())] if legal else []
            hedges += PERSONAL_RE.finditer(text, sentence.start(), sentence.end())
            for hedge in sorted(hedges, key=lambda m: m.start()):
                start = letter.offsets[index] + hedge.start()
                message = (f"ý kiến cá nhân «{hedge.group(0)}» trong văn bản của cơ quan: nêu ý kiến của "
                           "cơ quan, không phỏng đoán" if hedge.re is PERSONAL_RE else
                           f"cách viết phỏng đoán «{hedge.group(0)}» khi nêu quy định: văn bản trả lời phải "
                           "nêu chắc chắn quy định nào áp dụng")
                yield Finding("warning", "speculative_wording", message,
                              hedge.group(0), index, start, start + len(hedge.group(0)))


def _check_mention(run: _Run, index: int, mention: CitationMention) -> list[CitationCheck]:
    ref = mention.doc_ref
    if not mention.targets and (ref is None or ref.this_document):
        return []  # "Quy định này không …": a pronoun, nothing to check
    offset = run.letter.offsets[index]
    base = CitationCheck(mention.raw, offset + mention.span[0], offset + mention.span[1], index)
    if ref is not None and not ref.this_document:
        return _explicit(run, index, mention, base)
    if ref is None and (held := _held_paper(run.letter.paragraphs[index], mention)) is not None:
        return [_paper_check(base, target, held) for target in _targets(mention)]
    if run.letter.own_addresses is not None:
        return _own_text(run, index, mention, base)
    return _bare(run, index, mention, base)


# "khoản 1, Điều 2, Giấy phép vận chuyển … số 371/GP-UBND": an address in an administrative
# paper (a licence, a certificate, a contract) named right after it, not in a legal text
HELD_PAPER_RE = re.compile(
    r"\s*,?\s*(?:của\s+)?(?P<type>Giấy phép|Giấy chứng nhận|Hợp đồng|Biên bản|Công văn|Văn bản)"
    r"(?![\w])[^.;]{0,150}?(?<!\w)số\s*(?P<number>\d+[\w/-]*)"
)


def _held_paper(paragraph: str, mention: CitationMention) -> tuple[str, str] | None:
    m = HELD_PAPER_RE.match(paragraph, mention.span[1])
    return (m["type"], m["number"]) if m else None


def _paper_check(base: CitationCheck, target: Citation, paper: tuple[str, str]) -> CitationCheck:
    check = _clone(base)
    check.citation = target
    check.issues.append(Issue("correspondence", "info",
                              f"{render(target, with_doc=False)} của {paper[0]} số {paper[1]}: "
                              "văn bản hành chính, không đối chiếu"))
    return check


def _clone(base: CitationCheck) -> CitationCheck:
    return CitationCheck(base.text, base.start, base.end, base.paragraph)


def _targets(mention: CitationMention) -> list[Citation]:
    return mention.targets or [Citation(None, mention.part)]


# --- explicit documents -------------------------------------------------------------------


def _explicit(run: _Run, index: int, mention: CitationMention, base: CitationCheck) -> list[CitationCheck]:
    ref = mention.doc_ref
    assert ref is not None
    number, form_issues = _identify(run, ref)
    if number:
        run.seen.append(_Seen(index, base.start, number, run.kb.doc_type(number)))
    out = []
    for target in _targets(mention):
        check = _clone(base)
        check.issues.extend(form_issues)
        if number is None:
            check.citation = target.with_doc(ref.number) if ref.number else None
            if not form_issues:
                check.issues.append(_unidentified(ref))
        elif mention.attached == "parenthetical" and (other := _holder_elsewhere(run, index, mention, target, number)):
            how = (f"hiểu là của {render_short(other.doc, run.kb.doc_type(other.doc))}, văn bản nêu trước "
                   f"trong đoạn; {render_short(number, run.kb.doc_type(number))} không có điều, khoản này")
            _judge(run, check, other, None, index, base.start, inferred=how)
        else:
            _judge(run, check, target.with_doc(number), ref, index, base.start)
        out.append(check)
    return out


def _holder_elsewhere(run: _Run, index: int, mention: CitationMention, target: Citation,
                      number: str) -> Citation | None:
    """ "… khác với Nghị định số 32/2024/NĐ-CP (khoản 5 Điều 16)" in a comparison with a Quy
    chế: a parenthesis the grammar gives the document just before it, when that document has no
    such provision and one named before in the paragraph has (its Quy chế included)."""
    if target.article is None or any(_holds(run.kb, t) for t in _in_parts(run.kb, target.with_doc(number))):
        return None
    paragraph = run.letter.paragraphs[index]
    named = [m.doc_ref.number for m in find_citations(paragraph[: mention.span[0]])
             if m.doc_ref is not None and m.doc_ref.complete and m.doc_ref.number]
    for other in dict.fromkeys(reversed(named)):
        if other == number:
            continue
        held = [t for t in _in_parts(run.kb, target.with_doc(other)) if _holds(run.kb, t)]
        if held:
            return held[0]
    return None


def _identify(run: _Run, ref: DocRef) -> tuple[str | None, list[Issue]]:
    """The complete số hiệu a reference means, and the problems of its form."""
    if ref.number is None:
        return None, []
    abbreviated = ABBREVIATED_RE.match(ref.raw) is not None
    if ref.complete and not abbreviated:
        return ref.number, []
    if ref.complete:  # the number identifies it; only the type is abbreviated
        full = render_short(ref.number, ref.doc_type)
        return ref.number, [Issue("abbreviated_type", "warning",
                                  f"viết tắt tên loại văn bản «{ref.raw}»: ghi đầy đủ «{full}»")]
    candidates = match_partial(ref.raw, run.kb.known_numbers())
    if len(candidates) == 1:
        full = render_short(candidates[0], run.kb.doc_type(candidates[0]))
        return candidates[0], [Issue("informal_short_form", "error",
                                     f"trích dẫn không đầy đủ «{ref.raw}»: ghi đầy đủ «{full}»")]
    if candidates:
        names = ", ".join(sorted(candidates))
        return None, [Issue("informal_short_form", "error",
                            f"trích dẫn không đầy đủ «{ref.raw}», có thể là: {names}; "
                            "ghi đầy đủ số, ký hiệu văn bản")]
    return None, [Issue("informal_short_form", "error",
                        f"trích dẫn không đầy đủ «{ref.raw}»: không xác định được văn bản; "
                        "ghi đầy đủ số, ký hiệu văn bản")]


def _unidentified(ref: DocRef) -> Issue:
    what = ref.raw.strip()
    return Issue("unidentified_document", "info",
                 f"«{what}»: văn bản không có trong cơ sở tri thức (không nêu số hiệu)")


# --- judging one address --------------------------------------------------------------------


def _judge(run: _Run, check: CitationCheck, target: Citation, ref: DocRef | None,
           index: int, start: int, inferred: str = "") -> None:
    """Resolve `target` (a complete document) against the knowledge base at the letter's date."""
    kb, number = run.kb, target.doc
    assert number is not None
    check.citation = target
    check.canonical = render(target, kb.doc_type(number))
    if number == run.letter.own_number:
        check.issues.append(Issue("self_reference", "ok", "chính văn bản này"))
        return
    doc = kb.document(number)
    if doc is None and inferred:
        check.issues.append(Issue("outside_kb", "info",
                                  f"{inferred}: văn bản không có trong cơ sở tri thức"))
        return
    if doc is None:
        check.issues.append(_unknown(run, number, ref))
        return
    sentence = _sentence(run.letter.paragraphs[index], start - run.letter.offsets[index])
    if _ended(run, check, number, sentence):
        return
    if doc["is_stub"]:
        check.issues.append(_against_catalogue(run, number, ref) or _stub_issue(kb, number, target))
        return
    if ref is not None:
        check.issues.extend(_metadata(kb, doc, ref))
    addressed = target.article is not None or target.annex is not None
    if addressed and not _provision(run, check, target, inferred):
        return
    check.issues.append(_ok(kb, number, target, inferred))


def _sentence(paragraph: str, pos: int) -> str:
    for m in SENTENCE_RE.finditer(paragraph):
        if m.start() <= pos < max(m.end(), m.start() + 1):
            return m.group(0)
    return paragraph


def _ended(run: _Run, check: CitationCheck, number: str, sentence: str) -> bool:
    """A repealed or not yet effective document: an error, unless the sentence says so."""
    validity = run.kb.validity(number)
    name = render_short(number, run.kb.doc_type(number))
    if validity.status == Status.REPEALED:
        if HISTORICAL_RE.search(sentence):
            check.issues.append(Issue("historical_reference", "info",
                                      f"{name} đã hết hiệu lực ({validity.note}); câu văn nêu "
                                      "việc này"))
            return True
        check.issues.append(Issue("repealed_document", "error", _repealed_message(run, name, validity)))
        return True
    if validity.status == Status.NOT_YET and not FUTURE_RE.search(sentence):
        check.issues.append(Issue("not_in_force_at_date", "error",
                                  f"{name} chưa có hiệu lực tại ngày {_vn(run.kb.at)} "
                                  f"({validity.note})"))
        return True
    return False


def _repealed_message(run: _Run, name: str, validity: Validity) -> str:
    by = [render_short(n, run.kb.doc_type(n)) for n in validity.replaced_by]
    text = f"{name} đã hết hiệu lực từ ngày {_vn(validity.since)}"
    if by:
        text += f", được thay thế bởi {', '.join(by)}: dẫn chiếu văn bản thay thế"
    return text


def _stub_issue(kb: _Kb, number: str, target: Citation) -> Issue:
    name = render_short(number, kb.doc_type(number))
    what = "không kiểm tra được điều, khoản" if target.article or target.annex else (
        "không kiểm tra được nội dung")
    entry = kb.catalogue(number)
    where = f"; {entry.cited_at()}" if entry else ""
    return Issue("outside_kb", "info",
                 f"{name}: văn bản không có trong cơ sở tri thức (chỉ được các văn bản khác dẫn "
                 f"chiếu{where}), {what}")


def _metadata(kb: _Kb, doc, ref: DocRef) -> list[Issue]:
    """The date and type the letter writes against the knowledge base's record."""
    issues = []
    name = render_short(doc["number"], doc["doc_type"])
    if ref.issued and doc["issued"] and ref.issued != doc["issued"]:
        issues.append(Issue("wrong_date", "error",
                            f"{name} ban hành ngày {_vn(doc['issued'])}, không phải ngày "
                            f"{_vn(ref.issued)}"))
    if ref.issuer and doc["issuer"] and not catalog.same_issuer(ref.issuer, doc["issuer"]):
        issues.append(Issue("wrong_issuer", "error",
                            f"{name} do {doc['issuer']} ban hành, không phải «{ref.issuer}»"))
    if (ref.doc_type in NORM_TYPES and doc["doc_type"] in NORM_TYPES
            and ref.doc_type != doc["doc_type"]):
        issues.append(Issue("wrong_document_type", "error",
                            f"văn bản số {doc['number']} là {doc['doc_type']}, không phải "
                            f"{ref.doc_type}"))
    return issues


def _provision(run: _Run, check: CitationCheck, target: Citation, inferred: str) -> bool:
    """The address exists and is in force (amended: a warning). False when a problem ends it."""
    kb, number = run.kb, target.doc
    rows = kb.rows(number)
    row = rows.get((target.part, target.annex, target.article, target.clause, target.point))
    if row is None:
        check.issues.append(_missing(kb, target, rows, inferred))
        return False
    validity, current, versions = provision_validity(kb.store, row, kb.at)
    label = render(target, kb.doc_type(number))
    if validity.status == Status.REPEALED:
        check.issues.append(Issue("not_in_force_at_date", "error",
                                  f"{label} không còn hiệu lực tại ngày {_vn(kb.at)} "
                                  f"({validity.note})"))
        return False
    if current.text_missing:  # amended by a text known only from a notice: the wording cited is the old one
        stated = validity.note.split(" — ")[0]
        check.issues.append(Issue("amended_provision", "warning", f"{label}: {stated}; câu văn trích dẫn theo "
                                  "nội dung trước khi sửa đổi, cần đối chiếu văn bản sửa đổi"))
    elif len(versions) > 1 and current is not versions[0]:
        check.issues.append(Issue("amended_provision", "warning",
                                  f"{label} đã được sửa đổi, bổ sung bởi "
                                  f"{render_short(current.source_doc)} từ ngày "
                                  f"{_vn(current.valid_from)}: trích theo nội dung đã sửa đổi"))
    elif changed := _changed_parts(kb, target):
        check.issues.append(Issue("amended_provision", "warning",
                                  f"{label} có {'; '.join(changed)}: trích theo nội dung đã sửa "
                                  "đổi"))
    if expiry := upcoming_expiry(kb.store, number, kb.at):
        check.issues.append(Issue("expiring_document", "info", f"{expiry} (văn bản đề ngày {_vn(kb.at)})"))
    return True


def _changed_parts(kb: _Kb, target: Citation) -> list[str]:
    """Amendments and repeals in force at the date aimed below the cited address ("khoản 2
    Điều 8" cited whole, its điểm c amended)."""
    out = []
    for rel in kb.relations_to(target.doc):
        if rel["kind"] not in ("amends", "repeals") or rel["to_article"] != target.article:
            continue
        if (rel["to_part"], rel["to_annex"]) != (target.part, target.annex):
            continue
        below = Citation(target.doc, rel["to_part"], rel["to_annex"], rel["to_article"],
                         rel["to_clause"], rel["to_point"])
        deeper = (target.clause is None and below.clause is not None) or (
            target.clause == below.clause and target.point is None and below.point is not None)
        when = relation_date(kb.store, rel)
        if deeper and when is not None and when <= kb.at:
            verb = "được sửa đổi, bổ sung" if rel["kind"] == "amends" else "bị bãi bỏ"
            out.append(f"{render(below, with_doc=False)} {verb} bởi "
                       f"{render_short(rel['from_doc'])} từ ngày {_vn(when)}")
    return out


def _missing(kb: _Kb, target: Citation, rows: dict[tuple, object], inferred: str) -> Issue:
    """No such provision: say what the document does have at the nearest level."""
    label = render(target, kb.doc_type(target.doc))
    articles = {k for k in rows if k[2] is not None and (k[0], k[1]) == (target.part, target.annex)}
    if not articles and target.article is not None:
        return Issue("cannot_verify_provision", "info",
                     f"{label}: cơ sở tri thức không có các điều của văn bản này để đối chiếu")
    if kb.compiled(target.doc):
        return Issue("cannot_verify_provision", "info",
                     f"{label}: cơ sở tri thức chỉ có các điều của văn bản này được hệ thống hóa "
                     "trong Bộ pháp điển, không có điều, khoản này để đối chiếu")
    detail = _what_exists(kb, target, rows)
    if inferred:
        return Issue("unresolved_reference", "warning",
                     f"không có {label} ({inferred}){detail}; ghi rõ tên văn bản được dẫn chiếu")
    return Issue("no_such_provision", "error", f"không có {label}{detail}")


def _what_exists(kb: _Kb, target: Citation, rows: dict[tuple, object]) -> str:
    scope = (target.part, target.annex)
    parent = target.parent()
    while parent is not None and (scope + (parent.article, parent.clause, parent.point)) not in rows:
        parent = parent.parent()
    if parent is None:
        count = len({k[2] for k in rows if k[:2] == scope and k[2] is not None})
        return f": văn bản có {count} điều"
    name = render(parent, kb.doc_type(target.doc))
    key = scope + (parent.article, parent.clause, parent.point)
    if parent.clause is None:
        count = len({k[3] for k in rows if k[:3] == key[:3] and k[3] is not None})
        return f": {name} có {count} khoản" if count else f": {name} không chia khoản"
    count = len({k[4] for k in rows if k[:4] == key[:4] and k[4] is not None})
    return f": {name} có {count} điểm" if count else f": {name} không chia điểm"


def _ok(kb: _Kb, number: str, target: Citation, inferred: str) -> Issue:
    validity = kb.validity(number)
    label = render(target, kb.doc_type(number))
    where = f" ({inferred})" if inferred else ""
    if validity.status == Status.NOT_NORMATIVE:
        return Issue("ok", "ok", f"{label}{where}: văn bản hành chính có trong cơ sở tri thức")
    note = f" — {validity.note}" if validity.note else ""
    return Issue("ok", "ok", f"{label}{where}: {validity.text.lower()} tại ngày {_vn(kb.at)}{note}")


# --- documents the knowledge base does not know ---------------------------------------------


def _unknown(run: _Run, number: str, ref: DocRef | None) -> Issue:
    doc_type = (ref.doc_type if ref else None) or doc_type_from_number(number)
    name = render_short(number, doc_type)
    if PARTY_NUMBER_RE.match(number):
        return Issue("party_document", "info",
                     f"{name}: văn bản của tổ chức Đảng, ngoài phạm vi cơ sở tri thức")
    if doc_type in ADMIN_TYPES or doc_type_from_number(number) in ADMIN_TYPES:
        return Issue("correspondence", "info",
                     f"{name}: văn bản hành chính (công văn, báo cáo …), không có trong cơ sở tri "
                     "thức, không đối chiếu")
    if number in run.declared:
        return Issue("outside_kb", "info",
                     f"{name}: văn bản do người soạn khai báo, ngoài cơ sở tri thức: chưa kiểm chứng "
                     "nội dung, hiệu lực")
    refs = run.evidence.get(number, [])
    problem = _implausible(number, refs, run.kb.at)
    if problem:
        return Issue("unknown_document", "error",
                     f"{name} không có trong cơ sở tri thức và {problem}: có thể là số hiệu không "
                     "có thật")
    if (contradiction := _against_catalogue(run, number, ref)) is not None:
        return contradiction
    entry = run.kb.catalogue(number)
    if entry is not None:
        return Issue("outside_kb", "info",
                     f"{name}: văn bản không có toàn văn trong cơ sở tri thức, {entry.cited_at()}; "
                     "không kiểm tra được nội dung, hiệu lực")
    if number in run.identified and not re.search(r"/\d{4}/", number):
        return Issue("outside_kb", "info",
                     f"{name}: văn bản không có trong cơ sở tri thức (văn bản nêu ngày, cơ quan ban "
                     "hành hoặc trích yếu), không kiểm tra được nội dung, hiệu lực")
    if beyond := _beyond_range(run.kb, number):
        return Issue("unknown_document", "error",
                     f"{name} không có trong cơ sở tri thức và {beyond}: có thể là số hiệu không có thật")
    if not re.search(r"/\d{4}/", number):  # no year: a decision on a case, not a legal norm
        return Issue("unverified_document", "warning",
                     f"{name}: văn bản không có trong cơ sở tri thức, văn bản cũng không nêu ngày "
                     "ban hành, cơ quan ban hành: không xác minh được; ghi đầy đủ ở lần nêu đầu tiên")
    said = " (văn bản có nêu ngày, cơ quan ban hành hoặc trích yếu)" if number in run.identified else ""
    return Issue("unverified_document", "warning",
                 f"{name}: không xác minh được số hiệu — đề nghị kiểm tra: không có trong cơ sở tri "
                 f"thức và không văn bản nào đã nạp dẫn chiếu{said}")


def _against_catalogue(run: _Run, number: str, ref: DocRef | None) -> Issue | None:
    """An error when what the letter writes of a document contradicts what the texts citing it
    say: another date of issue, another issuer. Where the citing texts disagree among
    themselves, any of their dates or issuers is accepted. A type the number's own form
    contradicts ("Thông tư số 71/2018/NĐ-CP") is an error too."""
    if (wrong := _type_against_form(number, ref)) is not None:
        return wrong
    entry = run.kb.catalogue(number)
    if entry is None:
        return None
    name = render_short(number, entry.doc_type)
    written_refs = [r for r in run.evidence.get(number, []) if r is not ref] + [ref] if ref else []
    for written in written_refs:
        if written.issued and entry.dates and written.issued not in entry.dates:
            known = ", ".join(_vn(d) for d, _n in entry.dates.most_common(2))
            return Issue("wrong_date", "error",
                         f"{name} ban hành ngày {known} (theo các văn bản dẫn chiếu: "
                         f"{entry.cited_at()}), không phải ngày {_vn(written.issued)}")
        known_issuers = list(entry.issuers) or [i for i in [issuer_from_number(number)] if i]
        if written.issuer and known_issuers and not any(
                catalog.same_issuer(written.issuer, i) for i in known_issuers):
            return Issue("wrong_issuer", "error",
                         f"{name} do {known_issuers[0]} ban hành (theo các văn bản dẫn chiếu: "
                         f"{entry.cited_at()}), không phải «{written.issuer}»")
    return None


def _type_against_form(number: str, ref: DocRef | None) -> Issue | None:
    """ "Thông tư số 71/2018/NĐ-CP": the ký hiệu says Nghị định. (A /QH number may be a Luật or
    a Nghị quyết: not judged.)"""
    by_form = doc_type_from_number(number)
    if ref is None or ref.doc_type not in NORM_TYPES or by_form not in NORM_TYPES or "/QH" in number:
        return None
    if ref.doc_type == by_form:
        return None
    return Issue("wrong_document_type", "error",
                 f"số hiệu {number} là của một {by_form}, không phải {ref.doc_type}")


def _beyond_range(kb: _Kb, number: str) -> str | None:
    """A serial far beyond the highest that series is known to have reached in a past year
    (20 numbers known at least): "Nghị định 950/2020/NĐ-CP"."""
    m = catalog.SERIAL_RE.match(number)
    if m is None or int(m[2]) >= kb.at.year:
        return None
    count, top = kb.serial_ranges().get((m[3], int(m[2])), (0, 0))
    if count >= 20 and int(m[1]) > max(2 * top, top + 100):
        return (f"số thứ tự {m[1]} vượt xa số cao nhất đã biết của loại văn bản này năm {m[2]} "
                f"({top})")
    return None


def _identifies(ref: DocRef) -> bool:
    """The letter says which document it is: date, issuer or trích yếu (a law: its name)."""
    return bool(ref.issued or ref.issuer or ref.title or (ref.doc_type in NAMED_TYPES and ref.name))


def _implausible(number: str, refs: list[DocRef], at: date) -> str | None:
    """Why a number unknown to the knowledge base cannot be a real document, or None."""
    m = re.match(r"(\d+)[a-z]?/(\d{4})/([A-ZĐ]+)", number)
    year = int(m[2]) if m else None
    if year is not None and year > at.year:
        return f"mang năm {year}, sau ngày của văn bản"
    if m and int(m[1]) > (doctypes.max_serial(m[3]) or 10**6):
        return f"số thứ tự {m[1]} vượt xa số văn bản loại này ban hành trong một năm"
    for ref in refs:
        if ref.issued and year is not None and ref.issued.year != year:
            return f"ngày ban hành {_vn(ref.issued)} không khớp năm {year} trong số hiệu"
        if ref.issued and ref.issued > at:
            return f"ngày ban hành {_vn(ref.issued)} sau ngày của văn bản"
        expected = issuer_from_number(number)
        if ref.issuer and expected and not catalog.same_issuer(ref.issuer, expected):
            return f"cơ quan ban hành «{ref.issuer}» không khớp ký hiệu {number}"
    return None


# --- references without a document ---------------------------------------------------------


def _own_text(run: _Run, index: int, mention: CitationMention, base: CitationCheck) -> list[CitationCheck]:
    """A legal text being checked: "khoản 2 Điều này", "Điều 5" are its own provisions, except a
    bare list closed later in the sentence by a document ("khoản 1 Điều 34; … Nghị định số …")."""
    letter = run.letter
    context = letter.contexts[index] if index < len(letter.contexts) else Citation(letter.own_number)
    post = mention.postcedent
    out = []
    for target, level, absolute in zip(mention.targets, mention.relatives,
                                       resolve_relative(mention, context), strict=True):
        check = _clone(base)
        if context.annex == ANNEX_MARK and mention.doc_ref is None:
            check.citation = target
            check.issues.append(Issue("cannot_verify_provision", "info",
                                      "dẫn chiếu trong phụ lục, biểu mẫu: không đối chiếu"))
        elif level == "article" and LETTERED_ARTICLE_RE.match(letter.paragraphs[index], mention.span[1]):
            check.citation = target
            check.issues.append(Issue("cannot_verify_provision", "info",
                                      "khoản của một điều đánh số có chữ (Điều 31a): chưa đọc được"))
        elif mention.doc_ref is None and (amended := letter.amends.get((context.article, context.clause))):
            _amending_item(run, check, target, level, amended, index, base.start)
        elif level == "document" and mention.doc_ref is None and post is not None and post.complete:
            how = f"hiểu là của {render_short(post.number, post.doc_type)}, văn bản nêu sau trong câu"
            _judge(run, check, target.with_doc(post.number), None, index, base.start, inferred=how)
        else:
            _own_address(run, check, absolute)
        out.append(check)
    return out


def _amending_item(run: _Run, check: CitationCheck, target: Citation, level: str, amended: Citation,
                   index: int, start: int) -> None:
    """An item of an amending text ("2. Bổ sung khoản 3 vào sau khoản 2 Điều 8 như sau:"): its
    bare provisions are the amended document's; a bare "khoản 3" there is the provision added."""
    if level != "document":
        check.citation = target
        check.issues.append(Issue("cannot_verify_provision", "info",
                                  f"trong nội dung sửa đổi, bổ sung {render_short(amended.doc)}: không đối chiếu"))
        return
    placed = Citation(amended.doc, target.part or amended.part, target.annex, target.article, target.clause,
                      target.point)
    _judge(run, check, placed, None, index, start,
           inferred=f"quy định của {render_short(amended.doc)}, văn bản được sửa đổi")


def _own_address(run: _Run, check: CitationCheck, target: Citation) -> None:
    """An address in the text itself: its parsed provisions, else the store's copy of it (an
    annex kept in a separate file)."""
    letter = run.letter
    check.citation = target
    check.canonical = render(target, with_doc=False) + " (văn bản này)"
    key = (target.part, target.annex, target.article, target.clause, target.point)
    own = letter.own_addresses or set()
    stored = bool(target.doc) and _holds(run.kb, target)
    if (target.article is None and target.annex is None) or key in own or stored:
        check.issues.append(Issue("self_reference", "ok", "quy định của chính văn bản này"))
    elif target.annex is not None and not any(k[1] for k in own):
        check.issues.append(Issue("cannot_verify_provision", "info",
                                  "văn bản không kèm phụ lục trong tệp này: không đối chiếu"))
    else:
        check.issues.append(Issue("no_such_provision", "error",
                                  f"văn bản này không có {render(target, with_doc=False)}"))


def _bare(run: _Run, index: int, mention: CitationMention, base: CitationCheck) -> list[CitationCheck]:
    """A letter's "Điều 11", "Phụ lục 2", "Điều 5 Nghị định này": find the document meant."""
    if _own_annex(run.letter, index, mention):
        check = _clone(base)
        check.issues.append(Issue("own_annex", "info", "phụ lục của chính văn bản này"))
        return [check]
    candidates = _candidates(run, index, mention, base.start)
    out = []
    for target, level in zip(mention.targets, mention.relatives, strict=True):
        check = _clone(base)
        if level in ("article", "clause"):  # "khoản 2 Điều này" quoted in a letter
            check.citation = target
            check.issues.append(Issue("cannot_verify_provision", "info",
                                      "dẫn chiếu «… này» của một đoạn trích: không đối chiếu"))
        elif _own_bare_annex(run, target, candidates, mention):
            check.citation = target
            check.issues.append(Issue("own_annex", "info", "phụ lục của chính văn bản này"))
        else:
            _resolve_bare(run, check, target, candidates, mention, index)
        out.append(check)
    return out


def _own_bare_annex(run: _Run, target: Citation, candidates: list[str], mention: CitationMention) -> bool:
    """A letter's bare "Phụ lục 1" that no document named before holds: the letter's own annex
    (a report's "chi tiết tại Phụ lục 1"), not a decree's that has none."""
    if mention.doc_ref is not None or target.annex is None or target.article is not None:
        return False
    return not any(_holds(run.kb, target.with_doc(n)) for n in candidates)


OWN_ANNEX_AFTER_RE = re.compile(
    r"\s*(?:gửi\s+kèm|kèm\s+theo)(?:\s+(?:văn bản|công văn|báo cáo|tờ trình|kế hoạch)\s+này)?"
    r"\s*(?:[).,;:]|$)"
)


def _own_annex(letter: Letter, index: int, mention: CitationMention) -> bool:
    """ "(chi tiết tại Phụ lục 1 gửi kèm)": the letter's own annex, not another document's."""
    if mention.doc_ref is not None or any(t.article is not None for t in mention.targets):
        return False
    return OWN_ANNEX_AFTER_RE.match(letter.paragraphs[index], mention.span[1]) is not None


def _candidates(run: _Run, index: int, mention: CitationMention, start: int) -> list[str]:
    """Documents a bare reference may mean, most likely first: the one named earlier in the
    sentence, earlier in the paragraph, then in the paragraphs just before. "Nghị định này" in a
    letter: the last document of that type named before it, however far back."""
    wanted = mention.doc_ref.doc_type if mention.doc_ref is not None else None
    found: list[str] = []
    ante = mention.antecedent
    if ante is not None and ante.complete and ante.number and wanted is None:
        found.append(ante.number)
    for seen in reversed(run.seen):
        if seen.start >= start:
            continue
        if wanted is None and index - seen.paragraph <= LOOKBACK_PARAGRAPHS or wanted is not None and seen.doc_type == wanted:
            found.append(seen.number)
    return list(dict.fromkeys(found))


def _resolve_bare(run: _Run, check: CitationCheck, target: Citation, candidates: list[str],
                  mention: CitationMention, index: int) -> None:
    """The first candidate holding the provision, else the nearest one; a document named later
    in the sentence only when it holds it ("khoản 1 Điều 34; … khoản 3 Điều 34 Nghị định số …")."""
    post = mention.postcedent
    later = [post.number] if post is not None and post.complete and post.number else []
    holding = [(n, t) for n in candidates + later for t in _in_parts(run.kb, target.with_doc(n))
               if _holds(run.kb, t)]
    if holding:
        target = holding[0][1].with_doc(None)
    chosen = next(iter([n for n, _t in holding] or candidates or later), None)
    if mention.doc_ref is not None:
        check.issues.append(_this_in_letter(run, mention.doc_ref, chosen, bool(holding)))
    if chosen is None:
        check.citation = target
        check.canonical = render(target, with_doc=False)
        if mention.doc_ref is None:
            check.issues.append(Issue("no_antecedent_info", "info",
                                      "không xác định được văn bản được dẫn chiếu (không có văn "
                                      "bản nào được nêu ngay trước)"))
        return
    where = "văn bản nêu gần nhất" if chosen in candidates else "văn bản nêu sau trong câu"
    how = f"hiểu là của {render_short(chosen, run.kb.doc_type(chosen))}, {where}"
    _judge(run, check, target.with_doc(chosen), None, index, check.start, inferred=how)


def _this_in_letter(run: _Run, ref: DocRef, chosen: str | None, found: bool) -> Issue:
    """ "Phụ lục V kèm theo Nghị định này" copied into a letter: "này" is the letter itself.
    When the last document of that type holds the provision, a quotation of it: information."""
    meant = (f"; hiểu là {render_short(chosen, run.kb.doc_type(chosen))}, văn bản cùng loại nêu "
             "gần nhất" if chosen else "")
    if found:
        return Issue("quoted_reference", "info", f"«{ref.raw}»{meant} (đoạn trích nguyên văn)")
    return Issue("no_antecedent", "warning",
                 f"«{ref.raw}» trong văn bản này không chỉ văn bản nào{meant}: ghi rõ số, ký hiệu "
                 "văn bản")


def _in_parts(kb: _Kb, target: Citation) -> list[Citation]:
    """The address in the document's main text, then in the regulation it attaches ("khoản 5
    Điều 16" of a decision: of its Quy chế)."""
    if target.part is not None or target.article is None:
        return [target]
    parts = sorted({k[0] for k in kb.rows(target.doc) if k[0] is not None}) if kb.document(target.doc) else []
    return [target, *(dataclasses.replace(target, part=p) for p in parts)]


def _holds(kb: _Kb, target: Citation) -> bool:
    key = (target.part, target.annex, target.article, target.clause, target.point)
    doc = kb.document(target.doc)
    return doc is not None and not doc["is_stub"] and key in kb.rows(target.doc)


# ---------------------------------------------------------------------------------------------
# DOCX comments
# ---------------------------------------------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W_NS}}}"


def annotate_docx(src: Path | str, report: CheckReport, dst: Path | str) -> Path:
    """A copy of `src` with one Word comment per citation (and per finding without a citation),
    anchored on the runs holding its words (runs are split at the citation's edges)."""
    import docx

    document = docx.Document(str(src))
    paragraphs = list(_docx_paragraphs(document))
    cursor = 0
    for text, message in _comment_items(report):
        placed = _place(document, paragraphs, cursor, text, message)
        if placed is not None:
            cursor = placed
    dst = Path(dst)
    document.save(str(dst))
    return dst


def _comment_items(report: CheckReport) -> list[tuple[str, str]]:
    """(anchor text, comment) in document order; a mention with several addresses: one comment."""
    items: dict[tuple[int, int], tuple[str, list[str]]] = {}
    for check in report.citations:
        worst = check.worst
        line = f"[{SEVERITY_LABEL[worst.severity]}] {worst.message}"
        extra = [f"[{SEVERITY_LABEL[i.severity]}] {i.message}" for i in check.issues
                 if i is not worst and i.severity in (Severity.ERROR, Severity.WARNING)]
        entry = items.setdefault((check.start, check.end), (check.text, []))
        for text in (line, *extra):
            if text not in entry[1]:
                entry[1].append(text)
    for finding in report.findings:
        if finding.code == "speculative_wording":
            items[(finding.start, finding.end)] = (
                finding.text, [f"[{SEVERITY_LABEL[finding.severity]}] {finding.message}"])
    return [(text, "\n".join(lines)) for _span, (text, lines) in sorted(items.items())]


def _docx_paragraphs(document) -> Iterator:
    """Paragraphs in the order the DOCX reader reads them: body, tables cell by cell, nested."""
    from docx.text.paragraph import Paragraph

    def walk(container, parent):
        for child in container:
            if child.tag == _W + "p":
                yield Paragraph(child, parent)
            elif child.tag in (_W + "tbl", _W + "tr", _W + "tc", _W + "sdt", _W + "sdtContent"):
                yield from walk(child, parent)

    yield from walk(document.element.body, document)


def _runs(paragraph) -> list:
    from docx.text.run import Run

    elements = paragraph._p.xpath("./w:r | ./w:hyperlink/w:r | ./w:ins/w:r")
    return [Run(r, paragraph) for r in elements]


def _place(document, paragraphs: list, cursor: int, text: str, message: str) -> int | None:
    pattern = _anchor_pattern(text)
    for i in range(cursor, len(paragraphs)):
        runs = _runs(paragraphs[i])
        texts = [nfc(r.text).replace("\xa0", " ").replace("\t", " ") for r in runs]
        joined = "".join(texts)
        if (m := pattern.search(joined)) is None:
            continue
        first, last = _split_for(runs, texts, m.start(), m.end())
        document.add_comment([first, last], text=message, author=AUTHOR, initials="CCN")
        return i
    return None


def _anchor_pattern(text: str) -> re.Pattern:
    words = nfc(text).replace("ƣ", "ư").split()
    return re.compile(r"\s+".join(re.escape(w) for w in words))


def _split_for(runs: list, texts: list[str], start: int, end: int) -> tuple:
    """The runs covering [start, end), split so that the anchor holds exactly those words
    when the edge runs are plain text runs (else the whole edge run is anchored)."""
    bounds, pos = [], 0
    for t in texts:
        bounds.append((pos, pos + len(t)))
        pos += len(t)
    i = next(k for k, (a, b) in enumerate(bounds) if a <= start < b)
    j = next(k for k, (a, b) in enumerate(bounds) if a < end <= b)
    last = runs[j]
    if end < bounds[j][1] and _plain(runs[j]):
        _split_run(runs[j], end - bounds[j][0])
    first = runs[i]
    if start > bounds[i][0] and _plain(runs[i]):
        first = _split_run(runs[i], start - bounds[i][0])
        if i == j:
            last = first
    return first, last


# run children python-docx renders as one character, and those it renders as none
_ONE_CHAR = frozenset({_W + "tab", _W + "br", _W + "cr", _W + "noBreakHyphen", _W + "ptab"})
_NO_CHAR = frozenset({_W + "rPr", _W + "lastRenderedPageBreak"})


def _plain(run) -> bool:
    """A run that can be cut at any character: text, tabs, breaks (no fields, no drawings)."""
    allowed = _ONE_CHAR | _NO_CHAR | {_W + "t"}
    return all(c.tag in allowed for c in run._r) and run.text == nfc(run.text)


def _split_run(run, at: int):
    """Split a plain run at character `at`: the run keeps the head, a new run after it the tail."""
    from docx.text.run import Run

    tail = copy.deepcopy(run._r)
    run._r.addnext(tail)
    _keep(run._r, 0, at)
    _keep(tail, at, None)
    return Run(tail, run._parent)


def _keep(r, start: int, end: int | None) -> None:
    """Keep only the characters [start, end) of a plain run element."""
    pos = 0
    for child in list(r):
        if child.tag == _W + "rPr":
            continue
        size = len(child.text or "") if child.tag == _W + "t" else int(child.tag in _ONE_CHAR)
        lo, hi = max(start, pos), min(end if end is not None else pos + size, pos + size)
        if child.tag == _W + "t" and hi > lo:
            child.text = child.text[lo - pos : hi - pos]
            child.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        elif size == 0:
            inside = start <= pos and (end is None or pos < end)
            if not inside:
                r.remove(child)
        elif hi <= lo:
            r.remove(child)
        pos += size


def read_comments(path: Path | str) -> list[tuple[str, str]]:
    """(anchored text, comment text) of every comment of a DOCX, in document order."""
    import docx

    document = docx.Document(str(path))
    texts = {c.comment_id: c.text for c in document.comments}
    anchored: dict[int, list[str]] = {}
    open_ids: list[int] = []
    order: list[int] = []
    for el in document.element.body.iter():
        if el.tag == _W + "commentRangeStart":
            cid = int(el.get(_W + "id"))
            open_ids.append(cid)
            order.append(cid)
            anchored[cid] = []
        elif el.tag == _W + "commentRangeEnd":
            cid = int(el.get(_W + "id"))
            if cid in open_ids:
                open_ids.remove(cid)
        elif el.tag == _W + "t" and el.text:
            for cid in open_ids:
                anchored[cid].append(el.text)
    return [("".join(anchored[cid]), texts.get(cid, "")) for cid in order]
