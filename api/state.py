"""What the HTTP app holds once and shares between requests: the store, the searcher (indexes
and embedding model, loaded on first use or at start-up), the answer composer and a cache of
responses.

Requests run in FastAPI's thread pool: loading is guarded by a lock, and after an upload the
indexes are updated and a new searcher replaces the old one in one assignment (requests under
way finish with the old one). Several server processes (`ccn serve --workers N`) share one data
folder: uploads take a file lock, and each process notices an index changed by another one (or by
`ccn index`) from the index files' stamps, reloading in the background meanwhile answering with
the searcher it has.

Writing and indexing are apart: `exclusive_ingest()` is the knowledge base's one-writer lock
(the store's lock file, shared with `ccn ingest` and approvals), held while files are stored;
`reindex()` runs outside it, one build at a time per home, and a caller that finds a build under
way returns at once: the build runs again for its change (an approval never waits minutes for an
upload's embedding). An index that may lag the store is marked stale (`index/.stale`) until a
build completes; at start-up a stale index or units without vectors are completed in the
background (`complete_index_in_background`), and /health reports them.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from answers.answer import Answerer
from answers.grounding import writer_from_env
from api.cache import ResultCache
from api.jobs import Jobs
from kb.settings import get_settings
from kb.store import Store
from retrieval.build import build_indexes, open_searcher
from retrieval.index import EMBED_PENDING, IndexReport, connect_units, index_dir
from retrieval.search import Searcher
from retrieval.settings import SearchSettings
from retrieval.student import student_dir

STAMP_EVERY = 1.0  # seconds between two looks at the index stamp
log = logging.getLogger("ccn.api")


def _stale_file(home: Path) -> Path:
    return index_dir(home) / ".stale"


def mark_stale(home: Path, create: bool = True) -> None:
    """The index may lag the store (something is being written or indexed). `create=False`:
    only where an index exists (the CLI, whose home may hold no index, or no folder at all)."""
    if create or (home / "index").is_dir():
        _stale_file(home).touch()


def clear_stale(home: Path) -> None:
    _stale_file(home).unlink(missing_ok=True)


def is_stale(home: Path) -> bool:
    return _stale_file(home).exists()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def units_without_vectors(home: Path) -> int:
    """Search units waiting for a vector (an indexing interrupted, or not yet run)."""
    if not (index_dir(home) / "units.sqlite3").exists():
        return 0
    conn = connect_units(home)
    try:
        return conn.execute("SELECT count(*) FROM units WHERE embedded = ?", (EMBED_PENDING,)).fetchone()[0]
    finally:
        conn.close()


class AppState:
    def __init__(self, home: Path, store: Store, searcher: Searcher | None = None, *,
                 embedder: str | None = None, chroma_url: str | None = None, dense: str = "core",
                 cache_size: int = 2048):
        self.home = home
        self.store = store
        self.embedder = embedder or get_settings().search.embedder
        self.chroma_url = chroma_url if chroma_url is not None else get_settings().data.chroma_url
        self.dense = dense
        self.llm = writer_from_env()  # CCN_LLM: a language model words the answers, else extractive
        self.uploads = home / "uploads"
        self.tmp = home / "tmp" / str(os.getpid())  # uploads being staged, per process: swept at start-up
        self.cache = ResultCache(cache_size)  # responses of /api/search and /api/ask
        self.jobs = Jobs()
        self.build_job = None  # the first run's background job (api/first_run.py), shown by /health
        self._index_lock = threading.Lock()
        self._index_wanted = threading.Event()
        self._student_wanted = "off"
        self._load_lock = threading.Lock()
        self._flag_lock = threading.Lock()
        self._searcher: Searcher | None = None
        self._answerer: Answerer | None = None
        self._stamp: tuple = ()
        self._looked = 0.0
        self._reloading = False
        if searcher is not None:
            self._stamp = self._index_stamp()
            self._install(searcher)

    @property
    def search_ready(self) -> bool:
        return self._searcher is not None

    def query_encoder(self) -> str | None:
        """What embeds questions in the loaded searcher (None: not loaded, or no vectors)."""
        dense = self._searcher.dense if self._searcher is not None else None
        return dense.query_model_name() if dense is not None else None

    def searcher(self) -> Searcher:
        if self._searcher is None:
            with self._load_lock:
                if self._searcher is None:
                    self._load()
        elif self._index_changed():
            self._reload_in_background()
        return self._searcher  # type: ignore[return-value]

    def answerer(self) -> Answerer:
        self.searcher()
        return self._answerer  # type: ignore[return-value]

    @property
    def ingest_lock(self):
        """`with state.ingest_lock:` — the same as `with state.exclusive_ingest():`."""
        return self.exclusive_ingest()

    @contextmanager
    def exclusive_ingest(self) -> Iterator[None]:
        """One writer of the knowledge base at a time, across threads and processes (the CLI's
        too); the index is marked stale before anything is written."""
        self.uploads.mkdir(parents=True, exist_ok=True)
        with self.store.writer_lock():
            mark_stale(self.home)
            yield

    def reindex(self, progress=None, student: str = "off") -> IndexReport:
        """Bring the indexes in line with the store, then swap in a searcher over them. When a
        build is under way (this process or another), return at once with an empty report: that
        build runs once more for this change. `student` (build_indexes): "auto" also trains the
        query student when the home has none; the build that runs next honours it."""
        if student != "off":
            self._student_wanted = student
        self._index_wanted.set()
        report = IndexReport()
        while self._index_wanted.is_set():
            if not self._index_lock.acquire(blocking=False):
                return report
            try:
                with (index_dir(self.home) / ".build.lock").open("a") as handle:
                    fcntl.flock(handle, fcntl.LOCK_EX)
                    while self._index_wanted.is_set():
                        self._index_wanted.clear()
                        student, self._student_wanted = self._student_wanted, "off"
                        report = self._build(progress, student)
            finally:
                self._index_lock.release()
        return report

    def _build(self, progress=None, student: str = "off") -> IndexReport:
        mark_stale(self.home)  # cleared only once the build completes: a kill leaves it
        report = build_indexes(self.store, self.home, dense=self.dense, embedder=self.embedder,
                               chroma_url=self.chroma_url, progress=progress, student=student)
        if units_without_vectors(self.home) == 0 or self.dense == "none":
            clear_stale(self.home)
        self._generation_file().write_text(str(time.time_ns()), encoding="utf-8")
        with self._load_lock:
            self._load()
        return report

    @property
    def index_incomplete(self) -> bool:
        return is_stale(self.home) or units_without_vectors(self.home) > 0

    def complete_index_in_background(self) -> bool:
        """At start-up: an index a kill left stale, or units without vectors, completed in a
        daemon thread (searches go on meanwhile). True when a completion was started."""
        if not self.index_incomplete:
            return False

        def complete() -> None:
            try:
                self.reindex()
            except Exception:
                log.exception("hoàn tất chỉ mục khi khởi động thất bại")

        threading.Thread(target=complete, name="ccn-complete-index", daemon=True).start()
        return True

    def sweep_tmp(self) -> None:
        """Remove what staged uploads a killed server left behind: the tmp folders of processes
        no longer running (another worker's, still serving, is left alone)."""
        shutil.rmtree(self.uploads / ".incoming", ignore_errors=True)  # the staging of older versions
        root = self.tmp.parent
        for folder in root.iterdir() if root.is_dir() else ():
            if folder == self.tmp or not (folder.name.isdigit() and _alive(int(folder.name))):
                shutil.rmtree(folder, ignore_errors=True)

    # ------------------------------------------------------------------ loading
    def _load(self) -> None:
        stamp = self._index_stamp()  # before opening: a change while opening is seen next time
        self._install(self._open())
        self._stamp = stamp

    def _open(self) -> Searcher:
        settings = SearchSettings()
        settings.embedder = self.embedder
        return open_searcher(self.store, self.home, settings, chroma_url=self.chroma_url)

    def _install(self, searcher: Searcher) -> None:
        self._answerer = Answerer(self.store, searcher, llm=self.llm)  # first: `answerer()` waits on the searcher
        self._searcher = searcher
        self.cache.clear()

    def _index_changed(self) -> bool:
        now = time.monotonic()
        if now - self._looked < STAMP_EVERY:
            return False
        self._looked = now
        return self._index_stamp() != self._stamp

    def _reload_in_background(self) -> None:
        with self._flag_lock:
            if self._reloading:
                return
            self._reloading = True

        def reload() -> None:
            try:
                with self._load_lock:
                    self._load()
            finally:
                self._reloading = False

        threading.Thread(target=reload, name="ccn-reload-index", daemon=True).start()

    def _generation_file(self) -> Path:
        return index_dir(self.home) / "generation"

    def _index_stamp(self) -> tuple:
        """Modification times of the lexical index (rewritten by every `ccn index`), of the query
        student's manifest (written last when it is trained) and of the generation file (written
        after an upload's whole index update)."""
        stamp = []
        watched = (index_dir(self.home) / "bm25" / "uids.json", student_dir(self.home) / "manifest.json",
                   self._generation_file())
        for path in watched:
            try:
                stamp.append(path.stat().st_mtime_ns)
            except OSError:
                stamp.append(None)
        return tuple(stamp)
