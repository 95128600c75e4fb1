"""Loại văn bản: the one registry of document types, their abbreviations and what they imply.

Every reader of document types reads this module: the header parser (the type-name line "NGHỊ
ĐỊNH", the ký hiệu "…/NĐ-CP"), the Pháp điển notes, the citation grammar ("Nghị định số …",
"NĐ 32/2024", "Nghị định này", "Luật Đất đai 2024"), the document class given at ingestion, the
letter checker and drafting. Sources: Luật Ban hành văn bản quy phạm pháp luật (the normative
types), Nghị định 30/2020/NĐ-CP Phụ lục III (tên loại văn bản hành chính and their chữ viết tắt).

Adding a type is one `DocType` in `TYPES`. A test (or a plug-in) may `register` one at run time:
the regexes built from the registry (`Pattern`) and the name sets (`TypeSet`) are live views, so
they follow without a restart; `registered(...)` restores the registry afterwards.

The số hiệu (số, năm, ký hiệu: "32/2024/NĐ-CP"; a party's "366-QĐ/TW"; a letter's "1178/ĐCK-CTT")
is read here too: its first ký hiệu segment is the type's code, the rest the issuer's
(`doc_type_from_number`, `issuer_from_number`).
"""

from __future__ import annotations

import re
import unicodedata
import weakref
from collections.abc import Callable, Iterable, Iterator, Set
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from kb.model import DocClass, nfc

NORM, ADMIN, COMPILATION = DocClass.NORM, DocClass.ADMIN, DocClass.COMPILATION


@dataclass(frozen=True, slots=True)
class DocType:
    """One loại văn bản.

    `name` is written as in a citation ("Thông tư liên tịch"); in a header's type line it is
    upper case (`heading_text`). `code` is its chữ viết tắt in a ký hiệu ("TTLT" in
    "…/2010/TTLT-BCT-BTC"). The flags say where the type appears:
    - `short`: the code is also written before a number in running text ("NĐ 32/2024");
    - `cited`: the citation grammar reads "<name> [số] <number>" and, for a norm, "<name> này";
    - `bare_serial`: "Nghị định 32", a serial alone, is a citation too (an informal one);
    - `named`: cited by name and year without a number ("Luật Đất đai 2024");
    - `attached`: issued kèm theo a Quyết định and cited as its part ("Điều 5 Quy chế ban hành
      kèm theo Quyết định số …"), never "Quy chế này" as a document;
    - `heading`: printed as the type-name line of a header (not "Văn bản", "Văn bản hợp nhất");
    - `articles`: a norm of this type is written in Điều (a Chỉ thị, a Nghị quyết may not be);
    - `max_serial`: a serial above this in one year's series cannot be real (checker).
    """

    name: str
    code: str | None = None
    doc_class: DocClass = ADMIN
    short: bool = False
    cited: bool = False
    bare_serial: bool = False
    named: bool = False
    attached: bool = False
    heading: bool = True
    articles: bool = True
    max_serial: int | None = None

    @property
    def heading_text(self) -> str:
        """The type-name line of a header: "THÔNG TƯ LIÊN TỊCH"."""
        return self.name.upper()

    @property
    def self_cited(self) -> bool:
        """ "Nghị định này" names the document it stands in."""
        return self.cited and self.doc_class is NORM and not self.attached


