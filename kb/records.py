"""Typed rows of the knowledge base: what `kb.store.Store` returns when it is read.

One frozen record per table row (fields named and ordered as the columns of kb/schema.py, plus
what a query adds, such as a relation's `source_kind`), so consumers read `doc.number`, not
`doc["number"]`. A changed copy is `dataclasses.replace(record, field=value)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from functools import cache
from typing import Any, TypeVar

from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """A stored version of a file (tệp nguồn: văn bản gốc, bản pháp điển, thông báo)."""

    id: int
    path: str
    sha256: str
    version: int
    current: bool
    fmt: str
    kind: str  # "document" | "compilation" | "notice" …
    warnings: list[str]
    parser_version: str
    status: str  # active | pending | withdrawn
    ingested_at: datetime


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """A document (văn bản quy phạm pháp luật or văn bản hành chính), or a stub known only by
    citation (văn bản được dẫn chiếu, chưa có toàn văn)."""

    key: str  # số hiệu, or "file:<name>" when unnumbered
    number: str | None  # số hiệu
    doc_type: str | None  # loại văn bản: Luật, Nghị định, Thông tư …
    doc_class: str
    issuer: str | None  # cơ quan ban hành
    parent_issuer: str | None
    place: str | None
    issued: date | None  # ngày ban hành
    effective: date | None  # ngày có hiệu lực
    effective_note: str | None
    expires: date | None  # ngày hết hiệu lực the text itself gives
    title: str | None  # trích yếu
    subject: str | None
    meta: dict[str, Any]  # recipients, căn cứ, người ký, front matter …
    stated_status: str | None  # trạng thái as a source labels it
    is_stub: bool
    primary_source_id: int | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ProvisionRecord:
    """A provision (quy định: Phần, Chương, Điều, khoản, điểm, Phụ lục) as one stored row."""

    id: int
    pid: str  # stable: from document and address
    doc_key: str
    source_id: int
    active: bool  # the row the document shows
    kind: str  # kb.model.Kind value ("dieu", "khoan" …)
    label: str
    part: str | None
    annex: str | None  # phụ lục
    article: int | None  # Điều
    clause: int | None  # khoản
    point: str | None  # điểm
    title: str | None
    text: str
    original: str | None  # text before normalisation, when it differs
    parent_pid: str | None
    ordinal: int
    container_path: list[str]
    source_label: str | None  # e.g. Pháp điển label "Điều 7.5.NĐ.1"


@dataclass(frozen=True, slots=True)
class RelationRecord:
    """A relation one text states about another (thay thế, bãi bỏ, sửa đổi bổ sung, dẫn chiếu,
    căn cứ), with the kind of the source file stating it."""

    id: int
    source_id: int
    kind: str  # kb.model.RelationKind value
    from_doc: str
    from_pid: str | None
    to_doc: str
    to_part: str | None
    to_annex: str | None
    to_article: int | None
    to_clause: int | None
    to_point: str | None
    effective: date | None
    new_text: str | None  # amends: the provision's new wording
    evidence: str | None
    confidence: str | None  # kb.model.Confidence value
    source_kind: str  # the stating source's kind ("document", "notice" …)


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One change to the knowledge base (nhật ký thay đổi): who, when, which file, what it added
    and what it superseded."""

    id: int
    at: datetime
    actor: str
    role: str
    action: str  # ingest | pending | confirm | withdraw
    file: str | None
    sha256: str | None
    source_id: int | None
    added: list[str]
    superseded: list[str]
    detail: dict[str, Any]


@cache
def field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def records(cls: type[R], keys: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[R]:
    """Records from a query's plain rows, by position (the cheap path, for hot loops: a
    document's provisions, every relation), after checking once that the query's columns are
    the record's fields in order."""
    if tuple(keys) != field_names(cls):
        raise TypeError(f"{cls.__name__}: columns {tuple(keys)} are not its fields {field_names(cls)}")
    make = _maker(cls)
    return [make(row) for row in rows]


def fetch(conn: Connection, cls: type[R], query: Select) -> list[R]:
    """The rows of `query` as records of `cls` (the query selects the record's fields, in order)."""
    result = conn.execute(query)
    return records(cls, list(result.keys()), result)


@cache
def _maker(cls: type[R]) -> Callable[[Sequence[Any]], R]:
    """A constructor from a row in field order. A frozen dataclass's __init__ sets each field
    through object.__setattr__ (looked up by name, ~6× a plain class's cost for a provision's
    19 columns); this sets each slot through its own descriptor, as that __init__ would, and
    is ~3× faster. Only for slotted records without defaults or __post_init__."""
    names = field_names(cls)
    env: dict[str, Any] = {"new": object.__new__, "cls": cls}
    env |= {f"set_{name}": cls.__dict__[name].__set__ for name in names}
    source = "\n".join([
        f"def make(row, new=new, cls=cls, {', '.join(f'set_{n}=set_{n}' for n in names)}):",
        "    record = new(cls)",
        *(f"    set_{name}(record, row[{i}])" for i, name in enumerate(names)),
        "    return record",
    ])
    exec(source, env)  # noqa: S102 - generated from the field names, as dataclasses does
    return env["make"]
