"""The checker's report: issues and their severities, one check per cited address, findings,
the report model (`CheckReport`: the JSON of `ccn check --json` and of POST /api/check) and its
text for the terminal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, Field, computed_field
from typing_extensions import TypedDict

from drafting.severity import (
    AS_OF_SOURCE_TEXT,
    SEVERITY_LABEL,
    SEVERITY_RANK,
    AsOfSource,
    CheckStatus,
    Severity,
)
from kb.model import CitationJSON


@dataclass(slots=True)
class CheckIssue:
    """One problem of a cited address (the checker calls it `Issue`; the API schema, whose
    drafting.assemble has an Issue of its own, CheckIssue)."""

    code: str
    severity: Severity
    message: str

    def __post_init__(self) -> None:
        self.severity = Severity(self.severity)  # a literal given checks against the vocabulary


Issue = CheckIssue


class CitationCheck(BaseModel):
    """One address cited (a mention naming several provisions gives one entry per provision);
    its status, code and message are those of its worst issue."""

    text: str = Field(description="trích dẫn như viết trong văn bản")
    start: int = Field(description="vị trí đầu trong văn bản (các đoạn nối bằng xuống dòng)")
    end: int
    paragraph: int = Field(description="số thứ tự đoạn, từ 0")
    citation: CitationJSON | None = None
    canonical: str | None = Field(None, description="dạng chuẩn của trích dẫn")
    issues: list[Issue] = []

    @property
    def worst(self) -> Issue:
        if not self.issues:
            return Issue("ok", Severity.OK, "")
        return max(self.issues, key=lambda i: SEVERITY_RANK[i.severity])

    @computed_field
    @property
    def status(self) -> CheckStatus:
        worst = self.worst
        if worst.severity in (Severity.ERROR, Severity.WARNING):
            return CheckStatus(worst.severity)
        if worst.severity == Severity.INFO and worst.code in OUTSIDE_CODES:
            return CheckStatus.OUTSIDE_KB
        return CheckStatus.OK

    @computed_field
    @property
    def code(self) -> str:
        return self.worst.code

    @computed_field
    @property
    def message(self) -> str:
        return self.worst.message


OUTSIDE_CODES = frozenset(
    {"outside_kb", "correspondence", "party_document", "unidentified_document",
     "cannot_verify_provision", "no_antecedent_info"}
)


class Finding(BaseModel):
    """A problem of the text itself, beyond one citation (speculative wording …)."""

    severity: Severity
    code: str
    message: str
    text: str
    paragraph: int
    start: int
    end: int


class CheckCounts(TypedDict):
    citations: int
    ok: int
    error: int
    warning: int
    outside_kb: int
    errors: int
    warnings: int


class CheckReport(BaseModel):
    """The JSON of `ccn check --json`."""

    file: str
    as_of: date = Field(description="ngày xét hiệu lực")
    as_of_source: AsOfSource
    notes: list[str] = []
    citations: list[CitationCheck] = []
    findings: list[Finding] = []

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.WARNING]

    @computed_field
    @property
    def counts(self) -> CheckCounts:
        statuses = [c.status for c in self.citations]
        return {
            "citations": len(self.citations),
            **{status.value: statuses.count(status) for status in CheckStatus},
            "errors": len(self.errors),
            "warnings": len(self.warnings),
        }


def format_report(report: CheckReport) -> str:
    """The report for the terminal: one line per citation and per finding without one."""
    lines = [f"Kiểm tra trích dẫn: {report.file}",
             f"Xét hiệu lực tại ngày {vn_date(report.as_of)} ({AS_OF_SOURCE_TEXT[report.as_of_source]})"]
    lines.extend(f"Lưu ý: {note}" for note in report.notes)
    rows = [(c.start, c.worst.severity, c.paragraph, c.text, c.worst.message) for c in report.citations]
    rows += [(f.start, f.severity, f.paragraph, f.text, f.message) for f in report.findings
             if f.code == "speculative_wording"]
    for _start, severity, paragraph, text, message in sorted(rows, key=lambda r: r[0]):
        snippet = " ".join(text.split())
        lines.append(f"[{SEVERITY_LABEL[severity]}] đoạn {paragraph + 1}: «{snippet}» — {message}")
    c = report.counts
    lines.append(f"{c['citations']} trích dẫn: {c['ok']} đúng, {c['error']} lỗi, {c['warning']} cảnh "
                 f"báo, {c['outside_kb']} ngoài cơ sở tri thức; tổng {c['errors']} lỗi, "
                 f"{c['warnings']} cảnh báo.")
    return "\n".join(lines)


def vn_date(when: date | None) -> str:
    return when.strftime("%d/%m/%Y") if when else "?"
