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
from dataclasses import dataclass, field
from pathlib import Path

from ingest.notices import NOTICE_SUFFIXES, SOURCE_KIND, read_notice
from ingest.parse import parse
from ingest.readers import read
from ingest.types import ReadError
from kb import institutions
from kb.model import DocClass
from kb.store import SourceFile, Store

SUPPORTED_SUFFIXES = {".docx", ".pdf", ".txt", ".md", ".markdown", ".html", ".htm", ".doc", *NOTICE_SUFFIXES}
SKIPPED_NAMES = {"MANIFEST.tsv", "README.md", "readme.md"}
ARCHIVE_SUFFIXES = (".tar.xz", ".tar.gz", ".tgz", ".tar")
MAX_TEXT_BYTES = 20 * 1024 * 1024  # a text file (TXT, MD, HTML) larger than this is refused
MAX_TEXT_CHARS = 20_000_000  # so is any file (DOCX, PDF) whose text read is longer than this


@dataclass
class IngestReport:
    ingested: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    warnings: dict[str, list[str]] = field(default_factory=dict)
    provisions: int = 0

    def to_json(self) -> dict:
        return {"ingested": self.ingested, "unchanged": self.unchanged, "failed": self.failed}


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


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def ingest_file(store: Store, path: Path, name: str, report: IngestReport) -> None:
    """Read, parse and store one file; record the outcome in the report."""
    try:
        sha = sha256_of(path)
    except OSError as exc:
        _fail(store, report, name, None, f"không đọc được tệp: {exc.strerror or exc}")
        return
    if store.file_state(name, sha) == "unchanged":
        report.unchanged.append(name)
        return
    try:
        too_large = _too_large(path, path.stat().st_size)
    except OSError as exc:
        too_large = f"không đọc được tệp: {exc.strerror or exc}"
    if too_large:
        _fail(store, report, name, sha, too_large)
        return
    if path.suffix.lower() in NOTICE_SUFFIXES:
        _ingest_notice(store, path, name, sha, report)
        return
    try:
        raw = read(path)
        chars = sum(len(b.original) for b in raw.blocks)
        if chars > MAX_TEXT_CHARS:
            problem = (f"chữ trích từ tệp quá dài ({_vn_int(chars)} ký tự, giới hạn "
                       f"{_vn_int(MAX_TEXT_CHARS)}): {_SPLIT_ADVICE}")
            _fail(store, report, name, sha, problem)
            return
        docs = parse(raw)
    except ReadError as exc:
        _fail(store, report, name, sha, exc.problem)
        return
    except Exception as exc:  # a parser bug must not abort the batch: record it
        _fail(store, report, name, sha, f"lỗi phân tích văn bản: {type(exc).__name__}: {exc}")
        return
    kind = "compilation" if any(d.doc_class == DocClass.COMPILATION for d in docs) else "document"
    warnings = sorted({w for d in docs for w in d.warnings} | set(raw.warnings if not docs else []))
    source = SourceFile(name, sha, path.stat().st_size, raw.fmt, kind, warnings, raw.original)
    try:
        store.save(source, docs)
    except Exception as exc:
        _fail(store, report, name, sha, f"lỗi ghi kho dữ liệu: {type(exc).__name__}: {exc}")
        return
    report.ingested.append(name)
    report.provisions += sum(1 for d in docs for _ in d.all_provisions())
    if warnings:
        report.warnings[name] = warnings


def _ingest_notice(store: Store, path: Path, name: str, sha: str, report: IngestReport) -> None:
    """A notice file (ingest.notices): stub documents, their relations, institution changes."""
    try:
        notice = read_notice(path)
    except ReadError as exc:
        _fail(store, report, name, sha, exc.problem)
        return
    source = SourceFile(name, sha, path.stat().st_size, "yaml", SOURCE_KIND, [], notice.text)
    try:
        store.save(source, notice.docs, extra=lambda conn, sid: institutions.save(conn, sid, notice.institutions))
    except Exception as exc:
        _fail(store, report, name, sha, f"lỗi ghi kho dữ liệu: {type(exc).__name__}: {exc}")
        return
    report.ingested.append(name)


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
) -> IngestReport:
    """Ingest everything under `paths`. `progress` wraps the file iterator (e.g. tqdm)."""
    report = IngestReport()
    with tempfile.TemporaryDirectory(prefix="ccn-ingest-") as tmp:
        problems: list[tuple[str, str]] = []
        files = list(iter_files(paths, Path(tmp), problems))
        for name, error in problems:
            _fail(store, report, name, None, error)
        iterator = progress(iter(files), len(files)) if progress else iter(files)
        for path, name in iterator:
            if not path.exists():
                _fail(store, report, name, None, "không tìm thấy tệp")
                continue
            ingest_file(store, path, name, report)
    return report
