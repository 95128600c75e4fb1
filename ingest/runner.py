"""Ingest files, folders and .tar.xz archives into the store: resumable, incremental, per file.

Each file is hashed first: content already stored is skipped (so an interrupted run resumes
where it stopped), a changed file becomes a new version. Reading and parsing happen outside the
database transaction; one file's failure is recorded with its reason and the batch goes on.

Nothing aborts a batch: a broken or truncated archive, or an unsafe member name in it, is a
failure of that archive (or member); the members read before the break are still ingested.
A text over MAX_TEXT_BYTES / MAX_TEXT_CHARS (20 MB, 20 million characters; the largest real
legal file seen is under 4 MB) fails at once with a clear message instead of being parsed as one
enormous document: it is a dump of many texts, and parsing it takes minutes and gigabytes.
"""

from __future__ import annotations

import hashlib
import lzma
import sys
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic import BaseModel, Field

from ingest.limits import MB, budget, check_size, limit
from ingest.notices import NOTICE_SUFFIXES, SOURCE_KIND, read_notice
from ingest.parse import parse
from ingest.readers import read
from ingest.types import ReadError
from kb import institutions
from kb.hashing import sha256_of
from kb.model import DocClass, Document
from kb.store import ACTIVE, PENDING, Change, SourceFile, Store

SUPPORTED_SUFFIXES = {".docx", ".pdf", ".txt", ".md", ".markdown", ".html", ".htm", ".doc", *NOTICE_SUFFIXES}
SKIPPED_NAMES = {"MANIFEST.tsv", "README.md", "readme.md"}
ARCHIVE_SUFFIXES = (".tar.xz", ".tar.gz", ".tgz", ".tar")
MAX_TEXT_BYTES = limit("text_file_mb") * MB  # a text file (TXT, MD, HTML) larger than this is refused
MAX_TEXT_CHARS = 20_000_000  # so is any file (DOCX, PDF) whose text read is longer than this


class IngestReport(BaseModel):
    """What an ingestion did, file by file (`ccn ingest --json` writes the first three fields; the
    others are for the caller: the upload job, the summary line). Filled in as files are stored,
    so nothing here is validated per file."""

    ingested: list[str] = []
    unchanged: list[str] = []
    failed: list[dict[str, str]] = []  # path, error
    warnings: dict[str, list[str]] = Field({}, exclude=True)
    provisions: int = Field(0, exclude=True)
    pending: list[str] = Field([], exclude=True)  # stored, waiting for confirmation
    source_ids: dict[str, int] = Field({}, exclude=True)
    superseded: dict[str, list[str]] = Field({}, exclude=True)  # documents each file replaces
    statuses: dict[str, int] = Field({}, exclude=True)  # HTTP status of a file over a limit

    def failed_names(self) -> set[str]:
        return {f["path"] for f in self.failed}


def iter_files(
    paths: list[Path], workdir: Path, problems: list[tuple[str, str]] | None = None
) -> Iterator[tuple[Path, str]]:
    """(file on disk, name to record) for every file under the given paths; archives unpacked.

    An archive that cannot be read (or a member that cannot be extracted) is appended to
    `problems` as (name, Vietnamese message) and skipped; without `problems` it is ignored.
    """
    problems = problems if problems is not None else []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and _wanted(child):
                    yield child, str(child.resolve())
        elif path.name.endswith(ARCHIVE_SUFFIXES) and path.is_file():
            yield from _iter_archive(path, workdir, problems)
        else:
            yield path, str(path.resolve())


