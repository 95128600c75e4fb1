"""The one domain model every layer shares: Citation, Document, Provision, Relation.

Vocabulary (Nghị định 30/2020/NĐ-CP, Phụ lục II; ../shared/docs/citations.md):
- văn bản (Document): identified by its số hiệu ("32/2024/NĐ-CP"), or by its file when unnumbered.
- quy định (Provision): a node of the text tree — Phần, Chương, Mục, Tiểu mục (containers),
  Điều (article), khoản (clause), điểm (point), Phụ lục (annex).
- Citation: a provision's address, the JSON object of citations.md.
- Relation: thay thế, bãi bỏ, sửa đổi bổ sung, căn cứ, dẫn chiếu between documents/provisions.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import PlainSerializer, TypeAdapter, WithJsonSchema

# Stored with each source; a file read by another version is read again (Store.file_state).
# 1.1.0: an address a document repeats keeps its own provision id (number_provisions).
# 1.2.0: a front matter's type is read through the registry ("nghi-dinh" → Nghị định; doctypes.registered_name).
# 1.3.0: annexes headed with OCR noise (". Phụ lục H", "Phụ lục IH"), or by the next numeral alone
#        ("Phụ lục II" after I); a Danh mục's lettered parts and misread Mục numerals (segments).
# 1.4.0: a file with the bytes of one stored under another name is read under that name: one
#        document with two files (Store.same_content_elsewhere).
PARSER_VERSION = "1.4.0"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


class Kind(StrEnum):
    """Kinds of provision node, outermost first."""

    PART = "phan"  # Phần
    CHAPTER = "chuong"  # Chương
    SECTION = "muc"  # Mục
    SUBSECTION = "tieu_muc"  # Tiểu mục
    ANNEX = "phu_luc"  # Phụ lục
    ARTICLE = "dieu"  # Điều
    CLAUSE = "khoan"  # khoản
    POINT = "diem"  # điểm
    PARAGRAPH = "doan"  # numbered point of a letter's body (công văn), or a free paragraph


CONTAINER_KINDS = frozenset({Kind.PART, Kind.CHAPTER, Kind.SECTION, Kind.SUBSECTION})


class DocClass(StrEnum):
    """What kind of text a document is, for validity and search."""

    NORM = "norm"  # văn bản quy phạm pháp luật (and Chỉ thị, Quyết định cá biệt): has hiệu lực
    ADMIN = "admin"  # văn bản hành chính: công văn, báo cáo, tờ trình… (past opinions)
    COMPILATION = "compilation"  # Bộ pháp điển topic: provisions belong to their source docs


class Status(StrEnum):
    """Validity (hiệu lực) at a date."""

    IN_FORCE = "in_force"
    NOT_YET = "not_yet_in_force"
    REPEALED = "repealed"
    UNKNOWN = "unknown"
    NOT_NORMATIVE = "not_normative"
    # a provision amended by a document known only from a notice: the wording held is the old one
    AMENDED_TEXT_MISSING = "amended_text_missing"


STATUS_TEXT: dict[Status, str] = {
    Status.IN_FORCE: "Còn hiệu lực",
    Status.NOT_YET: "Chưa có hiệu lực",
    Status.REPEALED: "Hết hiệu lực",
    Status.UNKNOWN: "Chưa xác định hiệu lực",
    Status.NOT_NORMATIVE: "Văn bản hành chính (không xét hiệu lực)",
    Status.AMENDED_TEXT_MISSING: "Đã được sửa đổi (chưa có toàn văn sửa đổi)",
}


# documents.stated_status of a document known from a Pháp điển compilation its manifest marks as
# not updated (ingest.compilation): kb.validity certifies nothing from it
STALE_COMPILATION = "pháp điển chưa cập nhật"

# documents.effective_note (prefix) of a text "có hiệu lực kể từ ngày ký" whose date of signing
# the text held does not give: in force since a date not known, but at the latest once it is held
FROM_SIGNING_UNDATED = "có hiệu lực từ ngày ký, ngày ký chưa xác định"


class RelationKind(StrEnum):
    REPLACES = "replaces"  # thay thế (also: the old one "hết hiệu lực kể từ ngày …")
    REPEALS = "repeals"  # bãi bỏ
    AMENDS = "amends"  # sửa đổi, bổ sung (down to a provision when known)
    BASED_ON = "based_on"  # căn cứ
    CITES = "cites"  # dẫn chiếu ("theo quy định tại khoản 2 Điều 8 Nghị định số …")
    NOTES_END = "notes_end"  # a lower text notes that a higher one lapses: evidence, not a repeal


RELATION_TEXT: dict[RelationKind, str] = {  # as a line reads: "<text> <the other document>"
    RelationKind.REPLACES: "thay thế",
    RelationKind.REPEALS: "bãi bỏ",
    RelationKind.AMENDS: "sửa đổi, bổ sung",
    RelationKind.BASED_ON: "căn cứ",
    RelationKind.CITES: "dẫn chiếu",
    RelationKind.NOTES_END: "ghi nhận hết hiệu lực",
}


class Confidence(StrEnum):
    """Where a relation was read, strongest first: the stating text itself, the source's YAML
    front matter, its metadata table ("THÔNG TIN VĂN BẢN"), an inference from other texts,
    a crawl-time label."""

    TEXT = "text"
    FRONT_MATTER = "front_matter"
    METADATA_TABLE = "metadata_table"
    INFERRED = "inferred"
    LABEL = "label"


@dataclass(frozen=True, slots=True)
class Citation:
    """A provision's address: the JSON object of ../shared/docs/citations.md.

    `doc` is the số hiệu as printed (NFC). `part` is null for the main text, "Quy chế" /
    "Quy định" for a regulation attached to a decision. `annex` is a Roman numeral. `clause`
    null means the whole article; `point` null the whole clause.
    """

    doc: str | None
    part: str | None = None
    annex: str | None = None
    article: int | None = None
    clause: int | None = None
    point: str | None = None
    annex_item: str | None = None  # an item inside an annex: "II.7" (Mục II, item 7), "Biểu số 01"

    def to_dict(self) -> dict:
        """The JSON object; "annex_item" only when set (an annex's item, citations.md)."""
        data = asdict(self)
        if data["annex_item"] is None:
            del data["annex_item"]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Citation:
        return cls(
            doc=nfc(data["doc"]) if data.get("doc") else None,
            part=data.get("part"),
            annex=data.get("annex"),
            article=data.get("article"),
            clause=data.get("clause"),
            point=data.get("point"),
            annex_item=data.get("annex_item"),
        )

    def key(self) -> str:
        """A textual key unique per address, used for stable identifiers (an annex item's nodes
        are told apart by their label, Provision.pid: the key leaves annex_item out)."""
        return "|".join(
            "" if v is None else str(v)
            for v in (self.doc, self.part, self.annex, self.article, self.clause, self.point)
        )

    def with_doc(self, doc: str | None) -> Citation:
        return Citation(doc, self.part, self.annex, self.article, self.clause, self.point, self.annex_item)

    def parent(self) -> Citation | None:
        if self.point is not None:
            return Citation(self.doc, self.part, self.annex, self.article, self.clause)
        if self.clause is not None:
            return Citation(self.doc, self.part, self.annex, self.article)
        return None


# A Citation inside a pydantic result (the API's response models): written as citations.md's
# object by `to_dict`, described in the OpenAPI schema by its own fields.
CitationJSON = Annotated[Citation, PlainSerializer(Citation.to_dict, return_type=dict),
                         WithJsonSchema(TypeAdapter(Citation).json_schema(), mode="serialization")]


def stable_id(*parts: object) -> str:
    """A short identifier derived only from content (never from ingestion order)."""
    raw = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(nfc(raw).encode("utf-8")).hexdigest()[:16]


def number_provisions(nodes: Iterable[Provision]) -> None:
    """Document order (`ordinal`), and `occurrence` for an address met again in the same
    document — a notice with two numbered lists ("1. … 2. …" twice), an annex label written
    twice —, so that the second keeps its own pid instead of hiding the first."""
    seen: Counter[str] = Counter()
    for ordinal, node in enumerate(nodes):
        node.ordinal, node.occurrence = ordinal, 0
        pid = node.pid
        node.occurrence = seen[pid]
        seen[pid] += 1


def doc_key_for(number: str | None, fallback: str) -> str:
    """A document's key: its số hiệu when it has one, else 'file:<fallback>'."""
    return nfc(number) if number else f"file:{nfc(fallback)}"


@dataclass(slots=True)
class Provision:
    """One node of a document's text tree, with its exact text.

    `text` is the normalised text of the node itself including its heading line (for an article
    "Điều 8. Điều kiện …" and every clause below it, for a clause its points too): what a
    specialist quotes. `original` is the text before normalisation when it differs (audit).
    """

    kind: Kind
    label: str  # "Điều 8", "khoản 2", "điểm c", "Chương II", "Phụ lục I"
    citation: Citation
    text: str
    title: str = ""  # article / chapter / annex title
    original: str | None = None
    children: list[Provision] = field(default_factory=list)
    container_path: tuple[str, ...] = ()  # ("Chương II. PHƯƠNG ÁN …", "Mục 1. …")
    ordinal: int = 0  # position in document order, filled by the parser
    source_label: str | None = None  # the label in a compilation ("Điều 7.5.NĐ.1")
    occurrence: int = 0  # an address met again in its document: 1, 2 … (number_provisions)

    @property
    def pid(self) -> str:
        """Stable provision id: from the document and the address (and label for containers);
        an address the document repeats gets its occurrence too."""
        container = self.kind in CONTAINER_KINDS
        nested = container or self.kind == Kind.PARAGRAPH  # a letter's points repeat per section
        parts: list[object] = [self.citation.key(), self.kind.value, self.label if container else "",
                               "/".join(self.container_path) if nested else ""]
        if self.occurrence:
            parts.append(f"#{self.occurrence}")
        return stable_id(*parts)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(slots=True)
class Relation:
    """An edge between documents or provisions, as the text states it."""

    kind: RelationKind
    source_doc: str  # doc_key of the document that states the relation
    target_doc: str  # số hiệu (or doc_key) of the document it acts on / mentions
    source: Citation | None = None  # the provision that states it
    source_pid: str | None = None
    target: Citation | None = None  # the provision acted on / cited, when known
    effective: date | None = None  # from when the relation takes effect
    new_text: str | None = None  # AMENDS: the provision's new wording
    evidence: str = ""  # the sentence that states it
    confidence: str = "text"  # Confidence: where it was read (text, front matter, metadata table)


@dataclass(slots=True)
class Document:
    """A parsed document: metadata, provisions tree, relations, parse warnings."""

    number: str | None  # số hiệu, NFC, spaces removed ("16/2026/QĐ-UBND")
    doc_type: str | None  # loại văn bản: "Nghị định", "Thông tư", "Công văn" …
    doc_class: DocClass = DocClass.NORM
    issuer: str | None = None  # cơ quan ban hành
    parent_issuer: str | None = None  # cơ quan chủ quản
    place: str | None = None  # địa danh
    issued: date | None = None
    effective: date | None = None
    effective_note: str = ""  # the sentence the effective date was read from
    expires: date | None = None  # when the text says it ends ("đến hết ngày …")
    title: str = ""  # trích yếu ("Về quản lý, phát triển cụm công nghiệp")
    subject: str = ""  # V/v of a công văn
    recipients: list[str] = field(default_factory=list)  # Kính gửi
    bases: list[str] = field(default_factory=list)  # căn cứ
    signer: str | None = None
    signer_title: str | None = None  # chức vụ
    signer_authority: str | None = None  # quyền hạn ký: TM., KT., TL., Q.
    distribution: list[str] = field(default_factory=list)  # Nơi nhận
    provisions: list[Provision] = field(default_factory=list)  # top-level nodes
    relations: list[Relation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    front_matter: dict = field(default_factory=dict)
    stated_status: str | None = None  # "Trạng thái" as a source states it (not trusted alone)
    stubs: list[Document] = field(default_factory=list)  # documents cited but not in the text
    partial: bool = False  # the file holds only annexes / an attached part of this document
    file_name: str = ""  # the file it was read from: the key of an unnumbered document

    @property
    def key(self) -> str:
        """Số hiệu, else the file's name without its extension: the .docx and the .txt of one
        letter are one document (the store shows the better format, FORMAT_RANK)."""
        stem = self.file_name.rsplit(".", 1)[0] if "." in self.file_name else self.file_name
        return doc_key_for(self.number, stem or self.title or "untitled")

    def all_provisions(self):
        for top in self.provisions:
            yield from top.walk()

    def articles(self, part: str | None = None, annex: str | None = None) -> list[Provision]:
        return [
            p
            for p in self.all_provisions()
            if p.kind == Kind.ARTICLE and p.citation.part == part and p.citation.annex == annex
        ]
