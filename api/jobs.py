"""Background jobs of the HTTP API: an upload's ingestion and index update run here, not in the
request, so the request answers at once (202 and a job id) and reads and approvals go on.

A job runs in a daemon thread (a stopping server never waits for it) under a cancel flag that
its reading (ingest.limits.checkpoint, between pages) and its index update (between batches)
look at: `cancel_all()` at shutdown stops every job at its next step. Jobs live in memory, the
last MAX_JOBS kept: `GET /api/jobs/{id}` shows state, progress and result.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from ingest.limits import Cancelled, LimitError

log = logging.getLogger("ccn.api")
MAX_JOBS = 200
RUNNING_AT_ONCE = 2  # jobs reading at the same time (two cores); the others wait "queued"


class JobState(StrEnum):
    """A background job's state (GET /api/jobs/{id} `state`, /health `build.state`)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


STATES: tuple[JobState, ...] = tuple(JobState)
JOB_STATE_TEXT: dict[JobState, str] = {
    JobState.QUEUED: "Đang chờ",
    JobState.RUNNING: "Đang chạy",
    JobState.DONE: "Đã xong",
    JobState.FAILED: "Thất bại",
    JobState.CANCELLED: "Đã huỷ",
}


class JobFailed(Exception):
    """A job's expected failure: its HTTP-like status, Vietnamese message and details."""

    def __init__(self, status: int, message: str, details: list | None = None):
        super().__init__(message)
        self.status, self.message, self.details = status, message, details or []


@dataclass
class Job:
    id: str
    kind: str
    owner: str
    state: JobState = JobState.QUEUED
    progress: dict[str, Any] = field(default_factory=lambda: {"step": "chờ", "done": 0, "total": 0})
    result: BaseModel | dict[str, Any] | None = None  # what the work returned
    error: str | None = None
    status: int | None = None  # like an HTTP status: 200 done, 413/422 refused, 500 broke
    details: list = field(default_factory=list)
    created: float = field(default_factory=time.time)
    finished: float | None = None
    cancel: threading.Event = field(default_factory=threading.Event)

    def step(self, name: str, done: int = 0, total: int = 0) -> None:
        """Record progress; raise Cancelled when the job was cancelled meanwhile."""
        self.progress = {"step": name, "done": done, "total": total}
        if self.cancel.is_set():
            raise Cancelled(self.kind, "công việc đã bị huỷ")

    def tracker(self) -> Callable[[Iterable, int, str], Iterator]:
        """A `progress` for build_indexes: reports each batch and stops between batches when
        cancelled (the embedding of a long upload ends at the next batch on shutdown)."""

        def track(items: Iterable, total: int, desc: str) -> Iterator:
            for number, item in enumerate(items):
                self.step(desc, number, total)
                yield item
            self.step(desc, total, total)

        return track

    def view(self) -> JobView:
        """The job as GET /api/jobs/{id} shows it (a snapshot: the job goes on changing)."""
        result = self.result.model_dump(mode="json") if isinstance(self.result, BaseModel) else self.result
        return JobView(id=self.id, kind=self.kind, state=self.state, progress=dict(self.progress),
                       result=result, error=self.error, status=self.status,
                       details=list(self.details), owner=self.owner)


class JobView(BaseModel):
    """A background job: its state, progress (step, done, total), result when done, or error."""

    id: str
    kind: str = Field(description="ingest | index | first-run")
    state: JobState
    progress: dict[str, Any]
    result: dict[str, Any] | None = None
    error: str | None = None
    status: int | None = Field(None, description="như mã HTTP: 200 xong, 413/422 bị từ chối, 500 lỗi")
    details: list = []
    owner: str


class Jobs:
    def __init__(self) -> None:
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._slots = threading.Semaphore(RUNNING_AT_ONCE)

    def submit(self, kind: str, owner: str, work: Callable[[Job], BaseModel | dict[str, Any]]) -> Job:
        job = Job(uuid.uuid4().hex[:16], kind, owner)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > MAX_JOBS:
                self._jobs.popitem(last=False)
        threading.Thread(target=self._run, args=(job, work), name=f"ccn-job-{job.id}", daemon=True).start()
        return job

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def cancel_all(self) -> None:
        for job in list(self._jobs.values()):
            job.cancel.set()

    def _run(self, job: Job, work: Callable[[Job], BaseModel | dict[str, Any]]) -> None:
        with self._slots:
            self._work(job, work)

    @staticmethod
    def _work(job: Job, work: Callable[[Job], BaseModel | dict[str, Any]]) -> None:
        job.state = JobState.RUNNING
        try:
            job.step("bắt đầu")  # cancelled while queued: stop before any work
            job.result = work(job)
            job.state, job.status = JobState.DONE, 200
        except Cancelled as exc:
            job.state, job.status, job.error = JobState.CANCELLED, exc.status, exc.problem
        except LimitError as exc:
            job.state, job.status, job.error = JobState.FAILED, exc.status, exc.problem
        except JobFailed as exc:
            job.state, job.status, job.error, job.details = JobState.FAILED, exc.status, exc.message, exc.details
        except Exception as exc:  # a bug: said, logged, never a hung "running"
            log.exception("công việc %s thất bại", job.id)
            job.state, job.status, job.error = JobState.FAILED, 500, f"lỗi máy chủ: {type(exc).__name__}"
        finally:
            job.finished = time.time()
