"""Search benchmark (a script, not a test): index build time and warm search latency.

    .venv/bin/python bench/search_bench.py [--home DIR] [--queries N]

1. ccn corpus: ingest, then `ccn index` (lexical + vectors): build time.
2. + wide.tar.xz: ingest, then the index update (its units are searched lexically; vectors stay
   for the core corpus, see corpus/default.yaml): update time and unit count.
3. Warm search latency over all units, questions embedded by e5 itself: p50 / p95 / max over
   the dev questions (repeated to N queries).
4. The query student trained (`ccn index` does it): training time; then the same warm search
   with questions embedded by the student. Peak memory of the whole process.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.runner import ingest_paths  # noqa: E402
from kb.store import Store  # noqa: E402
from retrieval.build import build_indexes, open_searcher  # noqa: E402
from retrieval.search import Filters  # noqa: E402
from retrieval.settings import preset  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpus"


def timed(label: str, fn):
    started = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - started
    print(f"{label:<44} {seconds:8.1f} s", flush=True)
    return value, seconds


def warm_latency(searcher, queries: int) -> dict:
    """p50 / p95 / max ms of `queries` searches over the dev questions, after 10 to warm up."""
    questions = [json.loads(line)["question"] for line in (ROOT / "eval/sets/dev.jsonl").open(encoding="utf-8")]
    for question in questions[:10]:
        searcher.search(question, filters=Filters())
    latencies = []
    for i in range(queries):
        started = time.perf_counter()
        searcher.search(questions[i % len(questions)], filters=Filters())
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    return {"queries": len(latencies), "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(latencies[int(0.95 * len(latencies)) - 1], 1), "max_ms": round(latencies[-1], 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path, help="reuse this data folder (default: a fresh temp one)")
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="ccn-search-bench-"))
    store = Store.at_home(home)
    figures: dict = {"home": str(home)}
    timed("ingest ccn", lambda: ingest_paths(store, [SHARED / "ccn"]))
    report, figures["index_ccn_s"] = timed("index ccn (lexical + vectors)", lambda: build_indexes(store, home))
    figures["units_ccn"], figures["vectors_ccn"] = report.units, report.embedded
    timed("ingest wide.tar.xz", lambda: ingest_paths(store, [SHARED / "wide.tar.xz"]))
    report, figures["index_wide_update_s"] = timed("index update ccn + wide", lambda: build_indexes(store, home))
    figures["units_all"] = report.units
    full = preset("hybrid-full")
    searcher, figures["load_s"] = timed("load searcher", lambda: open_searcher(store, home, full))
    figures["search_e5_queries"] = warm_latency(searcher, args.queries)
    report, figures["student_s"] = timed("train the query student",
                                         lambda: build_indexes(store, home, student="auto"))
    figures["student"] = report.student.model_dump(mode="json") if report.student else None
    figures["search_student_queries"] = warm_latency(open_searcher(store, home), args.queries)
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
