"""The catalogue of documents that exist: every số hiệu cited anywhere, with what the citing
texts say of it (ngày ban hành, cơ quan ban hành, trích yếu), where they disagree, and where
it is cited ("được dẫn chiếu tại …").

Two sources feed one view (`entry`, `entries`):
- the store's own texts: a document cited by an ingested text is a stub with "cites" /
  "based_on" relations (ingest/relations.py), nothing more to store;
- texts scanned without being ingested as law — the hỏi đáp pages, letters, notices — whose
  mentions are rows of the `catalogue` table (ingest/catalogue.py builds them, one source at a
  time, replaced whole: idempotent; an unchanged archive, by sha256, is skipped).

The checker grades an unknown số hiệu with it (drafting/checker.py), `ccn docs` shows the source
of each document and `ccn currency` what the knowledge base lacks (`currency_report`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import delete, func, select

from kb import schema
from kb.citations import (
    doc_type_from_number,
    find_citations,
    issuer_from_number,
    render,
    render_short,
)
from kb.model import Citation, nfc
from kb.store import Store

# a line worth parsing holds a complete số hiệu ("35/2022/NĐ-CP", "1656/QĐ-UBND")
NUMBER_HINT_RE = re.compile(r"\d+/(?:\d{4}/)?[A-ZĐ]")
SERIAL_RE = re.compile(r"^(\d+)[a-z]?/(\d{4})/(.+)$")
CITING_KINDS = ("cites", "based_on", "replaces", "repeals", "amends")
MAX_EXAMPLES = 3
KIND_ORDER = {"texts": 0, "notice": 1, "letters": 2, "hoidap": 3}  # examples: legal texts first
KIND_LABEL = {"hoidap": "trang hỏi đáp", "letters": "văn bản hành chính", "notice": "thông báo",
              "texts": "văn bản"}


@dataclass(slots=True)
class Mention:
    """One mention of a document in a scanned text: a row of `catalogue`."""

    number: str
    citing: str
    doc_type: str | None = None
    issued: date | None = None
    issuer: str | None = None
    title: str | None = None
    address: str | None = None

    def row(self, origin: str, kind: str) -> dict:
        return {"origin": origin, "kind": kind, "number": self.number, "doc_type": self.doc_type,
                "issued": self.issued, "issuer": self.issuer, "title": (self.title or None),
                "citing": self.citing, "address": self.address}


def mentions_in_text(text: str, citing: str) -> Iterator[Mention]:
    """Every complete số hiệu in a text, with the date, issuer, title and provision the mention
    gives. Only lines holding a number are parsed (a hỏi đáp page: ~2 lines in 50)."""
    for line in nfc(text).splitlines():
        if not NUMBER_HINT_RE.search(line):
            continue
        for mention in find_citations(line):
            ref = mention.doc_ref
            if ref is None or not ref.complete or not ref.number or ref.this_document:
                continue
            target = next((t for t in mention.targets if t.article is not None or t.annex), None)
            yield Mention(ref.number, citing, ref.doc_type or doc_type_from_number(ref.number),
                          ref.issued, ref.issuer, (ref.title or "")[:300] or None,
                          render(target, with_doc=False)[:100] if target else None)


# ---------------------------------------------------------------------------------------------
# Storage
# ---------------------------------------------------------------------------------------------


def built_sha(store: Store, origin: str) -> str | None:
    """The sha256 of `origin` when the catalogue was last built from it."""
    t = schema.catalogue_builds
    with store.engine.connect() as conn:
        return conn.execute(select(t.c.sha256).where(t.c.origin == origin)).scalar()


def replace_origin(store: Store, origin: str, kind: str, sha256: str, mentions: Iterable[Mention],
                   seconds: float = 0.0) -> int:
    """The mentions of one source replace its previous ones, in one transaction (an interrupted
    build leaves the old rows; a repeated one the same rows)."""
    rows = [m.row(origin, kind) for m in mentions]
    c, b = schema.catalogue, schema.catalogue_builds
    with store.engine.begin() as conn:
        conn.execute(delete(c).where(c.c.origin == origin))
        for i in range(0, len(rows), 5000):
            conn.execute(c.insert(), rows[i : i + 5000])
        conn.execute(delete(b).where(b.c.origin == origin))
        conn.execute(b.insert().values(origin=origin, kind=kind, sha256=sha256, mentions=len(rows),
                                       seconds=round(seconds), built_at=datetime.now(UTC)))
    return len(rows)


def builds(store: Store) -> list[dict]:
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(schema.catalogue_builds)).mappings()]


# ---------------------------------------------------------------------------------------------
# Reading: one document
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Entry:
    """What is known of a số hiệu from the texts citing it."""

    number: str
    doc_type: str | None = None
    dates: Counter = field(default_factory=Counter)
    issuers: Counter = field(default_factory=Counter)
    titles: Counter = field(default_factory=Counter)
    texts: set[str] = field(default_factory=set)
    provisions: set[tuple[str, str]] = field(default_factory=set)
    examples: list[str] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)

    @property
    def issued(self) -> date | None:
        return self.dates.most_common(1)[0][0] if self.dates else None

    @property
    def issuer(self) -> str | None:
        return self.issuers.most_common(1)[0][0] if self.issuers else issuer_from_number(self.number)

    @property
    def title(self) -> str | None:
        return self.titles.most_common(1)[0][0] if self.titles else None

    @property
    def disagreements(self) -> list[str]:
        """Where the citing texts differ: several dates, or issuers of different bodies."""
        out = []
        if len(self.dates) > 1:
            out.append("ngày ban hành: " + ", ".join(f"{_vn(d)} ({n})" for d, n in self.dates.most_common()))
        if len({issuer_key(i) for i in self.issuers}) > 1:
            out.append("cơ quan ban hành: " + ", ".join(f"{i} ({n})" for i, n in self.issuers.most_common()))
        return out

    def cited_at(self) -> str:
        """ "được dẫn chiếu tại …": the count and a few examples."""
        where = "; ".join(self.examples[:MAX_EXAMPLES])
        more = len(self.texts) - min(len(self.texts), MAX_EXAMPLES)
        tail = f" và {more} văn bản khác" if more > 0 else ""
        return f"được dẫn chiếu tại {where}{tail}"

    def to_json(self) -> dict:
        return {"number": self.number, "type": self.doc_type,
                "issued": self.issued.isoformat() if self.issued else None, "issuer": self.issuer,
                "title": self.title, "citing_texts": len(self.texts),
                "citing_provisions": len(self.provisions), "examples": self.examples[:MAX_EXAMPLES],
                "sources": sorted(self.kinds), "disagreements": self.disagreements}


def entry(store: Store, number: str) -> Entry | None:
    """The catalogue's knowledge of one số hiệu, or None when no text cites it."""
    number = nfc(number)
    found = Entry(number, doc_type_from_number(number))
    _from_relations(store, found)
    with store.engine.connect() as conn:
        rows = conn.execute(select(schema.catalogue).where(schema.catalogue.c.number == number)
                            .order_by(schema.catalogue.c.id)).mappings()
        rows = sorted(rows, key=lambda r: KIND_ORDER.get(r["kind"], 9))
        for row in rows:
            _add_row(found, row)
    return found if found.texts else None


