"""Confidence: does anything found answer the question? A calibrated probability.

A near-miss question ("mức phạt chậm nộp báo cáo về cụm công nghiệp", "khoảng cách an toàn
môi trường của cụm") shares most words and much meaning with real provisions; what gives it
away is the word the question turns on, absent from every provision found. So the evidence is:

    d       cosine of the nearest unit's meaning (dense; 0 without vectors)
    cov1    share of the question's weight (idf) found in the first provision's text
    cov3    the best such share among the first three
    miss    idf of the rarest question word none of the first three contains
    nmiss   share of the question's words none of the first three contains
    emb     the first provision carries vectors (the core corpus) or not (searched by words)
    name    the question names something (two or more capitalised words: "Cụm công nghiệp
            Hưng Nhân", "tỉnh Thanh Hóa") that none of the first three contains
    amount  the question asks for an amount ("bao nhiêu tiền", "tối thiểu mấy mét", "bao lâu")
            and no sentence of the first three that speaks of what is asked gives a number in
            that unit (a penalty, a distance, a fee the texts do not set: the near misses that
            share every other word); 0–1, by how much of the question the best sentence giving
            such a number speaks of

confidence = sigmoid(w · (x − mean) / sd + b), a logistic regression fitted by
`python -m eval.calibrate` on the dev set and the calibration split (never the holdout) to
predict "a gold Điều is among the first five", one model for searches whose first provision
carries vectors (the cluster texts) and one for the others (the wide corpus, searched by words),
stored in `calibration.json` beside this file, each with the threshold below which the answer is
"chưa tìm thấy". Without that file, or in a home
without vectors, the earlier two-feature formula of `SearchSettings` applies.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from pydantic import BaseModel

from retrieval.analysis import fold, nfc, token_set

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
# BM25 strength and the first provision's fused score are not features: they depend on the size
# of the knowledge base (BM25's idf, the min-max of the fused scores), so a model fitted on the
# default one misjudged a home holding the ccn corpus alone (one question 0.36 there, 0.76 here)
FEATURES = ("d", "cov1", "cov3", "miss", "nmiss", "emb", "name", "amount")
NAME_RE = re.compile(r"(?<!\w)[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ]\w*(?:\s+[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ]\w*)+")


@dataclass(frozen=True)
class Evidence:
    d: float
    cov1: float
    cov3: float
    miss: float
    nmiss: float
    emb: float
    name: float
    amount: float = 0.0

    def vector(self) -> list[float]:
        return [getattr(self, f) for f in FEATURES]

    def to_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in asdict(self).items()}


def evidence(query: str, query_tokens: list[str], idf, texts: list[str], *, dense_top: float,
             top_embedded: bool) -> Evidence:
    """The features of one search: `query_tokens` as the lexical index analysed the question,
    `idf(token)` from that index, `texts` the first three provisions' title and text."""
    tokens = list(dict.fromkeys(query_tokens))
    weights = {t: idf(t) for t in tokens}
    found = [token_set(text) for text in texts[:3]]
    covers = [weight_share(weights, f) for f in found] or [0.0]
    seen = set().union(*found) if found else set()
    words = [t for t in tokens if "_" not in t and not t.isdigit()]
    missing = [weights[t] for t in words if t not in seen]
    return Evidence(d=dense_top, cov1=covers[0], cov3=max(covers),
                    miss=max(missing, default=0.0), nmiss=len(missing) / max(1, len(words)),
                    emb=1.0 if top_embedded else 0.0,
                    name=1.0 if _names_missing(query, texts[:3]) else 0.0,
                    amount=_amount_unanswered(query, texts[:3], weights))


