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
import time
from collections.abc import Callable, Iterable, Iterator
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


class ProgressLines:
    def __init__(self, stream: TextIO | None = None, *, every: float = EVERY,
                 clock: Callable[[], float] = time.monotonic, job=None, tty: bool | None = None):
        self.stream = stream
        self.every = every
        self.clock = clock
        self.job = job  # an api.jobs.Job: its progress (step, counts, ETA) follows this one
        self.tty = tty

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
        started = last = self.clock()
        done = shown = 0
        self._report(desc, 0, total, None, started, line=False)
        for item in items:
            yield item
            done += 1
            now = self.clock()
            if now - last >= self.every:
                last, shown = now, done
                self._report(desc, done, total, estimate_eta(started, now, done, total), now)
            elif self.job is not None:
                self._report(desc, done, total, estimate_eta(started, now, done, total), now, line=False)
        self._report(desc, done, total, 0.0, self.clock(), line=total > 0 and shown != done)

    def ingest(self, items: Iterable, total: int) -> Iterator:
        """The form ingest_paths takes: files read."""
        return self(items, total, "Nạp văn bản")

    def _report(self, desc: str, done: int, total: int, eta: float | None, now: float,
                line: bool = True) -> None:
        if self.job is not None:
            self.job.step(desc, done, total)  # raises Cancelled when the job was cancelled
            self.job.progress["eta_seconds"] = None if eta is None else round(eta)
        if line:  # the tqdm bar is used only on a terminal without a job
            print(progress_line(desc, done, total, eta), file=self._out(), flush=True)
