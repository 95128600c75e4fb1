"""The catalogue of documents that exist: every số hiệu cited anywhere, with what the citing
texts say of it (ngày ban hành, cơ quan ban hành, trích yếu), where they disagree, and where
it is cited ("được dẫn chiếu tại …").

Two sources feed one view (`entry`, `entries`):
- the store's own texts: a document cited by an ingested text is a stub with "cites" /
  "based_on" relations (ingest/relations.py), nothing more to store;
- texts scanned without being ingested as law — the hỏi đáp pages, letters, notices — whose
  mentions are rows of the `catalogue` table (ingest/catalogue.py builds them, one source at a
  time, replaced whole: idempotent; an unchanged archive, by sha256, is skipped).

The checker grades an unknown số hiệu with it (drafting/checker/rules.py), `ccn docs` shows the source
of each document and `ccn currency` what the knowledge base lacks (`currency_report`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum

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
from kb.views import DocumentRow

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
    types: Counter = field(default_factory=Counter)  # as the citing texts write it

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
        names = list(self.issuers)
        if any(not same_issuer(a, b) for i, a in enumerate(names) for b in names[i + 1 :]):
            out.append("cơ quan ban hành: " + ", ".join(f"{i} ({n})" for i, n in self.issuers.most_common()))
        return out

    def cited_at(self) -> str:
        """ "được dẫn chiếu tại …": the count and a few examples."""
        where = "; ".join(self.examples[:MAX_EXAMPLES])
        more = len(self.texts) - min(len(self.texts), MAX_EXAMPLES)
        tail = f" và {more} văn bản khác" if more > 0 else ""
        return f"được dẫn chiếu tại {where}{tail}"


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
    if found.types:  # "Nghị quyết số 63/2025/QH15": the texts say which, the form cannot
        found.doc_type = found.types.most_common(1)[0][0]
    return found if found.texts else None


def _add_row(found: Entry, row) -> None:
    if row["doc_type"]:
        found.types[row["doc_type"]] += 1
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
    if doc is not None and doc.is_stub:
        if doc.doc_type:
            found.types[doc.doc_type] += 1
        if doc.issued:
            found.dates[doc.issued] += 1
        if doc.issuer and doc.issuer != issuer_from_number(found.number):
            found.issuers[doc.issuer] += 1
        if doc.title:
            found.titles[doc.title] += 1
    for rel in store.relations(to_doc=found.number):
        if rel.kind not in CITING_KINDS or rel.from_doc == found.number:
            continue
        found.kinds.add("texts")
        if rel.from_doc not in found.texts and len(found.examples) < MAX_EXAMPLES:
            found.examples.append(_provision_label(store, rel))
        found.texts.add(rel.from_doc)
        found.provisions.add((rel.from_doc, rel.from_pid or ""))


def _provision_label(store: Store, rel) -> str:
    source = store.document(rel.from_doc)
    name = render_short(rel.from_doc, source.doc_type if source else None)
    row = store.provision_by_pid(rel.from_pid) if rel.from_pid else None
    if row is not None and row.article is not None:
        address = Citation(rel.from_doc, row.part, row.annex, row.article, row.clause, row.point)
        return render(address, source.doc_type if source else None)
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
    ("Ủy ban nhân dân tỉnh Lào Cai" / "Ủy ban nhân dân"; a name read with words after it),
    but "Thủ tướng Chính phủ" is not "Chính phủ"."""
    a, b = issuer_key(written), issuer_key(known)
    if ("thủ tướng" in a) != ("thủ tướng" in b):
        return False
    return a in b or b in a


def _vn(when: date | None) -> str:
    return when.strftime("%d/%m/%Y") if when else "?"


# ---------------------------------------------------------------------------------------------
# Per document: where the knowledge base knows it from, and on what evidence (`ccn docs`)
# ---------------------------------------------------------------------------------------------

