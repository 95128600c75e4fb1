"""Build and update the search indexes beside the store: lexical (bm25s) and dense (Chroma).

    $CCN_HOME/index/units.sqlite3   one row per unit: metadata, fingerprint, analysed tokens,
                                    whether its vector is stored (the resume point); `asked`:
                                    the hỏi đáp questions added to a unit's words
    $CCN_HOME/index/bm25/           the bm25s matrix, rebuilt from the cached tokens (seconds)
    $CCN_HOME/index/chroma/         the vectors (embedded Chroma), or a `chroma run` server

Only new or changed units (by fingerprint: the unit's text, and the questions of hỏi đáp pages
added to its words, retrieval/asked.py) are analysed and embedded; removed ones are deleted.
Embedding goes in batches, each committed before the next: an interrupted build resumes.
"""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np
from pydantic import BaseModel

from kb.store import Store
from retrieval.analysis import analyze
from retrieval.student import StudentReport
from retrieval.units import Unit, iter_units, passage_text

Progress = Callable[[Iterable, int, str], Iterable]

UNIT_COLUMNS = (
    "uid TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, doc_key TEXT NOT NULL, doc TEXT, part TEXT, "
    "annex TEXT, article INTEGER, clause INTEGER, kind TEXT, label TEXT, title TEXT, text TEXT, "
    "heading TEXT, doc_type TEXT, issuer TEXT, doc_class TEXT, issued TEXT, effective TEXT, "
    "province TEXT, tokens TEXT NOT NULL, embedded INTEGER NOT NULL DEFAULT 0"
)


class IndexReport(BaseModel):
    """What an index update did (`ccn index --json`, an upload job's `index`)."""

    units: int = 0
    added: int = 0
    removed: int = 0
    embedded: int = 0
    seconds: float = 0.0
    student: StudentReport | None = None  # what retrieval.distill did, when it was asked to


def index_dir(home: Path) -> Path:
    path = home / "index"
    path.mkdir(parents=True, exist_ok=True)
    return path


def connect_units(home: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(index_dir(home) / "units.sqlite3")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"CREATE TABLE IF NOT EXISTS units ({UNIT_COLUMNS})")
    conn.execute("CREATE TABLE IF NOT EXISTS asked (uid TEXT PRIMARY KEY, questions TEXT NOT NULL)")
    return conn


def _row(unit: Unit, questions: Sequence[str], embed: bool) -> tuple:
    c = unit.citation
    tokens = analyze("\n".join([unit.index_text, *questions]))
    return (
        unit.uid, _fingerprint(unit, questions), unit.doc_key, c.doc, c.part, c.annex, c.article, c.clause,
        unit.kind, unit.label, unit.title, unit.text, unit.heading, unit.doc_type, unit.issuer,
        unit.doc_class, _iso(unit.issued), _iso(unit.effective), unit.province, " ".join(tokens),
        EMBED_PENDING if embed else EMBED_SKIPPED,
    )


def _fingerprint(unit: Unit, questions: Sequence[str]) -> str:
    """The unit's, or with the questions added to its words (retrieval/asked.py)."""
    if not questions:
        return unit.fingerprint
    return hashlib.sha1("\n".join([unit.fingerprint, *questions]).encode("utf-8")).hexdigest()[:16]


def _iso(value) -> str | None:
    return value.isoformat() if value else None


EMBED_PENDING, EMBED_DONE, EMBED_SKIPPED = 0, 1, 2


def sync_units(
    store: Store,
    home: Path,
    progress: Progress | None = None,
    embed: Callable[[Unit], bool] = lambda unit: True,
    asked: Callable[[list[Unit]], Mapping[str, Sequence[str]]] | None = None,
) -> tuple[IndexReport, list[str]]:
    """Bring units.sqlite3 in line with the store. Returns the report and the uids removed.

    `embed` says which units get a vector (the others are searched lexically only); `asked`
    gives the questions added to the words of each unit (retrieval.asked), from the units.
    """
    conn = connect_units(home)
    known = dict(conn.execute("SELECT uid, fingerprint FROM units"))
    skipped = {uid for (uid,) in conn.execute("SELECT uid FROM units WHERE embedded = ?", (EMBED_SKIPPED,))}
    units = list(iter_units(store))
    questions = asked(units) if asked else {}
    current = {u.uid for u in units}
    fresh = [u for u in units if known.get(u.uid) != _fingerprint(u, questions.get(u.uid, ()))]
    removed = [uid for uid in known if uid not in current]
    report = IndexReport(units=len(units), added=len(fresh), removed=len(removed))
    batches = [fresh[i : i + 2000] for i in range(0, len(fresh), 2000)]
    iterator = progress(batches, len(batches), "Phân tích văn bản") if progress else batches
    placeholders = ",".join("?" * 21)
    for batch in iterator:
        rows = [_row(u, questions.get(u.uid, ()), embed(u)) for u in batch]
        conn.executemany(f"INSERT OR REPLACE INTO units VALUES ({placeholders})", rows)
        conn.commit()
    fresh_uids = {u.uid for u in fresh}
    wanted = [(EMBED_PENDING, u.uid) for u in units if u.uid in skipped and u.uid not in fresh_uids and embed(u)]
    conn.executemany("UPDATE units SET embedded = ? WHERE uid = ?", wanted)  # a vector now due (embed changed)
    for i in range(0, len(removed), 500):
        chunk = removed[i : i + 500]
        conn.execute(f"DELETE FROM units WHERE uid IN ({','.join('?' * len(chunk))})", chunk)
    conn.execute("DELETE FROM asked")
    conn.executemany("INSERT INTO asked VALUES (?, ?)", [(uid, "\n".join(q)) for uid, q in questions.items()
                                                          if q and uid in current])
    conn.commit()
    conn.close()
    return report, removed


