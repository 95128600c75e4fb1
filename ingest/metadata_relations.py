"""Relations a source's metadata states: YAML front matter and the "THÔNG TIN VĂN BẢN" table.

Sources name the documents a text replaces under many keys (`thay_the`, `van_ban_thay_the`,
`replaces`, `vb-bi-thay-the`, `van_ban_bai_bo`, `van-ban-bi-bai`, `repeals_partial`, `amends`,
`sua_doi`, `van_ban_duoc_sua_doi`, table rows "Thay thế", "Văn bản bị bãi bỏ" …) and in free
words ("Nghị định 14/2021/NĐ-CP; bãi bỏ Điều 4 Nghị định 07/2022/NĐ-CP", "151/2024/NĐ-CP (một
phần)", "Thông tư 10/2025/TT-BNV (sửa đổi, bổ sung một số điều)"). Each item becomes one relation:

- a whole document replaced (thay thế) or repealed (bãi bỏ);
- provisions repealed ("Điều 60 Nghị định số 38/2024/NĐ-CP"): a repeal of those provisions;
- a part without an address ("(một phần)", "Phần hợp đồng xây dựng của …"): a document-level
  amendment, never a replacement;
- an amendment ("sửa đổi, bổ sung"), also when a "thay thế" field names the very document the
  title says it amends ("Sửa đổi, bổ sung một số điều của Thông tư số 15/2025/TT-BGDĐT").

Each relation keeps the field and its value as evidence, and the confidence of its source
(front_matter for the YAML, metadata_table for the table). Metadata is weaker than the text:
where the text states the same, both are kept and the text's wording is what the reader sees.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ingest.readers.markdown import METADATA_TABLE, slug_key
from kb.citations import find_citations, normalize_number
from kb.model import Citation, Confidence, Document, Relation, RelationKind

# slugged field name → what its items are, unless an item's own words say otherwise
FIELD_KINDS: dict[str, RelationKind] = {
    "thay_the": RelationKind.REPLACES, "replaces": RelationKind.REPLACES,
    "van_ban_thay_the": RelationKind.REPLACES, "vb_bi_thay_the": RelationKind.REPLACES,
    "van_ban_bi_thay_the": RelationKind.REPLACES, "thay_doi": RelationKind.REPLACES,
    "thay_the_sua_doi": RelationKind.REPLACES,
    "van_ban_bai_bo": RelationKind.REPEALS, "van_ban_bi_bai": RelationKind.REPEALS,
    "van_ban_bi_bai_bo": RelationKind.REPEALS, "bai_bo": RelationKind.REPEALS,
    "repeals": RelationKind.REPEALS, "repeals_partial": RelationKind.REPEALS,
    "amends": RelationKind.AMENDS, "sua_doi": RelationKind.AMENDS,
    "van_ban_duoc_sua_doi": RelationKind.AMENDS, "van_ban_sua_doi": RelationKind.AMENDS,
    "sua_doi_bo_sung": RelationKind.AMENDS,
}
# fields that list related documents; only items marked "(bãi bỏ)" / "(thay thế)" count
RELATED_FIELDS = frozenset({"van_ban_lien_quan"})
PARTIAL_FIELDS = frozenset({"repeals_partial"})

BARE_NUMBER_RE = re.compile(r"(?<![\w/])(\d{1,4}[a-z]?/\d{4}/[A-ZĐ][\wĐđ]*(?:-[\wĐđ]+)*)")
PART_WORDS_RE = re.compile(
    r"một phần|(?<!\w)(?:phần|chương|mục|điều|khoản|điểm|phụ lục|biểu mẫu)\s+(?:[\dIVXLC]+\b|[a-zđ]\b)", re.IGNORECASE
)
AMEND_WORDS_RE = re.compile(r"sửa đổi|bổ sung", re.IGNORECASE)
REPEAL_WORDS_RE = re.compile(r"bãi bỏ", re.IGNORECASE)
REPLACE_MARK_RE = re.compile(r"\((?:bãi bỏ|thay thế|hết hiệu lực)\)", re.IGNORECASE)
TITLE_AMENDS_RE = re.compile(r"sửa đổi|bổ sung", re.IGNORECASE)
HISTORY_RE = re.compile(r"\((?:đã |được )[^)]*\)")
ITEM_SPLIT_RE = re.compile(r";|\s+—\s+|\n")


def metadata_relations(doc: Document, self_number: str) -> list[Relation]:
    """The relations doc.front_matter (YAML and metadata table) states, one per item."""
    fm = doc.front_matter or {}
    table = fm.get(METADATA_TABLE) or {}
    amended_in_title = _title_targets(doc)
    found: list[Relation] = []
    for key, value in fm.items():
        if key == METADATA_TABLE:
            continue
        slug = slug_key(str(key))
        kind = FIELD_KINDS.get(slug)
        if kind is None and slug not in RELATED_FIELDS:
            continue
        confidence = Confidence.METADATA_TABLE if key in table and table[key] == value else Confidence.FRONT_MATTER
        for item in _items(value):
            if slug in RELATED_FIELDS and not REPLACE_MARK_RE.search(item):
                continue
            for rel in _item_relations(item, kind or RelationKind.REPEALS, slug, self_number, amended_in_title):
                rel.evidence = f"{key}: {item}"[:500]
                rel.confidence = confidence.value
                found.append(rel)
    return _unique(found)


def _items(value: object) -> Iterator[str]:
    if isinstance(value, list | tuple):
        for element in value:
            yield from _items(element)
    elif isinstance(value, str) and value.strip() and value.strip().lower() not in ("không", "false"):
        for part in ITEM_SPLIT_RE.split(value):
            if part.strip():
                yield part.strip()


def _item_relations(item: str, kind: RelationKind, slug: str, self_number: str,
                    amended_in_title: set[str]) -> list[Relation]:
    """One item of a field: which documents (or provisions), and whether whole, part or amendment."""
    out: list[Relation] = []
    head = HISTORY_RE.sub("", item)  # "(đã sửa đổi bởi …)": the target's history, not this relation
    mentions = [m for m in find_citations(head) if m.doc_ref is not None and m.doc_ref.complete]
    numbers = {normalize_number(m.doc_ref.number) for m in mentions if m.doc_ref}
    for match in BARE_NUMBER_RE.finditer(head):
        numbers.add(normalize_number(match.group(1)))
    numbers.discard(self_number)
    targets = {t.with_doc(normalize_number(m.doc_ref.number)) for m in mentions if m.doc_ref
               for t in m.targets if t.article is not None}
    item_kind = _item_kind(item, kind)
    partial = slug in PARTIAL_FIELDS or bool(PART_WORDS_RE.search(item))
    for number in sorted(numbers):
        provisions = sorted((t for t in targets if t.doc == number), key=lambda c: c.key())
        if item_kind == RelationKind.AMENDS or (item_kind == RelationKind.REPLACES and number in amended_in_title):
            out.append(Relation(RelationKind.AMENDS, self_number, number))
        elif provisions:
            out.extend(Relation(RelationKind.REPEALS, self_number, number, target=t) for t in provisions)
        elif partial:
            out.append(Relation(RelationKind.AMENDS, self_number, number))  # an unaddressed part
        else:
            out.append(Relation(item_kind, self_number, number))
    return out


def _item_kind(item: str, kind: RelationKind) -> RelationKind:
    """An item's own words win over its field: "(sửa đổi, bổ sung một số điều)" under thay_the is
    an amendment; "Bãi bỏ Thông tư …" under thay_the a repeal. Words inside "(đã sửa đổi bởi …)"
    describe the target's history, not this relation."""
    head = HISTORY_RE.sub("", item)
    if AMEND_WORDS_RE.search(head) and not REPEAL_WORDS_RE.search(head) and "thay thế" not in head.lower():
        return RelationKind.AMENDS
    if REPEAL_WORDS_RE.search(head) and kind == RelationKind.REPLACES:
        return RelationKind.REPEALS
    return kind


def _title_targets(doc: Document) -> set[str]:
    """Documents the title (or trích yếu) says this one amends: "Sửa đổi, bổ sung … của Thông tư
    số 15/2025/TT-BGDĐT" — a "thay thế" field naming one of them is an amendment."""
    texts = [doc.title or "", str((doc.front_matter or {}).get("trich_yeu") or "")]
    found: set[str] = set()
    for text in texts:
        match = TITLE_AMENDS_RE.search(text)
        if not match:
            continue
        tail = text[match.start():]
        found |= {normalize_number(m.doc_ref.number) for m in find_citations(tail)
                  if m.doc_ref is not None and m.doc_ref.complete}
        found |= {normalize_number(x) for x in BARE_NUMBER_RE.findall(tail)}
    return found


def _unique(relations: list[Relation]) -> list[Relation]:
    seen: set[tuple] = set()
    out = []
    for rel in relations:
        key = (rel.kind, rel.target_doc, rel.target or Citation(None))
        if key not in seen:
            seen.add(key)
            out.append(rel)
    return out
