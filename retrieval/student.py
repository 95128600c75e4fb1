"""The query student: a linear model that puts a question where e5 would, in microseconds.

Why: embedding one question with e5-small costs ~30 ms of one core (27 tokens, 4-bit engine,
compute-bound: batching does not help). Under 8 concurrent users on two cores that is the queue.
The passages keep their e5 vectors; only the question is encoded by this student, trained by
`retrieval.distill` to reproduce e5's *query* vectors (``"query: "`` prefix) from the words of
the question.

The model (`embed_query`): the question's lexical tokens (`retrieval.analysis.analyze`:
syllables, syllable bigrams, abbreviations expanded, each also accent-folded), each counted and
weighted by the square root of its inverse document frequency among the training questions,
L2-normalised into x; then v = Wᵀx + b, normalised. (Against plain counts, the weights gave
dev-set article Recall@5 0.96 instead of 0.95 and MRR 0.87 instead of 0.86.) W has one 384-float row per known token. Tokens it never
saw in training add nothing. Trained also on accent-folded copies of every question, so a
question typed without diacritics lands where its accented twin does.

Files in $CCN_HOME/index/student/ (written by `retrieval.distill`):
    weights.npy    float16, (tokens + 1) × dim; the last row is b. Memory-mapped: worker
                   processes share one copy in the page cache.
    vocab.json     the tokens, in row order, each with its weight: [[token, weight], ...]
    manifest.json  teacher (the embedder whose space it imitates), recipe, training counts,
                   held-out cosine to the teacher, cosine_offset (subtracted from its passage
                   cosines: see retrieval.distill), seconds
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from retrieval.analysis import analyze

STUDENT_RECIPE = "analyze-counts*sqrt(idf)-l2/ridge-0.3/min-df-3/+folded/v2"


def student_dir(home: Path) -> Path:
    return home / "index" / "student"


def token_counts(text: str) -> Counter[str]:
    """The tokens of a question and how often each occurs."""
    return Counter(analyze(text))


def features(text: str, rows: dict[str, int], weights: Sequence[float]) -> tuple[list[int], np.ndarray]:
    """x of the module docstring, sparse: the rows of the known tokens and their values."""
    known = [(rows[t], n * weights[rows[t]]) for t, n in token_counts(text).items() if t in rows]
    if not known:
        return [], np.zeros(0, dtype=np.float32)
    ids, values = zip(*known, strict=True)
    x = np.asarray(values, dtype=np.float32)
    norm = float(np.linalg.norm(x))
    return (list(ids), x / norm) if norm else ([], np.zeros(0, dtype=np.float32))


class QueryStudent:
    """A trained student, loaded from `folder`; `embed_query` gives an L2-normalised float32 vector."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.manifest: dict = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        self.rows = {token: i for i, (token, _weight) in enumerate(vocab)}
        self.token_weights = [float(weight) for _token, weight in vocab]
        self.matrix = np.load(folder / "weights.npy", mmap_mode="r")  # W, then b as the last row
        if self.matrix.shape[0] != len(vocab) + 1:
            raise ValueError(f"{folder}: weights.npy có {self.matrix.shape[0]} dòng, "
                             f"vocab.json có {len(vocab)} từ (+1 dòng hệ số tự do)")
        self.dim = int(self.matrix.shape[1])
        self.teacher: str = self.manifest["teacher"]
        self.cosine_offset: float = float(self.manifest.get("cosine_offset", 0.0))

    @classmethod
    def load(cls, home: Path, teacher: str) -> QueryStudent | None:
        """The student in `home` when it exists, was made by this recipe and imitates `teacher`."""
        folder = student_dir(home)
        if not (folder / "manifest.json").exists():
            return None
        student = cls(folder)
        if student.teacher != teacher or student.manifest.get("recipe") != STUDENT_RECIPE:
            return None
        return student

    def embed_query(self, text: str) -> np.ndarray:
        ids, x = features(text, self.rows, self.token_weights)
        vector = np.asarray(self.matrix[-1], dtype=np.float32).copy()
        if ids:
            vector += np.asarray(self.matrix[ids], dtype=np.float32).T @ x
        return vector / max(float(np.linalg.norm(vector)), 1e-12)


class StudentReport(BaseModel):
    """What `distill` did; `skipped` says why no student was made."""

    questions: int = 0
    from_archives: dict[str, int] = {}
    from_kb: int = 0
    teacher_embedded: int = 0  # new teacher vectors this run (0 when all were cached)
    features: int = 0
    held_out_cosine: float | None = None
    cosine_offset: float = 0.0
    seconds: float = 0.0
    skipped: str | None = None
