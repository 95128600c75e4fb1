"""DOCX reader: body paragraphs, tables and text boxes in document order.

- w:p → one block per line: a manual line break (w:br, w:cr) starts a new block, as Word shows
  it (the header cell "CHÍNH PHỦ<br>--------" gives two blocks); w:tab becomes a tab.
- w:tbl → each cell's paragraphs, row by row, cell by cell (origin "table"); a cell continued
  from the row above (vertical merge) holds no text of its own, so nothing repeats.
- text boxes (w:txbxContent, DrawingML or VML) → their paragraphs right after the paragraph
  that anchors them (origin "textbox"); of an mc:AlternateContent only one branch is read.
- deleted revisions and field codes are skipped; headers, footers and footnotes are not read.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from ingest.limits import check_docx_zip
from ingest.normalize import normalize
from ingest.readers.detect import MSG_DOCX_BROKEN
from ingest.types import Block, RawText, ReadError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"

_P, _TBL, _TR, _TC, _R, _T = W + "p", W + "tbl", W + "tr", W + "tc", W + "r", W + "t"
_TXBX = W + "txbxContent"
_BREAKS = frozenset({W + "br", W + "cr"})
_SKIP = frozenset(
    {
        W + "del",
        W + "delText",
        W + "instrText",
        W + "delInstrText",
        W + "pPr",
        W + "rPr",
        W + "fldData",
        W + "footnoteReference",
        W + "endnoteReference",
        W + "commentReference",
        MC + "Fallback",
    }
)
_CONTAINERS = frozenset({W + "sdt", W + "sdtContent", W + "customXml", W + "smartTag"})


def read_docx(path: Path, data: bytes) -> RawText:
    """DOCX bytes → RawText (fmt "docx", wrapped False)."""
    body = _load_body(path, data)
    blocks: list[Block] = []
    for original, origin in _container_lines(body, "body"):
        text = normalize(original)
        if text:
            blocks.append(Block(text=text, original=original, origin=origin))
    warnings = [] if blocks else ["tệp DOCX không có chữ trong thân văn bản"]
    return RawText(path, "docx", blocks, wrapped=False, warnings=warnings)


def _load_body(path: Path, data: bytes) -> etree._Element:
    import docx  # python-docx: finds the main document part through the package relations

    check_docx_zip(path, data)  # sizes from the zip directory, before any XML is inflated
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError, EOFError) as exc:
        raise ReadError(path, MSG_DOCX_BROKEN) from exc
    except Exception as exc:  # python-docx raises its own PackageNotFoundError and others
        raise ReadError(path, f"{MSG_DOCX_BROKEN} ({type(exc).__name__})") from exc
    return document.element.body


def _container_lines(container: etree._Element, origin: str) -> Iterator[tuple[str, str]]:
    """(line, origin) of a body, cell or text box, in document order."""
    for child in container:
        tag = child.tag
        if tag == _P:
            yield from _paragraph_lines(child, origin)
        elif tag == _TBL:
            yield from _table_lines(child, "textbox" if origin == "textbox" else "table")
        elif tag in _CONTAINERS:
            yield from _container_lines(child, origin)


def _table_lines(table: etree._Element, origin: str) -> Iterator[tuple[str, str]]:
    for row in _children(table, _TR):
        for cell in _children(row, _TC):
            yield from _container_lines(cell, origin)


def _children(el: etree._Element, tag: str) -> Iterator[etree._Element]:
    """Direct children with `tag`, looking through content controls (w:sdt) and custom XML."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in _CONTAINERS:
            yield from _children(child, tag)


def _paragraph_lines(paragraph: etree._Element, origin: str) -> Iterator[tuple[str, str]]:
    """Lines of one paragraph, then the lines of the text boxes it anchors."""
    collector = _Collector()
    collector.walk(paragraph)
    for line in collector.lines():
        yield line, origin
    for box in collector.boxes:
        yield from _container_lines(box, "textbox")


class _Collector:
    """Gathers a paragraph's text runs, splitting at line breaks, and its text boxes."""

    def __init__(self) -> None:
        self.current: list[str] = []
        self.done: list[str] = []
        self.boxes: list[etree._Element] = []

    def walk(self, el: etree._Element) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag == _T:
                self.current.append(child.text or "")
            elif tag == W + "tab" or tag == W + "ptab":
                self.current.append("\t")
            elif tag in _BREAKS:
                self.break_line()
            elif tag == W + "noBreakHyphen":
                self.current.append("-")
            elif tag == W + "softHyphen":
                self.current.append("\u00ad")
            elif tag == _TXBX:
                self.boxes.append(child)
            else:
                self.walk(child)

    def break_line(self) -> None:
        self.done.append("".join(self.current))
        self.current = []

    def lines(self) -> list[str]:
        return [*self.done, "".join(self.current)]