TYPES: tuple[DocType, ...] = (
    # văn bản quy phạm pháp luật (Luật Ban hành VBQPPL) and attached regulations
    DocType("Hiến pháp", None, NORM, cited=True, named=True),
    DocType("Bộ luật", None, NORM, cited=True, named=True),
    DocType("Luật", None, NORM, cited=True, named=True),
    DocType("Pháp lệnh", "PL", NORM, cited=True, named=True),
    DocType("Lệnh", "L", NORM),  # Lệnh công bố luật of the Chủ tịch nước: "…/L-CTN"
    DocType("Nghị quyết", "NQ", NORM, short=True, cited=True, articles=False),
    DocType("Nghị quyết liên tịch", "NQLT", NORM, cited=True),
    DocType("Nghị định", "NĐ", NORM, short=True, cited=True, bare_serial=True, max_serial=500),
    DocType("Quyết định", "QĐ", NORM, short=True, cited=True, bare_serial=True),
    DocType("Thông tư", "TT", NORM, short=True, cited=True, bare_serial=True, max_serial=400),
    DocType("Thông tư liên tịch", "TTLT", NORM, short=True, cited=True, max_serial=100),
    DocType("Chỉ thị", "CT", NORM, cited=True, articles=False),
    DocType("Sắc lệnh", "SL", NORM, cited=True),
    DocType("Quy chế", "QC", NORM, attached=True),
    DocType("Quy định", "QyĐ", NORM, attached=True),
    DocType("Điều lệ", None, NORM, cited=True, named=True, attached=True, heading=False),
    # a consolidation: its provisions belong to the texts it consolidates
    DocType("Văn bản hợp nhất", "VBHN", COMPILATION, cited=True, heading=False),
    # văn bản hành chính (Nghị định 30/2020/NĐ-CP, Phụ lục III)
    DocType("Công văn", None, ADMIN, cited=True),  # its ký hiệu has no type code: "1178/ĐCK-CTT"
    DocType("Văn bản", None, ADMIN, cited=True, heading=False),
    DocType("Tờ trình", "TTr", ADMIN, cited=True),
    DocType("Báo cáo", "BC", ADMIN, cited=True),
    DocType("Kế hoạch", "KH", ADMIN, cited=True),
    DocType("Thông báo", "TB", ADMIN, cited=True),
    DocType("Hướng dẫn", "HD", ADMIN, cited=True),
    DocType("Thông tri", None, ADMIN, cited=True),
    DocType("Kết luận", "KL", ADMIN, cited=True),
    DocType("Quy chế phối hợp", None, ADMIN),
    DocType("Chương trình", "CTr"),
    DocType("Phương án", "PA"),
    DocType("Đề án", "ĐA"),
    DocType("Dự án", "DA"),
    DocType("Biên bản", "BB"),
    DocType("Hợp đồng", "HĐ"),
    DocType("Công điện", "CĐ"),
    DocType("Bản ghi nhớ", "BGN"),
    DocType("Bản thỏa thuận", "BTT"),
    DocType("Giấy ủy quyền", "GUQ"),
    DocType("Giấy mời", "GM"),
    DocType("Giấy giới thiệu", "GGT"),
    DocType("Giấy nghỉ phép", "GNP"),
    DocType("Phiếu gửi", "PG"),
    DocType("Phiếu chuyển", "PC"),
    DocType("Phiếu báo", "PB"),
    DocType("Giấy phép", "GP"),
    DocType("Giấy chứng nhận", "GCN"),
    DocType("Thư công"),
)

# Cơ quan ban hành by the code after the type's in a ký hiệu ("…/TT-BCT" → Bộ Công Thương).
ISSUERS: dict[str, str] = {
    "CP": "Chính phủ",
    "TTg": "Thủ tướng Chính phủ",
    "CTN": "Chủ tịch nước",
    "UBTVQH": "Ủy ban Thường vụ Quốc hội",
    "BCT": "Bộ Công Thương",
    "BTC": "Bộ Tài chính",
    "BKHĐT": "Bộ Kế hoạch và Đầu tư",
    "BXD": "Bộ Xây dựng",
    "BTNMT": "Bộ Tài nguyên và Môi trường",
    "BNNMT": "Bộ Nông nghiệp và Môi trường",
    "BNNPTNT": "Bộ Nông nghiệp và Phát triển nông thôn",
    "BNV": "Bộ Nội vụ",
    "BTP": "Bộ Tư pháp",
    "BLĐTBXH": "Bộ Lao động - Thương binh và Xã hội",
    "BGDĐT": "Bộ Giáo dục và Đào tạo",
    "BYT": "Bộ Y tế",
    "BQP": "Bộ Quốc phòng",
    "BCA": "Bộ Công an",
    "BGTVT": "Bộ Giao thông vận tải",
    "BTTTT": "Bộ Thông tin và Truyền thông",
    "BKHCN": "Bộ Khoa học và Công nghệ",
    "BVHTTDL": "Bộ Văn hóa, Thể thao và Du lịch",
    "BNG": "Bộ Ngoại giao",
    "NHNN": "Ngân hàng Nhà nước Việt Nam",
    "TTCP": "Thanh tra Chính phủ",
    "VPCP": "Văn phòng Chính phủ",
    "UBDT": "Ủy ban Dân tộc",
    "BDTTG": "Bộ Dân tộc và Tôn giáo",
    "TANDTC": "Tòa án nhân dân tối cao",
    "VKSNDTC": "Viện kiểm sát nhân dân tối cao",
    "KTNN": "Kiểm toán nhà nước",
}
LAW_CODE_RE = re.compile(r"QH\d*")  # "…/2020/QH14": a Luật (or a Nghị quyết) of the Quốc hội