class SourceKind(StrEnum):
    """Where the knowledge base knows a document from (`ccn docs`, GET /api/documents `source`)."""

    TEXT = "text"  # its text is held
    NOTICE = "notice"  # known without its text from a notice file (ingest.notices)
    CATALOGUE = "catalogue"  # known only because texts cite it


SOURCE_TEXT: dict[SourceKind, str] = {
    SourceKind.TEXT: "toàn văn",
    SourceKind.NOTICE: "thông báo",
    SourceKind.CATALOGUE: "danh mục dẫn chiếu",
}


def source_kind(doc) -> SourceKind:
    """Where the knowledge base knows `doc` (a documents row) from."""
    if not doc.is_stub:
        return SourceKind.TEXT
    front = (doc.meta or {}).get("front_matter") or {}
    # the front matter's `source_kind` is the notice file's kind (ingest.notices), not a SourceKind
    return SourceKind.NOTICE if front.get("source_kind") == "notice" else SourceKind.CATALOGUE


def add_sources(store: Store, rows: list[DocumentRow]) -> list[DocumentRow]:
    """`ccn docs` rows (kb.lookup.document_rows) with `source` and `evidence`: the file of a
    text and what its status rests on; a notice's file and confidence; for a cited document,
    how many texts and provisions cite it and where."""
    docs = {d.key: d for d in store.documents()}
    paths = {s.id: (s.path, s.kind) for s in store.sources()}
    cited = _cited_by(store)
    for row in rows:
        doc = docs.get(row.key)
        if doc is None:
            continue
        row.source = source_kind(doc)
        row.evidence = _evidence(row, doc, paths, cited.get(row.key))
    return rows


def _evidence(row: DocumentRow, doc, paths: dict[int, tuple[str, str]], cited: tuple[set, set] | None) -> str:
    kind = source_kind(doc)
    if kind == SourceKind.NOTICE:
        front = (doc.meta or {}).get("front_matter") or {}
        return (f"thông báo {front.get('notice_file', '')} (nguồn: {front.get('source', '?')}; "
                f"độ tin cậy: {front.get('confidence', '?')}); toàn văn chưa có")
    if kind == SourceKind.CATALOGUE:
        if not cited:
            return "chỉ được dẫn chiếu"
        texts, provisions = cited
        return f"được dẫn chiếu tại {len(provisions)} quy định của {len(texts)} văn bản đã nạp; toàn văn chưa có"
    path, source = paths.get(doc.primary_source_id, ("", ""))
    basis = (row.status_note if row.replaced_by else
             label_only_note(doc) if row.status == "in_force" else row.status_note)
    where = "các điều hệ thống hóa trong Bộ pháp điển, tệp" if source == "compilation" else "tệp"
    return f"{where} {path.rsplit('/', 1)[-1].rsplit('!', 1)[-1]}" + (f"; {basis}" if basis else "")


def label_only_note(doc) -> str:
    stated = doc.stated_status
    return f"trạng thái theo nhãn của nguồn «{stated}», chưa xác minh" if stated else ""


def _cited_by(store: Store) -> dict[str, tuple[set, set]]:
    """to_doc → (citing documents, citing provisions), from the stored relations."""
    out: dict[str, tuple[set, set]] = {}
    for rel in store.relations():
        if rel.kind in CITING_KINDS and rel.from_doc != rel.to_doc:
            texts, provisions = out.setdefault(rel.to_doc, (set(), set()))
            texts.add(rel.from_doc)
            provisions.add((rel.from_doc, rel.from_pid or ""))
    return out


# ---------------------------------------------------------------------------------------------
# The currency report (`ccn currency`): what to obtain next
# ---------------------------------------------------------------------------------------------


