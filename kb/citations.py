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

    annex-item := [Phần ROMAN .] ROMAN [. INT]   "II.7": Mục II, item 7 ("Phần II.I.1" in Phần II)
                | (Biểu | Mẫu) số X               "Biểu số 01", "Mẫu số 03" (TT 14/2024)

rendered "mục II.7 Phụ lục I Nghị định số 30/2020/NĐ-CP", "Biểu số 01 Phụ lục I Thông tư số …".

Input may be NFC or NFD; matching runs on NFC text (plus the pdftotext glyph fix ƣ→ư) but
spans index the input string, and `raw == text[start:end]`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from kb import doctypes
from kb.doctypes import FULL_NUMBER_RE, normalize_number
from kb.doctypes import doc_type_from_number as doc_type_from_number
from kb.doctypes import is_complete_number as is_complete_number
from kb.doctypes import issuer_from_number as issuer_from_number
from kb.model import Citation, nfc

__all__ = [
    "DocRef",
    "CitationMention",
    "find_citations",
    "find_query_citations",
    "normalize_query_citations",
    "annex_item_of",
    "annex_section",
    "resolve_relative",
    "parse_one",
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

POINT_LETTERS = "abcdđeghiklmnopqrstuvxy"  # Vietnamese point letters: đ after d; no f j w z

# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Lexicon
# ---------------------------------------------------------------------------------------------

_S = r"(?:[^\S\n]+(?:\n[^\S\n]*)?|\n[^\S\n]*)"  # whitespace with at most one line break
_S0 = rf"(?:{_S})?"
_SL = r"[^\S\n]*/[^\S\n]*"
# "NĐ-CP"; "NĐ- CP" (a space after the hyphen, an OCR or line-wrap artefact) only before capitals
_SUFFIX = r"[A-ZĐ][A-Za-zĐđ0-9]*(?:-(?:[A-ZĐ][A-Za-zĐđ0-9]*|[^\S\n][A-ZĐ]{2,}(?![\w-])))*"
_NUM_FULL = (
    rf"\d+[a-z]?(?:-[A-ZĐ]+)?{_SL}(?:\d{{4}}{_SL})?{_SUFFIX}"
    r"|\d+-[A-ZĐ]{2,}(?![\w/-])"  # old style "74-CP", "167-HĐBT"
)
_NUM_PARTIAL = rf"\d+{_SL}\d{{4}}(?![\w/])"
_NUM_BARE = r"\d{1,4}(?![\w/])"
_INT = r"\d{1,4}(?![\w/])"
_POINT = rf"[{POINT_LETTERS}]\d{{0,2}}(?!\w)"
_LISTSEP = rf"(?:{_S0},{_S0}|{_S}(?:và|hoặc|hay|đến|tới){_S})"
_VA = rf"(?:{_S0},{_S0}|{_S}(?:và|hoặc|hay){_S})"


# Loại văn bản come from kb.doctypes: "<name> số …" for its `cited` types, "NĐ 32/2024" for its
# `short` codes, "<name> này" for its norms, "Luật <name> <year>" for its `named` types.
def _type_alt() -> str:
    return doctypes.name_alternation(lambda t: t.cited, doctypes.any_case, _S)


def _abbr_alt() -> str:
    return doctypes.code_alternation(lambda t: t.short)


def _this_alt() -> str:
    return doctypes.name_alternation(lambda t: t.self_cited, sep=_S)


def _named_alt() -> str:
    """ "Bộ [Ll]uật|Luật|…": the first word as written, the others in either case."""
    names = (t.name.split(" ", 1) for t in doctypes.select(lambda t: t.named))
    return "|".join(
        re.escape(n[0]) + (_S + doctypes.alternation(n[1:], doctypes.any_case, _S) if n[1:] else "")
        for n in names
    )


def _part_alt() -> str:
    """Parts of a document: the `attached` types (Quy chế, Quy định, Điều lệ) and a Quy trình."""
    return f"{doctypes.name_alternation(lambda t: t.attached, sep=_S)}|Quy{_S}trình"


def _keyword_letters() -> str:
    """First letters a keyword may start with (units and document types, both cases)."""
    starts = {"Đ", "K", "P", "M", "Q"} | {t.name[0] for t in doctypes.select(lambda t: t.cited or t.attached)}
    starts |= {t.code[0] for t in doctypes.select(lambda t: t.short)}
    return "".join(sorted({c for s in starts for c in (s.upper(), s.lower())}))


# Token regexes, each tried with .match() at a keyword found by _KEYWORD.
_KEM_THEO = rf"(?:được{_S})?(?:ban{_S}hành{_S})?kèm(?:{_S}theo)?(?!\w)"
_P_RE = re.compile(rf"[Đđ]iểm{_S}(?P<v>này(?!\w)|{_POINT}(?:{_LISTSEP}(?:[Đđ]iểm{_S})?{_POINT})*)")
_K_RE = re.compile(rf"[Kk]hoản{_S}(?P<v>này(?!\w)|{_INT}(?:{_LISTSEP}(?:[Kk]hoản{_S})?{_INT})*)")
_D_RE = re.compile(rf"[Đđ]iều{_S}(?P<v>này(?!\w)|{_INT}(?:{_LISTSEP}(?:[Đđ]iều{_S})?{_INT})*)")
_A_RE = re.compile(rf"Phụ{_S}lục{_S}(?:số{_S})?(?P<v>[IVXLC]+|\d{{1,2}})(?!\w)")
_F_RE = re.compile(rf"[Mm]ẫu{_S}(?:số{_S})?(?P<v>\d+[\w.\-]*)(?<![.\-])")
_Q_RE = doctypes.Pattern(lambda: (
    rf"(?P<q>{_part_alt()})(?:{_S}(?P<this>này)(?!\w)"
    rf"|(?P<qname>(?:{_S}[\w,]+){{0,25}}?){_S}{_KEM_THEO}"
    rf"|{_S}(?:số{_S0})?(?P<num>{_NUM_FULL}))"
))
_DOC_NUM_RE = doctypes.Pattern(lambda: (
    rf"(?P<t>{_type_alt()})(?:{_S}(?P<so>số))?{_S0}"
    rf"(?P<num>{_NUM_FULL}|{_NUM_PARTIAL}|{_NUM_BARE})"
))
_DOC_ABBR_RE = doctypes.Pattern(lambda: (
    rf"(?P<t>{_abbr_alt()})(?:{_S0}|-)(?:số{_S0})?(?P<num>{_NUM_FULL}|{_NUM_PARTIAL}|{_NUM_BARE})"
))
_DOC_THIS_RE = doctypes.Pattern(lambda: rf"(?P<t>{_this_alt()}){_S}này(?!\w)")
_NAMED_START_RE = doctypes.Pattern(lambda: rf"(?P<t>{_named_alt()}){_S}")
_NAME_YEAR_RE = re.compile(
    rf"(?P<name>[^\W\d_][\w]*(?:,?{_S}[^\W\d_][\w]*){{0,20}}?){_S}(?:năm{_S})?"
    r"(?P<year>(?:19|20)\d{2})(?![\d/])"
)
_YEAR_RE = re.compile(rf"(?:năm{_S})?(?P<year>(?:19|20)\d{{2}})(?![\d/])")
_NUMBER_AHEAD_RE = re.compile(rf"(?<!\w)số{_S0}\d")
_NAME_WORD_RE = re.compile(rf"{_S}?(?P<w>[^\W\d_]\w*)")
_NAME_HARD_STOP = frozenset(
    ("ngày", "như", "thì", "có", "đã", "là", "nêu", "về", "được", "này", "đó", "nên", "đều")
)
_NAME_STOP = _NAME_HARD_STOP | {
    "số",
    "năm",
    "theo",
    "hiện",
    "mới",
    "sau",
    "trên",
    "cũng",
    "và",
    "hoặc",
    "quy",
    "hướng",
    "tại",
    "của",
    "cho",
    "khi",
    "do",
    "gồm",
    "bao",
    "sẽ",
    "với",
    "mà",
    "để",
    "trong",
}

_KEYWORD = doctypes.Pattern(lambda: (  # the lookahead on first letters lets the engine skip fast
    rf"(?=[{_keyword_letters()}])(?<!\w)(?:[Đđ]iểm|[Kk]hoản|[Đđ]iều|Phụ{_S}lục|[Mm]ẫu|{_part_alt()}"
    rf"|{_type_alt()}|{_abbr_alt()})(?!\w)"
))

_META_RE = re.compile(
    rf"(?:{_S0},?{_S0}(?:được{_S})?(?:ban{_S}hành{_S})?ngày{_S}(?P<d>\d{{1,2}})"
    rf"(?:{_S}tháng{_S}|{_S0}[/.\-]{_S0})(?P<m>\d{{1,2}})"
    rf"(?:{_S}năm{_S}|{_S0}[/.\-]{_S0})(?P<y>\d{{4}})(?!\d))?"
    rf"(?:{_S}năm{_S}(?P<yo>\d{{4}})(?!\d))?"
)
_ISSUER_END = (
    rf"(?={_S}(?:về|[Qq]uy{_S}định|[Hh]ướng{_S}dẫn|[Bb]an{_S}hành|[Ss]ửa{_S}đổi|[Bb]ãi{_S}bỏ"
    rf"|[Pp]hê{_S}duyệt|[Tt]hành{_S}lập|[Qq]uy{_S}chế|thì|đã|là|có|được|tại|và|đối{_S}với"
    rf"|nhận|gửi|trong)(?!\w)|{_S0}[;:,.()\"”]|{_S0}$)"
)
_ISSUER_RE = re.compile(rf"{_S}của{_S}(?P<issuer>[^\W\d_][^;:,.()\"”]{{0,120}}?){_ISSUER_END}")
_TITLE_RE = re.compile(
    rf"{_S}(?P<title>(?:về|[Qq]uy{_S}định|[Hh]ướng{_S}dẫn|[Bb]an{_S}hành|[Ss]ửa{_S}đổi"
    rf"|[Bb]ãi{_S}bỏ|[Pp]hê{_S}duyệt|[Tt]hành{_S}lập|[Qq]uy{_S}chế)(?!\w)"
    r"[^;:()\n]*(?:\n(?![^\S\n]*\n)(?![^\S\n]*(?:[-+•*]|\d+[.)]|[a-zđ]\)|Căn cứ|Điều \d))"
    r"[^;:()\n]*){0,4})"
)
_TITLE_CUT_RE = doctypes.Pattern(lambda: (
    rf"\.(?:\s|$)|(?<!\w)(?:{_type_alt()}){_S}(?:số{_S0})?\d|Căn{_S}cứ"
    rf"|{_S}(?:có{_S}hiệu{_S}lực|thì|tiếp{_S}tục|đã{_S}được|được{_S}cơ{_S}quan)(?!\w)"
))
_TITLE_TAIL_RE = re.compile(r"(?:\s+(?:của|tại|bởi|theo|và))+$")

_GAP_CHAIN_RE = re.compile(
    rf"{_S0}(?:[,;]{_S0})?(?:(?:và|hoặc|hay|đến|tới|của|các|cùng|từ)(?:{_S}|$))*"
)
_GAP_DOC_RE = re.compile(rf"{_S0},?{_S0}(?:(?:của|thuộc)(?:{_S}|$)|{_KEM_THEO}(?:{_S}|$))?")
_GAP_PART_RE = re.compile(rf"{_S0}(?:(?:của|thuộc)(?:{_S}|$))?")
_HEADING_PREFIX_RE = re.compile(r"[\s#*>_|]*")
_THIS_STANDALONE_RE = re.compile(r"(?:tại|theo|của|trong|và)\s+$")
_SENTENCE_BREAK_RE = re.compile(r"[.;!?](?:\s|$)|\n\s*\n")
_PERIOD_BREAK_RE = re.compile(r"[.!?](?:\s|$)|\n\s*\n")
_WS_RE = re.compile(r"\s+")
# 1:1 replacements (spans stay valid): pdftotext glyphs, markdown emphasis read as spaces
_GLYPHS = (("ƣ", "ư"), ("Ƣ", "Ư"), ("*", " "), ("_", " "))


def _fix_glyphs(text: str) -> str:
    for old, new in _GLYPHS:
        if old in text:
            text = text.replace(old, new)
    return text


# ---------------------------------------------------------------------------------------------
# Partial numbers ("NĐ 32/2024"); full ones, types and issuers are read in kb.doctypes
# ---------------------------------------------------------------------------------------------

_PARTIAL_RE = doctypes.Pattern(lambda: (
    rf"^(?:(?P<t>{_type_alt()}|{_abbr_alt()})(?:{_S0}|-))?(?:số{_S0})?"
    r"(?P<n>\d+)(?:\s*/\s*(?P<y>\d{4}))?(?:\s*/\s*(?P<suffix>\S+))?\s*$"
))


# ---------------------------------------------------------------------------------------------
# Text preparation (NFC + span map)
# ---------------------------------------------------------------------------------------------


def _prepare(text: str) -> tuple[str, list[int] | None]:
    """NFC text for matching and, when it differs in length, a map NFC index → input index."""
    if unicodedata.is_normalized("NFC", text):
        return _fix_glyphs(text), None
    out: list[str] = []
    index: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        chunk = nfc(text[i:j])
        out.append(chunk)
        index.extend([i] * len(chunk))
        i = j
    index.append(n)
    return _fix_glyphs("".join(out)), index


# ---------------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Tok:
    kind: str  # P K D A F Q DOC
    start: int
    end: int
    values: list = field(default_factory=list)  # ints / letters / roman; ["này"] for THIS
    doc: DocRef | None = None
    part: str | None = None  # Q: "Quy chế" / "Quy định"
    kem_theo: bool = False  # Q: "… ban hành kèm theo" (a document must follow)
    standalone: bool = False  # "… này" preceded by "tại/theo/của …": a citation on its own

    @property
    def this(self) -> bool:
        return self.values == ["này"]


def _expand(raw: str, kind: str) -> list:
    """Expand an enumeration "1, 2 và 3" / "5 đến 7" / "a, b" / "a đến đ" in token order."""
    items = re.split(r"\s*(,|\bvà\b|\bhoặc\b|\bhay\b|\bđến\b|\btới\b)\s*", _WS_RE.sub(" ", raw))
    values: list = []
    pending_range = False
    for item in items:
        item = re.sub(r"^(?:[Đđ]iểm|[Kk]hoản|[Đđ]iều)\s+", "", item.strip())
        if item in ("đến", "tới"):
            pending_range = True
            continue
        if not item or item in (",", "và", "hoặc", "hay"):
            continue
        value = item if kind == "P" else int(item)
        if pending_range and values:
            values.extend(_range(values[-1], value, kind))
        else:
            values.append(value)
        pending_range = False
    return values


def _range(first, last, kind: str) -> list:
    if kind == "P":
        if first in POINT_LETTERS and last in POINT_LETTERS:
            i, j = POINT_LETTERS.index(first), POINT_LETTERS.index(last)
            return list(POINT_LETTERS[i + 1 : j + 1])
        return [last]
    return list(range(first + 1, last + 1)) if last > first else [last]


def _at_line_start(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    return _HEADING_PREFIX_RE.fullmatch(text, line_start, pos) is not None


def _is_heading(text: str, tok_end: int, start: int, kind: str) -> bool:
    """ "Điều 8. Điều kiện …" / "Phụ lục I" as a structural heading, not a citation."""
    if not _at_line_start(text, start):
        return False
    nxt = text[tok_end : tok_end + 4].lstrip(" *")[:1]
    return nxt in (".", ":") or (kind == "A" and nxt in ("\n", ""))


def _lex_provision(text: str, m: re.Match, kind: str) -> _Tok | None:
    value = m["v"]
    tok = _Tok(kind, m.start(), m.end())
    if value == "này":
        before = text[max(0, m.start() - 12) : m.start()]
        tok.values = ["này"]
        tok.standalone = _THIS_STANDALONE_RE.search(before) is not None
        return tok
    if kind in ("D", "A") and _is_heading(text, m.end(), m.start(), kind):
        return None
    tok.values = [value] if kind in ("A", "F") else _expand(value, kind)
    if kind == "A" and value.isdigit():
        tok.values = [str(int(value))]
    return tok


def _lex_part(m: re.Match) -> _Tok:
    part = _WS_RE.sub(" ", m["q"])
    tok = _Tok("Q", m.start(), m.end(), part=part)
    if m["this"]:
        tok.values = ["này"]
    elif m["num"]:
        number = normalize_number(m["num"])
        if not re.match(r"\d+/\d{4}/|\d+/QĐ-", number):  # "Quy định 366-QĐ/TW": a document
            ref = _numbered_ref(m.group(0), part, m["num"], informal=False)
            return _Tok("DOC", m.start(), m.end(), doc=ref)
        tok.doc = _numbered_ref(m["num"], None, m["num"], informal=False)
    else:
        tok.kem_theo = True
    return tok


def _numbered_ref(raw: str, doc_type: str | None, num_raw: str, *, informal: bool) -> DocRef:
    number = normalize_number(num_raw)
    complete = is_complete_number(number)
    derived = doc_type_from_number(number) if complete else None
    year_m = re.search(r"/(\d{4})(?:/|$)", number)
    return DocRef(
        raw=raw,
        doc_type=doc_type or derived,
        number=number,
        number_raw=num_raw,
        complete=complete,
        informal=informal or "/" not in number,
        year=int(year_m[1]) if year_m else None,
    )


def _lex_doc(text: str, pos: int) -> _Tok | None:
    """A document reference at pos: numbered, abbreviated, "… này", or a named law."""
    if (m := _DOC_THIS_RE.match(text, pos)) and m["t"][0].isupper():
        ref = DocRef(raw=m.group(0), doc_type=doctypes.canonical_name(m["t"]), this_document=True)
        return _Tok("DOC", pos, m.end(), doc=ref)
    if m := _DOC_NUM_RE.match(text, pos):
        doc_type = doctypes.canonical_name(m["t"])
        num = m["num"]
        bare = "/" not in num
        if not bare or (
            (t := doctypes.by_name(doc_type)) is not None and t.bare_serial and m["t"][0].isupper()
        ):
            ref = _numbered_ref(m.group(0), doc_type, num, informal=False)
            return _Tok("DOC", pos, m.end(), doc=ref)
    if m := _DOC_ABBR_RE.match(text, pos):
        ref = _numbered_ref(m.group(0), doctypes.by_code(m["t"]).name, m["num"], informal=True)
        return _Tok("DOC", pos, m.end(), doc=ref)
    if m := _NAMED_START_RE.match(text, pos):
        return _lex_named(text, pos, m)
    return None


def _lex_named(text: str, pos: int, m: re.Match) -> _Tok | None:
    """ "Luật Đất đai 2024", "Bộ luật Dân sự năm 2015", "Luật Đầu tư số 61/2020/QH14"."""
    doc_type = doctypes.canonical_name(m["t"])
    start = m.end()
    capital = text[start : start + 1].isupper() or text.startswith("sửa đổi", start)
    if doc_type == "Hiến pháp" and (y := _YEAR_RE.match(text, start)):
        return _Tok(
            "DOC",
            pos,
            y.end(),
            doc=DocRef(text[pos : y.end()], doc_type, name="", year=int(y["year"])),
        )
    name, year, end = _name_with_year(text, start)
    if name is None and capital:
        name, end = _name_by_stopwords(text, start)
    if not name:
        return None
    num_m = re.compile(rf"{_S}số{_S0}(?P<num>{_NUM_FULL}|{_NUM_PARTIAL})").match(text, end)
    raw_number = num_m["num"] if num_m else None
    if num_m:
        end = num_m.end()
        base = _numbered_ref(text[pos:end], doc_type, raw_number, informal=False)
        ref = DocRef(**{**_asdict(base), "name": name, "year": base.year or year})
    else:
        ref = DocRef(raw=text[pos:end], doc_type=doc_type, name=name, year=year)
    return _Tok("DOC", pos, end, doc=ref)


def _asdict(ref: DocRef) -> dict:
    return {f: getattr(ref, f) for f in DocRef.__slots__}


def _name_with_year(text: str, start: int) -> tuple[str | None, int | None, int]:
    m = _NAME_YEAR_RE.match(text, start, min(len(text), start + 200))
    if not m:
        return None, None, start
    words = _WS_RE.sub(" ", m["name"]).replace(",", "").split()
    joined = " ".join(words)
    if any(w in _NAME_HARD_STOP for w in words) or "quy định" in joined or "hiện hành" in joined:
        return None, None, start
    if _NUMBER_AHEAD_RE.search(text, m.start(), m.end()):  # "Luật Đầu tư số 61/2020/QH14"
        return None, None, start
    return _WS_RE.sub(" ", m["name"]), int(m["year"]), m.end()


def _name_by_stopwords(text: str, start: int) -> tuple[str, int]:
    end = start
    words: list[str] = []
    pos = start
    while len(words) < 10 and (w := _NAME_WORD_RE.match(text, pos)):
        word = w["w"]
        if word == "số" and not _NUMBER_AHEAD_RE.match(text, w.start("w")):
            pass  # "Luật Tần số vô tuyến điện"
        elif words and (word in _NAME_STOP or word in ("Nghị", "Thông", "Điều")):
            break
        words.append(word)
        pos = end = w.end()
    return " ".join(words), end


def _lex(text: str) -> Iterator[_Tok]:
    """All citation tokens of an NFC text, in order."""
    pos = 0
    search = _KEYWORD.search
    while (k := search(text, pos)) is not None:
        tok = _lex_at(text, k)
        if tok is None:
            pos = k.end()
            continue
        if tok.kind == "DOC" and tok.doc is not None and not tok.doc.this_document:
            tok = _with_meta(text, tok)
        yield tok
        pos = tok.end


def _lex_at(text: str, k: re.Match) -> _Tok | None:
    word = k.group(0)
    pos = k.start()
    head = word[:2].lower()
    if head == "đi" and word[2:3] == "ể":
        m = _P_RE.match(text, pos)
        return _lex_provision(text, m, "P") if m else None
    if head == "kh":
        m = _K_RE.match(text, pos)
        return _lex_provision(text, m, "K") if m else None
    if head == "đi":
        if m := _D_RE.match(text, pos):
            return _lex_provision(text, m, "D")
        if m := _Q_RE.match(text, pos):  # "Điều lệ … ban hành kèm theo …"
            return _lex_part(m)
        return _lex_doc(text, pos)  # "Điều lệ Đảng … 2011"
    if word.startswith("Phụ"):
        m = _A_RE.match(text, pos)
        return _lex_provision(text, m, "A") if m else None
    if head == "mẫ":
        m = _F_RE.match(text, pos)
        return _lex_provision(text, m, "F") if m else None
    if word.startswith("Quy"):
        m = _Q_RE.match(text, pos)
        return _lex_part(m) if m else _lex_doc(text, pos)
    return _lex_doc(text, pos)


def _with_meta(text: str, tok: _Tok) -> _Tok:
    """Extend a document token with "ngày … của <issuer>" and read the title after it."""
    ref = tok.doc
    assert ref is not None
    end = tok.end
    issued = None
    year = ref.year
    m = _META_RE.match(text, end)
    if m and m.group(0):
        if m["d"]:
            issued = _safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
        if issued or m["yo"]:
            year = year or (issued.year if issued else int(m["yo"]))
            end = m.end()
    issuer = None
    if im := _ISSUER_RE.match(text, end):
        issuer_text = im["issuer"]
        if issuer_text[0].isupper() and "\n\n" not in issuer_text:
            issuer = _WS_RE.sub(" ", issuer_text).strip()
            end = im.end("issuer")
    title = _read_title(text, end) if (issued or issuer) else None
    if end == tok.end and year == ref.year:
        return tok
    fields = {
        **_asdict(ref),
        "raw": text[tok.start : end],
        "issued": issued,
        "issuer": issuer,
        "title": title,
        "year": year,
    }
    return _Tok("DOC", tok.start, end, doc=DocRef(**fields))


def _read_title(text: str, pos: int) -> str | None:
    m = _TITLE_RE.match(text, pos)
    if not m:
        return None
    title = m["title"]
    if cut := _TITLE_CUT_RE.search(title):
        title = title[: cut.start()]
    title = _TITLE_TAIL_RE.sub("", _WS_RE.sub(" ", title).strip(" ,"))
    return title[:300] or None


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# Chains → mentions
# ---------------------------------------------------------------------------------------------


def _chains(text: str, toks: list[_Tok]) -> Iterator[list[_Tok]]:
    """Group tokens into chains: provisions joined by connectors, closed by a document."""
    chain: list[_Tok] = []
    for tok in toks:
        if chain and _joins(text, chain[-1], tok):
            chain.append(tok)
        else:
            if chain:
                yield chain
            chain = [tok]
        if tok.kind == "DOC" or (tok.kind == "Q" and tok.doc is not None):
            yield chain
            chain = []
    if chain:
        yield chain


def _joins(text: str, prev: _Tok, tok: _Tok) -> bool:
    if prev.kind == "DOC" or (prev.kind == "Q" and prev.doc is not None):
        return False
    gap_start, gap_end = prev.end, tok.start
    if gap_end - gap_start > 40:
        return False
    if prev.kind == "Q" and prev.kem_theo:
        return tok.kind == "DOC" and not text[gap_start:gap_end].strip()
    if tok.kind == "DOC":
        return _GAP_DOC_RE.fullmatch(text, gap_start, gap_end) is not None
    if tok.kind == "Q":
        return _GAP_PART_RE.fullmatch(text, gap_start, gap_end) is not None
    return _GAP_CHAIN_RE.fullmatch(text, gap_start, gap_end) is not None


@dataclass(slots=True)
class _Builder:
    """Builds targets from a chain, smallest unit first ("điểm a, b khoản 2 Điều 8")."""

    targets: list[list] = field(default_factory=list)  # [annex, article, clause, point, level]
    points: list = field(default_factory=list)
    clauses: list = field(default_factory=list)  # (clause | "này", [points])
    forms: list[str] = field(default_factory=list)
    part: str | None = None
    doc: DocRef | None = None

    def feed(self, tok: _Tok, adjacent: bool) -> None:
        getattr(self, f"_on_{tok.kind}")(tok, adjacent)

    def _on_P(self, tok: _Tok, adjacent: bool) -> None:
        self.points.extend(tok.values)

    def _on_K(self, tok: _Tok, adjacent: bool) -> None:
        pts, self.points = self.points, []
        self.clauses.extend((v, pts if i == 0 else []) for i, v in enumerate(tok.values))

    def _on_D(self, tok: _Tok, adjacent: bool) -> None:
        if self.points:  # "điểm a Điều 5": points directly under an article
            self.clauses.append((None, self.points))
            self.points = []
        clauses, self.clauses = self.clauses, []
        # "khoản 3 Điều 10, Điều 11": the clauses belong to the first article only
        for i, art in enumerate(tok.values):
            article = None if art == "này" else art
            for clause, pts in (clauses if i == 0 else []) or [(None, [])]:
                self._add(None, article, clause, pts, "article" if article is None else None)

    def _on_A(self, tok: _Tok, adjacent: bool) -> None:
        annex = tok.values[0]
        if adjacent and self.targets and not self.clauses and not self.points:
            for t in self.targets:
                t[0] = t[0] or annex
        else:
            self.flush()
            self.targets.append([annex, None, None, None, None])

    def _on_F(self, tok: _Tok, adjacent: bool) -> None:
        self.forms.extend(tok.values)

    def _on_Q(self, tok: _Tok, adjacent: bool) -> None:
        self.flush()
        self.part = tok.part
        if tok.this:
            self.doc = DocRef(raw=tok.part + " này", this_document=True)
        elif tok.doc is not None:
            self.doc = tok.doc

    def _on_DOC(self, tok: _Tok, adjacent: bool) -> None:
        self.flush()
        self.doc = tok.doc

    def flush_points(self) -> None:
        if self.points:
            self.clauses.append(("này", self.points))
            self.points = []

    def flush(self) -> None:
        """Close pending clauses/points that no Điều absorbed: relative to this article."""
        self.flush_points()
        for clause, pts in self.clauses:
            this_clause = clause == "này"
            level = "clause" if this_clause else "article"
            self._add(None, None, None if this_clause else clause, pts, level)
        self.clauses = []

    def _add(self, annex, article, clause, pts, level) -> None:
        if clause == "này":
            clause, level = None, "clause"
        for point in pts or [None]:
            if point == "này":
                continue
            self.targets.append([annex, article, clause, point, level])


def _build(text: str, chain: list[_Tok]) -> CitationMention | None:
    builder = _Builder()
    prev: _Tok | None = None
    for tok in chain:
        adjacent = (
            prev is not None and _GAP_PART_RE.fullmatch(text, prev.end, tok.start) is not None
        )
        builder.feed(tok, adjacent)
        prev = tok
    builder.flush()
    if not builder.targets and builder.doc is None:
        return None
    if _lonely_this(chain):
        return None
    return _mention(builder, chain[0].start, chain[-1].end)


def _lonely_this(chain: list[_Tok]) -> bool:
    """ "Điều này có nghĩa …" / "khoản này" (money) alone: not a citation unless "tại/theo …"."""
    return (
        len(chain) == 1
        and chain[0].kind in ("D", "K", "P")
        and chain[0].this
        and not chain[0].standalone
    )


def _mention(b: _Builder, start: int, end: int) -> CitationMention:
    ref = b.doc
    doc = ref.number if ref is not None and ref.complete else None
    targets: list[Citation] = []
    relatives: list[str | None] = []
    for annex, article, clause, point, level in b.targets:
        if ref is None or ref.this_document:
            level = level or "document"
        targets.append(Citation(doc, b.part, annex, article, clause, point))
        relatives.append(level)
    return CitationMention((start, end), "", ref, targets, relatives, b.part, b.forms)


def _link(text: str, mentions: list[CitationMention]) -> None:
    """Attach parenthetical bare chains to the preceding document; record antecedents."""
    last_doc: CitationMention | None = None
    for m in mentions:
        if m.doc_ref is None and last_doc is not None:
            gap = text[last_doc.span[1] : m.span[0]]
            if _SENTENCE_BREAK_RE.search(gap) is None:
                m.antecedent = last_doc.doc_ref
                if gap.lstrip().startswith("(") and ")" not in gap and len(gap) < 200:
                    _attach(m, last_doc.doc_ref)
        if m.doc_ref is not None and not m.doc_ref.this_document:
            last_doc = m
    next_doc: CitationMention | None = None
    for m in reversed(mentions):
        if (
            m.doc_ref is None
            and next_doc is not None
            and _PERIOD_BREAK_RE.search(text, m.span[1], next_doc.span[0]) is None
        ):
            m.postcedent = next_doc.doc_ref
        if m.doc_ref is not None and not m.doc_ref.this_document:
            next_doc = m


def _attach(m: CitationMention, ref: DocRef | None) -> None:
    assert ref is not None
    m.doc_ref = ref
    m.attached = "parenthetical"
    doc = ref.number if ref.complete else None
    m.targets = [t.with_doc(doc) for t in m.targets]
    m.relatives = [None if lvl == "document" else lvl for lvl in m.relatives]


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def find_citations(text: str) -> list[CitationMention]:
    """All citations (dẫn chiếu) in a text, in order, with spans in the input's indexing."""
    norm, index = _prepare(text)
    toks = list(_lex(norm))
    mentions = [m for chain in _chains(norm, toks) if (m := _build(norm, chain)) is not None]
    _link(norm, mentions)
    for m in mentions:
        start, end = m.span
        if index is not None:
            start, end = index[start], index[end]
        m.span = (start, end)
        m.raw = text[start:end]
    return mentions


_QUERY_WORDS: tuple[tuple[str, str], ...] = (  # unaccented words before a number/letter
    (r"(?i)(?<!\w)dieu(?=\s*\d)", "Điều"),
    (r"(?i)(?<!\w)khoan(?=\s*\d)", "khoản"),
    (rf"(?i)(?<!\w)diem(?=\s+[{POINT_LETTERS}]\d?(?!\w))", "điểm"),
    (r"(?i)(?<!\w)phu\s+luc(?=\s+(?:so\s+)?(?:[IVXivx]+|\d)(?!\w))", "Phụ lục"),
    (r"(?i)(?<!\w)mau\s+so(?=\s*\d)", "Mẫu số"),
)  # and the `short` document types: _query_types


@doctypes.per_registry
def _query_types() -> tuple[tuple[str, str], ...]:
    """The `short` types (kb.doctypes) in a question: "nghi dinh 32" → "Nghị định 32", "Nghị định
    so 32" → "Nghị định số 32", "NĐ32", "nd 32" → "NĐ 32"."""
    short = doctypes.select(lambda t: t.short)
    out = [(rf"(?i)(?<!\w){doctypes.alternation([doctypes.unaccented(t.name)])}(?=\s+(?:so\s+)?\d)", t.name)
           for t in short]
    names = doctypes.alternation((t.name for t in short), doctypes.any_case, " ")
    out.append((rf"((?:{names})\s+)so(?=\s*\d)", r"\1số"))
    for t in short:
        forms = {f(code) for code in (t.code, doctypes.unaccented(t.code)) for f in (str, str.capitalize, str.lower)}
        out.append((rf"(?<![\w/])(?:{'|'.join(sorted(forms))})[\s.-]?(?=\d)", f"{t.code} "))
    return tuple(out)


_QUERY_POINT_RE = re.compile(rf"(?<![\w.])[ĐđDd]\.\s?(?P<p>[{POINT_LETTERS}]\d?)(?!\w)")
_QUERY_CLAUSE_RE = re.compile(r"(?<![\w.])(?:K(?:\.\s?|\s)?|k(?:\.\s?)?)(?P<k>\d{1,3})(?![\w/])")
_QUERY_ARTICLE_RE = re.compile(r"(?<![\w.])(?:[ĐD](?:\.\s?|\s)?|[đd](?:\.\s?)?)(?P<d>\d{1,3})(?:\.(?P<k>\d{1,3}))?(?![\w/]|\.\d)")
_QUERY_ART_DOT_RE = re.compile(r"[Đđ]iều\s+(?P<d>\d{1,3})\.(?P<k>\d{1,3})(?![\w/]|\.\d)")
_QUERY_REVERSED_RE = re.compile(
    rf"[Đđ]iều\s+(?P<d>\d{{1,3}}),?\s+[Kk]hoản\s+(?P<k>\d{{1,3}})(?:,?\s+[Đđ]iểm\s+(?P<p>[{POINT_LETTERS}]\d?))?(?!\w)"
)
_QUERY_SUFFIX_RE = re.compile(r"(?<=\d/\d{4}/)(?P<s>[a-zđ]{2,}(?:-[a-zđ]+)+)(?![\w-])", re.IGNORECASE)


def normalize_query_citations(query: str) -> str:
    """A question with its short citation forms written out (grammar above): "K3 Đ13 NĐ32" →
    "khoản 3 Điều 13 NĐ 32", "dieu 13 khoan 3 nd 32/2024" → "khoản 3 Điều 13 NĐ 32/2024".

    Questions only: stored texts keep the strict grammar (a "d 13" there is not an article)."""
    text = nfc(query)
    for pattern, word in _QUERY_WORDS + _query_types():
        text = re.sub(pattern, word, text)
    text = _QUERY_SUFFIX_RE.sub(lambda m: m["s"].upper().replace("D", "Đ", 1) if m["s"][:2].upper() in ("ND", "QD")
                                else m["s"].upper(), text)
    text = _QUERY_POINT_RE.sub(lambda m: f"điểm {m['p']}", text)
    text = _QUERY_CLAUSE_RE.sub(lambda m: f"khoản {m['k']}", text)
    text = _QUERY_ARTICLE_RE.sub(
        lambda m: f"khoản {m['k']} Điều {m['d']}" if m["k"] else f"Điều {m['d']}", text)
    text = _QUERY_ART_DOT_RE.sub(lambda m: f"khoản {m['k']} Điều {m['d']}", text)
    return _QUERY_REVERSED_RE.sub(
        lambda m: (f"điểm {m['p']} " if m["p"] else "") + f"khoản {m['k']} Điều {m['d']}", text)


def find_query_citations(query: str) -> list[CitationMention]:
    """Citations in a question, short forms included ("K3 Đ13 NĐ 32/2024", "dieu 13 khoan 3").
    A question may name the document first ("NĐ 32/2024 Điều 8"): a bare chain after a document
    in the same sentence is in that document. Spans and `raw` index the normalised question."""
    mentions = find_citations(normalize_query_citations(query))
    for m in mentions:
        if m.doc_ref is None and m.antecedent is not None and m.relative == "document":
            _attach(m, m.antecedent)
            m.attached = "antecedent"
    return mentions


def resolve_relative(mention: CitationMention, context: Citation) -> list[Citation]:
    """Absolute addresses of a mention's targets inside `context` (the enclosing provision).

    "khoản 3 Điều này" inside Điều 8 of 32/2024/NĐ-CP → Citation("32/2024/NĐ-CP", article=8,
    clause=3); "Điều 9 Nghị định này" → that document's main text; a bare "Điều 4" keeps the
    context's part/annex (inside a Quy chế it is the Quy chế's Điều 4); "Điều 5 Quy chế này" →
    part "Quy chế". Absolute targets are returned unchanged.
    """
    bare = mention.doc_ref is None
    out: list[Citation] = []
    for target, level in zip(mention.targets, mention.relatives, strict=True):
        if level is None:
            out.append(target)
            continue
        part, annex = target.part, target.annex
        if bare and target.part is None and target.annex is None:
            part, annex = context.part, context.annex
        article, clause = target.article, target.clause
        if level in ("article", "clause"):
            article = context.article
        if level == "clause":
            clause = context.clause
        out.append(Citation(context.doc, part, annex, article, clause, target.point))
    if not mention.targets and mention.doc_ref is not None and mention.doc_ref.this_document:
        out.append(Citation(context.doc, mention.part))
    return out


def parse_one(text: str) -> Citation | None:
    """The first address in a single citation string ("điểm c khoản 2 Điều 8 NĐ 32/2024/NĐ-CP").

    A partial document ("khoản 2 Điều 8 NĐ 32") is kept as printed in `doc` ("32"); test it
    with `is_complete_number`. A document alone gives Citation(doc). None when nothing parses.
    """
    for m in find_citations(text):
        ref = m.doc_ref
        doc = ref.number if ref is not None and not ref.this_document else None
        if m.targets:
            return m.targets[0].with_doc(doc)
        if doc:
            return Citation(doc, m.part)
    return None


_ITEM_LABEL_RE = re.compile(r"^(?:Phần (?P<part>[IVXLC]+), )?Mục (?P<path>[IVXLC]+(?:\.\d+)*)$")
_FORM_LABEL_RE = re.compile(r"^(?P<kind>Biểu|Mẫu|BIỂU|MẪU)\s+(?:số|SỐ)\s+(?P<n>[\w\-]+?)[.:]?(?:\s|$)")
_SECTION_LABEL_RE = re.compile(r"^(?P<roman>[IVXLC]+)\.\s")


def annex_item_of(label: str) -> str | None:
    """The annex item a node of a Phụ lục stands for, from its label: "Mục II.7" → "II.7",
    "Phần II, Mục I.1" → "Phần II.I.1", "Biểu số 01. Tình hình …" → "Biểu số 01", "I. QUY ĐỊNH
    CHUNG" → "I"; None for the annex itself and a Phần heading."""
    if m := _ITEM_LABEL_RE.match(label):
        return f"Phần {m['part']}.{m['path']}" if m["part"] else m["path"]
    if m := _FORM_LABEL_RE.match(label):
        return f"{m['kind'].capitalize()} số {m['n']}"
    if m := _SECTION_LABEL_RE.match(label):
        return m["roman"]
    return None


def annex_section(item: str | None) -> str | None:
    """The top-level section of an annex item, its "article level": "II.7" → "II",
    "Phần II.I.1" → "Phần II.I", "Biểu số 01" → itself."""
    if item is None:
        return None
    m = re.match(r"(?:Phần [IVXLC]+\.)?[IVXLC]+(?=\.|$)", item)
    return m.group(0) if m else item


def render(c: Citation, doc_type: str | None = None, *, with_doc: bool = True) -> str:
    """Canonical Vietnamese form (NĐ 30/2020, Phụ lục II): "điểm c khoản 2 Điều 8 Nghị định số
    32/2024/NĐ-CP"; "Điều 5 Quy chế ban hành kèm theo Quyết định số 16/2026/QĐ-UBND";
    "Phụ lục I Thông tư số 14/2024/TT-BCT"."""
    words: list[str] = []
    if c.point is not None:
        words.append(f"điểm {c.point}")
    if c.clause is not None:
        words.append(f"khoản {c.clause}")
    if c.article is not None:
        words.append(f"Điều {c.article}")
    if c.annex_item is not None:
        words.append(c.annex_item if c.annex_item[0] in "BM" else f"mục {c.annex_item}")
    if c.annex is not None:
        words.append(f"Phụ lục {c.annex}")
    doc_text = render_short(c.doc, doc_type) if with_doc and c.doc else ""
    if c.part:
        words.append(f"{c.part} ban hành kèm theo" if doc_text else c.part)
    if doc_text:
        words.append(doc_text)
    return " ".join(words)


def render_short(number: str | None, doc_type: str | None = None) -> str:
    """A document by type and số hiệu: "Nghị định số 32/2024/NĐ-CP" (later mentions)."""
    if not number:
        return doc_type or ""
    if number.startswith("file:"):
        return number[5:]
    number = normalize_number(number)
    doc_type = doc_type or doc_type_from_number(number)
    return f"{doc_type} số {number}" if doc_type else f"văn bản số {number}"


def render_full(
    number: str | None,
    doc_type: str | None,
    issued: date | None,
    issuer: str | None,
    title: str | None,
) -> str:
    """First mention in a drafted document: "Nghị định số 32/2024/NĐ-CP ngày 15 tháng 3 năm 2024
    của Chính phủ về quản lý, phát triển cụm công nghiệp" (day < 10 and months 1, 2 padded)."""
    words = [render_short(number, doc_type)] if number else [doc_type or "văn bản"]
    if issued is not None:
        month = f"{issued.month:02d}" if issued.month < 3 else str(issued.month)
        words.append(f"ngày {issued.day:02d} tháng {month} năm {issued.year}")
    if issuer:
        words.append(f"của {issuer}")
    if title:
        words.append(_title_phrase(title))
    return " ".join(words)


_TITLE_LEAD = re.compile(
    r"(?i)(?:về|quy định|hướng dẫn|ban hành|sửa đổi|bãi bỏ|phê duyệt|thành lập|quy chế)\b"
)


def _title_phrase(title: str) -> str:
    """Trích yếu as it follows the issuer: "Về quản lý …" → "về quản lý …"; else "về " + title."""
    title = _WS_RE.sub(" ", nfc(title)).strip().rstrip(".;")
    if len(title) > 1 and title[0].isupper() and not title[1].isupper():
        title = title[0].lower() + title[1:]
    return title if _TITLE_LEAD.match(title) else f"về {title}"


def _parse_partial(partial: str) -> tuple[str | None, int | None, int | None, str | None]:
    """("Nghị định", 32, 2024, None) from "NĐ 32/2024" or "Nghị định số 32/2024 ngày …"."""
    text = nfc(partial).strip()
    m = _PARTIAL_RE.match(text)
    if m:
        doc_type = doctypes.canonical_name(m["t"]) if m["t"] else None
        return doc_type, int(m["n"]), _int(m["y"]), _suffix(m["suffix"])
    ref = next((x.doc_ref for x in find_citations(text) if x.doc_ref and x.doc_ref.number), None)
    if ref is None or ref.number is None:
        return None, None, None, None
    n = re.match(r"(\d+)(?:/(\d{4}))?(?:/(.+))?$", ref.number)
    if not n:
        return ref.doc_type, None, None, None
    return ref.doc_type, int(n[1]), _int(n[2]), _suffix(n[3])


def _int(value: str | None) -> int | None:
    return int(value) if value else None


def _suffix(value: str | None) -> str | None:
    return normalize_number("0/" + value)[2:] if value else None


def match_partial(partial: str, known_numbers: Iterable[str]) -> list[str]:
    """Known số hiệu that a partial one may mean: "32/2024", "NĐ 32", "Nghị định 32/2024".

    Several candidates mean the reference is ambiguous (the caller should warn); [] none.
    A complete number matches itself (after normalisation).
    """
    doc_type, num, year, suffix = _parse_partial(partial)
    if num is None:
        return []
    out: list[str] = []
    for known in known_numbers:
        parts = _known_parts(known)
        if parts is None or known in out or parts[0] != num:
            continue
        if year is not None and parts[1] != year:
            continue
        if suffix is not None and parts[2] != suffix:
            continue
        if doc_type is not None and doc_type_from_number(known) != doc_type:  # the registry may change
            continue
        out.append(known)
    return out


@lru_cache(maxsize=100_000)
def _known_parts(known: str) -> tuple[int, int | None, str | None] | None:
    """A known số hiệu's number, year and suffix (read once: a search compares a short number
    with every số hiệu of the knowledge base)."""
    k = FULL_NUMBER_RE.match(normalize_number(known))
    if not k:
        return None
    return int(re.sub(r"\D", "", k["n"]) or -1), int(k["y"]) if k["y"] else None, k["suffix"]
