"""Questions people asked, as words of the provisions that answer them ("câu hỏi thực tế").

The hỏi đáp pages (`asked_questions` in corpus/default.yaml: ../shared/corpus/hoidap.tar.xz)
ask some 3,700 questions whose editors' basis cites a provision the default knowledge base
holds (retrieval/hoidap_pages.py reads them). Each question's words are added to the lexical
index's words of the units it cites: the clause of a cited khoản, every clause of a cited Điều;
at most `MAX_PER_UNIT` questions a unit. A user's wording ("nghỉ phép năm", "bị đuổi việc") then
meets the text's ("nghỉ hằng năm", "đơn phương chấm dứt hợp đồng"). What is quoted, cited and
embedded stays the provision's own text.

Never used, so that the figures measured on questions stay honest:
- the pages of the evaluation half (`is_evaluation_page`: the CRC-32 of the file name is odd),
  whose questions `ccn eval --set hoidap` asks, and any question worded as one of theirs;
- the Điều answering a question of a held-out set (`asked_questions.exclude` in the config:
  eval/sets/holdout.jsonl).

The pages are read once per archive on the machine (~50 s for the ~14,000 pages; kept in
$CCN_CACHE by the archive's sha256); resolving their documents against the store and placing
them on the units takes seconds at every `ccn index`. A unit whose questions change is analysed
again (its fingerprint includes them).
"""

from __future__ import annotations

import fcntl
import json
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from kb.citations import DocRef
from kb.hashing import content_sha256
from kb.model import nfc
from kb.settings import get_settings
from kb.store import Store
from retrieval.distill import iter_pages
from retrieval.hoidap_pages import Resolver, law_index, page_questions
from retrieval.units import Unit

MAX_PER_UNIT = 20
CACHE_VERSION = 1

Cited = tuple[str, int, int | None]  # (số hiệu, Điều, khoản or None)


def is_evaluation_page(name: str) -> bool:
    """The half of the hỏi đáp pages kept for evaluation (`ccn eval --set hoidap`, `hoidap-fit`)."""
    return zlib.crc32(name.encode("utf-8")) % 2 == 1


def asked_questions(store: Store, units: Sequence[Unit], archives: Sequence[Path],
                    exclude: Sequence[Path] = ()) -> dict[str, list[str]]:
    """uid → the questions added to its words (see the module docstring)."""
    pages = _resolved(store, [a for a in archives if a.exists()])
    held_out = {nfc(q).lower() for name, q, _ in pages if is_evaluation_page(name)}
    never = _answering_articles(exclude)
    by_article: dict[tuple[str, int], list[Unit]] = {}
    for unit in units:
        c = unit.citation
        if c.doc and c.article is not None and c.annex is None:
            by_article.setdefault((c.doc, c.article), []).append(unit)
    out: dict[str, list[str]] = {}
    for name, question, cited in pages:
        if is_evaluation_page(name) or nfc(question).lower() in held_out:
            continue
        for doc, article, clause in cited:
            if (doc, article) in never:
                continue
            found = by_article.get((doc, article), [])
            if clause is not None:
                found = [u for u in found if u.citation.clause == clause] or found[:1]
            for unit in found:
                questions = out.setdefault(unit.uid, [])
                if question not in questions and len(questions) < MAX_PER_UNIT:
                    questions.append(question)
    return out


def _answering_articles(paths: Iterable[Path]) -> set[tuple[str, int]]:
    """The (số hiệu, Điều) of every gold provision of the evaluation sets at `paths`."""
    found: set[tuple[str, int]] = set()
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                found |= {(g["doc"], g["article"]) for g in json.loads(line).get("gold", [])
                          if g.get("doc") and g.get("article") is not None}
    return found


def _resolved(store: Store, archives: Sequence[Path]) -> list[tuple[str, str, list[Cited]]]:
    """(page, question, cited provisions) of every question whose basis the store can place."""
    documents = store.documents(include_stubs=False)
    resolver = Resolver({nfc(d.number) for d in documents if d.number}, law_index(documents))
    out: list[tuple[str, str, list[Cited]]] = []
    for archive in archives:
        for page, question, basis in _parsed(archive):
            cited = [(doc, article, clause) for article, clause, ref in basis
                     if (doc := resolver.number(DocRef(**ref) if ref else None))]
            if cited:
                out.append((page, question, list(dict.fromkeys(cited))))
    return out


def _parsed(archive: Path) -> list[tuple[str, str, list[tuple[int, int | None, dict | None]]]]:
    """The questions of an archive's pages with their basis (article, clause, document
    mention), read once per archive content on this machine ($CCN_CACHE/asked-<sha256>.json;
    one process reads, others wait for it)."""
    cache = get_settings().cache_dir() / f"asked-{CACHE_VERSION}-{content_sha256(archive)}.json"
    cache.parent.mkdir(parents=True, exist_ok=True)
    with cache.with_suffix(".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if cache.exists():
            return json.loads(cache.read_text(encoding="utf-8"))
        parsed = [(name, question, [(c.article, c.clause, _ref_fields(ref)) for c, ref in basis])
                  for name, text in iter_pages(archive) for question, basis in page_questions(text)]
        partial = cache.with_suffix(".part")
        partial.write_text(json.dumps(parsed, ensure_ascii=False), encoding="utf-8")
        partial.replace(cache)
    return parsed


def _ref_fields(ref: DocRef | None) -> dict | None:
    """What Resolver.number reads of a document mention."""
    if ref is None:
        return None
    return {f: getattr(ref, f) for f in ("raw", "doc_type", "number", "complete", "this_document", "name", "year")}


