"""How serious a finding is (mức độ), for the assembler's issues and the citation checker.

One vocabulary: the assembler (`drafting.assemble.Issue`), the checker (`drafting.checker`), the
CLI's report and the UI (through `GET /api/labels`) all read these, never their own copies.
"""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    """An issue's severity; `ok` only for the checker's verified citations."""

    ERROR = "error"  # lỗi: the letter must change
    WARNING = "warning"  # cảnh báo: a person must look
    INFO = "info"  # thông tin: nothing to verify against (outside the knowledge base …)
    OK = "ok"  # đúng


class CheckStatus(StrEnum):
    """A cited address's verdict in the checker's report (from its worst issue)."""

    OK = "ok"
    ERROR = "error"
    WARNING = "warning"
    OUTSIDE_KB = "outside_kb"  # an info issue about a text the knowledge base does not hold


class AsOfSource(StrEnum):
    """Where the date a letter's citations are checked at comes from."""

    ARGUMENT = "argument"  # chosen by the user (--as-of, the form's date)
    LETTER = "letter"  # the letter's own date
    TODAY = "today"  # the letter's date could not be read


SEVERITY_RANK: dict[Severity, int] = {Severity.ERROR: 3, Severity.WARNING: 2, Severity.INFO: 1, Severity.OK: 0}
SEVERITY_TEXT: dict[Severity, str] = {
    Severity.ERROR: "Lỗi",
    Severity.WARNING: "Cảnh báo",
    Severity.INFO: "Thông tin",
    Severity.OK: "Đúng",
}
# the bracketed tag of the text report and of the Word comments: "[LỖI] …"
SEVERITY_LABEL: dict[Severity, str] = {s: text.upper() for s, text in SEVERITY_TEXT.items()}
CHECK_STATUS_TEXT: dict[CheckStatus, str] = {
    CheckStatus.OK: SEVERITY_TEXT[Severity.OK],
    CheckStatus.ERROR: SEVERITY_TEXT[Severity.ERROR],
    CheckStatus.WARNING: SEVERITY_TEXT[Severity.WARNING],
    CheckStatus.OUTSIDE_KB: "Ngoài cơ sở dữ liệu",
}
AS_OF_SOURCE_TEXT: dict[AsOfSource, str] = {
    AsOfSource.ARGUMENT: "theo ngày đã chọn",
    AsOfSource.LETTER: "theo ngày của văn bản",
    AsOfSource.TODAY: "ngày hôm nay",
}
