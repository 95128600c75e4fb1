"""The first run (issue 13, point 1): progress a person sees when output is not a terminal, a
busy port refused before any work, lexical search served before the vectors exist and the
vectors picked up without a restart, Swagger UI offline."""

from __future__ import annotations

import io

from api.progress import ProgressLines, progress_line


class FakeClock:
    """A clock the test moves: each item of the work below takes `step` seconds."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 1000.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_progress_lines_when_not_a_terminal(capsys):
    clock = FakeClock(step=1.0)  # one second per batch
    progress = ProgressLines(every=10.0, clock=clock)  # stderr under capsys is not a TTY
    assert list(progress(range(60), 60, "Tính vector")) == list(range(60))
    lines = capsys.readouterr().err.splitlines()
    # a line every 10 s (items 10, 20, … 50) and one at the end; no bar, no carriage returns
    assert lines[0] == "Tính vector: 10/60 (16 %), còn khoảng 50 giây"
    assert lines[1] == "Tính vector: 20/60 (33 %), còn khoảng 40 giây"
    assert lines[-1] == "Tính vector: 60/60 (100 %), xong"
    assert len(lines) == 6 and "\r" not in "".join(lines)


def test_progress_eta_in_minutes():
    assert progress_line("Tính vector", 640, 1725, 190.0) == "Tính vector: 640/1725 (37 %), còn khoảng 3 phút"
    stream = io.StringIO()
    wrap = ProgressLines(stream, every=10.0, clock=FakeClock(step=20.0)).ingest
    assert list(wrap(iter(["a.docx", "b.pdf"]), 2)) == ["a.docx", "b.pdf"]
    assert stream.getvalue().splitlines() == ["Nạp văn bản: 1/2 (50 %), còn khoảng 20 giây",
                                              "Nạp văn bản: 2/2 (100 %), xong"]
