"""The Word templates (drafting/templates/*.docx) are the user's to edit in Word, as the README
says. What a template must keep, whatever Word did to its bytes: every variable the draft of its
kind fills has its tag, the tags render (nothing left of them in the output), and the named
styles the renderer writes with exist. The NĐ 30 format rules are checked on drafts rendered
from the shipped templates and from the same templates saved by Word after an edit
(test_drafting_format.py). No comparison with the generator's output (make_templates.py): that
refused any edit made in Word.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
import yaml
from docx import Document
from docx.oxml.ns import qn
from helpers_word import drop_tag, resave, word_edit

from drafting.assemble import AssembledDraft, assemble
from drafting.render import TEMPLATE_DIR, context, render
from drafting.spec import parse_spec
from kb.store import Store

EXAMPLES = Path(__file__).resolve().parents[1] / "drafting" / "examples"
KINDS = sorted({p.stem for p in EXAMPLES.glob("*.yaml")} | {"to_trinh"})  # every kind with an example
TEMPLATE_STYLES = ("CCN Body", "CCN Heading", "CCN Section", "CCN Quote", "CCN Annex", "CCN Table")  # README
SHOWN_ELSEWHERE = {"sua_doi": {"comparison"}}  # its bảng so sánh is a document of its own (bang_so_sanh.docx)
JINJA_TAG = re.compile(r"\{[{%].*?[%}]\}")


def example_draft(kind: str, store: Store) -> AssembledDraft:
    """The example draft of the kind (drafting/examples; a tờ trình is the review report's
    example issued as a tờ trình, as in test_drafting.py)."""
    name = "bao_cao_ra_soat" if kind == "to_trinh" else kind
    data = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8")) | {"kind": kind}
    return assemble(parse_spec(data), store)


def template_variables(path: Path) -> set[str]:
    """The variables a template's tags use, in every part (body, headers, footers), read as
    docxtpl reads them: a tag Word split over several runs is joined first."""
    from docxtpl import DocxTemplate
    from jinja2 import Environment, meta

    tpl = DocxTemplate(str(path))
    tpl.init_docx()
    names: set[str] = set()
    with zipfile.ZipFile(path) as package:
        for part in package.namelist():
            if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", part):
                xml = tpl.patch_xml(package.read(part).decode("utf-8"))
                names |= meta.find_undeclared_variables(Environment().parse(xml))
    return names


def rendered_text(path: Path) -> str:
    """Every paragraph of a rendered document, one a line: body, tables, headers and footers."""
    doc = Document(str(path))
    parts = [doc.element.body] + [part._element for s in doc.sections
                                  for part in (s.header, s.first_page_header, s.footer, s.first_page_footer)]
    return "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for el in parts for p in el.iter(qn("w:p")))


@pytest.fixture(scope="module")
def drafts(ccn_store: Store) -> dict[str, AssembledDraft]:
    return {kind: example_draft(kind, ccn_store) for kind in KINDS}


def template_problems(draft: AssembledDraft, template: Path, out: Path) -> list[str]:
    """What is wrong with a template for `draft`'s kind, in Vietnamese (empty: fit for use)."""
    doc = Document(str(template))
    styles = {s.name for s in doc.styles}
    problems = [f"thiếu kiểu «{name}»" for name in TEMPLATE_STYLES if name not in styles]
    ids = {s.style_id for s in doc.styles}
    used = {el.get(qn("w:val")) for tag in ("w:pStyle", "w:rStyle", "w:tblStyle") for el in doc.element.iter(qn(tag))}
    problems += [f"kiểu «{style_id}» được dùng nhưng không có" for style_id in sorted(used - ids)]
    filled = {name for name, value in context(draft, approved=False, reviewer=True).items()
              if value is not None and value not in ("", [], {})} - SHOWN_ELSEWHERE.get(draft.kind, set())
    problems += [f"thiếu thẻ {{{{ {name} }}}}" for name in sorted(filled - template_variables(template))]
    text = rendered_text(render(draft, out, template=template))
    problems += [f"thẻ chưa điền: {tag}" for tag in JINJA_TAG.findall(text)]
    problems += [f"thiếu nội dung: {value}" for value in (draft.subject, draft.number_line, draft.place_date)
                 if value and value not in text]
    return problems


