"""Build the default Word templates (docxtpl) for each document kind, reproducibly.

    .venv/bin/python drafting/templates/make_templates.py      # rewrites drafting/templates/*.docx

The templates hold the layout of Nghị định 30/2020/NĐ-CP, Phụ lục I (../shared/docs/nd30-format.md
§1–§3): A4 portrait, margins 20/20/30/15 mm, Times New Roman, the header table (cơ quan | Quốc
hiệu, Tiêu ngữ; số, ký hiệu | địa danh, ngày), V/v or tên loại and trích yếu, Kính gửi, body
styles, the signature table (Nơi nhận | quyền hạn, chức vụ, họ tên), the page number in the top
margin from page 2 (a different first page), "DỰ THẢO" in the first-page header until approved,
the annex with the table of comparable provisions (báo cáo, tờ trình) and the reviewer's appendix
quoting every cited provision. Users may edit the generated files in Word (fonts, spacing, fixed
wording); the Jinja tags ({{ … }}, {%p … %}, {%tr … %}, {%tc … %}) must stay.

Body paragraphs take their look from the paragraph styles "CCN Body", "CCN Heading", "CCN
Section", "CCN Quote" and "CCN Annex" (edit the style to change every paragraph of that kind).
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from drafting.layout import (  # noqa: E402
    rule_indents,
    set_bottom_border,
    set_box_border,
    set_cell_margins_zero,
    set_fixed_layout,
    text_width_mm,
    twips,
)

HERE = Path(__file__).resolve().parent
FONT = "Times New Roman"
TEXT_WIDTH = 165.0  # 210 − 30 − 15 mm
HEADER_COLS = [75.0, 90.0]
SIGN_COLS = [70.0, 95.0]
QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"

KINDS = {  # file: (layout, has V/v, has the comparison annex)
    "gop_y": "cong_van",
    "tra_loi": "cong_van",
    "bao_cao_ra_soat": "typed",
    "to_trinh": "typed",
    # the documents of the establishment procedure (drafting/procedure.py): tên loại and trích
    # yếu, an optional Kính gửi, centred lines (QUYẾT ĐỊNH:), a table in the body (score sheet,
    # minutes), the attached Quy chế and the annex table (the báo cáo thẩm định's checklist)
    **{kind: "procedure" for kind in ("tham_dinh", "to_trinh_ccn", "de_nghi_cdt", "qd_thanh_lap",
                                      "qd_quy_che", "qd_quy_che_dv", "qd_hoi_dong", "phieu_cham_diem",
                                      "bien_ban_hoi_dong")},
    "sua_doi": "legal",  # a legal normative text: tên loại, căn cứ, Điều …; no Kính gửi, no annex
    "bang_so_sanh": "comparison",  # the bảng so sánh, thuyết minh sent with a sua_doi draft
}


# ----------------------------------------------------------------------------- styles
def _fonts(r_pr) -> None:
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for name in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{name}"), FONT)


def setup_styles(doc) -> None:
    """Times New Roman everywhere (no theme fonts), black, 14 pt, no spacing by default."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    r_pr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(r_pr)
    for tag in ("w:sz", "w:szCs"):
        el = r_pr.find(qn(tag))
        if el is None:
            el = OxmlElement(tag)
            r_pr.append(el)
        el.set(qn("w:val"), "28")
    p_pr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = p_pr.find(qn("w:spacing"))
    if spacing is not None:
        p_pr.remove(spacing)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    _fonts(normal.element.get_or_add_rPr())
    normal.font.size = Pt(14)
    normal.font.color.rgb = RGBColor(0, 0, 0)
    fmt = normal.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0
    body = _para_style(doc, "CCN Body", bold=False, italic=False)
    body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    body.paragraph_format.first_line_indent = Mm(12.7)
    body.paragraph_format.space_before = Pt(6)
    body.paragraph_format.space_after = Pt(0)
    body.paragraph_format.line_spacing = 1.15
    body.paragraph_format.widow_control = True
    _para_style(doc, "CCN Heading", base=body, bold=True).paragraph_format.keep_with_next = True
    _para_style(doc, "CCN Section", base=body, bold=True).paragraph_format.keep_with_next = True
    _para_style(doc, "CCN Quote", base=body, italic=True)
    annex = _para_style(doc, "CCN Annex", base=body, size=13)
    annex.paragraph_format.first_line_indent = Mm(10)
    annex.paragraph_format.space_before = Pt(3)
    cell = _para_style(doc, "CCN Table", size=11)
    cell.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    cell.paragraph_format.space_before = Pt(2)
    cell.paragraph_format.space_after = Pt(2)