def asked_texts(home: Path) -> dict[str, str]:
    """uid → the questions added to its words (retrieval/asked.py), one a line."""
    conn = connect_units(home)
    found = dict(conn.execute("SELECT uid, questions FROM asked"))
    conn.close()
    return found


def pending_uids(home: Path) -> list[str]:
    conn = connect_units(home)
    uids = [r[0] for r in conn.execute("SELECT uid FROM units WHERE embedded = ? ORDER BY doc_key, uid",
                                        (EMBED_PENDING,))]
    conn.close()
    return uids


def reset_embedded(home: Path) -> None:
    """Forget all vectors (the model changed): every embeddable unit is pending again."""
    conn = connect_units(home)
    conn.execute("UPDATE units SET embedded = ? WHERE embedded = ?", (EMBED_PENDING, EMBED_DONE))
    conn.commit()
    conn.close()


BM25_K1, BM25_B = 1.2, 0.75
EMPTY_UNIT_TOKEN = "∅"  # stands for a unit without tokens, as before
_BATCH_UNITS = 2000


@dataclass
class _TokenBatch:
    """Consecutive units as integer token ids: each unit's distinct ids and their frequencies,
    unit after unit; per unit, how many distinct ids and how many tokens it has."""

    ids: np.ndarray  # int32
    frequencies: np.ndarray  # int32
    distinct: np.ndarray  # int64
    lengths: np.ndarray  # int64


def build_bm25(home: Path) -> int:
    """Rebuild the bm25s matrix from the cached tokens; saves it with the uid order.

    The index is the one `bm25s.BM25(k1=1.2, b=0.75).index(token_lists)` makes (method
    "lucene", same idf, same float32 scores, same CSC layout, saved by `BM25.save`), built
    without the token lists, which took ~9 GB for ccn + wide: rows are streamed, tokens mapped
    to integer ids a batch of units at a time, and only (token id, frequency) pairs are kept.
    """
    conn = connect_units(home)
    vocab: dict[str, int] = {}
    uids: list[str] = []
    batches: list[_TokenBatch] = []
    ids: list[int] = []
    lengths: list[int] = []
    for uid, tokens in conn.execute("SELECT uid, tokens FROM units ORDER BY doc_key, uid"):
        uids.append(uid)
        unit_tokens = tokens.split() or [EMPTY_UNIT_TOKEN]
        ids.extend([vocab.setdefault(token, len(vocab)) for token in unit_tokens])
        lengths.append(len(unit_tokens))
        if len(lengths) == _BATCH_UNITS:
            batches.append(_token_batch(ids, lengths))
            ids, lengths = [], []
    conn.close()
    if lengths:
        batches.append(_token_batch(ids, lengths))
    target = index_dir(home) / "bm25"
    if uids:
        retriever = bm25s.BM25(k1=BM25_K1, b=BM25_B)
        retriever.scores = _lucene_matrix(batches, len(vocab), BM25_K1, BM25_B)
        vocab.setdefault("", len(vocab))  # bm25s's empty token: in the vocabulary, no column
        retriever.vocab_dict = vocab
        retriever.nonoccurrence_array = None
        retriever.save(str(target), show_progress=False)
    target.mkdir(parents=True, exist_ok=True)
    (target / "uids.json").write_text(json.dumps(uids), encoding="utf-8")
    return len(uids)


