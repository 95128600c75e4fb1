"""Fit the re-ranker (retrieval/rerank.py) and print what it does on questions it was not fitted on.

    python -m eval.rerank_fit [--home DIR] [--sets hoidap-fit] [--write]

Runs the fitting questions (the fitting part of the hỏi đáp evaluation pages; never the test part
`--set hoidap`, never the holdout) through the product's search with the re-ranker off, keeps the
questions it applies to (`retrieval.search.rerank_applies`: answered from the wide corpus) and,
for each of their first `rerank.DEPTH` units, the features and whether the unit's Điều is a gold
one. Fits scikit-learn's HistGradientBoostingClassifier on them (questions whose gold is not among
those units teach nothing and are left out), and prints article Recall@1/@5 and MRR@10 with and
without it, by two-fold cross-validation over the pages, then for the model fitted on all.
`--write` exports the trees to retrieval/reranker.json.
"""

from __future__ import annotations

import argparse
import json
import zlib
from collections import Counter
from dataclasses import dataclass
from datetime import date

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

from eval.metrics import item_scores, matches
from eval.runner import item_date, load_set
from kb.settings import home_dir, store_for
from retrieval import rerank
from retrieval.build import open_searcher
from retrieval.search import IN_FORCE_WEIGHT, Filters, group_key, rerank_applies
from retrieval.settings import preset

PARAMETERS = {"max_iter": 200, "learning_rate": 0.05, "max_depth": 3, "min_samples_leaf": 20,
              "l2_regularization": 1.0, "random_state": 0}


@dataclass
class Question:
    item: dict  # the question of the set, with its gold (citations.md)
    x: np.ndarray  # features of the first units
    found: list[dict]  # each unit's citation (Citation.to_dict), as `ccn eval` scores them
    validity: np.ndarray  # the weight of each unit's validity at the date (search.STATUS_WEIGHT)
    groups: list[tuple]  # each unit's Điều (search.group_key): the ranks are of Điều

    @property
    def source(self) -> str:
        """The hỏi đáp page: the folds keep a page's questions together."""
        return self.item.get("source", self.item["id"])

    @property
    def gold(self) -> np.ndarray:
        """1 where the unit's Điều is a gold one."""
        return np.array([any(matches(f, g, "article") for g in self.item["gold"]) for f in self.found], dtype=float)

    @property
    def label(self) -> np.ndarray:
        """What the model learns: a gold unit in force (a page written before its text was
        replaced must not teach that the old text answers; retrieval/rerank.py)."""
        return self.gold * (self.validity >= IN_FORCE_WEIGHT)


def questions(searcher, items: list[dict]) -> list[Question]:
    out = []
    for item in items:
        at = item_date(item) or date.today()
        ranking = searcher.ranking(item["question"], Filters(as_of=at), at, [])
        if not rerank_applies(ranking):
            continue
        head = ranking.ranked[: rerank.DEPTH]
        out.append(Question(item, searcher.rerank_features(item["question"], ranking),
                            [c.meta.citation.to_dict() for c in head],
                            np.array([c.parts["validity"] for c in head]), [group_key(c.meta) for c in head]))
    return out


def fit(train: list[Question]) -> HistGradientBoostingClassifier:
    useful = [q for q in train if q.label.any()]
    return HistGradientBoostingClassifier(**PARAMETERS).fit(np.vstack([q.x for q in useful]),
                                                            np.concatenate([q.label for q in useful]))


def scores(qs: list[Question], model: HistGradientBoostingClassifier | None) -> dict[str, float]:
    """Article Recall@1, @5 and MRR@10 (eval.metrics, as `ccn eval`) of the units' order, one
    result per Điều: the model's order, or the search's."""
    totals: Counter[str] = Counter()
    for q in qs:
        movable = q.validity >= IN_FORCE_WEIGHT
        order = rerank.order(model.predict_proba(q.x)[:, 1], movable) if model else range(len(q.found))
        first = {}  # the first unit of each Điều, in order
        for i in order:
            first.setdefault(q.groups[i], q.found[i])
        totals.update(item_scores(list(first.values()), q.item["gold"], q.item.get("gold_any", False), "article"))
    n = max(1, len(qs))
    return {"n": len(qs)} | {k: round(totals[k] / n, 3) for k in ("recall@1", "recall@5", "mrr@10")}


def export(model: HistGradientBoostingClassifier, fitted_on: str) -> rerank.Reranker:
    """The trees as plain arrays (scikit-learn's own predictors; leaf values carry the learning rate)."""
    trees = []
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        trees.append(rerank.Tree(feature=nodes["feature_idx"].tolist(), threshold=nodes["num_threshold"].tolist(),
                                 left=nodes["left"].tolist(), right=nodes["right"].tolist(),
                                 leaf=nodes["is_leaf"].astype(bool).tolist(), value=nodes["value"].tolist()))
    return rerank.Reranker(features=rerank.FEATURES, depth=rerank.DEPTH,
                           baseline=float(np.ravel(model._baseline_prediction)[0]), trees=trees, fitted_on=fitted_on)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", default=None, help="thư mục dữ liệu (mặc định $CCN_HOME hoặc ./data)")
    parser.add_argument("--sets", default="hoidap-fit")
    parser.add_argument("--report", default="hoidap", help="bộ câu hỏi chỉ để báo cáo")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    home = home_dir(args.home)
    store = store_for(home)
    settings = preset("hybrid")
    settings.rerank = False
    searcher = open_searcher(store, home, settings)
    fitting = questions(searcher, [item for name in args.sets.split(",") for item in load_set(name, store, home)])
    folds = [[q for q in fitting if zlib.crc32(q.source.encode("utf-8")) // 4 % 2 == side] for side in (0, 1)]
    for side in (0, 1):
        test = folds[1 - side]
        print(f"Khớp trên nửa {side}, kiểm tra trên nửa kia: trước {scores(test, None)}; "
              f"sau {scores(test, fit(folds[side]))}")
    model = fit(fitting)
    for name in filter(None, args.report.split(",")):
        report = questions(searcher, load_set(name, store, home))
        print(f"{name}: trước {scores(report, None)}; sau {scores(report, model)}")
    if args.write:
        stored = export(model, f"{args.sets} on {home.name}: {len(fitting)} questions")
        rerank.RERANKER_FILE.write_text(json.dumps(stored.model_dump(mode="json")) + "\n", encoding="utf-8")
        print(f"Đã ghi {rerank.RERANKER_FILE}")


if __name__ == "__main__":
    main()