def _para_style(doc, name: str, *, base=None, bold: bool | None = None, italic: bool | None = None,
                size: float | None = None):
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = base or doc.styles["Normal"]
    style.quick_style = True
    if bold is not None:
        style.font.bold = bold
    if italic is not None:
        style.font.italic = italic
    if size is not None:
        style.font.size = Pt(size)
    return style


# ----------------------------------------------------------------------------- paragraphs
def para(container, text: str = "", *, size: float = 14, bold: bool = False, italic: bool = False,
         align=WD_ALIGN_PARAGRAPH.CENTER, before: float = 0, after: float = 0, style: str | None = None):
    p = container.add_paragraph(style=style)
    if align is not None:
        p.alignment = align
    p.paragraph_format.space_before = Pt(before)
    p.paragraph_format.space_after = Pt(after)
    if text:
        run = p.add_run(text)
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.italic = italic
    _mark_size(p, size)
    return p


def tag(container, text: str):
    """A paragraph holding only a docxtpl tag ({%p … %}); docxtpl removes it when rendering."""
    p = container.add_paragraph()
    p.add_run(text)
    return p


def _mark_size(p, size: float) -> None:
    """The paragraph mark's size (an empty paragraph's height follows it)."""
    p_pr = p._p.get_or_add_pPr()
    r_pr = p_pr.find(qn("w:rPr"))
    if r_pr is None:
        r_pr = OxmlElement("w:rPr")
        p_pr.append(r_pr)
    for tag_name in ("w:sz", "w:szCs"):
        el = OxmlElement(tag_name)
        el.set(qn("w:val"), str(int(size * 2)))
        r_pr.append(el)


def rule(container, width_mm: float, line_mm: float):
    """An empty 1 pt paragraph whose bottom border is the horizontal line under a heading."""
    p = para(container, size=1)
    set_bottom_border(p)
    rule_indents(p, width_mm, line_mm)
    return p


def cell_para(cell, text: str = "", **kw):
    return para(cell, text, **kw)


def cell_tag(cell, text: str):
    return tag(cell, text)


def trim_cells(t) -> None:
    """A new cell holds one empty paragraph: drop it where the cell got its own paragraphs."""
    for tc in t._tbl.iter(qn("w:tc")):
        ps = tc.findall(qn("w:p"))
        if len(ps) > 1 and not "".join(ps[0].itertext()).strip():
            tc.remove(ps[0])


# ----------------------------------------------------------------------------- blocks
def table(doc, rows: int, widths: list[float]):
    t = doc.add_table(rows=rows, cols=len(widths))
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    set_cell_margins_zero(t)
    set_fixed_layout(t, widths)
    return t


def issuer_cell(cell) -> None:
    """ô 1–2: cơ quan chủ quản and cơ quan ban hành, and the rule under them (its width fitted
    to the agency's name when rendering)."""
    cell_tag(cell, "{%p if parent_header %}")
    cell_para(cell, "{{ parent_header }}", size=12)
    cell_tag(cell, "{%p endif %}")
    cell_tag(cell, "{%p for line in agency_header %}")
    cell_para(cell, "{{ line }}", size=12, bold=True)
    cell_tag(cell, "{%p endfor %}")
    rule(cell, HEADER_COLS[0], 25.0)


def header_block(doc, layout: str) -> None:
    """ô 1–5b: cơ quan | Quốc hiệu, Tiêu ngữ; Số, ký hiệu (+ V/v) | địa danh và ngày."""
    t = table(doc, 2, HEADER_COLS)
    left, right = t.cell(0, 0), t.cell(0, 1)
    issuer_cell(left)
    cell_para(right, QUOC_HIEU, size=12, bold=True)
    cell_para(right, TIEU_NGU, size=13, bold=True)
    rule(right, HEADER_COLS[1], text_width_mm(TIEU_NGU, 13, bold=True))
    left, right = t.cell(1, 0), t.cell(1, 1)
    cell_para(left, "{{ number_line }}", size=13, before=6)
    if layout == "cong_van":
        cell_para(left, "V/v {{ subject }}", size=12, before=6)
    cell_para(right, "{{ place_date }}", size=14, italic=True, before=6)
    trim_cells(t)


def title_block(doc) -> None:
    """ô 5a for typed documents: BÁO CÁO / TỜ TRÌNH, the trích yếu, a rule."""
    para(doc, "{{ type_name }}", size=14, bold=True, before=18)
    para(doc, "{{ subject }}", size=14, bold=True)
    rule(doc, TEXT_WIDTH, 40.0)  # fitted to the trích yếu when rendering


