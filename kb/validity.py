"""Validity (hiệu lực) of a document and of a provision at any date, derived from relations.

Nothing here is stored: it is computed from the documents' effective dates and the relations
the texts state (thay thế, bãi bỏ, "hết hiệu lực kể từ …", sửa đổi bổ sung), so adding an
amending or repealing document changes the answer for every date from its own.

Sources, strongest first: a relation a text states; one its source's front matter or metadata
table states (each relation keeps its confidence and evidence); an inference from other texts
(a later Luật of the same name cited in force; the document a guiding text details has ended);
last a crawl-time label ("Trạng thái: Còn hiệu lực"), which is evidence with a date, never a
verdict: a status resting only on it is "chưa xác định", "theo nhãn của nguồn, chưa xác minh".
A Pháp điển compilation its own manifest marks as not updated certifies nothing either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Annotated

from pydantic import PlainSerializer, WithJsonSchema
from sqlalchemy import select

from kb import citations, schema
from kb.citations import find_citations
from kb.institutions import institution_changes, institution_notes, short_date
from kb.model import (
    FROM_SIGNING_UNDATED,
    STALE_COMPILATION,
    STATUS_TEXT,
    Citation,
    Confidence,
    RelationKind,
    Status,
)
from kb.records import DocumentRecord, ProvisionRecord, RelationRecord
from kb.store import Store
from kb.wording import replace_words, word_replacement

ENDING = (RelationKind.REPLACES.value, RelationKind.REPEALS.value)
LABEL_ONLY = "theo nhãn của nguồn, chưa xác minh"
METADATA_EFFECTIVE = "theo thông tin văn bản"  # effective_note of a date read from metadata only
VALIDITY_LABEL_RE = re.compile(r"hiệu lực|hết hạn|bãi bỏ|thay thế", re.IGNORECASE)
LABEL_DATE_KEYS = ("lastedit", "last_modified_at", "modified", "lastmod", "crawl_date", "ngay_cap_nhat", "ngaycn")
LAW_NAME_RE = re.compile(r"Luật\s+(?!số\b|sửa đổi)([^\d;,()“”\"]{2,80}?)\s+(?:năm\s+\d{4}\s+)?(?:là\s+Luật\s+)?(?:số\s+)?(\d+/\d{4}/QH\d+)")
GUIDES_RE = re.compile(r"hướng dẫn|quy định chi tiết", re.IGNORECASE)


@dataclass
class Validity:
    status: Status
    since: date | None = None  # from when the status holds
    replaced_by: list[str] = field(default_factory=list)
    note: str = ""
    evidence: list[dict] = field(default_factory=list)  # what the status rests on, strongest first

    @property
    def text(self) -> str:
        return STATUS_TEXT[self.status]

    def to_dict(self) -> dict:
        return {
            "status": self.status.value,
            "status_text": self.text,
            "since": self.since.isoformat() if self.since else None,
            "replaced_by": self.replaced_by,
            "note": self.note,
            "evidence": self.evidence,
        }



# A Validity inside a pydantic result: the object `to_dict` writes (status, status_text, since,
# replaced_by, note, evidence).
ValidityJSON = Annotated[Validity, PlainSerializer(Validity.to_dict, return_type=dict), WithJsonSchema({
    "type": "object", "title": "Validity", "required": ["status", "status_text"],
    "properties": {"status": {"type": "string"}, "status_text": {"type": "string"},
                   "since": {"type": ["string", "null"], "format": "date"},
                   "replaced_by": {"type": "array", "items": {"type": "string"}},
                   "note": {"type": "string"}, "evidence": {"type": "array", "items": {"type": "object"}}},
}, mode="serialization")]

@dataclass
class Version:
    """One wording of a provision: the original, or an amendment from its date."""

    text: str
    valid_from: date | None
    valid_to: date | None
    source_doc: str  # the document whose text this is
    note: str = ""
    # amended or ended by a document known only from a notice: `text` is the wording before
    # the change, `statement` says so plainly
    text_missing: bool = False
    statement: str = ""

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "source_doc": self.source_doc,
            "note": self.note,
            "text_missing": self.text_missing,
            "statement": self.statement,
        }


def relation_date(store: Store, rel: RelationRecord) -> date | None:
    """When a relation takes effect: its own date, else the stating document's effective date."""
    if rel.effective:
        return rel.effective
    doc = store.document(rel.from_doc)
    return doc.effective if doc else None


