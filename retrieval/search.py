"""Hybrid, validity-aware search over provisions.

    query ─┬─ citation in the query ("khoản 2 Điều 8 NĐ 32") ──────────────▶ that provision first
           │  (typed without diacritics: tone marks restored for both kinds of evidence below)
           ├─ lexical: bm25s over analysed units (accent-folded twins where nothing restores)
           └─ dense: query embedding → Chroma nearest units
    fuse (weights from settings, tuned on the dev set) → filters → validity at the date
    (repealed / not yet in force ranked lower, still shown and labelled) → re-ranker for a
    question the wide corpus answers (retrieval/rerank.py) → group by Điều
    → confidence (is anything answering?)
"""

from __future__ import annotations

import dataclasses
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, computed_field, field_serializer

from kb import citations, doctypes
from kb.institutions import InstitutionChange, institution_changes
from kb.lookup import reassigning_provisions
from kb.model import Citation, CitationJSON, Status
from kb.records import RelationRecord
from kb.store import Store
from kb.validity import (
    Validity,
    ValidityJSON,
    document_validity,
    provision_notes,
    provision_validity,
)
from retrieval import rerank
from retrieval.analysis import analyze_query, expand_abbreviations, fold, has_diacritics, token_set
from retrieval.confidence import (
    ANY_NUMBER,
    CLUSTER_RE,
    asked_amounts,
    evidence,
    load_calibration,
    zone_missing,
)
from retrieval.index import EMBED_DONE, asked_texts, connect_units, load_bm25
from retrieval.restore import DiacriticRestorer
from retrieval.settings import SearchSettings
from retrieval.synonyms import with_legal_terms

STATUS_WEIGHT = {
    Status.IN_FORCE: 1.0,
    Status.AMENDED_TEXT_MISSING: 0.9,  # still the nearest text held; labelled as not current law
    Status.NOT_NORMATIVE: 0.9,
    Status.UNKNOWN: 0.85,
    Status.NOT_YET: 0.55,
    Status.REPEALED: 0.5,
}
IN_FORCE_WEIGHT = STATUS_WEIGHT[Status.UNKNOWN]  # the least of a text that may be in force


@dataclass
class Filters:
    as_of: date | None = None
    doc_type: str | None = None
    issuer: str | None = None
    doc: str | None = None
    province: str | None = None


class SearchHit(BaseModel):
    """One result of a search: a provision (its best clause for a Điều, the others in `also`),
    its validity at the date searched, and the JSON `ccn search --json` and GET /api/search
    write (`id`, `score_parts`: the names the code knows as `uid`, `parts`)."""

    model_config = ConfigDict(serialize_by_alias=True)

    rank: int = 0  # 1 for the first result shown
    uid: str = Field(serialization_alias="id")
    score: float
    citation: CitationJSON
    citation_text: str
    title: str = ""
    doc_title: str = ""
    text: str
    marks: list[tuple[int, int]] = []  # [start, end] of the query's words in `text`
    validity: ValidityJSON
    notes: list[str] = []
    also: list[CitationJSON] = []  # other matching clauses of the same Điều
    parts: dict[str, float] = Field(default_factory=dict, serialization_alias="score_parts")

    @computed_field
    @property
    def status(self) -> Status:
        return self.validity.status

    @computed_field
    @property
    def status_text(self) -> str:
        return self.validity.text

    @field_serializer("score")
    def _score(self, score: float) -> float:
        return round(score, 4)

    @field_serializer("parts")
    def _parts(self, parts: dict[str, float]) -> dict[str, float]:
        return {k: round(v, 4) for k, v in parts.items()}


class SearchResult(BaseModel):
    """The results of a query (`results` in JSON: the code knows them as `hits`)."""

    model_config = ConfigDict(serialize_by_alias=True)

    query: str
    confidence: float = Field(ge=0, le=1)
    threshold: float = Field(0.5, ge=0, le=1, description="below it nothing answers directly "
                             "(«chưa tìm thấy»): the calibrated one")
    warnings: list[str] = []
    hits: list[SearchHit] = Field(serialization_alias="results")

    @property
    def answered(self) -> bool:
        return self.confidence >= self.threshold

    @field_serializer("confidence", "threshold")
    def _rounded(self, value: float) -> float:
        return round(value, 3)


@dataclass
class UnitMeta:
    uid: str
    doc_key: str
    citation: Citation
    title: str
    text: str
    doc_type: str | None
    issuer: str | None
    province: str | None
    doc_class: str
    embedded: bool


@dataclass(slots=True)
class Candidate:
    """A unit while ranking: hundreds a search, so a plain record; the k shown become SearchHits."""

    meta: UnitMeta
    validity: Validity
    score: float
    parts: dict[str, float]
    also: list[Citation] = field(default_factory=list)  # other matching clauses of its Điều


@dataclass
class Ranking:
    """A search's units in order, before they are grouped by Điều, with the evidence they were
    ranked by and the documents the query names (`_named_documents`)."""

    ranked: list[Candidate]
    lexical: dict[str, float]
    dense: dict[str, float]
    cited: dict[str, float]
    lexical_strength: float
    successors: set[str]
    missing: set[str]