def recipients_block(doc) -> None:
    """ô 9a: "Kính gửi: X" for one recipient; a "- X;" list for several (Mẫu 1.5 indents)."""
    tag(doc, "{%p if recipients|length == 1 %}")
    para(doc, "Kính gửi: {{ recipients[0] }}", size=14, before=12, after=6)
    tag(doc, "{%p elif recipients %}")
    p = para(doc, "Kính gửi:", size=14, align=WD_ALIGN_PARAGRAPH.LEFT, before=12)
    p.paragraph_format.left_indent = Mm(35)
    tag(doc, "{%p for r in recipients %}")
    p = para(doc, "- {{ r }}{{ '.' if loop.last else ';' }}", size=14, align=WD_ALIGN_PARAGRAPH.LEFT)
    p.paragraph_format.left_indent = Mm(45)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")


def body_block(doc, items: str = "body", center: bool = False) -> None:
    """ô 6: one template paragraph per kind, chosen per paragraph of the assembled body."""
    tag(doc, f"{{%p for p in {items} %}}")
    kinds = (("section", "CCN Section"), ("heading", "CCN Heading"), ("quote", "CCN Quote"))
    for i, (kind, style) in enumerate(kinds + ((("center", "CCN Center"),) if center else ())):
        tag(doc, ("{%p if " if i == 0 else "{%p elif ") + f"p.kind == '{kind}' %}}")
        doc.add_paragraph("{{r p.rich }}", style=style)
    tag(doc, "{%p else %}")
    doc.add_paragraph("{{r p.rich }}", style="CCN Body")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")


