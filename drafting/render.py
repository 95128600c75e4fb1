"""Render an assembled draft into a DOCX in the official format (NĐ 30/2020, Phụ lục I).

The Word template of the document kind (drafting/templates/<kind>.docx, or the one the spec
names in `template`) is filled with docxtpl in a sandboxed Jinja environment; the layout, fonts
and fixed wording live in the template.
Then python-docx fits what depends on the content: the rule under the issuing body (1/3–1/2 of
its longest line, nd30-format §2.2), the rule under a typed document's trích yếu, and the column
widths of the table of comparable provisions.

`approved=False` (a draft) prints "DỰ THẢO" on the first page and adds the reviewer's appendix
(every cited provision verbatim, as in force at the letter's date); `approved=True` removes both.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from docxtpl import DocxTemplate, RichText
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from drafting.assemble import AssembledDraft, CitedProvision, Run, assemble, short_date, text_lines
from drafting.layout import has_bottom_border, rule_indents, set_fixed_layout, text_width_mm
from drafting.resources import ResourceError, resolve
from drafting.spec import DraftSpec, parse_spec, spec_home
from kb.settings import home_dir, store_for
from kb.store import Store

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
HEADER_LEFT_MM = 75.0
TEXT_WIDTH_MM = 165.0
AGENCY_SIZE_PT = 12
TITLE_SIZE_PT = 14
QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
RULE_SHARE = 0.4  # the rule under a name or a trích yếu: between 1/3 and 1/2 of its line
CELL_SIZE_PT = 11  # the comparison table's text (style CCN Table)
CELL_PADDING_MM = 2.5  # Table Grid's cell margins, left and right
NARROW_MIN_MM = 10.0
PROSE_MIN_MM = 28.0  # a column of sentences: four to five words a line at 11 pt
PROSE_CHARS = 40
KEEP_LAST = 2  # body paragraphs kept on the signature's page: the closing and the one before

STATUS_LABEL = {"accepted": "đã chấp nhận", "dropped": "đã bỏ", "pending": "chưa xử lý"}
ORIGIN_LABEL = {"spec": "nêu trong dự thảo", "text": "viện dẫn trong nội dung",
                "accepted": "gợi ý của hệ thống, đã chấp nhận", "comparison": "bảng so sánh"}


class RenderError(ValueError):
    """A template that cannot be read or rendered; the message names the template."""


def template_for(kind: str, spec: DraftSpec | None = None) -> Path:
    """The spec's own template by name ($CCN_HOME/templates, then drafting/templates; never a
    path: drafting.resources), else the shipped one of the kind."""
    own = getattr(spec, "template", None) if spec is not None else None
    if own:
        try:
            return resolve(own, "template", spec_home(spec) if spec is not None else None)
        except ResourceError as exc:
            raise RenderError(str(exc)) from None
    return TEMPLATE_DIR / f"{kind}.docx"


def sandbox() -> SandboxedEnvironment:
    """The Jinja environment templates are rendered in: no attribute of Python internals
    (`cycler.__init__.__globals__` …) is reachable, even from a template an admin installed."""
    return SandboxedEnvironment(autoescape=True)


# ----------------------------------------------------------------------------- context
def _rich(runs: list[Run], size: int | None = None) -> RichText:
    rt = RichText()
    for run in runs:
        rt.add(run.text, bold=run.bold, italic=run.italic, size=size)
    return rt


def _cited(i: int, c: CitedProvision, as_of: date) -> dict[str, Any]:
    head = RichText()
    head.add(f"{i}. {c.citation_text}", bold=True)
    status = RichText()
    if c.found:
        note = f" ({c.validity_note})" if c.validity_note else ""
        version = f"; {c.version_note}" if c.version_note else ""
        text = f"Hiệu lực ngày {short_date(as_of)}: {c.status_text}{note}{version}. "
    else:
        text = "KHÔNG TÌM THẤY trong kho dữ liệu: cần kiểm tra lại trích dẫn. "
    status.add(text + f"Nguồn: {ORIGIN_LABEL[c.origin]} ({', '.join(c.used_in)}).", italic=True)
    lines = text_lines(c.text) if c.found else []
    return {"head": head, "status": status, "lines": lines}


def context(draft: AssembledDraft, *, approved: bool, reviewer: bool) -> dict[str, Any]:
    """The template's variables."""
    comparison = None
    if draft.comparison is not None:
        comp = draft.comparison
        rows = []
        for row in comp.rows:
            rows.append([[_rich(p) for p in (cell.paragraphs or [[Run(text="")]])] for cell in row])
        comparison = {"title": comp.title, "reference": comp.reference, "headers": comp.headers,
                      "rows": rows}
    table = None
    if draft.table is not None:
        table = {"headers": draft.table.headers,
                 "rows": [[[_rich(p) for p in (cell.paragraphs or [[Run(text="")]])] for cell in row]
                          for row in draft.table.rows]}
    attachment = None
    if draft.attachment is not None:
        att = draft.attachment
        attachment = {"type_name": att.type_name, "subject": att.subject, "reference": att.reference,
                      "body": [{"kind": p.kind, "rich": _rich(p.runs)} for p in att.body]}
    suggestions = [f"- {s.citation_text} ({s.where}; điểm {s.score:.2f}): {STATUS_LABEL[s.decision]}"
                   for s in draft.suggestions]
    return {
        "approved": approved,
        "reviewer": reviewer,
        "parent_header": draft.parent_header,
        "agency_header": draft.agency_header,
        "number_line": draft.number_line,
        "place_date": draft.place_date,
        "type_name": draft.type_name,
        "subject": draft.subject,
        "recipients": draft.recipients,
        "body": [{"kind": p.kind, "rich": _rich(p.runs)} for p in draft.body
                 if not (approved and p.kind == "note")],
        "signer_lines": draft.signer_lines,
        "signer_name": draft.signer_name,
        "distribution": draft.distribution,
        "comparison": comparison,
        "table": table,
        "after": [{"kind": p.kind, "rich": _rich(p.runs)} for p in draft.after],
        "attachment": attachment,
        "co_signer": ({"lines": draft.co_signer_lines, "name": draft.co_signer_name}
                      if draft.co_signer_lines else None),
        "citations": [_cited(i, c, draft.as_of) for i, c in enumerate(draft.citations, 1)],
        "suggestions": suggestions,
        "as_of_text": f"tại ngày {short_date(draft.as_of)}",
    }


