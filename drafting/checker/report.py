"""The checker's report: issues and their severities, one check per cited address, findings,
the report model (`CheckReport`, its JSON) and its text for the terminal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from drafting.severity import SEVERITY_LABEL, SEVERITY_RANK, CheckStatus, Severity
from kb.model import Citation


@dataclass(slots=True)
class Issue:
    code: str
    severity: Severity
    message: str

    def __post_init__(self) -> None:
        self.severity = Severity(self.severity)  # a literal given checks against the vocabulary


@dataclass(slots=True)
class CitationCheck:
    """One address cited (a mention naming several provisions gives one entry per provision)."""

    text: str
    start: int
    end: int
    paragraph: int
    citation: Citation | None = None
    canonical: str | None = None
    issues: list[Issue] = field(default_factory=list)

    @property
    def worst(self) -> Issue:
        if not self.issues:
            return Issue("ok", Severity.OK, "")
        return max(self.issues, key=lambda i: SEVERITY_RANK[i.severity])

    @property
    def status(self) -> CheckStatus:
        worst = self.worst
        if worst.severity in (Severity.ERROR, Severity.WARNING):
            return CheckStatus(worst.severity)
        if worst.severity == Severity.INFO and worst.code in OUTSIDE_CODES:
            return CheckStatus.OUTSIDE_KB
        return CheckStatus.OK

    def to_json(self) -> dict:
        worst = self.worst
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "paragraph": self.paragraph,
            "citation": self.citation.to_dict() if self.citation else None,
            "canonical": self.canonical,
            "status": self.status,
            "code": worst.code,
            "message": worst.message,
            "issues": [{"code": i.code, "severity": i.severity, "message": i.message}
                       for i in self.issues],
        }


OUTSIDE_CODES = frozenset(
    {"outside_kb", "correspondence", "party_document", "unidentified_document",
     "cannot_verify_provision", "no_antecedent_info"}
)


@dataclass(slots=True)
class Finding:
    severity: Severity
    code: str
    message: str
    text: str
    paragraph: int
    start: int
    end: int

    def __post_init__(self) -> None:
        self.severity = Severity(self.severity)

    def to_json(self) -> dict:
        return {"severity": self.severity, "code": self.code, "message": self.message,
                "text": self.text, "paragraph": self.paragraph, "start": self.start,
                "end": self.end}


@dataclass(slots=True)
class CheckReport:
    file: str
    as_of: date
    as_of_source: str  # "argument" | "letter" | "today"
    notes: list[str] = field(default_factory=list)
    citations: list[CitationCheck] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.WARNING]

    @property
    def counts(self) -> dict[str, int]:
        statuses = [c.status for c in self.citations]
        return {
            "citations": len(self.citations),
            **{status.value: statuses.count(status) for status in CheckStatus},
            "errors": len(self.errors),
            "warnings": len(self.warnings),
        }

    def to_json(self) -> dict:
        return {
            "file": self.file,
            "as_of": self.as_of.isoformat(),
            "as_of_source": self.as_of_source,
            "notes": self.notes,
            "citations": [c.to_json() for c in self.citations],
            "findings": [f.to_json() for f in self.findings],
            "counts": self.counts,
        }


AS_OF_SOURCE = {"argument": "theo tham số --as-of", "letter": "theo ngày của văn bản",
                "today": "ngày hôm nay"}


def format_report(report: CheckReport) -> str:
    """The report for the terminal: one line per citation and per finding without one."""
    lines = [f"Kiểm tra trích dẫn: {report.file}",
             f"Xét hiệu lực tại ngày {vn_date(report.as_of)} ({AS_OF_SOURCE[report.as_of_source]})"]
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
