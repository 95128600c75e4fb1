"""Validity (hiệu lực) of a document and of a provision at any date, derived from relations.

Nothing here is stored: it is computed from the documents' effective dates and the relations
the texts state (thay thế, bãi bỏ, "hết hiệu lực kể từ …", sửa đổi bổ sung), so adding an
amending or repealing document changes the answer for every date from its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.engine import RowMapping

from kb import citations
from kb.institutions import institution_changes, institution_notes, short_date
from kb.model import STATUS_TEXT, Citation, RelationKind, Status
from kb.store import Store

ENDING = (RelationKind.REPLACES.value, RelationKind.REPEALS.value)


@dataclass
class Validity:
    status: Status
    since: date | None = None  # from when the status holds
    replaced_by: list[str] = field(default_factory=list)
    note: str = ""

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
        }


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


def relation_date(store: Store, rel: RowMapping) -> date | None:
    """When a relation takes effect: its own date, else the stating document's effective date."""
    if rel["effective"]:
        return rel["effective"]
    doc = store.document(rel["from_doc"])
    return doc["effective"] if doc else None


def document_validity(store: Store, key: str, at: date) -> Validity:
    doc = store.document(key)
    if doc is None:
        return Validity(Status.UNKNOWN, note="văn bản không có trong kho dữ liệu")
    if doc["doc_class"] == "admin":
        return Validity(Status.NOT_NORMATIVE)
    ended = _ended_by(store, doc, at)
    if ended:
        return ended
    if doc["effective"] and doc["effective"] > at:
        return Validity(Status.NOT_YET, since=doc["effective"], note=f"có hiệu lực từ {_vn(doc['effective'])}")
    if doc["expires"] and at > doc["expires"]:
        return Validity(Status.REPEALED, since=doc["expires"], note=f"hết thời hạn áp dụng ngày {_vn(doc['expires'])}")
    if doc["effective"] is None:
        note = "văn bản chỉ được dẫn chiếu, chưa có toàn văn trong kho" if doc["is_stub"] else "không xác định được ngày có hiệu lực"
        return Validity(Status.UNKNOWN, note=note)
    return Validity(Status.IN_FORCE, since=doc["effective"], note=_stated(doc))


def _ended_by(store: Store, doc: RowMapping, at: date) -> Validity | None:
    number = doc["number"] or doc["key"]
    whole = [r for r in store.relations(to_doc=number) if r["kind"] in ENDING and r["to_article"] is None
             and r["to_annex"] is None and r["to_part"] is None]
    dated = sorted(((relation_date(store, r), r) for r in whole), key=lambda x: x[0] or date.max)
    for when, rel in dated:
        if when is not None and when <= at:
            by = sorted({r["from_doc"] for w, r in dated if w is not None and w <= at})
            verb = "thay thế" if rel["kind"] == RelationKind.REPLACES.value else "bãi bỏ"
            return Validity(Status.REPEALED, since=when, replaced_by=by,
                            note=f"bị {verb} bởi {', '.join(by)} từ {_vn(when)}")
    return None


def _stated(doc: RowMapping) -> str:
    stated = doc["stated_status"]
    return f"nguồn ghi: {stated}" if stated else ""


def provision_history(store: Store, row: RowMapping) -> tuple[list[Version], list[RowMapping]]:
    """The provision's wordings in time order, and the relations that changed it or its parents."""
    doc = store.document(row["doc_key"])
    number = (doc["number"] if doc else None) or row["doc_key"]
    address = Citation(number, row["part"], row["annex"], row["article"], row["clause"], row["point"])
    changes = [r for r in store.relations(to_doc=number)
               if r["kind"] in (RelationKind.AMENDS.value, RelationKind.REPEALS.value)
               and r["to_article"] is not None and _covers(r, address)]
    changes.sort(key=lambda r: relation_date(store, r) or date.max)
    start = doc["effective"] if doc else None
    versions = [Version(row["text"], start, None, number, "văn bản gốc")]
    for rel in changes:
        when = relation_date(store, rel)
        versions[-1].valid_to = when
        exact = _exact(rel, address)
        missing = not _held(store, rel["from_doc"])
        if rel["kind"] == RelationKind.REPEALS.value:
            versions.append(Version(versions[-1].text if missing else "", when, None, rel["from_doc"], "bị bãi bỏ",
                                    missing, _ended_statement(store, rel, when) if missing else ""))
        elif missing and not (exact and rel["new_text"]):
            versions.append(Version(versions[-1].text, when, None, rel["from_doc"],
                                    f"{_label(rel)} được sửa đổi, bổ sung; toàn văn sửa đổi chưa có", True,
                                    _amended_statement(store, rel, when)))
        elif exact and rel["new_text"]:
            versions.append(Version(rel["new_text"], when, None, rel["from_doc"], "sửa đổi, bổ sung"))
        else:
            text = versions[-1].text
            versions.append(Version(text, when, None, rel["from_doc"],
                                    f"{_label(rel)} được sửa đổi, bổ sung: xem văn bản sửa đổi"))
    return versions, changes


def version_at(versions: list[Version], at: date) -> Version:
    for version in reversed(versions):
        if version.valid_from is None or version.valid_from <= at:
            return version
    return versions[0]


def provision_validity(store: Store, row: RowMapping, at: date) -> tuple[Validity, Version, list[Version]]:
    """Validity of a provision at a date, the wording then in force, and all its versions."""
    validity = document_validity(store, row["doc_key"], at)
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
    return doc is not None and not doc["is_stub"]


def _doc_name(store: Store, number: str) -> str:
    doc = store.document(number)
    return citations.render_short(number, doc["doc_type"] if doc else None)


