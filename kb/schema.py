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
    # active: counts; pending: stored, waiting for a second person's confirmation; withdrawn:
    # taken back. Only active sources give provisions, relations and search units (002).
    Column("status", String(16), nullable=False, default="active", server_default="active"),
    Index("ix_sources_path", "path"),
    Index("ix_sources_sha", "sha256"),
    Index("ix_sources_status", "status", "id"),  # 007
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
    Column("confidence", String(16)),  # kb.model.Confidence; added by 003_relation_evidence
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


# Every change to the knowledge base: who, when, which file (name only) and its hash, what it
# added and what it superseded (002). Written in the same transaction as the change.
kb_audit = Table(
    "kb_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(200), nullable=False),  # user name, or "(hệ thống):<OS user>" for the CLI
    Column("role", String(32), nullable=False),
    Column("action", String(32), nullable=False),  # ingest | pending | confirm | withdraw
    Column("file", Text),  # the file's name, never a server path
    Column("sha256", String(64)),
    Column("source_id", Integer),
    Column("added", JSON, nullable=False, default=list),  # document keys
    Column("superseded", JSON, nullable=False, default=list),  # document keys replaced, repealed, amended
    Column("detail", JSON, nullable=False, default=dict),
    Index("ix_kb_audit_source", "source_id"),
)


# The catalogue of documents that exist (kb/catalog.py): one row per mention of a số hiệu in a
# text that is not ingested as such (hỏi đáp pages, letters scanned, notices), with what the
# citing text says of it. `catalogue_builds` records each scanned archive/folder by its sha256,
# so a rebuild of an unchanged source is a no-op.
catalogue = Table(
    "catalogue",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("origin", Text, nullable=False),  # the archive, folder or file scanned
    Column("kind", String(16), nullable=False),  # "hoidap" | "letters" | "notice" | "texts"
    Column("number", String(200), nullable=False),
    Column("doc_type", String(100)),
    Column("issued", Date),
    Column("issuer", Text),
    Column("title", Text),
    Column("citing", Text, nullable=False),  # the citing page or file
    Column("address", String(100)),  # the provision cited ("khoản 3 Điều 9"), if any
    Index("ix_catalogue_number", "number"),
    Index("ix_catalogue_origin", "origin"),
)