class Searcher:
    """Loads the indexes once; `search()` answers queries."""

    def __init__(self, store: Store, home: Path, settings: SearchSettings | None = None, dense=None):
        self.store = store
        self.home = home
        self.settings = settings or SearchSettings()
        self.bm25, self.uids = load_bm25(home)
        self.position = {uid: i for i, uid in enumerate(self.uids)}
        self.meta = _load_meta(home, self.uids)
        self.asked = asked_texts(home)  # the hỏi đáp questions among a unit's words (retrieval/asked.py)
        self.asked_per_doc: Counter[str] = Counter()  # questions added to a document's units (rerank "doc_cited")
        for uid, questions in self.asked.items():
            if uid in self.meta:
                self.asked_per_doc[self.meta[uid].doc_key] += _question_count(questions)
        self.by_article: dict[tuple, list[str]] = {}
        for uid, meta in self.meta.items():
            c = meta.citation
            self.by_article.setdefault((c.doc, c.part, c.annex, c.article), []).append(uid)
        self.dense = dense
        self.restorer = DiacriticRestorer(_embedded_tokens(home)) if dense is not None else None
        self.known_numbers = store.known_numbers()
        self.core_docs = {m.doc_key for m in self.meta.values() if m.embedded}  # the field's own texts
        self.provinces = {m.province for m in self.meta.values() if m.province}
        self.regulations: dict[str, set[tuple[str, str]]] = {}  # province → its (số hiệu, Quy chế) held
        for m in self.meta.values():
            if m.province and m.citation.part and m.citation.doc:
                self.regulations.setdefault(m.province, set()).add((m.citation.doc, m.citation.part))
        self.field_docs = _field_documents(self.meta.values())
        self.changes = _changes_by_article(store)
        self.institutions = institution_changes(store)
        held = store.documents(include_stubs=False)
        self.full_text_numbers = {d.number for d in held if d.number}
        self.doc_titles = {d.key: d.title or "" for d in held}  # trích yếu (rerank "doc_title")
        self.format_docs = {key for key, title in self.doc_titles.items() if FORMAT_DOCUMENT_RE.search(_folded(title))}
        # confidence: the calibrated model (retrieval/confidence.py) where the home has vectors
        self.calibration = load_calibration() if dense is not None else None
        # the re-ranker of questions the wide corpus answers (retrieval/rerank.py), with vectors only
        self.reranker = rerank.load_reranker() if dense is not None else None
        self.threshold = (self.settings.answer_threshold if self.settings.answer_threshold is not None
                          else self.calibration.threshold if self.calibration else 0.5)
        self._validity = lru_cache(maxsize=20000)(self._doc_validity)
        self._labels = lru_cache(maxsize=50000)(self._unit_labels)
        # a unit's own validity and the notes around its text, per date (fixed while the
        # searcher lives, as the documents' validity above)
        self._unit_validity = lru_cache(maxsize=50000)(self._provision_validity)
        self._unit_notes = lru_cache(maxsize=50000)(self._notes_around)

    # ------------------------------------------------------------------ main
    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> SearchResult:
        with self.store.pinned():  # one state of the knowledge base for the whole search
            return self._search(query, k, filters or Filters())

    def _search(self, query: str, k: int, filters: Filters) -> SearchResult:
        at = filters.as_of or date.today()
        warnings: list[str] = []
        ranking = self.ranking(query, filters, at, warnings)
        grouped = [self._hit(c, rank, query, at)
                   for rank, c in enumerate(self._results(ranking.ranked, k, query), 1)]
        confidence, threshold = self._confidence(query, grouped, ranking.lexical_strength, ranking.dense)
        if grouped and grouped[0].status == Status.AMENDED_TEXT_MISSING:
            warnings.append(f"{grouped[0].citation_text}: {grouped[0].validity.note}.")
        if ranking.missing and not ranking.successors:  # the text asked about is not in the knowledge base
            confidence *= self.settings.missing_document_factor
        if grouped and (zone := zone_missing(query, f"{grouped[0].title} {grouped[0].text}")):
            confidence *= self.settings.other_zone_factor
            warnings.append(f"Câu hỏi về {zone}; quy định tìm thấy đầu tiên không nói về {zone}.")
        if confidence < threshold:
            warnings.append("Không tìm thấy quy định trả lời trực tiếp; các kết quả dưới đây chỉ gần đúng.")
        return SearchResult(query=query, hits=grouped, confidence=confidence, warnings=warnings, threshold=threshold)

    def ranking(self, query: str, filters: Filters, at: date, warnings: list[str]) -> Ranking:
        """The units in order, before they are grouped by Điều, and the evidence they were
        ranked by; re-ordered by the re-ranker where it applies (retrieval/rerank.py)."""
        cited = self._cited_units(query, warnings)
        successors, missing, replaced = self._named_documents(query, at, warnings)
        asked = _without(query, replaced)  # searched for the matter asked, not the old number
        worded = with_legal_terms(asked) if self.settings.query_synonyms else asked
        worded = self._accented(worded)
        dense = self._dense(worded)
        lexical, lexical_strength = self._lexical(worded, also=dense if self._field_question(query) else ())
        fused = self._fuse(lexical, dense, cited)
        self._boost_successors(fused, successors)
        self._expand_reassigned(query, fused, at)
        candidates = [uid for uid in sorted(fused, key=fused.get, reverse=True) if self._passes(uid, filters)]
        ranked = self._rank(candidates[: self.settings.rerank_depth], fused, lexical, dense, cited, at,
                            self._scope_weights(query, filters))
        ranking = Ranking(ranked, lexical, dense, cited, lexical_strength, successors, missing)
        if self._reranks(ranking):
            self._rerank(query, ranking)
        return ranking

    def _results(self, ranked: list[Candidate], k: int, query: str) -> list[Candidate]:
        """The first k results: one per Điều (`_group_by_article`), except that, in a question
        the field's own texts answer, the first Điều's next-best khoản takes the fifth place when
        it scores close to that Điều's best and well above the fifth Điều (a question that two
        khoản of one Điều answer)."""
        grouped = _group_by_article(ranked, k, _gives_amount(query))
        s = self.settings
        if not grouped or grouped[0].parts.get("cited", 0.0) > 0 or not self._field_question(query):
            return grouped
        first = grouped[0]
        second = next((c for c in ranked if group_key(c.meta) == group_key(first.meta)
                       and c.meta.citation.clause not in (None, first.meta.citation.clause)), None)
        if second is None or second.score < s.second_clause_share * first.score:
            return grouped
        fifth = min(4, len(grouped))
        if fifth < len(grouped) and second.score <= s.second_clause_margin * grouped[fifth].score:
            return grouped
        return [*grouped[:fifth], second, *grouped[fifth:]][:k]

    @staticmethod
    def _field_question(query: str) -> bool:
        """A question on clusters or on how a document is presented: the field's own texts
        (those with vectors) answer it."""
        folded = _folded(query)
        return CLUSTER_RE.search(folded) is not None or asks_format(folded)

    # ------------------------------------------------------------ re-ranking
    def _reranks(self, ranking: Ranking) -> bool:
        return self.reranker is not None and self.settings.rerank and rerank_applies(ranking)

    def rerank_features(self, query: str, ranking: Ranking) -> np.ndarray:
        """The re-ranker's features of the first units (retrieval.rerank.features)."""
        weights = {t: self._idf(t) for t in dict.fromkeys(analyze_query(query))}
        units = []
        for c in ranking.ranked[: rerank.DEPTH]:
            asked = self.asked.get(c.meta.uid, "")
            units.append(rerank.Unit(c.meta.doc_key, c.meta.title, c.meta.text, asked,
                                     c.score, ranking.lexical.get(c.meta.uid, 0.0), ranking.dense.get(c.meta.uid),
                                     _question_count(asked), self.asked_per_doc[c.meta.doc_key],
                                     doctypes.place(c.meta.doc_type), self.doc_titles.get(c.meta.doc_key, "")))
        return rerank.features(query, weights, units, token_set)

    def _rerank(self, query: str, ranking: Ranking) -> None:
        """The first units in the re-ranker's order (those in force among themselves: a repealed
        one keeps its place), with the same scores handed out again."""
        head = ranking.ranked[: rerank.DEPTH]
        probability = self.reranker.probability(self.rerank_features(query, ranking))
        order = rerank.order(probability, [c.parts["validity"] >= IN_FORCE_WEIGHT for c in head])
        scores = [c.score for c in head]
        reordered = [head[i] for i in order]
        for candidate, score, i in zip(reordered, scores, order, strict=True):
            candidate.score = score
            candidate.parts["rerank"] = float(probability[i])
        ranking.ranked[: len(head)] = reordered

    # ------------------------------------------------------------ evidence
    def _lexical(self, query: str, also: Iterable[str] = ()) -> tuple[dict[str, float], float]:
        """BM25 scores of the best units and of the units in `also` (the dense candidates: a
        provision found by its meaning keeps the words it shares with the question, though 200
        units of other laws share more), scaled so the best is 1; and the best raw score per
        query token (how strongly the wording is found at all)."""
        tokens = analyze_query(query)
        if self.bm25 is None or not tokens:
            return {}, 0.0
        scores = self.bm25.get_scores(tokens)
        depth = min(self.settings.candidate_depth, len(scores))
        top = np.argpartition(-scores, depth - 1)[:depth]
        best = float(scores[top].max()) if len(top) else 0.0
        if best <= 0:
            return {}, 0.0
        places = {int(i) for i in top} | {self.position[uid] for uid in also if uid in self.position}
        return {self.uids[i]: float(scores[i]) / best for i in places if scores[i] > 0}, best / len(tokens)

    def _accented(self, query: str) -> str:
        """A query typed without diacritics, with its tone marks restored from the indexed texts
        (retrieval.restore), for both kinds of evidence: the embedding model reads unaccented
        Vietnamese poorly, and the words' folded twins match every syllable that folds alike
        ("ho" is hồ, họ, hộ, hỗ …). Over the six tuning sets the restored words found more than
        the folded ones: unaccented questions' A@1 0.769 → 0.795, A@5 0.902 → 0.919."""
        if self.restorer is None or has_diacritics(query):
            return query
        return self.restorer.restore(query)

    def _dense(self, query: str) -> dict[str, float]:
        """Cosine similarities of the nearest units. The embedding model does not know the
        field's abbreviations: they are expanded first."""
        if self.dense is None:
            return {}
        return dict(self.dense.search(expand_abbreviations(query), self.settings.candidate_depth))

    def _cited_units(self, query: str, warnings: list[str]) -> dict[str, float]:
        """Units named by a citation in the query, resolved against the store."""
        found: dict[str, float] = {}
        for mention in citations.find_query_citations(query):
            number = self._resolve_number(mention, warnings)
            regulation = self._named_regulation(query) if number is None and mention.doc_ref is None else None
            if regulation is not None:
                number = regulation[0]
            elif number is None:
                continue
            for target in mention.targets or []:
                target = target.with_doc(number) if not target.doc or target.doc != number else target
                if regulation is not None and target.part is None:
                    target = dataclasses.replace(target, part=regulation[1])
                for uid in self._units_at(target) or self._nearest_existing(target, warnings):
                    found[uid] = 1.0
        return found

    def _named_regulation(self, query: str) -> tuple[str, str] | None:
        """The province's Quy chế a citation without a document means ("Đ5 QC Lào Cai", "Điều
        12 quy chế lao cai"): the question names a Quy chế and one province, and the knowledge
        base holds exactly one regulation attached to a decision of that province."""
        if REGULATION_RE.search(query) is None:
            return None
        named = [p for p in self.regulations if names_province(query, p)]
        held = self.regulations[named[0]] if len(named) == 1 else set()
        return next(iter(held)) if len(held) == 1 else None

    def _nearest_existing(self, target: Citation, warnings: list[str]) -> list[str]:
        """A cited khoản the Điều does not have ("khoản 3 Điều 13" of NĐ 32/2024, which has two):
        the Điều itself, and the user is told; a provision is never made up."""
        if target.article is None or target.annex is not None:
            return []
        article = Citation(target.doc, target.part, None, target.article)
        units = self._units_at(article) if target.clause is not None else []
        missing = citations.render(Citation(target.doc, target.part, None, target.article, target.clause))
        where = f"; kết quả là {citations.render(article)}" if units else ""
        warnings.append(f"Không có {missing} trong kho dữ liệu{where}.")
        return units

    def _resolve_number(self, mention, warnings: list[str]) -> str | None:
        ref = mention.doc_ref
        if ref is None or ref.this_document:
            return None
        if ref.number in self.known_numbers:
            return ref.number
        candidates = citations.match_partial(ref.raw, self.known_numbers)
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            chosen = self._reading(candidates, mention)
            others = ", ".join(sorted(c for c in candidates if c != chosen))
            warnings.append(f"«{ref.raw}» được hiểu là {chosen}; cũng có thể là: {others}")
            return chosen
        return None

    def _reading(self, numbers: list[str], mention) -> str:
        return max(numbers, key=lambda number: self._reading_rank(number, mention))

    def _reading_rank(self, number: str, mention) -> tuple:
        """Which document a short number ("NĐ 32", "nđ32") most likely means, on a knowledge base
        holding several: one that has the provision cited, then a text of the field's core corpus
        (the texts with vectors), then one in force today, then the latest."""
        has_target = any(self._units_at(t.with_doc(number)) for t in mention.targets or [])
        year = re.search(r"/((?:19|20)\d\d)(?:/|$)", number)
        in_force = self._validity(number, date.today()).status == Status.IN_FORCE
        return (has_target, number in self.core_docs, in_force, int(year.group(1)) if year else 0)

    def _units_at(self, target: Citation) -> list[str]:
        """The units at a cited address; of a Phụ lục, those of the item it names ("Mẫu số 02
        Phụ lục II …"), when the annex holds it apart."""
        uids = self.by_article.get((target.doc, target.part, target.annex, target.article), [])
        if target.annex_item:
            item = [u for u in uids if citations.same_annex_item(self.meta[u].citation.annex_item, target.annex_item)]
            uids = item or uids
        return [u for u in uids if target.clause is None or self.meta[u].citation.clause in (None, target.clause)]

    def _named_documents(self, query: str, at: date,
                         warnings: list[str]) -> tuple[set[str], set[str], list[tuple[int, int]]]:
        """Documents the query names: those replacing a repealed one ("theo Nghị định 68/2017 …":
        stale phrasing is answered from the text in force, and the user is told), those the
        knowledge base does not hold in full (never answered as if it did), and where the query
        names a replaced one (its words would find the provisions that cite it: the transitional
        and final articles, not the answer)."""
        successors: set[str] = set()
        missing: set[str] = set()
        replaced: list[tuple[int, int]] = []
        for mention in citations.find_query_citations(query):
            ref = mention.doc_ref
            if ref is None or ref.this_document:
                continue
            numbers = [ref.number] if ref.complete else citations.match_partial(ref.raw, self.known_numbers)
            if len(numbers) > 1:  # a short number: the reading _resolve_number takes
                numbers = [self._reading(numbers, mention)]
            for number in numbers:
                validity = self._validity(number, at)
                if validity.status == Status.REPEALED and validity.replaced_by:
                    successors.update(validity.replaced_by)
                    replaced.append(mention.span)
                    warnings.append(f"{number} đã hết hiệu lực: {validity.note}; trả lời theo văn bản thay thế.")
                elif number not in self.full_text_numbers:
                    missing.add(number)
                    warnings.append(f"Kho dữ liệu chưa có toàn văn {number}: không thể trả lời theo văn bản này.")
        return successors, missing, replaced

    def _boost_successors(self, fused: dict[str, float], successors: set[str]) -> None:
        if not successors:
            return
        for uid in fused:
            if self.meta[uid].citation.doc in successors:
                fused[uid] *= self.settings.successor_boost

    def _expand_reassigned(self, query: str, fused: dict[str, float], at: date) -> None:
        """A body abolished or merged (kb.institutions: cấp huyện since 01/7/2025): the later
        provisions that cite a provision giving it a task and say who does it now come just
        before that provision, when the question is about that body and they still apply at `at`
        ("… của Ủy ban nhân dân cấp huyện nay do ai lập?" is answered by Điều 11 NĐ 139/2025)."""
        changes = [c for c in self.institutions if c.applies(at) and _asks_about(query, c)]
        if not changes:
            return
        top = sorted(fused, key=fused.get, reverse=True)[: self.settings.expansion_depth]
        for uid in top:
            meta = self.meta[uid]
            for change in changes:
                if not change.named_in(meta.text):
                    continue
                for follower in self._reassigning_units(meta, change, at):
                    fused[follower] = max(fused.get(follower, 0.0), fused[uid] * self.settings.expansion_factor)

    def _reassigning_units(self, meta: UnitMeta, change: InstitutionChange, at: date) -> list[str]:
        found = []
        for row, validity in reassigning_provisions(self.store, meta.citation, change, at):
            if validity.status == Status.IN_FORCE:
                found.extend(u for u in self._units_of_pid(row.pid) if u in self.meta)
        return found

    def _notes_around(self, uid: str, at: date) -> tuple[str, ...]:
        row = self.store.provision_by_pid(uid)
        return tuple(provision_notes(self.store, row, self.meta[uid].text, at)) if row is not None else ()

    def _units_of_pid(self, pid: str | None) -> list[str]:
        """The unit holding a provision: itself, or the clause / article that contains it."""
        row = self.store.provision_by_pid(pid) if pid else None
        if row is None:
            return []
        target = Citation(row.doc_key, row.part, row.annex, row.article, row.clause)
        return self._units_at(target) if row.article is not None else [pid]

    # ------------------------------------------------------------- ranking
    def _fuse(self, lexical: dict[str, float], dense: dict[str, float], cited: dict[str, float]) -> dict[str, float]:
        s = self.settings
        fused: dict[str, float] = {}
        dense_norm = _rescale(dense, s.dense_floor) if s.dense_floor else _minmax(dense)
        for uid in dict.fromkeys([*lexical, *dense, *cited]):  # a fixed order: ties keep it
            if dense and not self.meta[uid].embedded:  # searched lexically only: words count for all
                fused[uid] = s.unembedded_factor * (s.w_lexical + s.w_dense) * lexical.get(uid, 0.0)
            else:
                fused[uid] = s.w_lexical * lexical.get(uid, 0.0) + s.w_dense * dense_norm.get(uid, 0.0)
            fused[uid] += s.w_cited * cited.get(uid, 0.0)
        return fused

    def _passes(self, uid: str, filters: Filters) -> bool:
        meta = self.meta.get(uid)
        if meta is None:
            return False
        if filters.doc and meta.citation.doc != citations.normalize_number(filters.doc):
            return False
        if filters.doc_type and (meta.doc_type or "").lower() != filters.doc_type.lower():
            return False
        if filters.issuer and filters.issuer.lower() not in (meta.issuer or "").lower():
            return False
        return not (filters.province and filters.province.lower() not in (meta.province or "").lower())

    def _doc_validity(self, doc_key: str, at: date) -> Validity:
        return document_validity(self.store, doc_key, at)

    def _scope_weights(self, query: str, filters: Filters):
        """How much a unit's kind of text counts for this question (a function of the unit):
        letters, reports and drafts (doc_class admin) below the provisions in force unless the
        question asks for prior positions ("công văn", "đã trả lời", "tiền lệ" …); a province's
        own texts (Quy chế of UBND tỉnh Lào Cai) below the national ones unless the question
        names that province ("Lào Cai", "LC") or the search is filtered to it; for "ai / cơ quan
        nào …" questions, the provisions where a body is the one that does what is asked
        (`actor_pattern`) above those that merely mention it; transitional provisions ("Quy định
        chuyển tiếp") below the general rule unless the question is about an earlier case; the
        forms and report templates of an annex ("Mẫu số 01", "Biểu số 04") below the provisions
        unless the question asks for a form ("mẫu", "biểu", "phụ lục", "khung", "bố cục"); for a
        question on how a document is presented or handled (cỡ chữ, viết hoa, nơi nhận …), the
        texts on công tác văn thư (NĐ 30/2020) above the others; for a question asking an amount
        in a unit ("tối đa bao nhiêu tiền"), the provisions giving a number in it (`_gives_amount`)."""
        s = self.settings
        folded = _folded(query)
        admin = 1.0 if asks_prior_positions(query) else s.admin_factor
        form = 1.0 if FORM_QUESTION_RE.search(folded) else s.form_factor
        named = {p for p in self.provinces if names_province(query, p)}
        if filters.province:
            named |= {p for p in self.provinces if fold(p).lower() in fold(filters.province).lower()}

        actor = actor_pattern(query)
        transitional = 1.0 if LEGACY_RE.search(folded) else s.transitional_factor
        off_field = s.off_field_factor if CLUSTER_RE.search(folded) else 1.0
        formats = s.format_boost if asks_format(folded) else 1.0
        named_types = {t for t, pattern in NAMED_TYPE_RES.items() if pattern.search(folded)}
        gives_amount = _gives_amount(query)

        def weight(meta: UnitMeta) -> float:
            factor = admin if meta.doc_class == "admin" else 1.0
            if meta.province and meta.province not in named:
                factor *= s.province_factor
            if actor is not None and actor.search(_folded(meta.text[:ACTOR_CHARS])):
                factor *= s.actor_boost
            if "chuyển tiếp" in meta.title.lower():
                factor *= transitional
            if meta.citation.annex is not None and meta.title.lower().startswith(("mẫu", "biểu")):
                factor *= form
            if off_field < 1.0 and meta.doc_key not in self.field_docs and not _speaks_of_clusters(meta):
                factor *= off_field
            if meta.doc_key in self.format_docs:
                factor *= formats
            if meta.doc_type in named_types:
                factor *= s.named_type_boost
            if gives_amount is not None and gives_amount(meta):
                factor *= s.amount_boost
            return factor

        return weight

    def _rank(self, candidates, fused, lexical, dense, cited, at: date, scope=None) -> list[Candidate]:
        ranked = []
        for uid in candidates:
            meta = self.meta[uid]
            validity = self._validity(meta.doc_key, at)
            if validity.status == Status.IN_FORCE and self._changed(meta.citation):
                validity = self._unit_validity(uid, at) or validity
            weight = STATUS_WEIGHT[validity.status]
            score = fused[uid] * weight * (scope(meta) if scope and not cited.get(uid) else 1.0)
            parts = {"lexical": lexical.get(uid, 0.0), "dense": dense.get(uid, 0.0),
                     "cited": cited.get(uid, 0.0), "validity": weight}
            ranked.append(Candidate(meta, validity, score, parts))
        ranked.sort(key=lambda c: c.score, reverse=True)
        return ranked

    def _hit(self, candidate: Candidate, rank: int, query: str, at: date) -> SearchHit:
        """A candidate shown: its label, the query's words marked, the notes on its validity,
        on changes to its Điều and around its text ("nay là …", a coming end …)."""
        meta, validity = candidate.meta, candidate.validity
        notes = ([validity.note] if validity.note else []) + _change_notes(self.changes, meta.citation, at, validity)
        notes.extend(n for n in self._unit_notes(meta.uid, at) if n not in notes)
        return SearchHit(rank=rank, uid=meta.uid, score=candidate.score, citation=meta.citation,
                         citation_text=self._labels(meta.uid), title=meta.title, text=meta.text,
                         marks=_marks(meta.text, query), validity=validity, notes=notes, also=candidate.also,
                         parts=candidate.parts)

    def _unit_labels(self, uid: str) -> str:
        """A unit's canonical citation (fixed while the searcher lives)."""
        meta = self.meta[uid]
        return citations.render(meta.citation, meta.doc_type)

    def _changed(self, c: Citation) -> bool:
        return (c.doc, c.part, c.annex, c.article) in self.changes

    def _provision_validity(self, uid: str, at: date) -> Validity | None:
        """A unit's own validity where a provision-level change aims at its Điều (amended with
        the text held or not, a clause repealed, application ended)."""
        row = self.store.provision_by_pid(uid)
        return provision_validity(self.store, row, at)[0] if row is not None else None

    def _confidence(self, query: str, hits: list[SearchHit], lexical_strength: float,
                    dense: dict[str, float]) -> tuple[float, float]:
        """Is something answering? The calibrated model of retrieval/confidence.py where there
        are vectors; else from how close the nearest unit's meaning is (cosine) and how strongly
        the query's words are found (best BM25 per query token). A provision named in the
        query: certain. With the threshold that applies to it."""
        if not hits:
            return 0.0, self.threshold
        if hits[0].parts["cited"] > 0:
            return 1.0, self.threshold
        if self.calibration is not None and dense and self.settings.answer_threshold is None:
            ev = self.evidence(query, hits, dense)
            return self.calibration.probability(ev), self.calibration.threshold_for(ev)
        s = self.settings
        if dense:
            evidence = s.conf_dense * (max(dense.values()) - s.conf_dense_center) + s.conf_lexical * lexical_strength
        else:  # no vector evidence (text without diacritics): words alone, weighted up
            evidence = s.conf_lexical * s.conf_lexical_alone * lexical_strength
        return float(1 / (1 + np.exp(-s.conf_slope * (evidence - s.conf_center)))), self.threshold

    def evidence(self, query: str, hits: list[SearchHit], dense: dict[str, float]):
        """The confidence model's features of this search (retrieval.confidence): the words of a
        provision are those it is found by, the questions added to them included."""
        texts = [f"{h.title} {h.text}\n{self.asked.get(h.uid, '')}" for h in hits[:3]]
        return evidence(query, analyze_query(query), self._idf, texts,
                        dense_top=max(dense.values(), default=0.0), top_embedded=self.meta[hits[0].uid].embedded)

    def _idf(self, token: str) -> float:
        """log((N + 1) / (df + 1)) of a token in the lexical index."""
        column = self.bm25.vocab_dict.get(token) if self.bm25 is not None else None
        pointers = self.bm25.scores["indptr"] if self.bm25 is not None else None
        df = int(pointers[column + 1] - pointers[column]) if column is not None else 0
        return float(np.log((len(self.uids) + 1) / (df + 1)))


