"""Train the query student (`retrieval.student`) from the teacher's own query vectors.

    distill(home, embedder, archives)   → $CCN_HOME/index/student/ (what `ccn index` runs)

Training questions, deduplicated and sorted (the same inputs give the same model):
- from question archives (`query_questions` in corpus/default.yaml: the hỏi đáp pages of
  ../shared/corpus/hoidap.tar.xz, ~17k real questions): every heading that is a question;
- from the knowledge base: the titles of the units that carry vectors, and one stretch of 6-22
  words from each distinct line of their text (chosen by a generator seeded with the line).
The evaluation questions (eval/sets) are never among them: they are written by hand, and
tests/test_student.py checks that none is a training question.

Steps (each shows progress; an interrupted run resumes):
1. the teacher's query vectors, cached by content in the machine's vector cache
   ($CCN_CACHE/vectors.sqlite3, `retrieval.vector_cache`) batch by batch: only questions no home
   on this machine embedded before are embedded (~60 per second on two cores, ~10 minutes once);
2. ridge regression (λ = 0.3) of those vectors on the questions' features (`retrieval.student`),
   and on those of their accent-folded copies, solved by conjugate gradients for all 384 outputs
   at once (about a minute); tokens seen in fewer than 3 questions are left out;
3. every 50th question is held out. On them, manifest.json records the mean cosine between the
   student's and the teacher's vectors, and `cosine_offset`: how much higher, on average, the
   student's best passage cosine is than the teacher's (the student's vectors sit nearer the
   centre of the space). The dense index subtracts it, so the confidence thresholds tuned on
   the teacher's cosines keep their meaning.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import sqlite3
import tarfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from kb.model import nfc
from retrieval.analysis import fold
from retrieval.embeddings import Embedder
from retrieval.index import Progress, index_dir
from retrieval.student import (
    STUDENT_RECIPE,
    QueryStudent,
    StudentReport,
    features,
    student_dir,
    token_counts,
)
from retrieval.vector_cache import VectorCache, text_key
from retrieval.vector_store import VectorStore

MIN_QUESTIONS = 10_000  # fewer: no student; questions are embedded by the full model
MAX_QUESTION_CHARS = 300
HELD_OUT_EVERY = 50
RIDGE = 0.3
MIN_DF = 3
CG_MAX_ITERATIONS = 300
CG_TOLERANCE = 1e-3
CALIBRATION_QUESTIONS = 400
TEACHER_BATCH = 256
_SPAN_WORDS = (6, 22)


# ------------------------------------------------------------------------------------ questions
_MD_HEADING = re.compile(r"^#{1,6}\s+(?P<t>.+?)\s*#*\s*$")
_BOLD_LINE = re.compile(r"^\*\*(?P<t>[^*]+(?:\*(?!\*)[^*]*)*)\*\*[\s\-–|]*$")
_EMPHASIS = re.compile(r"[*_]+")
_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """Plain text of a markdown fragment: NFC, no emphasis marks, single spaces."""
    return _SPACES.sub(" ", _EMPHASIS.sub("", nfc(text))).strip()


def heading_of(line: str) -> str | None:
    """The heading text when the line is a heading: '#…' or a whole-bold question line."""
    stripped = line.strip()
    if m := _MD_HEADING.match(stripped):
        return clean(m["t"])
    if (m := _BOLD_LINE.match(stripped)) and clean(m["t"]).endswith("?"):
        return clean(m["t"])
    return None


def is_question(heading: str) -> bool:
    return heading.endswith("?") and len(heading) >= 15


def iter_pages(archive_or_dir: Path) -> Iterator[tuple[str, str]]:
    """(file name, text) of every .md page: streamed from a .tar.xz, or read from a folder."""
    path = Path(archive_or_dir)
    if path.is_dir():
        for file in sorted(path.rglob("*.md")):
            yield file.name, file.read_text(encoding="utf-8", errors="replace")
        return
    with tarfile.open(path, "r:*") as tar:
        for member in tar:
            if member.isfile() and member.name.endswith(".md"):
                data = tar.extractfile(member)
                if data is not None:
                    yield Path(member.name).name, data.read().decode("utf-8", errors="replace")


def archive_questions(path: Path) -> set[str]:
    """The questions asked in the headings of the pages of a hỏi đáp archive or folder."""
    found: set[str] = set()
    for _name, text in iter_pages(path):
        for line in text.splitlines():
            heading = heading_of(line)
            if heading and is_question(heading) and len(heading) <= MAX_QUESTION_CHARS:
                found.add(heading)
    return found


def kb_questions(home: Path) -> set[str]:
    """Question-like texts from the units that carry vectors: titles and a stretch of each line."""
    found: set[str] = set()
    lines_seen: set[str] = set()  # an article's unit repeats the lines of its clauses' units
    with sqlite3.connect(index_dir(home) / "units.sqlite3") as conn:
        rows = conn.execute("SELECT uid, title, text FROM units WHERE embedded = 1 ORDER BY uid").fetchall()
    for _uid, title, text in rows:
        if title and len(title) <= MAX_QUESTION_CHARS:
            found.add(clean(title))
        for line in (text or "").splitlines():
            if line not in lines_seen and (span := _span(line)):
                lines_seen.add(line)
                found.add(span)
    return found


_LINE_LABEL = re.compile(r"^\s*(?:\d+[.)]|[a-zđ]\d?\)|[-+•])\s*")


def _span(line: str) -> str | None:
    """6-22 words of the line, from its start or a random point (the line seeds the choice)."""
    rng = random.Random(text_key(line))
    words = _LINE_LABEL.sub("", clean(line)).split()
    if len(words) < 4:
        return None
    size = rng.randint(*_SPAN_WORDS)
    start = rng.randint(0, max(0, len(words) - size)) if rng.random() < 0.5 else 0
    return " ".join(words[start : start + size]).rstrip(",;:.")


# ------------------------------------------------------------------------------ teacher vectors
def teacher_vectors(embedder: Embedder, questions: Sequence[str], progress: Progress | None = None,
                    cache: VectorCache | None = None) -> tuple[np.ndarray, int]:
    """The teacher's query vectors of `questions` (rows in order) and how many were new.
    Cached by content in the machine's vector cache (`retrieval.vector_cache`), a batch at a time."""
    cache = cache or VectorCache()
    model = f"{embedder.name}:query"
    known = cache.get(model, questions)
    missing = [q for q in dict.fromkeys(questions) if q not in known]
    batches = [missing[i : i + TEACHER_BATCH] for i in range(0, len(missing), TEACHER_BATCH)]
    for batch in progress(batches, len(batches), "Học mô hình câu hỏi") if progress else batches:
        cache.embed(model, batch, embedder.embed_queries)
    vectors, _ = cache.embed(model, questions, embedder.embed_queries)  # all cached by now
    return vectors, len(missing)


