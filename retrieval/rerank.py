"""The re-ranker: questions the wide corpus answers, re-ordered by a small tree ensemble.

Why: the wide corpus (~170k units, every field of law) is searched by words alone; its first
results are often the right law but the wrong Điều ("Đối tượng nộp thuế …" found in a
neighbouring article that repeats the words), or a text of another field whose words happen to
match. Features the fused score does not weigh, chiefly how much of the question the article's
title says and how often the editors of the hỏi đáp pages cite it, move the answering Điều up
(README, "Evaluation").

When: only where the search has vectors and its first unit has none (the question is answered
from the wide corpus, as the confidence model's groups split them); a question on the cluster
texts keeps the hand-tuned order, which a model fitted on a few hundred questions did not beat.
A provision named in the query is never moved.

Features of each of the first `DEPTH` units (`FEATURES`, all relative to the question, so that
they keep their meaning in a knowledge base of another size):
    score     its fused score over the first unit's
    lex       its BM25 score over the best one's
    dense     its cosine minus the best cosine (−0.2 without a vector)
    title     share of the question's weight (idf) its article's title holds
    text      the same share in its text
    asked     the same share in the hỏi đáp questions added to its words (retrieval/asked.py)
    doc       log of how many of the first units are of its document
    rank      log(1 + its place)
    defs      it is a "Giải thích từ ngữ" article
    qdef      the question asks what a term means ("là gì", "được hiểu" …)
    cited     log(1 + how many hỏi đáp questions were added to it): how often editors cite it
    doc_cited the same over its whole document
    type      its document type's place in the registry (kb.doctypes.place: Luật before Nghị
              định before Thông tư …)
    doc_title share of the question's weight its document's title (trích yếu) holds

The model: gradient-boosted trees (scikit-learn's HistGradientBoostingClassifier, fitted by
`python -m eval.rerank_fit` on the fitting part of the hỏi đáp questions, never on the test part
or the holdout) predicting "this unit's Điều answers", exported to `reranker.json` beside this
file as plain arrays, evaluated here with numpy: no pickle, no scikit-learn at run time.
Validity is not a feature, and the re-ranker moves only texts in force: the hỏi đáp pages were
written under the law of their day, and a model taught by them learns that a repealed text
answers as well as the one that replaced it (it put khoản 2 Điều 7 NĐ 123/2020 above khoản 4
Điều 5 NĐ 254/2026, which replaced it, even at half its probability). So the units in force
(validity weight ≥ search.IN_FORCE_WEIGHT) are re-ordered among the places they hold, a unit
repealed or not yet in force keeps the place the search gave it, and a gold unit that is not in
force teaches nothing (`eval.rerank_fit`). The units keep their scores, handed out again in the
new order (answers compare scores with the first one's), and each carries its probability in
`parts["rerank"]`.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from retrieval.analysis import fold
from retrieval.confidence import weight_share

RERANKER_FILE = Path(__file__).with_name("reranker.json")
DEPTH = 60  # units re-ordered: the gold Điều of the fitting questions is in the first 60 for 9 in 10
FEATURES = ("score", "lex", "dense", "title", "text", "asked", "doc", "rank", "defs", "qdef",
            "cited", "doc_cited", "type", "doc_title")
NO_VECTOR = -0.2  # "dense" of a unit without a vector: below any real difference to the best
DEFINITION_RE = re.compile(  # on the folded, lower-cased question
    r"(?<!\w)(?:la gi|duoc hieu|hieu the nao|khai niem|giai thich|dinh nghia|nghia la)(?!\w)"
)


@dataclass(frozen=True)
class Unit:
    """What the features read of one candidate unit."""

    doc_key: str
    title: str
    text: str
    asked: str
    score: float
    lexical: float
    cosine: float | None  # None: the unit has no vector
    cited: int = 0  # hỏi đáp questions added to the unit (their editors cite it)
    doc_cited: int = 0  # the same, over its whole document
    type_place: int = 0  # its document type's place in the registry (kb.doctypes.place)
    doc_title: str = ""  # its document's trích yếu


def features(query: str, weights: dict[str, float], units: Sequence[Unit],
             tokens_of: Callable[[str], frozenset[str]]) -> np.ndarray:
    """The feature matrix (len(units) × len(FEATURES)) of the module docstring. `weights`: the
    question's tokens and their idf; `tokens_of(text)`: the analysed tokens of a text."""
    def share(text: str) -> float:
        return weight_share(weights, tokens_of(text))

    best_score = (units[0].score if units else 0.0) or 1.0
    best_cosine = max((u.cosine for u in units if u.cosine is not None), default=0.0)
    per_doc = Counter(u.doc_key for u in units)
    asks_definition = float(DEFINITION_RE.search(fold(query).lower()) is not None)
    rows = [[u.score / best_score, u.lexical,
             (u.cosine - best_cosine) if u.cosine is not None else NO_VECTOR,
             share(u.title), share(u.text), share(u.asked) if u.asked else 0.0,
             math.log(per_doc[u.doc_key]), math.log1p(i),
             float(u.title.lower().startswith("giải thích từ ngữ")), asks_definition,
             math.log1p(u.cited), math.log1p(u.doc_cited), float(u.type_place), share(u.doc_title)]
            for i, u in enumerate(units)]
    return np.asarray(rows, dtype=np.float64).reshape(len(units), len(FEATURES))


class Tree(BaseModel):
    """One regression tree as arrays: node i splits on `feature[i]` at `threshold[i]` (≤ goes
    `left[i]`, else `right[i]`) unless `leaf[i]`, where its output is `value[i]`."""

    feature: list[int]
    threshold: list[float]
    left: list[int]
    right: list[int]
    leaf: list[bool]
    value: list[float]


class Reranker(BaseModel):
    """The stored model (`reranker.json`)."""

    features: tuple[str, ...]
    depth: int
    baseline: float
    trees: list[Tree]
    fitted_on: str = ""

    def model_post_init(self, _context) -> None:
        self._arrays = [(np.asarray(t.feature), np.asarray(t.threshold), np.asarray(t.left),
                         np.asarray(t.right), np.asarray(t.leaf), np.asarray(t.value)) for t in self.trees]

    def probability(self, x: np.ndarray) -> np.ndarray:
        """P(the unit's Điều answers) per row of x."""
        return 1 / (1 + np.exp(-self.log_odds(x)))

    def log_odds(self, x: np.ndarray) -> np.ndarray:
        """The ensemble's raw output per row of x."""
        out = np.full(len(x), self.baseline)
        rows = np.arange(len(x))
        for feature, threshold, left, right, leaf, value in self._arrays:
            node = np.zeros(len(x), dtype=np.int64)
            while not leaf[node].all():
                goes_left = x[rows, feature[node]] <= threshold[node]
                node = np.where(leaf[node], node, np.where(goes_left, left[node], right[node]))
            out += value[node]
        return out


def load_reranker(path: Path = RERANKER_FILE) -> Reranker | None:
    """The stored re-ranker, or None when there is none or it was fitted on other features."""
    if not path.exists():
        return None
    model = Reranker.model_validate(json.loads(path.read_text(encoding="utf-8")))
    return model if model.features == FEATURES else None



def order(probability: np.ndarray, movable: Sequence[bool]) -> list[int]:
    """The units' new order: the movable ones (in force) re-ordered among the places they hold,
    by the model's probability (ties keep the search's order); the others keep their places."""
    places = [i for i, ok in enumerate(movable) if ok]
    by_model = sorted(places, key=lambda i: -float(probability[i]))
    new = list(range(len(movable)))
    for place, unit in zip(places, by_model, strict=True):
        new[place] = unit
    return new
