"""`ccn run` (what `make run` does): serve first, improve in the background.

    1. the port is checked before any work: busy → a Vietnamese message naming it, exit 1;
    2. an empty store gets the first set of the default corpus (the ccn core corpus) at once;
    3. a home without an index gets its lexical index (seconds to a minute), and serving starts;
    4. a background job (api/jobs.py) ingests the rest of the default corpus, embeds (the server
       swaps in the vectors when they are stored) and trains the query student (swapped in
       too), with progress lines in the terminal, in /health (`build`) and as the web UI's banner.

A home that needs none of this (the second `make run`) is served as `ccn serve` does.
"""

from __future__ import annotations

import errno
import socket
import sys
from pathlib import Path

from api.progress import ProgressLines
from api.state import AppState, is_stale, mark_stale, units_without_vectors
from corpus import corpus_paths
from ingest.runner import ingest_paths
from kb.store import Store
from retrieval.index import connect_units
from retrieval.student import student_dir


def port_problem(host: str, port: int) -> str | None:
    """None when `host:port` can be listened on, else why not, in Vietnamese (checked by
    binding it, as uvicorn will, and letting it go at once)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (f"cổng {port} trên {host} đang được một chương trình khác dùng; "
                        f"chọn cổng khác, ví dụ `PORT={port + 1} make run` (hoặc `ccn run --port {port + 1}`)")
            return f"không mở được cổng {port} trên {host}: {exc.strerror or exc}"
    return None


def has_units(home: Path) -> bool:
    conn = connect_units(home)
    try:
        return conn.execute("SELECT 1 FROM units LIMIT 1").fetchone() is not None
    finally:
        conn.close()


def needs_background(home: Path) -> bool:
    """Vectors or the query student still to be made (or an interrupted index to complete)."""
    incomplete = is_stale(home) or units_without_vectors(home) > 0
    return incomplete or not (student_dir(home) / "manifest.json").exists()


def ingest_core(store: Store, home: Path, paths: list[Path]) -> list[Path]:
    """An empty store: the first path of the default set (the core corpus) now; returns the
    others, for the background job. A store with documents: nothing now, nothing later."""
    if store.counts()["documents"]:
        return []
    print(f"Kho trống: nạp bộ văn bản chính {paths[0]} trước khi phục vụ…", file=sys.stderr)
    report = ingest_paths(store, paths[:1], progress=ProgressLines().ingest)
    mark_stale(home, create=False)
    for failure in report.failed:
        print(f"LỖI  {failure['path']}: {failure['error']}", file=sys.stderr)
    return paths[1:]


def start_background(state: AppState, rest: list[Path]):
    """The job that completes the first run while the server answers (lexically meanwhile)."""

    def work(job) -> dict:
        progress = ProgressLines(job=job)
        result: dict = {}
        if rest:
            report = ingest_paths(state.store, rest, progress=progress.ingest)
            result["ingested"] = len(report.ingested)
        from api.cli import update_catalogue
        from api.cli_register import register_from_corpus

        update_catalogue(state.store, default=True)  # the documents cited anywhere (kb/catalog.py)
        register_from_corpus(state.store, quiet=True)
        result["vectors"] = state.reindex(progress).embedded  # served as soon as it is stored
        student = state.reindex(progress, student="auto").student
        result["student"] = student.model_dump(mode="json") if student else None
        print("Đã xong: tìm kiếm kết hợp (từ khoá + vector + mô hình câu hỏi) sẵn sàng.", file=sys.stderr,
              flush=True)
        return result

    state.build_job = state.jobs.submit("first-run", "ccn run", work)
    return state.build_job


def default_paths() -> list[Path]:
    return corpus_paths("default")
