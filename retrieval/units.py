"""Search units: what the indexes hold, one per khoản (clause) of the knowledge base.

A clause is the unit a specialist cites and the gold of the evaluation sets. An article without
clauses is one unit; an article's lead-in before its first clause ("Trong Nghị định này, các từ
ngữ dưới đây …") joins its first clause. A Phụ lục contributes its sections (or itself); a letter
its numbered points (or its body). Each unit carries the article's title and the document's
name as context for the lexical index and the embeddings.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from kb import schema
from kb.citations import stored_annex_item
from kb.model import Citation
from kb.store import Store

PROVINCE_RE = re.compile(r"(?:tỉnh|thành phố)\s+([A-ZĐ][\wÀ-ỹ]*(?:\s+[A-ZĐ][\wÀ-ỹ]*){0,3})")


@dataclass(slots=True)
class Unit:
    uid: str  # the provision's stable pid
    doc_key: str
    citation: Citation
    kind: str
    label: str
    title: str  # the article's (or annex's) title
    text: str  # the provision's own text
    doc_title: str
    doc_type: str | None
    issuer: str | None
    doc_class: str
    issued: date | None
    effective: date | None
    province: str | None
    source: str = ""  # path of the file the provision was read from

    @property
    def heading(self) -> str:
        """Context line: document and article, e.g. "Nghị định 32/2024/NĐ-CP — Điều 8. Điều kiện …"."""
        doc = " ".join(x for x in (self.doc_type, self.citation.doc) if x)
        article = f"Điều {self.citation.article}. {self.title}" if self.citation.article else self.title
        return f"{doc} {self.doc_title} — {article}".strip()

    @property
    def index_text(self) -> str:
        return f"{self.heading}\n{self.text}"

    @property
    def fingerprint(self) -> str:
        """Changes when anything indexed changes: the indexes re-process only such units."""
        return hashlib.sha1(self.index_text.encode("utf-8")).hexdigest()[:16]


def iter_units(store: Store) -> Iterator[Unit]:
    """All units of the active provisions, document by document, in reading order."""
    p, d, s = schema.provisions, schema.documents, schema.sources
    query = (
        select(p.c.pid, p.c.doc_key, p.c.kind, s.c.path.label("source"), p.c.label, p.c.part, p.c.annex, p.c.article,
               p.c.clause, p.c.point, p.c.title, p.c.text, p.c.parent_pid,
               d.c.number, d.c.title.label("doc_title"), d.c.subject, d.c.doc_type, d.c.issuer,
               d.c.doc_class, d.c.issued, d.c.effective)
        .join(d, d.c.key == p.c.doc_key)
        .join(s, s.c.id == p.c.source_id)
        .where(p.c.active.is_(True))
        .order_by(p.c.doc_key, p.c.ordinal)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).mappings()
        current: list = []
        for row in rows:
            if current and row["doc_key"] != current[0]["doc_key"]:
                yield from _document_units(current)
                current = []
            current.append(row)
        if current:
            yield from _document_units(current)


def _document_units(rows: list) -> Iterator[Unit]:
    children: dict[str | None, list] = {}
    for row in rows:
        children.setdefault(row["parent_pid"], []).append(row)
    by_pid = {row["pid"]: row for row in rows}
    for row in rows:
        kind = row["kind"]
        kids = children.get(row["pid"], [])
        if kind == "dieu":
            clauses = [k for k in kids if k["kind"] == "khoan"]
            if not clauses:
                yield _unit(row, row["text"], row["title"])
        elif kind == "khoan":
            text = row["text"]
            parent = by_pid.get(row["parent_pid"])
            if parent is not None and row["clause"] == 1:
                lead = parent["text"].split("\n" + row["text"].split("\n", 1)[0], 1)[0]
                text = f"{lead}\n{text}" if lead and lead != parent["text"] else text
            yield _unit(row, text, parent["title"] if parent is not None else "")
        elif kind == "phu_luc" and not kids or kind == "muc" and (_annex_leaf(row, kids) or not kids):
            yield _unit(row, row["text"], row["title"])
        elif kind == "doan" and (row["clause"] is not None or not kids):
            yield _unit(row, row["text"], row["subject"] or row["doc_title"] or "")


def _annex_leaf(row, kids: list) -> bool:
    """A section of an annex is a unit unless it is cut into numbered items (then they are)."""
    return row["annex"] is not None and not any(k["kind"] == "muc" for k in kids)


def _unit(row, text: str, title: str) -> Unit:
    annex_item = stored_annex_item(row["annex"], row["kind"], row["label"])
    citation = Citation(row["number"] or row["doc_key"], row["part"], row["annex"], row["article"],
                        row["clause"], None, annex_item)
    issuer = row["issuer"]
    province = PROVINCE_RE.search(issuer or "")
    return Unit(
        uid=row["pid"],
        doc_key=row["doc_key"],
        citation=citation,
        kind=row["kind"],
        label=row["label"],
        title=title or "",
        text=text,
        doc_title=row["doc_title"] or row["subject"] or "",
        doc_type=row["doc_type"],
        issuer=issuer,
        doc_class=row["doc_class"],
        issued=row["issued"],
        effective=row["effective"],
        province=province.group(1) if province else None,
        source=row["source"],
    )


def passage_text(article: int | None, title: str | None, text: str) -> str:
    """What the dense index embeds: the article's title as context, then the text.

    The document's name is left out (it is the same for every unit of a document, costs ~30
    tokens of e5's budget and carries no meaning a question asks for; the lexical index keeps it).
    """
    context = f"Điều {article}. {title or ''}" if article else (title or "")
    return f"{context.strip()}\n{text}" if context.strip() else text