# ----------------------------------------------------------------------------- rendering
def render_document(draft: AssembledDraft, *, approved: bool = False, reviewer: bool | None = None,
                    template: Path | None = None) -> DocumentObject:
    """The filled python-docx Document."""
    path = template or TEMPLATE_DIR / f"{draft.kind}.docx"
    try:
        tpl = DocxTemplate(str(path))
        tpl.render(context(draft, approved=approved, reviewer=not approved if reviewer is None else reviewer),
                   jinja_env=sandbox(), autoescape=True)
    except SecurityError as exc:
        raise RenderError(f"mẫu văn bản «{path.stem}» dùng thuộc tính bị cấm trong mẫu "
                          "(chỉ được dùng các biến của dự thảo)") from exc
    except Exception as exc:  # docxtpl raises Jinja, lxml and zip errors alike
        raise RenderError(f"không dựng được văn bản từ mẫu «{path.stem}» ({type(exc).__name__})") from exc
    buffer = io.BytesIO()
    tpl.save(buffer)
    doc = Document(io.BytesIO(buffer.getvalue()))
    _fit(doc, draft)
    _properties(doc, draft, approved)
    return doc


def render(draft: AssembledDraft, out: Path | str, *, approved: bool = False, reviewer: bool | None = None,
           template: Path | None = None) -> Path:
    """Write the DOCX; returns its path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    render_document(draft, approved=approved, reviewer=reviewer, template=template).save(out)
    return out


def render_comparison(draft: AssembledDraft, out: Path | str) -> Path:
    """The bảng so sánh, thuyết minh of an amending draft (kind sua_doi) as its own DOCX."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = render_document(draft, template=TEMPLATE_DIR / "bang_so_sanh.docx", reviewer=False)
    doc.core_properties.title = draft.comparison.title if draft.comparison else draft.subject
    doc.save(out)
    return out


def render_bytes(spec: dict | DraftSpec, approved: bool = False, *, store: Store | None = None,
                 as_of: date | None = None, searcher=None, home: Path | None = None) -> bytes:
    """A spec (dict as stored by the review workflow, or DraftSpec) → the DOCX bytes.

    Without `store`, the knowledge base of $CCN_DATABASE_URL, else $CCN_HOME (default ./data);
    `home` is where a dict spec's profile and template names are looked up first."""
    spec = spec if isinstance(spec, DraftSpec) else parse_spec(spec, home=home)
    store = store or _default_store()
    draft = assemble(spec, store, searcher=searcher, as_of=as_of)
    buffer = io.BytesIO()
    render_document(draft, approved=approved, template=template_for(spec.kind, spec)).save(buffer)
    return buffer.getvalue()


def _default_store() -> Store:
    return store_for(home_dir())


# ----------------------------------------------------------------------------- fitting
def _fit(doc: DocumentObject, draft: AssembledDraft) -> None:
    name_mm = max(text_width_mm(line, AGENCY_SIZE_PT, bold=True) for line in draft.agency_header)
    headers = [doc.tables[0]] + ([t for t in doc.tables[1:] if t.cell(0, 1).paragraphs[0].text == QUOC_HIEU]
                                 if draft.attachment is not None else [])  # an attached Quy chế repeats it
    for header in headers:
        for p in header.cell(0, 0).paragraphs:
            if has_bottom_border(p):
                rule_indents(p, HEADER_LEFT_MM, RULE_SHARE * min(name_mm, HEADER_LEFT_MM))
    if draft.type_name:
        rule = _title_rule(doc)
        if rule is not None:
            title_mm = min(text_width_mm(draft.subject, TITLE_SIZE_PT, bold=True), TEXT_WIDTH_MM)
            rule_indents(rule, TEXT_WIDTH_MM, RULE_SHARE * title_mm)
    if draft.comparison is not None:
        _fit_comparison(doc, draft)
    if draft.table is not None and draft.table.widths:
        _fit_widths(doc, draft.table.headers, draft.table.widths)
    _keep_signature_with_text(doc)


