"""The testable rules of ../shared/docs/nd30-format.md §5, one by one, on each document kind built
from drafting/examples over the ccn corpus, read back with python-docx.

Formatting is resolved the way Word resolves it (§2.16): run properties, then the run's
character style, the paragraph style chain (basedOn) and docDefaults; paragraph properties
through the paragraph style chain. Lengths are compared in millimetres (±0.15 mm).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from drafting.assemble import assemble
from drafting.layout import text_width_mm
from drafting.render import render, template_for
from drafting.spec import load_spec

EXAMPLES = Path(__file__).resolve().parents[1] / "drafting" / "examples"
KINDS = ["gop_y", "tra_loi", "bao_cao_ra_soat"]
TWIP_MM = 25.4 / 1440
TOL = 0.15
QH = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TN = "Độc lập - Tự do - Hạnh phúc"
PL3 = {"NQ", "QĐ", "CT", "QC", "QyĐ", "TC", "TB", "HD", "CTr", "KH", "PA", "ĐA", "DA", "BC", "BB", "TTr",
       "HĐ", "CĐ", "BGN", "BTT", "GUQ", "GM", "GGT", "GNP", "PG", "PC", "PB", "SY", "TrS", "SL"}
DATE_RE = re.compile(r"^[A-ZĐÀ-Ỹ][^,]*, ngày (0[1-9]|[12]\d|3[01]) tháng (0[12]|[3-9]|1[0-2]) năm (\d{4})$")
SO_RE = re.compile(r"^Số:\s*(\d*)\s*/([A-ZĐ0-9]+(?:-[A-ZĐ0-9]+)*)$", re.IGNORECASE)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# ----------------------------------------------------------------------------- resolving
class Resolver:
    """Effective run and paragraph properties (direct → styles → docDefaults)."""

    def __init__(self, doc):
        self.doc = doc
        styles = doc.styles.element
        self.styles = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
        defaults = styles.find(qn("w:docDefaults"))
        self.default_rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        ppr_default = defaults.find(qn("w:pPrDefault"))
        self.default_ppr = ppr_default.find(qn("w:pPr")) if ppr_default is not None else None
        self.default_pstyle = next(s for s in self.styles.values()
                                   if s.get(qn("w:type")) == "paragraph" and s.get(qn("w:default")) == "1")

    def _chain(self, style):
        while style is not None:
            yield style
            based = style.find(qn("w:basedOn"))
            style = self.styles.get(based.get(qn("w:val"))) if based is not None else None

    def _pstyle(self, p_el):
        p_pr = p_el.find(qn("w:pPr"))
        ref = p_pr.find(qn("w:pStyle")) if p_pr is not None else None
        return self.styles.get(ref.get(qn("w:val"))) if ref is not None else self.default_pstyle

    def rprs(self, p_el, r_el) -> list:
        out = []
        r_pr = r_el.find(qn("w:rPr"))
        if r_pr is not None:
            out.append(r_pr)
            ref = r_pr.find(qn("w:rStyle"))
            if ref is not None:
                out += [s.find(qn("w:rPr")) for s in self._chain(self.styles.get(ref.get(qn("w:val"))))]
        out += [s.find(qn("w:rPr")) for s in self._chain(self._pstyle(p_el))]
        out.append(self.default_rpr)
        return [x for x in out if x is not None]

    def pprs(self, p_el) -> list:
        out = [p_el.find(qn("w:pPr"))] + [s.find(qn("w:pPr")) for s in self._chain(self._pstyle(p_el))]
        return [x for x in out + [self.default_ppr] if x is not None]

    @staticmethod
    def _flag(el) -> bool:
        return el.get(qn("w:val")) not in ("0", "false", "off")

    def run(self, p_el, r_el) -> dict:
        rprs = self.rprs(p_el, r_el)
        props = {"bold": False, "italic": False, "size": None, "ascii": None, "hAnsi": None,
                 "theme": False, "color": None}
        for tag, key in (("w:b", "bold"), ("w:i", "italic")):
            el = next((r.find(qn(tag)) for r in rprs if r.find(qn(tag)) is not None), None)
            props[key] = self._flag(el) if el is not None else False
        sz = next((r.find(qn("w:sz")) for r in rprs if r.find(qn("w:sz")) is not None), None)
        props["size"] = int(sz.get(qn("w:val"))) / 2 if sz is not None else 10.0
        for attr in ("ascii", "hAnsi"):
            for r in rprs:
                fonts = r.find(qn("w:rFonts"))
                if fonts is None:
                    continue
                if fonts.get(qn(f"w:{attr}Theme")) is not None:
                    props["theme"] = True
                    break
                if fonts.get(qn(f"w:{attr}")) is not None:
                    props[attr] = fonts.get(qn(f"w:{attr}"))
                    break
        color = next((r.find(qn("w:color")) for r in rprs if r.find(qn("w:color")) is not None), None)
        props["color"] = color.get(qn("w:val")) if color is not None else None
        return props

    def runs(self, paragraph: Paragraph) -> list[dict]:
        """Effective properties of every run with text (fldSimple runs included)."""
        p_el = paragraph._p
        return [self.run(p_el, r) for r in p_el.iter(qn("w:r"))
                if "".join(t.text or "" for t in r.iter(qn("w:t"))).strip()]

    def ppr(self, paragraph: Paragraph, tag: str, attr: str | None = None):
        for p_pr in self.pprs(paragraph._p):
            el = p_pr.find(qn(tag))
            if el is not None and (attr is None or el.get(qn(f"w:{attr}")) is not None):
                return el if attr is None else el.get(qn(f"w:{attr}"))
        return None

    def jc(self, paragraph: Paragraph) -> str:
        value = self.ppr(paragraph, "w:jc", "val") or "left"
        return {"start": "left", "end": "right"}.get(value, value)

    def twips(self, paragraph: Paragraph, tag: str, attr: str) -> float:
        value = self.ppr(paragraph, tag, attr)
        return int(value) if value is not None else 0


@dataclass
class Built:
    name: str
    spec: object
    draft: object
    path: Path
    doc: object
    fmt: Resolver

    # -- locating the components
    def header(self) -> Table:
        return self.doc.tables[0]

    def left(self) -> list[Paragraph]:
        t = self.header()
        return t.cell(0, 0).paragraphs + t.cell(1, 0).paragraphs

    def right(self) -> list[Paragraph]:
        t = self.header()
        return t.cell(0, 1).paragraphs + t.cell(1, 1).paragraphs

    def blocks(self) -> list:
        """The main section's body, in order: Paragraph and Table objects."""
        out = []
        for child in self.doc.element.body:
            if child.tag == qn("w:p"):
                out.append(Paragraph(child, self.doc))
                if child.find(qn("w:pPr")) is not None and child.find(qn("w:pPr")).find(qn("w:sectPr")) is not None:
                    break
            elif child.tag == qn("w:tbl"):
                out.append(Table(child, self.doc))
        return out

    def signature(self) -> Table:
        return next(b for b in self.blocks() if isinstance(b, Table)
                    and b.cell(0, 0).paragraphs[0].text.startswith("Nơi nhận"))

    def kinh_gui(self) -> list[Paragraph]:
        blocks = self.blocks()
        start = next(i for i, b in enumerate(blocks) if isinstance(b, Paragraph) and b.text.startswith("Kính gửi"))
        out = [blocks[start]]
        for b in blocks[start + 1:]:
            if not (isinstance(b, Paragraph) and b.text.startswith("- ")):
                break
            out.append(b)
        return out

    def body(self) -> list[Paragraph]:
        blocks = self.blocks()
        last = self.kinh_gui()[-1]._p
        last_kg = next(i for i, x in enumerate(blocks) if isinstance(x, Paragraph) and x._p is last)
        end = next(i for i, b in enumerate(blocks) if isinstance(b, Table) and i > last_kg)
        return [b for b in blocks[last_kg + 1:end] if isinstance(b, Paragraph)]