# ---------------------------------------------------------------------------------------------
# The registry
# ---------------------------------------------------------------------------------------------

_registry: dict[str, DocType] = {t.name: t for t in TYPES}
_version = 0
_patterns: weakref.WeakSet[Pattern] = weakref.WeakSet()


def _changed() -> None:
    """Views of the registry are stale: memoised values rebuild on use, patterns now."""
    global _version
    _version += 1
    for pattern in list(_patterns):
        pattern.compile()


def all_types() -> tuple[DocType, ...]:
    return tuple(_registry.values())


def register(doc_type: DocType) -> None:
    """Add (or replace, by name) a type. A code already held by another type is refused: a
    ký hiệu must name one type."""
    holder = by_code(doc_type.code) if doc_type.code else None
    if holder is not None and holder.name != doc_type.name:
        raise ValueError(f"chữ viết tắt {doc_type.code} đã dùng cho {holder.name}")
    _registry[doc_type.name] = doc_type
    _changed()


@contextmanager
def registered(*doc_types: DocType) -> Iterator[None]:
    """The registry with `doc_types` added, restored on exit (tests)."""
    saved = dict(_registry)
    try:
        for t in doc_types:
            register(t)
        yield
    finally:
        _registry.clear()
        _registry.update(saved)
        _changed()


def per_registry(build: Callable[[], Any]) -> Callable[[], Any]:
    """`build()` memoised until the registry changes."""
    cache: list[Any] = [-1, None]

    def get() -> Any:
        if cache[0] != _version:
            cache[1], cache[0] = build(), _version
        return cache[1]

    return get


def by_name(name: str | None) -> DocType | None:
    return _registry.get(name) if name else None


def place(name: str | None) -> int:
    """A type's place in the registry, which lists the normative types by rank (Hiến pháp, Bộ
    luật, Luật … Nghị định … Thông tư); a name not registered comes after all."""
    places = _places_table()
    return places.get(name, len(places)) if name else len(places)


@per_registry
def _places_table() -> dict[str, int]:
    return {name: i for i, name in enumerate(_registry)}


@per_registry
def _unaccented_table() -> dict[str, str]:
    return {unaccented(name).lower(): name for name in _registry}


@per_registry
def _codes_table() -> dict[str, DocType]:
    return {t.code: t for t in _registry.values() if t.code}


def by_code(code: str | None) -> DocType | None:
    return _codes_table().get(code) if code else None


def select(test: Callable[[DocType], bool]) -> list[DocType]:
    """The types `test` keeps, longest name first (so a regex alternation prefers "Thông tư liên
    tịch" to "Thông tư")."""
    return sorted((t for t in _registry.values() if test(t)), key=lambda t: -len(t.name))


class TypeSet(Set):
    """The names of the types a test keeps, read live from the registry ("x in NORMATIVE")."""

    def __init__(self, test: Callable[[DocType], bool]) -> None:
        self._names = per_registry(lambda: frozenset(t.name for t in select(test)))

    def __contains__(self, name: object) -> bool:
        return name in self._names()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    @classmethod
    def _from_iterable(cls, names: Iterable[str]) -> frozenset[str]:  # "A | B" is a plain set
        return frozenset(names)


