"""Word annotation: the report's citations and findings written into a copy of the DOCX as
comments anchored on their words, and the comments of a DOCX read back."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path

from drafting.checker.report import SEVERITY_LABEL, CheckReport
from drafting.severity import Severity
from kb.model import nfc

AUTHOR = "Kiểm tra trích dẫn (ccn check)"


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W_NS}}}"


def annotate_docx(src: Path | str, report: CheckReport, dst: Path | str) -> Path:
    """A copy of `src` with one Word comment per citation (and per finding without a citation),
    anchored on the runs holding its words (runs are split at the citation's edges)."""
    import docx

    document = docx.Document(str(src))
    paragraphs = list(_docx_paragraphs(document))
    cursor = 0
    for text, message in _comment_items(report):
        placed = _place(document, paragraphs, cursor, text, message)
        if placed is not None:
            cursor = placed
    dst = Path(dst)
    document.save(str(dst))
    return dst


def _comment_items(report: CheckReport) -> list[tuple[str, str]]:
    """(anchor text, comment) in document order; a mention with several addresses: one comment."""
    items: dict[tuple[int, int], tuple[str, list[str]]] = {}
    for check in report.citations:
        worst = check.worst
        line = f"[{SEVERITY_LABEL[worst.severity]}] {worst.message}"
        extra = [f"[{SEVERITY_LABEL[i.severity]}] {i.message}" for i in check.issues
                 if i is not worst and i.severity in (Severity.ERROR, Severity.WARNING)]
        entry = items.setdefault((check.start, check.end), (check.text, []))
        for text in (line, *extra):
            if text not in entry[1]:
                entry[1].append(text)
    for finding in report.findings:
        if finding.code == "speculative_wording":
            items[(finding.start, finding.end)] = (
                finding.text, [f"[{SEVERITY_LABEL[finding.severity]}] {finding.message}"])
    return [(text, "\n".join(lines)) for _span, (text, lines) in sorted(items.items())]


def _docx_paragraphs(document) -> Iterator:
    """Paragraphs in the order the DOCX reader reads them: body, tables cell by cell, nested."""
    from docx.text.paragraph import Paragraph

    def walk(container, parent):
        for child in container:
            if child.tag == _W + "p":
                yield Paragraph(child, parent)
            elif child.tag in (_W + "tbl", _W + "tr", _W + "tc", _W + "sdt", _W + "sdtContent"):
                yield from walk(child, parent)

    yield from walk(document.element.body, document)


def _runs(paragraph) -> list:
    from docx.text.run import Run

    elements = paragraph._p.xpath("./w:r | ./w:hyperlink/w:r | ./w:ins/w:r")
    return [Run(r, paragraph) for r in elements]


def _place(document, paragraphs: list, cursor: int, text: str, message: str) -> int | None:
    pattern = _anchor_pattern(text)
    for i in range(cursor, len(paragraphs)):
        runs = _runs(paragraphs[i])
        texts = [nfc(r.text).replace("\xa0", " ").replace("\t", " ") for r in runs]
        joined = "".join(texts)
        if (m := pattern.search(joined)) is None:
            continue
        first, last = _split_for(runs, texts, m.start(), m.end())
        document.add_comment([first, last], text=message, author=AUTHOR, initials="CCN")
        return i
    return None


def _anchor_pattern(text: str) -> re.Pattern:
    words = nfc(text).replace("ƣ", "ư").split()
    return re.compile(r"\s+".join(re.escape(w) for w in words))


def _split_for(runs: list, texts: list[str], start: int, end: int) -> tuple:
    """The runs covering [start, end), split so that the anchor holds exactly those words
    when the edge runs are plain text runs (else the whole edge run is anchored)."""
    bounds, pos = [], 0
    for t in texts:
        bounds.append((pos, pos + len(t)))
        pos += len(t)
    i = next(k for k, (a, b) in enumerate(bounds) if a <= start < b)
    j = next(k for k, (a, b) in enumerate(bounds) if a < end <= b)
    last = runs[j]
    if end < bounds[j][1] and _plain(runs[j]):
        _split_run(runs[j], end - bounds[j][0])
    first = runs[i]
    if start > bounds[i][0] and _plain(runs[i]):
        first = _split_run(runs[i], start - bounds[i][0])
        if i == j:
            last = first
    return first, last


# run children python-docx renders as one character, and those it renders as none
_ONE_CHAR = frozenset({_W + "tab", _W + "br", _W + "cr", _W + "noBreakHyphen", _W + "ptab"})
_NO_CHAR = frozenset({_W + "rPr", _W + "lastRenderedPageBreak"})


def _plain(run) -> bool:
    """A run that can be cut at any character: text, tabs, breaks (no fields, no drawings)."""
    allowed = _ONE_CHAR | _NO_CHAR | {_W + "t"}
    return all(c.tag in allowed for c in run._r) and run.text == nfc(run.text)


def _split_run(run, at: int):
    """Split a plain run at character `at`: the run keeps the head, a new run after it the tail."""
    from docx.text.run import Run

    tail = copy.deepcopy(run._r)
    run._r.addnext(tail)
    _keep(run._r, 0, at)
    _keep(tail, at, None)
    return Run(tail, run._parent)


def _keep(r, start: int, end: int | None) -> None:
    """Keep only the characters [start, end) of a plain run element."""
    pos = 0
    for child in list(r):
        if child.tag == _W + "rPr":
            continue
        size = len(child.text or "") if child.tag == _W + "t" else int(child.tag in _ONE_CHAR)
        lo, hi = max(start, pos), min(end if end is not None else pos + size, pos + size)
        if child.tag == _W + "t" and hi > lo:
            child.text = child.text[lo - pos : hi - pos]
            child.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        elif size == 0:
            inside = start <= pos and (end is None or pos < end)
            if not inside:
                r.remove(child)
        elif hi <= lo:
            r.remove(child)
        pos += size


def read_comments(path: Path | str) -> list[tuple[str, str]]:
    """(anchored text, comment text) of every comment of a DOCX, in document order."""
    import docx

    document = docx.Document(str(path))
    texts = {c.comment_id: c.text for c in document.comments}
    anchored: dict[int, list[str]] = {}
    open_ids: list[int] = []
    order: list[int] = []
    for el in document.element.body.iter():
        if el.tag == _W + "commentRangeStart":
            cid = int(el.get(_W + "id"))
            open_ids.append(cid)
            order.append(cid)
            anchored[cid] = []
        elif el.tag == _W + "commentRangeEnd":
            cid = int(el.get(_W + "id"))
            if cid in open_ids:
                open_ids.remove(cid)
        elif el.tag == _W + "t" and el.text:
            for cid in open_ids:
                anchored[cid].append(el.text)
    return [("".join(anchored[cid]), texts.get(cid, "")) for cid in order]
