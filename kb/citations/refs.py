"""The results of the citation grammar (kb.citations): a document mention (`DocRef`) and a
citation found in a text (`CitationMention`), with the addresses (`kb.model.Citation`) it names."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from kb.model import Citation

POINT_LETTERS = "abcdđeghiklmnopqrstuvxy"  # Vietnamese point letters: đ after d; no f j w z


@dataclass(frozen=True, slots=True)
class DocRef:
    """A mention of a văn bản.

    `number` is the normalised số hiệu ("32/2024/NĐ-CP"), or a partial one ("32/2024", "32")
    with `complete=False`. `informal` marks an abbreviated type or a bare number ("NĐ 32").
    `this_document` is "Nghị định này", "Quy chế này" …. Named laws without a number ("Luật
    Đất đai 2024") carry `name` and `year` and `number=None`. `issued`, `issuer` and `title` are
    read from a full-form mention ("… ngày 25 tháng 5 năm 2017 của Chính phủ về …"); the
    title is not part of the mention's span.
    """

    raw: str
    doc_type: str | None = None
    number: str | None = None
    number_raw: str | None = None
    complete: bool = False
    informal: bool = False
    this_document: bool = False
    name: str | None = None
    year: int | None = None
    issued: date | None = None
    issuer: str | None = None
    title: str | None = None

    @property
    def identified(self) -> bool:
        """True when the document is pinned down: a full số hiệu, or a named law and its year."""
        return self.complete or (self.name is not None and self.year is not None)


@dataclass(slots=True)
class CitationMention:
    """One citation found in a text.

    `targets` are the addresses mentioned (enumerations expanded), `doc` set when the document
    is complete. `relatives[i]` says what target i still needs from its context: None (absolute),
    "document" (the enclosing văn bản), "article" (the enclosing Điều: "khoản 3 Điều này"),
    "clause" (the enclosing khoản: "điểm a khoản này"). `part` is "Quy chế"/"Quy định" when the
    mention names an attached regulation; `forms` the "Mẫu số" labels met.
    """

    span: tuple[int, int]
    raw: str
    doc_ref: DocRef | None
    targets: list[Citation] = field(default_factory=list)
    relatives: list[str | None] = field(default_factory=list)
    part: str | None = None
    forms: list[str] = field(default_factory=list)
    attached: str | None = None  # "parenthetical" when the doc came from a preceding mention
    antecedent: DocRef | None = None  # nearest preceding document in the same sentence
    postcedent: DocRef | None = None  # next document in the same sentence (across ";")

    @property
    def relative(self) -> str | None:
        """The most specific context any target needs ("clause" > "article" > "document")."""
        levels = set(self.relatives)
        if not self.targets and self.doc_ref is not None and self.doc_ref.this_document:
            return "document"
        for level in ("clause", "article", "document"):
            if level in levels:
                return level
        return None
