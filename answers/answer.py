"""Guidance answers (trả lời hướng dẫn): the provisions that answer a question, quoted and cited.

    question ─▶ search (validity at the date) ─▶ choose the provisions that answer
             ─▶ for each: verbatim quote of the wording in force, the sentences / points that
                carry the answer marked, its cross-references followed ("khoản 1 Điều này",
                "Điều 9 Nghị định này", "Mẫu số 01"), later changes (replacement, amendments,
                cấp huyện → NĐ 139/2025)
             ─▶ past letters (công văn) on the same provisions, as prior positions
             ─▶ a lead line first: the one sentence that answers, by the kind of question
                (answers.lead: who → the body, how many days → the number, what conditions →
                the list), its provision quoted first; then at most `max_quotes` quotes, the
                other provisions found listed as `related`
             ─▶ answer text: extractive by default; a language model when one is configured,
                grounded by opaque keys (answers.grounding) that never reach the user

Nothing is invented: every citation comes from a retrieved provision of the knowledge base,
and when confidence is low the answer says "Chưa tìm thấy quy định trả lời trực tiếp câu hỏi
này" and lists the nearest provisions.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_serializer

from answers.lead import Lead, find_lead, pieces
from kb import citations
from kb.institutions import InstitutionChange, short_date
from kb.lookup import provision_address, reassigning_provisions
from kb.model import Citation, CitationJSON, Status
from kb.store import CachedReads, Store
from kb.validity import (
    ValidityJSON,
    document_validity,
    provision_notes,
    provision_validity,
    reported_changes,
)
from retrieval.analysis import analyze, analyze_query
from retrieval.search import Filters, Searcher, SearchHit

NOT_FOUND = "Chưa tìm thấy quy định trả lời trực tiếp câu hỏi này"
NOT_CURRENT = "Chưa phải quy định hiện hành"
NOT_CURRENT_FACTOR = 0.5  # confidence of an answer quoting a wording since amended, text not held


class AttachedKind(StrEnum):
    """Why a provision is attached to a quoted one."""

    REFERENCE = "reference"  # the quoted text cites it (dẫn chiếu)
    FORM = "form"  # the "Mẫu số …" it names
    REPLACEMENT = "replacement"  # the document replacing a repealed one
    # who now does a task of a body abolished or merged (kb.institutions)
    DISTRICT_LEVEL = "district_level"
    REASSIGNMENT_ENDED = "reassignment_ended"  # that provision no longer applies


ATTACHED_TEXT: dict[AttachedKind, str] = {
    AttachedKind.REFERENCE: "Dẫn chiếu",
    AttachedKind.FORM: "Biểu mẫu",
    AttachedKind.REPLACEMENT: "Văn bản thay thế",
    AttachedKind.DISTRICT_LEVEL: "Cơ quan thực hiện nay",
    AttachedKind.REASSIGNMENT_ENDED: "Quy định phân định thẩm quyền không còn áp dụng",
}


class AnswerSettings(BaseModel):
    """How many provisions an answer quotes and how much it follows."""

    search_depth: int = Field(10, ge=1, le=50)
    # dev set, answerable questions with a gold Điều in the answer: 3 → 0.94, 4 → 0.96, 5 → 0.98
    # (same with the query student or e5 itself); 5 quoted Điều on average 5.2 provisions
    max_provisions: int = Field(5, ge=1, le=10)
    max_quotes: int = Field(3, ge=1, le=10)  # quoted in the answer; the other provisions are `related`
    relative_floor: float = Field(0.6, ge=0, le=1)  # keep hits scoring ≥ this share of the best
    also_clauses: int = Field(2, ge=0, le=10)  # other matching khoản of a quoted Điều, quoted too
    max_references: int = Field(4, ge=0, le=20)
    max_letters: int = Field(5, ge=0, le=20)
    mark_share: float = Field(0.8, ge=0, le=1)  # mark sentences ≥ this share of the best overlap
    max_marks: int = Field(2, ge=1, le=10)  # at most this many marked sentences a quote
    # the lead may come from a provision scoring ≥ this share of the best (dev set, first quote
    # holding a gold Điều: 0.876 before leads; 1.0 (first provision only) … 0.8 best)
    lead_share: float = Field(0.8, ge=0, le=1)


class Attached(BaseModel):
    """A provision attached to a quoted one: a cross-reference it makes, or a later change."""

    kind: AttachedKind
    citation: CitationJSON
    citation_text: str
    quote: str
    status: str
    status_text: str
    note: str = ""


class CitedProvision(BaseModel):
    """What a result says of one provision the search found (`source()`, itself not written):
    its id, citation and status at the date asked."""

    model_config = ConfigDict(serialize_by_alias=True)

    def source(self) -> SearchHit:
        raise NotImplementedError

    @computed_field
    @property
    def id(self) -> str:
        return self.source().uid

    @computed_field
    @property
    def citation(self) -> CitationJSON:
        return self.source().citation

    @computed_field
    @property
    def citation_text(self) -> str:
        return self.source().citation_text

    @computed_field
    @property
    def status(self) -> Status:
        return self.source().validity.status

    @computed_field
    @property
    def status_text(self) -> str:
        return self.source().validity.text


class FoundProvision(CitedProvision):
    """A provision the search found (`hit`, itself not written), with its title."""

    hit: SearchHit = Field(exclude=True)

    def source(self) -> SearchHit:
        return self.hit

    @computed_field
    @property
    def title(self) -> str:
        return self.hit.title


class QuotedProvision(FoundProvision):
    key: str  # opaque evidence key: the only way a language model may cite this provision
    quote: str
    marks: list[tuple[int, int]] = []  # [start, end] in `quote` of the sentences that answer
    notes: list[str] = []  # validity and what changed around the text
    reported: list[str] = Field(default_factory=list, serialization_alias="reported_changes",
                                description="a notice's summary of a change: unverified orientation, never law")
    references: list[Attached] = []
    changes: list[Attached] = []

    @computed_field
    @property
    def doc_title(self) -> str:
        return self.hit.doc_title

    @computed_field
    @property
    def validity(self) -> ValidityJSON:
        return self.hit.validity

    @computed_field
    @property
    def score(self) -> float:
        return round(self.hit.score, 4)

    @property
    def marked_text(self) -> str:
        """The marked sentences, in order (the quote itself when nothing is marked)."""
        return " … ".join(self.quote[s:e].strip() for s, e in self.marks) or self.quote


class RelatedProvision(FoundProvision):
    """A provision found but not quoted (beyond the answer's quotes)."""


class PriorLetter(BaseModel):
    doc: str
    title: str
    issued: date | None = None
    citation_text: str
    excerpt: str


class LeadLine(CitedProvision):
    """The sentence that answers, verbatim from `provision` (the first quoted; answers/lead.py)."""

    lead: Lead = Field(exclude=True)
    provision: QuotedProvision = Field(exclude=True)

    def source(self) -> SearchHit:
        return self.provision.hit

    @computed_field
    @property
    def text(self) -> str:
        return self.lead.text

    @computed_field(description="who | number | list | other: the kind of question")
    @property
    def kind(self) -> str:
        return self.lead.kind

    @computed_field(description="[start, end] in text: the body, number … that answers")
    @property
    def focus(self) -> list[int] | None:
        return list(self.lead.focus) if self.lead.focus else None

    @property
    def line(self) -> str:
        """"Theo <citation>: “<sentence>”", the status said when the wording is not in force."""
        hit = self.provision.hit
        status = "" if hit.validity.status == Status.IN_FORCE else f" ({hit.validity.text.lower()})"
        return f"Theo {hit.citation_text}{status}: “{self.lead.text}”"


class Answer(BaseModel):
    """The answer to a question: `ccn ask --json` and POST /api/ask write it."""

    question: str
    as_of: date
    answered: bool
    lead: LeadLine | None = None
    answer: str
    provisions: list[QuotedProvision]
    related: list[RelatedProvision] = []  # found, not quoted (beyond `max_quotes`)
    prior_letters: list[PriorLetter] = []
    confidence: float = Field(ge=0, le=1)
    warnings: list[str] = []
    model: str | None = None  # the language model that wrote `answer`, None when extractive

    @field_serializer("confidence")
    def _confidence(self, confidence: float) -> float:
        return round(confidence, 3)


class Answerer:
    """Composes answers from the search results; optionally words them with a language model."""

    def __init__(self, store: Store | CachedReads, searcher: Searcher, settings: AnswerSettings | None = None, llm=None):
        self.store = store
        self.searcher = searcher
        self.settings = settings or AnswerSettings()
        self.llm = llm  # answers.grounding.GroundedWriter or None

    def ask(self, question: str, as_of: date | None = None) -> Answer:
        """The answer to `question` at `as_of` (today by default)."""
        composer = Answerer(CachedReads(self.store), self.searcher, self.settings, self.llm)
        return composer._compose(question, as_of or date.today())

    def _compose(self, question: str, at: date) -> Answer:
        result = self.searcher.search(question, k=self.settings.search_depth, filters=Filters(as_of=at))
        norms = [h for h in result.hits if not self._is_letter(h)]
        chosen = self._choose(norms)
        answered = bool(chosen) and result.answered
        picked = chosen if answered else norms[: self.settings.max_provisions]
        found = [h for group in picked for h in self._clauses(group, question)]
        near = [h for h in found if h.score >= found[0].score * self.settings.lead_share] if answered else []
        lead = find_lead(question, [self._wording_at(h, at) for h in near]) if near else None
        if lead is not None:  # the provision that answers is quoted first
            found.insert(0, found.pop(found.index(near[lead.index])))
        shown, related = found[: self.settings.max_quotes], found[self.settings.max_quotes:]
        quoted = [self._quote(h, question, at) for h in shown]
        if lead is not None:
            quoted[0].marks = list(lead.spans)  # the lead's sentences are the ones marked
        letters = self._prior_letters(result.hits, quoted)
        warnings = list(dict.fromkeys(result.warnings))
        confidence = result.confidence
        stale = [q for q in quoted if q.hit.validity.status == Status.AMENDED_TEXT_MISSING]
        if answered and stale:  # the wording quoted is not the law in force: said, and trusted less
            confidence *= NOT_CURRENT_FACTOR
            note = stale[0].hit.validity.note
            warnings = [w for w in warnings if note not in w]  # the search's own notice of it
            premises = max((i + 1 for i, w in enumerate(warnings) if "hết hiệu lực" in w), default=0)
            warnings.insert(premises, f"{NOT_CURRENT}: {stale[0].hit.citation_text} — {note}")
        if lead is not None and lead.kind == "other" and _premises(warnings):
            lead = None  # "NĐ 68/2017 còn hiệu lực không": the premise corrected is the answer
        head = LeadLine(lead=lead, provision=quoted[0]) if lead is not None else None
        text = _extractive_text(quoted, warnings, head) if answered else _not_found_text(quoted)
        answer = Answer(question=question, as_of=at, answered=answered, lead=head, answer=text, provisions=quoted,
                        related=[RelatedProvision(hit=h) for h in related], prior_letters=letters,
                        confidence=confidence, warnings=warnings)
        if answered and self.llm is not None:
            self.llm.rewrite(answer)
            if answer.model is not None and head is not None:
                answer.answer = f"{head.line}\n{answer.answer}"
        return answer

    # ------------------------------------------------------------- choose
    def _is_letter(self, hit: SearchHit) -> bool:
        meta = self.searcher.meta.get(hit.uid)
        return meta is not None and meta.doc_class == "admin"

    def _choose(self, hits: list[SearchHit]) -> list[SearchHit]:
        if not hits:
            return []
        floor = hits[0].score * self.settings.relative_floor
        return [h for h in hits if h.score >= floor][: self.settings.max_provisions]

    def _clauses(self, hit: SearchHit, question: str) -> list[SearchHit]:
        """A Điều's best matching clause, then its other matching clauses (`also`), each on its own."""
        out = [hit]
        best = overlap(hit.text, question)
        for citation in hit.also[: self.settings.also_clauses]:
            row = self.store.provision(citation)
            if row is not None and row.pid != hit.uid and overlap(row.text, question) >= best * 0.8:
                text = citations.render(citation, _doc_type(self.store, citation))
                out.append(hit.model_copy(update={"uid": row.pid, "citation": citation, "text": row.text,
                                                  "also": [], "marks": [], "citation_text": text}))
        return out

    # -------------------------------------------------------------- quote
    def _quote(self, hit: SearchHit, question: str, at: date) -> QuotedProvision:
        quote = self._wording_at(hit, at)
        marks = mark_answer(quote, question, self.settings.mark_share)[: self.settings.max_marks]
        quoted = QuotedProvision(key=evidence_key(hit.uid), hit=hit, quote=quote, marks=marks)
        quoted.references = self._references(hit, quote, at)
        quoted.changes = self._replacements(hit, at) + self._reassignments(hit, quote, at)
        quoted.notes, quoted.reported = self._notes(hit, quote, at)
        return quoted

    def _wording_at(self, hit: SearchHit, at: date) -> str:
        """The provision's wording in force at `at` (the unit text unless an amendment changed it)."""
        row = self.store.provision_by_pid(hit.uid)
        if row is None:
            return hit.text
        _, version, _ = provision_validity(self.store, row, at)
        return hit.text if version.text == row.text else version.text

    def _notes(self, hit: SearchHit, quote: str, at: date) -> tuple[list[str], list[str]]:
        """The quote's notes (its validity, bodies renamed, a coming end …) and, when it was
        amended by a text not held, what a notice reports of the change, labelled unverified."""
        row = self.store.provision_by_pid(hit.uid)
        if row is None:
            return list(hit.notes), []
        _, version, _ = provision_validity(self.store, row, at)
        notes = list(dict.fromkeys(hit.notes + provision_notes(self.store, row, quote, at)))
        reported = reported_changes(self.store, version.source_doc, hit.citation) if version.text_missing else []
        return notes, reported

    def _references(self, hit: SearchHit, quote: str, at: date) -> list[Attached]:
        out: list[Attached] = []
        seen = {hit.citation, _article_of(hit.citation)}
        for mention in citations.find_citations(quote):
            for target in citations.resolve_relative(mention, hit.citation):
                if target in seen or not target.doc or (target.article is None and target.annex is None):
                    continue
                seen.add(target)
                if (row := self.store.provision(target)) is not None:
                    out.append(self._attach(AttachedKind.REFERENCE, row, at))
            out.extend(self._forms(hit.citation.doc, mention.forms, at, seen))
        return out[: self.settings.max_references]

    def _forms(self, doc: str | None, forms: list[str], at: date, seen: set) -> list[Attached]:
        """"Mẫu số 01 …": the annex block of the same document holding that form."""
        out = []
        for form in forms:
            row = self._form_row(doc, form)
            if row is None:
                continue
            target = Citation(doc, row.part, row.annex, row.article, row.clause, row.point)
            if target in seen:
                continue
            seen.add(target)
            out.append(self._attach(AttachedKind.FORM, row, at, note=f"Mẫu số {form}"))
        return out

    def _form_row(self, doc: str | None, form: str):
        document = self.store.document(doc) if doc else None
        if document is None:
            return None
        pattern = re.compile(rf"Mẫu\s+(?:số\s+)?{re.escape(form)}\b", re.IGNORECASE)
        annex_rows = [r for r in self.store.provisions(document.key) if r.annex is not None]
        return next((r for r in annex_rows if pattern.search(r.title or "") or pattern.search(r.text[:300])), None)

    def _attach(self, kind: AttachedKind, row, at: date, note: str = "") -> Attached:
        address, doc_type = provision_address(self.store, row)
        validity, version, _ = provision_validity(self.store, row, at)
        return Attached(kind=kind, citation=address, citation_text=citations.render(address, doc_type),
                        quote=version.text, status=validity.status.value, status_text=validity.text, note=note)

    # ------------------------------------------------------------ changes
    def _replacements(self, hit: SearchHit, at: date) -> list[Attached]:
        """A repealed document's replacement, named (its provisions are searched, not guessed)."""
        out = []
        for number in hit.validity.replaced_by:
            doc = self.store.document(number)
            if doc is None:
                continue
            target = Citation(doc.number or number)
            title = doc.title or doc.subject or ""
            validity = document_validity(self.store, doc.key, at)
            out.append(Attached(kind=AttachedKind.REPLACEMENT, citation=target,
                                citation_text=citations.render(target, doc.doc_type), quote=title,
                                status=validity.status.value, status_text=validity.text,
                                note=f"{hit.citation.doc} được thay thế bởi {number}"))
        return out

    def _reassignments(self, hit: SearchHit, quote: str, at: date) -> list[Attached]:
        """A task of a body abolished or merged (kb.institutions: cấp huyện from 01/7/2025),
        asked about after the change: the provisions now deciding who does it, and those that
        did but no longer apply (Điều 12 NĐ 139/2025 after 15/9/2026), said so."""
        out: dict[Citation, Attached] = {}
        for change in self.searcher.institutions:
            if not change.applies(at) or not change.named_in(quote):
                continue
            for row, validity in reassigning_provisions(self.store, hit.citation, change, at):
                attached = self._reassigned(change, row, validity, at)
                out.setdefault(attached.citation, attached)
        return list(out.values())[: self.settings.max_references]

    def _reassigned(self, change: InstitutionChange, row, validity, at: date) -> Attached:
        moved = change.note_text() if change.how != "abolished" else \
            f"Từ {short_date(change.since)} không còn {change.old}" if change.since else change.note_text()
        if validity.status == Status.IN_FORCE:
            return self._attach(AttachedKind.DISTRICT_LEVEL, row, at, note=f"{moved}; thẩm quyền theo quy định này")
        return self._attach(AttachedKind.REASSIGNMENT_ENDED, row, at,
                            note=f"{moved}; quy định phân định thẩm quyền sau đây không còn áp dụng — {validity.note}")

    # ------------------------------------------------------------ letters
    def _prior_letters(self, hits: list[SearchHit], quoted: list[QuotedProvision]) -> list[PriorLetter]:
        """Công văn in the knowledge base on the same question or citing the quoted provisions."""
        letters: dict[str, PriorLetter] = {}
        for hit in hits:
            if self._is_letter(hit):
                letters.setdefault(hit.citation.doc or hit.uid, self._letter(hit.citation.doc, hit.text))
        for q in quoted:
            for rel in self.store.relations(to_doc=q.hit.citation.doc or ""):
                if rel.to_article != q.hit.citation.article or rel.from_doc in letters:
                    continue
                doc = self.store.document(rel.from_doc)
                if doc is not None and doc.doc_class == "admin":
                    letters[rel.from_doc] = self._letter(rel.from_doc, rel.evidence or "")
        unique: dict[tuple, PriorLetter] = {}  # one letter read from both its .docx and .txt
        for letter in letters.values():
            if letter is not None:
                unique.setdefault((letter.title, letter.issued), letter)
        return list(unique.values())[: self.settings.max_letters]

    def _letter(self, number: str | None, excerpt: str) -> PriorLetter | None:
        doc = self.store.document(number) if number else None
        if doc is None:
            return None
        number = doc.number or doc.key
        return PriorLetter(doc=number, title=doc.subject or doc.title or "", issued=doc.issued,
                           citation_text=citations.render(Citation(number), doc.doc_type),
                           excerpt=_clip(excerpt, 400))


# ------------------------------------------------------------------- helpers
def evidence_key(uid: str) -> str:
    """An opaque, stable key for a retrieved provision (nothing a model could guess or recall)."""
    return "ev-" + hashlib.sha1(uid.encode("utf-8")).hexdigest()[:6]


def mark_answer(text: str, question: str, share: float = 0.5) -> list[tuple[int, int]]:
    """Spans of the sentences / points of `text` that carry the answer: those sharing the most
    words and word pairs with the question (at least `share` of the best one's overlap)."""
    wanted = set(analyze_query(question))
    if not wanted:
        return []
    spans = pieces(text)
    overlaps = [_shared(wanted, text[s:e]) for s, e in spans]
    best = max(overlaps, default=0)
    if best == 0:
        return []
    return [span for span, o in zip(spans, overlaps, strict=True) if o >= best * share and o > 0]


def overlap(text: str, question: str) -> int:
    """How many of the question's words and word pairs the text shares."""
    return _shared(set(analyze_query(question)), text)


def _shared(wanted: set[str], text: str) -> int:
    return len(wanted & set(analyze(text)))


def _article_of(c: Citation) -> Citation:
    return Citation(c.doc, c.part, c.annex, c.article)


def _doc_type(store: Store, citation: Citation) -> str | None:
    doc = store.document(citation.doc) if citation.doc else None
    return doc.doc_type if doc else None


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


def _premises(warnings: list[str]) -> list[str]:
    """The warnings that correct the question's premise (a repealed text named in it, a wording
    not in force): said in the answer text, after the lead line."""
    return [w for w in warnings if "hết hiệu lực" in w or w.startswith(NOT_CURRENT)]


def _extractive_text(quoted: list[QuotedProvision], warnings: list[str], lead: LeadLine | None = None) -> str:
    """The answer without a language model: the lead line, what the question's own premises
    need corrected (a repealed decree named in it), then each provision's marked sentences, cited."""
    lines = [lead.line] if lead is not None else []
    lines += [f"Lưu ý: {w}" for w in _premises(warnings)]
    for q in quoted:
        status = q.hit.validity.text.lower()
        lines.append(f"Theo {q.hit.citation_text} ({status}): “{_clip(q.marked_text, 900)}”")
        lines.extend(f"– {note}." for note in q.notes)
        lines.extend(f"– {item}." for item in q.reported)
        for change in q.changes:
            if change.kind == AttachedKind.REPLACEMENT:
                lines.append(f"– {change.note}; trả lời theo văn bản thay thế.")
            else:
                lines.append(f"– {change.note}: {change.citation_text}.")
    return "\n".join(lines)


def _not_found_text(quoted: list[QuotedProvision]) -> str:
    if not quoted:
        return f"{NOT_FOUND}; kho dữ liệu không có quy định gần với câu hỏi."
    nearest = "; ".join(q.hit.citation_text for q in quoted)
    return f"{NOT_FOUND}. Các quy định gần nhất (cần chuyên viên xem xét): {nearest}."
