"""One draft from spec to files: assemble, render, check, (preview). Used by `ccn draft` and the API.

The citation checker (drafting.checker) reads the letter as it will be sent, i.e. rendered
without the reviewer's appendix (whose quotations are the law's own words, with its own "Nghị
định này" references); its JSON goes into the report next to what assembly found.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pydantic import BaseModel, Field

from drafting.assemble import AssembledDraft, AssemblySummary, assemble
from drafting.checker.report import CheckReport
from drafting.render import render, render_comparison, template_for
from drafting.spec import DraftSpec
from kb.store import Store


class DraftReport(BaseModel):
    """A draft's report: `ccn draft --json` and `--report FILE`, and POST /api/draft (which
    leaves the files out: no server path in a response)."""

    kind: str
    kind_label: str
    as_of: date
    ok: bool = Field(description="không có lỗi khi lập dự thảo và không có lỗi trích dẫn")
    assembly: AssemblySummary
    check: CheckReport | None = None
    output: str | None = Field(None, description="tệp DOCX đã ghi (chỉ ở dòng lệnh)")
    pdf: str | None = None
    comparison: str | None = Field(None, description="bảng so sánh, thuyết minh (dự thảo sửa đổi)")
    notes: list[str] = []

    def without_files(self) -> DraftReport:
        return self.model_copy(update={"output": None, "pdf": None, "comparison": None})


@dataclass
class DraftResult:
    docx: Path
    draft: AssembledDraft
    check: CheckReport | None = None
    pdf: Path | None = None
    comparison: Path | None = None  # sua_doi: the bảng so sánh, thuyết minh
    notes: list[str] = field(default_factory=list)

    @property
    def check_errors(self) -> int:
        return len(self.check.errors) if self.check else 0

    @property
    def ok(self) -> bool:
        return not self.draft.errors and not self.check_errors

    def report(self) -> DraftReport:
        return DraftReport(kind=self.draft.kind, kind_label=self.draft.kind_label, as_of=self.draft.as_of,
                           ok=self.ok, assembly=self.draft.summary(), check=self.check,
                           output=str(self.docx), pdf=str(self.pdf) if self.pdf else None,
                           comparison=str(self.comparison) if self.comparison else None, notes=self.notes)

    def write_report(self, path: Path | str) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.report().model_dump_json(indent=2), encoding="utf-8")
        return path


def make_draft(spec: DraftSpec, store: Store, out: Path | str, *, as_of: date | None = None,
               searcher=None, approved: bool = False, check: bool = True) -> DraftResult:
    """Assemble and render the draft to `out`, then run the citation checker on it."""
    draft = assemble(spec, store, searcher=searcher, as_of=as_of)
    template = template_for(spec.kind, spec)
    docx = render(draft, out, approved=approved, template=template)
    result = DraftResult(docx=docx, draft=draft)
    if draft.kind == "sua_doi":
        result.comparison = render_comparison(draft, docx.with_name(f"{docx.stem}-bang-so-sanh.docx"))
    if check:
        result.check = check_letter(store, draft, template, approved)
    return result


def check_letter(store: Store, draft: AssembledDraft, template: Path, approved: bool) -> CheckReport:
    """The citation checker's report on the letter itself (no reviewer's appendix)."""
    from drafting.checker import check_file  # CHECKER: the one call site of drafting.checker

    with tempfile.TemporaryDirectory(prefix="ccn-check-") as tmp:
        letter = render(draft, Path(tmp) / "letter.docx", approved=approved, reviewer=False,
                        template=template)
        report = check_file(store, letter, as_of=draft.as_of, declared=draft.declared)
    return report.model_copy(update={"file": "(văn bản dự thảo, không kèm phụ lục trích dẫn)"})
