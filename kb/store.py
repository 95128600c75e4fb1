"""The knowledge base: documents, provisions, relations, in SQLite (or any SQLAlchemy URL).

Every write of one file is one transaction: a failure rolls back that file only. A changed file
becomes a new source version (the old rows stay, marked not current). Provisions are stored per
source; for each document one set of rows is *active* — the best current full-text source
(DOCX > PDF > HTML > Markdown > TXT; between files of one format, the one giving more of the
segment's provisions, then the newest), or, for documents known only through Pháp điển
compilations, the newest row of each provision.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import threading
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy import and_, case, create_engine, event, func, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql import Select

from kb import citations, schema
from kb.model import PARSER_VERSION, STALE_COMPILATION, Citation, Document, Provision, Relation, nfc
from kb.records import (
    AuditRecord,
    DocumentRecord,
    ProvisionRecord,
    RelationRecord,
    SourceRecord,
    fetch,
)

FORMAT_RANK = {"docx": 5, "pdf": 4, "html": 3, "md": 2, "txt": 1}
DB_FILENAME = "kb.sqlite3"
ACTIVE, PENDING, WITHDRAWN = "active", "pending", "withdrawn"
ENDING_KINDS = ("replaces", "repeals", "amends")  # relations that change what is in force
R = TypeVar("R")
WAIT_MESSAGE = "đang có tiến trình nạp khác trên cùng kho dữ liệu; chờ tiến trình đó xong…"


@dataclass(slots=True)
class Actor:
    """Who changes the knowledge base, for the audit: a user of the review workflow, or the
    command line ("(hệ thống):<OS user>", role "system")."""

    name: str
    role: str = "system"

    @classmethod
    def system(cls) -> Actor:
        import getpass

        try:
            user = getpass.getuser()
        except Exception:  # no user name in this environment
            user = str(os.getuid())
        return cls(f"(hệ thống):{user}", "system")


@dataclass(slots=True)
class Change:
    """What one save records in kb_audit besides the file: the action and extra detail."""

    actor: Actor = field(default_factory=Actor.system)
    action: str = "ingest"
    detail: dict = field(default_factory=dict)


@dataclass(slots=True)
class SourceFile:
    """A file as read: what the store records about it."""

    path: str
    sha256: str
    size: int
    fmt: str
    kind: str  # "document" | "compilation"
    warnings: list[str]
    original: str


def default_url(home: Path) -> str:
    home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{home / DB_FILENAME}"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


class Store:
    """Read and write access to the knowledge base."""

    def __init__(self, url: str):
        self.url = url
        self._relations: _RelationIndex | None = None
        self._pins = threading.local()  # per thread: a pinned read (see `pinned`)
        self._writer_guard = threading.RLock()
        self._writer_depth = 0
        self._writer_file = None
        self.engine: Engine = create_engine(url, future=True)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        with self.engine.connect() as conn:
            behind = schema.unapplied(conn)
        if behind:  # two processes opening a new home at once: one migrates, the other waits
            with self.writer_lock(), self.engine.begin() as conn:
                schema.migrate(conn)

    @classmethod
    def at_home(cls, home: Path) -> Store:
        return cls(default_url(home))

    # ----------------------------------------------------------------- writing
    def file_state(self, path: str, sha256: str) -> str:
        """'unchanged' (this path's current version has this content, read by this parser),
        'changed' or 'new'. A file read by an earlier PARSER_VERSION is 'changed': it is read
        again, as a new version, so a home keeps no row an older parser made."""
        s = schema.sources
        with self.engine.connect() as conn:
            current = conn.execute(
                select(s.c.sha256, s.c.status, s.c.parser_version).where(s.c.path == path, s.c.current.is_(True))
            ).first()
        if current is None:
            return "new"
        same = current.sha256 == sha256 and current.parser_version == PARSER_VERSION
        return "unchanged" if same and current.status != WITHDRAWN else "changed"

    def same_content_elsewhere(self, path: str, sha256: str) -> str | None:
        """The file these bytes were first stored as, when it is another path that still holds
        them: a copy of one text filed in two folders is one document, read under that file's
        name. None when this path stored them first (read again after a parser change, the
        first copy keeps its name) or no other path holds them."""
        s = schema.sources
        holders = select(s.c.path).where(s.c.sha256 == sha256, s.c.current.is_(True), s.c.status == ACTIVE,
                                         s.c.kind == "document")
        first = (select(s.c.path).where(s.c.sha256 == sha256, s.c.status == ACTIVE,
                                         (s.c.path == path) | s.c.path.in_(holders))
                 .order_by(s.c.id).limit(1))
        with self.engine.connect() as conn:
            found = conn.execute(first).scalar()
        return found if found not in (None, path) else None

    def save(self, source: SourceFile, docs: list[Document], status: str = ACTIVE,
             change: Change | None = None, extra: Callable[[Connection, int], None] | None = None) -> int:
        """Store one file's documents in one transaction, audited; returns the new source id.
        `extra` writes what else the file gives (a notice's institution changes) in the same
        transaction.

        A `pending` source keeps its provisions and relations but shows none of them and touches
        no document row: confirm() makes it count, withdraw() drops it."""
        change = change or Change()
        with self.engine.begin() as conn:
            superseded = _superseded(conn, docs)
            s = schema.sources
            previous = conn.execute(select(s.c.id).where(s.c.path == source.path, s.c.current.is_(True))).scalar()
            source_id = _insert_source(conn, source, status)
            if extra is not None:
                extra(conn, source_id)
            for doc in docs:
                if status == ACTIVE:
                    _upsert_document(conn, doc, source_id, source)
                _insert_provisions(conn, doc, source_id)
                if status == ACTIVE:
                    _insert_relations(conn, doc, source_id)
                else:  # no stubs either: a pending text shows nothing, not even what it cites
                    _insert_relation_rows(conn, doc, source_id)
            # the previous version's documents too: one it no longer gives shows nothing of it
            given = {d.key for d in docs}
            before = _docs_of_source(conn, previous) if previous else set()
            for key in given | _docs_of_source(conn, source_id) | before:
                _refresh_active(conn, key)
            for key in before - given:
                _stub_if_empty(conn, key)
            _audit(conn, change, source, source_id, [d.key for d in docs], superseded,
                   "pending" if status == PENDING else change.action,
                   {"previous_version": previous} if previous else None)
        return source_id

    def superseded_by(self, docs: list[Document]) -> list[str]:
        """The documents in the store that these would replace, repeal or amend."""
        with self.engine.connect() as conn:
            return _superseded(conn, docs)

    def confirm(self, source_id: int, docs: list[Document], change: Change) -> None:
        """A pending source takes effect (`docs`: its file parsed again, for the document rows)."""
        with self.engine.begin() as conn:
            row = _source_row(conn, source_id)
            source = SourceFile(row.path, row.sha256, row.size, row.fmt, row.kind, [], "")
            conn.execute(update(schema.sources).where(schema.sources.c.id == source_id).values(status=ACTIVE))
            for doc in docs:
                _upsert_document(conn, doc, source_id, source)
                for stub in doc.stubs:
                    _ensure_stub(conn, stub)
            for key in {d.key for d in docs} | _docs_of_source(conn, source_id):
                _refresh_active(conn, key)
            _audit(conn, change, source, source_id, [d.key for d in docs], _superseded(conn, docs), "confirm")

    def withdraw(self, source_id: int, change: Change) -> list[str]:
        """Take a source back: its rows stop counting, what it superseded counts again (the
        documents it gave alone become stubs, or are dropped when unnumbered). Returns the documents it gave."""
        with self.engine.begin() as conn:
            row = _source_row(conn, source_id)
            conn.execute(update(schema.sources).where(schema.sources.c.id == source_id).values(status=WITHDRAWN))
            keys = sorted(_docs_of_source(conn, source_id))
            for key in keys:
                _refresh_active(conn, key)
                _stub_if_empty(conn, key)
            r = schema.relations
            targets = sorted({t for (t,) in conn.execute(select(r.c.to_doc).where(
                r.c.source_id == source_id, r.c.kind.in_(ENDING_KINDS)).distinct())})
            source = SourceFile(row.path, row.sha256, row.size, row.fmt, row.kind, [], "")
            _audit(conn, change, source, source_id, [], [], "withdraw", {"restored": targets, "documents": keys})
        return keys

    def source(self, source_id: int) -> SourceRecord | None:
        with self.engine.connect() as conn:
            return _first(conn, SourceRecord, _sources_query().where(schema.sources.c.id == source_id))

    def kb_audit(self, source_id: int | None = None, limit: int = 200) -> list[AuditRecord]:
        a = schema.kb_audit
        query = select(a).order_by(a.c.id.desc()).limit(limit)
        if source_id is not None:
            query = query.where(a.c.source_id == source_id)
        with self.engine.connect() as conn:
            return fetch(conn, AuditRecord, query)

    @contextmanager
    def writer_lock(self, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
        """One writer per knowledge base, across processes (a lock file beside the SQLite file, or
        in the temp folder for another database) and threads; re-entrant within a thread. A
        second writer waits, told why through `on_wait`."""
        with self._writer_guard:
            self._writer_depth += 1
            try:
                if self._writer_depth == 1:
                    self._writer_file = _lock_path(self.url).open("a")
                    try:
                        fcntl.flock(self._writer_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        if on_wait:
                            on_wait(WAIT_MESSAGE)
                        fcntl.flock(self._writer_file, fcntl.LOCK_EX)
                yield
            finally:
                self._writer_depth -= 1
                if self._writer_depth == 0 and self._writer_file is not None:
                    fcntl.flock(self._writer_file, fcntl.LOCK_UN)
                    self._writer_file.close()
                    self._writer_file = None

    def record_failure(self, path: str, sha256: str | None, error: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                schema.failures.insert().values(
                    path=path, sha256=sha256, error=error, at=datetime.now(UTC)
                )
            )

    # ----------------------------------------------------------------- reading
    def documents(self, include_stubs: bool = True) -> list[DocumentRecord]:
        query = select(schema.documents).order_by(schema.documents.c.key)
        if not include_stubs:
            query = query.where(schema.documents.c.is_stub.is_(False))
        with self.engine.connect() as conn:
            return fetch(conn, DocumentRecord, query)

    def source_paths(self) -> dict[str, set[str]]:
        """Document key → the paths of the current files it is read from: one text may come in
        two corpora (NĐ 96/2026 in ccn/ and in wide.tar.xz), its provisions from the later."""
        p, s = schema.provisions, schema.sources
        query = select(p.c.doc_key, s.c.path).join(s, s.c.id == p.c.source_id).where(s.c.current.is_(True)).distinct()
        found: dict[str, set[str]] = {}
        with self.engine.connect() as conn:
            for key, path in conn.execute(query):
                found.setdefault(key, set()).add(path)
        return found

    @contextmanager
    def pinned(self) -> Iterator[None]:
        """Within: one state of the knowledge base for this thread. The store's revision is read
        once and documents are read once each, so a search that asks about the same decree a
        hundred times (validity, notes, changes) asks the database once. Nested: the outer pin."""
        if getattr(self._pins, "documents", None) is not None:
            yield
            return
        self._pins.documents, self._pins.relations = {}, None
        try:
            yield
        finally:
            self._pins.documents = self._pins.relations = None

    def document(self, key: str) -> DocumentRecord | None:
        memo = getattr(self._pins, "documents", None)
        key = nfc(key)
        if memo is not None and key in memo:
            return memo[key]
        with self.engine.connect() as conn:
            row = _first(conn, DocumentRecord, select(schema.documents).where(schema.documents.c.key == key))
        if memo is not None:
            memo[key] = row
        return row

    def known_numbers(self) -> set[str]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(schema.documents.c.number).where(schema.documents.c.number.is_not(None)))
            return {r.number for r in rows}

    def provisions(self, doc_key: str, kind: str | None = None) -> list[ProvisionRecord]:
        p = schema.provisions
        query = select(p).where(p.c.doc_key == nfc(doc_key), p.c.active.is_(True))
        if kind:
            query = query.where(p.c.kind == kind)
        with self.engine.connect() as conn:
            return fetch(conn, ProvisionRecord, query.order_by(p.c.ordinal, p.c.id))

    def provision(self, citation: Citation, kind: str | None = None) -> ProvisionRecord | None:
        """The active provision at this address (the deepest node the address names). An annex
        item ("Biểu số 04", "mục I.7") is looked for in its Phụ lục, or in every one when the
        citation names none; of the units read with its label (a form's line in its annex's list
        of forms, then the form), the longest; a point of an item not held apart ("mục II.4.b"),
        the item that holds it."""
        if citation.annex_item:
            return self._annex_item(citation)
        p = schema.provisions
        conds = [p.c.doc_key == nfc(citation.doc or ""), p.c.active.is_(True)]
        for column, value in (
            (p.c.part, citation.part),
            (p.c.annex, citation.annex),
            (p.c.article, citation.article),
            (p.c.clause, citation.clause),
            (p.c.point, citation.point),
        ):
            conds.append(column.is_(None) if value is None else column == value)
        if kind:
            conds.append(p.c.kind == kind)
        with self.engine.connect() as conn:
            rows = fetch(conn, ProvisionRecord, select(p).where(and_(*conds)).order_by(p.c.ordinal))
        return _deepest(rows, citation)

    def _annex_item(self, citation: Citation) -> ProvisionRecord | None:
        p = schema.provisions
        in_annex = p.c.annex == citation.annex if citation.annex else p.c.annex.is_not(None)
        in_part = p.c.part.is_(None) if citation.part is None else p.c.part == citation.part
        query = select(p).where(p.c.doc_key == nfc(citation.doc or ""), p.c.active.is_(True), in_annex, in_part,
                                p.c.article.is_(None), p.c.kind == "muc").order_by(p.c.ordinal)
        with self.engine.connect() as conn:
            rows = [r for r in fetch(conn, ProvisionRecord, query)
                    if citations.same_annex_item(citations.stored_annex_item(r.annex, r.kind, r.label),
                                                 citation.annex_item)]
        if rows:
            return max(rows, key=lambda r: len(r.text))
        whole = citations.annex_clause(citation.annex_item)  # "II.4.b", a point: held in its item "II.4"
        return self._annex_item(replace(citation, annex_item=whole)) if whole != citation.annex_item else None

    def provision_by_pid(self, pid: str) -> ProvisionRecord | None:
        p = schema.provisions
        with self.engine.connect() as conn:
            return _first(conn, ProvisionRecord, select(p).where(p.c.pid == pid, p.c.active.is_(True)))

    def relations(self, *, to_doc: str | None = None, from_doc: str | None = None) -> list[RelationRecord]:
        """Relations stated by current sources, de-duplicated (a text in .docx and .txt states them
        twice), in the order they were stored."""
        index = self._relation_index()
        if to_doc:
            rows = index.by_to.get(nfc(to_doc), [])
            return [r for r in rows if r.from_doc == nfc(from_doc)] if from_doc else list(rows)
        if from_doc:
            return list(index.by_from.get(nfc(from_doc), []))
        return list(index.rows)

    def _relation_index(self) -> _RelationIndex:
        """All current relations, read once per revision of the store (any new source file,
        from this process or another, is a new revision) and looked up in memory; within a
        pinned read the revision is asked once."""
        pinned = getattr(self._pins, "relations", None)
        if pinned is not None:
            return pinned
        with self.engine.connect() as conn:
            s = schema.sources
            revision = conn.execute(select(func.max(s.c.id), func.count(),
                                           func.sum(case((s.c.status == ACTIVE, s.c.id), else_=0)))
                                    .select_from(s)).one()
            if self._relations is None or self._relations.revision != tuple(revision):
                self._relations = _RelationIndex(tuple(revision), _dedupe_relations(self._read_relations(conn)))
        if getattr(self._pins, "documents", None) is not None:
            self._pins.relations = self._relations
        return self._relations

    @staticmethod
    def _read_relations(conn: Connection) -> list[RelationRecord]:
        r, s, d = schema.relations, schema.sources, schema.documents
        query = (select(r, s.c.kind.label("source_kind")).join(s, s.c.id == r.c.source_id)
                 .where(counts(s)).order_by(r.c.id))
        rows = fetch(conn, RelationRecord, query)
        noticed = {row.from_doc for row in rows if row.source_kind == "notice"}
        if not noticed:
            return rows
        # a notice stands in for a text not held: once the text itself is stored, its own
        # relations (with the real wording) replace the notice's
        held = {k for (k,) in conn.execute(select(d.c.key).where(d.c.key.in_(noticed), d.c.is_stub.is_(False)))}
        return [row for row in rows if row.source_kind != "notice" or row.from_doc not in held]

    def sources(self, path: str | None = None) -> list[SourceRecord]:
        s = schema.sources
        query = _sources_query()
        if path:
            query = query.where(s.c.path == path)
        with self.engine.connect() as conn:
            return fetch(conn, SourceRecord, query.order_by(s.c.id))

    def original_text(self, source_id: int) -> str:
        with self.engine.connect() as conn:
            blob = conn.execute(
                select(schema.sources.c.original_z).where(schema.sources.c.id == source_id)
            ).scalar_one()
        return zlib.decompress(blob).decode("utf-8") if blob else ""

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            def count(table, *where) -> int:
                return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()

            return {
                "documents": count(schema.documents, schema.documents.c.is_stub.is_(False)),
                "stubs": count(schema.documents, schema.documents.c.is_stub.is_(True)),
                "provisions": count(schema.provisions, schema.provisions.c.active.is_(True)),
                "provision_rows": count(schema.provisions),
                "relations": count(schema.relations),
                "sources": count(schema.sources),
                "failures": count(schema.failures),
            }


class CachedReads:
    """A read-only view of a Store that remembers what it read: for one request (an answer reads
    the same documents and relations dozens of times). Writes go to the store itself."""

    def __init__(self, store: Store):
        self.store = store
        self.engine = store.engine
        self._memo: dict[tuple, object] = {}

    def _cached(self, name: str, *args, **kwargs):
        key = (name, args, tuple(sorted(kwargs.items())))
        if key not in self._memo:
            self._memo[key] = getattr(self.store, name)(*args, **kwargs)
        return self._memo[key]

    def document(self, key: str) -> DocumentRecord | None:
        return self._cached("document", key)

    def documents(self, include_stubs: bool = True) -> list[DocumentRecord]:
        return self._cached("documents", include_stubs)

    def relations(self, *, to_doc: str | None = None, from_doc: str | None = None) -> list[RelationRecord]:
        return list(self._cached("relations", to_doc=to_doc, from_doc=from_doc))

    def provision(self, citation: Citation, kind: str | None = None) -> ProvisionRecord | None:
        return self._cached("provision", citation, kind)

    def provision_by_pid(self, pid: str) -> ProvisionRecord | None:
        return self._cached("provision_by_pid", pid)

    def provisions(self, doc_key: str, kind: str | None = None) -> list[ProvisionRecord]:
        return self._cached("provisions", doc_key, kind)

    def known_numbers(self) -> set[str]:
        return self._cached("known_numbers")


# --------------------------------------------------------------------- helpers
def _first(conn: Connection, cls: type[R], query: Select) -> R | None:
    found = fetch(conn, cls, query.limit(1))
    return found[0] if found else None


def _sources_query() -> Select:
    s = schema.sources
    return select(s.c.id, s.c.path, s.c.sha256, s.c.version, s.c.current, s.c.fmt, s.c.kind,
                  s.c.warnings, s.c.parser_version, s.c.status, s.c.ingested_at)


class _RelationIndex:
    def __init__(self, revision: tuple, rows: list[RelationRecord]):
        self.revision = revision
        self.rows = rows
        self.by_to: dict[str, list[RelationRecord]] = {}
        self.by_from: dict[str, list[RelationRecord]] = {}
        for row in rows:
            self.by_to.setdefault(row.to_doc, []).append(row)
            self.by_from.setdefault(row.from_doc, []).append(row)


def _deepest(rows: list[ProvisionRecord], citation: Citation) -> ProvisionRecord | None:
    if not rows:
        return None
    if citation.article is None and citation.annex is not None:
        annex_rows = [r for r in rows if r.kind == "phu_luc"]
        return annex_rows[0] if annex_rows else rows[0]
    return rows[0]


def _dedupe_relations(rows: list[RelationRecord]) -> list[RelationRecord]:
    seen: set[tuple] = set()
    kept = []
    for row in rows:
        key = (row.kind, row.from_doc, row.from_pid, row.to_doc, row.to_part,
               row.to_annex, row.to_article, row.to_clause, row.to_point, row.confidence)
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept


def counts(s):
    """The sources whose rows count: the current version of each file, when active."""
    return and_(s.c.current.is_(True), s.c.status == ACTIVE)


def _lock_path(url: str) -> Path:
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url[len("sqlite:///"):] + ".writer.lock")
    return Path(tempfile.gettempdir()) / f"ccn-writer-{hashlib.sha1(url.encode()).hexdigest()[:12]}.lock"


def _source_row(conn: Connection, source_id: int):
    row = conn.execute(select(schema.sources).where(schema.sources.c.id == source_id)).first()
    if row is None:
        raise KeyError(source_id)
    return row


def _superseded(conn: Connection, docs: list[Document]) -> list[str]:
    """Documents in the store (not stubs) that these replace, repeal or amend, or whose text
    they give anew (a new version of a stored document changes its wording as surely)."""
    targets = {nfc(r.target_doc) for d in docs for r in d.relations if r.kind.value in ENDING_KINDS}
    targets |= {d.key for d in docs}
    if not targets:
        return []
    d = schema.documents
    rows = conn.execute(select(d.c.key).where(d.c.key.in_(sorted(targets)), d.c.is_stub.is_(False)))
    return sorted(r.key for r in rows)


def _audit(conn: Connection, change: Change, source: SourceFile, source_id: int, added: list[str],
           superseded: list[str], action: str, extra: dict | None = None) -> None:
    conn.execute(schema.kb_audit.insert().values(
        at=datetime.now(UTC), actor=change.actor.name, role=change.actor.role, action=action,
        file=Path(source.path.split("!")[-1]).name, sha256=source.sha256, source_id=source_id,
        added=sorted(set(added)), superseded=superseded, detail={**change.detail, **(extra or {})}))


def _stub_if_empty(conn: Connection, key: str) -> None:
    """A document without any counting row left is known only by citation again; an unnumbered
    one ("file:…"), which nothing can cite, is no document any more (its rows stay, for audit)."""
    p = schema.provisions
    if conn.execute(select(p.c.id).where(p.c.doc_key == key, p.c.active.is_(True)).limit(1)).first():
        return
    d = schema.documents
    if key.startswith("file:"):
        conn.execute(d.delete().where(d.c.key == key))
        return
    conn.execute(update(d).where(d.c.key == key).values(is_stub=True, primary_source_id=None))


def _insert_source(conn: Connection, source: SourceFile, status: str = ACTIVE) -> int:
    s = schema.sources
    version = conn.execute(select(func.max(s.c.version)).where(s.c.path == source.path)).scalar() or 0
    conn.execute(update(s).where(s.c.path == source.path).values(current=False))
    result = conn.execute(
        s.insert().values(
            path=source.path,
            sha256=source.sha256,
            size=source.size,
            fmt=source.fmt,
            version=version + 1,
            current=True,
            status=status,
            kind=source.kind,
            parser_version=PARSER_VERSION,
            ingested_at=datetime.now(UTC),
            warnings=source.warnings,
            original_z=zlib.compress(source.original.encode("utf-8"), 6),
        )
    )
    return int(result.inserted_primary_key[0])


def _doc_values(doc: Document) -> dict:
    return {
        "number": doc.number,
        "doc_type": doc.doc_type,
        "doc_class": doc.doc_class.value,
        "issuer": doc.issuer,
        "parent_issuer": doc.parent_issuer,
        "place": doc.place,
        "issued": doc.issued,
        "effective": doc.effective,
        "effective_note": doc.effective_note,
        "expires": doc.expires,
        "title": doc.title,
        "subject": doc.subject,
        "stated_status": doc.stated_status,
        "meta": {
            "recipients": doc.recipients,
            "bases": doc.bases,
            "signer": doc.signer,
            "signer_title": doc.signer_title,
            "signer_authority": doc.signer_authority,
            "distribution": doc.distribution,
            "front_matter": _jsonable(doc.front_matter),
            "warnings": doc.warnings,
        },
    }


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _upsert_document(conn: Connection, doc: Document, source_id: int, source: SourceFile) -> None:
    d = schema.documents
    existing = conn.execute(select(d).where(d.c.key == doc.key)).mappings().first()
    values = _doc_values(doc) | {"is_stub": False, "updated_at": datetime.now(UTC)}
    if existing is None:
        conn.execute(d.insert().values(key=doc.key, **values | {"is_stub": doc.partial}))
    elif existing["is_stub"]:  # a stub, or known so far only by an annex file
        conn.execute(update(d).where(d.c.key == doc.key).values(**values | {"is_stub": doc.partial}))
    elif not doc.partial and _outranks(conn, source, existing["primary_source_id"]):
        if existing["stated_status"] == STALE_COMPILATION and source.kind == "compilation":
            values = {k: v for k, v in values.items() if k not in ("stated_status", "effective_note")}
        # a second copy that lacks a date or a title does not erase what the first one gave
        values = {k: v for k, v in values.items() if v not in (None, "") or existing.get(k) in (None, "")}
        conn.execute(update(d).where(d.c.key == doc.key).values(**values))
    else:  # a weaker source (an annex file, a Pháp điển note): only fill what is missing
        missing = {k: v for k, v in values.items() if existing.get(k) in (None, "", {}) and v}
        if missing:
            conn.execute(update(d).where(d.c.key == doc.key).values(**missing))


def _source_rank(kind: str, fmt: str, source_id: int) -> tuple[int, int, int]:
    return (1 if kind == "document" else 0, FORMAT_RANK.get(fmt, 0), source_id)


def _outranks(conn: Connection, source: SourceFile, other_id: int | None) -> bool:
    if other_id is None:
        return True
    s = schema.sources
    other = conn.execute(select(s.c.kind, s.c.fmt, s.c.current, s.c.status, s.c.path)
                         .where(s.c.id == other_id)).first()
    if other is None or not other.current or other.status != ACTIVE or other.path == source.path:
        return True
    return _source_rank(source.kind, source.fmt, 1) >= _source_rank(other.kind, other.fmt, 0)


def _provision_rows(doc: Document, source_id: int) -> Iterator[dict]:
    def rows(node: Provision, parent: Provision | None) -> Iterator[dict]:
        c = node.citation
        yield {
            "pid": node.pid,
            "doc_key": doc.key,
            "source_id": source_id,
            "active": False,
            "kind": node.kind.value,
            "label": node.label,
            "part": c.part,
            "annex": c.annex,
            "article": c.article,
            "clause": c.clause,
            "point": c.point,
            "title": node.title,
            "text": node.text,
            "original": node.original,
            "parent_pid": parent.pid if parent else None,
            "ordinal": node.ordinal,
            "container_path": list(node.container_path),
            "source_label": node.source_label,
        }
        for child in node.children:
            yield from rows(child, node)

    for top in doc.provisions:
        yield from rows(top, None)


def _insert_provisions(conn: Connection, doc: Document, source_id: int) -> None:
    batch = list(_provision_rows(doc, source_id))
    if batch:
        conn.execute(schema.provisions.insert(), batch)


def _relation_row(rel: Relation, source_id: int) -> dict:
    target = rel.target or Citation(rel.target_doc)
    return {
        "source_id": source_id,
        "kind": rel.kind.value,
        "from_doc": rel.source_doc,
        "from_pid": rel.source_pid,
        "to_doc": nfc(rel.target_doc),
        "to_part": target.part,
        "to_annex": target.annex,
        "to_article": target.article,
        "to_clause": target.clause,
        "to_point": target.point,
        "effective": rel.effective,
        "new_text": rel.new_text,
        "evidence": rel.evidence[:2000],
        "confidence": rel.confidence,
    }


def _insert_relations(conn: Connection, doc: Document, source_id: int) -> None:
    if not doc.relations:
        return
    _insert_relation_rows(conn, doc, source_id)
    for stub in doc.stubs:
        _ensure_stub(conn, stub)


def _insert_relation_rows(conn: Connection, doc: Document, source_id: int) -> None:
    if doc.relations:
        conn.execute(schema.relations.insert(), [_relation_row(r, source_id) for r in doc.relations])


def _ensure_stub(conn: Connection, stub: Document) -> None:
    d = schema.documents
    if conn.execute(select(d.c.key).where(d.c.key == stub.key)).first():
        return
    conn.execute(
        d.insert().values(key=stub.key, **_doc_values(stub), is_stub=True, updated_at=datetime.now(UTC))
    )


def _docs_of_source(conn: Connection, source_id: int) -> set[str]:
    p = schema.provisions
    return {r.doc_key for r in conn.execute(select(p.c.doc_key).where(p.c.source_id == source_id).distinct())}


def _refresh_active(conn: Connection, doc_key: str) -> None:
    """Choose which stored rows the document shows (see module docstring)."""
    p, s = schema.provisions, schema.sources
    rows = conn.execute(
        select(p.c.id, p.c.pid, p.c.part, p.c.annex, s.c.id.label("sid"), s.c.kind, s.c.fmt)
        .join(s, s.c.id == p.c.source_id)
        .where(p.c.doc_key == doc_key, counts(s))
    ).all()
    chosen, primary = _choose_rows(rows)
    conn.execute(update(p).where(p.c.doc_key == doc_key, p.c.active.is_(True)).values(active=False))
    for chunk in _chunks(sorted(chosen), 500):
        conn.execute(update(p).where(p.c.id.in_(chunk)).values(active=True))
    if primary is not None:
        d = schema.documents
        conn.execute(update(d).where(d.c.key == doc_key).values(primary_source_id=primary))


def _choose_rows(rows) -> tuple[set[int], int | None]:
    """Per segment (main text, each Quy chế, each Phụ lục): the best full-text source's rows;
    where only compilations give the segment, the newest row of each provision."""
    groups: dict[tuple, list] = {}
    for r in rows:
        groups.setdefault((r.part, r.annex), []).append(r)
    chosen: set[int] = set()
    primary: tuple | None = None
    for (part, annex), group in groups.items():
        full = [r for r in group if r.kind == "document"]
        if full:
            # a partial copy of the same format (an excerpt in a bulk corpus) never hides the whole text
            size = Counter(r.sid for r in full)
            best = max(full, key=lambda r: (FORMAT_RANK.get(r.fmt, 0), size[r.sid], r.sid))
            chosen |= {r.id for r in full if r.sid == best.sid}
            if part is None and annex is None:
                primary = (best.sid,)
            continue
        newest: dict[str, tuple[int, int]] = {}
        for r in group:
            if r.pid not in newest or r.sid > newest[r.pid][0]:
                newest[r.pid] = (r.sid, r.id)
        chosen |= {row_id for _, row_id in newest.values()}
    if primary is None and rows:
        primary = (max(rows, key=lambda r: _source_rank(r.kind, r.fmt, r.sid)).sid,)
    return chosen, primary[0] if primary else None


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
