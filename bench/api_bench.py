"""HTTP API benchmark (a script, not a test): 8 concurrent clients over loopback.

    .venv/bin/python bench/api_bench.py [--url http://127.0.0.1:8000] [--home DIR] [--workers N]
                                        [--clients 8] [--search N] [--ask N] [--json]

Without --url it starts `ccn serve` on a free loopback port over --home (default $CCN_HOME or
./data: the ccn corpus ingested and indexed, as `make run` leaves it) and stops it afterwards.
Each of the --clients threads holds its own keep-alive connection and sends its requests one
after another (closed loop); the requests are the dev-set questions (eval/sets/dev.jsonl, 145)
in order, dealt round-robin to the clients. Phases: GET /api/search (k=10), POST /api/ask, then
both mixed at another validity date. A question asked again the same day is answered from the
server's cache (header X-Cache: hit): figures are printed for all requests and for the uncached
ones alone. Prints per endpoint: requests, errors (non-200 or transport), p50 / p95 / max in ms,
throughput, and what embeds the questions (/health `query_encoder`: the query student, or the
model itself). Goals: /api/search p95 ≤ 200 ms, /api/ask p95 ≤ 500 ms, no errors.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from api.cli import default_workers
from kb.settings import home_dir

ROOT = Path(__file__).resolve().parents[1]
DEV_SET = ROOT / "eval" / "sets" / "dev.jsonl"
GOALS_MS = {"search": 200.0, "ask": 500.0}
MIXED_AS_OF = "2026-01-01"


@dataclass
class Samples:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    fresh: dict[str, list[float]] = field(default_factory=dict)  # answered without the cache
    errors: dict[str, list[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, endpoint: str, ms: float, error: str | None, cached: bool) -> None:
        with self.lock:
            self.latencies.setdefault(endpoint, []).append(ms)
            self.fresh.setdefault(endpoint, [])
            self.errors.setdefault(endpoint, [])
            if not cached:
                self.fresh[endpoint].append(ms)
            if error:
                self.errors[endpoint].append(error)


def questions() -> list[str]:
    with DEV_SET.open(encoding="utf-8") as fh:
        return [json.loads(line)["question"] for line in fh if line.strip()]


def call(client: httpx.Client, endpoint: str, question: str, as_of: str | None) -> tuple[str | None, bool]:
    """One request: (the error text, or None when it answered 200 with the expected JSON;
    whether the server answered from its cache)."""
    try:
        if endpoint == "search":
            response = client.get("/api/search", params={"q": question, "k": 10} | ({"as_of": as_of} if as_of else {}))
        else:
            response = client.post("/api/ask", json={"question": question} | ({"as_of": as_of} if as_of else {}))
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}", False
    cached = response.headers.get("x-cache") == "hit"
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:200]}", cached
    expected = "results" if endpoint == "search" else "answered"
    return (None if expected in response.json() else f"thiếu khóa {expected}"), cached


def run_phase(url: str, plan: list[tuple[str, str]], clients: int, as_of: str | None = None) -> tuple[Samples, float]:
    """`clients` threads share the (endpoint, question) requests of `plan` round-robin, each
    on its own keep-alive connection."""
    samples = Samples()
    per_client = [plan[i::clients] for i in range(clients)]

    def worker(work: list[tuple[str, str]]) -> None:
        with httpx.Client(base_url=url, timeout=60.0) as client:
            for endpoint, question in work:
                started = time.perf_counter()
                error, cached = call(client, endpoint, question, as_of)
                samples.add(endpoint, (time.perf_counter() - started) * 1000, error, cached)

    threads = [threading.Thread(target=worker, args=(w,)) for w in per_client]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return samples, time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def summarize(phase: str, samples: Samples, seconds: float) -> list[dict]:
    rows = []
    for endpoint, values in sorted(samples.latencies.items()):
        fresh = samples.fresh[endpoint]
        rows.append({
            "phase": phase,
            "endpoint": endpoint,
            "requests": len(values),
            "errors": len(samples.errors[endpoint]),
            "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(percentile(values, 0.95), 1),
            "max_ms": round(max(values), 1),
            "rps": round(len(values) / seconds, 1),
            "uncached": len(fresh),
            "uncached_p50_ms": round(statistics.median(fresh), 1) if fresh else None,
            "uncached_p95_ms": round(percentile(fresh, 0.95), 1) if fresh else None,
            "goal_p95_ms": GOALS_MS[endpoint],
            "first_error": samples.errors[endpoint][0] if samples.errors[endpoint] else None,
        })
    return rows


# ------------------------------------------------------------------------------- server
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(home: Path, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    ccn = Path(sys.executable).with_name("ccn")
    command = [str(ccn), "--home", str(home), "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"máy chủ dừng: {process.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=2).json().get("search_ready"):
                return process, url
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    process.terminate()
    raise SystemExit("máy chủ không sẵn sàng sau 300 giây")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="máy chủ đang chạy (mặc định: tự chạy ccn serve)")
    parser.add_argument("--home", type=Path, default=home_dir())
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=None,
                        help="tiến trình của ccn serve (khi không có --url; mặc định như ccn serve)")
    parser.add_argument("--search", type=int, default=400, help="số yêu cầu /api/search")
    parser.add_argument("--ask", type=int, default=200, help="số yêu cầu /api/ask")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    load_before = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    args.workers = args.workers or default_workers()
    process, url = (None, args.url) if args.url else start_server(args.home, args.workers)
    try:
        health = httpx.get(f"{url}/health", timeout=10).json()
        pool = questions()
        warm = ["Quy mô diện tích cụm công nghiệp", "Điều kiện thành lập cụm công nghiệp mới"]
        run_phase(url, [(e, q) for q in warm for e in ("search", "ask")] * args.clients, args.clients)
        rows = []
        # Each phase walks the dev questions in order: the first pass is computed, later passes
        # (the same question again, same day) come from the server's cache; both are reported.
        # The mixed phase asks every question at another date (`as_of`): all computed afresh.
        mixed = [(e, q) for pair in zip(pool, pool[1:] + pool[:1], strict=True)
                 for e, q in (("search", pair[0]), ("ask", pair[1]))]
        for phase, plan, as_of in (
            ("search", [("search", pool[j % len(pool)]) for j in range(args.search)], None),
            ("ask", [("ask", pool[j % len(pool)]) for j in range(args.ask)], None),
            ("mixed", mixed, MIXED_AS_OF),
        ):
            samples, seconds = run_phase(url, plan, args.clients, as_of)
            rows += summarize(phase, samples, seconds)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
    report = {"url": url, "clients": args.clients, "workers": None if args.url else args.workers, "documents": health.get("documents"),
              "provisions": health.get("provisions"), "query_encoder": health.get("query_encoder"),
              "cores": os.cpu_count(), "rows": rows}
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        workers = f", {args.workers} tiến trình máy chủ" if not args.url else ""
        print(f"{args.clients} khách đồng thời{workers}, {report['documents']} văn bản, "
              f"{report['provisions']} quy định, câu hỏi mã hóa bằng {report['query_encoder']}, "
              f"tải máy lúc đầu {load_before}")
        print(f"{'phase':<7} {'endpoint':<7} {'req':>5} {'err':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
              f"{'req/s':>6}  {'uncached: n':>11} {'p50':>7} {'p95':>7}  goal p95")
        for r in rows:
            verdict = "ok" if r["p95_ms"] <= r["goal_p95_ms"] and not r["errors"] else "KHÔNG ĐẠT"
            print(f"{r['phase']:<7} {r['endpoint']:<7} {r['requests']:>5} {r['errors']:>4} {r['p50_ms']:>8} "
                  f"{r['p95_ms']:>8} {r['max_ms']:>8} {r['rps']:>6}  {r['uncached']:>11} "
                  f"{r['uncached_p50_ms'] or '-':>7} {r['uncached_p95_ms'] or '-':>7}  ≤{r['goal_p95_ms']:.0f} {verdict}")
            if r["first_error"]:
                print(f"        lỗi đầu tiên: {r['first_error']}")
    return 0 if all(r["errors"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
