"""Shared fixtures: the real corpus beside the checkout (../shared/corpus), never copied here."""

from __future__ import annotations

import os
import socket
import tarfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from kb.store import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
CCN = SHARED / "ccn"
LETTERS = SHARED / "letters"
WIDE_TAR = SHARED / "wide.tar.xz"
WIDE_UNPACKED = Path("/tmp/corp/wide")  # a developer's unpacked copy, used when present
WIDE_CACHE = Path("/tmp/ccn-corpus-cache")  # where the archive is unpacked once otherwise
NOTICES = SHARED / "notices"
INSTITUTIONS = NOTICES / "institutions-2025.yaml"  # bodies merged or abolished in 2025 (cấp huyện …)


@pytest.fixture(scope="session")
def ccn_dir() -> Path:
    if not CCN.is_dir():
        pytest.fail(f"không thấy kho văn bản {CCN}: cần thư mục ../shared bên cạnh repo")
    return CCN


@pytest.fixture(scope="session")
def letters_dir() -> Path:
    return LETTERS


@pytest.fixture(scope="session")
def wide_dir() -> Path:
    """The wide corpus, unpacked: /tmp/corp/wide if present, else extracted once into a cache
    (by one process at a time: the test workers share it)."""
    import fcntl

    if WIDE_UNPACKED.is_dir():
        return WIDE_UNPACKED
    target, done = WIDE_CACHE / "wide", WIDE_CACHE / ".wide-complete"
    if not WIDE_TAR.is_file():
        pytest.fail(f"không thấy kho văn bản {WIDE_TAR}: cần thư mục ../shared bên cạnh repo")
    WIDE_CACHE.mkdir(parents=True, exist_ok=True)
    with open(WIDE_CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            with tarfile.open(WIDE_TAR, "r:xz") as tar:
                tar.extractall(WIDE_CACHE, filter="data")
            done.touch()
    return target


@pytest.fixture(scope="session")
def wide_kb(tmp_path_factory: pytest.TempPathFactory):
    """One store with the ccn corpus, then the whole wide archive (ingested once per session,
    shared by the slow tests): (store, the archive's ingest report, its wall time in seconds)."""
    import time

    from ingest.runner import ingest_paths
    from kb.store import Store

    if not WIDE_TAR.is_file():
        pytest.fail(f"không thấy kho văn bản {WIDE_TAR}: cần thư mục ../shared bên cạnh repo")
    store = Store.at_home(tmp_path_factory.mktemp("kb-wide"))
    assert ingest_paths(store, [CCN]).failed == []
    started = time.perf_counter()
    report = ingest_paths(store, [WIDE_TAR])
    return store, report, time.perf_counter() - started


def store_copy(source: Store, home: Path) -> Store:
    """A copy of a SQLite store in `home` (SQLite's backup: consistent while the source is open);
    the source, shared by a session, stays as it is."""
    import sqlite3

    from kb.store import Store

    home.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source.engine.url.database) as src, sqlite3.connect(home / "kb.sqlite3") as dst:
        src.backup(dst)
    return Store.at_home(home)


