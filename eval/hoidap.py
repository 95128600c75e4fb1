"""Mine an evaluation set from the hỏi-đáp corpus (../shared/corpus/hoidap.tar.xz).

Each page is a thuvienphapluat-style Q&A: a title ("# …?"), often a summary and a list of its
sub-questions, then one section per sub-question — a heading ("## …?" or a whole-bold line
"**…?**") followed by the editors' answer, which opens with the legal basis ("Căn cứ theo
khoản 3 Điều 9 Nghị định 35/2022/NĐ-CP quy định như sau:") and quotes it. About a third of the
archive is other material (encyclopaedia articles, news, plans), which yields no question.

Decisions (measured on the archive, see tests/test_hoidap.py):

- Unit = one sub-question: a heading that ends with "?" and has a body. The same question met
  several times on a page (title, summary list, section heading) is one question; its basis is
  what the section under it cites. The page title alone would merge several sub-questions with
  different bases. A question asked again on another page is kept once (first file by name).
- Gold = the provisions of the editor's *basis lines* of the section: a line that opens with
  "Căn cứ", "Theo", "Tại", "Dẫn chiếu", "Dựa theo/vào" (after "Đồng thời,", "Ngoài ra,", "Cụ
  thể," …), or that introduces a quote ("… được quy định tại Điều 5 Nghị định … như sau:").
  Quoted provision lines ("1. …", "a) …", "Điều 5. …", or a quote-introducing line right
  after a basis line that opened a quote), conclusions ("Như vậy, …") and lines after "Trên
  đây …" are not basis lines; "…, căn cứ vào khoản 5 Điều 6 Nghị định …" at the end of a
  sentence or bullet is. In a basis line only the first run of citations
  counts ("khoản 1 Điều 5 và Điều 7 Nghị định X"); what follows — "được sửa đổi bởi khoản 41
  Điều 1 Nghị định Y", references inside the paraphrase — is not the basis. Citations keep
  their clause and point as cited; a citation without an article (a bare document) is ignored.
- `gold_any` is always false: the editors cite every provision the answer relies on, not
  alternatives (the pages never say "hoặc theo …" for a basis).
- A document is resolved from its số hiệu; a partial one ("Nghị định 32/2024") when it matches
  exactly one known number; a law cited by name and year ("Luật Đất đai 2024") when the
  knowledge base has exactly one law of that name issued that year (`law_index`).
- Keep policy "all" (default): every gold document is in the knowledge base and, when `known`
  is given, every gold provision exists there. Policy "any": at least one does; the gold is
  then reduced to the provisions that are in the knowledge base. Both counts are reported.
- kind "hoidap_ccn" when the question or the page title speaks of cụm công nghiệp (or the gold
  cites NĐ 32/2024, 68/2017, 66/2020 or TT 14/2024/TT-BCT), else "hoidap". (The section text
  is not used: quoted land and environment articles mention CCN in passing.)
- Drop reasons, in this order: no_citation (no basis citation at article level), unparseable
  (a basis citation whose document cannot be read: "Điều 4 Luật Thuế thu nhập cá nhân" without
  a year, "Điều 12 Quy chế ban hành kèm theo …" the grammar misreads; under "any" only when
  nothing else is cited), doc_not_in_kb, provision_not_in_kb, duplicate.
- Records: citations.md fields plus "source" (the page's file name) and "note" (the basis
  lines, for audit). Nothing is written into the repository: `write_jsonl` takes the path.
"""

from __future__ import annotations

import json
import re
import tarfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from kb.citations import CitationMention, DocRef, find_citations, match_partial, normalize_number
from kb.model import Citation, nfc
from kb.records import DocumentRecord
from retrieval.distill import clean, heading_of, is_question, iter_pages

Policy = Literal["all", "any"]
Known = Callable[[Citation], bool]

CCN_DOCS = frozenset({"32/2024/NĐ-CP", "68/2017/NĐ-CP", "66/2020/NĐ-CP", "14/2024/TT-BCT"})
DROP_REASONS = ("no_citation", "unparseable", "doc_not_in_kb", "provision_not_in_kb", "duplicate")

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


def run_targets(run: list[CitationMention], resolver: Resolver, into: Targets) -> None:
    """Add a run's article-level targets, with their documents resolved, to `into`."""
    refs = [_run_ref(run, i) for i in range(len(run))]
    for m, ref in zip(run, refs, strict=True):
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
# Mining
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


@dataclass
class MineResult:
    """The kept records and the counts: pages, questions, citations, kept, dropped by reason.

    counts: pages (read), pages_with_question, questions, questions_with_citation, citations
    (article-level targets of the basis runs, distinct per question), resolved_by_name (law
    citations resolved from name + year), kept, kept_all / kept_any (what each keep policy
    yields, after removing duplicates), kept_ccn. dropped: DROP_REASONS under the chosen policy.
    """

    items: list[dict]
    counts: Counter = field(default_factory=Counter)
    dropped: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def summary(self) -> dict:
        dropped = {r: self.dropped[r] for r in DROP_REASONS}
        return {**dict(self.counts), "dropped": dropped, "seconds": round(self.seconds, 1)}


