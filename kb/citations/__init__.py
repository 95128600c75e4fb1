"""The citation grammar: find, resolve and render Vietnamese provision citations (dẫn chiếu).

Pure functions, no database. Used by every layer: ingestion (relations "dẫn chiếu", "căn cứ"),
retrieval (queries like "khoản 2 Điều 8 NĐ 32"), drafting (canonical form) and evaluation.

Vocabulary (Nghị định 30/2020/NĐ-CP, Phụ lục II; ../shared/docs/citations.md):

- văn bản (document) and its số hiệu ("32/2024/NĐ-CP"), loại văn bản ("Nghị định"), cơ quan
  ban hành ("Chính phủ"), trích yếu (title: "về quản lý, phát triển cụm công nghiệp");
- Điều (article) > khoản (clause) > điểm (point: a b c d đ e g h i k l m n o p q r s t u v x y,
  sub-points a1, a2); Phụ lục (annex, Roman numeral); Mẫu số (form, inside an annex);
- Quy chế / Quy định "ban hành kèm theo Quyết định …" (part: an attached regulation with its
  own Điều numbering);
- relative citations: "khoản 3 Điều này" (this article), "khoản này" (this clause), "Điều 4"
  with no document and "Điều 9 Nghị định này" (this document).

Grammar, in the Vietnamese order (smallest unit first, document last)::

    mention  := chain [,] [của|thuộc|ban hành kèm theo] docref | docref
    chain    := unit ((,|;|và|hoặc|đến|của|các) unit)*
    unit     := điểm POINTS | khoản INTS | Điều INTS | Phụ lục ROMAN | Mẫu số X | Quy chế …
    NUMBER   := INT [/ YEAR] / SUFFIX             "32/2024/NĐ-CP"; "225/2025/NĐ- CP" (a space
                                                  after a hyphen, before capitals) is read whole

A document that follows a chain applies to every provision of the chain ("khoản 1 Điều 8 và
Điều 9 Nghị định số 32/2024/NĐ-CP", "khoản 3 Điều 22; khoản 2 Điều 45 của Nghị định số …" →
all in that document). Clauses before an article list belong to its first article only
("khoản 3 Điều 10, Điều 11" → khoản 3 Điều 10 and the whole Điều 11). A chain with no document is
relative to the enclosing document, except when it sits in a parenthesis right after a document
mention ("Nghị định số 32/2024/NĐ-CP (trong đó có quy định tại điểm c khoản 1 Điều 8)"): then it
refers to that document (`CitationMention.attached == "parenthetical"`). A bare chain that
merely follows a document mention in the same sentence keeps `relative="document"` and exposes
that document as `antecedent` (and the next document of the sentence, across ";", as
`postcedent`: ND 139/2025 writes "… quy định tại khoản 1 Điều 34; … tại khoản 3 Điều 34 Nghị định
số 32/2024/NĐ-CP"), for callers reading letters (công văn), which have no articles of their own.
Structural headings ("Điều 8. Tiêu chí …" at a line start) are not citations.

Short forms, in questions (`find_query_citations`; never applied to stored texts, where "K3" or
"d 13" may mean something else). `normalize_query_citations` rewrites them to the long form
above before the grammar runs::

    short    := art [.clause] | clause | point | doc-abbr NUMBER | unaccented
    art      := (Đ | D) [. | ' '] INT | (đ | d) [.] INT  "Đ13", "Đ 13", "đ.13", "d13" → Điều 13
                                                     ("đ 5" is money)
    clause   := K [. | ' '] INT | k [.] INT          "K3", "K 3", "k.3" → khoản 3
    point    := (Đ | đ | D | d) . POINT              "đ.c", "d.c" → điểm c
    art-dot  := Điều INT . INT                       "Điều 13.3" → khoản 3 Điều 13
    reversed := Điều INT [,] khoản INT [[,] điểm P]  "Điều 13 khoản 3" → khoản 3 Điều 13
    doc-abbr := CODE [ | . | -]                      "NĐ32", "nd 32/2024" → NĐ 32, NĐ 32/2024
                                                     (CODE: a `short` type's code in kb.doctypes,
                                                     NĐ TT TTLT QĐ NQ, in upper, capitalised or
                                                     lower case, with or without diacritics)
    unaccented := dieu | khoan | diem | phu luc | mau so | a `short` type's name (nghi dinh …)
                                                     "dieu 13 khoan 3" → khoản 3 Điều 13

Annex items (`Citation.annex_item`, the "annex_item" of the citation JSON): a path inside a
Phụ lục, read from the item's label (`annex_item_of`)::

    annex-item := [Phần (ROMAN | A–H) .] ROMAN [. INT]
                                                 "II.7": Mục II, item 7 ("Phần II.I.1" in Phần II,
                                                 "Phần A.III.6" in a Danh mục's part A)
                | (Biểu | Mẫu) số X               "Biểu số 01", "Mẫu số 03" (TT 14/2024)

rendered "mục II.7 Phụ lục I Nghị định số 30/2020/NĐ-CP", "Biểu số 01 Phụ lục I Thông tư số …".

Input may be NFC or NFD; matching runs on NFC text (plus the pdftotext glyph fix ƣ→ư) but
spans index the input string, and `raw == text[start:end]`.

Modules: `refs` (DocRef, CitationMention), `lexer` (tokens), `shortforms` (the short forms of
questions), `grammar` (chains, mentions, relative citations, annex items), `rendering` (canonical
text), `matching` (partial numbers). Import the names from this package: `from kb import
citations`, `citations.render(…)`.
"""

from kb.citations.grammar import (
    annex_clause,
    annex_item_of,
    annex_section,
    find_citations,
    find_query_citations,
    parse_one,
    resolve_relative,
    same_annex_item,
    stored_annex_item,
)
from kb.citations.matching import match_partial
from kb.citations.refs import POINT_LETTERS, CitationMention, DocRef
from kb.citations.rendering import render, render_full, render_short
from kb.citations.shortforms import normalize_query_citations
from kb.doctypes import (
    doc_type_from_number,
    is_complete_number,
    issuer_from_number,
    normalize_number,
)

__all__ = [
    "DocRef",
    "CitationMention",
    "find_citations",
    "find_query_citations",
    "normalize_query_citations",
    "annex_item_of",
    "annex_clause",
    "annex_section",
    "resolve_relative",
    "parse_one",
    "same_annex_item",
    "stored_annex_item",
    "render",
    "render_full",
    "render_short",
    "normalize_number",
    "is_complete_number",
    "doc_type_from_number",
    "issuer_from_number",
    "match_partial",
    "POINT_LETTERS",
]
