"""The hỏi đáp pages (../shared/corpus/hoidap.tar.xz) read as questions and their legal basis.

Each page is a thuvienphapluat-style Q&A: a title ("# …?"), often a summary and a list of its
sub-questions, then one section per sub-question — a heading ("## …?" or a whole-bold line
"**…?**") followed by the editors' answer, which opens with the legal basis ("Căn cứ theo
khoản 3 Điều 9 Nghị định 35/2022/NĐ-CP quy định như sau:") and quotes it. About a third of the
archive is other material (encyclopaedia articles, news, plans), which yields no question.

Two readers: eval/hoidap.py mines them into an evaluation set, retrieval/asked.py adds the
questions to the words of the provisions they cite. The reading (measured on the archive, see
tests/test_hoidap.py):

- Unit = one sub-question: a heading that ends with "?" and has a body. The same question met
  several times on a page (title, summary list, section heading) is one question; its basis is
  what the section under it cites. The page title alone would merge several sub-questions with
  different bases.
- Basis = the provisions of the editor's *basis lines* of the section: a line that opens with
  "Căn cứ", "Theo", "Tại", "Dẫn chiếu", "Dựa theo/vào" (after "Đồng thời,", "Ngoài ra,", "Cụ
  thể," …), or that introduces a quote ("… được quy định tại Điều 5 Nghị định … như sau:").
  Quoted provision lines ("1. …", "a) …", "Điều 5. …", or a quote-introducing line right
  after a basis line that opened a quote), conclusions ("Như vậy, …") and lines after "Trên
  đây …" are not basis lines; "…, căn cứ vào khoản 5 Điều 6 Nghị định …" at the end of a
  sentence or bullet is. In a basis line only the first run of citations
  counts ("khoản 1 Điều 5 và Điều 7 Nghị định X"); what follows — "được sửa đổi bởi khoản 41
  Điều 1 Nghị định Y", references inside the paraphrase — is not the basis. Citations keep
  their clause and point as cited; a citation without an article (a bare document) is ignored.
- A document is resolved from its số hiệu; a partial one ("Nghị định 32/2024") when it matches
  exactly one known number; a law cited by name and year ("Luật Đất đai 2024") when the
  knowledge base has exactly one law of that name issued that year (`law_index`).
- A question speaks of clusters (`Candidate.ccn`) when it or the page title names cụm công
  nghiệp, or its basis cites NĐ 32/2024, 68/2017, 66/2020 or TT 14/2024/TT-BCT. (The section
  text is not used: quoted land and environment articles mention CCN in passing.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from kb.citations import CitationMention, DocRef, find_citations, match_partial, normalize_number
from kb.model import Citation, nfc
from kb.records import DocumentRecord
from retrieval.distill import clean, heading_of, is_question

CCN_DOCS = frozenset({"32/2024/NĐ-CP", "68/2017/NĐ-CP", "66/2020/NĐ-CP", "14/2024/TT-BCT"})

# --------------------------------------------------------------------------------------------
# Page layout
# --------------------------------------------------------------------------------------------

_BOLD_LINE = re.compile(r"^\*\*(?P<t>[^*]+(?:\*(?!\*)[^*]*)*)\*\*[\s\-–|]*$")
_EMPTY_LINE = re.compile(r"^[\s\-–*_|>#]*$")
_SPACES = re.compile(r"\s+")
_END_OF_ANSWER = re.compile(r"^\W*(?:Trên đây|Xem thêm|>>|Tham khảo thêm)", re.I)


@dataclass(slots=True)
class Section:
    """A heading and the lines under it, up to the next heading."""

    heading: str
    is_title: bool
    lines: list[str] = field(default_factory=list)

    @property
    def has_body(self) -> bool:
        """Some answer text: a line that is neither empty nor wholly bold (a summary)."""
        return any(not _EMPTY_LINE.match(s) and not _BOLD_LINE.match(s.strip()) for s in self.lines)


def split_sections(text: str) -> list[Section]:
    """A page's sections; text before the first heading goes to an untitled section."""
    sections = [Section("", is_title=False)]
    for line in text.splitlines():
        heading = heading_of(line)
        if heading is None:
            sections[-1].lines.append(line)
        else:
            sections.append(Section(heading, is_title=len(sections) == 1))
    return sections


def questions_of(sections: list[Section]) -> dict[str, list[Section]]:
    """Question text → its sections, in page order (a question repeated is merged)."""
    out: dict[str, list[Section]] = {}
    bodies = {s.heading for s in sections if s.has_body}
    for s in sections:
        if is_question(s.heading) and s.heading in bodies:
            out.setdefault(s.heading, []).append(s)
    return out


# --------------------------------------------------------------------------------------------
# Basis lines and their citations
# --------------------------------------------------------------------------------------------