TEMPLATES = ("shipped", "word-edited")  # the template as shipped, and as Word saves it after an edit


@pytest.fixture(scope="module")
def built(ccn_store, tmp_path_factory) -> dict[tuple[str, str], Built]:
    """Each kind rendered from its shipped template and from that template edited in Word
    (helpers_word.py: body style 13.5 pt, a tag split over runs, re-zipped)."""
    from helpers_word import word_edit

    out = tmp_path_factory.mktemp("drafts-format")
    result = {}
    for name in KINDS:
        spec = load_spec(EXAMPLES / f"{name}.yaml")
        draft = assemble(spec, ccn_store)
        shipped = template_for(spec.kind, spec)
        for variant, template in zip(TEMPLATES, (shipped, word_edit(shipped, out / f"{name}-word.docx")), strict=True):
            path = render(draft, out / f"{name}-{variant}.docx", template=template)
            doc = Document(str(path))
            result[name, variant] = Built(name, spec, draft, path, doc, Resolver(doc))
    return result


@pytest.fixture(params=[(kind, variant) for variant in TEMPLATES for kind in KINDS],
                ids=lambda p: "-".join(p))
def b(request, built) -> Built:
    return built[request.param]


def size_ok(runs: list[dict], low: float, high: float) -> bool:
    return bool(runs) and all(low <= r["size"] <= high for r in runs)


