"""Validity (hiệu lực) of a document and of a provision at any date, derived from relations.

Nothing here is stored: it is computed from the documents' effective dates and the relations
the texts state (thay thế, bãi bỏ, "hết hiệu lực kể từ …", sửa đổi bổ sung), so adding an
amending or repealing document changes the answer for every date from its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.engine import RowMapping

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

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "source_doc": self.source_doc,
            "note": self.note,
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
        if rel["kind"] == RelationKind.REPEALS.value:
            versions.append(Version("", when, None, rel["from_doc"], "bị bãi bỏ"))
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
        validity = Validity(Status.REPEALED, since=current.valid_from, replaced_by=[current.source_doc],
                            note=f"bị bãi bỏ bởi {current.source_doc} từ {_vn(current.valid_from)}")
    elif validity.status == Status.IN_FORCE and len(versions) > 1 and current is not versions[0]:
        validity.note = f"đã được sửa đổi, bổ sung bởi {current.source_doc} từ {_vn(current.valid_from)}"
    return validity, current, versions


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