def rerank_applies(ranking: Ranking) -> bool:
    """The re-ranker's questions: a search with vectors whose first unit has none (the question
    is answered from the wide corpus), no provision named in the query."""
    return (bool(ranking.dense) and bool(ranking.ranked) and not ranking.ranked[0].meta.embedded
            and not ranking.cited)


FIELD_SHARE = 0.2  # a document of the field: at least this share of its units speak of clusters


def _speaks_of_clusters(meta: UnitMeta) -> bool:
    return CLUSTER_RE.search(_folded(meta.title + " " + meta.text[:ACTOR_CHARS])) is not None


def _field_documents(metas) -> set[str]:
    """The documents of the cluster field: those where at least FIELD_SHARE of the units speak
    of clusters (NĐ 32/2024, TT 14/2024, the Lào Cai Quy chế …; not NĐ 178/2026 on state
    infrastructure assets, which mentions them in 2 % of its provisions)."""
    units: dict[str, int] = {}
    speaking: dict[str, int] = {}
    for meta in metas:
        units[meta.doc_key] = units.get(meta.doc_key, 0) + 1
        if "cụm" in meta.text.lower() or "ccn" in meta.text.lower():
            speaking[meta.doc_key] = speaking.get(meta.doc_key, 0) + 1
    return {doc for doc, n in units.items() if speaking.get(doc, 0) >= FIELD_SHARE * n}


