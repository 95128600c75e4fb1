"""Build the catalogue of documents that exist (kb/catalog.py) from texts not ingested as law:
the hỏi đáp archive (~14,000 pages, streamed from the .tar.xz, never unpacked), a folder of
letters, notice files (YAML).

Each source is one unit: its sha256 is recorded, an unchanged source is skipped (`make run`
twice costs one hash), a changed one replaces its mentions in one transaction (resumable:
an interrupted build leaves the previous rows and is simply run again).
"""

from __future__ import annotations

import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

import yaml
from pydantic import BaseModel

from ingest.readers import read
from ingest.runner import ARCHIVE_SUFFIXES, SUPPORTED_SUFFIXES
from ingest.types import ReadError
from kb import catalog
from kb.citations import doc_type_from_number, normalize_number, render
from kb.hashing import content_sha256
from kb.model import Citation, nfc
from kb.store import Store

NOTICE_SUFFIXES = (".yaml", ".yml")


class CatalogueReport(BaseModel):
    """What a catalogue build did, per source (origin)."""

    built: dict[str, int] = {}  # origin → mentions
    unchanged: list[str] = []
    failed: list[dict[str, str]] = []  # path, error
    seconds: dict[str, float] = {}


def build_catalogue(store: Store, paths: list[Path], kind: str | None = None) -> CatalogueReport:
    """Catalogue the mentions of every source under `paths` (archives, folders, YAML files).
    `kind` labels the source ("hoidap", "letters", "notice"); by default from its form."""
    report = CatalogueReport()
    for path in paths:
        origin = str(path.resolve())
        try:
            sha = content_sha256(path)
        except OSError as exc:
            report.failed.append({"path": origin, "error": f"không đọc được: {exc.strerror or exc}"})
            continue
        if catalog.built_sha(store, origin) == sha:
            report.unchanged.append(origin)
            continue
        started = time.monotonic()
        try:
            which = kind or _kind(path)
            mentions = list(_mentions(path, which, report))
        except (tarfile.TarError, OSError, EOFError) as exc:
            report.failed.append({"path": origin, "error": f"tệp nén hỏng hoặc không đọc được: {exc}"})
            continue
        seconds = time.monotonic() - started
        report.built[origin] = catalog.replace_origin(store, origin, which, sha, mentions, seconds)
        report.seconds[origin] = round(seconds, 1)
    return report


STORE_ORIGIN = "kho: văn bản đã nạp"


def catalogue_store(store: Store) -> CatalogueReport:
    """Catalogue what the ingested texts cite, mentions without a provision included ("hình
    thành trước Quyết định số 105/2009/QĐ-TTg ngày 19 tháng 8 năm 2009 …" in NĐ 32/2024 gives
    no relation, and no stub). Each article's text is read once (its clauses are inside it), and each text outside articles.
    Keyed by the current sources' sha256: unchanged when nothing was ingested since."""
    import hashlib

    from sqlalchemy import and_, or_, select

    from kb import schema

    report = CatalogueReport()
    src, prov = schema.sources, schema.provisions
    with store.engine.connect() as conn:
        shas = sorted(r[0] for r in conn.execute(select(src.c.sha256).where(src.c.current.is_(True))))
    sha = hashlib.sha256("\n".join(shas).encode()).hexdigest()
    if catalog.built_sha(store, STORE_ORIGIN) == sha:
        report.unchanged.append(STORE_ORIGIN)
        return report
    started = time.monotonic()
    query = (select(prov.c.doc_key, prov.c.part, prov.c.annex, prov.c.article, prov.c.text)
             .where(prov.c.active.is_(True),
                    or_(prov.c.kind == "dieu", and_(prov.c.parent_pid.is_(None), prov.c.kind != "chuong"))))
    mentions = []
    with store.engine.connect() as conn:
        for key, part, annex, article, text in conn.execute(query):
            where = render(Citation(key, part, annex, article), with_doc=False) if article or annex else None
            for m in catalog.mentions_in_text(text, key):
                if m.number != key:
                    m.address = where
                    mentions.append(m)
    seconds = time.monotonic() - started
    report.built[STORE_ORIGIN] = catalog.replace_origin(store, STORE_ORIGIN, "texts", sha, mentions, seconds)
    report.seconds[STORE_ORIGIN] = round(seconds, 1)
    return report


def _kind(path: Path) -> str:
    if path.name.endswith(ARCHIVE_SUFFIXES):
        return "hoidap"
    if path.suffix in NOTICE_SUFFIXES or (path.is_dir() and any(path.glob("*.yaml"))):
        return "notice"
    return "letters"


def _mentions(path: Path, kind: str, report: CatalogueReport) -> Iterator[catalog.Mention]:
    if path.name.endswith(ARCHIVE_SUFFIXES):
        for name, text in _archive_pages(path):
            yield from catalog.mentions_in_text(text, name)
        return
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for file in files:
        if file.suffix in NOTICE_SUFFIXES:
            yield from _notice_mentions(file, report)
        elif file.suffix.lower() in SUPPORTED_SUFFIXES and file.name not in ("README.md", "MANIFEST.tsv"):
            try:
                raw = read(file)
            except ReadError as exc:
                report.failed.append({"path": str(file), "error": exc.problem})
                continue
            yield from catalog.mentions_in_text("\n".join(raw.lines), file.name)


def _archive_pages(path: Path) -> Iterator[tuple[str, str]]:
    """(member name, text) of each Markdown/text member, streamed."""
    with tarfile.open(path, "r:*") as tar:
        for member in tar:
            if member.isfile() and member.name.endswith((".md", ".txt")):
                data = tar.extractfile(member)
                if data is not None:
                    yield Path(member.name).name, data.read().decode("utf-8", errors="replace")


def _notice_mentions(file: Path, report: CatalogueReport) -> Iterator[catalog.Mention]:
    """A notice (../shared/corpus/notices/*.yaml): the document it describes, and each provision
    it amends or repeals (a mention of that document at that address, by the notice)."""
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        report.failed.append({"path": str(file), "error": f"tệp thông báo không đọc được: {exc}"})
        return
    if not isinstance(data, dict) or not data.get("doc"):
        return  # e.g. institutions-2025.yaml: no document
    number = normalize_number(nfc(str(data["doc"])))
    issued = data.get("issued")
    yield catalog.Mention(number, file.name, data.get("type") or doc_type_from_number(number),
                          issued if hasattr(issued, "year") else None, data.get("issuer"),
                          data.get("title"))
    for verb_key in ("amends", "repeals"):
        for item in data.get(verb_key) or []:
            if not isinstance(item, dict) or not item.get("doc"):
                continue
            target = normalize_number(nfc(str(item["doc"])))
            verb = "sửa đổi" if verb_key == "amends" else "bãi bỏ"
            address = f"{verb} (điều khoản chưa rõ)"
            if item.get("article"):
                address = verb + " " + render(Citation(target, None, None, int(item["article"]),
                                                       item.get("clause"), item.get("point")), with_doc=False)
            yield catalog.Mention(target, file.name, doc_type_from_number(target), address=address)