def document_validity(store: Store, key: str, at: date, _depth: int = 0) -> Validity:
    doc = store.document(key)
    if doc is None:
        return Validity(Status.UNKNOWN, note="văn bản không có trong kho dữ liệu")
    if doc.doc_class == "admin":
        return Validity(Status.NOT_NORMATIVE)
    ended = _ended_by(store, doc, at)
    if ended:
        return ended
    if doc.effective and doc.effective > at:
        return Validity(Status.NOT_YET, since=doc.effective, note=f"có hiệu lực từ {_vn(doc.effective)}",
                        evidence=_pending(store, doc))
    if doc.expires and at > doc.expires:
        return Validity(Status.REPEALED, since=doc.expires, note=f"hết thời hạn áp dụng ngày {_vn(doc.expires)}")
    if doc.effective is None:
        note = "văn bản chỉ được dẫn chiếu, chưa có toàn văn trong kho" if doc.is_stub else "không xác định được ngày có hiệu lực"
        return Validity(Status.UNKNOWN, note=note, evidence=_label_evidence(doc))
    doubt = (_stale_compilation(doc) or _successor_law(store, doc, at)
             or (_guided_ended(store, doc, at, _depth) if _depth < 2 else None) or _label_only(doc))
    if doubt:
        return doubt
    return Validity(Status.IN_FORCE, since=doc.effective, note=_stated(doc), evidence=_label_evidence(doc))


def _ended_by(store: Store, doc: DocumentRecord, at: date) -> Validity | None:
    """Ended by a relation on the whole document (replaced, repealed) in effect at `at`; a
    relation a text states and one its metadata states both count, and both are shown."""
    number = doc.number or doc.key
    whole = [r for r in store.relations(to_doc=number) if r.kind in ENDING and _whole(r)]
    dated = sorted(((relation_date(store, r), r) for r in whole), key=lambda x: x[0] or date.max)
    effective = [(w, r) for w, r in dated if w is not None and w <= at]
    if not effective:
        return _ended_undated(store, doc, [r for w, r in dated if w is None], at)
    when, rel = min(effective, key=lambda x: (x[0], _strength(x[1])))
    by = sorted({r.from_doc for _w, r in effective})
    verb = "thay thế" if any(r.kind == RelationKind.REPLACES.value for _w, r in effective) else "bãi bỏ"
    evidence = [_relation_evidence(store, r, w) for w, r in sorted(effective, key=lambda x: _strength(x[1]))]
    return Validity(Status.REPEALED, since=when, replaced_by=by,
                    note=f"bị {verb} bởi {', '.join(by)} từ {_vn(when)}", evidence=evidence + _label_evidence(doc))


def _ended_undated(store: Store, doc: DocumentRecord, undated: list[RelationRecord], at: date) -> Validity | None:
    """Ended by a text in force "kể từ ngày ký" whose date of signing is unknown: signed before it
    was ingested, so ended from `at` on once that day is past — since a date shown as unknown."""
    held = _ingested_on(store)
    rels = [r for r in undated if held.get(r.source_id) is not None and held[r.source_id] <= at
            and _effective_note(store, r.from_doc).startswith(FROM_SIGNING_UNDATED)]
    if not rels:
        return None
    by = sorted({r.from_doc for r in rels})
    verb = "thay thế" if any(r.kind == RelationKind.REPLACES.value for r in rels) else "bãi bỏ"
    evidence = [_relation_evidence(store, r, None) for r in sorted(rels, key=_strength)]
    return Validity(Status.REPEALED, since=None, replaced_by=by, evidence=evidence + _label_evidence(doc),
                    note=f"bị {verb} bởi {', '.join(by)} từ ngày ký văn bản đó (ngày ký chưa xác định)")


def _effective_note(store: Store, key: str) -> str:
    doc = store.document(key)
    return (doc.effective_note if doc else None) or ""


def _ingested_on(store: Store) -> dict[int, date]:
    """Source id → the day it was ingested, read once per revision of the store."""
    return _per_revision(store, "ingested_on", lambda: {r.id: r.ingested_at.date()
                                                        for r in _base(store).sources() if r.ingested_at})


def _whole(rel: RelationRecord) -> bool:
    return rel.to_article is None and rel.to_annex is None and rel.to_part is None


CONFIDENCE_ORDER = [c.value for c in Confidence]