catalogue_builds = Table(
    "catalogue_builds",
    metadata,
    Column("origin", Text, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("mentions", Integer, nullable=False),
    Column("seconds", Integer),
    Column("built_at", DateTime, nullable=False),
)


# The tables as migration 001 created them, frozen: the live definitions above may gain columns
# through later migrations, this text never changes. {SERIAL} and the other placeholders are the
# only words that differ between SQLite and PostgreSQL (see `run_ddl`).
M001_DDL = """
CREATE TABLE sources (
    id {SERIAL} NOT NULL,
    path TEXT NOT NULL,
    sha256 VARCHAR(64) NOT NULL,
    size INTEGER NOT NULL,
    fmt VARCHAR(16) NOT NULL,
    version INTEGER NOT NULL,
    current BOOLEAN NOT NULL,
    kind VARCHAR(16) NOT NULL,
    parser_version VARCHAR(32) NOT NULL,
    ingested_at {TIMESTAMP} NOT NULL,
    warnings JSON NOT NULL,
    original_z {BLOB},
    PRIMARY KEY (id)
);
CREATE INDEX ix_sources_path ON sources (path);
CREATE INDEX ix_sources_sha ON sources (sha256);
CREATE TABLE documents (
    {KEY} VARCHAR(300) NOT NULL,
    number VARCHAR(200),
    doc_type VARCHAR(100),
    doc_class VARCHAR(16) NOT NULL,
    issuer TEXT,
    parent_issuer TEXT,
    place VARCHAR(200),
    issued DATE,
    effective DATE,
    effective_note TEXT,
    expires DATE,
    title TEXT,
    subject TEXT,
    meta JSON NOT NULL,
    stated_status VARCHAR(100),
    is_stub BOOLEAN NOT NULL,
    primary_source_id INTEGER,
    updated_at {TIMESTAMP} NOT NULL,
    PRIMARY KEY ({KEY}),
    FOREIGN KEY(primary_source_id) REFERENCES sources (id)
);
CREATE TABLE provisions (
    id {SERIAL} NOT NULL,
    pid VARCHAR(16) NOT NULL,
    doc_key VARCHAR(300) NOT NULL,
    source_id INTEGER NOT NULL,
    active BOOLEAN NOT NULL,
    kind VARCHAR(16) NOT NULL,
    label VARCHAR(100) NOT NULL,
    part VARCHAR(50),
    annex VARCHAR(20),
    article INTEGER,
    clause INTEGER,
    point VARCHAR(4),
    title TEXT,
    text TEXT NOT NULL,
    original TEXT,
    parent_pid VARCHAR(16),
    ordinal INTEGER NOT NULL,
    container_path JSON NOT NULL,
    source_label VARCHAR(100),
    PRIMARY KEY (id),
    FOREIGN KEY(source_id) REFERENCES sources (id)
);
CREATE INDEX ix_prov_addr ON provisions (doc_key, article, clause, point);
CREATE INDEX ix_prov_doc_active ON provisions (doc_key, active);
CREATE INDEX ix_prov_pid_active ON provisions (pid, active);
CREATE INDEX ix_prov_source ON provisions (source_id);
CREATE TABLE relations (
    id {SERIAL} NOT NULL,
    source_id INTEGER NOT NULL,
    kind VARCHAR(16) NOT NULL,
    from_doc VARCHAR(300) NOT NULL,
    from_pid VARCHAR(16),
    to_doc VARCHAR(300) NOT NULL,
    to_part VARCHAR(50),
    to_annex VARCHAR(20),
    to_article INTEGER,
    to_clause INTEGER,
    to_point VARCHAR(4),
    effective DATE,
    new_text TEXT,
    evidence TEXT,
    PRIMARY KEY (id),
    FOREIGN KEY(source_id) REFERENCES sources (id)
);
CREATE INDEX ix_rel_from ON relations (from_doc);
CREATE INDEX ix_rel_source ON relations (source_id);
CREATE INDEX ix_rel_to ON relations (to_doc);
CREATE TABLE failures (
    id {SERIAL} NOT NULL,
    path TEXT NOT NULL,
    sha256 VARCHAR(64),
    error TEXT NOT NULL,
    at {TIMESTAMP} NOT NULL,
    PRIMARY KEY (id)
);
"""

DIALECT_WORDS = {
    "sqlite": {"SERIAL": "INTEGER", "TIMESTAMP": "DATETIME", "BLOB": "BLOB", "KEY": '"key"'},
    "postgresql": {"SERIAL": "SERIAL", "TIMESTAMP": "TIMESTAMP WITHOUT TIME ZONE", "BLOB": "BYTEA",
                   "KEY": "key"},
}


def run_ddl(conn: Connection, ddl: str) -> None:
    """Execute a frozen DDL script, its placeholders filled in for the connection's dialect."""
    words = DIALECT_WORDS[conn.dialect.name]
    for statement in ddl.format(**words).split(";"):
        if statement.strip():
            conn.exec_driver_sql(statement)


def _m001_initial(conn: Connection) -> None:
    run_ddl(conn, M001_DDL)


def _m003_relation_evidence(conn: Connection) -> None:
    """Each relation records the confidence of its source (text, front matter, metadata table)."""
    columns = {c["name"] for c in inspect(conn).get_columns("relations")}
    if "confidence" not in columns:
        conn.exec_driver_sql("ALTER TABLE relations ADD COLUMN confidence VARCHAR(16)")


def _m002_source_status_and_kb_audit(conn: Connection) -> None:
    """sources.status (active / pending / withdrawn) and the kb_audit table."""
    if "status" not in {c["name"] for c in inspect(conn).get_columns("sources")}:
        conn.exec_driver_sql("ALTER TABLE sources ADD COLUMN status VARCHAR(16) NOT NULL DEFAULT 'active'")
    metadata.create_all(conn, tables=[kb_audit])


def _m005_catalogue(conn: Connection) -> None:
    metadata.create_all(conn, tables=[catalogue, catalogue_builds])


Migrations = list[tuple[str, Callable[[Connection], None]]]


def _m006_cluster_register(conn: Connection) -> None:
    from kb.register import create_register_tables  # kb.register imports this module

    create_register_tables(conn)


MIGRATIONS: Migrations = [
    ("001_initial", _m001_initial),
    ("002_source_status_and_kb_audit", _m002_source_status_and_kb_audit),
    ("003_relation_evidence", _m003_relation_evidence),
    ("005_catalogue", _m005_catalogue),
    ("006_cluster_register", _m006_cluster_register),
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


def unapplied(conn: Connection) -> list[str]:
    """The knowledge base's migrations not yet applied (a read: no lock needed to ask)."""
    if not inspect(conn).has_table("_migrations"):
        return [name for name, _ in MIGRATIONS]
    done = {row.name for row in conn.execute(migrations_table.select())}
    return [name for name, _ in MIGRATIONS if name not in done]


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


def _m007_source_revision_index(conn: Connection) -> None:
    """The store's revision (max id, count, active ids of `sources`) read from an index: a row
    of `sources` carries its text (`original_z`) before `status`, so scanning the table read the
    whole corpus's text, 27 ms on the default knowledge base, several times a search."""
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_sources_status ON sources (status, id)")


MIGRATIONS.append(("007_source_revision_index", _m007_source_revision_index))