def _title_rule(doc: DocumentObject):
    for p in doc.paragraphs:
        if has_bottom_border(p):
            return p
        if p.text.startswith("Kính gửi"):
            return None
    return None


def _fit_comparison(doc: DocumentObject, draft: AssembledDraft) -> None:
    """Column widths sized to their content on the A4 text width (comparison_widths)."""
    comp = draft.comparison
    assert comp is not None
    table = next((t for t in doc.tables if t.rows and t.rows[0].cells
                  and t.rows[0].cells[0].text.strip() == "TT"), None)
    if table is None:
        return
    if comp.widths:  # given by the document kind (procedure documents)
        set_fixed_layout(table, comp.widths)
        return
    if draft.kind == "sua_doi":  # bảng so sánh: TT | hiện hành | dự thảo | thuyết minh
        set_fixed_layout(table, [10.0, 55.0, 55.0, 45.0])
        return
    columns = [[header] for header in comp.headers]
    for row in comp.rows:
        for i, cell in enumerate(row):
            columns[i].append(" ".join("".join(r.text for r in p) for p in cell.paragraphs))
    set_fixed_layout(table, comparison_widths(columns))


def comparison_widths(columns: list[list[str]], total: float = TEXT_WIDTH_MM) -> list[float]:
    """Widths (mm) of a table's columns from their texts (header first): each at least its
    longest word (so no word breaks) and, when it holds prose (a cell over PROSE_CHARS), at
    least PROSE_MIN_MM, so a comment column is never a 2 cm strip; the rest of the width shared
    in proportion to the amount of text each column holds."""
    mins, weights = [], []
    for texts in columns:
        words = [w for text in texts for w in text.split()]
        longest = max((text_width_mm(w, CELL_SIZE_PT, bold=True) for w in words), default=0.0)
        floor = PROSE_MIN_MM if max((len(t) for t in texts[1:]), default=0) > PROSE_CHARS else NARROW_MIN_MM
        mins.append(max(floor, longest + CELL_PADDING_MM))
        weights.append(sum(len(t) for t in texts[1:]) if floor == PROSE_MIN_MM else 0)
    spare = total - sum(mins)
    if spare <= 0 or not sum(weights):
        return [round(m * total / sum(mins), 1) for m in mins]
    widths = [round(m + spare * w / sum(weights), 1) for m, w in zip(mins, weights, strict=True)]
    widths[widths.index(max(widths))] += round(total - sum(widths), 1)  # rounding: the sum is exact
    return widths


def _keep_signature_with_text(doc: DocumentObject) -> None:
    """The signature block never sits alone on a page: the signature table's rows do not split
    (w:cantSplit) and the last body paragraphs before it keep with the next one; widow/orphan control on every body paragraph (the style sets it; set here too for a
    user's template that does not)."""
    table = next((t for t in doc.tables if any(p.text.strip() == "Nơi nhận:"
                                                for c in t._cells for p in c.paragraphs)), None)
    if table is None:
        return
    for row in table.rows:
        tr_pr = row._tr.get_or_add_trPr()
        if tr_pr.find(qn("w:cantSplit")) is None:
            tr_pr.append(OxmlElement("w:cantSplit"))
    text: list[Paragraph] = []
    for element in doc.element.body.iterchildren():
        if element is table._tbl:
            break
        if element.tag == qn("w:p"):
            text.append(Paragraph(element, doc._body))
    text = [p for p in text if p.text.strip()]
    for p in text:
        p.paragraph_format.widow_control = True
    for p in text[-KEEP_LAST:]:
        p.paragraph_format.keep_with_next = True


def _fit_widths(doc: DocumentObject, headers: list[str], widths: list[float]) -> None:
    """Fixed column widths (mm) for the table whose header row is `headers`."""
    for t in doc.tables:
        if t.rows and [c.text.strip() for c in t.rows[0].cells] == headers:
            set_fixed_layout(t, widths)
            return


def _properties(doc: DocumentObject, draft: AssembledDraft, approved: bool) -> None:
    props = doc.core_properties
    props.title = draft.subject
    props.subject = draft.kind_label
    props.author = draft.profile.agency
    props.category = "Văn bản đã duyệt" if approved else "DỰ THẢO"
    props.comments = "Soạn bằng ccn-assistant (ccn draft)"