def _add_row(found: Entry, row) -> None:
    found.doc_type = found.doc_type or row["doc_type"]
    if row["issued"]:
        found.dates[row["issued"]] += 1
    if row["issuer"]:
        found.issuers[row["issuer"]] += 1
    if row["title"]:
        found.titles[row["title"]] += 1
    found.kinds.add(row["kind"])
    if row["citing"] not in found.texts and len(found.examples) < MAX_EXAMPLES:
        found.examples.append(_example(row))
    found.texts.add(row["citing"])
    found.provisions.add((row["citing"], row["address"] or ""))


def _example(row) -> str:
    """Where a mention is: "Điều 32 Nghị định số 32/2024/NĐ-CP", "trang hỏi đáp «….md»"."""
    if row["kind"] == "texts":
        name = render_short(row["citing"], doc_type_from_number(row["citing"]))
        return f"{row['address']} {name}" if row["address"] else name
    where = f" (dẫn chiếu {row['address']})" if row["address"] and row["kind"] == "hoidap" else ""
    return f"{KIND_LABEL.get(row['kind'], 'văn bản')} «{row['citing']}»{where}"


def _from_relations(store: Store, found: Entry) -> None:
    """Ingested texts citing the number: their relations, and the stub's date and issuer."""
    doc = store.document(found.number)
    if doc is not None and doc["is_stub"]:
        if doc["issued"]:
            found.dates[doc["issued"]] += 1
        if doc["issuer"] and doc["issuer"] != issuer_from_number(found.number):
            found.issuers[doc["issuer"]] += 1
        if doc["title"]:
            found.titles[doc["title"]] += 1
    for rel in store.relations(to_doc=found.number):
        if rel["kind"] not in CITING_KINDS or rel["from_doc"] == found.number:
            continue
        found.kinds.add("texts")
        if rel["from_doc"] not in found.texts and len(found.examples) < MAX_EXAMPLES:
            found.examples.append(_provision_label(store, rel))
        found.texts.add(rel["from_doc"])
        found.provisions.add((rel["from_doc"], rel["from_pid"] or ""))


