"""Ingest files, folders and .tar.xz archives into the store: resumable, incremental, per file.

Each file is hashed first: content already stored is skipped (so an interrupted run resumes
where it stopped), a changed file becomes a new version. Reading and parsing happen outside the
database transaction; one file's failure is recorded with its reason and the batch goes on.
"""

from __future__ import annotations

import hashlib
import sys
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ingest.parse import parse
from ingest.readers import read
from ingest.types import ReadError
from kb.model import DocClass
from kb.store import SourceFile, Store

SUPPORTED_SUFFIXES = {".docx", ".pdf", ".txt", ".md", ".markdown", ".html", ".htm", ".doc"}
SKIPPED_NAMES = {"MANIFEST.tsv", "README.md", "readme.md"}


@dataclass
class IngestReport:
    ingested: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    warnings: dict[str, list[str]] = field(default_factory=dict)
    provisions: int = 0

    def to_json(self) -> dict:
        return {"ingested": self.ingested, "unchanged": self.unchanged, "failed": self.failed}


def iter_files(paths: list[Path], workdir: Path) -> Iterator[tuple[Path, str]]:
    """(file on disk, name to record) for every file under the given paths; archives unpacked."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and _wanted(child):
                    yield child, str(child.resolve())
        elif path.name.endswith((".tar.xz", ".tar.gz", ".tgz", ".tar")):
            yield from _iter_archive(path, workdir)
        else:
            yield path, str(path.resolve())


def _wanted(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES and path.name not in SKIPPED_NAMES


def _iter_archive(archive: Path, workdir: Path) -> Iterator[tuple[Path, str]]:
    target = workdir / hashlib.sha1(str(archive.resolve()).encode()).hexdigest()[:12]
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if m.isfile() and _wanted(Path(m.name))]
        tar.extractall(target, members=members, filter="data")
    for member in sorted(members, key=lambda m: m.name):
        yield target / member.name, f"{archive.resolve()}!{member.name}"


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
        raw = read(path)
        docs = parse(raw)
    except ReadError as exc:
        _fail(store, report, name, sha, exc.problem)
        return
    except Exception as exc:  # a parser bug must not abort the batch: record it
        _fail(store, report, name, sha, f"lỗi phân tích văn bản: {type(exc).__name__}: {exc}")
        return
    kind = "compilation" if any(d.doc_class == DocClass.COMPILATION for d in docs) else "document"
    warnings = sorted({w for d in docs for w in d.warnings})
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
        files = list(iter_files(paths, Path(tmp)))
        iterator = progress(iter(files), len(files)) if progress else iter(files)
        for path, name in iterator:
            if not path.exists():
                _fail(store, report, name, None, "không tìm thấy tệp")
                continue
            ingest_file(store, path, name, report)
    return report
