"""A template saved by Word after a user's edit, made without Word: the package unzipped, a part
changed the way Word writes it, and zipped again (Word rewrites every part it saves).

What Word does that a template must survive (seen in templates users sent back): it rewrites
styles.xml with the new formatting, it splits a run where its spelling checker marks a word, so
a Jinja tag ends up across several runs with <w:proofErr> between them, and it zips the parts
again in its own order and compression.
"""

from __future__ import annotations

import copy
import zipfile
from collections.abc import Callable
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def set_style_size(styles_xml: bytes, style_name: str, half_points: int) -> bytes:
    """styles.xml with the font size of the named style set, as Word's Modify Style dialog does
    (w:sz and w:szCs in the style's own w:rPr)."""
    root = etree.fromstring(styles_xml)
    style = next(s for s in root.iter(_w("style"))
                 if s.find(_w("name")) is not None and s.find(_w("name")).get(_w("val")) == style_name)
    rpr = style.find(_w("rPr"))
    if rpr is None:
        rpr = etree.SubElement(style, _w("rPr"))
    for tag in ("sz", "szCs"):
        for old in rpr.findall(_w(tag)):
            rpr.remove(old)
        etree.SubElement(rpr, _w(tag)).set(_w("val"), str(half_points))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def split_tag_run(document_xml: bytes, tag_text: str, at: int) -> bytes:
    """document.xml with the run holding `tag_text` split in two at the tag's character `at`,
    with Word's spelling marks between the halves (the tag then spans two runs). A tag already
    spread over runs (a template Word saved before) is left as it is."""
    root = etree.fromstring(document_xml)
    text = next((t for t in root.iter(_w("t")) if t.text and tag_text in t.text), None)
    if text is None:
        return document_xml
    cut = text.text.index(tag_text) + at
    run = text.getparent()
    second = copy.deepcopy(run)
    text.text, second.find(_w("t")).text = text.text[:cut], text.text[cut:]
    start, end = etree.Element(_w("proofErr")), etree.Element(_w("proofErr"))
    start.set(_w("type"), "spellStart")
    end.set(_w("type"), "spellEnd")
    run.addnext(start)
    start.addnext(second)
    second.addnext(end)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def drop_tag(document_xml: bytes, tag_text: str) -> bytes:
    """document.xml with the tag deleted from the run that holds it (a user removing a field)."""
    root = etree.fromstring(document_xml)
    text = next(t for t in root.iter(_w("t")) if t.text and tag_text in t.text)
    text.text = text.text.replace(tag_text, "")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def resave(template: Path, out: Path, edits: dict[str, Callable[[bytes], bytes]]) -> Path:
    """`template` zipped again as Word does (its own part order, deflated), each part named in
    `edits` ("word/styles.xml" …) replaced by the edit of its bytes."""
    with zipfile.ZipFile(template) as src:
        items = [(info.filename, src.read(info)) for info in src.infolist()]
    items = [(name, edits[name](data) if name in edits else data) for name, data in items]
    head = [i for i in items if i[0] == "[Content_Types].xml"]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as dst:
        for name, data in head + sorted(i for i in items if i[0] != "[Content_Types].xml"):
            dst.writestr(name, data)
    return out


def word_edit(template: Path, out: Path, *, body_half_points: int = 27) -> Path:
    """The template after a user changed the body style's size in Word (default 13.5 pt, inside
    NĐ 30's 13-14) and Word's spelling checker split the {{ place_date }} tag; saved by Word."""
    return resave(template, out, {
        "word/styles.xml": lambda xml: set_style_size(xml, "CCN Body", body_half_points),
        "word/document.xml": lambda xml: split_tag_run(xml, "{{ place_date }}", 8),
    })
