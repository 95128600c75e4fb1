"""Bộ pháp điển topic files → one Document per source document the compilation quotes.

Each Pháp điển article carries its source ("(Điều 1 Nghị định số 45/2012/NĐ-CP …, có hiệu lực
thi hành kể từ ngày 05/07/2012)"): it is stored as Điều 1 of 45/2012/NĐ-CP, with its clauses
and points, and the compilation's own label ("Điều 7.5.NĐ.1") kept beside it.

Số hiệu are written the canonical way ("85/2017/nđ-cp" → "85/2017/NĐ-CP") so that a document
quoted in several topics is one document. An article the compilation numbers with a letter
("Điều 28a", inserted by an amendment) cannot be addressed yet (Citation.article is an int): it is
left out with a warning rather than stored as Điều 28.

A compilation that its manifest (MANIFEST.tsv beside the file) marks as not updated ("NOT updated
for TT 28/2018/TT-BCT or ND 235/2025/NĐ-CP") certifies nothing about validity: its documents carry
that mark (stated_status STALE_COMPILATION, the reason in effective_note) and kb.validity answers
"chưa xác định" for them unless another source says more.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

from ingest.phapdien import PhapdienArticle, split_phapdien
from ingest.structure import parse_segment
from ingest.types import RawText
from kb.citations import doc_type_from_number, issuer_from_number, normalize_number
from kb.model import (
    STALE_COMPILATION,
    Citation,
    DocClass,
    Document,
    Provision,
    Relation,
    RelationKind,
    number_provisions,
)

NOT_UPDATED_RE = re.compile(r"(?:NOT|not) updated[^;.]*|chưa (?:được )?cập nhật[^;.]*", re.IGNORECASE)


def parse_compilation(raw: RawText) -> list[Document]:
    topic = split_phapdien(raw.lines)
    by_source: dict[str, list[PhapdienArticle]] = {}
    skipped: Counter[str] = Counter()
    for article in topic.articles:
        if not (article.source_number and article.source_article):
            skipped["unsourced"] += 1
        elif article.source_article_suffix:
            skipped["suffixed"] += 1
        else:
            by_source.setdefault(canonical_number(article.source_number), []).append(article)
    docs = [_document(number, articles) for number, articles in by_source.items()]
    warnings = list(topic.warnings) + _skip_warnings(skipped)
    stale = manifest_not_updated(raw.path)
    for doc in docs:
        doc.warnings.extend(warnings)
        if stale:
            doc.stated_status = STALE_COMPILATION
            doc.effective_note = f"{doc.effective_note}; bản pháp điển chưa cập nhật theo MANIFEST.tsv: {stale}"
    return docs or [_empty(raw, warnings)]


def manifest_not_updated(path: Path) -> str | None:
    """The manifest's words when it marks this file as not updated ("NOT updated for TT 28/2018/
    TT-BCT or ND 235/2025/NĐ-CP"), else None. The manifest is MANIFEST.tsv in the file's folder."""
    manifest = path.parent / "MANIFEST.tsv"
    if not manifest.is_file():
        return None
    try:
        with manifest.open(encoding="utf-8", newline="") as fh:
            for row in csv.reader(fh, delimiter="\t"):
                if row and Path(row[0]).name == path.name:
                    found = NOT_UPDATED_RE.search("; ".join(row[1:]))
                    return found.group(0).strip() if found else None
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    return None


def canonical_number(number: str) -> str:
    """A số hiệu as the store keys it: a code written in lower case upper-cased ("85/2017/nđ-cp"
    → "85/2017/NĐ-CP", "03/2019/tt-bkhđt" → "03/2019/TT-BKHĐT"), then normalize_number ("QD" →
    "QĐ", "TTG" → "TTg"). Mixed-case codes ("QĐ-TTg", "NQ-HĐND") are kept."""
    head, slash, tail = number.partition("/")
    chunks = ("-".join(map(_upper_if_lower, chunk.split("-"))) for chunk in tail.split("/"))
    return normalize_number(head + slash + "/".join(chunks))


def _upper_if_lower(segment: str) -> str:
    letters = [c for c in segment if c.isalpha()]
    return segment.upper() if len(letters) >= 2 and all(c.islower() for c in letters) else segment


def _skip_warnings(skipped: Counter[str]) -> list[str]:
    warnings: list[str] = []
    if skipped["unsourced"]:
        warnings.append(
            f"{skipped['unsourced']} điều pháp điển không xác định được văn bản nguồn, bỏ qua"
        )
    if skipped["suffixed"]:
        warnings.append(
            f"{skipped['suffixed']} điều có số hiệu kèm chữ (Điều 28a …) chưa lưu được theo văn bản"
            " nguồn, bỏ qua"
        )
    return warnings


def _empty(raw: RawText, warnings: list[str]) -> Document:
    doc = Document(number=None, doc_type="Pháp điển", doc_class=DocClass.COMPILATION, title=raw.path.stem)
    doc.warnings.extend(warnings + ["không có điều nào có nguồn"])
    return doc


def _document(number: str, articles: list[PhapdienArticle]) -> Document:
    full = next((a for a in articles if a.source_title), articles[0])
    effective = Counter(a.effective for a in articles if a.effective).most_common(1)
    doc = Document(
        number=number,
        doc_type=full.source_type or doc_type_from_number(number),
        doc_class=DocClass.COMPILATION,
        issuer=full.source_issuer or issuer_from_number(number),
        issued=full.issued,
        effective=effective[0][0] if effective else None,
        effective_note="theo chú thích nguồn của Bộ pháp điển",
        title=full.source_title or "",
    )
    seen: set[int] = set()
    for article in sorted(articles, key=lambda a: a.source_article or 0):
        if article.source_article in seen:
            continue  # the same source article quoted in two places of the topic
        seen.add(article.source_article)
        doc.provisions.extend(_article_nodes(article, number, doc.warnings))
        doc.relations.extend(_article_relations(article, number))
    number_provisions(doc.all_provisions())
    return doc


def _article_nodes(article: PhapdienArticle, number: str, warnings: list[str]) -> list[Provision]:
    heading = f"Điều {article.source_article}. {article.title}".strip()
    roots, _lead = parse_segment([heading, *article.body_lines], number, warnings=warnings)
    for node in roots:
        for child in node.walk():
            child.source_label = article.label
            child.container_path = tuple(x for x in (article.chapter, article.section) if x)
    return roots


def _article_relations(article: PhapdienArticle, number: str) -> list[Relation]:
    target = Citation(number, article=article.source_article, clause=article.source_clause)
    evidence = article.change_note or article.source_note
    relations = [
        Relation(RelationKind.AMENDS, canonical_number(by), number, target=target,
                 evidence=evidence)
        for by in article.amended_by
    ]
    if article.repealed:
        relations += [
            Relation(RelationKind.REPEALS, canonical_number(by), number, target=target,
                     evidence=article.change_note)
            for by in article.repealed_by
        ]
    return relations