@pytest.mark.parametrize("kind", KINDS)
def test_shipped_template_is_fit_for_use(kind: str, drafts, tmp_path: Path):
    assert template_problems(drafts[kind], TEMPLATE_DIR / f"{kind}.docx", tmp_path / "out.docx") == []


@pytest.mark.parametrize("kind", KINDS)
def test_template_saved_by_word_after_an_edit_is_fit_for_use(kind: str, drafts, tmp_path: Path):
    """Body size changed in the style, a tag split by the spelling checker, parts re-zipped:
    the template is still fit for use and the drafts show the new size."""
    edited = word_edit(TEMPLATE_DIR / f"{kind}.docx", tmp_path / f"{kind}.docx")
    assert Document(str(edited)).styles["CCN Body"].font.size.pt == 13.5
    with zipfile.ZipFile(edited) as package:
        assert b"{{ place_date }}" not in package.read("word/document.xml")  # spread over two runs
    assert template_problems(drafts[kind], edited, tmp_path / "out.docx") == []
    assert Document(str(tmp_path / "out.docx")).styles["CCN Body"].font.size.pt == 13.5


def test_template_missing_a_tag_is_refused(drafts, tmp_path: Path):
    """A user who deleted the trích yếu's tag: the check names it (the draft would lose its
    subject line without an error)."""
    shipped = TEMPLATE_DIR / "tra_loi.docx"
    broken = resave(word_edit(shipped, tmp_path / "edited.docx"), tmp_path / "broken.docx",
                    {"word/document.xml": lambda xml: drop_tag(xml, "{{ subject }}")})
    problems = template_problems(drafts["tra_loi"], broken, tmp_path / "out.docx")
    assert problems == ["thiếu thẻ {{ subject }}", f"thiếu nội dung: {drafts['tra_loi'].subject}"]


def test_template_missing_a_style_is_refused(drafts, tmp_path: Path):
    """A template whose quote style was renamed in Word (the renderer writes quotes in
    «CCN Quote»)."""
    shipped = TEMPLATE_DIR / "gop_y.docx"
    renamed = resave(shipped, tmp_path / "renamed.docx", {
        "word/styles.xml": lambda xml: xml.replace(b'w:val="CCN Quote"', b'w:val="Trich dan"')})
    problems = template_problems(drafts["gop_y"], renamed, tmp_path / "out.docx")
    assert problems == ["thiếu kiểu «CCN Quote»"]


def test_template_using_a_deleted_style_is_refused(drafts, tmp_path: Path):
    """A style deleted in Word's style pane while a paragraph of the template still names it
    (Word would show that paragraph in Normal)."""
    def delete_annex(xml: bytes) -> bytes:
        start = xml.index(b'<w:style w:type="paragraph" w:customStyle="1" w:styleId="CCNAnnex">')
        return xml[:start] + xml[xml.index(b"</w:style>", start) + len(b"</w:style>"):]

    broken = resave(TEMPLATE_DIR / "tra_loi.docx", tmp_path / "broken.docx", {"word/styles.xml": delete_annex})
    problems = template_problems(drafts["tra_loi"], broken, tmp_path / "out.docx")
    assert problems == ["thiếu kiểu «CCN Annex»", "kiểu «CCNAnnex» được dùng nhưng không có"]


def test_comparison_template_is_fit_for_use(drafts, tmp_path: Path):
    """bang_so_sanh.docx, the bảng so sánh of an amending text (render_comparison): its tag,
    its styles, nothing left unrendered, the table's title shown."""
    from drafting.render import render_comparison

    template = TEMPLATE_DIR / "bang_so_sanh.docx"
    assert "comparison" in template_variables(template)
    assert {s.name for s in Document(str(template)).styles} >= set(TEMPLATE_STYLES)
    text = rendered_text(render_comparison(drafts["sua_doi"], tmp_path / "bss.docx"))
    assert JINJA_TAG.findall(text) == []
    assert drafts["sua_doi"].comparison.title in text