@per_registry
def headings() -> tuple[tuple[str, str], ...]:
    """(type-name line, name) of the types a header prints, longest first: ("NGHỊ ĐỊNH",
    "Nghị định")."""
    return tuple((t.heading_text, t.name) for t in select(lambda t: t.heading))


NORMATIVE = TypeSet(lambda t: t.doc_class is NORM)
ADMINISTRATIVE = TypeSet(lambda t: t.doc_class is ADMIN)
NAMED = TypeSet(lambda t: t.named)


class Pattern:
    """A regex built from the registry, compiled again when it changes; used like re.Pattern.
    Its methods are the compiled regex's own (bound anew on a change): no cost per call in the
    parsers' loops."""

    _METHODS = ("match", "search", "fullmatch", "finditer", "findall", "sub", "subn", "split")

    def __init__(self, source: Callable[[], str], flags: int = 0) -> None:
        self._source, self._flags = source, flags
        self.compile()
        _patterns.add(self)

    def compile(self) -> None:
        self.regex = re.compile(self._source(), self._flags)
        for name in self._METHODS:
            setattr(self, name, getattr(self.regex, name))


def alternation(names: Iterable[str], word: Callable[[str], str] = re.escape, sep: str = r"\s+") -> str:
    """ "A|B|…" of the names, longest first, each word written by `word`, words joined by `sep`."""
    ordered = sorted(names, key=len, reverse=True)
    return "|".join(sep.join(word(w) for w in name.split()) for name in ordered)


def name_alternation(
    test: Callable[[DocType], bool], word: Callable[[str], str] = re.escape, sep: str = r"\s+"
) -> str:
    """ "Thông\\s+tư\\s+liên\\s+tịch|…": the names of the types `test` keeps, longest first."""
    return alternation((t.name for t in select(test)), word, sep)


def heading_alternation(test: Callable[[DocType], bool]) -> str:
    """ "QUY CHẾ|QUY ĐỊNH|…": the upper-case names of the types `test` keeps, longest first."""
    return alternation((t.heading_text for t in select(test)), sep=" ")


def by_heading(text: str) -> DocType | None:
    """The type whose upper-case name `text` is: "QUY  CHẾ" → Quy chế."""
    text = " ".join(text.split())
    return next((t for t in _registry.values() if t.heading_text == text), None)


def code_alternation(test: Callable[[DocType], bool]) -> str:
    """ "TTLT|NĐ|…": the codes of the types `test` keeps, longest first."""
    return alternation(t.code for t in select(lambda t: bool(t.code) and test(t)))


def max_serial(code: str | None) -> int | None:
    """The highest serial a year's series of this code can reach ("NĐ": 500), None if unknown."""
    t = by_code(code)
    return t.max_serial if t else None


def any_case(word: str) -> str:
    """ "[Nn]ghị": a word whose first letter may be in either case."""
    return f"[{word[0].upper()}{word[0].lower()}]{re.escape(word[1:])}"


def canonical_name(raw: str) -> str:
    """ "nghị  định" → "Nghị định", "Bộ Luật" → "Bộ luật", "NĐ" → "Nghị định"."""
    text = " ".join(raw.split())
    t = by_code(text)
    if t is not None and t.short:
        return t.name
    text = text[0].upper() + text[1:].lower()
    return t.name if (t := by_name(text)) else text


def registered_name(raw: str | None) -> str | None:
    """The registered type a free-text type names, however written ("Nghị  định", "NĐ",
    "Nghi dinh", "nghi-dinh" of a crawler's front matter); None when it names none ("Nghị định
    sửa đổi", "Nghị quyết của Chính phủ": the số hiệu says the type then)."""
    if not raw or not raw.strip():
        return None
    name = canonical_name(raw.replace("-", " "))
    if by_name(name) is not None:
        return name
    return _unaccented_table().get(unaccented(name).lower())