def currency_report(store: Store, at: date, limit: int = 50) -> dict:
    """What the knowledge base lacks, at date `at`:
    - documents cited by texts in force but not held, ranked by how many provisions cite them;
    - notices whose text is still missing, and the provisions they affect;
    - statuses resting only on a source's label;
    - the newest document held ("cơ sở tri thức cập nhật đến …")."""
    from kb.model import Status
    from kb.validity import document_validity

    docs = {d.key: d for d in store.documents()}
    held = {k for k, d in docs.items() if not d.is_stub}
    validity = {k: document_validity(store, k, at) for k in held}
    in_force = {k for k, v in validity.items() if v.status == Status.IN_FORCE}
    return {
        "as_of": at.isoformat(),
        "current_to": _current_to(docs, held, at),
        "cited_not_held": _cited_not_held(store, docs, held, in_force, limit, at),
        "notices_without_text": _notices(store, docs, held),
        "label_only": [
            {"doc": docs[k].number or k, "type": docs[k].doc_type, "label": docs[k].stated_status,
             "note": label_only_note(docs[k])}
            for k in sorted(in_force) if docs[k].stated_status and not _derived(store, k)],
    }


def _current_to(docs: dict, held: set[str], at: date) -> dict | None:
    dated = [(docs[k].issued, k) for k in held if docs[k].issued and docs[k].issued <= at
             and docs[k].number and docs[k].doc_class == "norm"]
    if not dated:
        return None
    when, key = max(dated)
    name = render_short(docs[key].number or key, docs[key].doc_type)
    return {"date": when.isoformat(), "doc": docs[key].number or key,
            "text": f"cơ sở tri thức cập nhật đến {_vn(when)} (văn bản mới nhất: {name})"}


def _cited_not_held(store: Store, docs: dict, held: set[str], in_force: set[str], limit: int,
                    at: date) -> list[dict]:
    """Numbers cited by in-force texts (relations, and the ingested texts' own mentions in the
    catalogue) that the store holds no text of, most cited provisions first. A document the
    store knows to be repealed at `at` (NĐ 68/2017, replaced by NĐ 32/2024) is no gap."""
    from kb.model import Status
    from kb.validity import document_validity

    provisions: dict[str, set] = {}
    texts: dict[str, set] = {}

    def add(number: str, citing: str, where: str) -> None:
        provisions.setdefault(number, set()).add((citing, where))
        texts.setdefault(number, set()).add(citing)

    related: set[str] = set()
    for rel in store.relations():
        if rel.kind in ("cites", "based_on", "amends") and rel.from_doc in in_force and rel.to_doc not in held:
            add(rel.to_doc, rel.from_doc, rel.from_pid or "")
            related.add(rel.to_doc)
    c = schema.catalogue
    with store.engine.connect() as conn:
        for number, citing, address in conn.execute(
                select(c.c.number, c.c.citing, c.c.address).where(c.c.kind == "texts")):
            if citing in in_force and number not in held and number not in related:
                add(number, citing, address or "")
    out = []
    for number in sorted(provisions, key=lambda n: (-len(provisions[n]), n)):
        if len(out) >= limit:
            break
        if number in docs and document_validity(store, number, at).status == Status.REPEALED:
            continue
        known = entry(store, number) or Entry(number, doc_type_from_number(number))
        out.append({
            "doc": number,
            "type": known.doc_type,
            "issued": known.issued.isoformat() if known.issued else None,
            "issuer": known.issuer,
            "title": known.title,
            "citing_provisions": len(provisions[number]),
            "citing_texts": len(texts[number]),
            "examples": known.examples[:MAX_EXAMPLES],
            "hoidap_pages": _count_kind(store, number, "hoidap") if "hoidap" in known.kinds else 0,
            "disagreements": known.disagreements,
            "source": source_kind(docs[number]) if number in docs else SourceKind.CATALOGUE,
        })
    return out


def _count_kind(store: Store, number: str, kind: str) -> int:
    c = schema.catalogue
    with store.engine.connect() as conn:
        return conn.execute(select(func.count(func.distinct(c.c.citing)))
                            .where(c.c.number == number, c.c.kind == kind)).scalar() or 0