def _strength(rel: RelationRecord) -> int:
    confidence = rel.confidence or Confidence.TEXT.value
    return CONFIDENCE_ORDER.index(confidence) if confidence in CONFIDENCE_ORDER else len(CONFIDENCE_ORDER)


def _relation_evidence(store: Store, rel: RelationRecord, when: date | None) -> dict:
    return {
        "kind": rel.kind,
        "from_doc": rel.from_doc,
        "since": when.isoformat() if when else None,
        "confidence": rel.confidence or Confidence.TEXT.value,
        "evidence": rel.evidence or "",
        "file": _source_paths(store).get(rel.source_id, ""),
    }


def _pending(store: Store, doc: DocumentRecord) -> list[dict]:
    return _label_evidence(doc)


def _source_paths(store: Store) -> dict[int, str]:
    """Source id → file path, read once per revision of the store."""
    return _per_revision(store, "source_paths", lambda: {r.id: r.path for r in _base(store).sources()})


def _base(store: Store) -> Store:
    return getattr(store, "store", store)  # a CachedReads view or the store itself


def _per_revision(store: Store, name: str, build):
    """A value derived from the whole store, rebuilt when a file is ingested (the relation
    index is per revision: the value lives beside it)."""
    index = _base(store)._relation_index()
    cache = index.__dict__.setdefault("_validity_cache", {})
    if name not in cache:
        cache[name] = build()
    return cache[name]


def _status_label(doc: DocumentRecord) -> str | None:
    stated = doc.stated_status
    return stated if stated and VALIDITY_LABEL_RE.search(stated) else None


def _label_date(doc: DocumentRecord) -> str | None:
    front = ((doc.meta or {}).get("front_matter") or {})
    for key in LABEL_DATE_KEYS:
        if front.get(key):
            return str(front[key])[:10]
    return None


def _label_evidence(doc: DocumentRecord) -> list[dict]:
    """The source's crawl-time label, as evidence with its date (never as the verdict)."""
    label = _status_label(doc)
    if not label:
        return []
    return [{"kind": "label", "from_doc": doc.key, "since": _label_date(doc),
             "confidence": Confidence.LABEL.value, "evidence": f"Trạng thái: {label}", "file": ""}]


def _label_only(doc: DocumentRecord) -> Validity | None:
    """In force by a label alone: the effective date was read from metadata, not from the text,
    and a crawl-time label says "còn hiệu lực" — not verified, so "chưa xác định"."""
    label = _status_label(doc)
    if not label or not (doc.effective_note or "").startswith(METADATA_EFFECTIVE):
        return None
    dated = f" (nhãn ngày {_label_date(doc)})" if _label_date(doc) else ""
    return Validity(Status.UNKNOWN, since=doc.effective, evidence=_label_evidence(doc),
                    note=f"nguồn ghi «{label}»{dated} — {LABEL_ONLY}")


def _stale_compilation(doc: DocumentRecord) -> Validity | None:
    """Known only from a Pháp điển compilation its manifest marks as not updated."""
    if doc.doc_class != "compilation" or (doc.stated_status or "") != STALE_COMPILATION:
        return None
    reason = doc.effective_note or ""
    return Validity(Status.UNKNOWN, since=doc.effective,
                    note=f"chỉ có trong bản pháp điển chưa được cập nhật ({reason}); không xác nhận còn hiệu lực",
                    evidence=[{"kind": "label", "from_doc": doc.key, "since": None,
                               "confidence": Confidence.LABEL.value, "evidence": reason, "file": ""}])


def _namesakes(store: Store, name: str) -> dict[str, set[str]]:
    """Luật named "Luật <name> (số) …/QH…" in the articles and căn cứ of the texts held: số hiệu →
    citing documents. The index is built once per revision of the store (one pass, ~0.3 s on
    ccn + wide)."""
    def build() -> dict[str, dict[str, set[str]]]:
        index: dict[str, dict[str, set[str]]] = {}
        p = schema.provisions
        top = select(p.c.doc_key, p.c.text).where(p.c.active.is_(True), p.c.kind.in_(("dieu", "phu_luc", "doan")),
                                                  p.c.text.like("%/QH%"))
        with _base(store).engine.connect() as conn:
            texts = [(row.doc_key, row.text) for row in conn.execute(top)]
        texts += [(rel.from_doc, rel.evidence or "") for rel in _base(store).relations()
                  if rel.kind == RelationKind.BASED_ON.value]
        for doc_key, text in texts:
            if "/QH" not in text or "Luật" not in text:
                continue
            for match in LAW_NAME_RE.finditer(text.replace("\n", " ")):
                index.setdefault(_law_key(match.group(1)), {}).setdefault(match.group(2), set()).add(doc_key)
        return index
    return _per_revision(store, "namesakes", build).get(_law_key(name), {})


