"""The store works on PostgreSQL by URL: a real throwaway server on 127.0.0.1, started here."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

import pytest

from ingest.runner import ingest_paths
from kb import lookup
from kb.model import Kind
from kb.store import Store

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(*args: str) -> list[str]:
    """Commands run as the postgres user when we are root (initdb refuses root)."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)


@pytest.fixture(scope="module")
def pg_url():
    if not (PG_BIN / "initdb").exists():
        pytest.fail("PostgreSQL 15 không có: `make setup` cài gói Debian postgresql")
    data = Path(tempfile.mkdtemp(prefix="ccn-pg-"))  # outside pytest's root-only tmp folder
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
    port = _free_port()
    subprocess.run(_as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "-U", "ccn", "-A", "trust",
                                "-E", "UTF8", "--locale=C.UTF-8"), check=True, capture_output=True)
    subprocess.run(_as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-l", str(data / "log"),
                                "-o", f"-p {port} -k {data} -c listen_addresses=127.0.0.1", "start"),
                   check=True, capture_output=True)
    try:
        for _ in range(50):
            if subprocess.run([str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)]).returncode == 0:
                break
            time.sleep(0.1)
        yield f"postgresql+psycopg://ccn@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"),
                       capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


def test_ingest_and_show_on_postgresql(pg_url: str, ccn_dir: Path):
    store = Store(pg_url)
    files = [ccn_dir / "ND-32-2024-ND-CP.docx", ccn_dir / "TT-14-2024-TT-BCT.docx"]
    report = ingest_paths(store, files)
    assert report.failed == []
    articles = store.provisions("32/2024/NĐ-CP", kind=Kind.ARTICLE.value)
    assert [r.article for r in articles] == list(range(1, 39))
    shown = lookup.show(store, "điểm c khoản 2 Điều 8 Nghị định 32/2024/NĐ-CP", date(2026, 11, 28))
    assert shown["text"].startswith("c) Đạt tỷ lệ lấp đầy ít nhất 60%")
    rows = {r.doc: r for r in lookup.document_rows(store, date(2026, 11, 28))}
    assert rows["14/2024/TT-BCT"].replaces == ["28/2020/TT-BCT"]
    again = ingest_paths(Store(pg_url), files)  # migrations are not re-applied, files unchanged
    assert len(again.unchanged) == 2 and again.ingested == []