def mm(twips: float) -> float:
    return twips * TWIP_MM


def rule_length(b: Built, paragraph: Paragraph, container_mm: float) -> float:
    left = b.fmt.twips(paragraph, "w:ind", "left") or b.fmt.twips(paragraph, "w:ind", "start")
    right = b.fmt.twips(paragraph, "w:ind", "right") or b.fmt.twips(paragraph, "w:ind", "end")
    return container_mm - mm(left) - mm(right)


def is_rule(paragraph: Paragraph) -> bool:
    p_pr = paragraph._p.find(qn("w:pPr"))
    bdr = p_pr.find(qn("w:pBdr")) if p_pr is not None else None
    return bdr is not None and bdr.find(qn("w:bottom")) is not None and not paragraph.text.strip()


def cell_width_mm(cell) -> float:
    return mm(int(cell._tc.tcPr.find(qn("w:tcW")).get(qn("w:w"))))


def page_fields(part) -> list:
    el = part._element
    simple = [f for f in el.iter(qn("w:fldSimple")) if "PAGE" in f.get(qn("w:instr"), "").split()]
    instr = [t for t in el.iter(qn("w:instrText")) if "PAGE" in (t.text or "").split()]
    return simple + instr


# ----------------------------------------------------------------------------- §1 page
def test_pg1_pg2_a4_portrait(b):
    for s in b.doc.sections:
        assert abs(s.page_width.mm - 210) <= 0.5 and abs(s.page_height.mm - 297) <= 0.5
        assert s.page_height > s.page_width


def test_pg3_margins(b):
    for s in b.doc.sections:
        assert 20 <= s.top_margin.mm <= 25 and 20 <= s.bottom_margin.mm <= 25
        assert 30 <= s.left_margin.mm <= 35
        assert 15 <= s.right_margin.mm <= 20, s.right_margin.mm  # 851 twips, not Mm(15)


def test_pg6_to_pg9_page_number_from_page_two(b):
    for s in b.doc.sections:
        assert s.different_first_page_header_footer is True
        assert page_fields(s.header), "PAGE field in the header"
        assert not page_fields(s.first_page_header), "no number on page 1"
        assert not page_fields(s.footer) and not page_fields(s.first_page_footer)


def test_pg10_page_number_paragraph(b):
    p = next(p for p in b.doc.sections[0].header.paragraphs if page_fields_in(p))
    assert b.fmt.jc(p) == "center"
    runs = b.fmt.runs(p)
    assert size_ok(runs, 13, 14) and not any(r["bold"] or r["italic"] for r in runs)


def page_fields_in(p: Paragraph) -> bool:
    return any("PAGE" in f.get(qn("w:instr"), "") for f in p._p.iter(qn("w:fldSimple")))


def test_pg11_annexes_restart_numbering(b):
    sections = b.doc.sections
    assert len(sections) == (3 if b.name == "bao_cao_ra_soat" else 2)  # + Phụ lục, + reviewer's appendix
    for s in sections[1:]:
        pg = s._sectPr.find(qn("w:pgNumType"))
        assert pg is not None and pg.get(qn("w:start")) == "1"


def test_fn1_fn2_times_new_roman_black_everywhere(b):
    parts = [b.doc.element.body] + [s.header._element for s in b.doc.sections] \
        + [s.first_page_header._element for s in b.doc.sections]
    seen = 0
    for part in parts:
        for p_el in part.iter(qn("w:p")):
            p = Paragraph(p_el, b.doc)
            for r in b.fmt.runs(p):
                seen += 1
                assert not r["theme"], p.text
                assert r["ascii"] == r["hAnsi"] == "Times New Roman", p.text
                assert r["color"] in (None, "auto", "000000"), p.text
    assert seen > 50


