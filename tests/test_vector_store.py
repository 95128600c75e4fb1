"""Chroma wrapper: embedded PersistentClient round trip, and a real `chroma run` server on
loopback started (and stopped) by the test. No socket beyond loopback is opened."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from conftest import loopback_only

from retrieval.vector_store import VectorStore

DIM = 8


@pytest.fixture(scope="module", autouse=True)
def no_network():
    with loopback_only(ANONYMIZED_TELEMETRY="False"):
        yield


def _unit(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return vector / np.linalg.norm(vector)


IDS = [f"pid{i}" for i in range(5)]
VECTORS = np.stack([_unit(i) for i in range(5)])
METAS = [
    {"doc": "32/2024/NĐ-CP" if i % 2 == 0 else "05/2025/TT-BCT", "article": i} for i in range(5)
]


def _fill(store: VectorStore) -> None:
    store.upsert(IDS, VECTORS, METAS)


def _check_contents(store: VectorStore) -> None:
    assert store.count() == 5
    assert store.existing_ids() == set(IDS)
    hits = store.query(VECTORS[3], k=3)
    assert hits[0][0] == "pid3" and hits[0][1] == pytest.approx(1.0, abs=1e-4)
    assert len(hits) == 3 and [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    expected = sorted(IDS, key=lambda i: -float(VECTORS[IDS.index(i)] @ VECTORS[3]))[:3]
    assert [i for i, _ in hits] == expected
    for pid, score in hits:  # scores are cosine similarities
        assert score == pytest.approx(float(VECTORS[IDS.index(pid)] @ VECTORS[3]), abs=1e-4)


def _check_updates(store: VectorStore) -> None:
    only_nd32 = store.query(VECTORS[1], k=5, where={"doc": "32/2024/NĐ-CP"})
    assert {i for i, _ in only_nd32} == {"pid0", "pid2", "pid4"}
    store.upsert(["pid1"], [VECTORS[4]], [{"doc": "32/2024/NĐ-CP", "article": 1}])  # replaces
    assert store.count() == 5
    assert {i for i, _ in store.query(VECTORS[4], k=2)} == {"pid1", "pid4"}
    store.delete(["pid0", "pid4"])
    assert store.existing_ids() == {"pid1", "pid2", "pid3"}
    assert "pid4" not in {i for i, _ in store.query(VECTORS[4], k=3)}
    assert store.query(VECTORS[0], k=0) == []


_REOPEN = """
import json, sys
import numpy as np
from retrieval.vector_store import VectorStore
store = VectorStore(sys.argv[1])
hits = store.query(np.array(json.loads(sys.argv[2]), dtype=np.float32), k=2)
print(json.dumps({"count": store.count(), "ids": sorted(store.existing_ids()), "top": hits[0][0]}))
"""


def test_persistent_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "chroma"
    store = VectorStore(path, batch_size=2)  # several batches per call, pages in existing_ids
    assert store.batch_size == 2
    _fill(store)
    _check_contents(store)
    reopened = VectorStore(str(path))
    _check_contents(reopened)
    # a fresh process reads what is on disk
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    run = subprocess.run(
        [sys.executable, "-c", _REOPEN, str(path), json.dumps(VECTORS[2].tolist())],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {"count": 5, "ids": IDS, "top": "pid2"}
    _check_updates(reopened)
    assert VectorStore(path).existing_ids() == {"pid1", "pid2", "pid3"}


def test_upsert_checks_metadata_length(tmp_path: Path) -> None:
    store = VectorStore(tmp_path / "chroma")
    with pytest.raises(ValueError):
        store.upsert(IDS, VECTORS, METAS[:2])
    store.upsert(IDS[:2], VECTORS[:2])  # metadata is optional
    assert store.existing_ids() == set(IDS[:2])


def test_llama_index_reads_the_same_collection(tmp_path: Path) -> None:
    from llama_index.core.vector_stores.types import VectorStoreQuery
    from llama_index.vector_stores.chroma import ChromaVectorStore

    store = VectorStore(tmp_path / "chroma")
    _fill(store)
    llama_store = ChromaVectorStore(chroma_collection=store.collection)
    found = llama_store.query(
        VectorStoreQuery(query_embedding=VECTORS[3].tolist(), similarity_top_k=2)
    )
    assert found.ids[0] == "pid3"
    assert found.nodes[0].metadata == METAS[3]


# --- server mode --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _heartbeat(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def chroma_server(path: Path, log: Path) -> Iterator[str]:
    """`chroma run` on a free loopback port, until its heartbeat answers; stopped on exit."""
    chroma = Path(sys.executable).with_name("chroma")
    if not chroma.exists():
        pytest.fail(f"the chroma CLI of the chromadb package is missing: {chroma}")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    with log.open("ab") as out:
        cmd = [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
        server = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 60
        while not _heartbeat(url):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chroma run did not start:\n{log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


@pytest.mark.slow
def test_server_mode_round_trip(tmp_path: Path) -> None:
    data, log = tmp_path / "server-data", tmp_path / "chroma.log"
    with chroma_server(data, log) as url:
        store = VectorStore(url)
        _fill(store)
        _check_contents(store)
        _check_contents(VectorStore(url))  # a second client sees the same collection
    with chroma_server(data, log) as url:  # the server kept the data on disk
        store = VectorStore(url)
        _check_contents(store)
        _check_updates(store)
        assert VectorStore(url).existing_ids() == {"pid1", "pid2", "pid3"}
