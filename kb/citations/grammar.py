"""The citation grammar (kb.citations, whose docstring gives it in BNF): tokens joined into chains,
chains into mentions with their targets, relative citations resolved in their context."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from kb.citations.lexer import _KEM_THEO, _S, _S0, _lex, _prepare, _Tok
from kb.citations.refs import CitationMention, DocRef
from kb.citations.shortforms import normalize_query_citations
from kb.model import Citation, Kind

# ---------------------------------------------------------------------------------------------
# Chains → mentions
# ---------------------------------------------------------------------------------------------

_GAP_CHAIN_RE = re.compile(
    rf"{_S0}(?:[,;]{_S0})?(?:(?:và|hoặc|hay|đến|tới|của|các|cùng|từ)(?:{_S}|$))*"
)
_GAP_DOC_RE = re.compile(rf"{_S0},?{_S0}(?:(?:của|thuộc)(?:{_S}|$)|{_KEM_THEO}(?:{_S}|$))?")
_GAP_PART_RE = re.compile(rf"{_S0}(?:(?:của|thuộc)(?:{_S}|$))?")
_SENTENCE_BREAK_RE = re.compile(r"[.;!?](?:\s|$)|\n\s*\n")
_PERIOD_BREAK_RE = re.compile(r"[.!?](?:\s|$)|\n\s*\n")


def _chains(text: str, toks: list[_Tok]) -> Iterator[list[_Tok]]:
    """Group tokens into chains: provisions joined by connectors, closed by a document."""
    chain: list[_Tok] = []
    for tok in toks:
        if chain and _joins(text, chain[-1], tok):
            chain.append(tok)
        else:
            if chain:
                yield chain
            chain = [tok]
        if tok.kind == "DOC" or (tok.kind == "Q" and tok.doc is not None):
            yield chain
            chain = []
    if chain:
        yield chain


def _joins(text: str, prev: _Tok, tok: _Tok) -> bool:
    if prev.kind == "DOC" or (prev.kind == "Q" and prev.doc is not None):
        return False
    gap_start, gap_end = prev.end, tok.start
    if gap_end - gap_start > 40:
        return False
    if prev.kind == "Q" and prev.kem_theo:
        return tok.kind == "DOC" and not text[gap_start:gap_end].strip()
    if tok.kind == "DOC":
        return _GAP_DOC_RE.fullmatch(text, gap_start, gap_end) is not None
    if tok.kind == "Q":
        return _GAP_PART_RE.fullmatch(text, gap_start, gap_end) is not None
    return _GAP_CHAIN_RE.fullmatch(text, gap_start, gap_end) is not None


@dataclass(slots=True)
class _Builder:
    """Builds targets from a chain, smallest unit first ("điểm a, b khoản 2 Điều 8")."""

    targets: list[list] = field(default_factory=list)  # [annex, article, clause, point, level]
    points: list = field(default_factory=list)
    clauses: list = field(default_factory=list)  # (clause | "này", [points])
    forms: list[str] = field(default_factory=list)
    part: str | None = None
    doc: DocRef | None = None

    def feed(self, tok: _Tok, adjacent: bool) -> None:
        getattr(self, f"_on_{tok.kind}")(tok, adjacent)

    def _on_P(self, tok: _Tok, adjacent: bool) -> None:
        self.points.extend(tok.values)

    def _on_K(self, tok: _Tok, adjacent: bool) -> None:
        pts, self.points = self.points, []
        self.clauses.extend((v, pts if i == 0 else []) for i, v in enumerate(tok.values))

    def _on_D(self, tok: _Tok, adjacent: bool) -> None:
        if self.points:  # "điểm a Điều 5": points directly under an article
            self.clauses.append((None, self.points))
            self.points = []
        clauses, self.clauses = self.clauses, []
        # "khoản 3 Điều 10, Điều 11": the clauses belong to the first article only
        for i, art in enumerate(tok.values):
            article = None if art == "này" else art
            for clause, pts in (clauses if i == 0 else []) or [(None, [])]:
                self._add(None, article, clause, pts, "article" if article is None else None)

    def _on_A(self, tok: _Tok, adjacent: bool) -> None:
        annex = tok.values[0]
        if adjacent and self.targets and not self.clauses and not self.points:
            for t in self.targets:
                t[0] = t[0] or annex
        else:
            self.flush()
            self.targets.append([annex, None, None, None, None])

    def _on_F(self, tok: _Tok, adjacent: bool) -> None:
        self.forms.extend(tok.values)

    def _on_Q(self, tok: _Tok, adjacent: bool) -> None:
        self.flush()
        self.part = tok.part
        if tok.this:
            self.doc = DocRef(raw=tok.part + " này", this_document=True)
        elif tok.doc is not None:
            self.doc = tok.doc

    def _on_DOC(self, tok: _Tok, adjacent: bool) -> None:
        self.flush()
        self.doc = tok.doc

    def flush_points(self) -> None:
        if self.points:
            self.clauses.append(("này", self.points))
            self.points = []

    def flush(self) -> None:
        """Close pending clauses/points that no Điều absorbed: relative to this article."""
        self.flush_points()
        for clause, pts in self.clauses:
            this_clause = clause == "này"
            level = "clause" if this_clause else "article"
            self._add(None, None, None if this_clause else clause, pts, level)
        self.clauses = []

    def _add(self, annex, article, clause, pts, level) -> None:
        if clause == "này":
            clause, level = None, "clause"
        for point in pts or [None]:
            if point == "này":
                continue
            self.targets.append([annex, article, clause, point, level])


def _build(text: str, chain: list[_Tok]) -> CitationMention | None:
    builder = _Builder()
    prev: _Tok | None = None
    for tok in chain:
        adjacent = (
            prev is not None and _GAP_PART_RE.fullmatch(text, prev.end, tok.start) is not None
        )
        builder.feed(tok, adjacent)
        prev = tok
    builder.flush()
    if not builder.targets and builder.doc is None:
        return None
    if _lonely_this(chain):
        return None
    return _mention(builder, chain[0].start, chain[-1].end)


def _lonely_this(chain: list[_Tok]) -> bool:
    """ "Điều này có nghĩa …" / "khoản này" (money) alone: not a citation unless "tại/theo …"."""
    return (
        len(chain) == 1
        and chain[0].kind in ("D", "K", "P")
        and chain[0].this
        and not chain[0].standalone
    )


def _mention(b: _Builder, start: int, end: int) -> CitationMention:
    ref = b.doc
    doc = ref.number if ref is not None and ref.complete else None
    targets: list[Citation] = []
    relatives: list[str | None] = []
    # one form named before its Phụ lục ("Mẫu số 02 Phụ lục II …") is that annex's item
    form = b.forms[0] if len(b.forms) == 1 and len(b.targets) == 1 else None
    for annex, article, clause, point, level in b.targets:
        if ref is None or ref.this_document:
            level = level or "document"
        item = form if annex is not None and article is None else None
        targets.append(Citation(doc, b.part, annex, article, clause, point, item))
        relatives.append(level)
    return CitationMention((start, end), "", ref, targets, relatives, b.part, b.forms)


def _link(text: str, mentions: list[CitationMention]) -> None:
    """Attach parenthetical bare chains to the preceding document; record antecedents."""
    last_doc: CitationMention | None = None
    for m in mentions:
        if m.doc_ref is None and last_doc is not None:
            gap = text[last_doc.span[1] : m.span[0]]
            if _SENTENCE_BREAK_RE.search(gap) is None:
                m.antecedent = last_doc.doc_ref
                if gap.lstrip().startswith("(") and ")" not in gap and len(gap) < 200:
                    _attach(m, last_doc.doc_ref)
        if m.doc_ref is not None and not m.doc_ref.this_document:
            last_doc = m
    next_doc: CitationMention | None = None
    for m in reversed(mentions):
        if (
            m.doc_ref is None
            and next_doc is not None
            and _PERIOD_BREAK_RE.search(text, m.span[1], next_doc.span[0]) is None
        ):
            m.postcedent = next_doc.doc_ref
        if m.doc_ref is not None and not m.doc_ref.this_document:
            next_doc = m


def _attach(m: CitationMention, ref: DocRef | None) -> None:
    assert ref is not None
    m.doc_ref = ref
    m.attached = "parenthetical"
    doc = ref.number if ref.complete else None
    m.targets = [t.with_doc(doc) for t in m.targets]
    m.relatives = [None if lvl == "document" else lvl for lvl in m.relatives]


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def find_citations(text: str) -> list[CitationMention]:
    """All citations (dẫn chiếu) in a text, in order, with spans in the input's indexing."""
    norm, index = _prepare(text)
    toks = list(_lex(norm))
    mentions = [m for chain in _chains(norm, toks) if (m := _build(norm, chain)) is not None]
    _link(norm, mentions)
    for m in mentions:
        start, end = m.span
        if index is not None:
            start, end = index[start], index[end]
        m.span = (start, end)
        m.raw = text[start:end]
    return mentions