def _law_key(name: str) -> str:
    return " ".join(name.casefold().replace("luật", "").split())


def _successor_law(store: Store, doc: DocumentRecord, at: date) -> Validity | None:
    """A Luật whose later namesake is cited by texts in force ("Luật Đầu tư số 143/2025/QH15"
    beside "Luật Đầu tư số 61/2020/QH14"): a new Luật of the same name replaces the old one, but
    the date is not in the corpus — "chưa xác định", with the citing texts."""
    number = doc.number or ""
    if "/QH" not in number or (doc.doc_type or "Luật") != "Luật":
        return None
    year = _year(number)
    name = re.sub(r"^Luật\s+", "", (doc.title or "").strip())
    if not name or len(name) > 60:
        return None
    for other, citing in sorted(_namesakes(store, name).items()):
        if other != number and _year(other) > year:
            live = sorted((c for c in citing if c != doc.key and _in_force_plain(store, c, at)), key=_number_order)
            if live:
                return Validity(Status.UNKNOWN, since=doc.effective, note=(
                    f"có Luật cùng tên ban hành sau: {other} (được dẫn chiếu tại {', '.join(live[:4])}"
                    f"{f' và {len(live) - 4} văn bản khác' if len(live) > 4 else ''}, đang có hiệu lực)"
                    " — có thể đã thay thế văn bản này; kho dữ liệu không có văn bản nêu ngày hết hiệu lực"),
                    evidence=[{"kind": "successor", "from_doc": other, "since": None,
                               "confidence": Confidence.INFERRED.value,
                               "evidence": f"Luật {name} số {other} dẫn chiếu tại {', '.join(live[:4])}", "file": ""}]
                    + _label_evidence(doc))
    return None


def _in_force_plain(store: Store, key: str, at: date) -> bool:
    doc = store.document(key)
    return bool(doc and doc.effective and doc.effective <= at and _ended_by(store, doc, at) is None)


def _guided_ended(store: Store, doc: DocumentRecord, at: date, depth: int) -> Validity | None:
    """A text that details or guides another ("hướng dẫn thi hành … Nghị định số 113/2017/NĐ-CP")
    whose guided document has ended: it usually ends with it — "chưa xác định", never plain in force."""
    title = doc.title or ""
    match = GUIDES_RE.search(title)
    if not match:
        return None
    for mention in find_citations(title[match.start():]):
        ref = mention.doc_ref
        if ref is None or not ref.complete or ref.number == doc.number:
            continue
        guided = document_validity(store, ref.number, at, depth + 1)
        if guided.status == Status.REPEALED:
            return Validity(Status.UNKNOWN, since=doc.effective, note=(
                f"văn bản hướng dẫn {ref.number}, văn bản này {guided.note}; văn bản quy định chi tiết"
                " thường hết hiệu lực cùng văn bản được hướng dẫn — cần xác minh"),
                evidence=[{"kind": "guided_ended", "from_doc": ref.number, "since": _iso(guided.since),
                           "confidence": Confidence.INFERRED.value, "evidence": title, "file": ""}]
                + guided.evidence[:2] + _label_evidence(doc))
    return None


def _number_order(number: str) -> tuple[int, int, str]:
    """Số hiệu in issue order: year, then number ("96/2026/NĐ-CP" before "137/2026/NĐ-CP")."""
    head = re.match(r"(\d+)", number)
    return _year(number), int(head.group(1)) if head else 0, number


def _year(number: str) -> int:
    match = re.search(r"/(\d{4})/", number)
    return int(match.group(1)) if match else 0


def _iso(when: date | None) -> str | None:
    return when.isoformat() if when else None


def _stated(doc: DocumentRecord) -> str:
    stated = doc.stated_status
    return f"nguồn ghi: {stated}" if stated else ""