def signature_block(doc) -> None:
    """ô 9b | ô 7: Nơi nhận (12 pt bold italic label, 11 pt items) | quyền hạn, chức vụ, họ tên."""
    t = table(doc, 1, SIGN_COLS)
    left, right = t.cell(0, 0), t.cell(0, 1)
    _cell_top_margin(t, 12)
    p = cell_para(left, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    p.paragraph_format.keep_with_next = True
    cell_tag(left, "{%p for item in distribution %}")
    cell_para(left, "- {{ item }}{{ '.' if loop.last else ';' }}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    cell_tag(left, "{%p endfor %}")
    cell_tag(right, "{%p for line in signer_lines %}")
    cell_para(right, "{{ line }}", size=14, bold=True)
    cell_tag(right, "{%p endfor %}")
    for _ in range(4):  # room for the signature and the seal (ô 7c, 8)
        cell_para(right, "", size=14)
    cell_para(right, "{{ signer_name }}", size=14, bold=True)
    trim_cells(t)


def two_signers_block(doc) -> None:
    """A biên bản's two signatures (NĐ 30/2020, Phụ lục III: THƯ KÝ | CHỦ TỌA, each with room for
    the signature and the name), then Nơi nhận under them; other documents: the usual block."""
    tag(doc, "{%p if co_signer %}")
    t = table(doc, 1, [82.5, 82.5])
    _cell_top_margin(t, 12)
    for cell, lines, name in ((t.cell(0, 0), "co_signer.lines", "co_signer.name"),
                              (t.cell(0, 1), "signer_lines", "signer_name")):
        cell_tag(cell, f"{{%p for line in {lines} %}}")
        cell_para(cell, "{{ line }}", size=14, bold=True)
        cell_tag(cell, "{%p endfor %}")
        for _ in range(4):
            cell_para(cell, "", size=14)
        cell_para(cell, f"{{{{ {name} }}}}", size=14, bold=True)
    trim_cells(t)
    p = para(doc, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, before=12)
    p.paragraph_format.keep_with_next = True
    tag(doc, "{%p for item in distribution %}")
    para(doc, "- {{ item }}{{ '.' if loop.last else ';' }}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    signature_block(doc)
    tag(doc, "{%p endif %}")


def comparison_annex(doc) -> None:
    """Phụ lục: the table of comparable provisions, its own section numbered from 1."""
    tag(doc, "{%p if comparison %}")
    _section_break(doc)
    para(doc, "Phụ lục", size=14, bold=True)
    comparison_table(doc)
    tag(doc, "{%p endif %}")


def comparison_table(doc) -> None:
    """The comparison's title, reference line and table (one row per topic or change)."""
    para(doc, "{{ comparison.title }}", size=14, bold=True)
    para(doc, "{{ comparison.reference }}", size=14, italic=True, after=12)
    grid_table(doc, "comparison")


def reviewer_annex(doc) -> None:
    """The reviewer's appendix: every cited provision, verbatim as in force at the letter's date
    (not sent with the letter; left out of the approved text)."""
    tag(doc, "{%p if reviewer %}")
    _section_break(doc)
    para(doc, "TRÍCH DẪN CÁC QUY ĐỊNH ĐƯỢC VIỆN DẪN", size=14, bold=True)
    para(doc, "(Tài liệu phục vụ việc xem xét dự thảo; không phát hành kèm văn bản. "
         "Nội dung quy định theo bản có hiệu lực {{ as_of_text }})", size=13, italic=True, after=6)
    tag(doc, "{%p for c in citations %}")
    doc.add_paragraph("{{r c.head }}", style="CCN Heading")
    doc.add_paragraph("{{r c.status }}", style="CCN Annex")
    tag(doc, "{%p for line in c.lines %}")
    doc.add_paragraph("{{ line }}", style="CCN Annex")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if suggestions %}")
    doc.add_paragraph("Quy định do hệ thống tra cứu gợi ý", style="CCN Heading")
    tag(doc, "{%p for s in suggestions %}")
    doc.add_paragraph("{{ s }}", style="CCN Annex")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endif %}")


def center_style(doc) -> None:
    """"CCN Center": centred bold lines of a decision ("ỦY BAN NHÂN DÂN TỈNH …", "QUYẾT ĐỊNH:",
    "Chương I") kept with the next paragraph."""
    style = _para_style(doc, "CCN Center", base=doc.styles["CCN Body"], bold=True)
    style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    style.paragraph_format.first_line_indent = Mm(0)
    style.paragraph_format.keep_with_next = True


def grid_table(doc, var: str) -> None:
    """A table of `var` (headers, rows of cells of rich paragraphs), header row repeated."""
    t = doc.add_table(rows=4, cols=3)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.style = doc.styles["Table Grid"]
    head = t.rows[0].cells
    cell_tag(head[0], f"{{%tc for h in {var}.headers %}}")
    cell_para(head[1], "{{ h }}", size=11, bold=True)
    cell_tag(head[2], "{%tc endfor %}")
    cell_tag(t.cell(1, 0), f"{{%tr for row in {var}.rows %}}")
    cells = t.rows[2].cells
    cell_tag(cells[0], "{%tc for cell in row %}")
    cell_tag(cells[1], "{%p for par in cell %}")
    cells[1].add_paragraph("{{r par }}", style="CCN Table")
    cell_tag(cells[1], "{%p endfor %}")
    cell_tag(cells[2], "{%tc endfor %}")
    cell_tag(t.cell(3, 0), "{%tr endfor %}")
    trim_cells(t)
    _repeat_header(t.rows[0])


def body_table(doc) -> None:
    """A table inside the body (the score sheet's criteria, the minutes' scores), then the
    paragraphs that follow it."""
    tag(doc, "{%p if table %}")
    grid_table(doc, "table")
    tag(doc, "{%p endif %}")
    body_block(doc, "after", center=True)


def attachment_annex(doc) -> None:
    """The text issued with a decision (Quy chế), its own section numbered from 1."""
    tag(doc, "{%p if attachment %}")
    _section_break(doc)
    t = table(doc, 1, HEADER_COLS)  # the issuer | Quốc hiệu, Tiêu ngữ again, as the forms print it
    left, right = t.cell(0, 0), t.cell(0, 1)
    issuer_cell(left)
    cell_para(right, QUOC_HIEU, size=12, bold=True)
    cell_para(right, TIEU_NGU, size=13, bold=True)
    rule(right, HEADER_COLS[1], text_width_mm(TIEU_NGU, 13, bold=True))
    trim_cells(t)
    para(doc, "{{ attachment.type_name }}", size=14, bold=True, before=18)
    para(doc, "{{ attachment.subject }}", size=14, bold=True)
    para(doc, "{{ attachment.reference }}", size=14, italic=True, after=6)
    body_block(doc, "attachment.body", center=True)
    tag(doc, "{%p endif %}")


def _cell_top_margin(t, points: float) -> None:
    """Space above the signature row (both cells), so that "Nơi nhận:" and the quyền hạn line
    stay on one level without spacing each repeated line."""
    mar = t._tbl.tblPr.find(qn("w:tblCellMar"))
    top = OxmlElement("w:top")
    top.set(qn("w:w"), str(int(points * 20)))
    top.set(qn("w:type"), "dxa")
    mar.insert(0, top)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


# ----------------------------------------------------------------------------- sections
def setup_section(section) -> None:
    section.page_width, section.page_height = twips(210), twips(297)  # 11906 × 16838
    section.top_margin, section.bottom_margin = twips(20), twips(20)
    section.left_margin, section.right_margin = twips(30), Mm(15.01)  # 851 twips: ≥ 15 mm
    section.header_distance, section.footer_distance = twips(10), twips(10)
    section.different_first_page_header_footer = True  # no number on page 1 (PL-I I.7)


def headers(section) -> None:
    """Page number in the top margin from page 2; "DỰ THẢO" on page 1 until approved."""
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _mark_size(p, 14)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), " PAGE ")
    run = OxmlElement("w:r")
    r_pr = OxmlElement("w:rPr")
    for tag_name, val in (("w:sz", "28"), ("w:szCs", "28")):
        el = OxmlElement(tag_name)
        el.set(qn("w:val"), val)
        r_pr.append(el)
    run.append(r_pr)
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    p._p.append(field)
    first = section.first_page_header
    first.is_linked_to_previous = False
    holder = first.paragraphs[0]
    holder._p.getparent().remove(holder._p)
    tag(first, "{%p if not approved %}")
    mark = para(first, "DỰ THẢO", size=13, bold=True)
    mark.paragraph_format.left_indent = Mm(TEXT_WIDTH - 32)
    set_box_border(mark)
    tag(first, "{%p endif %}")
    para(first, "", size=1)


