"""Database schema (SQLAlchemy Core) and its ordered, named migrations.

SQLite by default; any SQLAlchemy URL (PostgreSQL) works. Each migration runs once, in order,
and is recorded in `_migrations` — add new ones at the end, never edit an applied one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    inspect,
)
from sqlalchemy.engine import Connection

metadata = MetaData()

migrations_table = Table(
    "_migrations",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("applied_at", DateTime, nullable=False),
)

# One row per version of a file: a changed file gets a new row, the old one kept (current=False).
sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("path", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("fmt", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column("current", Boolean, nullable=False, default=True),
    Column("kind", String(16), nullable=False),  # "document" | "compilation"
    Column("parser_version", String(32), nullable=False),
    Column("ingested_at", DateTime, nullable=False),
    Column("warnings", JSON, nullable=False, default=list),
    Column("original_z", LargeBinary),  # zlib of the text as read, for audit
    Index("ix_sources_path", "path"),
    Index("ix_sources_sha", "sha256"),
)

documents = Table(
    "documents",
    metadata,
    Column("key", String(300), primary_key=True),  # số hiệu, or "file:<name>" when unnumbered
    Column("number", String(200)),
    Column("doc_type", String(100)),
    Column("doc_class", String(16), nullable=False),
    Column("issuer", Text),
    Column("parent_issuer", Text),
    Column("place", String(200)),
    Column("issued", Date),
    Column("effective", Date),
    Column("effective_note", Text),
    Column("expires", Date),  # when the text itself says it ends ("đến hết ngày …")
    Column("title", Text),
    Column("subject", Text),
    Column("meta", JSON, nullable=False, default=dict),  # recipients, bases, signer, front matter…
    Column("stated_status", String(100)),
    Column("is_stub", Boolean, nullable=False, default=False),  # cited but not in the store
    Column("primary_source_id", Integer, ForeignKey("sources.id")),
    Column("updated_at", DateTime, nullable=False),
)

provisions = Table(
    "provisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("pid", String(16), nullable=False),  # stable: from document and address
    Column("doc_key", String(300), nullable=False),
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=False),
    Column("active", Boolean, nullable=False, default=False),  # the row the document shows
    Column("kind", String(16), nullable=False),
    Column("label", String(100), nullable=False),
    Column("part", String(50)),
    Column("annex", String(20)),
    Column("article", Integer),
    Column("clause", Integer),
    Column("point", String(4)),
    Column("title", Text),
    Column("text", Text, nullable=False),
    Column("original", Text),  # text before normalisation, when it differs
    Column("parent_pid", String(16)),
    Column("ordinal", Integer, nullable=False),
    Column("container_path", JSON, nullable=False, default=list),
    Column("source_label", String(100)),  # e.g. Pháp điển label "Điều 7.5.NĐ.1"
    Index("ix_prov_doc_active", "doc_key", "active"),
    Index("ix_prov_pid_active", "pid", "active"),
    Index("ix_prov_source", "source_id"),
    Index("ix_prov_addr", "doc_key", "article", "clause", "point"),
)

relations = Table(
    "relations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("from_doc", String(300), nullable=False),
    Column("from_pid", String(16)),
    Column("to_doc", String(300), nullable=False),
    Column("to_part", String(50)),
    Column("to_annex", String(20)),
    Column("to_article", Integer),
    Column("to_clause", Integer),
    Column("to_point", String(4)),
    Column("effective", Date),
    Column("new_text", Text),  # amends: the provision's new wording
    Column("evidence", Text),
    Index("ix_rel_to", "to_doc"),
    Index("ix_rel_from", "from_doc"),
    Index("ix_rel_source", "source_id"),
)

failures = Table(
    "failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("path", Text, nullable=False),
    Column("sha256", String(64)),
    Column("error", Text, nullable=False),
    Column("at", DateTime, nullable=False),
)


def _m001_initial(conn: Connection) -> None:
    metadata.create_all(conn, tables=[sources, documents, provisions, relations, failures])


Migrations = list[tuple[str, Callable[[Connection], None]]]

MIGRATIONS: Migrations = [
    ("001_initial", _m001_initial),
]


def migrate(conn: Connection, migrations: Migrations | None = None) -> list[str]:
    """Apply the migrations not yet applied, in order (the knowledge base's by default; another
    module's own list, e.g. the review workflow's, is recorded in the same `_migrations`).
    Returns the names applied now."""
    migrations_table.create(conn, checkfirst=True)
    done = {row.name for row in conn.execute(migrations_table.select())}
    applied = []
    for name, step in MIGRATIONS if migrations is None else migrations:
        if name in done:
            continue
        step(conn)
        conn.execute(migrations_table.insert().values(name=name, applied_at=datetime.now(UTC)))
        applied.append(name)
    return applied


def table_names(conn: Connection) -> list[str]:
    return inspect(conn).get_table_names()


# Reorganisations of state bodies read from notice files (kind: institutions): the names older
# texts use and what replaced them, for "nay là …" notes and for following a moved competence.
institution_changes = Table(
    "institution_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=False),
    Column("old", Text, nullable=False),
    Column("new", Text, nullable=False),
    Column("since", Date),  # the first day the old name no longer applies
    Column("since_text", String(40)),  # as the file gives it ("2025-03-01", "2025")
    Column("how", String(40)),  # merged | renamed | abolished | reorganised
    Column("level", String(40)),
    Column("note", Text),
    Index("ix_inst_source", "source_id"),
)


def _m004_notices(conn: Connection) -> None:
    metadata.create_all(conn, tables=[institution_changes])


MIGRATIONS.append(("004_notices", _m004_notices))