def provision_history(store: Store, row: ProvisionRecord) -> tuple[list[Version], list[RelationRecord]]:
    """The provision's wordings in time order, and the relations that changed it or its parents."""
    doc = store.document(row.doc_key)
    number = (doc.number if doc else None) or row.doc_key
    address = Citation(number, row.part, row.annex, row.article, row.clause, row.point)
    changes = [r for r in store.relations(to_doc=number)
               if r.kind in (RelationKind.AMENDS.value, RelationKind.REPEALS.value)
               and r.to_article is not None and _covers(r, address)]
    changes.sort(key=lambda r: relation_date(store, r) or date.max)
    start = doc.effective if doc else None
    versions = [Version(row.text, start, None, number, "văn bản gốc")]
    for rel in changes:
        when = relation_date(store, rel)
        versions[-1].valid_to = when
        exact = _exact(rel, address)
        missing = not _held(store, rel.from_doc)
        if rel.kind == RelationKind.REPEALS.value:
            versions.append(Version(versions[-1].text if missing else "", when, None, rel.from_doc, "bị bãi bỏ",
                                    missing, _ended_statement(store, rel, when) if missing else ""))
        elif missing and not (exact and rel.new_text):
            versions.append(Version(versions[-1].text, when, None, rel.from_doc,
                                    f"{_label(rel)} được sửa đổi, bổ sung; toàn văn sửa đổi chưa có", True,
                                    _amended_statement(store, rel, when)))
        elif exact and rel.new_text:
            versions.append(Version(rel.new_text, when, None, rel.from_doc, "sửa đổi, bổ sung"))
        elif (words := word_replacement(rel.evidence or "")) is not None:
            versions.append(_words_replaced(versions[-1].text, words, when, rel.from_doc))
        else:
            text = versions[-1].text
            versions.append(Version(text, when, None, rel.from_doc,
                                    f"{_label(rel)} được sửa đổi, bổ sung: xem văn bản sửa đổi"))
    return versions, changes


def _words_replaced(text: str, words: tuple[str, str, str], when: date | None, source: str) -> Version:
    """"Thay thế cụm từ “A” bằng cụm từ “B”": the previous wording with A replaced (whole words)."""
    old, new, _where = words
    note = f"thay thế cụm từ «{old}» bằng cụm từ «{new}»"
    if not re.search(rf"(?<!\w){re.escape(old)}(?!\w)", text):
        note += " (cụm từ không có trong quy định này)"
    return Version(replace_words(text, old, new), when, None, source, note)


def added_versions(store: Store, address: Citation) -> list[Version]:
    """A provision an amending text added ("Bổ sung khoản 3 vào sau khoản 2 Điều 8 như sau:
    “…”"): it has no row of its own, its wordings are those of the relations naming exactly it,
    from the first one's date (before it, the provision does not exist). [] when none adds it."""
    if not address.doc or address.article is None:
        return []
    want = (address.part, address.annex, address.article, address.clause, address.point)
    changes = [r for r in store.relations(to_doc=address.doc)
               if r.kind in (RelationKind.AMENDS.value, RelationKind.REPEALS.value)
               and (r.to_part, r.to_annex, r.to_article, r.to_clause, r.to_point) == want]
    changes.sort(key=lambda r: relation_date(store, r) or date.max)
    versions: list[Version] = []
    for rel in changes:
        when = relation_date(store, rel)
        if not versions and not (rel.kind == RelationKind.AMENDS.value and rel.new_text):
            continue
        if versions:
            versions[-1].valid_to = when
        if rel.kind == RelationKind.REPEALS.value:
            versions.append(Version("", when, None, rel.from_doc, "bị bãi bỏ"))
        elif rel.new_text:
            versions.append(Version(rel.new_text, when, None, rel.from_doc,
                                    "sửa đổi, bổ sung" if versions else "bổ sung"))
        elif (words := word_replacement(rel.evidence or "")) is not None:
            versions.append(_words_replaced(versions[-1].text, words, when, rel.from_doc))
    return versions


def added_validity(store: Store, address: Citation, versions: list[Version], at: date) -> Validity:
    """Validity at `at` of a provision added by an amending text (versions: added_versions)."""
    first, current = versions[0], version_at(versions, at)
    if first.valid_from is None or at < first.valid_from:
        return Validity(Status.NOT_YET, since=first.valid_from,
                        note=f"được bổ sung bởi {first.source_doc} từ {_vn(first.valid_from)}")
    if current.note == "bị bãi bỏ":
        return Validity(Status.REPEALED, since=current.valid_from, replaced_by=[current.source_doc],
                        note=f"bị bãi bỏ bởi {current.source_doc} từ {_vn(current.valid_from)}")
    validity = document_validity(store, address.doc or "", at)
    if validity.status == Status.IN_FORCE:
        validity.note = f"được bổ sung bởi {first.source_doc} từ {_vn(first.valid_from)}"
    return validity