def _section_break(doc) -> None:
    """End the current section here; the new one has the same page set-up and headers and
    restarts page numbering at 1 (each annex is numbered separately, PL-I III.1.đ)."""
    refs = [copy.deepcopy(r) for r in doc.sections[0]._sectPr.findall(qn("w:headerReference"))]
    doc.add_section(WD_SECTION.NEW_PAGE)
    new = doc.sections[-1]._sectPr
    for ref in reversed(refs):
        new.insert(0, ref)
    _restart_numbering(new)


def _restart_numbering(sect_pr) -> None:
    pg = sect_pr.find(qn("w:pgNumType"))
    if pg is None:
        pg = OxmlElement("w:pgNumType")
        anchor = next((sect_pr.find(qn(t)) for t in ("w:cols", "w:formProt", "w:vAlign", "w:noEndnote",
                                                      "w:titlePg", "w:textDirection", "w:bidi",
                                                      "w:rtlGutter", "w:docGrid")
                       if sect_pr.find(qn(t)) is not None), None)
        if anchor is not None:
            anchor.addprevious(pg)
        else:
            sect_pr.append(pg)
    pg.set(qn("w:start"), "1")


# ----------------------------------------------------------------------------- documents
def build(kind: str) -> Document:
    layout = KINDS[kind]
    doc = Document()
    for p in list(doc.paragraphs):
        p._p.getparent().remove(p._p)
    setup_styles(doc)
    if layout == "procedure":
        center_style(doc)
    section = doc.sections[0]
    setup_section(section)
    headers(section)
    if layout == "comparison":  # a working document: title and table only, no header or signature
        para(doc, "", size=1)
        comparison_table(doc)
    else:
        header_block(doc, "cong_van" if layout == "cong_van" else "typed")
        if layout in ("typed", "procedure", "legal"):
            title_block(doc)
        if layout != "legal":
            recipients_block(doc)
        body_block(doc, center=layout == "procedure")
        if layout == "procedure":
            body_table(doc)
            two_signers_block(doc)
            attachment_annex(doc)
        else:
            signature_block(doc)
    if layout in ("typed", "procedure"):
        comparison_annex(doc)
    if layout != "comparison":
        reviewer_annex(doc)
    for sect in doc.sections[1:]:
        sect.different_first_page_header_footer = True
    _restart_numbering(doc.sections[-1]._sectPr)
    props = doc.core_properties
    props.author = "ccn-assistant"
    props.title = f"Mẫu {kind}"
    props.comments = "Mẫu docxtpl; tạo bởi drafting/templates/make_templates.py"
    return doc


def main(out_dir: Path = HERE, kinds: list[str] | None = None) -> list[Path]:
    written = []
    for kind in kinds or KINDS:
        path = out_dir / f"{kind}.docx"
        build(kind).save(path)
        written.append(path)
    return written


if __name__ == "__main__":
    for path in main(kinds=sys.argv[1:] or None):  # kinds named: only those files
        print(path)