@pytest.fixture(scope="session")
def hoidap_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The hỏi đáp archive and the notices catalogued once per session (kb/catalog.py) in an
    otherwise empty store, ~15-30 s: `with_catalogue` adds it to another store. Building it
    reads only those sources, never the store, so a copy is what a build would give."""
    from ingest.catalogue import build_catalogue
    from kb.store import Store

    store = Store.at_home(tmp_path_factory.mktemp("kb-hoidap-catalogue"))
    report = build_catalogue(store, [SHARED / "hoidap.tar.xz", NOTICES])
    assert report.failed == [], report.failed
    return store


def with_catalogue(store: Store, catalogue: Store) -> Store:
    """`store` with the catalogue rows and build records of `catalogue` (its own of the same
    origins replaced): what build_catalogue of the same sources would have written; a later
    build_catalogue of them finds them unchanged by their sha256."""
    from sqlalchemy import delete, select

    from kb import schema

    with catalogue.engine.connect() as src, store.engine.begin() as dst:
        for table in (schema.catalogue, schema.catalogue_builds):
            rows = [dict(r) for r in src.execute(select(table)).mappings()]
            for row in rows:
                row.pop("id", None)
            dst.execute(delete(table).where(table.c.origin.in_({r["origin"] for r in rows})))
            for i in range(0, len(rows), 5000):
                dst.execute(table.insert(), rows[i : i + 5000])
    return store


HOME_CODE = ("ingest", "kb", "retrieval", "corpus")  # the code a built search home depends on


def _home_key(ccn_dir: Path) -> str:
    """The cache key of a built search home: the corpus's bytes and the code that builds it.
    CCN_TEST_HOME_KEY=corpus keys on the corpus alone (a developer iterating on code that does
    not change the home); the default also hashes every .py/.yaml under HOME_CODE."""
    import hashlib

    digest = hashlib.sha256()
    trees = [ccn_dir] + ([] if os.environ.get("CCN_TEST_HOME_KEY") == "corpus" else [ROOT / d for d in HOME_CODE])
    for tree in trees:
        for path in sorted(tree.rglob("*")):
            if path.is_file() and (tree == ccn_dir or path.suffix in (".py", ".yaml")):
                digest.update(str(path.relative_to(tree)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def search_home(tmp_path_factory: pytest.TempPathFactory, ccn_dir: Path):
    """The ccn corpus ingested and indexed (lexical and dense) with its query student, as
    `ccn index` leaves it: (store, home). Building it (embedding ~1,700 units and the student's
    ~36k training questions) takes ~10 minutes on two cores, so a built home is kept in
    $CCN_CACHE/test-homes/<key> (default ~/.cache/ccn) keyed by `_home_key`, built by one test
    session at a time (a file lock: the others wait), and each session works on its own copy."""
    import fcntl
    import shutil

    from kb.store import Store

    cache = Path(os.environ.get("CCN_CACHE") or Path.home() / ".cache" / "ccn") / "test-homes"
    cache.mkdir(parents=True, exist_ok=True)
    built = cache / _home_key(ccn_dir)
    with open(cache / f"{built.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (built / ".complete").exists():
            _build_search_home(ccn_dir, built)
    home = tmp_path_factory.mktemp("search-home") / "home"
    shutil.copytree(built, home)
    return Store.at_home(home), home


def _build_search_home(ccn_dir: Path, built: Path) -> None:
    """Build beside, then rename into place: a killed build leaves no half home behind."""
    import shutil

    from ingest.runner import ingest_paths
    from kb.store import Store
    from retrieval.build import build_indexes

    staging = built.with_name(f"{built.name}.building")
    shutil.rmtree(staging, ignore_errors=True)
    store = Store.at_home(staging)
    assert ingest_paths(store, [ccn_dir]).failed == []
    build_indexes(store, staging, dense="core", student="auto")
    store.engine.dispose()
    (staging / ".complete").touch()
    shutil.rmtree(built, ignore_errors=True)
    staging.rename(built)


SMALL_SET = ("ND-32-2024-ND-CP.txt", "TT-14-2024-TT-BCT.txt", "QD-130-2022-QD-CTDP.md", "CV-1178-DCK-CTT-2025.txt")


@pytest.fixture(scope="session")
def small_search_home(tmp_path_factory: pytest.TempPathFactory, ccn_dir: Path):
    """The fast tier's search home: four real documents of the ccn corpus (NĐ 32/2024, TT 14/2024,
    QĐ 130/QĐ-CTĐP, công văn 1178/ĐCK-CTT), indexed lexically and densely with the hashing
    stand-in embedder (CCN_EMBEDDER=hash, retrieval/embeddings.py), no query student: built in
    seconds, (store, home). What it shows is the pipeline on real texts, not e5's ranking:
    that is `search_home`'s."""
    from ingest.runner import ingest_paths
    from kb.store import Store
    from retrieval.build import build_indexes

    home = tmp_path_factory.mktemp("small-search-home") / "home"
    store = Store.at_home(home)
    report = ingest_paths(store, [ccn_dir / name for name in SMALL_SET])
    assert report.failed == [] and len(report.ingested) == len(SMALL_SET), report.failed
    build_indexes(store, home, dense="core", embedder="hash", student="off")
    return store, home


@pytest.fixture(scope="session")
def small_api_server(small_search_home):
    """The real HTTP app over `small_search_home` (its searcher embeds with the stand-in), served
    on a free loopback port for the session: the base URL. Read-only, like `api_server`."""
    from api.app import create_app

    store, home = small_search_home
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CCN_EMBEDDER", "hash")
        app = create_app(home, store=store, preload=True)
    with serve_app(app) as url:
        yield url


LOOPBACK = ("127.0.0.1", "::1", "localhost")


@contextmanager
def loopback_only(**env: str):
    """Within the block: sockets only to loopback (an attempt elsewhere fails and is recorded),
    HF_HUB_OFFLINE=1 and the given environment. Fails afterwards if anything was attempted."""
    attempts: list[object] = []
    real_connect = socket.socket.connect

    def guarded(sock: socket.socket, address) -> None:
        host = address[0] if isinstance(address, tuple) else ""
        if sock.family in (socket.AF_INET, socket.AF_INET6) and host not in LOOPBACK:
            attempts.append(address)
            raise OSError(f"network access attempted in a test: {address!r}")
        real_connect(sock, address)

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        for name, value in env.items():
            mp.setenv(name, value)
        mp.setattr(socket.socket, "connect", guarded)
        yield attempts
    assert attempts == [], f"connections attempted: {attempts}"


@pytest.fixture(scope="session")
def ccn_ingested(tmp_path_factory: pytest.TempPathFactory, ccn_dir: Path):
    """The ccn corpus ingested once per session into an empty store (no search index): (store,
    the ingest report). Tests read it; one that writes works on a `store_copy`."""
    from ingest.runner import ingest_paths
    from kb.store import Store

    store = Store.at_home(tmp_path_factory.mktemp("kb-ccn"))
    report = ingest_paths(store, [ccn_dir])
    assert report.failed == [], report.failed
    return store, report