def version_at(versions: list[Version], at: date) -> Version:
    for version in reversed(versions):
        if version.valid_from is None or version.valid_from <= at:
            return version
    return versions[0]


def provision_validity(store: Store, row: ProvisionRecord, at: date) -> tuple[Validity, Version, list[Version]]:
    """Validity of a provision at a date, the wording then in force, and all its versions."""
    validity = document_validity(store, row.doc_key, at)
    versions, _changes = provision_history(store, row)
    current = version_at(versions, at)
    if validity.status == Status.IN_FORCE and current.note == "bị bãi bỏ":
        note = current.statement or f"bị bãi bỏ bởi {current.source_doc} từ {_vn(current.valid_from)}"
        validity = Validity(Status.REPEALED, since=current.valid_from, replaced_by=[current.source_doc], note=note)
    elif validity.status == Status.IN_FORCE and current.text_missing:
        validity = Validity(Status.AMENDED_TEXT_MISSING, since=current.valid_from, note=current.statement)
    elif validity.status == Status.IN_FORCE and len(versions) > 1 and current is not versions[0]:
        validity.note = f"đã được sửa đổi, bổ sung bởi {current.source_doc} từ {_vn(current.valid_from)}"
    return validity, current, versions


def _held(store: Store, number: str) -> bool:
    """The knowledge base holds this document's text (not only a notice or a citation of it)."""
    doc = store.document(number)
    return doc is not None and not doc.is_stub


def _doc_name(store: Store, number: str) -> str:
    doc = store.document(number)
    return citations.render_short(number, doc.doc_type if doc else None)


def notice_of(store: Store, number: str) -> dict | None:
    """The notice a document is known from (its front matter: source, confidence, reported
    changes …), or None when its text is held or it is known otherwise."""
    doc = store.document(number)
    if doc is None or not doc.is_stub:
        return None
    front = (doc.meta or {}).get("front_matter") or {}
    return front if front.get("source_kind") == "notice" else None


CONFIDENCE_TEXT = {
    "secondary": "nguồn thứ cấp, chưa đối chiếu văn bản gốc",
    "official-secondary": "theo văn bản hợp nhất của cơ quan ban hành, chưa có văn bản gốc",
}


def _source_phrase(store: Store, number: str) -> str:
    notice = notice_of(store, number)
    if notice is None:
        return ""
    confidence = CONFIDENCE_TEXT.get(notice.get("confidence") or "", notice.get("confidence") or "không rõ")
    return f" (theo thông báo: {confidence})"


def _amended_statement(store: Store, rel: RelationRecord, when: date | None) -> str:
    """"Điều 8 đã được sửa đổi bởi Nghị định số 303/2026/NĐ-CP từ 15/9/2026; toàn văn sửa đổi
    chưa có trong cơ sở tri thức — nội dung dưới đây là bản trước khi sửa đổi"."""
    return (f"{_label(rel)} đã được sửa đổi bởi {_doc_name(store, rel.from_doc)} từ {_short(when)}"
            f"{_source_phrase(store, rel.from_doc)}; toàn văn sửa đổi chưa có trong cơ sở tri thức — "
            "nội dung dưới đây là bản trước khi sửa đổi")


def _ended_statement(store: Store, rel: RelationRecord, when: date | None) -> str:
    return (f"{_label(rel)} không còn được áp dụng (bị bãi bỏ) từ {_short(when)} theo "
            f"{_doc_name(store, rel.from_doc)}{_source_phrase(store, rel.from_doc)}; toàn văn văn bản "
            "này chưa có trong cơ sở tri thức — nội dung dưới đây là bản trước đó, không phải quy định hiện hành")


def document_amendments(store: Store, number: str, at: date) -> list[str]:
    """Amendments of the document whose provisions are not known ("có văn bản sửa đổi:
    38/2025/TT-BCT (từ 01/7/2025; điều khoản sửa đổi chưa rõ)"), in force at `at`."""
    notes = []
    for rel in store.relations(to_doc=number):
        if rel.kind != RelationKind.AMENDS.value or rel.to_article is not None or rel.to_annex is not None:
            continue
        when = relation_date(store, rel)
        if when is not None and when <= at:
            notes.append(f"có văn bản sửa đổi: {rel.from_doc} (từ {_short(when)}; điều khoản sửa đổi chưa rõ)")
    return list(dict.fromkeys(notes))