def find_query_citations(query: str) -> list[CitationMention]:
    """Citations in a question, short forms included ("K3 Đ13 NĐ 32/2024", "dieu 13 khoan 3").
    A question may name the document first ("NĐ 32/2024 Điều 8"): a bare chain after a document
    in the same sentence is in that document. Spans and `raw` index the normalised question."""
    mentions = find_citations(normalize_query_citations(query))
    for m in mentions:
        if m.doc_ref is None and m.antecedent is not None and m.relative == "document":
            _attach(m, m.antecedent)
            m.attached = "antecedent"
    return mentions


def resolve_relative(mention: CitationMention, context: Citation) -> list[Citation]:
    """Absolute addresses of a mention's targets inside `context` (the enclosing provision).

    "khoản 3 Điều này" inside Điều 8 of 32/2024/NĐ-CP → Citation("32/2024/NĐ-CP", article=8,
    clause=3); "Điều 9 Nghị định này" → that document's main text; a bare "Điều 4" keeps the
    context's part/annex (inside a Quy chế it is the Quy chế's Điều 4); "Điều 5 Quy chế này" →
    part "Quy chế". Absolute targets are returned unchanged.
    """
    bare = mention.doc_ref is None
    out: list[Citation] = []
    for target, level in zip(mention.targets, mention.relatives, strict=True):
        if level is None:
            out.append(target)
            continue
        part, annex = target.part, target.annex
        if bare and target.part is None and target.annex is None:
            part, annex = context.part, context.annex
        article, clause = target.article, target.clause
        if level in ("article", "clause"):
            article = context.article
        if level == "clause":
            clause = context.clause
        out.append(Citation(context.doc, part, annex, article, clause, target.point))
    if not mention.targets and mention.doc_ref is not None and mention.doc_ref.this_document:
        out.append(Citation(context.doc, mention.part))
    return out