# ----------------------------------------------------------------------------- §2.1–2.4 header
def test_qh_tn(b):
    right = b.right()
    i = next(i for i, p in enumerate(right) if p.text == QH)
    qh, tn = right[i], right[i + 1]
    runs = b.fmt.runs(qh)
    assert all(r["bold"] and not r["italic"] for r in runs) and size_ok(runs, 12, 13)
    assert b.fmt.jc(qh) == "center"
    assert tn.text == TN and "–" not in tn.text
    runs = b.fmt.runs(tn)
    assert all(r["bold"] and not r["italic"] for r in runs) and size_ok(runs, 13, 14)
    assert b.fmt.jc(tn) == "center"
    rule = right[i + 2]
    assert is_rule(rule)
    tn_width = text_width_mm(TN, runs[0]["size"], bold=True)
    length = rule_length(b, rule, cell_width_mm(b.header().cell(0, 1)))
    assert abs(length - tn_width) <= 0.1 * tn_width  # TN-3


def test_dt_place_and_date(b):
    p = next(p for p in b.right() if DATE_RE.match(p.text))
    m = DATE_RE.match(p.text)
    assert date(int(m[3]), int(m[2]), int(m[1])) == b.spec.date  # a real date, the spec's
    runs = b.fmt.runs(p)
    assert all(r["italic"] and not r["bold"] for r in runs) and size_ok(runs, 13, 14)
    assert b.fmt.jc(p) == "center"
    expected = {"gop_y": "Hà Nội, ngày 05 tháng 8 năm 2026", "tra_loi": "Hà Nội, ngày 12 tháng 8 năm 2026",
                "bao_cao_ra_soat": "Lào Cai, ngày 20 tháng 8 năm 2026"}[b.name]
    assert p.text == expected


def test_cq_agency_names_and_rule(b):
    left = b.header().cell(0, 0).paragraphs
    profile = b.draft.profile
    texts = [p.text for p in left if p.text.strip()]
    assert texts == [profile.parent_header, *profile.agency_header]
    parent = left[0]
    runs = b.fmt.runs(parent)
    assert parent.text.isupper() and not any(r["bold"] for r in runs) and size_ok(runs, 12, 13)
    for p in left[1:1 + len(profile.agency_header)]:
        runs = b.fmt.runs(p)
        assert p.text.isupper() and all(r["bold"] for r in runs) and size_ok(runs, 12, 13)
        assert b.fmt.jc(p) == "center"
    rules = [p for p in left if is_rule(p)]
    assert len(rules) == 1  # CQ-4
    name = max(text_width_mm(line, 12, bold=True) for line in profile.agency_header)
    length = rule_length(b, rules[0], cell_width_mm(b.header().cell(0, 0)))
    assert name / 3 - TOL <= length <= name / 2 + TOL


def test_so_number_and_ky_hieu(b):
    p = next(p for p in b.left() if p.text.startswith("Số:"))
    m = SO_RE.match(p.text)
    assert m, p.text
    assert m[1] == ""  # SO-2: a draft has no number yet
    groups = m[2].split("-")
    if b.draft.type_name:
        assert groups[0] == "BC" and p.text.endswith("/BC-SCT")  # SO-3 typed: PL-III abbreviation
    else:
        assert len(groups) >= 2 and groups[0] not in PL3 and groups[0] != "CV"
        assert p.text.endswith("/ĐCK-CTT")
    runs = b.fmt.runs(p)
    assert size_ok(runs, 13, 13) and not any(r["bold"] for r in runs) and b.fmt.jc(p) == "center"


def test_vv_under_so(b):
    left = b.left()
    i = next(i for i, p in enumerate(left) if p.text.startswith("Số:"))
    vv = [p for p in left if p.text.startswith("V/v ")]
    if b.draft.type_name:
        assert vv == []  # a báo cáo has tên loại and trích yếu instead
        return
    p = left[i + 1]
    assert p.text == f"V/v {b.spec.subject}" and p.text[4].islower()
    runs = b.fmt.runs(p)
    assert size_ok(runs, 12, 13) and not any(r["bold"] or r["italic"] for r in runs)
    assert b.fmt.jc(p) == "center"
    before = b.fmt.twips(p, "w:spacing", "before") / 20
    after_so = b.fmt.twips(left[i], "w:spacing", "after") / 20
    assert before + after_so >= 6