PRIOR_POSITION_RE = re.compile(  # on the folded, lower-cased question
    r"(?<!\w)(?:cong van|da tra loi|van ban tra loi|tra loi truoc|y kien truoc|truoc day|tien le"
    r"|da co y kien|da huong dan|du thao)(?!\w)"
)


WHO_RE = re.compile(  # "ai quyết định …", "cơ quan nào có thẩm quyền phê duyệt …" (folded)
    r"(?<!\w)(?:ai|co quan nao|cap nao|don vi nao|nguoi nao|(?:co )?tham quyen)"
    r"(?:\s+(?:co tham quyen|la nguoi|se|duoc|phai|chiu trach nhiem))?\s+(?P<verb>\w+\s+\w+)"
)
BODY = (r"(?:uy ban nhan dan|ubnd|chu tich|thu tuong|chinh phu|hoi dong|ban quan ly|(?<!ho )so \w+|bo \w+"
        r"|phong \w+|co quan \w+)")
ACTOR_CHARS = 1500
FORM_QUESTION_RE = re.compile(  # asks for a form, or what a report or an application holds (folded)
    r"(?<!\w)(?:mau|bieu|phu luc|form|to khai|khung|khuon|bo cuc|chi tieu|don xin|don de nghi"
    r"|(?:viet|lam|nop|gui) don)(?!\w)"
)
# asks how a document is presented or handled: its format, signature, seal, copies (folded)
FORMAT_QUESTION_RE = re.compile(
    r"(?<!\w)(?:co chu|phong chu|font|in dam|in nghieng|chu nghieng|chu dung|chu dam|viet hoa|in hoa"
    r"|chu hoa|can le|le trai|le phai|le tren|le duoi|dinh le|so trang|kho giay|trich yeu|v/v|noi nhan"
    r"|giap lai|ky hieu|viet tat|the thuc|gian dong|quoc hieu|tieu ngu|sao y|sao luc|trich sao|ky so"
    r"|ky thay|thua lenh|thua uy quyen|dong dau|con dau|hinh dau|hoa toc|thuong khan|van thu)(?!\w)"
)
ADMIN_DOCUMENT_RE = re.compile(r"(?<!\w)(?:cong van|van ban hanh chinh|ban dien tu|ban giay)(?!\w)")
NAMED_TYPE_RES = {name: re.compile(rf"(?<!\w){fold(name).lower()}(?!\w)(?!\s*(?:so\s*)?\d)")
                  for name in ("Nghị định", "Thông tư", "Chỉ thị")}  # a type named without its number
