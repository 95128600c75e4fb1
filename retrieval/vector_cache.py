"""Vectors cached by content, shared by every home on the machine: $CCN_CACHE/vectors.sqlite3.

A vector depends only on the model (and, for passages, the recipe that builds the text) and the
text itself, so it is keyed by (model, sha1 of the text). A second home, a test session's fresh
copy or a rebuilt index embeds only the texts no home embedded before: the query student's ~36k
training questions cost ~10 minutes of e5 once per machine, not once per home.

$CCN_CACHE defaults to ~/.cache/ccn. Rows are written batch by batch by the callers, so an
interrupted run keeps what it computed.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from kb.settings import get_settings


def cache_dir() -> Path:
    """$CCN_CACHE, or ~/.cache/ccn: what may be rebuilt from the corpus and the models."""
    return get_settings().cache_dir()


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class VectorCache:
    """get/put float32 vectors by (model, text)."""

    def __init__(self, path: Path | None = None):
        self.path = path or cache_dir() / "vectors.sqlite3"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT, key TEXT, vector BLOB, "
                         "PRIMARY KEY (model, key))")

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=60)
        conn.execute("PRAGMA journal_mode=WAL")
        return conn

    def get(self, model: str, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The cached vectors of those texts that have one, by text."""
        keys = {text_key(t): t for t in texts}
        found: dict[str, np.ndarray] = {}
        with self._connect() as conn:
            wanted = list(keys)
            for i in range(0, len(wanted), 500):
                chunk = wanted[i : i + 500]
                marks = ",".join("?" * len(chunk))
                for key, blob in conn.execute(
                        f"SELECT key, vector FROM vectors WHERE model = ? AND key IN ({marks})", (model, *chunk)):
                    found[keys[key]] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put(self, model: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        rows = [(model, text_key(t), np.asarray(v, dtype=np.float32).tobytes())
                for t, v in zip(texts, vectors, strict=True)]
        with self._connect() as conn:
            conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)

    def embed(self, model: str, texts: Sequence[str],
              compute: Callable[[list[str]], np.ndarray]) -> tuple[np.ndarray, int]:
        """The texts' vectors (rows in order): cached ones read, the others computed and cached;
        and how many were computed."""
        known = self.get(model, texts)
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            fresh = np.asarray(compute(missing), dtype=np.float32)
            self.put(model, missing, fresh)
            known.update(zip(missing, fresh, strict=True))
        rows = [known[t] for t in texts]
        return (np.stack(rows) if rows else np.zeros((0, 0), dtype=np.float32)), len(missing)