def _provision_label(store: Store, rel) -> str:
    source = store.document(rel["from_doc"])
    name = render_short(rel["from_doc"], source["doc_type"] if source else None)
    row = store.provision_by_pid(rel["from_pid"]) if rel["from_pid"] else None
    if row is not None and row["article"] is not None:
        address = Citation(rel["from_doc"], row["part"], row["annex"], row["article"], row["clause"], row["point"])
        return render(address, source["doc_type"] if source else None)
    return name


# ---------------------------------------------------------------------------------------------
# Reading: the whole catalogue
# ---------------------------------------------------------------------------------------------


def catalogue_counts(store: Store) -> dict[str, tuple[int, int, set[str]]]:
    """Per số hiệu in the `catalogue` table: (citing texts, citing provisions, source kinds)."""
    c = schema.catalogue
    out: dict[str, tuple[int, int, set[str]]] = {}
    query = select(c.c.number, c.c.kind, func.count(func.distinct(c.c.citing)),
                   func.count()).group_by(c.c.number, c.c.kind)
    with store.engine.connect() as conn:
        for number, kind, texts, provisions in conn.execute(query):
            t, p, kinds = out.get(number, (0, 0, set()))
            out[number] = (t + texts, p + provisions, kinds | {kind})
    return out


def serial_ranges(store: Store) -> dict[tuple[str, int], tuple[int, int]]:
    """(ký hiệu after the year, year) → (how many numbers known, the highest serial): how far a
    series went that year, from the documents held, cited and catalogued."""
    numbers: set[str] = set(store.known_numbers())
    with store.engine.connect() as conn:
        numbers |= {r[0] for r in conn.execute(select(schema.catalogue.c.number).distinct())}
    out: dict[tuple[str, int], tuple[int, int]] = {}
    for number in numbers:
        if m := SERIAL_RE.match(number):
            key = (m[3], int(m[2]))
            count, top = out.get(key, (0, 0))
            out[key] = (count + 1, max(top, int(m[1])))
    return out


ISSUER_PREFIX_RE = re.compile(r"^(?:bộ trưởng|chủ tịch|chủ nhiệm|thống đốc|tổng kiểm toán|chánh án|viện trưởng)\s+", re.I)
ISSUER_ALIASES = {"thủ tướng": "thủ tướng chính phủ"}


def issuer_key(issuer: str) -> str:
    """An issuer's comparable name: "Bộ trưởng Bộ Tài chính" → "bộ tài chính"; "Thủ tướng" →
    "thủ tướng chính phủ" (a person's office stands for the ministry; the Prime Minister is not
    the Government)."""
    text = re.sub(r"\s+", " ", nfc(issuer)).strip().lower().replace("uỷ", "ủy")
    text = ISSUER_PREFIX_RE.sub("", text)
    text = re.sub(r"^ubnd\b", "ủy ban nhân dân", text)
    text = re.sub(r"^hđnd\b", "hội đồng nhân dân", text)
    return ISSUER_ALIASES.get(text, text)


def same_issuer(written: str, known: str) -> bool:
    """Whether two issuer names mean one body: equal once normalised, or one inside the other
    ("Ủy ban nhân dân tỉnh Lào Cai" / "Ủy ban nhân dân"), but "Thủ tướng Chính phủ" is not
    "Chính phủ"."""
    a, b = issuer_key(written), issuer_key(known)
    if a == b:
        return True
    if "thủ tướng" in a or "thủ tướng" in b:
        return False
    return a in b or b in a


def _vn(when: date | None) -> str:
    return when.strftime("%d/%m/%Y") if when else "?"