@pytest.fixture(scope="session")
def ccn_store(ccn_ingested):
    """The ccn corpus ingested once per session (no search index)."""
    return ccn_ingested[0]


@contextmanager
def serve_app(app, **options):
    """Serve an ASGI app with uvicorn on a free loopback port in a background thread; yields
    the base URL ("http://127.0.0.1:PORT") once it accepts connections, stops it afterwards.
    `options`: more uvicorn.Config settings (`ccn serve`'s are api.security.UVICORN_OPTIONS)."""
    import threading
    import time

    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", **options))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("máy chủ HTTP thử nghiệm không khởi động được")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@pytest.fixture(scope="session")
def api_server(search_home):
    """The real HTTP app (api.app.create_app) over `search_home`, served by uvicorn on a free
    loopback port for the whole session: yields the base URL. Shared by all tests: do not
    upload documents that would be stored (use your own `serve_app` over a fresh home)."""
    from api.app import create_app

    store, home = search_home
    with serve_app(create_app(home, store=store, preload=True)) as url:
        yield url


CHROMIUM = Path(os.environ.get("CCN_CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, through Playwright's Python package (no downloaded browser).
    Missing: the test fails and says to run `make setup`."""
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"không thấy trình duyệt {CHROMIUM}: hãy chạy `make setup` (cài gói Debian chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("thiếu gói Python playwright: hãy chạy `make setup` (pip install -e '.[dev]')")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--lang=vi-VN"])
        yield chromium
        chromium.close()


def home_with(search_home, tmp_path_factory: pytest.TempPathFactory, *paths: Path):
    """A copy of the search home with more files ingested (notices: they add no provision, so
    the indexes stay valid): (store, home). The shared `search_home` itself stays ccn only."""
    import shutil

    from ingest.runner import ingest_paths
    from kb.store import Store

    _, home = search_home
    copy = tmp_path_factory.mktemp("search-home-plus") / "home"
    shutil.copytree(home, copy)
    store = Store.at_home(copy)
    report = ingest_paths(store, list(paths))
    assert report.failed == [], report.failed
    return store, copy


@pytest.fixture(scope="session")
def institutions_searcher(search_home, tmp_path_factory: pytest.TempPathFactory):
    """The ccn corpus with the 2025 reorganisation of state bodies (cấp huyện …) ingested into a
    copy of the search home, and its searcher, opened once a session (loading the indexes and
    the model is most of the cost) for test_search and test_answer, which only read it."""
    from retrieval.build import open_searcher

    store, home = home_with(search_home, tmp_path_factory, INSTITUTIONS)
    return open_searcher(store, home)


# The test pyramid: a test is marked by the expensive fixtures it uses, so `make test-fast`
# (pytest -m "not heavy") leaves them out and each tier can be chosen alone (-m ui, -m wide …).
HEAVY_FIXTURES = {
    "search_home": "search",  # the embedded ccn corpus and its query student (cached, ~10 min cold)
    "wide_dir": "wide",  # the 566-file wide archive
    "wide_kb": "wide",
    "browser": "ui",  # headless Chromium
    "pg_url": "postgres",  # a throwaway PostgreSQL server
    "hoidap_catalogue": "slow",  # the 32 MB hỏi đáp archive scanned for the catalogue
}


# On two workers (pytest-xdist, `--dist loadgroup`) each test file runs whole on one worker, so
# its module fixtures are built once; the files sharing the session's wide archive and hỏi đáp
# catalogue (minutes to build, GBs of memory) are one group, so only one worker builds them.
SESSION_GROUPS = {"wide_kb": "wide-archive", "hoidap_catalogue": "wide-archive"}


# tryfirst: xdist reads the group marks in its own hook of the same name, which must come after.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    shared = {item.path: group for item in items
              for fixture, group in SESSION_GROUPS.items() if fixture in item.fixturenames}
    for item in items:
        tiers = {tier for fixture, tier in HEAVY_FIXTURES.items() if fixture in item.fixturenames}
        tiers |= {m.name for m in item.iter_markers() if m.name in ("slow", "ui")}
        for tier in tiers:
            item.add_marker(tier)
        if tiers:
            item.add_marker("heavy")
        item.add_marker(pytest.mark.xdist_group(shared.get(item.path, item.path.name)))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Under `--dist loadgroup` every test id must carry its group (`…@test_x.py`), or the
    workers would split a file and build its module fixtures twice, each seeing half the tests."""
    if getattr(session.config.option, "loadgroup", False):
        ungrouped = [item.nodeid for item in session.items if "@" not in item.nodeid]
        if ungrouped:
            raise pytest.UsageError(f"{len(ungrouped)} tests without their xdist group, e.g. {ungrouped[0]}; "
                                    "pytest-xdist cannot group on this pytest version (see pyproject.toml)")