def test_t5_type_name_and_title(b):
    blocks = b.blocks()
    texts = [x.text for x in blocks if isinstance(x, Paragraph)]
    assert "CÔNG VĂN" not in texts
    if not b.draft.type_name:
        return
    i = next(i for i, x in enumerate(blocks) if isinstance(x, Paragraph) and x.text == "BÁO CÁO")
    name, title, rule = blocks[i], blocks[i + 1], blocks[i + 2]
    for p in (name, title):
        runs = b.fmt.runs(p)
        assert all(r["bold"] for r in runs) and size_ok(runs, 13, 14) and b.fmt.jc(p) == "center"
    assert title.text == b.spec.subject
    assert is_rule(rule)
    width = min(text_width_mm(title.text, 14, bold=True), 165)
    assert width / 3 - TOL <= rule_length(b, rule, 165.0) <= width / 2 + TOL


# ----------------------------------------------------------------------------- §2.6–2.7
def test_kg_kinh_gui(b):
    lines = b.kinh_gui()
    first = lines[0]
    assert first.text == f"Kính gửi: {b.spec.recipients[0]}"
    for p in lines:
        runs = b.fmt.runs(p)
        assert size_ok(runs, 13, 14) and not any(r["italic"] for r in runs)


def test_kg_several_recipients(ccn_store, tmp_path):
    spec = load_spec(EXAMPLES / "gop_y.yaml")
    spec.recipients = ["Sở Công Thương tỉnh Lào Cai", "Ủy ban nhân dân tỉnh Lào Cai"]
    path = render(assemble(spec, ccn_store), tmp_path / "kg.docx")
    doc = Document(str(path))
    built = Built("gop_y", spec, None, path, doc, Resolver(doc))
    lines = built.kinh_gui()
    assert [p.text for p in lines] == ["Kính gửi:", "- Sở Công Thương tỉnh Lào Cai;",
                                       "- Ủy ban nhân dân tỉnh Lào Cai."]
    indents = {built.fmt.twips(p, "w:ind", "left") for p in lines[1:]}
    assert len(indents) == 1  # KG-4: the dashes aligned
    assert built.signature().cell(0, 0).paragraphs[1].text == "- Như trên;"


def test_bd_body_paragraphs(b):
    body = b.body()
    assert len(body) >= 8
    sizes = set()
    previous_after = 0.0
    for p in body:
        assert p.text.strip(), "no empty paragraphs in the body"
        assert b.fmt.jc(p) == "both", p.text  # BD-1
        runs = b.fmt.runs(p)
        assert size_ok(runs, 13, 14), p.text  # BD-2
        sizes |= {r["size"] for r in runs}
        indent = mm(b.fmt.twips(p, "w:ind", "firstLine"))
        assert abs(indent - 10.0) <= 0.5 or abs(indent - 12.7) <= 0.5, (indent, p.text)  # BD-3
        before = b.fmt.twips(p, "w:spacing", "before") / 20
        assert before + previous_after >= 6  # BD-4
        previous_after = b.fmt.twips(p, "w:spacing", "after") / 20
        rule = b.fmt.ppr(p, "w:spacing", "lineRule") or "auto"
        line = b.fmt.twips(p, "w:spacing", "line") or 240
        if rule == "auto":
            assert 240 <= line <= 360  # BD-5: single to 1.5 lines
        else:
            size = runs[0]["size"]
            assert 1.15 * size <= line / 20 <= 1.725 * size
    assert body[-1].text.endswith("./.")  # BD-6
    assert len(sizes) == 1  # BD-7


def test_body_headings_and_quotes(b):
    for para, p in zip(b.draft.body, b.body(), strict=True):
        assert p.text == para.text
        runs = b.fmt.runs(p)
        if para.kind in ("heading", "section"):
            assert all(r["bold"] for r in runs)
        if para.kind == "section":
            assert re.match(r"^[IVX]+\. ", p.text) and p.text.isupper()
        if para.kind == "quote":
            assert all(r["italic"] for r in runs)


def test_ct_citation_style(b):
    for p in b.body():  # a new paragraph is a new line: it may start with a capital
        assert not re.search(r"(?<![/\w])(NĐ|TT|QĐ|NQ)\s+\d", p.text)  # CT-1
        assert not re.search(r"[^.!?:\s“]\s+(Khoản \d|Điểm [a-zđ]\b)", p.text)  # CT-2
        assert not re.search(r"[^.!?:\s]\s+(điều \d|chương [IVXLC]+\b)", p.text)  # CT-3


def test_ct4_first_mention_in_full(b):
    """Each số hiệu's first mention in the body is followed by its date and issuer; later ones
    are not (short form), except where a body quotes a provision."""
    text = " ".join(p.text for p in b.body() if not p.text.startswith("“"))
    for number in dict.fromkeys(re.findall(r"\d+/\d{4}/[A-ZĐ-]+[A-Z]", text)):
        first = text.index(number)
        assert re.match(r" ngày \d{2} tháng (0[12]|[3-9]|1[0-2]) năm \d{4} của ", text[first + len(number):]), number
        rest = text[first + len(number):]
        assert not re.search(re.escape(number) + r" ngày \d", rest), f"{number} in full twice"