_NUMBER = r"(?:\d[\d.,]*|mot|hai|ba|bon|tu|nam|sau|bay|tam|chin|muoi)\s*"  # digits or words, folded
# The counted noun after "bao nhiêu" / "mấy" (folded) → the numbers that answer it; a noun not
# listed is answered by a number before that noun itself ("bao nhiêu điểm" by "50 điểm").
COUNTED = {
    "tien": r"(?:dong|trieu|ty)(?!\w)", "dong": r"(?:dong|trieu|ty)(?!\w)",
    "phan tram": r"(?:%|phan tram)", "%": r"(?:%|phan tram)",
    "ha": r"(?:ha|hecta|hec ta)(?!\w)", "hecta": r"(?:ha|hecta|hec ta)(?!\w)",
    "met vuong": r"(?:m2|m²|met vuong)(?!\w)", "m2": r"(?:m2|m²|met vuong)(?!\w)",
    "phan": r"(?:%|phan tram|phan)(?!\w)", "dat": r"(?:ha|hecta|m2|m²|%)(?!\w)",
    "met": r"(?:m|met|km)(?!\w)", "km": r"(?:m|met|km)(?!\w)", "m3": r"(?:m3|m³)(?!\w)",
}
# "mấy" asks a number only before a unit ("mấy ngày"; not "mấy cụm cũ …", nor "máy móc" folded)
_MAY_UNITS = r"ngay|thang|nam|tuan|gio|lan|to|ban|ha|met|diem|phan tram|%"
_ASKED_RE = re.compile(rf"(?<!\w)(?:bao nhieu(?:\s+(?P<noun>phan tram|met vuong|%|\w+))?|may\s+(?P<unit>{_MAY_UNITS})(?!\w)"
                       r"|(?P<long>bao lau))")
_NOT_NOUNS = frozenset(["la", "thi", "va", "hay", "de", "con", "khong", "duoc", "nua", "the", "vay"])
# "… là bao nhiêu?": the unit is read from what is asked about (folded), first match wins
SUBJECT_UNITS = (
    (r"tien|phat|phi|le phi|gia|luong|von|kinh phi", COUNTED["tien"]),
    (r"thue suat|ty le|phan tram", COUNTED["%"]),
    (r"khoang cach|chieu cao|chieu rong", COUNTED["met"]),
    (r"dung tich|cong suat", r"(?:m3|m³|kw|mw)(?!\w)"),
    (r"tieng on|do on", r"db(?!\w)"),
    (r"dien tich|quy mo", COUNTED["ha"]),
    (r"thoi han|thoi gian", r"(?:ngay|thang|nam|gio)(?!\w)"),
)
ANY_NUMBER = r"\d"
AMOUNT_SENTENCE_SHARE = 0.8  # of the question's weight: a sentence holding it gives the amount asked
_SENTENCE_RE = re.compile(r"(?<=[.;!?])\s+|\n")  # not at ":" (the lead of a list)


def asked_amounts(query: str) -> list[str]:
    """The numbers a question asks for, each as a pattern of its answer on folded, lower-case
    text: "mấy ngày" → a number of days; "bao nhiêu điểm" → "50 điểm"; "bao lâu" → days, months
    or years; "mức phạt … là bao nhiêu" → an amount of money; "bao nhiêu" of nothing named → any
    number (ANY_NUMBER). Empty when it asks none."""
    asked = fold(nfc(query)).lower()
    patterns = []
    for m in _ASKED_RE.finditer(asked):
        noun = m.group("noun") if m.group("noun") not in _NOT_NOUNS else None
        if m.group("long"):
            unit = r"(?:ngay|thang|nam|gio|tuan)(?!\w)"
        elif noun or m.group("unit"):
            word = noun or m.group("unit")
            unit = COUNTED.get(word, rf"{re.escape(word)}(?!\w)")
        else:
            unit = next((u for words, u in SUBJECT_UNITS if re.search(rf"(?<!\w)(?:{words})(?!\w)", asked)), "")
        patterns.append(rf"(?<!\w){_NUMBER}{unit}" if unit else ANY_NUMBER)
    return patterns


def _amount_unanswered(query: str, texts: list[str], weights: dict[str, float]) -> float:
    """How far the texts are from giving the amount a question asks for (`asked_amounts`): 0
    when it asks none, or when a sentence gives a number in the unit asked while holding at
    least AMOUNT_SENTENCE_SHARE of the question's weight (idf); 1 when no sentence gives such a
    number; in between, in proportion to the weight the best such sentence holds. "Cách khu dân
    cư tối thiểu bao nhiêu mét" is not answered by "không quá 800 mét" of a road, nor "tỷ lệ cây
    xanh bao nhiêu phần trăm" by the 60 % a cluster must be filled. A question naming no unit
    ("bao nhiêu?") is answered by any number."""
    patterns = asked_amounts(query)
    if not patterns:
        return 0.0
    if ANY_NUMBER in patterns:  # no unit named: any number will do
        return 0.0 if re.search(ANY_NUMBER, " ".join(texts)) else 1.0
    best = 0.0
    for text in texts:
        for sentence in _SENTENCE_RE.split(text):
            if any(re.search(p, fold(sentence).lower()) for p in patterns):
                best = max(best, weight_share(weights, token_set(sentence)))
    return max(0.0, 1.0 - best / AMOUNT_SENTENCE_SHARE)


