"""Ingestion benchmark: each corpus into a fresh temporary knowledge base, then once more (no-op).

    .venv/bin/python bench/ingest_bench.py [--corpus PATH ...] [--keep]

Default corpora: ../shared/corpus/ccn and ../shared/corpus/wide.tar.xz (beside the repository).
Each corpus runs in its own fresh process, so its peak memory (ru_maxrss of the process, and of
its children such as tesseract when a PDF needs OCR) is its own. Prints a compact table: files,
failed files, files with warnings, documents, stubs, active provisions, relations, wall and CPU
time, files/s, provisions written/s, peak memory, and the time of the second (unchanged) run.
Goal on a 2-core machine: wide under 3 minutes and under 2 GB.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
DEFAULT_CORPORA = (SHARED / "ccn", SHARED / "wide.tar.xz")
GOAL_SECONDS, GOAL_MB = 180.0, 2048.0


@dataclass
class Result:
    """One corpus's figures."""

    corpus: str
    files: int
    failed: int
    warned: int
    documents: int
    stubs: int
    provisions: int
    relations: int
    written: int  # provision rows written by the first run
    seconds: float
    cpu_seconds: float  # user + system time of the ingesting process (the first run)
    peak_mb: float
    children_mb: float
    rerun_seconds: float
    rerun_unchanged: bool
    home: str

    @property
    def files_per_s(self) -> float:
        return self.files / self.seconds if self.seconds else 0.0

    @property
    def provisions_per_s(self) -> float:
        return self.written / self.seconds if self.seconds else 0.0


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def _cpu_seconds() -> float:
    usages = (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    return sum(u.ru_utime + u.ru_stime for u in usages)


def run_corpus(corpus: str, home: str) -> dict:
    """Ingest `corpus` into the fresh store at `home` twice; runs in a worker process."""
    from ingest.runner import ingest_paths
    from kb.store import Store

    store = Store.at_home(Path(home))
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    first = ingest_paths(store, [Path(corpus)])
    seconds, cpu_seconds = time.perf_counter() - started, _cpu_seconds() - cpu_started
    counts = store.counts()
    started = time.perf_counter()
    again = ingest_paths(store, [Path(corpus)])
    rerun = time.perf_counter() - started
    files = len(first.ingested) + len(first.unchanged) + len(first.failed)
    result = Result(
        corpus=Path(corpus).name, files=files, failed=len(first.failed), warned=len(first.warnings),
        documents=counts["documents"], stubs=counts["stubs"], provisions=counts["provisions"],
        relations=counts["relations"], written=first.provisions, seconds=seconds,
        cpu_seconds=cpu_seconds,
        peak_mb=_peak_mb(resource.RUSAGE_SELF), children_mb=_peak_mb(resource.RUSAGE_CHILDREN),
        rerun_seconds=rerun, rerun_unchanged=not again.ingested and not again.failed, home=home,
    )
    return asdict(result)


def bench(corpus: Path, keep: bool) -> Result:
    home = tempfile.mkdtemp(prefix="ccn-bench-")
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
            data = pool.submit(run_corpus, str(corpus.resolve()), home).result()
    finally:
        if not keep:
            shutil.rmtree(home, ignore_errors=True)
    return Result(**data)


COLUMNS = (  # (heading, format spec, value)
    ("corpus", "<14", lambda r: r.corpus[:14]),
    ("files", ">6", lambda r: r.files),
    ("failed", ">6", lambda r: r.failed),
    ("warned", ">6", lambda r: r.warned),
    ("docs", ">6", lambda r: r.documents),
    ("stubs", ">5", lambda r: r.stubs),
    ("provisions", ">10", lambda r: r.provisions),
    ("relations", ">9", lambda r: r.relations),
    ("wall s", ">7.1f", lambda r: r.seconds),
    ("cpu s", ">6.1f", lambda r: r.cpu_seconds),
    ("files/s", ">7.1f", lambda r: r.files_per_s),
    ("prov/s", ">7.0f", lambda r: r.provisions_per_s),
    ("peak MB", ">7.0f", lambda r: r.peak_mb),
    ("child MB", ">8.0f", lambda r: r.children_mb),
    ("rerun s", ">7.1f", lambda r: r.rerun_seconds),
    ("no-op", ">5", lambda r: "yes" if r.rerun_unchanged else "NO"),
)


def table(results: list[Result]) -> str:
    head = " ".join(f"{name:{spec.split('.')[0].rstrip('f')}}" for name, spec, _ in COLUMNS)
    rows = [" ".join(f"{get(r):{spec}}" for _, spec, get in COLUMNS) for r in results]
    return "\n".join([head, "-" * len(head), *rows])


def verdict(result: Result) -> str:
    ok = result.seconds < GOAL_SECONDS and max(result.peak_mb, result.children_mb) < GOAL_MB
    return (f"{result.corpus}: {result.seconds:.0f} s (goal < {GOAL_SECONDS:.0f} s), "
            f"{result.peak_mb:.0f} MB (goal < {GOAL_MB:.0f} MB): {'ok' if ok else 'GOAL MISSED'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", action="append", type=Path,
                        help="folder, file or .tar.xz to ingest (repeatable)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary knowledge bases")
    args = parser.parse_args(argv)
    corpora = args.corpus or list(DEFAULT_CORPORA)
    missing = [c for c in corpora if not c.exists()]
    if missing:
        print(f"không thấy: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    results = []
    for corpus in corpora:
        print(f"… {corpus}", file=sys.stderr, flush=True)
        results.append(bench(corpus, args.keep))
    print(table(results))
    print("cpu s: user+system time of the first run (wall time grows when the machine is busy); "
          "prov/s: provision rows written per second; peak MB: ru_maxrss of the ingesting process; "
          "child MB: of its children (OCR)")
    for result in results:
        print(verdict(result) + (f" (kept: {result.home})" if args.keep else ""))
    return 1 if any(r.failed or not r.rerun_unchanged for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
