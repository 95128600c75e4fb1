"""HTML reader for saved pages of vbpl.vn, thuvienphapluat.vn and similar sites.

Only the main content is kept: the known content containers of vbpl.vn (div#toanvancontent,
.fulltext, .content1) and thuvienphapluat.vn (div.content1, #divContentDoc,
.cldivContentDocVn); otherwise the element with the most text among article/main/div once
script, style, nav, header, footer, aside and form are dropped. One block per paragraph-like
element (p, div, li, tr, h1–h6 …) holding text of its own; table rows become their cells
joined by " | " (origin "table").
"""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag

from ingest.normalize import normalize
from ingest.types import Block, RawText

CONTENT_SELECTORS = (
    "#toanvancontent",
    "div.toanvancontent",
    "#divContentDoc",
    ".cldivContentDocVn",
    "div.content1",
    ".fulltext",
    "#ctl00_Content_ThongTinVB_pnlDocContent",
)
NOISE_TAGS = (
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "button",
    "select",
    "input",
    "svg",
    "template",
    "menu",
)
_NOISE_HINT = re.compile(
    r"menu|nav|footer|header|breadcrumb|sidebar|banner|social|share|login|"
    r"search|quangcao|advert|popup|cookie",
    re.IGNORECASE,
)
BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "dd",
        "dt",
        "caption",
        "section",
        "article",
        "center",
        "td",
        "th",
        "main",
        "body",
        "ul",
        "ol",
        "dl",
        "table",
        "tbody",
        "thead",
        "tr",
    }
)
_INLINE_BREAK = frozenset({"br"})


def read_html(path: Path, text: str) -> RawText:
    """HTML text → RawText (fmt "html", wrapped False)."""
    soup = BeautifulSoup(text, "lxml")
    warnings: list[str] = []
    root = _main_content(soup, warnings)
    blocks = _blocks(root) if root is not None else []
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    front_matter = {"title": normalize(title)} if title else {}
    return RawText(
        path, "html", blocks, wrapped=False, front_matter=front_matter, warnings=warnings
    )


def _main_content(soup: BeautifulSoup, warnings: list[str]) -> Tag | None:
    for selector in CONTENT_SELECTORS:
        found = soup.select_one(selector)
        if found is not None and found.get_text(strip=True):
            _drop_noise(found, hints=False)
            return found
    body = soup.body or soup
    _drop_noise(body, hints=True)
    best = _largest_text_element(body)
    if best is not body:
        warnings.append("không thấy khung nội dung quen thuộc: lấy phần có nhiều chữ nhất")
    return best


def _drop_noise(root: Tag, hints: bool) -> None:
    for tag in root.find_all(NOISE_TAGS):
        tag.decompose()
    if not hints:
        return
    for tag in root.find_all(True):
        if tag.decomposed or tag.name in ("body", "html"):
            continue
        marks = " ".join(
            [*tag.get("class", []), tag.get("id", "") or "", tag.get("role", "") or ""]
        )
        if marks.strip() and _NOISE_HINT.search(marks):
            tag.decompose()


def _largest_text_element(body: Tag) -> Tag:
    """The article/main/div holding the most text, preferring the innermost of near-equals."""
    total = len(body.get_text(" ", strip=True)) or 1
    best, best_len = body, 0
    for tag in body.find_all(("article", "main", "div", "section", "td")):
        length = len(tag.get_text(" ", strip=True))
        if length >= 0.6 * total and (best is body or length <= best_len):
            best, best_len = tag, length
    return best


def _blocks(root: Tag) -> list[Block]:
    blocks: list[Block] = []
    _walk(root, blocks, in_table=False)
    return blocks


def _walk(el: Tag, blocks: list[Block], in_table: bool) -> None:
    """Emit a block for each run of inline content; descend into block elements."""
    if el.name == "tr":
        _walk_row(el, blocks)
        return
    buffer: list[str] = []
    for child in el.children:
        if isinstance(child, NavigableString):
            if child.__class__ is NavigableString:  # not a Comment/Doctype/CData
                buffer.append(str(child))
        elif isinstance(child, Tag):
            if child.name in _INLINE_BREAK:
                _flush(buffer, blocks, in_table)
            elif child.name in BLOCK_TAGS:
                _flush(buffer, blocks, in_table)
                _walk(child, blocks, in_table or child.name == "table")
            else:
                buffer.append(child.get_text())
    _flush(buffer, blocks, in_table)


def _walk_row(row: Tag, blocks: list[Block]) -> None:
    """A data row → one block "a | b | c"; a layout row (cells holding paragraphs or line
    breaks, as the header table of a decree) → the blocks of each cell in turn."""
    cells = row.find_all(("td", "th"), recursive=False)
    if any(cell.find(("br", *BLOCK_TAGS)) for cell in cells):
        for cell in cells:
            _walk(cell, blocks, in_table=True)
        return
    texts = (_HTML_SPACE.sub(" ", c.get_text(" ")).strip() for c in cells)
    _emit(blocks, " | ".join(t for t in texts if t), "table")


def _flush(buffer: list[str], blocks: list[Block], in_table: bool) -> None:
    if buffer:
        _emit(blocks, "".join(buffer), "table" if in_table else "body")
        buffer.clear()


_HTML_SPACE = re.compile(r"[ \t\r\n\f]+")


def _emit(blocks: list[Block], original: str, origin: str) -> None:
    original = _HTML_SPACE.sub(" ", original)  # HTML source whitespace is not layout
    text = normalize(original)
    if text:
        blocks.append(Block(text=text, original=original.strip(), origin=origin))