_LEAD = (
    r"(?:(?:đồng thời|ngoài ra|bên cạnh đó|cụ thể|theo đó|và|cùng với đó|lưu ý|trong đó|mặt khác"
    r"|hơn nữa|tuy nhiên|đầu tiên|trước hết|thứ nhất|thứ hai|thêm vào đó|bởi vì|vì|do đó|đối chiếu)"
    r"\s*[,:]?\s+)*"
)
_BASIS_START = re.compile(
    rf"^{_LEAD}(?:căn cứ|theo|tại|dẫn chiếu|dựa (?:theo|vào|trên)|chiếu theo|áp dụng)(?!\w)", re.I
)
_INTRO_END = re.compile(r"(?::|như sau|sau đây|cụ thể)\s*$")
_INTRO_WORDS = re.compile(r"(?:quy định|nêu|hướng dẫn|ghi nhận)?\s*(?:tại|theo|căn cứ)(?!\w)", re.I)
_STRUCTURAL = re.compile(
    r"^(?:\d+(?:\.\d+)*\s*[.)]|[a-zđ]\d?\)|Điều\s+\d+\s*[.:]|Chương\s|Mục\s\d|[-+•]|\()"
)
_NOT_BASIS = re.compile(r"^(?:như vậy|vậy|tóm lại|kết luận|=>|→|trên đây)", re.I)
_RUN_GAP = re.compile(
    r"^\s*(?:[,;]\s*)?(?:(?:và|hoặc|cùng|cũng như|với)\s+)?(?:(?:quy định\s+)?(?:tại|theo)\s+)?$"
)
_HAS_ARTICLE = re.compile(r"(?<!\w)[Đđ]iều\s+\d")
_INLINE_BASIS = re.compile(
    r"(?<!\w)(?:căn cứ|dựa)(?:\s+(?:theo|vào|tại|trên))?(?:\s+quy định)?(?:\s+(?:tại|của))?\s+"
    r"(?=[Đđ]iểm\s+[a-zđ]\d?(?!\w)|[Kk]hoản\s+\d|[Đđ]iều\s+\d)",
    re.I,
)


def basis_lines(lines: Iterable[str]) -> list[str]:
    """The section's lines where the editor states the legal basis."""
    out: list[str] = []
    in_quote = False  # the previous line introduced a quote: an "intro" line here is quoted text
    for raw in lines:
        line = clean(raw)
        if not line:
            continue
        if _END_OF_ANSWER.match(line):
            break
        kind = _basis_kind(line) if is_basis_line(line) else None
        if kind and not (in_quote and kind == "intro"):
            out.append(line)
        in_quote = bool(kind) and bool(_INTRO_END.search(line))
    return out


def _basis_kind(line: str) -> str | None:
    """How a line states the basis, or None.

    "start": it opens with the basis ("Căn cứ theo …"); "inline": "…, căn cứ vào <citation>";
    "intro": it introduces a quote ("… được quy định tại Điều 5 Nghị định … như sau:").
    """
    body = line.lstrip("-+• ").strip()
    if _BASIS_START.match(body):
        return "start"
    numbered = re.match(r"^(?:\d+(?:\.\d+)*\s*[.)]|[a-zđ]\d?\)|Điều\s+\d+\s*[.:])", line)
    if not numbered and _INLINE_BASIS.search(line):
        return "inline"
    if _STRUCTURAL.match(line):
        return None
    return "intro" if _INTRO_END.search(line) and _INTRO_WORDS.search(line) else None


def is_basis_line(line: str) -> bool:
    return bool(_HAS_ARTICLE.search(line) and not _NOT_BASIS.match(line) and _basis_kind(line))


def basis_run(line: str) -> list[CitationMention]:
    """The first run of citations of a basis line (mentions joined only by separators).

    In an "inline" line the run starts at the first citation right after "căn cứ".
    """
    mentions = find_citations(line)
    after = 0
    if _basis_kind(line) == "inline" and (m := _INLINE_BASIS.search(line)):
        after = m.end()
    start = next((i for i, m in enumerate(mentions) if m.targets and m.span[0] >= after), None)
    if start is None:
        return []
    run = [mentions[start]]
    for m in mentions[start + 1 :]:
        if not _RUN_GAP.match(line[run[-1].span[1] : m.span[0]]):
            break
        run.append(m)
    return run


# --------------------------------------------------------------------------------------------
# Resolving documents
# --------------------------------------------------------------------------------------------


def law_key(name: str, year: int) -> tuple[str, int]:
    """Key of a named law: lower-case, NFC, no "Luật"/"Bộ luật" prefix, no diacritic noise."""
    text = nfc(name).lower().replace("ð", "đ")
    text = re.sub(r"^(?:bộ\s+luật|luật)\s+", "", text)
    text = re.sub(r"\s*(?:năm\s+)?\d{4}\s*$", "", text)
    text = re.sub(r"[^\w\s]", " ", text)
    return _SPACES.sub(" ", text).strip(), year