EXPIRY_HORIZON = timedelta(days=183)  # a text ending within about six months is announced


def upcoming_expiry(store: Store, number: str, at: date) -> str:
    """"Nghị định số 139/2025/NĐ-CP hết hiệu lực kể từ ngày 01 tháng 3 năm 2027", in the months
    before the end the text itself gives (the stored `expires` is its last day in force)."""
    doc = store.document(number)
    if doc is None or doc.expires is None or not (at <= doc.expires <= at + EXPIRY_HORIZON):
        return ""
    return f"{_doc_name(store, number)} hết hiệu lực kể từ {_date_words(doc.expires + timedelta(days=1))}"


def reported_changes(store: Store, number: str, address: Citation) -> list[str]:
    """What a notice reports about the new wording of this Điều: orientation for a reviewer,
    labelled as such, never law to quote."""
    notice = notice_of(store, number)
    if notice is None or address.doc is None:
        return []
    pattern = re.compile(rf"^Điều {address.article}\b") if address.article is not None else None
    return [f"Thông tin tham khảo, chưa kiểm chứng ({number}): {item}"
            for item in notice.get("reported_changes") or []
            if pattern is not None and pattern.search(str(item))]


def provision_notes(store: Store, row: ProvisionRecord, text: str, at: date) -> list[str]:
    """Everything that changed around a provision's text at `at`, beyond its own validity:
    bodies renamed or abolished ("nay là …"), words a notice replaces, amendments of its
    document whose provisions are not known, its document's coming end."""
    doc = store.document(row.doc_key)
    number = (doc.number if doc else None) or row.doc_key
    written = (doc.effective or doc.issued) if doc else None  # a text in force from the change on uses the new names
    notes = institution_notes(institution_changes(store), text, at, written)
    notes += _word_replacements(store, number, row, text, at)
    notes += document_amendments(store, number, at)
    if expiry := upcoming_expiry(store, number, at):
        notes.append(expiry)
    return notes


def _word_replacements(store: Store, number: str, row: ProvisionRecord, text: str, at: date) -> list[str]:
    """A notice's "thay cụm từ «…» bằng «…»" applying to this text (unverified: the notice
    does not give the wording)."""
    out = []
    for rel in store.relations(to_doc=number):
        if rel.source_kind != "notice":  # first: most relations to a decree are its citations
            continue
        notice, when = notice_of(store, rel.from_doc), relation_date(store, rel)
        if notice is None or when is None or when > at:
            continue
        for item in notice.get("word_replacements") or []:
            old, new = str(item.get("old") or ""), str(item.get("new") or "")
            where = citations.parse_one(f"{item.get('where')} {number}") if item.get("where") else None
            if where is not None and where.article is not None and (where.article, where.clause) not in (
                    (row.article, row.clause), (row.article, None)):
                continue
            if old and re.search(rf"(?<!\w){re.escape(old)}(?!\w)", text):
                out.append(f"Từ {_short(when)}, {_doc_name(store, rel.from_doc)} thay cụm từ «{old}» bằng "
                           f"«{new}» (thông tin tham khảo, chưa kiểm chứng)")
    return list(dict.fromkeys(out))


def _date_words(day: date) -> str:
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def _short(when: date | None) -> str:
    return short_date(when) if when else "?"


def _covers(rel: RelationRecord, address: Citation) -> bool:
    """The relation targets this provision or one of its ancestors."""
    if (rel.to_part, rel.to_annex, rel.to_article) != (address.part, address.annex, address.article):
        return False
    if rel.to_clause is not None and rel.to_clause != address.clause:
        return False
    return rel.to_point is None or rel.to_point == address.point


def _exact(rel: RelationRecord, address: Citation) -> bool:
    return rel.to_clause == address.clause and rel.to_point == address.point


def _label(rel: RelationRecord) -> str:
    parts = []
    if rel.to_point:
        parts.append(f"điểm {rel.to_point}")
    if rel.to_clause:
        parts.append(f"khoản {rel.to_clause}")
    parts.append(f"Điều {rel.to_article}")
    return " ".join(parts)


def _vn(when: date | None) -> str:
    return when.strftime("%d/%m/%Y") if when else "?"