REGULATION_RE = re.compile(r"(?<!\w)(?:[Qq]uy chế|[Qq]uy che|QC)(?!\w)")  # names an attached Quy chế
FORMAT_DOCUMENT_RE = re.compile(r"(?<!\w)(?:cong tac van thu|the thuc\b.{0,40}\bvan ban)(?!\w)")  # its title (folded)
TWO_LEVEL_RE = re.compile(r"(?<!\w)(?:hai|2) cap(?!\w)")  # "chính quyền (địa phương) hai cấp" (folded)
LEGACY_RE = re.compile(  # a question about cases from before the text (folded)
    r"(?<!\w)(?:chuyen tiep|truoc|do dang|tiep tuc|da thanh lap|hinh thanh|(?:19|20)\d\d)(?!\w)"
)


def actor_pattern(query: str) -> re.Pattern | None:
    """For a who-question, a pattern of a body doing the asked act in a unit's folded text
    ("Ủy ban nhân dân cấp tỉnh xem xét, quyết định việc thành lập" for "ai quyết định thành
    lập"): the body within one clause of the sentence before the verb."""
    m = WHO_RE.search(_folded(query))
    if m is None:
        return None
    return re.compile(rf"(?<!\w){BODY}[^.;:\n]{{0,60}}?(?<!\w){re.escape(m['verb'])}(?!\w)")


