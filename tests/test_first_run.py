"""The first run (issue 13, point 1): progress a person sees when output is not a terminal, a
busy port refused before any work, lexical search served before the vectors exist and the
vectors picked up without a restart, Swagger UI offline."""

from __future__ import annotations

import io
import socket
import time

import httpx
import numpy as np
import pytest

from api.progress import ProgressLines, progress_line
from api.state import units_without_vectors
from ingest.runner import ingest_paths
from kb.store import Store


class FakeClock:
    """A clock the test moves: each item of the work below takes `step` seconds."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 1000.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_progress_lines_when_not_a_terminal(capsys):
    clock = FakeClock(step=1.0)  # one second per batch
    progress = ProgressLines(every=10.0, clock=clock, beat=None)  # stderr under capsys is not a TTY
    assert list(progress(range(60), 60, "Tính vector")) == list(range(60))
    lines = capsys.readouterr().err.splitlines()
    # a line every 10 s (items 10, 20, … 50) and one at the end; no bar, no carriage returns
    assert lines[0] == "Tính vector: 10/60 (16 %), còn khoảng 50 giây"
    assert lines[1] == "Tính vector: 20/60 (33 %), còn khoảng 40 giây"
    assert lines[-1] == "Tính vector: 60/60 (100 %), xong"
    assert len(lines) == 6 and "\r" not in "".join(lines)


def test_progress_eta_in_minutes():
    assert progress_line("Tính vector", 640, 1725, 190.0) == "Tính vector: 640/1725 (37 %), còn khoảng 3 phút"
    stream = io.StringIO()
    wrap = ProgressLines(stream, every=10.0, clock=FakeClock(step=20.0), beat=None).ingest
    assert list(wrap(iter(["a.docx", "b.pdf"]), 2)) == ["a.docx", "b.pdf"]
    assert stream.getvalue().splitlines() == ["Nạp văn bản: 1/2 (50 %), còn khoảng 20 giây",
                                              "Nạp văn bản: 2/2 (100 %), xong"]
    nothing = io.StringIO()  # a step with nothing to do says nothing
    assert list(ProgressLines(nothing, clock=FakeClock(step=1.0))([], 0, "Phân tích văn bản")) == []
    assert nothing.getvalue() == ""


def test_progress_line_while_one_item_takes_long():
    """A slow batch (a minute of embedding on a busy machine) still gets its line every `every`
    seconds: the helper thread prints it while the next item is awaited."""
    stream = io.StringIO()

    def items():
        yield "batch 1"
        for _ in range(1000):  # the second batch "takes" until a line was printed (≤ 10 s)
            if stream.getvalue():
                break
            time.sleep(0.01)
        yield "batch 2"

    progress = ProgressLines(stream, every=0.05, beat=0.01)
    assert list(progress(items(), 2, "Tính vector")) == ["batch 1", "batch 2"]
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("Tính vector: 1/2 (50 %), còn khoảng")
    assert lines[-1] == "Tính vector: 2/2 (100 %), xong"


# ------------------------------------------------------------------ busy port, before any work
def test_busy_port_fails_fast_in_vietnamese_before_any_work(tmp_path, capsys):
    from api.cli import main

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = main(["--home", str(tmp_path / "home"), "run", "--port", str(port)])
    err = capsys.readouterr().err
    assert code == 1
    assert f"cổng {port} trên 127.0.0.1 đang được một chương trình khác dùng" in err
    assert f"PORT={port + 1} make run" in err
    assert not (tmp_path / "home").exists()  # nothing ingested, no store created


# ------------------------------------------------------------------ lexical first, vectors later
class DeterministicStandInEmbedder:
    """A deterministic stand-in for the embedding model (no model runs in this test): a text's
    vector counts a few letters, normalised. Only its arrival matters here, not its quality."""

    name = "stand-in:letter-counts"
    dim = 8

    def embed_documents(self, texts):
        rows = np.array([[t.count(c) + 1.0 for c in "acgiklnt"] for t in texts], dtype=np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    def embed_query(self, text):
        return self.embed_documents([text])[0]

    def embed_queries(self, texts):
        return self.embed_documents(texts)


def test_serves_lexical_search_then_picks_up_vectors_without_restart(tmp_path, monkeypatch, ccn_dir):
    from conftest import serve_app

    from api.app import create_app
    from api.first_run import needs_background
    from retrieval.build import build_indexes, build_lexical

    monkeypatch.setenv("CCN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("CCN_EMBEDDER", "stand-in")  # what the server's searcher opens
    monkeypatch.setattr("retrieval.dense.embedder_from_config", lambda *a, **k: DeterministicStandInEmbedder())
    home = tmp_path / "home"
    store = Store.at_home(home)
    report = ingest_paths(store, [ccn_dir / "ND-32-2024-ND-CP.txt", ccn_dir / "QD-130-2022-QD-CTDP.md"])
    assert report.failed == [] and len(report.ingested) == 2
    lexical = build_lexical(store, home)
    assert lexical.units > 50 and units_without_vectors(home) == lexical.units - _skipped(home)
    assert needs_background(home)
    app = create_app(home, store=store, preload=True, startup=lambda state: None)
    with serve_app(app) as base, httpx.Client(base_url=base, timeout=60) as client:
        health = client.get("/health").json()
        assert health["search_ready"] and health["query_encoder"] is None and health["status"] == "indexing"
        hits = client.get("/api/search", params={"q": "điều kiện thành lập cụm công nghiệp"}).json()["results"]
        assert hits and "32/2024/NĐ-CP" in hits[0]["citation_text"]
        # the background work, as another process would do it: vectors stored, the index stamped
        built = build_indexes(store, home, dense="core", embedder="stand-in")
        assert built.embedded == lexical.units - _skipped(home) > 0
        for attempt in range(100):  # a search notices the new index and reloads it meanwhile
            client.get("/api/search", params={"q": f"cụm công nghiệp {attempt}"})  # not a cached answer
            health = client.get("/health").json()
            if health["query_encoder"]:
                break
            time.sleep(0.1)
        assert health["query_encoder"] == DeterministicStandInEmbedder.name
        assert health["units_without_vectors"] == 0 and health["build"] is None


def _skipped(home) -> int:
    from retrieval.index import EMBED_SKIPPED, connect_units

    conn = connect_units(home)
    try:
        return conn.execute("SELECT count(*) FROM units WHERE embedded = ?", (EMBED_SKIPPED,)).fetchone()[0]
    finally:
        conn.close()


# ------------------------------------------------------------------ /docs offline
def test_docs_are_served_offline_without_inline_script(tmp_path):
    import re

    from conftest import serve_app

    from api.app import create_app

    app = create_app(tmp_path / "home", startup=lambda state: None)
    with serve_app(app) as base, httpx.Client(base_url=base, timeout=30) as client:
        page = client.get("/docs")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.S)
        assert scripts and all(body.strip() == "" and "src=" in attrs for attrs, body in scripts)  # CSP-safe
        urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert "/docs-assets/swagger-ui-bundle.js" in urls and "/docs-assets/swagger-ui.css" in urls
        assert "/static/swagger-init.js" in urls
        for url in urls:
            assert url.startswith("/"), url  # no CDN
            asset = client.get(url)
            assert asset.status_code == 200 and len(asset.content) > 100, url
        assert 'data-url="/openapi.json"' in page.text
        assert client.get("/openapi.json").json()["info"]["title"] == app.title
        assert client.get("/redoc").status_code == 404  # ReDoc would load a CDN: not served


# ------------------------------------------------------------------ the background job, in /health
@pytest.mark.slow
def test_background_job_ingests_the_rest_embeds_and_reports_in_health(tmp_path, monkeypatch, ccn_dir, capsys):
    from conftest import serve_app

    from api.app import create_app
    from api.first_run import start_background
    from retrieval.build import build_lexical

    monkeypatch.setenv("CCN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("CCN_EMBEDDER", "stand-in")
    monkeypatch.setattr("retrieval.dense.embedder_from_config", lambda *a, **k: DeterministicStandInEmbedder())
    monkeypatch.setattr("retrieval.build.query_question_paths", lambda: [])  # no hỏi đáp archive: quick
    monkeypatch.setattr("retrieval.distill.MIN_QUESTIONS", 1)  # the knowledge base's own questions suffice
    home = tmp_path / "home"
    store = Store.at_home(home)
    assert ingest_paths(store, [ccn_dir / "QD-130-2022-QD-CTDP.md"]).failed == []
    build_lexical(store, home)
    rest = [ccn_dir / "QD-16-2026-QD-UBND-LaoCai.txt"]
    app = create_app(home, store=store, preload=True, startup=lambda state: start_background(state, rest))
    with serve_app(app) as base, httpx.Client(base_url=base, timeout=60) as client:
        for _ in range(600):
            health = client.get("/health").json()
            if health["build"]["state"] in ("done", "failed"):
                break
            time.sleep(0.1)
        assert health["build"]["state"] == "done", health["build"]
        assert health["documents"] == 2  # the rest of the default set, ingested while serving
        assert health["units_without_vectors"] == 0 and health["status"] == "ok"
        assert health["query_encoder"] == f"student:{DeterministicStandInEmbedder.name}"  # then the student
        job = app.state.ccn.build_job.view().model_dump(mode="json")
        assert job["result"]["ingested"] == 1 and job["result"]["vectors"] > 0
        assert job["result"]["student"]["questions"] > 0 and not job["result"]["student"]["skipped"]
        banner = client.get("/").text
        assert 'id="build-banner"' in banner and "/static/banner.js" in banner
        assert client.get("/static/banner.js").status_code == 200
    err = capsys.readouterr().err
    assert "Nạp văn bản: 1/1 (100 %), xong" in err and "Tính vector: " in err