def weight_share(weights: dict[str, float], found: frozenset[str]) -> float:
    """The share of a question's weight (its tokens' idf) that a text's tokens hold."""
    return sum(w for t, w in weights.items() if t in found) / (sum(weights.values()) or 1.0)


# Other kinds of zone, which the cluster texts mention but do not govern (folded, lower case)
OTHER_ZONES = {"khu cong nghiep": "khu công nghiệp", "khu kinh te": "khu kinh tế",
               "khu che xuat": "khu chế xuất", "khu cong nghe cao": "khu công nghệ cao"}
_ZONE_RE = re.compile(rf"(?<!\w)(?:{'|'.join(OTHER_ZONES)})(?!\w)")
CLUSTER_RE = re.compile(r"(?<!\w)(?:cum|ccn)(?!\w)")  # speaks of clusters (folded, lower case)
_NOT_CLUSTER_RE = re.compile(r"(?<!\w)khong phai (?:la )?cum(?!\w)")


def zone_missing(query: str, first: str) -> str | None:
    """The other kind of zone a question is about ("khu công nghiệp", not "cụm công nghiệp"),
    when the first provision found (title and text) does not speak of it; else None. Such a
    question shares every other word with the cluster texts, which do not answer it; a later
    provision that merely names the zone ("tác động của các khu công nghiệp, cụm công nghiệp")
    does not answer it either."""
    asked = fold(nfc(query)).lower()
    zones = dict.fromkeys(_ZONE_RE.findall(asked))
    if not zones or CLUSTER_RE.search(_NOT_CLUSTER_RE.sub(" ", asked)):
        return None
    found = fold(nfc(first)).lower()
    return next((OTHER_ZONES[z] for z in zones if re.search(rf"(?<!\w){z}(?!\w)", found) is None), None)


def _names_missing(query: str, texts: list[str]) -> bool:
    """A name the question gives (capitalised words after its first) absent from the texts."""
    found = nfc(" ".join(texts)).lower()
    return any(m.group(0).lower() not in found for m in NAME_RE.finditer(nfc(query)) if m.start() > 0)


class Model(BaseModel, frozen=True):
    """One logistic model: weights over the standardised features, and its threshold."""

    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    sd: tuple[float, ...]
    threshold: float

    def probability_of(self, vector) -> float:
        z = sum(w * (x - m) / s for w, x, m, s in zip(self.weights, vector, self.mean, self.sd, strict=True))
        return 1 / (1 + math.exp(-(z + self.bias)))


GROUPS = ("core", "lexical")  # the first provision has vectors (the field's core texts) or not


def group_of(vector) -> str:
    """The model a search's features (`Evidence.vector()`) are judged by."""
    return "core" if vector[FEATURES.index("emb")] else "lexical"


class Calibration(BaseModel, frozen=True):
    """The fitted models (`eval.calibrate` writes them to calibration.json), one per group: a
    question answered from the cluster texts and one answered from the wide corpus searched by
    words differ in every feature, and one model for both abstained on most hỏi đáp questions."""

    features: tuple[str, ...] = FEATURES  # what the weights are over, in order
    fitted_on: str = ""
    models: dict[str, Model]

    @property
    def threshold(self) -> float:
        """The threshold of the field's own questions (the core group)."""
        return self.models["core"].threshold

    def probability(self, ev: Evidence) -> float:
        vector = ev.vector()
        return self.models[group_of(vector)].probability_of(vector)

    def threshold_for(self, ev: Evidence) -> float:
        return self.models[group_of(ev.vector())].threshold



def load_calibration(path: Path = CALIBRATION_FILE) -> Calibration | None:
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data.get("features", ())) != FEATURES or set(data.get("models", {})) != set(GROUPS):
        return None  # fitted on other features or groups: not usable
    return Calibration.model_validate(data)
