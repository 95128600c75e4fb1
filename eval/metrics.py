"""Retrieval metrics of ../shared/docs/citations.md: Recall@1/5/10, MRR@10, nDCG@10, at article
and clause level, and for unanswerable items the share correctly reported as unanswered."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from kb.citations import annex_clause, annex_section

LEVELS = ("article", "clause")
CUTOFFS = (1, 5, 10)


def matches(result: dict, gold: dict, level: str) -> bool:
    """citations.md: article level needs doc, part, annex, article equal; clause level also the
    clause (a gold clause of null matches any clause; a result without clause matches a gold
    clause only at article level). A gold annex item ("annex_item": "II.7") is matched as a
    clause of its Mục (`_annex_item_matches`); gold without one keeps the rules above. A result
    {"any": [...]} (a baseline's text chunk covering several provisions) matches when one of
    them does."""
    if "any" in result:
        return any(matches(r, gold, level) for r in result["any"])
    for key in ("doc", "part", "annex", "article"):
        if result.get(key) != gold.get(key):
            return False
    if gold.get("annex_item") is not None:
        return _annex_item_matches(result.get("annex_item"), gold["annex_item"], level)
    if level == "article" or gold.get("clause") is None:
        return True
    return result.get("clause") is not None and result.get("clause") == gold.get("clause")


def _annex_item_matches(found: str | None, gold: str, level: str) -> bool:
    """An annex item as a clause of its Mục: article level needs the same top-level section
    ("II.7" ~ "II.3"; a result that is the whole annex contains it), clause level the same item
    or a part of it, a point of it ignored as a point of a khoản is ("II.7" ~ "II.7.b", "II.7.a"
    ~ "II.7.b"; a whole Mục "II" only at article level)."""
    if found is None:
        return level == "article"
    if level == "article":
        return annex_section(found) == annex_section(gold)
    return annex_clause(found) == annex_clause(gold) or found.startswith(gold + ".")


def _hits(results: list[dict], gold: list[dict], level: str, k: int) -> tuple[list[int], set[int]]:
    """For each rank < k, the index of the gold item it newly matches (-1 if none)."""
    found: set[int] = set()
    gains = []
    for result in results[:k]:
        gained = -1
        for i, g in enumerate(gold):
            if i not in found and matches(result, g, level):
                found.add(i)
                gained = i
                break
        gains.append(gained)
    return gains, found


def item_scores(results: list[dict], gold: list[dict], gold_any: bool, level: str) -> dict[str, float]:
    scores: dict[str, float] = {}
    for k in CUTOFFS:
        _gains, found = _hits(results, gold, level, k)
        scores[f"recall@{k}"] = (1.0 if found else 0.0) if gold_any else len(found) / len(gold)
    gains, _found = _hits(results, gold, level, 10)
    first = next((i for i, g in enumerate(gains) if g >= 0), None)
    scores["mrr@10"] = 1 / (first + 1) if first is not None else 0.0
    dcg = sum(1 / math.log2(i + 2) for i, g in enumerate(gains) if g >= 0 and (not gold_any or i == first))
    ideal_n = 1 if gold_any else min(len(gold), 10)
    idcg = sum(1 / math.log2(i + 2) for i in range(ideal_n))
    scores["ndcg@10"] = dcg / idcg if idcg else 0.0
    return scores


@dataclass
class Report:
    """Aggregates per system: overall and per kind, both levels, plus abstention and latency."""

    sums: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(float)))
    counts: dict = field(default_factory=lambda: defaultdict(int))
    unanswerable: int = 0
    abstained: int = 0
    answerable_abstained: int = 0
    latencies_ms: list[float] = field(default_factory=list)

    def add(self, item: dict, results: list[dict], answered: bool, latency_ms: float) -> None:
        self.latencies_ms.append(latency_ms)
        if not item["gold"]:
            self.unanswerable += 1
            self.abstained += 0 if answered else 1
            return
        if not answered:
            self.answerable_abstained += 1
        for group in ("all", item.get("kind", "?"), *item.get("groups", [])):
            self.counts[group] += 1
            for level in LEVELS:
                for name, value in item_scores(results, item["gold"], item.get("gold_any", False), level).items():
                    self.sums[group][f"{level}.{name}"] += value

    def summary(self) -> dict:
        out = {
            group: {metric: round(total / self.counts[group], 4) for metric, total in metrics.items()}
            | {"n": self.counts[group]}
            for group, metrics in self.sums.items()
        }
        lat = sorted(self.latencies_ms)
        out["unanswered"] = {
            "n": self.unanswerable,
            "correctly_unanswered": round(self.abstained / self.unanswerable, 4) if self.unanswerable else None,
            "answerable_wrongly_unanswered": self.answerable_abstained,
        }
        out["latency_ms"] = {
            "mean": round(sum(lat) / len(lat), 1) if lat else None,
            "p50": round(_pct(lat, 50), 1) if lat else None,
            "p95": round(_pct(lat, 95), 1) if lat else None,
        }
        return out


def _pct(values: list[float], q: float) -> float:
    index = min(len(values) - 1, max(0, math.ceil(q / 100 * len(values)) - 1))
    return values[index]


def read_jsonl(lines: Iterable[str]) -> list[dict]:
    import json

    return [json.loads(line) for line in lines if line.strip()]
