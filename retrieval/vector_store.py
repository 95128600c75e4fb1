"""Vectors of provisions in Chroma: embedded on disk by default, a Chroma server when configured.

`VectorStore("data/chroma")` opens (or creates) an embedded `chromadb.PersistentClient`
folder; `VectorStore("http://127.0.0.1:8001")` talks to a server started with
``chroma run --path DIR --host 127.0.0.1 --port 8001`` (the CLI comes with the chromadb
package). Either way there is one collection, in cosine space, created with
``embedding_function=None``: vectors always come from `retrieval.embeddings`, and Chroma never
loads (or downloads) a model of its own. Anonymised telemetry is off: nothing leaves the machine.

Scores are cosine similarities (1 - Chroma's cosine distance), higher is closer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

DEFAULT_COLLECTION = "provisions"
Metadata = Mapping[str, str | int | float | bool]


def _settings() -> Any:
    from chromadb.config import Settings

    return Settings(anonymized_telemetry=False, allow_reset=False)


def _is_url(location: str | Path) -> bool:
    return isinstance(location, str) and urlparse(location).scheme in ("http", "https")


def make_client(location: str | Path) -> Any:
    """A Chroma client: HTTP for an "http(s)://host:port" URL, embedded for a folder."""
    import chromadb

    if _is_url(location):
        url = urlparse(str(location))
        port = url.port or (443 if url.scheme == "https" else 8000)
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=port,
            ssl=url.scheme == "https",
            settings=_settings(),
        )
    path = Path(location)
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=_settings())


def _chunks(n: int, size: int) -> Iterator[slice]:
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


class VectorStore:
    """One Chroma collection of unit vectors keyed by provision id."""

    def __init__(
        self,
        location: str | Path,
        collection: str = DEFAULT_COLLECTION,
        *,
        batch_size: int = 1000,
    ) -> None:
        self.location = str(location)
        self._client = make_client(location)
        self._collection = self._client.get_or_create_collection(
            name=collection,
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )
        self.batch_size = min(batch_size, self._client.get_max_batch_size())

    @property
    def collection(self) -> Any:
        """The chromadb Collection, e.g. for llama-index's ChromaVectorStore(chroma_collection=…)."""
        return self._collection

    def count(self) -> int:
        return self._collection.count()

    def upsert(
        self,
        ids: Sequence[str],
        vectors: np.ndarray | Sequence[Sequence[float]],
        metadatas: Sequence[Metadata | None] | None = None,
    ) -> None:
        """Insert or replace vectors (one row per id), with optional flat metadata."""
        matrix = np.asarray(vectors, dtype=np.float32).reshape(len(ids), -1)
        metas = list(metadatas) if metadatas is not None else None
        if metas is not None and len(metas) != len(ids):
            raise ValueError("metadatas must have one entry per id")
        for part in _chunks(len(ids), self.batch_size):
            self._collection.upsert(
                ids=list(ids[part]),
                embeddings=matrix[part],
                metadatas=[dict(m) if m else None for m in metas[part]] if metas else None,
            )

    def existing_ids(self) -> set[str]:
        """Every id stored (read page by page)."""
        found: set[str] = set()
        offset = 0
        while True:
            page = self._collection.get(include=[], limit=self.batch_size, offset=offset)
            found.update(page["ids"])
            if len(page["ids"]) < self.batch_size:
                return found
            offset += self.batch_size

    def delete(self, ids: Sequence[str]) -> None:
        for part in _chunks(len(ids), self.batch_size):
            self._collection.delete(ids=list(ids[part]))

    def query(
        self,
        vector: np.ndarray | Sequence[float],
        k: int = 10,
        where: dict[str, Any] | None = None,
    ) -> list[tuple[str, float]]:
        """The `k` nearest ids with their cosine similarity, best first."""
        if k <= 0:
            return []
        result = self._collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=k,
            where=where or None,
            include=["distances"],
        )
        ids, distances = result["ids"][0], result["distances"][0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]
