"""Fit the confidence model (retrieval/confidence.py) and print its reliability curve.

    python -m eval.calibrate [--home DIR] [--sets dev,calibration] [--max-wrong 0.08] [--write]

Runs the fitting sets (the dev sets, the calibration split and every fifth question of the hỏi
đáp fitting part; never the holdout, never the hỏi đáp test part) through the
product's search on a knowledge base (the default one `make run` builds), computes each
question's evidence and whether a gold Điều is among the first five, fits a logistic regression
(L2, standardised features) and picks the threshold: the highest that wrongly abstains on at most
`--max-wrong` of the answerable questions. `--write` stores it in retrieval/calibration.json.
The reliability curve (predicted confidence against the observed share answered in the first
five, by tenth) is printed for the fitting sets, and for `--report` sets (e.g. holdout) with
the stored model, which is how the README's figures are made.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from eval.metrics import item_scores
from eval.runner import item_date, load_set
from kb.settings import home_dir, store_for
from retrieval.build import open_searcher
from retrieval.confidence import CALIBRATION_FILE, FEATURES, GROUPS, Calibration, Model, group_of
from retrieval.search import Filters
from retrieval.settings import preset


def sampled(spec: str, store, home) -> list[dict]:
    """A set by name, or every n-th question of it ("hoidap-fit:5": its questions 0, 5, 10 …,
    so that the confidence also knows questions on the whole corpus, not only the cluster's)."""
    name, _, every = spec.partition(":")
    return load_set(name, store, home)[:: int(every or 1)]


def observations(searcher, items: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per question: its evidence, 1 if a gold Điều is in the first five, 1 if answerable.
    Questions citing a provision are certain and left out."""
    xs, hits, answerable = [], [], []
    for item in items:
        query = item["question"]
        result = searcher.search(query, k=10, filters=Filters(as_of=item_date(item)))
        if not result.hits or result.hits[0].parts["cited"] > 0:
            continue
        dense = searcher._dense(query)
        xs.append(searcher.evidence(query, result.hits, dense).vector())
        found = [h.citation.to_dict() for h in result.hits]
        ok = bool(item["gold"]) and item_scores(found, item["gold"], item.get("gold_any", False),
                                                "article")["recall@5"] > 0
        hits.append(1.0 if ok else 0.0)
        answerable.append(1.0 if item["gold"] else 0.0)
    return np.array(xs), np.array(hits), np.array(answerable)


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 5000) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    mean, sd = x.mean(0), x.std(0) + 1e-9
    z = (x - mean) / sd
    w, b = np.zeros(z.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        w -= 0.5 * (z.T @ (p - y) + l2 * w) / len(y)
        b -= 0.5 * float((p - y).mean())
    return w, b, mean, sd


def pick_threshold(p: np.ndarray, answerable: np.ndarray, max_wrong: float) -> float:
    """The highest threshold that abstains on at most `max_wrong` of the answerable questions."""
    scores = np.sort(p[answerable == 1])
    allowed = int(np.floor(max_wrong * len(scores)))
    return float(scores[allowed]) if allowed < len(scores) else 1.0


def reliability(p: np.ndarray, y: np.ndarray, bins: int = 10) -> list[tuple[str, int, float | None, float | None]]:
    rows = []
    for i in range(bins):
        low, high = i / bins, (i + 1) / bins
        inside = (p >= low) & ((p < high) if i < bins - 1 else (p <= high))
        n = int(inside.sum())
        rows.append((f"{low:.1f}–{high:.1f}", n, float(p[inside].mean()) if n else None,
                     float(y[inside].mean()) if n else None))
    return rows


def summary(name: str, p: np.ndarray, y: np.ndarray, answerable: np.ndarray, threshold) -> str:
    """Abstention and the reliability table; `threshold` one number or one per question."""
    threshold = np.broadcast_to(np.asarray(threshold, dtype=float), p.shape)
    below = p < threshold
    shown = f"{threshold[0]:.3f}" if len(set(threshold.tolist())) == 1 else "theo nhóm"
    lines = [f"{name}: {len(p)} câu ({int(answerable.sum())} trả lời được), ngưỡng {shown}",
             f"  câu không trả lời được báo «chưa tìm thấy»: {_share(below[answerable == 0])};"
             f" câu trả lời được bị báo nhầm: {_share(below[answerable == 1])}",
             "  | độ tin cậy | n | trung bình dự báo | tỷ lệ có Điều đúng trong 5 kết quả đầu |",
             "  |---|---|---|---|"]
    for label, n, predicted, observed in reliability(p, y):
        if n:
            lines.append(f"  | {label} | {n} | {predicted:.2f} | {observed:.2f} |")
    return "\n".join(lines)


def _share(flags: np.ndarray) -> str:
    return f"{flags.mean():.2f} ({int(flags.sum())}/{len(flags)})" if len(flags) else "—"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", default=None, help="thư mục dữ liệu (mặc định $CCN_HOME hoặc ./data)")
    parser.add_argument("--sets", default="dev,dev2,dev3,dev4,dev5,calibration,hoidap-fit:5")
    parser.add_argument("--report", default="", help="bộ câu hỏi chỉ để báo cáo (ví dụ holdout)")
    parser.add_argument("--max-wrong", type=float, default=0.08)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    home = home_dir(args.home)
    store = store_for(home)
    searcher = open_searcher(store, home, preset("hybrid"))
    items = [item for spec in args.sets.split(",") for item in sampled(spec, store, home)]
    x, y, answerable = observations(searcher, items)
    groups = np.array([group_of(v) for v in x])
    models, p = {}, np.zeros(len(x))
    for group in GROUPS:
        inside = groups == group
        w, b, mean, sd = fit(x[inside], y[inside])
        p[inside] = 1 / (1 + np.exp(-(((x[inside] - mean) / sd) @ w + b)))
        threshold = pick_threshold(p[inside], answerable[inside], args.max_wrong)
        models[group] = Model(weights=tuple(map(float, w)), bias=float(b), mean=tuple(map(float, mean)),
                              sd=tuple(map(float, sd)), threshold=round(threshold, 4))
        print(f"Nhóm {group}: trọng số", {f: round(float(v), 3) for f, v in zip(FEATURES, w, strict=True)})
        print(summary(f"{args.sets} [{group}]", p[inside], y[inside], answerable[inside], threshold))
    model = Calibration(models=models, fitted_on=f"{args.sets} on {home.name}")
    print(summary(args.sets, p, y, answerable, np.array([models[g].threshold for g in groups])))
    if args.write:
        CALIBRATION_FILE.write_text(json.dumps(model.model_dump(mode="json"), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"Đã ghi {CALIBRATION_FILE}")
    for name in filter(None, args.report.split(",")):
        rx, ry, ra = observations(searcher, load_set(name, store, home))
        rp = np.array([model.models[group_of(v)].probability_of(v) for v in rx])
        print(summary(name, rp, ry, ra, np.array([model.models[group_of(v)].threshold for v in rx])))


if __name__ == "__main__":
    main()