# ----------------------------------------------------------------------------- §2.8, §2.10
def test_sg0_nn_noi_nhan(b):
    sig = b.signature()  # SG-0
    left = [p for p in sig.cell(0, 0).paragraphs if p.text.strip()]
    label = left[0]
    assert label.text == "Nơi nhận:"
    runs = b.fmt.runs(label)
    assert all(r["bold"] and r["italic"] for r in runs) and size_ok(runs, 12, 12)
    assert b.fmt.jc(label) == "left"
    items = left[1:]
    assert [p.text for p in items] == [f"- {x}{'.' if i == len(b.draft.distribution) - 1 else ';'}"
                                       for i, x in enumerate(b.draft.distribution)]
    for p in items:
        runs = b.fmt.runs(p)
        assert p.text.startswith("- ") and size_ok(runs, 11, 11)
        assert not any(r["bold"] or r["italic"] for r in runs)
    assert all(p.text.endswith(";") for p in items[:-1])
    assert re.match(r"^- Lưu: VT, .+\.$", items[-1].text)
    assert items[0].text == "- Như trên;"  # NN-7: the letter has a Kính gửi


def test_sg_signature_block(b):
    cell = b.signature().cell(0, 1)
    lines = [p for p in cell.paragraphs if p.text.strip()]
    first = lines[0]
    runs = b.fmt.runs(first)
    assert re.match(r"^(?:(TM|Q|KT|TL|TUQ)\. )?[A-ZĐÀ-Ỹ ]+$", first.text) and first.text.isupper()
    assert all(r["bold"] for r in runs) and size_ok(runs, 13, 14) and b.fmt.jc(first) == "center"
    assert first.text == "KT. " + ("CỤC TRƯỞNG" if b.draft.profile.id == "cuc-dck" else "GIÁM ĐỐC")
    deputy = lines[1]  # SG-2
    assert deputy.text.isupper() and all(r["bold"] for r in b.fmt.runs(deputy))
    assert deputy.text.startswith("PHÓ ")
    name = lines[-1]  # SG-3
    runs = b.fmt.runs(name)
    assert all(r["bold"] for r in runs) and size_ok(runs, 13, 14) and b.fmt.jc(name) == "center"
    assert not name.text.isupper() and name.text == b.draft.signer_name
    assert not re.match(r"^(GS|PGS|TS|ThS|KS|CN)\.?\s", name.text)  # SG-4
    assert name.text in {"Nguyễn Văn Thịnh", "Nguyễn Đình Chiến"}


# ----------------------------------------------------------------------------- DỰ THẢO
def test_du_thao_until_approved(b, ccn_store, tmp_path):
    header_text = "\n".join(p.text for p in b.doc.sections[0].first_page_header.paragraphs)
    assert "DỰ THẢO" in header_text
    final = Document(str(render(b.draft, tmp_path / "final.docx", approved=True)))
    for s in final.sections:
        assert "DỰ THẢO" not in "".join(p.text for p in s.first_page_header.paragraphs)
        assert "DỰ THẢO" not in "".join(p.text for p in s.header.paragraphs)
    assert "TRÍCH DẪN CÁC QUY ĐỊNH ĐƯỢC VIỆN DẪN" not in "\n".join(p.text for p in final.paragraphs)
    assert len(final.sections) == len(b.doc.sections) - 1  # the reviewer's appendix is gone
    final_body = [p.text for p in final.paragraphs]
    assert all(p.text in final_body for p in b.body())  # the letter itself is unchanged


def test_text_width_matches_nd30_measurements():
    """layout.text_width_mm against the widths measured in nd30-format §2.15 (bold)."""
    for text, sizes in ((QH, (88.3, 95.7, 103.0)), (TN, (51.8, 56.1, 60.5)),
                        ("CỤC CÔNG THƯƠNG ĐỊA PHƯƠNG", (71.9, 77.9, 83.9)),
                        ("BỘ CÔNG THƯƠNG", (40.1, 43.4, 46.7))):
        for size, expected in zip((12, 13, 14), sizes, strict=True):
            assert abs(text_width_mm(text, size, bold=True) - expected) <= 0.015 * expected, (text, size)