def parse_one(text: str) -> Citation | None:
    """The first address in a single citation string ("điểm c khoản 2 Điều 8 NĐ 32/2024/NĐ-CP").

    A partial document ("khoản 2 Điều 8 NĐ 32") is kept as printed in `doc` ("32"); test it
    with `is_complete_number`. A document alone gives Citation(doc). An annex item the string
    opens with is its `annex_item`, as `render` writes it: "mục I.7 Phụ lục I Nghị định số
    30/2020/NĐ-CP", "Biểu số 04 Phụ lục I Thông tư số 14/2024/TT-BCT", and without the Phụ lục
    ("Mẫu số 02 Thông tư 14/2024/TT-BCT": annex None, the store finds it). None when nothing parses.
    """
    for m in find_citations(text):
        ref = m.doc_ref
        doc = ref.number if ref is not None and not ref.this_document else None
        if m.targets:
            found = m.targets[0].with_doc(doc)
        elif doc:
            found = Citation(doc, m.part)
        else:
            continue
        item = m.forms[0] if len(m.forms) == 1 else _cited_section_item(text)
        if item and found.article is None:
            found = Citation(found.doc, found.part, found.annex, annex_item=item)
        return found
    return None


_SECTION_ITEM_CITED_RE = re.compile(
    r"^\s*[Mm]ục\s+(?P<path>(?:Phần\s+(?:[IVXLC]+|[A-H])\.)?[IVXLC]+(?:\.\d+)*(?:\.[a-zđ]\d*)?)(?=[\s,.;]|$)")