def asks_prior_positions(query: str) -> bool:
    """Does the question ask what was answered or reported before (letters, reports, drafts)?"""
    return PRIOR_POSITION_RE.search(_folded(query)) is not None


def names_province(query: str, province: str) -> bool:
    """The question names the province: "Lào Cai" / "lao cai", or its initials "LC"."""
    if fold(province).lower() in _folded(query):
        return True
    initials = "".join(w[0] for w in fold(province).split()).upper()
    return len(initials) > 1 and re.search(rf"(?<!\w){initials}(?!\w)", query) is not None


def _rescale(scores: dict[str, float], floor: float) -> dict[str, float]:
    """Cosine similarity mapped so that `floor` (unrelated text) is 0 and identity is 1."""
    return {k: max(0.0, (v - floor) / (1 - floor)) for k, v in scores.items()}


def _minmax(scores: dict[str, float]) -> dict[str, float]:
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    span = high - low or 1.0
    return {k: (v - low) / span for k, v in scores.items()}


def asks_format(folded: str) -> bool:
    """The question (folded) asks how a document is presented or handled: a word of its form
    (cỡ chữ, trích yếu, ký thay …), or, in a question not on clusters, a kind of administrative
    document ("Một công văn của Sở bắt buộc phải có những phần nào?"). A công văn in a question
    on clusters is the matter discussed, not its form."""
    return FORMAT_QUESTION_RE.search(folded) is not None or (
        ADMIN_DOCUMENT_RE.search(folded) is not None and CLUSTER_RE.search(folded) is None)


