"""Cluster register benchmark: a 10,000-row import and the filter queries, on SQLite (and on
PostgreSQL when its binaries are installed, a throw-away server as tests/test_postgres.py starts).

    .venv/bin/python bench/register_bench.py [--provinces 34] [--clusters 30] [--periods 10] [--no-pg]

The data is generated: 34 provinces × 30 clusters × 10 periods (10,200 rows), every row marked
synthetic («sinh tự động để thử tải»), in a temporary database that is deleted afterwards; it is
never shown as real figures. Prints: the time to read, check and store the CSV (all periods in one
file), the same file re-imported (every period replaced, history kept), and the median of 5 runs
of each query (province; below_fill=50; missing=wastewater; one period sorted by filling rate;
the national summary of one period, i.e. Biểu 04 of 34 provinces).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from drafting import register_report as reports  # noqa: E402
from ingest.register_import import HEADER_ROW, import_file  # noqa: E402
from kb import register as reg  # noqa: E402
from kb.store import Store  # noqa: E402

PG_BIN = Path("/usr/lib/postgresql/15/bin")
TYPES = ("làng nghề", "chuyên ngành", "đa ngành")


def synthetic_csv(n_provinces: int, n_clusters: int, n_periods: int, seed: int = 14) -> bytes:
    """Rows in the import format; figures drawn at random, consistent (leased ≤ land, rate = leased/land)."""
    rnd = random.Random(seed)
    periods = [f"{2022 + i // 2}-H{i % 2 + 1}" for i in range(n_periods)]
    keys = {h: i for i, h in enumerate(HEADER_ROW)}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER_ROW)
    for province in [p.name for p in reg.provinces()][:n_provinces]:
        for c in range(1, n_clusters + 1):
            area = round(rnd.uniform(5, 75), 2)
            land = round(area * 0.7, 2)
            kind = rnd.choice(TYPES)
            for i, period in enumerate(periods):
                leased = round(land * min(1.0, (i + 1) * rnd.uniform(0.02, 0.12)), 2)
                row = [""] * len(HEADER_ROW)
                values = {
                    "Tỉnh": province, "Tên cụm công nghiệp": f"CCN Thử tải {c:03d}", "Kỳ báo cáo": period,
                    "Xã, phường": f"Xã {c}", "Loại cụm": kind, "Trong phương án phát triển": "có",
                    "Diện tích quy hoạch (ha)": area, "Diện tích thành lập (ha)": area,
                    "Đã hoạt động": "có" if leased else "không", "Đất công nghiệp (ha)": land,
                    "Đất công nghiệp đã cho thuê (ha)": leased, "Tỷ lệ lấp đầy (%)": round(100 * leased / land, 2),
                    "Số dự án": rnd.randint(0, 40), "Lao động (người)": rnd.randint(0, 3000),
                    "Xử lý nước thải tập trung": rnd.choice(["có", "không"]),
                }
                for header, value in values.items():
                    row[keys[header]] = str(value).replace(".", ",") if isinstance(value, float) else value
                writer.writerow(row)
    return out.getvalue().encode("utf-8")


def median_time(fn: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(url: str, data: bytes, label: str, last_period: str) -> list[tuple[str, float, str]]:
    store = Store(url)
    rows = data.count(b"\n") - 1
    out = []
    started = time.perf_counter()
    first = import_file(store, "synthetic.csv", data=data, user="bench", synthetic=True)
    out.append((f"import {rows} rows (CSV)", time.perf_counter() - started, f"{first.rows_ok} stored, {len(first.errors)} errors"))
    started = time.perf_counter()
    second = import_file(store, "synthetic.csv", data=data, user="bench", synthetic=True)
    out.append(("re-import (every period replaced)", time.perf_counter() - started, f"{second.replaced} replaced"))
    queries = {
        "province=Lào Cai": lambda: reg.list_clusters(store, province="Lào Cai", include_synthetic=True),
        "below_fill=50": lambda: reg.list_clusters(store, below_fill=50, include_synthetic=True),
        "missing=wastewater": lambda: reg.list_clusters(store, missing="wastewater", include_synthetic=True),
        f"period={last_period}, sort=-fill": lambda: reg.list_clusters(store, period=last_period, sort="-fill",
                                                                     include_synthetic=True),
        f"national summary {last_period}": lambda: reports.national_summary(store, last_period, include_synthetic=True),
    }
    for name, fn in queries.items():
        n = fn()
        size = len(n) if isinstance(n, list) else len(n["provinces"])
        out.append((name, median_time(fn), f"{size} {'rows' if isinstance(n, list) else 'provinces'}"))
    store.engine.dispose()
    return [(f"{label}: {name}", t, note) for name, t, note in out]


@contextmanager
def postgres() -> Iterator[str]:
    """A throw-away PostgreSQL 15 on a free loopback port (as tests/test_postgres.py)."""
    def as_pg(*args: str) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)

    data = Path(tempfile.mkdtemp(prefix="ccn-pg-bench-"))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    subprocess.run(as_pg(str(PG_BIN / "initdb"), "-D", str(data), "-U", "ccn", "-A", "trust", "-E", "UTF8",
                         "--locale=C.UTF-8"), check=True, capture_output=True)
    subprocess.run(as_pg(str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-l", str(data / "log"),
                         "-o", f"-p {port} -k {data} -c listen_addresses=127.0.0.1", "start"),
                   check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://ccn@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(as_pg(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"), capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provinces", type=int, default=34)
    parser.add_argument("--clusters", type=int, default=30)
    parser.add_argument("--periods", type=int, default=10)
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    args = parser.parse_args()
    data = synthetic_csv(args.provinces, args.clusters, args.periods)
    last = f"{2022 + (args.periods - 1) // 2}-H{(args.periods - 1) % 2 + 1}"
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results += run(f"sqlite:///{Path(tmp) / 'kb.sqlite3'}", data, "SQLite", last)
    if not args.no_pg and (PG_BIN / "initdb").exists():
        with postgres() as url:
            results += run(url, data, "PostgreSQL", last)
    elif not args.no_pg:
        print("(PostgreSQL 15 không có: chỉ đo SQLite)", file=sys.stderr)
    width = max(len(name) for name, _, _ in results)
    for name, seconds, note in results:
        print(f"{name:<{width}}  {seconds * 1000:9.1f} ms  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
