"""Layout arithmetic and OOXML helpers shared by the template builder and the renderer.

Text widths use the advance widths of Times (Times New Roman and Liberation Serif are metric
compatible; ../shared/docs/nd30-format.md §2.15): a Vietnamese letter is as wide as its base
letter (diacritics do not change the advance), no kerning. Lengths are in millimetres; python-
docx stores twips (1 mm = 56.693 twips, rounded up where a minimum must hold: 15 mm → 851).
"""

from __future__ import annotations

import unicodedata

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Twips

TWIPS_PER_MM = 1440 / 25.4

_ROMAN = dict(zip(
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz",
    [250, 333, 408, 500, 500, 833, 778, 333, 333, 333, 500, 564, 250, 333, 250, 278, *[500] * 10,
     278, 278, 564, 564, 564, 444, 921, 722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611,
     889, 722, 722, 556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611, 333, 278, 333, 469, 500,
     333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500, 500, 500, 333,
     389, 278, 500, 500, 722, 500, 500, 444],
    strict=True,
))
_BOLD = dict(zip(
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz",
    [250, 333, 555, 500, 500, 1000, 833, 333, 333, 333, 500, 570, 250, 333, 250, 278, *[500] * 10,
     333, 333, 570, 570, 570, 500, 930, 722, 667, 722, 722, 667, 611, 778, 778, 389, 500, 778, 667,
     944, 722, 778, 611, 778, 722, 556, 667, 722, 722, 1000, 722, 722, 667, 333, 278, 333, 581, 500,
     333, 500, 556, 444, 556, 444, 333, 500, 556, 278, 333, 556, 278, 833, 556, 500, 556, 556, 444,
     389, 333, 556, 500, 722, 500, 500, 444],
    strict=True,
))


def _base(ch: str) -> str:
    if ch in "Đđ":
        return "D" if ch == "Đ" else "d"
    return unicodedata.normalize("NFD", ch)[0]


def text_width_mm(text: str, size_pt: float, *, bold: bool = False) -> float:
    """Width of one line of Times text in millimetres."""
    table = _BOLD if bold else _ROMAN
    units = sum(table.get(_base(ch), 500) for ch in unicodedata.normalize("NFC", text))
    return units / 1000 * size_pt * 25.4 / 72


def mm_to_twips(mm: float) -> int:
    return round(mm * TWIPS_PER_MM)


def twips(mm: float) -> Twips:
    return Twips(mm_to_twips(mm))


def set_cell_margins_zero(table) -> None:
    """Zero left/right cell padding, so that cell width = text width (nd30-format §2.15)."""
    tbl_pr = table._tbl.tblPr
    mar = tbl_pr.find(qn("w:tblCellMar"))
    if mar is None:
        mar = OxmlElement("w:tblCellMar")
        tbl_pr.append(mar)
    for side in ("left", "right"):
        el = mar.find(qn(f"w:{side}"))
        if el is None:
            el = OxmlElement(f"w:{side}")
            mar.append(el)
        el.set(qn("w:w"), "0")
        el.set(qn("w:type"), "dxa")


def set_fixed_layout(table, widths_mm: list[float]) -> None:
    """Fixed column widths: tblGrid, tblW, tblLayout and every cell's tcW."""
    tbl = table._tbl
    tbl_pr = tbl.tblPr
    layout = tbl_pr.find(qn("w:tblLayout"))
    if layout is None:
        layout = OxmlElement("w:tblLayout")
        tbl_pr.append(layout)
    layout.set(qn("w:type"), "fixed")
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.append(tbl_w)
    tbl_w.set(qn("w:w"), str(sum(mm_to_twips(w) for w in widths_mm)))
    tbl_w.set(qn("w:type"), "dxa")
    grid = tbl.tblGrid
    for col in list(grid):
        grid.remove(col)
    for w in widths_mm:
        col = OxmlElement("w:gridCol")
        col.set(qn("w:w"), str(mm_to_twips(w)))
        grid.append(col)
    for tr in tbl.findall(qn("w:tr")):
        for tc, w in zip(tr.findall(qn("w:tc")), widths_mm, strict=False):
            tc_pr = tc.get_or_add_tcPr()
            tc_w = tc_pr.find(qn("w:tcW"))
            if tc_w is None:
                tc_w = OxmlElement("w:tcW")
                tc_pr.insert(0, tc_w)
            tc_w.set(qn("w:w"), str(mm_to_twips(w)))
            tc_w.set(qn("w:type"), "dxa")


def set_bottom_border(paragraph, size_eighths: int = 6) -> None:
    """A solid rule under the paragraph (w:pBdr/w:bottom), the measurable form of a line."""
    p_pr = paragraph._p.get_or_add_pPr()
    bdr = p_pr.find(qn("w:pBdr"))
    if bdr is None:
        bdr = OxmlElement("w:pBdr")
        _insert_ppr_child(p_pr, bdr)
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), str(size_eighths))
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "000000")
    bdr.append(bottom)


def set_box_border(paragraph, size_eighths: int = 8) -> None:
    p_pr = paragraph._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), str(size_eighths))
        el.set(qn("w:space"), "1")
        el.set(qn("w:color"), "000000")
        bdr.append(el)
    _insert_ppr_child(p_pr, bdr)


_PPR_ORDER = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl",
              "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku",
              "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi",
              "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
              "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap",
              "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"]


def _insert_ppr_child(p_pr, child) -> None:
    """Insert a pPr child in schema order (Word rejects out-of-order elements)."""
    name = child.tag.split("}")[1]
    after = _PPR_ORDER[_PPR_ORDER.index(name) + 1:]
    for existing in p_pr:
        if existing.tag.split("}")[1] in after:
            existing.addprevious(child)
            return
    p_pr.append(child)


def rule_indents(paragraph, container_mm: float, rule_mm: float) -> None:
    """Centre a rule of `rule_mm` in a container `container_mm` wide by symmetric indents."""
    side = max(0.0, (container_mm - rule_mm) / 2)
    paragraph.paragraph_format.left_indent = twips(side)
    paragraph.paragraph_format.right_indent = twips(side)
    paragraph.paragraph_format.first_line_indent = Emu(0)


def has_bottom_border(paragraph) -> bool:
    p_pr = paragraph._p.pPr
    return p_pr is not None and p_pr.find(qn("w:pBdr")) is not None and \
        p_pr.find(qn("w:pBdr")).find(qn("w:bottom")) is not None
