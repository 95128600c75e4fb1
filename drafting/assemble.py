"""Assembly: a spec and the knowledge base → the content of a draft, ready to render.

What assembly does (the format is render's business):
- the header values: cơ quan chủ quản and ban hành, "Số:      /ĐCK-CTT" (blank number until the
  văn thư numbers the signed letter), "Hà Nội, ngày 05 tháng 8 năm 2026", V/v or tên loại and
  trích yếu, Kính gửi, signer block, Nơi nhận ("Như trên", the profile's list, "Lưu: VT, …");
- the opening that cites the incoming letter in full ("… nhận được Văn bản số 2815/SCT-CN ngày
  22 tháng 7 năm 2026 của Sở Công Thương tỉnh Lào Cai về việc …");
- every document cited in the text in full form at its first mention ("Nghị định số 32/2024/NĐ-CP
  ngày 15 tháng 3 năm 2024 của Chính phủ về quản lý, phát triển cụm công nghiệp") and in short
  form after ("Nghị định số 32/2024/NĐ-CP"); informal forms ("NĐ 32") are written out;
- each point's provisions resolved in the store and checked for validity at the letter's date
  (repealed or not yet in force: an error in `issues`), quoted in the body when asked, and all
  of them quoted verbatim, as in force at that date, in `citations` (the reviewer's appendix);
  a quote may be a đoạn or câu of its khoản (spec.ProvisionRef) and carries "[nay là …]" after
  a body reorganised since its text was written (kb.institutions);
- documents the spec declares outside the knowledge base, cited with the declared data (info);
- suggestions from search for the points that ask for them, each recorded as accepted, dropped
  or pending (only accepted ones are cited);
- for a báo cáo / tờ trình, the table of comparable provisions (one row per topic, one column
  per document, each cell quoting the provisions).

Problems never raise: a citation that does not resolve is recorded in `issues` (severity
"error") and shown as written; the caller decides what an error means (`ccn draft` exits 1).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from drafting.profile import AgencyProfile, load_profile
from drafting.severity import Severity
from drafting.spec import (
    KIND_LABELS,
    PROCEDURE_KINDS,
    DeclaredDocument,
    DraftSpec,
    Point,
    ProvisionRef,
    provision_ref,
    spec_home,
)
from kb import citations, doctypes, lookup
from kb.citations import DocRef
from kb.institutions import InstitutionChange, institution_changes
from kb.model import Citation, Status
from kb.store import Store
from kb.validity import document_validity
from kb.views import ProvisionView

TYPE_NAMES = {"bao_cao_ra_soat": "Báo cáo", "to_trinh": "Tờ trình"}  # kind → loại văn bản (kb.doctypes)
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
PID_RE = re.compile(r"^[0-9a-f]{16}$")
LABEL_RE = re.compile(r"^(?:\d+\.|[a-zđ]\d?\))\s+")
ARTICLE_HEAD_RE = re.compile(r"^Điều \d+[a-z]?\.")

ParaKind = Literal["body", "heading", "section", "quote", "center", "note"]


# ----------------------------------------------------------------------------- the model
class Run(BaseModel):
    text: str
    bold: bool = False
    italic: bool = False


class Para(BaseModel):
    """A body paragraph. Kinds: body (justified text), heading ("1. Về …", bold), section
    ("I. KẾT QUẢ RÀ SOÁT", bold upper case), quote (a quoted provision line, italic), center (a
    decision's centred lines), note (the reviewer's "Lưu ý về hiệu lực", dropped once approved)."""

    kind: ParaKind = "body"
    runs: list[Run]

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


class Cell(BaseModel):
    paragraphs: list[list[Run]] = Field(default_factory=list)


class ComparisonTable(BaseModel):
    title: str  # upper case annex title
    reference: str  # "(Kèm theo Báo cáo số      /BC-SCT ngày … của …)"
    headers: list[str]
    rows: list[list[Cell]]
    widths: list[float] | None = None  # column widths in mm (None: render's default sharing)


class Attachment(BaseModel):
    """A text issued with a decision (the Quy chế of Mẫu số 03, 04 TT 14/2024): its own section."""

    type_name: str  # "QUY CHẾ"
    subject: str
    reference: str  # "(Ban hành kèm theo Quyết định số …)"
    body: list[Para]


class Issue(BaseModel):
    severity: Severity
    where: str
    message: str


class CitedProvision(BaseModel):
    """A provision the draft cites, as in force at the letter's date (the reviewer's appendix)."""

    ref: str  # as written in the spec or the text
    found: bool
    id: str | None = None
    citation: dict | None = None
    citation_text: str  # canonical short form
    document: str | None = None  # the document's full form
    text: str = ""  # verbatim, the version in force at the date
    status: str | None = None
    status_text: str = ""
    validity_note: str = ""
    version_note: str = ""
    notes: list[str] = Field(default_factory=list)  # "nay là …", a coming end, words replaced …
    origin: Literal["spec", "text", "accepted", "comparison"] = "spec"
    used_in: list[str] = Field(default_factory=list)


class Suggestion(BaseModel):
    where: str
    citation: dict
    citation_text: str
    score: float
    excerpt: str
    decision: Literal["accepted", "dropped", "pending"] = "pending"


class AssembledDraft(BaseModel):
    kind: str
    kind_label: str
    as_of: date
    profile: AgencyProfile
    parent_header: str | None
    agency_header: list[str]
    number_line: str  # "Số:      /ĐCK-CTT"
    place_date: str  # "Hà Nội, ngày 05 tháng 8 năm 2026"
    type_name: str | None  # "BÁO CÁO", "TỜ TRÌNH"; None for a công văn
    subject: str  # V/v text (công văn) or trích yếu (typed documents)
    recipients: list[str]
    body: list[Para]
    signer_lines: list[str]
    signer_name: str
    distribution: list[str]  # Nơi nhận items, without "- " and final punctuation
    comparison: ComparisonTable | None = None
    table: ComparisonTable | None = None  # a table in the body (score sheet, minutes)
    after: list[Para] = Field(default_factory=list)  # body paragraphs after that table
    attachment: Attachment | None = None
    co_signer_lines: list[str] = Field(default_factory=list)  # a biên bản's second signer (THƯ KÝ)
    co_signer_name: str = ""
    citations: list[CitedProvision] = Field(default_factory=list)
    suggestions: list[Suggestion] = Field(default_factory=list)
    issues: list[Issue] = Field(default_factory=list)
    declared: list[str] = Field(default_factory=list)  # documents the spec declares outside the KB

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == Severity.ERROR]

    def summary(self) -> AssemblySummary:
        """What a draft's report records of the assembly (besides the checker's findings)."""
        return AssemblySummary(kind=self.kind, as_of=self.as_of, profile=self.profile.id, subject=self.subject,
                               citations=self.citations, suggestions=self.suggestions, issues=self.issues)


class AssemblySummary(BaseModel):
    """The assembly in a draft's report (`ccn draft --json`, POST /api/draft): the provisions
    cited with their validity, the suggestions, the issues."""

    kind: str
    as_of: date
    profile: str
    subject: str
    citations: list[CitedProvision]
    suggestions: list[Suggestion]
    issues: list[Issue]


# ----------------------------------------------------------------------------- dates
def vn_date(day: date) -> str:
    """"ngày 05 tháng 3 năm 2025": day < 10 and months 1, 2 take a leading zero (NĐ 30/2020)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def short_date(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


# ----------------------------------------------------------------------------- citations
class _Citer:
    """Resolves citations against the store, renders documents in full form at the first
    mention and short form after, and collects every cited provision with its validity."""

    def __init__(self, store: Store, at: date, issues: list[Issue], outside: set[str] | None = None,
                 declared: list[DeclaredDocument] | None = None):
        self.store = store
        self.outside = outside or set()  # numbers known not to be in the store (the incoming letter)
        self.at = at
        self.issues = issues
        self.known = set(store.known_numbers())
        # documents the spec declares (outside the store): cited with the declared data, unverified
        self.declared = {citations.normalize_number(d.number): d for d in declared or []
                         if not _held(store, citations.normalize_number(d.number))}
        self.known |= set(self.declared)
        self._changes: list[InstitutionChange] | None = None
        self.seen_docs: set[str] = set()
        self.checked_docs: set[str] = set()
        self.cited: dict[str, CitedProvision] = {}

    # -- documents
    def doc_number(self, ref: DocRef, where: str) -> str | None:
        if ref.number is None:
            return None
        if ref.complete:
            number = citations.normalize_number(ref.number)
            return number if number in self.known else None
        candidates = citations.match_partial(ref.raw, self.known)
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            self.issue(Severity.ERROR, where, f"«{ref.raw}» có thể là nhiều văn bản: {', '.join(sorted(candidates))}; "
                       "hãy ghi đủ số hiệu")
        return None

    def document_ref(self, ref: str, where: str) -> str | None:
        """A document named alone: "32/2024/NĐ-CP", "NĐ 32/2024", "Quyết định 16/2026/QĐ-UBND"."""
        number = citations.normalize_number(ref)
        if number in self.known:
            return number
        found = next((m.doc_ref for m in citations.find_citations(ref) if m.doc_ref), None)
        if found is not None:
            return self.doc_number(found, where)
        candidates = citations.match_partial(ref, self.known)
        return candidates[0] if len(candidates) == 1 else None

    def form(self, number: str, where: str) -> str:
        """The document as the text should name it here: full form the first time, short after."""
        doc = self.store.document(number)
        self.check_document(number, where)
        if doc is None and number not in self.declared:
            return citations.render_short(number)
        if number in self.seen_docs:
            return citations.render_short(number, self._doc_type(number))
        self.seen_docs.add(number)
        return self.full_form(number)

    def full_form(self, number: str) -> str:
        """"Nghị định số 32/2024/NĐ-CP ngày 15 tháng 3 năm 2024 của Chính phủ về …"; a letter
        (văn bản hành chính) "Công văn số 1178/ĐCK-CTT ngày … của … về việc …"."""
        if (declared := self.declared.get(number)) is not None:
            return citations.render_full(number, declared.type, declared.date, declared.issuer, declared.title)
        doc = self.store.document(number)
        if doc is None:
            return citations.render_short(number)
        if doc.doc_class == "admin":
            text = citations.render_full(number, doc.doc_type, doc.issued, doc.issuer, None)
            subject = (doc.subject or doc.title or "").strip().rstrip(".")
            return f"{text} về việc {subject}" if subject else text
        return citations.render_full(number, doc.doc_type, doc.issued,
                                     signing_issuer(doc.doc_type, doc.issuer),
                                     doc.title or doc.subject)

    def check_document(self, number: str, where: str) -> None:
        if number in self.checked_docs:
            return
        self.checked_docs.add(number)
        doc = self.store.document(number)
        name = citations.render_short(number, self._doc_type(number))
        if (declared := self.declared.get(number)) is not None:
            self.issue(Severity.INFO, where, f"{name}: văn bản do người soạn khai báo, ngoài kho dữ liệu: chưa kiểm "
                       "chứng số hiệu, hiệu lực và nội dung")
            if doc is None:
                return
            if doc.issued and doc.issued != declared.date:  # a stub: what the citing texts say wins
                self.issue(Severity.WARNING, where, f"{name}: ngày khai báo {short_date(declared.date)} khác ngày các văn "
                           f"bản trong kho dữ liệu ghi khi dẫn chiếu ({short_date(doc.issued)})")
        if doc is None:
            self.issue(Severity.ERROR, where, f"{name} không có trong kho dữ liệu")
            return
        validity = document_validity(self.store, number, self.at)
        when = vn_date(self.at)
        note = f" ({validity.note})" if validity.note else ""
        if validity.status == Status.REPEALED:
            self.issue(Severity.ERROR, where, f"{name} đã hết hiệu lực tại {when}{note}")
        elif validity.status == Status.NOT_YET:
            self.issue(Severity.ERROR, where, f"{name} chưa có hiệu lực tại {when}{note}")
        elif doc.is_stub and declared is None:
            self.issue(Severity.WARNING, where, f"{name} chỉ được văn bản khác dẫn chiếu, kho dữ liệu chưa có "
                       "toàn văn: chưa kiểm tra được hiệu lực và nội dung")

    def citation_text(self, c: Citation, where: str) -> str:
        """"điểm c khoản 1 Điều 8 Nghị định số 32/2024/NĐ-CP[ ngày … của … về …]"."""
        words = citations.render(c, with_doc=False)
        if not c.doc:
            return words
        doc = self.form(c.doc, where)
        if not words:
            return doc
        return f"{words} ban hành kèm theo {doc}" if c.part else f"{words} {doc}"

    def _doc_type(self, number: str) -> str | None:
        if number in self.declared:
            return self.declared[number].type
        doc = self.store.document(number)
        return doc.doc_type if doc else None

    # -- editor's notes
    def outdated_notes(self, lines: list[str], number: str | None) -> list[str]:
        """A quote's lines with "[nay là …]" after the first mention of each body that the
        institutions data (kb.institutions) says was merged, renamed or abolished after the
        quoted text was written and before the letter's date."""
        if not number:
            return lines
        if self._changes is None:
            self._changes = institution_changes(self.store)
        doc = self.store.document(number)
        written = (doc.effective or doc.issued) if doc else None
        for change in self._changes:
            if not change.applies(self.at) or (written is not None and change.since and written >= change.since):
                continue
            for i, line in enumerate(lines):
                m = change.first_in(line)
                if m:
                    lines[i] = f"{line[:m.end()]} [{change.editor_note()}]{line[m.end():]}"
                    break
        return lines

    # -- free text
    def normalise(self, text: str, where: str) -> str:
        """Documents in full form at first mention, short after; records the cited provisions."""
        out: list[str] = []
        pos = 0
        for m in citations.find_citations(text):
            ref = m.doc_ref
            if ref is None or ref.this_document or m.attached or ref.number is None:
                continue
            start = m.span[0] + m.raw.rfind(ref.raw)
            if start < m.span[0] or start < pos:
                continue
            number = self.doc_number(ref, where)
            if number is None:
                if citations.normalize_number(ref.number) not in self.outside and not self._ambiguous(ref):
                    self.issue(Severity.WARNING, where, f"«{ref.raw}» không có trong kho dữ liệu: chưa kiểm tra "
                               "được hiệu lực và nội dung")
                continue
            for target in m.targets:
                self.cite(target.with_doc(number), ref=m.raw, origin="text", where=where)
            if ref.title and number not in self.seen_docs:  # already written in full
                self.seen_docs.add(number)
                self.check_document(number, where)
                continue
            out.append(text[pos:start])
            out.append(self.form(number, where))
            pos = start + len(ref.raw)
        out.append(text[pos:])
        return "".join(out)

    def mentioned(self, text: str) -> set[str]:
        """Keys of the provisions a text cites (resolved against the store), without side effects
        on first mentions."""
        keys: set[str] = set()
        for m in citations.find_citations(text):
            ref = m.doc_ref
            if ref is None or ref.this_document or ref.number is None:
                continue
            number = self._quiet_number(ref)
            keys |= {t.with_doc(number).key() for t in m.targets} if number else set()
        return keys

    def _quiet_number(self, ref: DocRef) -> str | None:
        if ref.complete:
            number = citations.normalize_number(ref.number or "")
            return number if number in self.known else None
        candidates = citations.match_partial(ref.raw, self.known)
        return candidates[0] if len(candidates) == 1 else None

    def _ambiguous(self, ref: DocRef) -> bool:
        return len(citations.match_partial(ref.raw, self.known)) > 1

    # -- provisions
    def resolve(self, ref: str, where: str) -> Citation | None:
        """A spec's provision reference (citation string or id) → its address, or None (issue)."""
        if PID_RE.match(ref):
            row = self.store.provision_by_pid(ref)
            if row is None:
                self.issue(Severity.ERROR, where, f"không có quy định mã «{ref}» trong kho dữ liệu")
                return None
            doc = self.store.document(row.doc_key)
            number = (doc.number if doc else None) or row.doc_key
            return Citation(number, row.part, row.annex, row.article, row.clause, row.point)
        address, warnings = lookup.resolve_citation(self.store, ref)
        if address is None or not address.doc:
            self.issue(Severity.ERROR, where, f"không hiểu trích dẫn «{ref}»: cần ghi rõ điều, khoản và văn bản")
            return None
        if address.doc in self.declared:
            return address
        if not citations.is_complete_number(address.doc) or address.doc not in self.known:
            detail = "; ".join(warnings) or f"không có văn bản «{address.doc}» trong kho dữ liệu"
            self.issue(Severity.ERROR, where, f"trích dẫn «{ref}»: {detail}")
            return None
        for warning in warnings:
            self.issue(Severity.INFO, where, f"trích dẫn «{ref}»: {warning}")
        return address

    def cite(self, c: Citation, *, ref: str, origin: str, where: str) -> CitedProvision:
        key = c.key()
        if key in self.cited:
            entry = self.cited[key]
            if where not in entry.used_in:
                entry.used_in.append(where)
            return entry
        entry = self._lookup(c, ref, origin, where)
        self.cited[key] = entry
        return entry

    def _lookup(self, c: Citation, ref: str, origin: str, where: str) -> CitedProvision:
        short = citations.render(c, self._doc_type(c.doc or ""))
        base = {"ref": ref, "citation": c.to_dict(), "citation_text": short, "origin": origin,
                "used_in": [where], "document": self.full_form(c.doc) if c.doc else None}
        if c.doc:
            self.check_document(c.doc, where)
        if c.doc in self.declared:
            return CitedProvision(found=False, status_text="ngoài kho dữ liệu, chưa kiểm chứng", **base)
        row = self.store.provision(c) if c.doc else None
        if row is None or not _same_address(row, c):
            self.issue(Severity.ERROR, where, f"không có {short} trong kho dữ liệu (trích dẫn «{ref}»)")
            return CitedProvision(found=False, **base)
        view = lookup.provision_view(self.store, row, self.at)
        entry = CitedProvision(found=True, id=row.pid, text=view.text, status=view.status,
                               status_text=view.status_text, validity_note=view.validity.note,
                               version_note=_version_note(view), notes=view.notes, **base)
        self._check_validity(entry, where)
        return entry

    def _check_validity(self, entry: CitedProvision, where: str) -> None:
        when = vn_date(self.at)
        note = f" ({entry.validity_note})" if entry.validity_note else ""
        if entry.status == Status.REPEALED.value:
            self.issue(Severity.ERROR, where, f"{entry.citation_text} đã hết hiệu lực tại {when}{note}")
        elif entry.status == Status.NOT_YET.value:
            self.issue(Severity.ERROR, where, f"{entry.citation_text} chưa có hiệu lực tại {when}{note}")
        elif entry.status == Status.UNKNOWN.value:
            self.issue(Severity.WARNING, where, f"{entry.citation_text}: chưa xác định được hiệu lực tại {when}")
        elif entry.status == Status.AMENDED_TEXT_MISSING.value:
            self.issue(Severity.WARNING, where, f"{entry.citation_text}: {entry.validity_note}")

    def issue(self, severity: Severity, where: str, message: str) -> None:
        item = Issue(severity=severity, where=where, message=message)
        if item not in self.issues:
            self.issues.append(item)


HEAD_OF = {"Bộ ": "Bộ trưởng", "Ngân hàng Nhà nước": "Thống đốc", "Tòa án nhân dân tối cao": "Chánh án",
           "Viện kiểm sát nhân dân tối cao": "Viện trưởng", "Kiểm toán nhà nước": "Tổng Kiểm toán"}
HEADED_TYPES = ("Thông tư", "Thông tư liên tịch", "Quyết định", "Chỉ thị")
_ISSUERS_SPLIT = re.compile(r"\s+và\s+(?=Bộ |Ngân hàng Nhà nước|Tòa án|Viện kiểm sát|Kiểm toán)")


def signing_issuer(doc_type: str | None, issuer: str | None) -> str | None:
    """Who issues the document as its full form names it: a Thông tư (and a ministry's Quyết định,
    Chỉ thị) is issued by the head of the ministry, not the ministry (Luật Ban hành văn bản quy
    phạm pháp luật): "Thông tư số 14/2024/TT-BCT … của Bộ trưởng Bộ Công Thương"; a Thông tư liên
    tịch by each head ("của Bộ trưởng Bộ Công Thương và Bộ trưởng Bộ Nội vụ")."""
    if not issuer or doc_type not in HEADED_TYPES:
        return issuer
    names = []
    for name in _ISSUERS_SPLIT.split(issuer.strip()):
        head = next((h for prefix, h in HEAD_OF.items() if name.startswith(prefix)), None)
        names.append(f"{head} {name}" if head and not name.startswith(head) else name)
    return " và ".join(names)


def _held(store: Store, number: str) -> bool:
    """The store holds the document's text (not only other texts' mentions of it)."""
    doc = store.document(number)
    return doc is not None and not doc.is_stub


def _same_address(row, c: Citation) -> bool:
    return (row.article, row.clause, row.point, row.part, row.annex) == (
        c.article, c.clause, c.point, c.part, c.annex)


def _version_note(view: ProvisionView) -> str:
    if len(view.versions) < 2:
        return ""
    current = next((v for v in view.versions if v.text == view.text), None)
    return f"trích theo bản {current.note}" if current and current.note else ""


# ----------------------------------------------------------------------------- assembly
class _Assembler:
    def __init__(self, spec: DraftSpec, store: Store, at: date, searcher, profile: AgencyProfile):
        self.spec = spec
        self.profile = profile
        self.issues: list[Issue] = []
        incoming = {citations.normalize_number(spec.incoming.number)} if spec.incoming else set()
        self.citer = _Citer(store, at, self.issues, incoming, spec.documents)
        self.searcher = searcher
        self.at = at
        self.suggestions: list[Suggestion] = []
        self.body: list[Para] = []
        self.agency_named = False

    # -- helpers
    def para(self, text: str, kind: ParaKind = "body", *, bold: bool = False, italic: bool = False) -> None:
        self.body.append(Para(kind=kind, runs=[Run(text=text, bold=bold, italic=italic)]))

    def agency_subject(self) -> str:
        """The agency as the subject of a sentence: full name (with its short name) the first time."""
        p = self.profile
        if self.agency_named:
            return p.short_name
        self.agency_named = True
        return p.agency if p.agency.startswith(p.short_name) else f"{p.agency} ({p.short_name})"

    def addressee(self) -> str:
        if self.spec.addressee:
            return self.spec.addressee
        if self.spec.recipients:
            return self.spec.recipients[0]
        return self.profile.parent_agency or "cơ quan có thẩm quyền"

    def incoming_text(self) -> str:
        inc = self.spec.incoming
        assert inc is not None
        subject = inc.subject[0].lower() + inc.subject[1:] if inc.subject[:1].isupper() else inc.subject
        if not subject.startswith("về "):
            subject = f"về việc {subject}"
        return f"{inc.kind} số {inc.number} {vn_date(inc.date)} của {inc.agency} {subject}"

    # -- opening and closing
    def opening(self) -> None:
        given = self.spec.opening_paragraphs()
        if given:
            for i, text in enumerate(given):
                self.para(self.citer.normalise(text, "mở đầu" if i == 0 else f"mở đầu, đoạn {i + 1}"))
            return
        if self.spec.incoming is None:
            return
        inc = self.spec.incoming
        if self.spec.kind in ("gop_y", "tra_loi"):
            lead = f"N{vn_date(inc.received)[1:]}, " if inc.received else ""
            self.para(f"{lead}{self.agency_subject()} nhận được {self.incoming_text()}. Sau khi nghiên cứu, "
                      f"{self.agency_subject()} có ý kiến như sau:")
        else:
            self.para(f"Thực hiện {self.incoming_text()}, {self.agency_subject()} báo cáo kết quả "
                      "như sau:")

    def closing(self) -> None:
        text = self.spec.closing
        if not text:
            short, to = self.agency_subject(), self.addressee()
            text = {
                "gop_y": f"Trên đây là ý kiến của {short}, đề nghị {to} nghiên cứu, hoàn thiện theo quy định",
                "tra_loi": f"Trên đây là ý kiến của {short} để {to} nghiên cứu, thực hiện theo quy định "
                           "pháp luật",
                "bao_cao_ra_soat": f"Trên đây là báo cáo kết quả rà soát của {short}, kính đề nghị {to} "
                                   "xem xét, chỉ đạo",
                "to_trinh": f"{short} kính trình {to} xem xét, quyết định",
            }[self.spec.kind]
        text = self.citer.normalise(text.rstrip(" ./"), "kết luận")
        self.para(f"{text}./.")

    # -- points
    def point(self, number: str, point: Point, where: str, *, question: str | None = None) -> None:
        provisions = self.point_provisions(point, where)
        texts = point.paragraphs()
        mentioned = {key for text in texts for key in self.citer.mentioned(text)}
        if point.title:
            self.para(f"{number} {point.title}", "heading", bold=True)
        elif question is not None:
            self.para(f"{number} Về nội dung đề nghị", "heading", bold=True)
        if question is not None:
            self.body.append(Para(runs=[Run(text="Nội dung đề nghị: "),
                                        Run(text=f"“{question.rstrip()}”", italic=True)]))
        if point.quote:
            for c, sel in provisions:
                self.quote(c, where, sel)
        paragraphs = [self.citer.normalise(t, where) for t in texts]  # after the quotes: reading order
        if paragraphs and not point.title and question is None:
            paragraphs[0] = f"{number} {paragraphs[0]}"
        for text in paragraphs:
            self.para(text)
        # A drafter cites a point's legal basis in its sentences; a detached "Cơ sở pháp lý: …"
        # line has no place in a letter (the reviewer's appendix lists every provision anyway).
        rest = [c for c, _ in provisions if c.key() not in mentioned] if not point.quote else []
        for c in rest:
            self.citer.issue(Severity.WARNING, where, f"{self.citer.cited[c.key()].citation_text} là căn cứ của "
                             "mục này nhưng chưa được viện dẫn trong nội dung: hãy viện dẫn trong câu văn "
                             "(hoặc đặt quote: true để trích dẫn)")

    def point_provisions(self, point: Point, where: str) -> list[tuple[Citation, ProvisionRef | None]]:
        """The point's provisions, each with the part of it the spec selects (đoạn, câu)."""
        out: list[tuple[Citation, ProvisionRef | None]] = []
        for item in point.provisions:
            sel = provision_ref(item)
            c = self.citer.resolve(sel.ref, where)
            if c is not None:
                self.citer.cite(c, ref=sel.ref, origin="spec", where=where)
                out.append((c, sel if sel.selects else None))
        for c in self.suggested(point, where, [c for c, _ in out]):
            self.citer.cite(c, ref=citations.render(c), origin="accepted", where=where)
            out.append((c, None))
        return out

    def excerpt(self, c: Citation, sel: ProvisionRef | None, where: str) -> tuple[list[str], str]:
        """The lines a quote prints (the whole provision or the đoạn/câu selected, with "[nay là
        …]" notes) and the words that name the part ("đoạn 2 ")."""
        entry = self.citer.cited[c.key()]
        lines, prefix, problem = select_lines(entry.text, sel)
        if problem:
            self.citer.issue(Severity.ERROR, where, f"{entry.citation_text}: {problem}")
        return self.citer.outdated_notes(lines, c.doc), prefix

    def quote(self, c: Citation, where: str, sel: ProvisionRef | None = None) -> None:
        entry = self.citer.cited[c.key()]
        cite = self.citer.citation_text(c, where)
        if not entry.found:
            missing = ("văn bản ngoài kho dữ liệu, chưa kiểm chứng nội dung" if c.doc in self.citer.declared
                       else "không tìm thấy nội dung trong kho dữ liệu")
            self.para(f"Tại {cite} quy định: [{missing}].")
            return
        lines, prefix = self.excerpt(c, sel, where)
        cite = prefix + cite
        end = "" if lines[-1].endswith((".", ";", "!", "?")) else "."
        if len(lines) == 1:
            self.body.append(Para(runs=[Run(text=f"Tại {cite} quy định: "),
                                        Run(text=f"“{lines[0]}”", italic=True), Run(text=end)]))
            return
        self.para(f"Tại {cite} quy định:")
        for i, line in enumerate(lines):
            last = i == len(lines) - 1
            text = ("“" if i == 0 else "") + line + (f"”{end}" if last else "")
            self.para(text, "quote", italic=True)

    # -- suggestions
    def suggested(self, point: Point, where: str, already: list[Citation]) -> list[Citation]:
        wanted = point.suggest if point.suggest is not None else self.spec.suggest
        accept = self.decisions(point.accept, where)
        drop = self.decisions(point.drop, where)
        hits = self.search(point, where) if wanted else []
        accepted: list[Citation] = []
        suggested_keys: set[str] = set()
        provinces = self.letter_provinces()
        for hit in hits:
            c = hit.citation
            if c.key() in {a.key() for a in already} or hit.status == Status.NOT_NORMATIVE:
                continue
            if not self.for_provinces(c.doc, provinces):
                continue  # another province's Quy chế has nothing to say to this letter
            suggested_keys.add(c.key())
            decision = "accepted" if c.key() in accept else "dropped" if c.key() in drop else "pending"
            self.suggestions.append(Suggestion(where=where, citation=c.to_dict(), citation_text=hit.citation_text,
                                               score=round(hit.score, 4), excerpt=hit.text[:300],
                                               decision=decision))
        for key, c in accept.items():
            if key not in suggested_keys and wanted and self.searcher is not None:
                self.citer.issue(Severity.INFO, where, f"{citations.render(c)} được chấp nhận dù không nằm trong gợi ý")
            if key not in {a.key() for a in already}:
                accepted.append(c)
        return accepted

    def letter_provinces(self) -> set[str]:
        """The provinces the letter is about: named in its recipients, addressee, incoming
        letter and subject ("Sở Công Thương tỉnh Phú Thọ"), else the issuing agency's own
        (a provincial profile: "UBND TỈNH LÀO CAI"). Empty: no filter."""
        spec = self.spec
        texts = [*spec.recipients, spec.addressee or "", spec.subject]
        if spec.incoming:
            texts.append(spec.incoming.agency)
        found = {name for text in texts for name in provinces_in(text)}
        if not found and self.profile.parent_header:
            found = provinces_in(self.profile.parent_header.title().replace("Ubnd", "UBND"))
        return found

    def for_provinces(self, number: str | None, provinces: set[str]) -> bool:
        """A document speaks to the letter: national, or issued in one of its provinces."""
        if not provinces or not number:
            return True
        doc = self.citer.store.document(number)
        issuer_provinces = provinces_in(doc.issuer or "") if doc else set()
        return not issuer_provinces or bool(issuer_provinces & provinces)

    def decisions(self, refs: list[str], where: str) -> dict[str, Citation]:
        out: dict[str, Citation] = {}
        for ref in refs:
            c = self.citer.resolve(ref, where)
            if c is not None:
                out[c.key()] = c
        return out

    def search(self, point: Point, where: str) -> list:
        if self.searcher is None:
            self.citer.issue(Severity.WARNING, where, "chưa có chỉ mục tìm kiếm (chạy `ccn index`): không gợi ý "
                             "được quy định")
            return []
        from retrieval.search import Filters

        query = " ".join([point.title or "", *point.paragraphs()])[:600]
        return list(self.searcher.search(query, k=5, filters=Filters(as_of=self.at)).hits)

    # -- document kinds
    def letter_points(self) -> None:
        if self.spec.kind == "gop_y":
            for i, point in enumerate(self.spec.points, 1):
                self.point(f"{i}.", point, f"mục {i}")
        else:
            for i, q in enumerate(self.spec.questions, 1):
                self.point(f"{i}.", q, f"câu hỏi {i}", question=q.question)

    def report_sections(self) -> None:
        for s, section in enumerate(self.spec.sections):
            roman = ROMAN[s] if s < len(ROMAN) else str(s + 1)
            self.para(f"{roman}. {section.title.upper()}", "section", bold=True)
            for text in section.intro_paragraphs():
                self.para(self.citer.normalise(text, f"phần {roman}"))
            for i, point in enumerate(section.points, 1):
                self.point(f"{i}.", point, f"phần {roman}, mục {i}")

    def comparison_intro(self, columns: list[str], type_word: str) -> None:
        forms = "; ".join(self.citer.form(n, "bảng so sánh") for n in columns)
        self.para(f"Các văn bản được rà soát, đối chiếu gồm: {forms}. Các quy định tương ứng được so sánh "
                  f"theo từng nội dung tại Phụ lục kèm theo {type_word} này.")

    def comparison_columns(self) -> list[str]:
        comp = self.spec.comparison
        assert comp is not None
        columns: list[str] = []
        for ref in comp.documents:
            number = self.citer.document_ref(ref, "bảng so sánh")
            if number is None:
                self.citer.issue(Severity.ERROR, "bảng so sánh", f"không xác định được văn bản «{ref}» trong kho dữ liệu")
            elif number not in columns:
                columns.append(number)
        return columns

    def comparison_table(self, columns: list[str], reference: str) -> ComparisonTable:
        comp = self.spec.comparison
        assert comp is not None
        with_comment = any(r.comment for r in comp.rows)
        parts: dict[str, set[str | None]] = {n: set() for n in columns}  # the parts each column quotes
        rows: list[list[Cell]] = []
        for r, row in enumerate(comp.rows, 1):
            where = f"bảng so sánh, dòng {r}"
            cells = {n: Cell() for n in columns}
            for item in row.provisions:
                sel = provision_ref(item)
                c = self.citer.resolve(sel.ref, where)
                if c is None:
                    continue
                entry = self.citer.cite(c, ref=sel.ref, origin="comparison", where=where)
                if c.doc not in cells:
                    self.citer.issue(Severity.ERROR, where, f"{entry.citation_text} không thuộc văn bản nào của bảng")
                    continue
                parts[c.doc].add(c.part)
                cells[c.doc].paragraphs.extend(self.cell_quote(c, entry, sel, where))
            for cell in cells.values():
                if not cell.paragraphs:
                    cell.paragraphs.append([Run(text="(Không có quy định tương ứng)", italic=True)])
            line = [Cell(paragraphs=[[Run(text=str(r))]]), Cell(paragraphs=[[Run(text=row.topic, bold=True)]])]
            line += [cells[n] for n in columns]
            if with_comment:
                line.append(Cell(paragraphs=[[Run(text=row.comment)]] if row.comment else []))
            rows.append(line)
        headers = ["TT", "Nội dung"] + [self.column_header(n, parts[n]) for n in columns]
        if with_comment:
            headers.append("Nhận xét, đề xuất")
        return ComparisonTable(title=comp.title.upper(), reference=reference, headers=headers, rows=rows)

    def column_header(self, number: str, parts: set[str | None]) -> str:
        """A column is headed by the document whose provisions it holds: the Quy chế a Quyết
        định promulgates when every provision quoted there is the Quy chế's ("Quy chế quản lý cụm
        công nghiệp trên địa bàn tỉnh Lào Cai ban hành kèm theo Quyết định số 16/2026/QĐ-UBND")."""
        short = citations.render_short(number, self.citer._doc_type(number))
        if len(parts) != 1 or None in parts:
            return short
        part = next(iter(parts))
        doc = self.citer.store.document(number)
        title = " ".join(((doc.title or doc.subject or "") if doc else "").split())
        m = re.search(rf"(?i)\bban hành ({re.escape(part or '')}\b.*)$", title)
        name = m.group(1).rstrip(".") if m else part
        return f"{name} ban hành kèm theo {short}"

    def cell_quote(self, c: Citation, entry: CitedProvision, sel: ProvisionRef, where: str) -> list[list[Run]]:
        label = entry.citation_text  # with its document: a bare "khoản 1 Điều 8" would point nowhere
        if not entry.found:
            missing = ("văn bản ngoài kho dữ liệu, chưa kiểm chứng nội dung" if c.doc in self.citer.declared
                       else "không tìm thấy trong kho dữ liệu")
            return [[Run(text=f"{label[:1].upper()}{label[1:]}:", bold=True)], [Run(text=f"({missing})", italic=True)]]
        lines, prefix = self.excerpt(c, sel if sel.selects else None, where)
        label = prefix + label
        return [[Run(text=f"{label[:1].upper()}{label[1:]}:", bold=True)]] + [[Run(text=line)] for line in lines]

    # -- the whole
    def build(self) -> AssembledDraft:
        spec, p = self.spec, self.profile
        if spec.kind in PROCEDURE_KINDS:
            from drafting.procedure import build_procedure

            return build_procedure(self)
        signer = p.signer(spec.signer)
        doc_type = doctypes.by_name(TYPE_NAMES.get(spec.kind))
        type_name, type_code, type_word = (doc_type.heading_text, doc_type.code, doc_type.name) if doc_type else (None,) * 3
        code = p.typed_code(type_code) if type_code else p.cong_van_code()
        number = f" {spec.number:02d}" if spec.number else " " * 6
        comparison = None
        self.opening()
        if spec.kind in ("gop_y", "tra_loi"):
            self.letter_points()
        else:
            columns = self.comparison_columns()
            self.comparison_intro(columns, type_word or "")
            self.report_sections()
            reference = (f"(Kèm theo {type_word} số{number}/{code} {vn_date(spec.date)} "
                         f"của {p.agency})")
            comparison = self.comparison_table(columns, reference)
        self.closing()
        return AssembledDraft(
            kind=spec.kind, kind_label=KIND_LABELS[spec.kind], as_of=self.at, profile=p,
            parent_header=p.parent_header, agency_header=p.agency_header,
            number_line=f"Số:{number}/{code}", place_date=f"{p.place}, {vn_date(spec.date)}",
            type_name=type_name, subject=spec.subject, recipients=spec.recipients, body=self.body,
            signer_lines=signer.block_lines(), signer_name=signer.name,
            distribution=self.distribution(), comparison=comparison,
            citations=list(self.citer.cited.values()), suggestions=self.suggestions, issues=self.issues,
            declared=sorted(self.citer.declared),
        )

    def distribution(self) -> list[str]:
        spec, p = self.spec, self.profile
        items = ["Như trên"] if spec.recipients else []
        items += spec.distribution if spec.distribution is not None else p.distribution
        items += spec.extra_distribution
        archive = p.archive + (f"({spec.drafter})" if spec.drafter else "")
        return [*dict.fromkeys(items), f"Lưu: {archive}"]


def text_lines(text: str) -> list[str]:
    """A provision's lines, with the breaks of a hard-wrapped source mended: a line that does not
    end a sentence or a list item ("… Nghị định số" / "32/2024/NĐ-CP.") joins the next one."""
    out: list[str] = []
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        mend = out and not out[-1].endswith((".", ";", ":", "!", "?", "”", '"'))
        if mend and not LABEL_RE.match(line) and not ARTICLE_HEAD_RE.match(out[-1]):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def quote_lines(text: str) -> list[str]:
    """A provision's text as quoted in a letter: without its label ("c) ", "2. ") and, for a
    whole article, without the heading line."""
    lines = text_lines(text)
    if lines and ARTICLE_HEAD_RE.match(lines[0]) and len(lines) > 1:
        lines = lines[1:]
    if lines:
        lines[0] = LABEL_RE.sub("", lines[0], count=1)
    return lines or [text.strip()]


PROVINCE_RE = re.compile(r"(?<!\w)(?:tỉnh|thành phố|Tỉnh|Thành phố)\s+(\w+(?:\s+\w+){0,3})")


def provinces_in(text: str) -> set[str]:
    """Province names in a text: the capitalised words after "tỉnh" / "thành phố" ("Sở Công
    Thương tỉnh Phú Thọ" → {"Phú Thọ"}); "cấp tỉnh", "tỉnh ủy" name none."""
    out = set()
    for m in PROVINCE_RE.finditer(text or ""):
        words = []
        for word in m.group(1).split():
            if not word[:1].isupper():
                break
            words.append(word)
        if words:
            out.add(" ".join(words))
    return out


SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=[“\"(]?[A-ZĐÀ-Ỹ])")


def sentences(text: str) -> list[str]:
    """A đoạn's sentences: a break after ".", "!" or "?" before a capital letter."""
    return [s for s in SENTENCE_END_RE.split(text) if s.strip()]


def select_lines(text: str, sel: ProvisionRef | None) -> tuple[list[str], str, str | None]:
    """The quoted lines of a provision, or the đoạn / câu a selector names, verbatim: (lines,
    the words naming the part, e.g. "đoạn 2 ", a problem or None). A khoản's đoạn are its lines
    as quoted (quote_lines); `match` picks the đoạn holding those exact words."""
    lines = quote_lines(text)
    if sel is None or not sel.selects:
        return lines, "", None
    index: int | None = None
    if sel.match:
        want = " ".join(sel.match.split())
        index = next((i for i, line in enumerate(lines) if want in line), None)
        if index is None:
            return lines, "", f"không thấy đoạn nào có «{want}» trong nội dung quy định (cần chép đúng nguyên văn)"
    elif sel.paragraph:
        if sel.paragraph > len(lines):
            return lines, "", f"không có đoạn {sel.paragraph} (quy định có {len(lines)} đoạn)"
        index = sel.paragraph - 1
    chosen = lines if index is None else [lines[index]]
    prefix = f"đoạn {index + 1} " if index is not None and len(lines) > 1 else ""
    if sel.sentence:
        parts = sentences(" ".join(chosen))
        if sel.sentence > len(parts):
            return lines, "", f"không có câu {sel.sentence} (có {len(parts)} câu)"
        chosen, prefix = [parts[sel.sentence - 1]], f"câu {sel.sentence} {prefix}"
    return chosen, prefix, None


def assemble(spec: DraftSpec, store: Store, *, searcher=None, as_of: date | None = None,
             profile: AgencyProfile | None = None) -> AssembledDraft:
    """The draft's content. Citations are checked as of `as_of` (default: the letter's date).
    `searcher` (retrieval's Searcher) is used only for points that ask for suggestions."""
    profile = profile or load_profile(spec.profile, spec_home(spec))
    if spec.kind == "sua_doi":
        from drafting.amend import AmendAssembler  # noqa: I001  (builds on _Assembler: a local import)

        return AmendAssembler(spec, store, as_of or spec.date, searcher, profile).build()
    return _Assembler(spec, store, as_of or spec.date, searcher, profile).build()
