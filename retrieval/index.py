"""Build and update the search indexes beside the store: lexical (bm25s) and dense (Chroma).

    $CCN_HOME/index/units.sqlite3   one row per unit: metadata, fingerprint, analysed tokens,
                                    whether its vector is stored (the resume point)
    $CCN_HOME/index/bm25/           the bm25s matrix, rebuilt from the cached tokens (seconds)
    $CCN_HOME/index/chroma/         the vectors (embedded Chroma), or a `chroma run` server

Only new or changed units (by fingerprint) are analysed and embedded; removed ones are deleted.
Embedding goes in batches, each committed before the next: an interrupted build resumes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import bm25s

from kb.store import Store
from retrieval.analysis import analyze
from retrieval.units import Unit, iter_units

Progress = Callable[[Iterable, int, str], Iterable]

UNIT_COLUMNS = (
    "uid TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, doc_key TEXT NOT NULL, doc TEXT, part TEXT, "
    "annex TEXT, article INTEGER, clause INTEGER, kind TEXT, label TEXT, title TEXT, text TEXT, "
    "heading TEXT, doc_type TEXT, issuer TEXT, doc_class TEXT, issued TEXT, effective TEXT, "
    "province TEXT, tokens TEXT NOT NULL, embedded INTEGER NOT NULL DEFAULT 0"
)


@dataclass
class IndexReport:
    units: int = 0
    added: int = 0
    removed: int = 0
    embedded: int = 0
    seconds: float = 0.0

    def to_json(self) -> dict:
        return self.__dict__.copy()


def index_dir(home: Path) -> Path:
    path = home / "index"
    path.mkdir(parents=True, exist_ok=True)
    return path


def connect_units(home: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(index_dir(home) / "units.sqlite3")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"CREATE TABLE IF NOT EXISTS units ({UNIT_COLUMNS})")
    return conn


def _row(unit: Unit, tokens: list[str], embed: bool) -> tuple:
    c = unit.citation
    return (
        unit.uid, unit.fingerprint, unit.doc_key, c.doc, c.part, c.annex, c.article, c.clause,
        unit.kind, unit.label, unit.title, unit.text, unit.heading, unit.doc_type, unit.issuer,
        unit.doc_class, _iso(unit.issued), _iso(unit.effective), unit.province, " ".join(tokens),
        EMBED_PENDING if embed else EMBED_SKIPPED,
    )


def _iso(value) -> str | None:
    return value.isoformat() if value else None


EMBED_PENDING, EMBED_DONE, EMBED_SKIPPED = 0, 1, 2


def sync_units(
    store: Store,
    home: Path,
    progress: Progress | None = None,
    embed: Callable[[Unit], bool] = lambda unit: True,
) -> tuple[IndexReport, list[str]]:
    """Bring units.sqlite3 in line with the store. Returns the report and the uids removed.

    `embed` says which units get a vector (the others are searched lexically only).
    """
    conn = connect_units(home)
    known = dict(conn.execute("SELECT uid, fingerprint FROM units"))
    units = list(iter_units(store))
    current = {u.uid for u in units}
    fresh = [u for u in units if known.get(u.uid) != u.fingerprint]
    removed = [uid for uid in known if uid not in current]
    report = IndexReport(units=len(units), added=len(fresh), removed=len(removed))
    batches = [fresh[i : i + 2000] for i in range(0, len(fresh), 2000)]
    iterator = progress(batches, len(batches), "Phân tích văn bản") if progress else batches
    placeholders = ",".join("?" * 21)
    for batch in iterator:
        rows = [_row(u, analyze(u.index_text), embed(u)) for u in batch]
        conn.executemany(f"INSERT OR REPLACE INTO units VALUES ({placeholders})", rows)
        conn.commit()
    for i in range(0, len(removed), 500):
        chunk = removed[i : i + 500]
        conn.execute(f"DELETE FROM units WHERE uid IN ({','.join('?' * len(chunk))})", chunk)
    conn.commit()
    conn.close()
    return report, removed


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


def build_bm25(home: Path) -> int:
    """Rebuild the bm25s matrix from the cached tokens; saves it with the uid order."""
    conn = connect_units(home)
    uids, corpus = [], []
    for uid, tokens in conn.execute("SELECT uid, tokens FROM units ORDER BY doc_key, uid"):
        uids.append(uid)
        corpus.append(tokens.split() or ["∅"])
    conn.close()
    target = index_dir(home) / "bm25"
    retriever = bm25s.BM25(k1=1.2, b=0.75)
    if corpus:
        retriever.index(corpus, show_progress=False)
        retriever.save(str(target), show_progress=False)
    target.mkdir(parents=True, exist_ok=True)
    (target / "uids.json").write_text(json.dumps(uids), encoding="utf-8")
    return len(uids)


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


def texts_for(home: Path, uids: list[str]) -> dict[str, str]:
    conn = connect_units(home)
    out: dict[str, str] = {}
    for i in range(0, len(uids), 500):
        chunk = uids[i : i + 500]
        query = f"SELECT uid, heading, text FROM units WHERE uid IN ({','.join('?' * len(chunk))})"
        out |= {uid: f"{heading}\n{text}" for uid, heading, text in conn.execute(query, chunk)}
    conn.close()
    return out