def unaccented(text: str) -> str:
    """ "Nghị định" → "Nghi dinh" (questions typed without diacritics)."""
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return stripped.replace("đ", "d").replace("Đ", "D")


# ---------------------------------------------------------------------------------------------
# Số hiệu
# ---------------------------------------------------------------------------------------------

_SEG_FIX = {"ND": "NĐ", "QD": "QĐ", "HDND": "HĐND", "TTG": "TTg", "NĐ": "NĐ", "QĐ": "QĐ"}
FULL_NUMBER_RE = re.compile(
    r"^(?P<n>\d+[a-z]?)(?:(?P<pc>-[A-ZĐ]+)?/(?:(?P<y>\d{4})/)?|-)(?P<suffix>[A-ZĐ][A-Za-zĐđ0-9-]*)$"
)
_UNNUMBERED_RE = re.compile(r"^[…. ]*(?=/)")  # a draft's "Số: …/2026/QĐ-UBND"
_WS_RE = re.compile(r"\s+")


def normalize_number(raw: str) -> str:
    """Normalise a số hiệu: NFC, no spaces, "ND"→"NĐ", "QD"→"QĐ" ("16 /2026/QĐ-UBND")."""
    text = _WS_RE.sub("", nfc(raw)).replace("–", "-").replace("‐", "-")
    if "/" not in text:
        return text
    head, _, tail = text.partition("/")
    fixed = []
    for chunk in tail.split("/"):
        fixed.append("-".join(_SEG_FIX.get(seg.upper(), seg) for seg in chunk.split("-")))
    return head + "/" + "/".join(fixed)


def is_complete_number(number: str | None) -> bool:
    """True for a full số hiệu ("32/2024/NĐ-CP", "1178/ĐCK-CTT"), False for "32/2024", "32"."""
    return bool(number) and FULL_NUMBER_RE.match(normalize_number(number)) is not None


def split_number(number: str) -> tuple[str | None, list[str], bool]:
    """(year, ký hiệu segments, party style) of a full number; party style is "366-QĐ/TW". A
    draft's number without its serial ("…/2026/QĐ-UBND") is read as if it had one."""
    m = FULL_NUMBER_RE.match(_UNNUMBERED_RE.sub("0", normalize_number(number), count=1))
    if not m:
        return None, [], False
    segs = m["suffix"].split("-")
    if m["pc"]:
        return m["y"], [m["pc"][1:], *segs], True
    return m["y"], segs, False


def doc_type_from_number(number: str | None) -> str | None:
    """Loại văn bản from the số hiệu: NĐ-CP → "Nghị định", TT-BCT → "Thông tư", /QH15 → "Luật",
    CT-TTg → "Chỉ thị", 366-QĐ/TW → "Quyết định", 1178/ĐCK-CTT → "Công văn" (no year, no type
    code: NĐ 30/2020 numbers a công văn "Số: …/<issuer>-<unit>")."""
    if not number:
        return None
    year, segs, _party = split_number(number)
    if not segs:
        return None
    if t := by_code(segs[0]):
        return t.name
    if LAW_CODE_RE.fullmatch(segs[0]):
        return "Luật"
    if year is None and len(segs) >= 2:
        return "Công văn"
    return None


def issuer_from_number(number: str | None) -> str | None:
    """Cơ quan ban hành read off the số hiệu: NĐ-CP → "Chính phủ", TT-BCT → "Bộ Công Thương",
    QĐ-TTg → "Thủ tướng Chính phủ", /QH15 → "Quốc hội"; None when ambiguous (QĐ-UBND, TTLT)."""
    if not number:
        return None
    _year, segs, party = split_number(number)
    if not segs or party:
        return None
    if LAW_CODE_RE.fullmatch(segs[0]):
        return "Quốc hội"
    if by_code(segs[0]) is None or len(segs) != 2:
        return None
    agency = re.sub(r"QH\d+$", "QH", segs[1])
    return "Quốc hội" if agency == "QH" else ISSUERS.get(agency)