def law_index(documents: Iterable[DocumentRecord]) -> dict[tuple[str, int], str]:
    """(name, year) → số hiệu for laws (Luật, Bộ luật) named unambiguously in the KB.

    `documents` are store records (number, doc_type, title, issued are read). A name+year
    shared by two numbers is left out: it cannot be resolved.
    """
    seen: dict[tuple[str, int], set[str]] = {}
    for row in documents:
        doc_type, number, issued = row.doc_type, row.number, row.issued
        if not number or not issued or doc_type not in ("Luật", "Bộ luật"):
            continue
        title = row.title or ""
        for name in (title, f"{doc_type} {title}"):
            if name.strip():
                seen.setdefault(law_key(name, issued.year), set()).add(number)
    return {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}


@dataclass(slots=True)
class Resolver:
    """Turns a DocRef into a known số hiệu (or the printed one when it is complete)."""

    doc_numbers: set[str]
    laws: Mapping[tuple[str, int], str]
    by_name: int = 0  # documents resolved from a law's name and year

    def number(self, ref: DocRef | None) -> str | None:
        if ref is None or ref.this_document:
            return None
        if ref.complete and ref.number:
            return normalize_number(ref.number)
        if ref.number:
            return self._partial(ref)
        if ref.name and ref.year:
            return self._named(ref.name, ref.year)
        return None

    def _partial(self, ref: DocRef) -> str | None:
        query = f"{ref.doc_type} {ref.number}" if ref.doc_type else ref.number or ""
        found = match_partial(query, self.doc_numbers)
        return found[0] if len(found) == 1 else None

    def _named(self, name: str, year: int) -> str | None:
        number = self.laws.get(law_key(name, year))
        if number:
            self.by_name += 1
        return number


@dataclass(slots=True)
class Targets:
    """The gold citations of some basis lines, and the targets that could not be placed."""

    gold: list[Citation] = field(default_factory=list)
    unknown: int = 0  # the document is named (number, name and year) but not in the KB
    unparsed: int = 0  # no document can be read ("Điều 4 của Luật Thuế …" without a year)

    def add(self, target: Citation, doc: str | None, identified: bool) -> None:
        if doc is not None:
            cited = target.with_doc(doc)
            if cited not in self.gold:
                self.gold.append(cited)
        elif identified:
            self.unknown += 1
        else:
            self.unparsed += 1

    @property
    def count(self) -> int:
        return len(self.gold) + self.unknown + self.unparsed


def run_refs(run: list[CitationMention]) -> list[tuple[CitationMention, DocRef | None]]:
    """Each mention of a run with its document mention (see `_run_ref`)."""
    return [(m, _run_ref(run, i)) for i, m in enumerate(run)]


def run_targets(run: list[CitationMention], resolver: Resolver, into: Targets) -> None:
    """Add a run's article-level targets, with their documents resolved, to `into`."""
    for m, ref in run_refs(run):
        doc = resolver.number(ref)
        identified = ref is not None and not ref.this_document and ref.identified
        identified = identified or bool(ref and ref.number and not ref.this_document)
        for target in m.targets:
            if target.article is not None:
                into.add(target, doc, identified)


def _run_ref(run: list[CitationMention], i: int) -> DocRef | None:
    """A mention's document; a bare chain takes the next document of the run ("khoản 1 Điều 8;
    khoản 3 Điều 9 Nghị định X")."""
    if run[i].doc_ref is not None:
        return run[i].doc_ref
    return next((m.doc_ref for m in run[i + 1 :] if m.doc_ref is not None), None)


# --------------------------------------------------------------------------------------------
# A page's questions
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Candidate:
    """One question of a page, before the knowledge-base filter."""

    source: str
    order: int
    question: str
    targets: Targets
    basis: list[str]
    ccn: bool


_CCN_RE = re.compile(r"cụm\s+công\s+nghiệp|(?<!\w)CCN(?!\w)", re.I)


def question_bases(sections: list[Section]) -> list[tuple[str, list[str]]]:
    """Each question of a page's sections with the basis lines of its answer."""
    return [(question, basis_lines(line for s in parts for line in s.lines))
            for question, parts in questions_of(sections).items()]


def page_candidates(name: str, text: str, resolver: Resolver) -> list[Candidate]:
    """The questions of one page with their basis citations."""
    sections = split_sections(text)
    title = next((s.heading for s in sections if s.is_title), "")
    out: list[Candidate] = []
    for order, (question, basis) in enumerate(question_bases(sections)):
        targets = Targets()
        for line in basis:
            run_targets(basis_run(line), resolver, targets)
        ccn = bool(_CCN_RE.search(question) or _CCN_RE.search(title))
        ccn = ccn or any(c.doc in CCN_DOCS for c in targets.gold)
        out.append(Candidate(name, order, question, targets, basis, ccn))
    return out


def page_questions(text: str) -> list[tuple[str, list[tuple[Citation, DocRef | None]]]]:
    """Each question of a page with its basis citations (article level) and the document
    mention each names, before any document is resolved: what a store does not change."""
    out = []
    for question, basis in question_bases(split_sections(text)):
        cited = [(target, ref) for line in basis for m, ref in run_refs(basis_run(line))
                 for target in m.targets if target.article is not None]
        if cited:
            out.append((question, cited))
    return out