def _group_by_article(ranked: list[Candidate], k: int,
                      answers: Callable[[UnitMeta], bool] | None = None) -> list[Candidate]:
    """The first k results, one per Điều, in the order of its best clause: that clause, or the
    best one that `answers(meta)` (gives the amount asked: "bao nhiêu phần trăm" → the khoản with
    "60 %"), with the Điều's best score; the other matching clauses listed in `also`. A clause
    the question names ("k.3 đ.24 nđ32 … bao lâu một lần?") is shown as named."""
    members: dict[tuple, list[Candidate]] = {}
    for candidate in ranked:
        members.setdefault(group_key(candidate.meta), []).append(candidate)
    grouped = []
    for group in list(members.values())[:k]:
        named = group[0].parts.get("cited", 0.0) > 0
        shown = next((c for c in group if answers(c.meta)), group[0]) if answers and not named else group[0]
        if shown.meta.citation.annex is not None and len(shown.meta.text) < HEADING_CHARS:
            shown = max(group, key=lambda c: len(c.meta.text))  # a line naming the item: the item is shown
        if shown is not group[0]:
            shown = dataclasses.replace(shown, score=group[0].score)
        shown.also.extend(c.meta.citation for c in group if c.meta.citation != shown.meta.citation)
        grouped.append(shown)
    return grouped