def _cited_section_item(text: str) -> str | None:
    """The item of a Mục a citation string opens with, as `render` writes it ("mục I.7 Phụ lục I …",
    "mục Phần II.I.1 …"): only there, since "Mục 2 Chương III" of a law is no annex item."""
    m = _SECTION_ITEM_CITED_RE.match(unicodedata.normalize("NFC", text))
    return re.sub(r"^Phần\s+", "Phần ", m["path"]) if m else None


def same_annex_item(a: str | None, b: str | None) -> bool:
    """One annex item however its number is written: "Biểu số 4" is "Biểu số 04"."""
    def key(item: str | None) -> str | None:
        return re.sub(r"(?<=số )0+(?=\d)", "", item).casefold() if item else None
    return key(a) == key(b)


_ITEM_LABEL_RE = re.compile(r"^(?:Phần (?P<part>[IVXLC]+|[A-H]), )?Mục (?P<path>[IVXLC]+(?:\.\d+)*)$")
_FORM_LABEL_RE = re.compile(r"^(?P<kind>Biểu|Mẫu|BIỂU|MẪU)\s+(?:số|SỐ)\s+(?P<n>[\w\-]+?)[.:]?(?:\s|$)")
_SECTION_LABEL_RE = re.compile(r"^(?P<roman>[IVXLC]+)\.\s")


def annex_item_of(label: str) -> str | None:
    """The annex item a node of a Phụ lục stands for, from its label: "Mục II.7" → "II.7",
    "Phần II, Mục I.1" → "Phần II.I.1", "Phần A, Mục III.6" → "Phần A.III.6" (a Danh mục's lettered
    part), "Biểu số 01. Tình hình …" → "Biểu số 01", "I. QUY ĐỊNH CHUNG" → "I"; None for the annex
    itself and a Phần heading."""
    if m := _ITEM_LABEL_RE.match(label):
        return f"Phần {m['part']}.{m['path']}" if m["part"] else m["path"]
    if m := _FORM_LABEL_RE.match(label):
        return f"{m['kind'].capitalize()} số {m['n']}"
    if m := _SECTION_LABEL_RE.match(label):
        return m["roman"]
    return None


def stored_annex_item(annex: str | None, kind: str, label: str) -> str | None:
    """The annex item a stored provision stands for: a Mục (kind "muc") of a Phụ lục, by its label."""
    return annex_item_of(label) if annex is not None and kind == Kind.SECTION.value else None


def annex_section(item: str | None) -> str | None:
    """The top-level section of an annex item, its "article level": "II.7" → "II",
    "Phần II.I.1" → "Phần II.I", "Biểu số 01" → itself."""
    if item is None:
        return None
    m = re.match(r"(?:Phần (?:[IVXLC]+|[A-H])\.)?[IVXLC]+(?=\.|$)", item)
    return m.group(0) if m else item


def annex_clause(item: str | None) -> str | None:
    """The item of an annex item, its "clause level": the point (điểm) a path ends with is
    dropped, as "điểm b khoản 7" is khoản 7 at clause level: "II.7.b" → "II.7",
    "Phần II.II.1.c" → "Phần II.II.1"; a Mục, an item or a form is itself."""
    if item is None:
        return None
    return re.sub(r"\.[a-zđ]\d*$", "", item)