def notice_of(store: Store, number: str) -> dict | None:
    """The notice a document is known from (its front matter: source, confidence, reported
    changes …), or None when its text is held or it is known otherwise."""
    doc = store.document(number)
    if doc is None or not doc["is_stub"]:
        return None
    front = (doc["meta"] or {}).get("front_matter") or {}
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


def _amended_statement(store: Store, rel: RowMapping, when: date | None) -> str:
    """"Điều 8 đã được sửa đổi bởi Nghị định số 303/2026/NĐ-CP từ 15/9/2026; toàn văn sửa đổi
    chưa có trong cơ sở tri thức — nội dung dưới đây là bản trước khi sửa đổi"."""
    return (f"{_label(rel)} đã được sửa đổi bởi {_doc_name(store, rel['from_doc'])} từ {_short(when)}"
            f"{_source_phrase(store, rel['from_doc'])}; toàn văn sửa đổi chưa có trong cơ sở tri thức — "
            "nội dung dưới đây là bản trước khi sửa đổi")


def _ended_statement(store: Store, rel: RowMapping, when: date | None) -> str:
    return (f"{_label(rel)} không còn được áp dụng (bị bãi bỏ) từ {_short(when)} theo "
            f"{_doc_name(store, rel['from_doc'])}{_source_phrase(store, rel['from_doc'])}; toàn văn văn bản "
            "này chưa có trong cơ sở tri thức — nội dung dưới đây là bản trước đó, không phải quy định hiện hành")


def document_amendments(store: Store, number: str, at: date) -> list[str]:
    """Amendments of the document whose provisions are not known ("có văn bản sửa đổi:
    38/2025/TT-BCT (từ 01/7/2025; điều khoản sửa đổi chưa rõ)"), in force at `at`."""
    notes = []
    for rel in store.relations(to_doc=number):
        if rel["kind"] != RelationKind.AMENDS.value or rel["to_article"] is not None or rel["to_annex"] is not None:
            continue
        when = relation_date(store, rel)
        if when is not None and when <= at:
            notes.append(f"có văn bản sửa đổi: {rel['from_doc']} (từ {_short(when)}; điều khoản sửa đổi chưa rõ)")
    return list(dict.fromkeys(notes))


EXPIRY_HORIZON = timedelta(days=183)  # a text ending within about six months is announced


def upcoming_expiry(store: Store, number: str, at: date) -> str:
    """"Nghị định số 139/2025/NĐ-CP hết hiệu lực kể từ ngày 01 tháng 3 năm 2027", in the months
    before the end the text itself gives (the stored `expires` is its last day in force)."""
    doc = store.document(number)
    if doc is None or doc["expires"] is None or not (at <= doc["expires"] <= at + EXPIRY_HORIZON):
        return ""
    return f"{_doc_name(store, number)} hết hiệu lực kể từ {_date_words(doc['expires'] + timedelta(days=1))}"


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


def provision_notes(store: Store, row: RowMapping, text: str, at: date) -> list[str]:
    """Everything that changed around a provision's text at `at`, beyond its own validity:
    bodies renamed or abolished ("nay là …"), words a notice replaces, amendments of its
    document whose provisions are not known, its document's coming end."""
    doc = store.document(row["doc_key"])
    number = (doc["number"] if doc else None) or row["doc_key"]
    written = (doc["effective"] or doc["issued"]) if doc else None  # a text in force from the change on uses the new names
    notes = institution_notes(institution_changes(store), text, at, written)
    notes += _word_replacements(store, number, row, text, at)
    notes += document_amendments(store, number, at)
    if expiry := upcoming_expiry(store, number, at):
        notes.append(expiry)
    return notes


def _word_replacements(store: Store, number: str, row: RowMapping, text: str, at: date) -> list[str]:
    """A notice's "thay cụm từ «…» bằng «…»" applying to this text (unverified: the notice
    does not give the wording)."""
    out = []
    for rel in store.relations(to_doc=number):
        notice = notice_of(store, rel["from_doc"]) if rel.get("source_kind") == "notice" else None
        when = relation_date(store, rel)
        if notice is None or when is None or when > at:
            continue
        for item in notice.get("word_replacements") or []:
            old, new = str(item.get("old") or ""), str(item.get("new") or "")
            where = citations.parse_one(f"{item.get('where')} {number}") if item.get("where") else None
            if where is not None and where.article is not None and (where.article, where.clause) not in (
                    (row["article"], row["clause"]), (row["article"], None)):
                continue
            if old and re.search(rf"(?<!\w){re.escape(old)}(?!\w)", text):
                out.append(f"Từ {_short(when)}, {_doc_name(store, rel['from_doc'])} thay cụm từ «{old}» bằng "
                           f"«{new}» (thông tin tham khảo, chưa kiểm chứng)")
    return list(dict.fromkeys(out))


def _date_words(day: date) -> str:
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def _short(when: date | None) -> str:
    return short_date(when) if when else "?"


def _covers(rel: RowMapping, address: Citation) -> bool:
    """The relation targets this provision or one of its ancestors."""
    if (rel["to_part"], rel["to_annex"], rel["to_article"]) != (address.part, address.annex, address.article):
        return False
    if rel["to_clause"] is not None and rel["to_clause"] != address.clause:
        return False
    return rel["to_point"] is None or rel["to_point"] == address.point


def _exact(rel: RowMapping, address: Citation) -> bool:
    return rel["to_clause"] == address.clause and rel["to_point"] == address.point


def _label(rel: RowMapping) -> str:
    parts = []
    if rel["to_point"]:
        parts.append(f"điểm {rel['to_point']}")
    if rel["to_clause"]:
        parts.append(f"khoản {rel['to_clause']}")
    parts.append(f"Điều {rel['to_article']}")
    return " ".join(parts)


def _vn(when: date | None) -> str:
    return when.strftime("%d/%m/%Y") if when else "?"