HEADING_CHARS = 120  # an annex unit shorter than this only names an item ("Biểu số 04 / Tổng hợp …", "Phần II / THỂ THỨC …")


def _without(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with the spans blanked."""
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " + text[end:]
    return text


def _gives_amount(query: str) -> Callable[[UnitMeta], bool] | None:
    """For a question asking an amount in a unit (`asked_amounts`), whether a unit's text gives a
    number in it; None for other questions."""
    patterns = [re.compile(p) for p in asked_amounts(query) if p != ANY_NUMBER]
    return (lambda meta: any(p.search(_folded(meta.text)) for p in patterns)) if patterns else None


def group_key(meta: UnitMeta) -> tuple:
    """One result per Điều; per annex item (the units that carry one item's citation are one
    result: Biểu số 04 TT 14/2024 named in Phụ lục I's opening list of forms, then the form); per letter
    or report (its numbered points are one text: a report must not fill the list with its
    paragraphs)."""
    c = meta.citation
    if c.article is not None:
        return (c.doc, c.part, c.annex, c.article)
    if c.annex is not None:
        return (c.doc, c.part, c.annex, c.annex_item)
    if c.part is not None:
        return (meta.uid,)
    return (c.doc, "document")


def _marks(text: str, query: str) -> list[tuple[int, int]]:
    """Character spans of the text whose words appear in the query (accent-insensitive)."""
    wanted = sorted({w for w in re.findall(r"\w+", _folded(query)) if len(w) > 1}, key=len, reverse=True)
    head = text[:MARK_CHARS]
    folded = _folded(head)
    if not wanted or len(folded) != len(head):  # folding keeps positions for NFC text
        return []
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, wanted)) + r")(?!\w)")
    return _merge_spans([m.span() for m in pattern.finditer(folded)])


MARK_CHARS = 20_000  # matches are marked in the first 20,000 characters (a long annex's head)


@lru_cache(maxsize=4096)
def _folded(text: str) -> str:
    return fold(text).lower()


def _merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start - merged[-1][1] <= 1:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _changes_by_article(store: Store) -> dict[tuple, list[RelationRecord]]:
    """Amendments and repeals aimed at provisions, by (doc, part, annex, article)."""
    changes: dict[tuple, list[RelationRecord]] = {}
    for rel in store.relations():
        if rel.kind in ("amends", "repeals") and rel.to_article is not None:
            key = (rel.to_doc, rel.to_part, rel.to_annex, rel.to_article)
            changes.setdefault(key, []).append(rel)
    return changes


def _change_notes(changes: dict[tuple, list[RelationRecord]], c: Citation, at: date, validity: Validity) -> list[str]:
    """"khoản 2 Điều 8 được sửa đổi, bổ sung bởi …" for changes to this unit or its article. A
    change known only from a notice counts from its date, and is not repeated when the unit's
    validity already states it."""
    notes = []
    for rel in changes.get((c.doc, c.part, c.annex, c.article), []):
        if rel.to_clause not in (None, c.clause):
            continue
        if rel.source_kind == "notice" and not _notice_note_due(rel, at, validity):
            continue
        target = citations.render(Citation(c.doc, c.part, c.annex, c.article, rel.to_clause, rel.to_point),
                                  with_doc=False)
        verb = "bị bãi bỏ" if rel.kind == "repeals" else "được sửa đổi, bổ sung"
        when = f" từ {rel.effective.strftime('%d/%m/%Y')}" if rel.effective else ""
        notes.append(f"{target} {verb} bởi {rel.from_doc}{when}")
    return notes


def _notice_note_due(rel: RelationRecord, at: date, validity: Validity) -> bool:
    """A notice's change is noted from its date, unless the unit's validity already states it."""
    if rel.effective is None or rel.effective > at:
        return False
    return rel.from_doc not in validity.note and rel.from_doc not in validity.replaced_by


def _asks_about(query: str, change: InstitutionChange) -> bool:
    """The question is about the old body: its name, or for a level ("cấp huyện") the level's
    own word ("huyện") or, for a level abolished, the two-level local government that replaced
    it ("sau sắp xếp chính quyền hai cấp"), with or without diacritics."""
    words = _folded(query)
    old = _folded(change.old)
    if old in words:
        return True
    level = re.fullmatch(r"cap (\w+)", old)
    if level is None:
        return False
    return (re.search(rf"(?<!\w){level.group(1)}(?!\w)", words) is not None
            or (change.how == "abolished" and TWO_LEVEL_RE.search(words) is not None))


def _embedded_tokens(home: Path) -> list[str]:
    conn = connect_units(home)
    rows = [r[0] for r in conn.execute("SELECT tokens FROM units WHERE embedded = ?", (EMBED_DONE,))]
    conn.close()
    return rows


def _question_count(asked: str) -> int:
    """How many hỏi đáp questions a unit's added text holds (retrieval.index.asked_texts: one a line)."""
    return asked.count("\n") + 1 if asked else 0


def _load_meta(home: Path, uids: list[str]) -> dict[str, UnitMeta]:
    conn: sqlite3.Connection = connect_units(home)
    rows = conn.execute(
        "SELECT uid, doc_key, doc, part, annex, article, clause, title, text, doc_type, issuer, "
        "province, doc_class, embedded, kind, label FROM units"
    )
    meta = {}
    for uid, doc_key, doc, part, annex, article, clause, title, text, doc_type, issuer, province, cls, emb, \
            kind, label in rows:
        item = citations.stored_annex_item(annex, kind, label)
        meta[uid] = UnitMeta(uid, doc_key, Citation(doc, part, annex, article, clause, None, item), title or "",
                             text, doc_type, issuer, province, cls, emb == EMBED_DONE)
    conn.close()
    return meta