def _token_batch(ids: list[int], lengths: list[int]) -> _TokenBatch:
    """Units given as their concatenated token ids and their token counts, as a _TokenBatch."""
    units = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    keys, counts = np.unique((units << 32) | np.asarray(ids, dtype=np.int64), return_counts=True)
    return _TokenBatch(
        ids=(keys & 0xFFFFFFFF).astype(np.int32),
        frequencies=counts.astype(np.int32),
        distinct=np.bincount(keys >> 32, minlength=len(lengths)),
        lengths=np.asarray(lengths, dtype=np.int64),
    )


def _lucene_idf(doc_freq: np.ndarray, n_docs: int) -> np.ndarray:
    """bm25s's "lucene" idf, computed as it does (math.log in float64, stored as float32),
    once per distinct document frequency."""
    values, inverse = np.unique(doc_freq, return_inverse=True)
    table = [math.log(1 + (n_docs - df + 0.5) / (df + 0.5)) for df in values.tolist()]
    return np.asarray(table, dtype=np.float32)[inverse]


def _lucene_matrix(batches: list[_TokenBatch], n_vocab: int, k1: float, b: float) -> dict:
    """The BM25 score matrix in bm25s's form (`BM25.scores`): CSC over (units, tokens), the
    units of each token in order. Consumes the batches (each is freed once placed).

    Scores are computed with the operations and dtypes of bm25s.scoring (idf times
    tf / (k1 * (1 - b + b * l_d / l_avg) + tf), stored as float32): equal to the bit. Entries
    are placed batch by batch (a counting sort), so no full-size sort or copy is needed.
    """
    lengths = np.concatenate([batch.lengths for batch in batches])
    n_docs = len(lengths)
    avg_doc_len = lengths.mean()  # np.float64, as bm25s's np.array([...]).mean()
    # the dtype of bm25s's `k1 * (...) + tf_array` (float32 array + float64 scalar): float64
    # with NumPy 2, float32 with NumPy 1's value-based casting
    work = (np.zeros(1, dtype=np.float32) + avg_doc_len).dtype
    norm = (k1 * ((1 - b) + b * lengths / avg_doc_len)).astype(work)
    doc_freq = np.zeros(n_vocab, dtype=np.int64)
    for batch in batches:
        doc_freq += np.bincount(batch.ids, minlength=n_vocab)
    idf = _lucene_idf(doc_freq, n_docs)
    col_ptr = np.zeros(n_vocab + 1, dtype=np.int64)
    np.cumsum(doc_freq, out=col_ptr[1:])
    data = np.empty(col_ptr[-1], dtype=np.float32)
    rows = np.empty(col_ptr[-1], dtype=np.int32)
    free = col_ptr[:-1].copy()  # next free slot of each column
    first = 0
    batches.reverse()
    while batches:
        batch = batches.pop()
        last = first + len(batch.lengths)
        freq = batch.frequencies.astype(work)
        scores = idf[batch.ids] * (freq / (np.repeat(norm[first:last], batch.distinct) + freq))
        units = np.repeat(np.arange(first, last, dtype=np.int32), batch.distinct)
        order = np.argsort(batch.ids, kind="stable")  # by token, units kept in order
        cols = batch.ids[order]
        starts = np.flatnonzero(np.concatenate(([True], cols[1:] != cols[:-1])))
        counts = np.diff(np.append(starts, len(cols)))
        heads = cols[starts]
        slots = np.repeat(free[heads] - starts, counts) + np.arange(len(cols))
        data[slots] = scores[order]
        rows[slots] = units[order]
        free[heads] += counts
        first = last
    return {"data": data, "indices": rows, "indptr": col_ptr, "num_docs": n_docs}


def load_bm25(home: Path) -> tuple[bm25s.BM25 | None, list[str]]:
    target = index_dir(home) / "bm25"
    uids_file = target / "uids.json"
    if not uids_file.exists():
        return None, []
    uids = json.loads(uids_file.read_text(encoding="utf-8"))
    if not uids:
        return None, []
    return bm25s.BM25.load(str(target), mmap=False, show_progress=False), uids


def mark_embedded(home: Path, uids: list[str]) -> None:
    conn = connect_units(home)
    conn.executemany("UPDATE units SET embedded = ? WHERE uid = ?", [(EMBED_DONE, u) for u in uids])
    conn.commit()
    conn.close()


def passages_for(home: Path, uids: list[str]) -> dict[str, str]:
    """The text the dense index embeds for each uid (units.passage_text)."""
    conn = connect_units(home)
    out: dict[str, str] = {}
    for i in range(0, len(uids), 500):
        chunk = uids[i : i + 500]
        query = f"SELECT uid, article, title, text FROM units WHERE uid IN ({','.join('?' * len(chunk))})"
        out |= {uid: passage_text(article, title, text) for uid, article, title, text in conn.execute(query, chunk)}
    conn.close()
    return out


