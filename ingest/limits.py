"""Resource limits on reading a file, the same on every path (ccn ingest, POST /api/ingest,
POST /api/check, uploads of the review workflow): one table, `LIMITS`, read by the readers.

Each limit is checked from what the file declares before the work it bounds is done: a DOCX's
zip directory (sizes once decompressed) before any XML is parsed, a PDF's page count and page
sizes before any page is rendered or sent to OCR, an archive member's size from its header
before it is extracted. A file over a limit raises LimitError (a ReadError: the batch goes on,
the failure is recorded) with a Vietnamese message naming the limit; the HTTP API answers it
with the limit's status (413 for a size, 422 for time).

The time budget and cancellation are per piece of work (`budget()`): readers call
`checkpoint()` between pages; the HTTP layer cancels the budget when the client disconnects or
the server shuts down. Every default can be changed by its environment setting (read when
checked, so a test or a deployment can lower it without restarting); the defaults and variable
names are the `limits` section of the settings (kb/settings.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from ingest.types import ReadError
from kb.settings import get_settings, settings_table

MB = 1024 * 1024


@dataclass(frozen=True)
class Limit:
    name: str
    default: int
    env: str
    status: int  # the HTTP status of a refusal
    unit: str  # how the value is written in messages and the README ("MB", "trang", "pt²", "giây")
    label: str  # what is limited, in Vietnamese

    @property
    def value(self) -> int:
        return getattr(get_settings().limits, self.name)

    def text(self, value: int | float | None = None) -> str:
        v = self.value if value is None else value
        shown = f"{v:,.0f}".replace(",", ".") if isinstance(v, int | float) else str(v)
        return f"{shown} {self.unit}"


# the `limits` section of the settings (kb/settings.py), with each limit's unit and status
LIMITS: dict[str, Limit] = {
    row.name: Limit(row.name, row.default, row.env, row.extra["status"], row.extra["unit"], row.doc)
    for row in settings_table() if row.section == "limits"}


def limit(name: str) -> int:
    return LIMITS[name].value


class LimitError(ReadError):
    """A file over a resource limit; `status` is the HTTP status to answer with."""

    def __init__(self, path: Path | str, name: str, found: str):
        lim = LIMITS[name]
        self.limit = lim
        self.status = lim.status
        super().__init__(path, f"vượt giới hạn {lim.label}: {found}, giới hạn {lim.text()} "
                               f"(cài đặt {lim.env})")


def check_size(path: Path | str, name: str, size_bytes: int, what: str = "") -> None:
    """Refuse `size_bytes` over the MB limit `name` (`what` names the part, e.g. an XML part)."""
    if size_bytes > limit(name) * MB:
        shown = f"{size_bytes / MB:,.1f} MB".replace(",", "X").replace(".", ",").replace("X", ".")
        raise LimitError(path, name, f"{what} {shown}".strip())


# ----------------------------------------------------------------------------- DOCX
def check_docx_zip(path: Path | str, data: bytes) -> None:
    """The zip directory of a DOCX, before reading it: total size once decompressed, and each
    XML part's (a zip bomb declares its real sizes, or it cannot be read past them)."""
    import io
    import zipfile

    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        return  # not a zip: the reader says it is broken
    for info in infos:
        if info.filename.lower().endswith((".xml", ".rels")):
            check_size(path, "docx_part_mb", info.file_size, f"phần {info.filename}")
    check_size(path, "docx_total_mb", sum(i.file_size for i in infos), "giải nén")


# ----------------------------------------------------------------------------- PDF
def check_pdf_pages(path: Path | str, count: int, size_of: Callable[[int], tuple[float, float]]) -> None:
    """Page count (as the page tree declares it), then each page's area (points²), before any
    page is rendered; `size_of(index)` reads one page's size."""
    if count > limit("pdf_pages"):
        raise LimitError(path, "pdf_pages", f"{count:,} trang".replace(",", "."))
    area_limit = limit("pdf_page_area")
    for index in range(count):
        width, height = size_of(index)
        if width * height > area_limit:
            raise LimitError(path, "pdf_page_area",
                             f"trang {index + 1} rộng {width:.0f}×{height:.0f} pt = "
                             f"{width * height:,.0f} pt²".replace(",", "."))


# ----------------------------------------------------------------------------- time, cancellation
class Budget:
    """A time budget for one piece of work, and a flag to cancel it (client gone, shutdown)."""

    def __init__(self, seconds: float | None = None, cancelled: threading.Event | None = None):
        self.deadline = time.monotonic() + (seconds if seconds is not None else limit("seconds"))
        self.cancelled = cancelled or threading.Event()  # may be shared: a job's files, one flag
        self.reason = ""

    def cancel(self, reason: str) -> None:
        self.reason = reason
        self.cancelled.set()

    def remaining(self) -> float:
        return self.deadline - time.monotonic()


class Cancelled(ReadError):
    """The work was cancelled (the client went away, or the server is stopping)."""

    status = 503


_budget: ContextVar[Budget | None] = ContextVar("ccn_budget", default=None)
_shutdown = threading.Event()  # set once: every budget is cancelled (graceful shutdown)


@contextmanager
def budget(existing: Budget | None = None) -> Iterator[Budget]:
    """Run the block under a budget: the one given, the one already running (nested calls share
    the outer budget), or a new one of `seconds`."""
    outer = _budget.get()
    chosen = existing or outer or Budget()
    token = _budget.set(chosen)
    try:
        yield chosen
    finally:
        _budget.reset(token)


def shutdown() -> None:
    """Cancel all work under way and to come (SIGTERM): readers stop at their next checkpoint."""
    _shutdown.set()


def checkpoint(path: Path | str) -> float | None:
    """Between two pages: raise when cancelled or over time; the seconds left otherwise (None
    without a budget)."""
    current = _budget.get()
    if _shutdown.is_set():
        raise Cancelled(path, "dừng xử lý: máy chủ đang tắt")
    if current is None:
        return None
    if current.cancelled.is_set():
        raise Cancelled(path, f"dừng xử lý: {current.reason or 'đã huỷ'}")
    left = current.remaining()
    if left <= 0:
        raise LimitError(path, "seconds", "đã quá thời gian xử lý")
    return left

