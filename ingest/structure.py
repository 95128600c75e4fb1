"""Legal-structure parser: paragraphs → tree of Phần/Chương/Mục/Tiểu mục/Điều/khoản/điểm.

Input is the body of one *segment* of a document (the main text, a Quy chế attached to a
decision, or a Phụ lục), as normalised lines. Output is a list of top-level Provision nodes whose
`text` holds the exact wording (heading line included) with paragraphs joined by newlines.

Numbering is checked as it goes: a khoản must follow the previous khoản (1, 2, 3 …), a điểm the
previous letter (a, b, c, d, đ, e …), an Điều must increase; anything else is body text. This keeps
quoted amendments ("“2. …”"), dates ("2024. …") and lists out of the tree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.model import Citation, Kind, Provision, number_provisions

POINT_LETTERS = "abcdđeghiklmnopqrstuvxy"

ARTICLE_RE = re.compile(r"^Điều\s+(\d{1,3})\s*([a-zđ]?)\s*[.:]\s*(.*)$")
CLAUSE_RE = re.compile(r"^(\d{1,2})\s*[.),]\s+(\S.*)$")  # "5," is an OCR misreading of "5."
POINT_RE = re.compile(r"^([a-zđ])(\d?)\s*\)\s*(.*)$")
PART_RE = re.compile(r"^(?:Phần|PHẦN)\s+(thứ\s+\S+|THỨ\s+\S+|[IVXLC]+|\d+)\b\.?\s*(.*)$")
CHAPTER_RE = re.compile(r"^(?:Chương|CHƯƠNG)\s+([IVXLC]+|\d+)\b\.?\s*(.*)$")
SECTION_RE = re.compile(r"^(?:Mục|MỤC)\s+(\d+|[IVXLC]+)\b\.?\s*(.*)$")
SUBSECTION_RE = re.compile(r"^(?:Tiểu mục|TIỂU MỤC)\s+(\d+)\b\.?\s*(.*)$")
ROMAN_HEADING_RE = re.compile(r"^([IVXLC]+)\s*[.:]\s+(\S.*)$")

PAGE_NUMBER_RE = re.compile(r"^[-–\s]*\d{1,3}[-–\s]*$")
COLUMN_GAP_RE = re.compile(r"\s{3,}")

# A line starting one of these always starts a new paragraph when reflowing wrapped text.
NEW_PARAGRAPH_RE = re.compile(
    r"^(?:Điều\s+\d{1,3}\s*[a-zđ]?\s*[.:]|(?:Chương|CHƯƠNG)\s+[IVXLC\d]+\b|(?:Mục|MỤC)\s+\d+\s*\."
    r"|Phần\s|PHẦN\s|Tiểu mục|PHỤ LỤC|Phụ lục\s+[IVX]"
    r"|\d{1,2}\s*[.)]\s|[a-zđ]\d?\s*\)\s|[-+•–]\s|Căn cứ|Theo đề nghị|Nơi nhận|Kính gửi|V/v"
    r"|[IVX]+\.\s|\(Ban hành kèm|\(Kèm theo)"
)
ENDS_SENTENCE_RE = re.compile(r"[.;:!?…”\")]$")


def reflow(lines: list[str], originals: list[str] | None = None) -> list[str]:
    """Join visual lines (PDF, pdftotext) into paragraphs; drop page-number lines.

    A line starts a new paragraph when it is indented in the original layout, starts a
    structural marker, follows a line that ends a sentence and begins with a capital, or is an
    all-capitals heading. Otherwise it continues the previous paragraph.
    """
    paragraphs: list[str] = []
    prev_indent = 0
    for i, line in enumerate(lines):
        text = line.strip()
        if not text or PAGE_NUMBER_RE.match(text):
            continue
        indent = _indent(originals[i]) if originals else 0
        if paragraphs and _continues(paragraphs[-1], text, indent, prev_indent):
            paragraphs[-1] = _join(paragraphs[-1], text)
        else:
            paragraphs.append(text)
        prev_indent = indent
    return paragraphs


def _indent(original: str) -> int:
    return len(original) - len(original.lstrip(" \t"))


def _continues(previous: str, text: str, indent: int, prev_indent: int) -> bool:
    if NEW_PARAGRAPH_RE.match(text) or COLUMN_GAP_RE.search(text):
        return False
    if indent >= 3 and indent > prev_indent + 1:
        return False
    if _is_caps_heading(text) != _is_caps_heading(previous):
        return False
    return not (ENDS_SENTENCE_RE.search(previous) and text[:1].isupper())


def _join(previous: str, text: str) -> str:
    if previous.endswith("-") and text[:1].islower() and not previous.endswith(" -"):
        return previous[:-1] + text
    return f"{previous} {text}"


def _is_caps_heading(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


@dataclass
class _Open:
    """The innermost open nodes while walking paragraphs."""

    containers: list[Provision] = field(default_factory=list)
    article: Provision | None = None
    clause: Provision | None = None
    point: Provision | None = None
    last_article: int = 0
    pending_title: Provision | None = None  # container whose title is on the next line
    more: dict[int, list[str]] = field(default_factory=dict)  # lines added to a node, joined at the end

    def add(self, node: Provision, text: str) -> None:
        self.more.setdefault(id(node), []).append(text)

    def finish(self, roots: list[Provision]) -> None:
        """Join each node's collected lines once (appending to strings would be quadratic)."""
        for node in (n for root in roots for n in root.walk()):
            if id(node) in self.more:
                node.text = "\n".join([node.text, *self.more[id(node)]])


