"""Mine an evaluation set from the hỏi-đáp corpus (../shared/corpus/hoidap.tar.xz).

The pages are read as questions and their legal basis by retrieval/hoidap_pages.py (the page
layout, the basis lines, resolving the documents). Decisions of the mining:

- A question asked again on another page is kept once (first file by name).
- Gold = the basis provisions of the question's section (retrieval/hoidap_pages.py).
- `gold_any` is always false: the editors cite every provision the answer relies on, not
  alternatives (the pages never say "hoặc theo …" for a basis).
- Keep policy "all" (default): every gold document is in the knowledge base and, when `known`
  is given, every gold provision exists there. Policy "any": at least one does; the gold is
  then reduced to the provisions that are in the knowledge base. Both counts are reported.
- kind "hoidap_ccn" when the question speaks of clusters (`Candidate.ccn`), else "hoidap".
- Drop reasons, in this order: no_citation (no basis citation at article level), unparseable
  (a basis citation whose document cannot be read: "Điều 4 Luật Thuế thu nhập cá nhân" without
  a year, "Điều 12 Quy chế ban hành kèm theo …" the grammar misreads; under "any" only when
  nothing else is cited), doc_not_in_kb, provision_not_in_kb, duplicate.
- Records: citations.md fields plus "source" (the page's file name) and "note" (the basis
  lines, for audit). Nothing is written into the repository: `write_jsonl` takes the path.
- `ccn eval` asks only the questions of the evaluation half of the pages
  (`retrieval.asked.is_evaluation_page`): the other half's questions are words of the
  provisions they cite in the index (retrieval/asked.py). That half is split by page into the
  fitting part (`--set hoidap-fit`: the re-ranker and the confidence are fitted on it) and the
  test part (`--set hoidap`; eval.runner.is_fitting_page).
"""

from __future__ import annotations

import json
import tarfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from kb.model import Citation, nfc
from retrieval.distill import iter_pages
from retrieval.hoidap_pages import Candidate, Resolver, page_candidates

Policy = Literal["all", "any"]
Known = Callable[[Citation], bool]

DROP_REASONS = ("no_citation", "unparseable", "doc_not_in_kb", "provision_not_in_kb", "duplicate")



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