def read_pages(names: Iterable[str], archive_or_dir: Path) -> dict[str, str]:
    """The text of the named pages (file names), in one pass over the archive."""
    wanted = set(names)
    path = Path(archive_or_dir)
    if path.is_dir():
        return {n: (path / n).read_text(encoding="utf-8", errors="replace") for n in wanted}
    found: dict[str, str] = {}
    with tarfile.open(path, "r:*") as tar:
        for member in tar:
            name = Path(member.name).name
            if name in wanted and member.isfile() and (data := tar.extractfile(member)):
                found[name] = data.read().decode("utf-8", errors="replace")
                if len(found) == len(wanted):
                    break
    if missing := wanted - found.keys():
        raise FileNotFoundError(", ".join(sorted(missing)))
    return found


_CCN_RE = re.compile(r"cụm\s+công\s+nghiệp|(?<!\w)CCN(?!\w)", re.I)


def page_candidates(name: str, text: str, resolver: Resolver) -> list[Candidate]:
    """The questions of one page with their basis citations."""
    sections = split_sections(text)
    title = next((s.heading for s in sections if s.is_title), "")
    out: list[Candidate] = []
    for order, (question, parts) in enumerate(questions_of(sections).items()):
        basis = basis_lines(line for s in parts for line in s.lines)
        targets = Targets()
        for line in basis:
            run_targets(basis_run(line), resolver, targets)
        ccn = bool(_CCN_RE.search(question) or _CCN_RE.search(title))
        ccn = ccn or any(c.doc in CCN_DOCS for c in targets.gold)
        out.append(Candidate(name, order, question, targets, basis, ccn))
    return out


def judge(
    cand: Candidate, doc_numbers: set[str], known: Known | None, policy: Policy
) -> tuple[list[Citation] | None, str | None]:
    """The gold kept under `policy`, or None and the reason the question is dropped."""
    t = cand.targets
    if not t.count:
        return None, "no_citation"
    if not t.gold and not t.unknown or policy == "all" and t.unparsed:
        return None, "unparseable"
    in_kb = [c for c in t.gold if c.doc in doc_numbers]
    if not in_kb or policy == "all" and (t.unknown or len(in_kb) < len(t.gold)):
        return None, "doc_not_in_kb"
    exists = [c for c in in_kb if known is None or known(c)]
    if not exists or policy == "all" and len(exists) < len(in_kb):
        return None, "provision_not_in_kb"
    return exists, None


def to_record(cand: Candidate, gold: list[Citation]) -> dict:
    return {
        "id": "",
        "question": cand.question,
        "kind": "hoidap_ccn" if cand.ccn else "hoidap",
        "gold": [c.to_dict() for c in gold],
        "gold_any": False,
        "source": cand.source,
        "note": " | ".join(cand.basis)[:500],
    }


def mine(
    archive_or_dir: Path,
    known: Known | None,
    doc_numbers: set[str],
    *,
    laws: Mapping[tuple[str, int], str] | None = None,
    policy: Policy = "all",
) -> MineResult:
    """Mine (question, gold) records from the hỏi-đáp pages; see the module docstring.

    `doc_numbers`: the số hiệu of the knowledge base's documents (with text). `known`: whether
    a provision exists in the store (`store_known(store)`), None to skip that check. `laws`:
    `law_index(store.documents(include_stubs=False))` to resolve laws cited by name and year.
    """
    t0 = time.perf_counter()
    numbers = {nfc(n) for n in doc_numbers}
    resolver = Resolver(numbers, laws or {})
    result = MineResult(items=[])
    cands: list[Candidate] = []
    for name, text in iter_pages(archive_or_dir):
        page = page_candidates(name, text, resolver)
        result.counts["pages"] += 1
        result.counts["pages_with_question"] += bool(page)
        cands += page
    cands.sort(key=lambda c: (c.source, c.order))
    _count(cands, result)
    for pol in ("all", "any"):
        kept, dropped = select(cands, numbers, known, pol)
        result.counts[f"kept_{pol}"] = len(kept)
        if pol == policy:
            result.items, result.dropped = kept, dropped
    result.counts["kept"] = len(result.items)
    result.counts["kept_ccn"] = sum(r["kind"] == "hoidap_ccn" for r in result.items)
    result.counts["resolved_by_name"] = resolver.by_name
    result.seconds = time.perf_counter() - t0
    return result


def _count(cands: list[Candidate], result: MineResult) -> None:
    for cand in cands:
        result.counts["questions"] += 1
        result.counts["questions_with_citation"] += bool(cand.targets.count)
        result.counts["citations"] += cand.targets.count


def select(
    cands: list[Candidate], numbers: set[str], known: Known | None, policy: Policy
) -> tuple[list[dict], Counter]:
    """Records kept under `policy` (ids H00001…, a question asked twice kept once) and drops."""
    kept: list[dict] = []
    dropped: Counter = Counter()
    seen: set[str] = set()
    for cand in cands:
        gold, reason = judge(cand, numbers, known, policy)
        key = cand.question.lower()
        if gold is not None and key in seen:
            reason = "duplicate"
        if reason or gold is None:
            dropped[reason] += 1
            continue
        seen.add(key)
        record = to_record(cand, gold)
        record["id"] = f"H{len(kept) + 1:05d}"
        kept.append(record)
    return kept, dropped


def store_known(store) -> Known:
    """`known` for a Store: the provision exists (cached per address)."""
    cache: dict[Citation, bool] = {}

    def known(citation: Citation) -> bool:
        if citation not in cache:
            cache[citation] = store.provision(citation) is not None
        return cache[citation]

    return known


def write_jsonl(items: Iterable[dict], path: Path) -> int:
    """Write records one JSON object a line (UTF-8, not ASCII-escaped); returns the count."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as out:
        for item in items:
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
            n += 1
    return n