def parse_segment(
    paragraphs: list[str],
    doc: str | None,
    part: str | None = None,
    annex: str | None = None,
    warnings: list[str] | None = None,
) -> tuple[list[Provision], list[str]]:
    """Build the provision tree of one segment. Returns (top-level nodes, leading paragraphs).

    Leading paragraphs are those before the first structural marker (căn cứ, preamble, or a
    letter's whole body when it has no Điều).
    """
    warnings = warnings if warnings is not None else []
    roots: list[Provision] = []
    lead: list[str] = []
    state = _Open()
    base = Citation(doc, part, annex)
    for text in paragraphs:
        if _container(text, state, roots, base):
            continue
        if _article(text, state, roots, base, warnings):
            continue
        if state.article is None:
            if state.pending_title is not None and _is_caps_heading(text):
                _set_title(state.pending_title, text)
                continue
            lead.append(text)
            continue
        state.pending_title = None
        if _clause(text, state) or _point(text, state):
            continue
        _append_text(state, text)
    state.finish(roots)
    number_provisions(n for root in roots for n in root.walk())
    return roots, lead


def _container(text: str, state: _Open, roots: list[Provision], base: Citation) -> bool:
    for kind, regex, prefix in (
        (Kind.PART, PART_RE, "Phần"),
        (Kind.CHAPTER, CHAPTER_RE, "Chương"),
        (Kind.SECTION, SECTION_RE, "Mục"),
        (Kind.SUBSECTION, SUBSECTION_RE, "Tiểu mục"),
    ):
        match = regex.match(text)
        if not match or (kind != Kind.CHAPTER and len(text) > 200):
            continue
        number, title = match.group(1), match.group(2).strip(" .:")
        if kind in (Kind.SECTION, Kind.SUBSECTION) and title and title[:1].islower():
            return False  # "Mục 1 của …" in running text
        node = Provision(kind, f"{prefix} {number}", base, text, title=title)
        _open_container(node, state, roots)
        state.pending_title = None if title else node
        return True
    return False


_RANK = {Kind.PART: 0, Kind.CHAPTER: 1, Kind.SECTION: 2, Kind.SUBSECTION: 3}


def _open_container(node: Provision, state: _Open, roots: list[Provision]) -> None:
    while state.containers and _RANK[state.containers[-1].kind] >= _RANK[node.kind]:
        state.containers.pop()
    node.container_path = tuple(c.label for c in state.containers)
    (state.containers[-1].children if state.containers else roots).append(node)
    state.containers.append(node)
    state.article = state.clause = state.point = None


def _set_title(node: Provision, text: str) -> None:
    node.title = text.strip()
    node.text = f"{node.text}\n{text}"


def _article(
    text: str, state: _Open, roots: list[Provision], base: Citation, warnings: list[str]
) -> bool:
    match = ARTICLE_RE.match(text)
    if not match:
        return False
    number = int(match.group(1))
    if number <= state.last_article:
        return False  # a quoted or repeated article: body text
    title = match.group(3)
    if title[:1] and (title[:1] in ",;)" or (number != state.last_article + 1 and title[:1].islower())):
        return False  # "Điều 28. , Điều 30 …", "Điều 27. của Luật …": a reference wrapped to a line's start
    if number > state.last_article + 1 and state.last_article:
        warnings.append(f"Điều {number} theo sau Điều {state.last_article}: thiếu số thứ tự")
    citation = Citation(base.doc, base.part, base.annex, number)
    node = Provision(Kind.ARTICLE, f"Điều {number}", citation, text, title=match.group(3).strip())
    node.container_path = tuple(c.label for c in state.containers)
    (state.containers[-1].children if state.containers else roots).append(node)
    state.article, state.clause, state.point = node, None, None
    state.last_article = number
    state.pending_title = None
    return True


def _clause(text: str, state: _Open) -> bool:
    match = CLAUSE_RE.match(text)
    assert state.article is not None
    if not match:
        return False
    number = int(match.group(1))
    expected = (state.clause.citation.clause or 0) + 1 if state.clause else 1
    if number != expected:
        return False
    art = state.article.citation
    citation = Citation(art.doc, art.part, art.annex, art.article, number)
    node = Provision(Kind.CLAUSE, f"khoản {number}", citation, text)
    node.container_path = state.article.container_path
    state.article.children.append(node)
    state.add(state.article, text)
    state.clause, state.point = node, None
    return True


def _point(text: str, state: _Open) -> bool:
    match = POINT_RE.match(text)
    assert state.article is not None
    if not match:
        return False
    letter, digit = match.group(1), match.group(2)
    if digit:  # sub-point a1), a2): part of the current point's text
        return False
    previous = state.point.citation.point if state.point else None
    position = POINT_LETTERS.index(previous) + 1 if previous else 0
    if position >= len(POINT_LETTERS) or letter != POINT_LETTERS[position]:
        return False
    parent = state.clause or state.article
    pc = parent.citation
    citation = Citation(pc.doc, pc.part, pc.annex, pc.article, pc.clause, letter)
    node = Provision(Kind.POINT, f"điểm {letter}", citation, text)
    node.container_path = state.article.container_path
    parent.children.append(node)
    _append_upwards(state, text, include_point=False)
    state.point = node
    return True


def _append_text(state: _Open, text: str) -> None:
    _append_upwards(state, text, include_point=True)


def _append_upwards(state: _Open, text: str, include_point: bool) -> None:
    nodes = [state.article, state.clause, state.point if include_point else None]
    for node in nodes:
        if node is not None:
            state.add(node, text)