def _notices(store: Store, docs: dict, held: set[str]) -> list[dict]:
    """Documents known from notices (stored by ingest.notices, or catalogued from notice files)
    whose text is not held, with the provisions they amend or repeal."""
    c = schema.catalogue
    found: dict[str, dict] = {}
    with store.engine.connect() as conn:
        rows = list(conn.execute(select(c).where(c.c.kind == "notice")).mappings())
    own = {r["citing"]: r for r in rows if r["address"] is None}
    for file, row in own.items():
        found[row["number"]] = {"doc": row["number"], "type": row["doc_type"], "file": file,
                                "issued": row["issued"].isoformat() if row["issued"] else None,
                                "affects": [_affect_label(r["address"], r["number"])
                                            for r in rows if r["citing"] == file and r["address"]]}
    for key, doc in docs.items():
        if source_kind(doc) == SourceKind.NOTICE and key not in found:
            found[key] = {"doc": key, "type": doc.doc_type, "file": None,
                          "issued": doc.issued.isoformat() if doc.issued else None, "affects": []}
    for number, item in found.items():
        stated = [_relation_label(r) for r in store.relations(from_doc=number) if r.kind in ("amends", "repeals")]
        if stated:
            item["affects"] = stated
    return [v for k, v in sorted(found.items()) if k not in held]


UNKNOWN_PROVISIONS = " (điều khoản chưa rõ)"


def _affect_label(address: str, number: str) -> str:
    """ "sửa đổi Điều 8 Nghị định số 32/2024/NĐ-CP"; "sửa đổi Thông tư số 14/2024/TT-BCT
    (điều khoản chưa rõ)"."""
    if address.endswith(UNKNOWN_PROVISIONS):
        return f"{address.removesuffix(UNKNOWN_PROVISIONS)} {render_short(number)}{UNKNOWN_PROVISIONS}"
    return f"{address} {render_short(number)}"


def _relation_label(rel) -> str:
    address = Citation(rel.to_doc, rel.to_part, rel.to_annex, rel.to_article,
                       rel.to_clause, rel.to_point)
    verb = "sửa đổi" if rel.kind == "amends" else "bãi bỏ"
    what = render(address) if rel.to_article or rel.to_annex else render_short(rel.to_doc)
    return f"{verb} {what}"


def _derived(store: Store, key: str) -> bool:
    """Whether anything but the source's own label speaks of the document's validity: a
    relation ending or amending it."""
    return any(r.kind in ("replaces", "repeals", "amends") for r in store.relations(to_doc=key))


def format_currency(report: dict) -> str:
    """The currency report for the terminal."""
    current = report["current_to"]
    lines = [f"Báo cáo cập nhật tại ngày {date.fromisoformat(report['as_of']).strftime('%d/%m/%Y')}: "
             + (current["text"] if current else "cơ sở tri thức chưa có văn bản nào")]
    lines.append("")
    lines.append(f"Văn bản được văn bản còn hiệu lực dẫn chiếu nhưng chưa có toàn văn ({len(report['cited_not_held'])}):")
    for item in report["cited_not_held"]:
        name = render_short(item["doc"], item["type"])
        hoidap = f", {item['hoidap_pages']} trang hỏi đáp" if item["hoidap_pages"] else ""
        lines.append(f"  {name}: {item['citing_provisions']} quy định của {item['citing_texts']} văn bản"
                     f"{hoidap} (ví dụ {', '.join(item['examples'])})")
    lines.append("")
    lines.append(f"Thông báo chưa có toàn văn ({len(report['notices_without_text'])}):")
    for item in report["notices_without_text"]:
        lines.append(f"  {render_short(item['doc'], item['type'])} ({item['file'] or 'thông báo'}): "
                     f"{'; '.join(item['affects']) or 'không rõ quy định bị ảnh hưởng'}")
    lines.append("")
    lines.append(f"Trạng thái chỉ dựa trên nhãn của nguồn, chưa xác minh ({len(report['label_only'])}):")
    lines.extend(f"  {render_short(item['doc'], item['type'])}: «{item['label']}»" for item in report["label_only"][:30])
    if len(report["label_only"]) > 30:
        lines.append(f"  … và {len(report['label_only']) - 30} văn bản khác (--json: đầy đủ)")
    return "\n".join(lines)