def _wanted(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES and path.name not in SKIPPED_NAMES


_ARCHIVE_ERRORS = (tarfile.TarError, OSError, EOFError, lzma.LZMAError, zlib.error)


def _iter_archive(
    archive: Path, workdir: Path, problems: list[tuple[str, str]]
) -> Iterator[tuple[Path, str]]:
    """Extract the wanted members one by one: a break keeps what was read before it."""
    target = workdir / hashlib.sha1(str(archive.resolve()).encode()).hexdigest()[:12]
    name = str(archive.resolve())
    extracted: list[tarfile.TarInfo] = []
    try:
        with tarfile.open(archive) as tar:
            for member in tar:
                if not (member.isfile() and _wanted(Path(member.name))):
                    continue
                try:  # the size the header declares, before a byte is written
                    check_size(f"{name}!{member.name}", "archive_member_mb", member.size)
                except ReadError as exc:
                    problems.append((f"{name}!{member.name}", exc.problem))
                    continue
                try:
                    tar.extract(member, target, filter="data")
                except tarfile.FilterError as exc:
                    unsafe = f"tên tệp không an toàn trong tệp nén: {exc}"
                    problems.append((f"{name}!{member.name}", unsafe))
                    continue
                extracted.append(member)
    except _ARCHIVE_ERRORS as exc:
        where = f" (sau {len(extracted)} tệp đọc được)" if extracted else ""
        broken = f"tệp nén bị hỏng hoặc không đầy đủ{where}: {type(exc).__name__}: {exc}"
        problems.append((name, broken))
    for member in sorted(extracted, key=lambda m: m.name):
        yield target / member.name, f"{name}!{member.name}"


def _too_large(path: Path, size: int) -> str | None:
    """The message for a text too large to be one document, judged before reading it."""
    if size <= MAX_TEXT_BYTES:
        return None
    with path.open("rb") as fh:
        head = fh.read(1024)
    if head.startswith(b"PK\x03\x04") or b"%PDF-" in head:
        return None  # DOCX or PDF: the size is images and layout; the text is checked once read
    mb = f"{size / 1024 / 1024:.1f}".replace(".", ",")
    return (f"tệp văn bản quá lớn ({mb} MB, giới hạn {MAX_TEXT_BYTES // 1024 // 1024} MB): "
            f"{_SPLIT_ADVICE}")


def _vn_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")  # 20.000.000


_SPLIT_ADVICE = "không nạp (một văn bản không dài đến thế); hãy tách thành từng văn bản rồi nạp lại"


def ingest_file(store: Store, path: Path, name: str, report: IngestReport, *,
                change: Change | None = None, hold_superseding: bool = False) -> None:
    """Read, parse and store one file; record the outcome in the report. With
    `hold_superseding` (uploads through the API) a text that replaces, repeals or amends
    documents already stored is kept pending until a second person confirms it."""
    prepared = prepare_file(store, path, name, report)
    if prepared is not None:
        store_file(store, prepared, report, change=change, hold_superseding=hold_superseding)


@dataclass
class Prepared:
    """A file read and parsed, not yet stored."""

    source: SourceFile
    docs: list[Document]
    institution_changes: list = field(default_factory=list)  # a notice's (kb.institutions)


def prepare_file(store: Store, path: Path, name: str, report: IngestReport) -> Prepared | None:
    """Hash, read and parse one file (the slow part: OCR, parsing) without writing the store
    but for a failure's record; None when it is unchanged or failed (both in the report). The
    API does this outside the one-writer lock, so a long OCR never holds up other writers."""
    try:
        sha = sha256_of(path)
    except OSError as exc:
        _fail(store, report, name, None, f"không đọc được tệp: {exc.strerror or exc}")
        return None
    if store.file_state(name, sha) == "unchanged":
        report.unchanged.append(name)
        return None
    if path.suffix.lower() in NOTICE_SUFFIXES:
        return _prepare_notice(store, path, name, sha, report)
    read_parsed = _read_and_parse(store, path, name, sha, report, store.same_content_elsewhere(name, sha))
    if read_parsed is None:
        return None
    raw, docs = read_parsed
    kind = "compilation" if any(d.doc_class == DocClass.COMPILATION for d in docs) else "document"
    warnings = sorted({w for d in docs for w in d.warnings} | set(raw.warnings if not docs else []))
    return Prepared(SourceFile(name, sha, path.stat().st_size, raw.fmt, kind, warnings, raw.original), docs)


def store_file(store: Store, prepared: Prepared, report: IngestReport, *, change: Change | None = None,
               hold_superseding: bool = False) -> None:
    """Store a prepared file (under the writer lock: the same content stored meanwhile by
    another writer is found unchanged, never stored twice)."""
    source, docs, name = prepared.source, prepared.docs, prepared.source.path
    if store.file_state(name, source.sha256) == "unchanged":
        report.unchanged.append(name)
        return
    superseded = store.superseded_by(docs)
    status = PENDING if hold_superseding and superseded else ACTIVE
    try:
        changes = prepared.institution_changes
        source_id = store.save(source, docs, status, change,
                               extra=(lambda conn, sid: institutions.save(conn, sid, changes)) if changes else None)
    except Exception as exc:
        _fail(store, report, name, source.sha256, f"lỗi ghi kho dữ liệu: {type(exc).__name__}: {exc}")
        return
    (report.pending if status == PENDING else report.ingested).append(name)
    report.source_ids[name] = source_id
    if superseded:
        report.superseded[name] = superseded
    report.provisions += sum(1 for d in docs for _ in d.all_provisions())
    if source.warnings:
        report.warnings[name] = source.warnings


def parse_file(path: Path) -> list[Document]:
    """A stored file read and parsed again, under the same limits (to confirm a pending upload)."""
    with budget():
        return parse(read(path))


def _read_and_parse(store: Store, path: Path, name: str, sha: str, report: IngestReport,
                    copy_of: str | None = None):
    """(RawText, documents), or None with the failure recorded. `copy_of`: the path of a stored
    file with the same bytes; this one is read under that file's name, so an unnumbered text (a
    report filed in two folders) is one document with two files, not two documents."""
    try:
        too_large = _too_large(path, path.stat().st_size)
    except OSError as exc:
        too_large = f"không đọc được tệp: {exc.strerror or exc}"
    if too_large:
        _fail(store, report, name, sha, too_large)
        return None
    try:
        with budget():  # the time budget of the request or job, or one of this file's own
            raw = read(path)
            if copy_of:
                raw = replace(raw, path=raw.path.with_name(Path(copy_of.split("!")[-1]).name))
            chars = sum(len(b.original) for b in raw.blocks)
            if chars > MAX_TEXT_CHARS:
                problem = (f"chữ trích từ tệp quá dài ({_vn_int(chars)} ký tự, giới hạn "
                           f"{_vn_int(MAX_TEXT_CHARS)}): {_SPLIT_ADVICE}")
                _fail(store, report, name, sha, problem)
                return None
            return raw, parse(raw)
    except ReadError as exc:
        if getattr(exc, "status", None):
            report.statuses[name] = exc.status
        _fail(store, report, name, sha, exc.problem)
        return None
    except Exception as exc:  # a parser bug must not abort the batch: record it
        _fail(store, report, name, sha, f"lỗi phân tích văn bản: {type(exc).__name__}: {exc}")
        return None


def _prepare_notice(store: Store, path: Path, name: str, sha: str, report: IngestReport) -> Prepared | None:
    """A notice file (ingest.notices): stub documents, their relations, institution changes."""
    try:
        notice = read_notice(path)
    except ReadError as exc:
        _fail(store, report, name, sha, exc.problem)
        return None
    source = SourceFile(name, sha, path.stat().st_size, "yaml", SOURCE_KIND, [], notice.text)
    return Prepared(source, notice.docs, notice.institutions)


def _fail(store: Store, report: IngestReport, name: str, sha: str | None, error: str) -> None:
    report.failed.append({"path": name, "error": error})
    try:
        store.record_failure(name, sha, error)
    except Exception as exc:  # the store itself failing is reported, not fatal
        print(f"không ghi được lỗi vào kho: {exc}", file=sys.stderr)


def ingest_paths(
    store: Store,
    paths: list[Path],
    progress: Callable[[Iterator, int], Iterator] | None = None,
    change: Change | None = None,
) -> IngestReport:
    """Ingest everything under `paths`. `progress` wraps the file iterator (e.g. tqdm). One
    writer per knowledge base: a second concurrent run waits (and says so on stderr) for the
    first, then finds its files unchanged; no row is ever stored twice."""
    report = IngestReport()
    with store.writer_lock(_say), tempfile.TemporaryDirectory(prefix="ccn-ingest-") as tmp:
        problems: list[tuple[str, str]] = []
        files = list(iter_files(paths, Path(tmp), problems))
        for name, error in problems:
            _fail(store, report, name, None, error)
        iterator = progress(iter(files), len(files)) if progress else iter(files)
        for path, name in iterator:
            if not path.exists():
                _fail(store, report, name, None, "không tìm thấy tệp")
                continue
            ingest_file(store, path, name, report, change=change)
    return report


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