# ------------------------------------------------------------------------------------- the fit
def feature_matrix(questions: Iterable[str], rows: dict[str, int], weights: Sequence[float]) -> sp.csr_matrix:
    """The questions' features (`retrieval.student.features`), plus a constant column (the bias row of W)."""
    indices: list[int] = []
    values: list[float] = []
    indptr = [0]
    for question in questions:
        ids, x = features(question, rows, weights)
        indices += [*ids, len(rows)]
        values += [*x.tolist(), 1.0]
        indptr.append(len(indices))
    shape = (len(indptr) - 1, len(rows) + 1)
    return sp.csr_matrix((np.asarray(values, np.float32), np.asarray(indices), np.asarray(indptr)), shape=shape)


def fit_ridge(x: sp.csr_matrix, y: np.ndarray, ridge: float = RIDGE) -> np.ndarray:
    """W minimising ‖XW − Y‖² + λ‖W‖²: conjugate gradients on (XᵀX + λI)W = XᵀY, all columns at once."""
    xt = x.T.tocsr()
    b = xt @ y

    def apply(w: np.ndarray) -> np.ndarray:
        return xt @ (x @ w) + ridge * w

    w = np.zeros_like(b)
    r = b.copy()
    p = r.copy()
    rs = (r * r).sum(0)
    stop = CG_TOLERANCE * float(np.sqrt((b * b).sum()))
    for _ in range(CG_MAX_ITERATIONS):
        ap = apply(p)
        alpha = rs / np.maximum((p * ap).sum(0), 1e-20)
        w += p * alpha
        r -= ap * alpha
        rs_new = (r * r).sum(0)
        if float(np.sqrt(rs_new.sum())) < stop:
            break
        p = r + p * (rs_new / np.maximum(rs, 1e-20))
        rs = rs_new
    return w


