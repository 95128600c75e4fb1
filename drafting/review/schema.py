"""The review tables (in the knowledge base's database) and their own ordered, named
migrations, recorded in kb's `_migrations` table; review_001 runs its DDL frozen as written."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Connection

from kb import schema as kb_schema

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256 of the token
    Column("prefix", String(12), nullable=False),  # first characters, to tell tokens apart
    Column("label", String(200), nullable=False, default=""),
    Column("created_at", DateTime, nullable=False),
    Column("last_used_at", DateTime),
    Column("revoked_at", DateTime),
    Index("ix_api_tokens_user", "user_id"),
)

drafts = Table(
    "drafts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", Text, nullable=False),
    Column("author_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("state", String(20), nullable=False),
    Column("current_version", Integer, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("approved_version", Integer),
    Column("approved_path", Text),  # the final DOCX, as ingested
    Column("approved_docx", LargeBinary),
    Column("published", JSON),  # documents ingested, index update
    Index("ix_drafts_state", "state"),
)

draft_versions = Table(
    "draft_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("draft_id", Integer, ForeignKey("drafts.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("author_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("spec", JSON, nullable=False),
    Column("docx", LargeBinary, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("paragraphs", JSON, nullable=False),  # the DOCX's non-empty paragraphs, in order
    Column("check_report", JSON),  # drafting.checker's report, when available
    UniqueConstraint("draft_id", "number", name="uq_draft_version"),
)

review_comments = Table(
    "review_comments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("draft_id", Integer, ForeignKey("drafts.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("paragraph", Integer),  # index into the version's paragraphs; None = the whole draft
    Column("author_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("resolved", Boolean, nullable=False, default=False),
    Column("resolved_by", Integer, ForeignKey("users.id")),
    Column("resolved_at", DateTime),
    Index("ix_review_comments_draft", "draft_id", "version"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),  # UTC
    Column("user_id", Integer, ForeignKey("users.id")),
    Column("user_name", String(100), nullable=False),
    Column("action", String(30), nullable=False),
    Column("draft_id", Integer, ForeignKey("drafts.id")),
    Column("version", Integer),
    Column("detail", JSON, nullable=False, default=dict),
    Index("ix_audit_draft", "draft_id"),
    Index("ix_audit_at", "at"),
)


# The review tables as migration review_001 created them, frozen (see kb.schema.M001_DDL).
M001_REVIEW_DDL = """
CREATE TABLE users (
    id {SERIAL} NOT NULL,
    name VARCHAR(100) NOT NULL,
    display_name VARCHAR(200) NOT NULL,
    role VARCHAR(20) NOT NULL,
    active BOOLEAN NOT NULL,
    created_at {TIMESTAMP} NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (name)
);
CREATE TABLE api_tokens (
    id {SERIAL} NOT NULL,
    user_id INTEGER NOT NULL,
    token_hash VARCHAR(64) NOT NULL,
    prefix VARCHAR(12) NOT NULL,
    label VARCHAR(200) NOT NULL,
    created_at {TIMESTAMP} NOT NULL,
    last_used_at {TIMESTAMP},
    revoked_at {TIMESTAMP},
    PRIMARY KEY (id),
    FOREIGN KEY(user_id) REFERENCES users (id),
    UNIQUE (token_hash)
);
CREATE INDEX ix_api_tokens_user ON api_tokens (user_id);
CREATE TABLE drafts (
    id {SERIAL} NOT NULL,
    title TEXT NOT NULL,
    author_id INTEGER NOT NULL,
    state VARCHAR(20) NOT NULL,
    current_version INTEGER NOT NULL,
    created_at {TIMESTAMP} NOT NULL,
    updated_at {TIMESTAMP} NOT NULL,
    approved_version INTEGER,
    approved_path TEXT,
    approved_docx {BLOB},
    published JSON,
    PRIMARY KEY (id),
    FOREIGN KEY(author_id) REFERENCES users (id)
);
CREATE INDEX ix_drafts_state ON drafts (state);
CREATE TABLE audit_log (
    id {SERIAL} NOT NULL,
    at {TIMESTAMP} NOT NULL,
    user_id INTEGER,
    user_name VARCHAR(100) NOT NULL,
    action VARCHAR(30) NOT NULL,
    draft_id INTEGER,
    version INTEGER,
    detail JSON NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY(user_id) REFERENCES users (id),
    FOREIGN KEY(draft_id) REFERENCES drafts (id)
);
CREATE INDEX ix_audit_at ON audit_log (at);
CREATE INDEX ix_audit_draft ON audit_log (draft_id);
CREATE TABLE draft_versions (
    id {SERIAL} NOT NULL,
    draft_id INTEGER NOT NULL,
    number INTEGER NOT NULL,
    author_id INTEGER NOT NULL,
    created_at {TIMESTAMP} NOT NULL,
    note TEXT NOT NULL,
    spec JSON NOT NULL,
    docx {BLOB} NOT NULL,
    sha256 VARCHAR(64) NOT NULL,
    paragraphs JSON NOT NULL,
    check_report JSON,
    PRIMARY KEY (id),
    CONSTRAINT uq_draft_version UNIQUE (draft_id, number),
    FOREIGN KEY(draft_id) REFERENCES drafts (id),
    FOREIGN KEY(author_id) REFERENCES users (id)
);
CREATE TABLE review_comments (
    id {SERIAL} NOT NULL,
    draft_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    paragraph INTEGER,
    author_id INTEGER NOT NULL,
    text TEXT NOT NULL,
    created_at {TIMESTAMP} NOT NULL,
    resolved BOOLEAN NOT NULL,
    resolved_by INTEGER,
    resolved_at {TIMESTAMP},
    PRIMARY KEY (id),
    FOREIGN KEY(draft_id) REFERENCES drafts (id),
    FOREIGN KEY(author_id) REFERENCES users (id),
    FOREIGN KEY(resolved_by) REFERENCES users (id)
);
CREATE INDEX ix_review_comments_draft ON review_comments (draft_id, version);
"""


def _m001_review(conn: Connection) -> None:
    kb_schema.run_ddl(conn, M001_REVIEW_DDL)


MIGRATIONS: kb_schema.Migrations = [
    ("review_001_initial", _m001_review),
]


def migrate(conn: Connection) -> list[str]:
    """Apply this module's migrations not yet applied, in order (recorded in `_migrations`)."""
    return kb_schema.migrate(conn, MIGRATIONS)
