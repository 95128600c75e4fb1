"""Progress of long work (ingest, embedding, training the query student) that a person can see
whatever the output is: a tqdm bar on a terminal, and otherwise a line every EVERY seconds and
one at the end of each step, with counts and an estimate of the time left:

    Tính vector: 640/1725 (37 %), còn khoảng 3 phút

(a pipe, `make run` under a process supervisor or a CI log used to show nothing for an hour).
A `ProgressLines` is a `retrieval.index.Progress` (wrap(items, total, desc)); `.ingest` is the
two-argument form `ingest.runner.ingest_paths` takes. Given a background job (api/jobs.py) it
also records the step, counts and ETA there, which /health shows.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

EVERY = 10.0  # seconds between two lines when the output is not a terminal


def format_eta(seconds: float) -> str:
    """«còn khoảng 3 phút»: whole minutes from two minutes on, seconds below."""
    if seconds >= 90:
        return f"còn khoảng {round(seconds / 60)} phút"
    return f"còn khoảng {max(1, round(seconds))} giây"


def progress_line(desc: str, done: int, total: int, eta: float | None) -> str:
    percent = f" ({100 * done // total} %)" if total else ""
    tail = ", xong" if total and done >= total else (f", {format_eta(eta)}" if eta is not None else "")
    return f"{desc}: {done}/{total}{percent}{tail}"


def estimate_eta(started: float, now: float, done: int, total: int) -> float | None:
    """Seconds left at the pace so far (None before the first item is done)."""
    if done <= 0 or total <= done:
        return None if done <= 0 else 0.0
    return (now - started) / done * (total - done)


@dataclass
class _Step:
    desc: str
    total: int
    started: float
    last: float
    done: int = 0
    shown: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class ProgressLines:
    """`beat`: seconds of real time between two looks of a helper thread that prints the line
    when no item finished for `every` seconds (a batch of embedding can take a minute on a busy
    machine); None: lines only as items finish (a test's fake clock)."""

    def __init__(self, stream: TextIO | None = None, *, every: float = EVERY,
                 clock: Callable[[], float] = time.monotonic, job=None, tty: bool | None = None,
                 beat: float | None = 1.0):
        self.stream = stream
        self.every = every
        self.clock = clock
        self.job = job  # an api.jobs.Job: its progress (step, counts, ETA) follows this one
        self.tty = tty
        self.beat = beat

    def _out(self) -> TextIO:
        return self.stream if self.stream is not None else sys.stderr

    def _is_tty(self) -> bool:
        if self.tty is not None:
            return self.tty
        isatty = getattr(self._out(), "isatty", None)
        return bool(isatty and isatty())

    def __call__(self, items: Iterable, total: int, desc: str) -> Iterator:
        if self._is_tty() and self.job is None:
            from tqdm import tqdm

            yield from tqdm(items, total=total, desc=desc, file=self._out())
            return
        now = self.clock()
        step = _Step(desc, total, now, now)
        self._report(step, None, line=False)
        stop = threading.Event()
        if self.beat is not None and total > 0:
            threading.Thread(target=self._beat, args=(step, stop), name="ccn-progress", daemon=True).start()
        try:
            for item in items:
                yield item
                step.done += 1
                self._tick(step)
        finally:
            stop.set()
        with step.lock:
            self._report(step, 0.0, line=total > 0 and step.shown != step.done)

    def _tick(self, step: _Step, beat: bool = False) -> None:
        with step.lock:
            now = self.clock()
            eta = estimate_eta(step.started, now, step.done, step.total)
            if now - step.last >= self.every:
                step.last, step.shown = now, step.done
                self._report(step, eta, job=not beat)
            elif not beat:
                self._report(step, eta, line=False)

    def _beat(self, step: _Step, stop: threading.Event) -> None:
        while not stop.wait(self.beat):
            self._tick(step, beat=True)

    def ingest(self, items: Iterable, total: int) -> Iterator:
        """The form ingest_paths takes: files read."""
        return self(items, total, "Nạp văn bản")

    def _report(self, step: _Step, eta: float | None, *, line: bool = True, job: bool = True) -> None:
        if job and self.job is not None:  # not from the helper thread: Cancelled is the work's
            self.job.step(step.desc, step.done, step.total)  # raises Cancelled when cancelled
            self.job.progress["eta_seconds"] = None if eta is None else round(eta)
        if line:  # the tqdm bar is used only on a terminal without a job
            print(progress_line(step.desc, step.done, step.total, eta), file=self._out(), flush=True)