def train(questions: Sequence[str], targets: np.ndarray) -> tuple[list[tuple[str, float]], np.ndarray]:
    """([(token, weight)], W) from questions and their teacher vectors; folded copies share the targets."""
    texts = [*questions, *(fold(q) for q in questions)]
    df = Counter(t for text in texts for t in token_counts(text))
    vocab = [(t, round(math.sqrt(math.log(len(texts) / n)), 4)) for t, n in sorted(df.items()) if n >= MIN_DF]
    rows = {t: i for i, (t, _) in enumerate(vocab)}
    weights = [w for _, w in vocab]
    return vocab, fit_ridge(feature_matrix(texts, rows, weights), np.vstack([targets, targets]))


# --------------------------------------------------------------------------------- the command
def distill(home: Path, embedder: Embedder, vectors: VectorStore, archives: Sequence[Path], *,
            progress: Progress | None = None, rebuild: bool = False) -> StudentReport:
    """Make (or keep) the student of `embedder` in `home`; see the module docstring."""
    started = time.perf_counter()
    report = StudentReport()
    if not rebuild and _usable_student(home, embedder.name):
        report.skipped = "đã có (cùng mô hình, cùng cách học)"
        return report
    questions = _gather(home, archives, report)
    if len(questions) < MIN_QUESTIONS:
        report.skipped = (f"chỉ có {len(questions)} câu hỏi huấn luyện (cần ≥ {MIN_QUESTIONS}): "
                          "câu hỏi được mã hóa bằng mô hình đầy đủ")
        return report
    targets, report.teacher_embedded = teacher_vectors(embedder, questions, progress)
    held = np.arange(len(questions)) % HELD_OUT_EVERY == HELD_OUT_EVERY - 1
    vocab, weights = train([q for q, h in zip(questions, held, strict=True) if not h], targets[~held])
    report.features = len(vocab)
    report.seconds = round(time.perf_counter() - started, 1)
    _write(home, embedder.name, vocab, weights, report)
    student = QueryStudent(student_dir(home))
    check = [q for q, h in zip(questions, held, strict=True) if h]
    student_vectors = np.stack([student.embed_query(q) for q in check])
    report.held_out_cosine = round(float(np.mean((student_vectors * targets[held]).sum(1))), 4)
    report.cosine_offset = _cosine_offset(vectors, student_vectors, targets[held])
    _write_manifest(home, embedder.name, report)
    return report


def _usable_student(home: Path, teacher: str) -> bool:
    """A student of this teacher and recipe that loads (a damaged one is trained again)."""
    try:
        return QueryStudent.load(home, teacher) is not None
    except (OSError, ValueError, KeyError):
        return False


def _cosine_offset(vectors: VectorStore, student: np.ndarray, teacher: np.ndarray) -> float:
    """Mean (student's best passage cosine − teacher's) over the first held-out questions."""
    if not vectors.count():
        return 0.0
    pairs = list(zip(student, teacher, strict=True))[:CALIBRATION_QUESTIONS]
    gaps = [vectors.query(s, k=1)[0][1] - vectors.query(t, k=1)[0][1] for s, t in pairs]
    return round(float(np.mean(gaps)), 4)


def _gather(home: Path, archives: Sequence[Path], report: StudentReport) -> list[str]:
    questions: set[str] = set()
    for path in archives:
        if not Path(path).exists():
            report.from_archives[str(path)] = 0
            continue
        found = archive_questions(path)
        report.from_archives[str(path)] = len(found)
        questions |= found
    from_kb = kb_questions(home)
    report.from_kb = len(from_kb)
    questions |= from_kb
    report.questions = len(questions)
    return sorted(questions)


def _write(home: Path, teacher: str, vocab: list[tuple[str, float]], weights: np.ndarray, report: StudentReport) -> None:
    """Weights and vocabulary first, the manifest last: a half-written student is never loaded.
    Each file is written beside and renamed into place: a server that has the old weights
    memory-mapped keeps reading them until it reloads."""
    folder = student_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").unlink(missing_ok=True)
    with _replacing(folder / "weights.npy") as tmp, tmp.open("wb") as fh:
        np.save(fh, weights.astype(np.float16))
    with _replacing(folder / "vocab.json") as tmp:
        tmp.write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    _write_manifest(home, teacher, report)


def _write_manifest(home: Path, teacher: str, report: StudentReport) -> None:
    manifest = {"teacher": teacher, "recipe": STUDENT_RECIPE, **report.model_dump(mode="json", exclude={"skipped"})}
    with _replacing(student_dir(home) / "manifest.json") as tmp:
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")


@contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside `path`, renamed onto it when the block ends without error."""
    tmp = path.with_name(path.name + ".tmp")
    yield tmp
    os.replace(tmp, path)
