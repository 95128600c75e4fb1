"""Comparable provisions side by side (so sánh quy định tương ứng): `ccn compare`, GET /api/compare.

Three comparisons, each a list of pairs with word-level differences marked:
- `documents`: a provision of the national decree (Nghị định 32/2024/NĐ-CP) and its counterparts
  in each provincial text (Quy chế of a Quyết định of Ủy ban nhân dân tỉnh) in the knowledge base.
  A counterpart is found first by an explicit reference ("theo quy định tại khoản 2 Điều 12
  Nghị định số 32/2024/NĐ-CP": the `cites` relations kb/citations read at ingestion), then,
  where the provincial text has none, by similarity (cosine of the search analyser's tokens,
  retrieval/analysis.py). Each pair says which (`basis`, `score`).
- `versions`: the wordings of one provision over time (kb.validity.provision_history).
- `competence`: a task of a body abolished (cấp huyện, from 01/7/2025: kb.institutions) and the
  provision now assigning it (Điều 11, 12 NĐ 139/2025, found by its reference to the task).

The texts are quoted verbatim in the wording in force at the date; nothing is rewritten.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from datetime import date, timedelta
from difflib import SequenceMatcher
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from kb import citations
from kb.institutions import InstitutionChange, institution_changes, short_date
from kb.lookup import reassigning_provisions, resolve_citation
from kb.model import Citation, Kind, nfc
from kb.records import ProvisionRecord
from kb.store import Store
from kb.validity import provision_history, provision_validity
from retrieval.analysis import analyze

NATIONAL = "32/2024/NĐ-CP"  # the decree every provincial Quy chế implements
SIMILARITY_THRESHOLD = 0.3  # below this cosine a provincial provision is not a counterpart
MAX_ANCHORS = 6  # provisions compared for one subject
MAX_SIMILAR = 1  # counterparts by similarity per anchor and document
SIMILARITY_EVIDENCE = "tương đồng về từ ngữ: cosin trên âm tiết và cặp âm tiết (bộ phân tích của tìm kiếm)"

Op = Literal["equal", "delete", "insert"]


class PairKind(StrEnum):
    """Which comparison a pair belongs to (the three of the module's docstring)."""

    DOCUMENTS = "documents"
    VERSIONS = "versions"
    COMPETENCE = "competence"


PAIR_KIND_TEXT: dict[PairKind, str] = {
    PairKind.DOCUMENTS: "Giữa các văn bản",
    PairKind.VERSIONS: "Qua các thời kỳ",
    PairKind.COMPETENCE: "Thẩm quyền trước và sau",
}


class PairBasis(StrEnum):
    """How the two sides of a pair were matched."""

    REFERENCE = "reference"  # the provincial provision cites the national one
    SIMILARITY = "similarity"  # their wording is alike (`score`)
    VERSION = "version"  # two wordings of one provision


PAIR_BASIS_TEXT: dict[PairBasis, str] = {  # the page adds the score to the first two
    PairBasis.REFERENCE: "Ghép theo dẫn chiếu",
    PairBasis.SIMILARITY: "Ghép theo mức tương đồng",
    PairBasis.VERSION: "Phiên bản của cùng quy định",
}


class Segment(BaseModel):
    """A run of syllables: the same on both sides, or only on this side."""

    op: Op
    text: str


class Side(BaseModel):
    """One column of a pair: a provision (or a version of it) quoted verbatim."""

    id: str | None = None
    column: str  # the column heading: "Nghị định số 32/2024/NĐ-CP", "Từ 15/9/2026" …
    doc: str
    citation: dict
    citation_text: str
    title: str = ""  # the Điều's title
    text: str
    valid_from: str | None = None
    valid_to: str | None = None
    status: str | None = None
    status_text: str = ""
    note: str = ""
    segments: list[Segment] = Field(default_factory=list)


class Pair(BaseModel):
    kind: PairKind
    basis: PairBasis
    score: float  # the cosine of the two texts (for a version or a competence pair: 1.0)
    evidence: str = ""  # the reference as written, or what the similarity rests on
    left: Side
    right: Side
    competence: dict | None = None  # {"before", "after", "since", "note"} for a competence pair
    changed: bool  # the two texts differ in at least one syllable


class CompareResult(BaseModel):
    """`ccn compare --json` and the response of GET /api/compare."""

    query: str
    as_of: str
    anchors: list[str]  # the provisions compared, canonical citations
    documents: list[str]  # the documents whose provisions were looked at
    pairs: list[Pair]
    warnings: list[str] = Field(default_factory=list)


class CompareError(ValueError):
    """The query names nothing the knowledge base holds: a message for the user."""


# ------------------------------------------------------------------ entry point
def compare(store: Store, query: str, at: date, *, docs: list[str] | None = None,
            searcher=None) -> CompareResult:
    """Align the provisions on `query` (a citation, or a subject found with `searcher`: a
    Searcher or a function opening one) across the national decree and the provincial texts
    (or `docs`, the first being where a subject is looked for), over time, and across NĐ 139."""
    warnings: list[str] = []
    numbers = _documents(store, docs, warnings)
    anchors = _anchors(store, query, numbers, at, searcher, warnings)
    if not anchors:
        raise CompareError(f"không tìm thấy quy định nào về «{query}» trong kho dữ liệu")
    others = [n for n in numbers if n != _doc_number(store, anchors[0])]
    pairs: list[Pair] = []
    for anchor in anchors:
        for number in others:
            pairs.extend(_counterparts(store, anchor, number, at))
        pairs.extend(_versions(store, anchor))
        pairs.extend(_competence(store, anchor, at))
    if not any(p.kind == PairKind.DOCUMENTS for p in pairs) and others:
        warnings.append("không có quy định tương ứng trong: " + ", ".join(others))
    return CompareResult(query=query, as_of=at.isoformat(),
                         anchors=[_side(store, a, at, "").citation_text for a in anchors],
                         documents=numbers, pairs=pairs, warnings=warnings)


def _documents(store: Store, docs: list[str] | None, warnings: list[str]) -> list[str]:
    """The documents compared: those asked for, else the national decree and every provincial
    text implementing it (a norm of an Ủy ban nhân dân that cites it)."""
    if docs:
        out = []
        for ref in docs:
            number = _document_number(store, ref)
            if number is None:
                raise CompareError(f"không có văn bản «{ref}» trong kho dữ liệu")
            out.append(number)
        return out
    if store.document(NATIONAL) is None:
        return []  # a cited provision is still compared over time and across NĐ 139
    return [NATIONAL] + provincial_texts(store, NATIONAL)


def provincial_texts(store: Store, national: str) -> list[str]:
    """Provincial legal texts citing `national`: Lào Cai's Quy chế today, any a user adds."""
    citing = {r.from_doc for r in store.relations(to_doc=national) if r.kind in ("cites", "based_on")}
    out = []
    for key in sorted(citing):
        doc = store.document(key)
        if doc is not None and not doc.is_stub and doc.doc_class == "norm" \
                and (doc.issuer or "").startswith("Ủy ban nhân dân"):
            out.append(doc.number or key)
    return out


def _document_number(store: Store, ref: str) -> str | None:
    doc = store.document(ref) or store.document(citations.normalize_number(ref))
    if doc is not None:
        return doc.number or doc.key
    found = citations.match_partial(ref, store.known_numbers())
    return found[0] if len(found) == 1 else None


def _doc_number(store: Store, row: ProvisionRecord) -> str:
    doc = store.document(row.doc_key)
    return (doc.number if doc else None) or row.doc_key


# ------------------------------------------------------------------ anchors
def _anchors(store: Store, query: str, numbers: list[str], at: date, searcher,
             warnings: list[str]) -> list[ProvisionRecord]:
    """The provisions the query names (a citation), or those the search finds on the subject
    in the first document (the national decree)."""
    if citations.find_query_citations(query):
        address, notes = resolve_citation(store, query)
        warnings.extend(notes)
        if address is not None and address.doc and (address.article is not None or address.annex is not None):
            row = store.provision(address)
            if row is None:
                raise CompareError(f"không có {citations.render(address)} trong kho dữ liệu")
            return _clauses(store, row)
    if callable(searcher) and not hasattr(searcher, "search"):
        searcher = searcher()  # a factory: the indexes are loaded only for a subject
    if not numbers:
        raise CompareError(f"kho dữ liệu chưa có Nghị định số {NATIONAL}; hãy nêu văn bản cần so sánh (--docs)")
    if searcher is None:
        raise CompareError(f"«{query}» không phải một trích dẫn; cần chỉ mục tìm kiếm để tìm theo chủ đề")
    from retrieval.search import Filters

    result = searcher.search(query, k=3, filters=Filters(as_of=at, doc=numbers[0]))
    warnings.extend(result.warnings)
    rows: list[ProvisionRecord] = []
    for hit in result.hits[:1]:
        for c in [hit.citation] + list(hit.also):
            row = store.provision(c.with_doc(store.document(c.doc).key if store.document(c.doc) else c.doc))
            if row is not None and row.pid not in {r.pid for r in rows}:
                rows.append(row)
    return rows[:MAX_ANCHORS]


def _clauses(store: Store, row: ProvisionRecord) -> list[ProvisionRecord]:
    """A Điều is compared khoản by khoản (a provincial text cites and restates khoản); a Điều
    without khoản, a khoản or a điểm as it is."""
    if row.kind != Kind.ARTICLE.value:
        return [row]
    clauses = [r for r in store.provisions(row.doc_key, kind=Kind.CLAUSE.value) if r.parent_pid == row.pid]
    return clauses[:MAX_ANCHORS * 2] or [row]


# ------------------------------------------------------------------ documents
def _counterparts(store: Store, anchor: ProvisionRecord, number: str, at: date) -> list[Pair]:
    """The provisions of `number` that refer to `anchor` (or that `anchor` refers to); failing
    any, the most similar one."""
    doc = store.document(number)
    if doc is None:
        return []
    found = _referring(store, anchor, doc.key)
    if found:
        return [_pair(store, PairBasis.REFERENCE, _similarity(anchor, row), evidence, anchor, row, at)
                for row, evidence in found]
    return [_pair(store, PairBasis.SIMILARITY, score, SIMILARITY_EVIDENCE, anchor, row, at)
            for row, score in _similar(store, anchor, doc.key)]


def _referring(store: Store, anchor: ProvisionRecord, other_key: str) -> list[tuple[ProvisionRecord, str]]:
    """Explicit references between the anchor and the other document, in both directions: the
    exact khoản cited first; a citation of the whole Điều only when none cites the khoản."""
    a_number = _doc_number(store, anchor)
    exact, whole = [], []
    for rel in store.relations(to_doc=a_number):
        if rel.kind != "cites" or rel.from_doc != other_key or not rel.from_pid:
            continue
        if (rel.to_part, rel.to_annex, rel.to_article) != (anchor.part, anchor.annex, anchor.article):
            continue
        if anchor.clause is not None and rel.to_clause == anchor.clause:
            exact.append(rel)
        elif rel.to_clause is None or anchor.clause is None:
            whole.append(rel)
    inside = _subtree(store, anchor)
    own = [rel for rel in store.relations(from_doc=anchor.doc_key) if rel.kind == "cites"
           and rel.from_pid in inside and store.document(rel.to_doc) is not None
           and store.document(rel.to_doc).key == other_key]
    out: dict[str, tuple[ProvisionRecord, str]] = {}
    for rel in exact or whole:
        row = store.provision_by_pid(rel.from_pid)
        if row is not None:
            out.setdefault(row.pid, (row, rel.evidence or ""))
    for rel in own:
        target = Citation(other_key, rel.to_part, rel.to_annex, rel.to_article, rel.to_clause, rel.to_point)
        row = store.provision(target) if target.article is not None else None
        if row is not None:
            out.setdefault(row.pid, (row, rel.evidence or ""))
    return list(out.values())


def _subtree(store: Store, row: ProvisionRecord) -> set[str]:
    """The provision and every provision below it: a khoản cites through its điểm."""
    inside = {row.pid}
    for r in store.provisions(row.doc_key):  # document order: parents come before children
        if r.parent_pid in inside:
            inside.add(r.pid)
    return inside


def _similar(store: Store, anchor: ProvisionRecord, other_key: str) -> list[tuple[ProvisionRecord, float]]:
    """The other document's provisions closest in wording to the anchor (khoản, điểm, and Điều
    without khoản), above SIMILARITY_THRESHOLD."""
    query = _bag(anchor.text)
    scored = []
    for row in store.provisions(other_key):
        if row.kind not in (Kind.CLAUSE.value, Kind.POINT.value, Kind.ARTICLE.value) or not row.text:
            continue
        if anchor.part is None and row.part is None and row.doc_key == anchor.doc_key:
            continue
        scored.append((row, _cosine(query, _bag(row.text))))
    scored.sort(key=lambda item: -item[1])
    return [(row, round(score, 3)) for row, score in scored[:MAX_SIMILAR] if score >= SIMILARITY_THRESHOLD]


def _similarity(a: ProvisionRecord, b: ProvisionRecord) -> float:
    return round(_cosine(_bag(a.text), _bag(b.text)), 3)


def _bag(text: str) -> Counter:
    """The search analyser's tokens (syllables and adjacent pairs), without the accent-folded
    twins: what similarity is measured on."""
    return Counter(t for t in analyze(text) if not t.startswith("~"))


def _cosine(a: Counter, b: Counter) -> float:
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


# ------------------------------------------------------------------ versions over time
def _versions(store: Store, anchor: ProvisionRecord) -> list[Pair]:
    """Each wording of the provision against the next (a text amended without its wording held
    is shown as the old wording, labelled)."""
    versions, _ = provision_history(store, anchor)
    out = []
    for old, new in zip(versions, versions[1:], strict=False):
        left = _side(store, anchor, old.valid_from or date.min, _from_label(old.valid_from, old.source_doc))
        right = _side(store, anchor, new.valid_from or date.max, _from_label(new.valid_from, new.source_doc))
        left.text, right.text = old.text, new.text
        left.valid_from, left.valid_to = _iso(old.valid_from), _iso(old.valid_to)
        right.valid_from, right.valid_to = _iso(new.valid_from), _iso(new.valid_to)
        right.note = new.statement or new.note
        out.append(_marked(Pair(kind=PairKind.VERSIONS, basis=PairBasis.VERSION, score=1.0, evidence=new.note,
                                left=left, right=right, changed=False)))
    return out


def _from_label(when: date | None, source: str) -> str:
    return f"Từ {short_date(when)} ({source})" if when else f"Văn bản gốc ({source})"


# ------------------------------------------------------------------ competence (NĐ 139/2025)
ACTOR = re.compile(r"(?:Chủ tịch\s+)?(?:Ủy|Uỷ) ban nhân dân\s+cấp\s+(?:huyện|xã|tỉnh)", re.IGNORECASE)
# the body a reassigning provision gives the task: "… do Ủy ban nhân dân cấp xã thực hiện",
# "Ủy ban nhân dân cấp tỉnh quyết định thực hiện …"
DOER = re.compile(rf"({ACTOR.pattern})\s+(?:thực hiện|quyết định)", re.IGNORECASE)


def _competence(store: Store, anchor: ProvisionRecord, at: date) -> list[Pair]:
    """A task the anchor gives a body since abolished, before the change, against the provision
    that says who does it after (it cites the anchor: the pairing is by reference)."""
    out = []
    for change in institution_changes(store):
        if change.since is None or not (change.named_in(anchor.text) or change.named_in(_title(store, anchor))):
            continue  # a khoản of "Điều 34. Quyền hạn, trách nhiệm của Ủy ban nhân dân cấp huyện" too
        when = max(at, change.since)
        address = Citation(_doc_number(store, anchor), anchor.part, anchor.annex, anchor.article,
                           anchor.clause, anchor.point)
        for row, validity in reassigning_provisions(store, address, change, when):
            out.append(_competence_pair(store, anchor, row, change, when, validity.note))
    return out


def _competence_pair(store: Store, anchor: ProvisionRecord, row: ProvisionRecord, change: InstitutionChange,
                     when: date, validity_note: str) -> Pair:
    before_day = change.since - timedelta(days=1)
    left = _side(store, anchor, before_day, f"Đến {short_date(before_day)}")
    right = _side(store, row, when, f"Từ {short_date(change.since)}")
    before, after = _actor(f"{left.title}\n{left.text}", change.old), _doer(right.text)
    left.segments = _highlight(left.text, before, "delete")
    right.segments = _highlight(right.text, after, "insert")
    note = change.note_text() if change.how != "abolished" else f"Từ {short_date(change.since)} không còn {change.old}"
    if validity_note:
        note += f"; {validity_note}"
    return Pair(kind=PairKind.COMPETENCE, basis=PairBasis.REFERENCE, score=1.0,
                evidence=f"{right.citation_text} dẫn chiếu {left.citation_text}", left=left, right=right,
                competence={"before": before, "after": after, "since": change.since.isoformat(), "note": note},
                changed=True)


def _actor(text: str, old: str) -> str:
    """The body of the old level the text (or its Điều's title) names, else the level itself."""
    for m in ACTOR.finditer(text):
        if old.lower() in m.group(0).lower():
            return m.group(0)
    return old


def _doer(text: str) -> str:
    """The body the reassigning provision says does the task, else the first it names."""
    found = DOER.search(text) or ACTOR.search(text.split("\n", 1)[-1]) or ACTOR.search(text)
    return found.group(1) if found and found.re is DOER else found.group(0) if found else ""


def _highlight(text: str, phrase: str, op: Op) -> list[Segment]:
    """The text with only `phrase` marked: the body that does the task."""
    if not phrase or phrase not in text:
        return [Segment(op="equal", text=text)]
    out: list[Segment] = []
    for i, piece in enumerate(text.split(phrase)):
        if i:
            out.append(Segment(op=op, text=phrase))
        if piece:
            out.append(Segment(op="equal", text=piece))
    return out


# ------------------------------------------------------------------ sides and differences
def _pair(store: Store, basis: PairBasis, score: float, evidence: str, anchor: ProvisionRecord, row: ProvisionRecord,
          at: date) -> Pair:
    left = _side(store, anchor, at, _column(store, anchor))
    right = _side(store, row, at, _column(store, row))
    return _marked(Pair(kind=PairKind.DOCUMENTS, basis=basis, score=score, evidence=evidence, left=left, right=right,
                        changed=False))


def _column(store: Store, row: ProvisionRecord) -> str:
    """The column heading: the document, or the regulation attached to it ("Quy chế ban hành
    kèm theo Quyết định số 16/2026/QĐ-UBND"), never the decision for its Quy chế."""
    doc = store.document(row.doc_key)
    return citations.render(Citation(_doc_number(store, row), row.part), doc.doc_type if doc else None)


def _side(store: Store, row: ProvisionRecord, at: date, column: str) -> Side:
    doc = store.document(row.doc_key)
    doc_type = doc.doc_type if doc else None
    address = Citation(_doc_number(store, row), row.part, row.annex, row.article, row.clause, row.point)
    validity, version, _ = provision_validity(store, row, at)
    return Side(id=row.pid, column=column, doc=address.doc or "", citation=address.to_dict(),
                citation_text=citations.render(address, doc_type), title=_title(store, row),
                text=version.text, valid_from=_iso(version.valid_from), valid_to=_iso(version.valid_to),
                status=validity.status.value, status_text=validity.text, note=validity.note or "")


def _title(store: Store, row: ProvisionRecord) -> str:
    """The provision's title, else its Điều's (a khoản has none of its own)."""
    if row.title or row.article is None:
        return row.title or ""
    article = store.provision(Citation(row.doc_key, row.part, row.annex, row.article),
                              kind=Kind.ARTICLE.value)
    return (article.title or "") if article is not None else ""


def _marked(pair: Pair) -> Pair:
    pair.left.segments, pair.right.segments = word_diff(pair.left.text, pair.right.text)
    pair.changed = any(s.op != "equal" for s in pair.left.segments + pair.right.segments)
    return pair


def word_diff(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    """Syllable-level differences (difflib over whitespace-separated syllables, compared after
    NFC, in lower case, "uỷ"/"ủy" unified): the left side's segments (equal or deleted) and the
    right side's (equal or inserted); each side keeps its own spelling."""
    a, b = _syllables(old), _syllables(new)
    matcher = SequenceMatcher(None, [_key(t) for t in a], [_key(t) for t in b], autojunk=False)
    left: list[Segment] = []
    right: list[Segment] = []
    for same, old_part, new_part in _cleaned(matcher.get_opcodes(), a, b):
        _append(left, "equal" if same else "delete", old_part)
        _append(right, "equal" if same else "insert", new_part)
    return _spaced(left), _spaced(right)


MIN_EQUAL = 3  # a shorter common run between two changes is shown as changed: easier to read


def _cleaned(opcodes, a: list[str], b: list[str]) -> list[tuple[bool, list[str], list[str]]]:
    """Opcodes as (same, old syllables, new syllables), a stray common word or two between
    changes ("đầu", "hợp" inside rewritten sentences) folded into the change around it."""
    chunks: list[tuple[bool, list[str], list[str]]] = []
    last = len(opcodes) - 1
    for n, (op, i1, i2, j1, j2) in enumerate(opcodes):
        same = op == "equal" and (i2 - i1 >= MIN_EQUAL or n in (0, last))
        if chunks and not same and not chunks[-1][0]:
            chunks[-1][1].extend(a[i1:i2])
            chunks[-1][2].extend(b[j1:j2])
        else:
            chunks.append((same, a[i1:i2], b[j1:j2]))
    return chunks


def _spaced(segments: list[Segment]) -> list[Segment]:
    """The space between two segments goes at the start of the second: their texts then
    concatenate to the side's text."""
    for prev, seg in zip(segments, segments[1:], strict=False):
        if not prev.text.endswith("\n") and not seg.text.startswith("\n"):
            seg.text = " " + seg.text
    return segments


def _syllables(text: str) -> list[str]:
    """Syllables (with their punctuation) and line breaks, which are kept so a khoản still
    starts on its own line."""
    return re.findall(r"\n|[^\s]+", nfc(text).strip())


def _join(tokens: list[str]) -> str:
    return re.sub(r" ?\n ?", "\n", " ".join(tokens))


def _key(token: str) -> str:
    return token.lower().replace("uỷ", "ủy")


def _append(segments: list[Segment], op: Op, tokens: list[str]) -> None:
    """Consecutive syllables of one kind make one segment."""
    if not tokens:
        return
    if all(t == "\n" for t in tokens):
        op = "equal"  # a line break is layout, not wording
    if segments and segments[-1].op == op:
        segments[-1].text = _join([segments[-1].text, *tokens])
    else:
        segments.append(Segment(op=op, text=_join(tokens)))


def _iso(when: date | None) -> str | None:
    return when.isoformat() if when and when not in (date.min, date.max) else None


# ------------------------------------------------------------------ plain text
def marked_text(segments: list[Segment]) -> str:
    """Segments as text for a terminal: deletions [-…-], insertions {+…+}."""
    marks = {"equal": "{}", "delete": "[-{}-]", "insert": "{{+{}+}}"}
    return "".join(s.text[: len(s.text) - len(s.text.lstrip())] + marks[s.op].format(s.text.lstrip())
                   for s in segments)


def format_compare(result: CompareResult) -> str:
    """`ccn compare` without --json: each pair, its basis, both sides with differences marked."""
    lines = [f"So sánh: {result.query} (ngày {result.as_of})", "Quy định: " + "; ".join(result.anchors), ""]
    for i, pair in enumerate(result.pairs, 1):
        basis = {PairBasis.REFERENCE: "dẫn chiếu", PairBasis.SIMILARITY: f"tương đồng {pair.score:.2f}",
                 PairBasis.VERSION: "phiên bản"}[pair.basis]
        lines.append(f"{i}. [{PAIR_KIND_TEXT[pair.kind]}; căn cứ ghép: {basis}] {pair.left.citation_text} ↔ {pair.right.citation_text}")
        if pair.competence:
            lines.append(f"   Thẩm quyền: {pair.competence['before']} → {pair.competence['after']} ({pair.competence['note']})")
        for side in (pair.left, pair.right):
            lines.append(f"   — {side.column}: {marked_text(side.segments)}")
        lines.append("")
    lines.extend(f"Lưu ý: {w}" for w in result.warnings)
    return "\n".join(lines).rstrip()
