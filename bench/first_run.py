"""The first run, timed (issue 13): a fresh clone of this repository in a temporary folder, a
fresh CCN_HOME (and with --cold-cache a fresh CCN_CACHE: nothing embedded before), `make run`
on a free port; prints the seconds from the start to

    the first /health answer, the first lexical search answer (results), and the first
    hybrid search (vectors and the query student loaded, the background build done),

then stops the server (its process group) and removes the folder.

    python bench/first_run.py [--cold-cache] [--venv DIR] [--until health|lexical|hybrid]

Set-up's downloads are not timed: without --venv, `make setup` runs in the clone first; with
--venv (an installed environment, e.g. the main checkout's .venv) the clone runs `ccn run` as
`make run` does, with that environment's packages and the clone's code. The corpus is read
from ../shared beside this repository (--shared), linked beside the clone as it is here.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
QUERY = "điều kiện thành lập cụm công nghiệp"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read())
    except (OSError, ValueError):
        return None


def hybrid_ready(health: dict | None) -> bool:
    if not health:
        return False
    build = health.get("build") or {}
    return (str(health.get("query_encoder") or "").startswith("student:")
            and health.get("units_without_vectors") == 0 and build.get("state") in (None, "done"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cold-cache", action="store_true", help="a fresh CCN_CACHE (no vector cached)")
    parser.add_argument("--venv", type=Path, help="an installed environment (skips `make setup`)")
    parser.add_argument("--shared", type=Path, default=None, help="the corpus folder `shared` (../shared)")
    parser.add_argument("--until", choices=["health", "lexical", "hybrid"], default="hybrid")
    parser.add_argument("--timeout", type=float, default=3 * 3600)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # the server is stopped on the way out
    shared = (args.shared or REPO.parent / "shared").resolve()
    if not shared.is_dir():
        shared = Path("/work/shared")
    with tempfile.TemporaryDirectory(prefix="ccn-first-run-") as tmp:
        root = Path(tmp)
        clone = root / "ccn"
        subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
        (root / "shared").symlink_to(shared)
        port = free_port()
        env = {**os.environ, "CCN_HOME": str(root / "home"), "PORT": str(port)}
        if args.cold_cache:
            env["CCN_CACHE"] = str(root / "cache")
        if args.venv:
            env["PYTHONPATH"] = str(clone)
            command = [str(args.venv / "bin" / "python"), "-m", "api.cli", "run", "--port", str(port)]
        else:
            subprocess.run(["make", "setup"], cwd=clone, env=env, check=True)
            command = ["make", "run", f"PORT={port}"]
        figures = run(command, clone, env, port, args.until, args.timeout)
    figures.update(date=time.strftime("%Y-%m-%d"), vector_cache="cold" if args.cold_cache else "warm",
                   cores=len(os.sched_getaffinity(0)), load_1min=round(os.getloadavg()[0], 1))
    print(json.dumps(figures, ensure_ascii=False))
    return 0 if figures.get(f"{args.until}_s") is not None else 1


def run(command: list[str], cwd: Path, env: dict, port: int, until: str, timeout: float) -> dict:
    base = f"http://127.0.0.1:{port}"
    search = f"{base}/api/search?" + urllib.parse.urlencode({"q": QUERY})
    started = time.monotonic()
    server = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True,
                              stdout=subprocess.DEVNULL)  # uvicorn's access log; progress is on stderr
    figures: dict = {"health_s": None, "lexical_s": None, "hybrid_s": None}
    try:
        while time.monotonic() - started < timeout and server.poll() is None:
            elapsed = round(time.monotonic() - started, 1)
            health = get_json(f"{base}/health")
            if health and figures["health_s"] is None:
                figures["health_s"] = elapsed
                print(f"/health: {elapsed} s", file=sys.stderr)
            if health and figures["lexical_s"] is None and (get_json(search) or {}).get("results"):
                figures["lexical_s"] = round(time.monotonic() - started, 1)
                print(f"tìm theo từ khoá: {figures['lexical_s']} s", file=sys.stderr)
            if figures["lexical_s"] is not None and hybrid_ready(health) and (get_json(search) or {}).get("results"):
                figures["hybrid_s"] = round(time.monotonic() - started, 1)
                print(f"tìm kết hợp: {figures['hybrid_s']} s", file=sys.stderr)
            if figures[f"{until}_s"] is not None:
                break
            time.sleep(0.5)
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server we started, and its children
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    return figures


if __name__ == "__main__":
    sys.exit(main())
