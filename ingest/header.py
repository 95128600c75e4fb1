"""Header block, căn cứ and closing block of Vietnamese official documents (thể thức văn bản,
Nghị định 30/2020/NĐ-CP, Phụ lục I), for legal documents and administrative letters alike.

Reads normalised text lines (one per paragraph, table cell or visual line). In layout text the two
header columns of one visual line are separated by a run of ≥ 3 spaces (or a tab):
"Số: 16 /2026/QĐ-UBND   Lào Cai, ngày 25 tháng 02 năm 2026".

- `parse_header`: cơ quan chủ quản / ban hành, số và ký hiệu, địa danh và ngày, loại văn bản,
  trích yếu or V/v, Kính gửi, thẩm quyền ban hành, and where the body begins.
- `parse_bases`: the "Căn cứ …" lines (and "Theo đề nghị của …" as `proposer`).
- `parse_closing`: Nơi nhận and the signature block (quyền hạn ký, chức vụ, họ tên).

Everything is tolerant: what is missing is None plus a warning (in Vietnamese), never an exception.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from ingest.dates import parse_vn_date
from kb import doctypes

# --- tables ---------------------------------------------------------------------------------

# Words that begin the name of an agency (tên cơ quan), upper case → proper case.
AGENCY_HEADS: dict[str, str] = {
    "ỦY BAN NHÂN DÂN": "Ủy ban nhân dân", "HỘI ĐỒNG NHÂN DÂN": "Hội đồng nhân dân",
    "BAN QUẢN LÝ": "Ban Quản lý", "TỔNG CỤC": "Tổng cục", "CHI CỤC": "Chi cục",
    "VĂN PHÒNG": "Văn phòng", "THANH TRA": "Thanh tra", "TRUNG TÂM": "Trung tâm",
    "KHO BẠC": "Kho bạc", "CÔNG AN": "Công an", "TÒA ÁN": "Tòa án", "VIỆN KIỂM SÁT": "Viện kiểm sát",
    "HỌC VIỆN": "Học viện", "ĐẠI HỌC": "Đại học", "NGÂN HÀNG": "Ngân hàng", "CÔNG TY": "Công ty",
    "TẬP ĐOÀN": "Tập đoàn", "TỈNH ỦY": "Tỉnh ủy", "THÀNH ỦY": "Thành ủy", "ĐẢNG ỦY": "Đảng ủy",
    "BỘ": "Bộ", "CỤC": "Cục", "SỞ": "Sở", "VỤ": "Vụ", "PHÒNG": "Phòng", "BAN": "Ban",
    "VIỆN": "Viện", "TRƯỜNG": "Trường", "ĐOÀN": "Đoàn", "HỘI ĐỒNG": "Hội đồng", "ỦY BAN": "Ủy ban",
}
_HEADS_LONGEST_FIRST = sorted(AGENCY_HEADS, key=len, reverse=True)

# Names whose case no rule gives (Phụ lục II Nghị định 30/2020).
KNOWN_NAMES: dict[str, str] = {
    name.upper(): name
    for name in (
        "Chính phủ", "Thủ tướng Chính phủ", "Quốc hội", "Ủy ban Thường vụ Quốc hội",
        "Chủ tịch nước", "Văn phòng Chính phủ", "Văn phòng Quốc hội", "Bộ Công Thương",
        "Tòa án nhân dân tối cao", "Viện kiểm sát nhân dân tối cao", "Kiểm toán nhà nước",
    )
}

# Phrases restored inside sentence-cased text (trích yếu, names).
PROPER_TERMS: tuple[str, ...] = (
    "Bộ Công Thương", "Sở Công Thương", "Cục Công Thương", "Công Thương", "Thủ tướng Chính phủ",
    "Chính phủ", "Quốc hội", "Việt Nam", "Lào Cai", "Yên Bái", "Hà Nội", "Ủy ban nhân dân",
    "Hội đồng nhân dân", "Trung ương",
)
_PROPER_RE = [(re.compile(rf"(?<!\w){re.escape(t)}(?!\w)", re.IGNORECASE), t) for t in PROPER_TERMS]

ACRONYMS = frozenset(
    {"UBND", "HĐND", "ATTP", "ATVSLĐ", "VLNCN", "GPMB", "KKT", "KCX", "TW", "ODA", "PPP", "FDI",
     "GRDP", "MTTQ", "BQL", "ĐTXD", "CCN", "KCN", "NSNN", "QLCN", "CNTT", "ĐCK", "CTĐP"}
)

# Chức danh (signer titles, thẩm quyền), upper case; "PHÓ " may precede any of them.
OFFICER_TITLES: tuple[str, ...] = (
    "TỔNG CỤC TRƯỞNG", "CHI CỤC TRƯỞNG", "CỤC TRƯỞNG", "VỤ TRƯỞNG", "BỘ TRƯỞNG", "THỨ TRƯỞNG",
    "THỦ TƯỚNG", "CHỦ TỊCH", "TỔNG GIÁM ĐỐC", "GIÁM ĐỐC", "CHÁNH VĂN PHÒNG", "CHÁNH THANH TRA",
    "TRƯỞNG PHÒNG", "TRƯỞNG BAN", "TRƯỞNG ĐOÀN", "VIỆN TRƯỞNG", "HIỆU TRƯỞNG", "CHÁNH ÁN",
    "TỔNG THƯ KÝ", "BÍ THƯ", "TRƯỞNG KHOA", "CHỦ NHIỆM", "TRƯỞNG CÔNG AN",
)
TITLE_CASE_EXCEPTIONS: dict[str, str] = {
    "THỦ TƯỚNG": "Thủ tướng", "CHÁNH VĂN PHÒNG": "Chánh Văn phòng",
    "CHÁNH THANH TRA": "Chánh Thanh tra", "CHỦ TỊCH NƯỚC": "Chủ tịch nước",
}
_OFFICER_RE = re.compile(rf"^(?:PHÓ\s+)?(?:{'|'.join(OFFICER_TITLES)})$")
_OFFICER_PREFIX_RE = re.compile(rf"^(?:PHÓ\s+)?(?:{'|'.join(OFFICER_TITLES)})\s+")
_LOCALITY_RE = re.compile(r"\s(TỈNH|THÀNH PHỐ|HUYỆN|QUẬN|THỊ XÃ|XÃ|PHƯỜNG|ĐẶC KHU)(?=\s|/|$)")

NOT_NAME_FIRST_WORDS = frozenset(
    {"Sở", "Bộ", "Cục", "Ủy", "Uỷ", "Phòng", "Ban", "Công", "Trung", "Văn", "Chi", "Tổng", "Viện",
     "Ngân", "Đại", "Hội", "Tòa", "Như", "Lưu", "Họ", "Nơi", "Kính", "Chương", "Điều", "Mục",
     "Phần", "Phụ", "Căn", "Theo", "Đã", "Chữ", "Ký", "Đoàn", "Tỉnh", "Thành"}
)
MAX_HEADER_SEGMENTS = 80

# --- line patterns --------------------------------------------------------------------------

_COLUMN_GAP_RE = re.compile(r"\s{3,}|\t+")
_SEPARATOR_RE = re.compile(r"^[-_=*~.–—\s]{3,}$")
_SLOGAN_RE = re.compile(r"^Độc\s+lập\s*[-–—]\s*Tự\s+do", re.IGNORECASE)
_NUMBER_RE = re.compile(r"^Số(?:\s+cấp)?\s*:\s*(?P<rest>.*)$|^Số\s+(?P<bare>[\d…. ]*/\S.*)$")
_NUMBER_VALUE_RE = re.compile(r"^\d+[A-Za-z]?/\S+$")
_PLACE_DATE_RE = re.compile(r"^(?P<place>[^\d,;:()]{2,40}?)\s*,\s*(?P<rest>ngày\b.*)$", re.I)
_VV_RE = re.compile(r"^V/[vV]\b\.?\s*:?\s*(?P<rest>.*)$")
_RECIPIENT_RE = re.compile(r"^(?:Đồng\s+)?Kính\s+gửi\s*:?\s*(?P<rest>.*)$", re.IGNORECASE)
_BULLET_RE = re.compile(r"^[-+•–~]\s*")
_BODY_START_RE = re.compile(
    r"^(?:Căn\s+cứ|Theo\s+đề\s+nghị|Xét\b|Điều\s+\d|Chương\s+[IVXLC\d]|CHƯƠNG\s|PHẦN\s|Phần\s"
    r"|Nơi\s+nhận|Hôm\s+nay)",
)
_STRUCTURE_RE = re.compile(r"^(?:Điều|ĐIỀU|Chương|CHƯƠNG|Mục|MỤC|Phần|PHẦN)\s+[\dIVXLC]")
_BASIS_RE = re.compile(r"^Căn\s+cứ\b")
_PROPOSER_RE = re.compile(r"^(?:Theo|Xét)\s+đề\s+nghị\b", re.IGNORECASE)
_BASIS_SPLIT_RE = re.compile(r";\s*(?=Căn\s+cứ\b|Theo\s+đề\s+nghị\b|Xét\s+đề\s+nghị\b)")
_DISTRIBUTION_RE = re.compile(r"^Nơi\s+nhận\s*:?\s*(?P<rest>.*)$", re.IGNORECASE)
_AUTHORITY_RE = re.compile(r"^(?:TM|KT|TL|TUQ|Q|QL)\.\s*\S")
_REPRESENTATIVE_RE = re.compile(r"^ĐẠI\s+DIỆN\b", re.IGNORECASE)
_SIGNATURE_NOISE_RE = re.compile(r"^[\[(\s]*(?:Đã\s+ký|Chữ\s+ký|Ký\s+tên|Ký,|Ký\s+và)", re.I)


# --- results --------------------------------------------------------------------------------


@dataclass(slots=True)
class Header:
    """What the header block (phần đầu văn bản) says. Indices refer to the input lines."""

    parent_issuer: str | None = None  # cơ quan chủ quản
    issuer: str | None = None  # cơ quan ban hành
    number: str | None = None  # số, ký hiệu, spaces removed ("16/2026/QĐ-UBND")
    number_pattern: str | None = None  # unnumbered draft: "…/BC-SCT"
    place: str | None = None  # địa danh
    issued: date | None = None  # ngày ban hành
    issued_text: str | None = None  # the date as written ("ngày    tháng 6 năm 2026")
    doc_type: str | None = None  # loại văn bản ("Nghị định", "Công văn" …)
    title: str = ""  # trích yếu ("Về quản lý, phát triển cụm công nghiệp")
    subject: str = ""  # V/v of a công văn, "V/v" stripped
    recipients: list[str] = field(default_factory=list)  # Kính gửi
    authority_line: str | None = None  # thẩm quyền ban hành ("BỘ TRƯỞNG BỘ CÔNG THƯƠNG")
    body_start: int = 0  # first line after the header (căn cứ or the body)
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Closing:
    """Nơi nhận and the signature block (phần kết thúc). Indices refer to the input lines."""

    start: int | None = None  # first line of the closing ("Nơi nhận:" or the signature)
    end: int | None = None  # first line after it
    authority: str | None = None  # quyền hạn ký: "KT. CỤC TRƯỞNG", "TM. CHÍNH PHỦ KT. THỦ TƯỚNG"
    authority_lines: list[str] = field(default_factory=list)
    signer_title: str | None = None  # chức vụ, proper case ("Phó Thủ tướng")
    signer: str | None = None  # họ tên ("Trần Hồng Hà")
    distribution: list[str] = field(default_factory=list)  # Nơi nhận
    other_signers: list[tuple[str | None, str]] = field(default_factory=list)  # biên bản
    place: str | None = None  # địa danh and ngày written just above the signature
    issued: date | None = None  # (giấy phép, giấy chứng nhận put them there)
    issued_text: str | None = None
    warnings: list[str] = field(default_factory=list)


class Bases(list[str]):
    """The căn cứ of a document (a list of "Căn cứ …" strings) and its `proposer`
    ("Theo đề nghị của Bộ trưởng Bộ Công Thương"), None when absent."""

    proposer: str | None = None


@dataclass(frozen=True, slots=True)
class _Seg:
    """One piece of text: a line, one line of a multi-line block, or one layout column."""

    index: int  # index of the input line it comes from
    text: str
    column: int = 0  # 0 alone or left column, 1 right column


# --- text helpers ---------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Markdown marks, legacy-font letters ("ƣ" for "ư") and non-breaking spaces removed."""
    text = unicodedata.normalize("NFC", text).replace("\xa0", " ").replace("ƣ", "ư")
    text = text.replace("Ƣ", "Ư").replace("**", "")
    return re.sub(r"^\s*(?:#{1,6}\s+|>\s+)", "", text)


def _segments(lines: list[str], start: int = 0, stop: int | None = None) -> list[_Seg]:
    """Non-empty pieces of lines[start:stop], splitting blocks on newlines and layout columns."""
    segs: list[_Seg] = []
    for index in range(start, len(lines) if stop is None else min(stop, len(lines))):
        for part in _clean(lines[index] or "").split("\n"):
            pieces = _split_columns(part.strip())
            for column, piece in enumerate(pieces):
                text = " ".join(piece.split())
                if text:
                    segs.append(_Seg(index, text, min(column, 1)))
    return segs


def _split_columns(text: str) -> list[str]:
    """Layout columns: split at a run of ≥ 3 spaces (or a tab) followed by an upper-case letter
    ("Số: 16 /2026/QĐ-UBND   Lào Cai, ngày …"); "Lào Cai, ngày    tháng 6" stays whole."""
    pieces, last = [], 0
    for gap in _COLUMN_GAP_RE.finditer(text):
        if gap.end() < len(text) and text[gap.end()].isupper():
            pieces.append(text[last:gap.start()])
            last = gap.end()
    pieces.append(text[last:])
    return pieces


def _letters(text: str) -> str:
    return "".join(ch for ch in text if ch.isalpha())


def _is_upper(text: str) -> bool:
    """All letters upper case (and there are some)."""
    letters = _letters(text)
    return bool(letters) and letters == letters.upper() and len(letters) >= 2


def _is_motto(text: str) -> bool:
    """Quốc hiệu: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" (also "HOÀ", legacy "HÕA")."""
    upper = text.upper()
    return upper.startswith("CỘNG H") and "CHỦ NGHĨA" in upper


def _is_noise(text: str) -> bool:
    """Separators, quốc hiệu and tiêu ngữ: layout that carries no data."""
    return bool(_SEPARATOR_RE.match(text) or _SLOGAN_RE.match(text)) or _is_motto(text)


def _strip_end(text: str) -> str:
    return text.strip().rstrip(";,.").strip()


def _fold(text: str) -> str:
    """Upper case without diacritics ("Đ" kept apart), for vowel tests."""
    decomposed = unicodedata.normalize("NFD", text.upper().replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _is_code(token: str) -> bool:
    """A token to keep as written: acronym (no vowel, or known), number, ký hiệu."""
    bare = token.strip("(),.;:")
    if not bare or any(ch.isdigit() for ch in bare) or "/" in bare:
        return True
    if bare.upper() in ACRONYMS or ("-" in bare and bare.isupper()):
        return True
    return bare.isupper() and len(bare) > 1 and not re.search(r"[AEIOUY]", _fold(bare))


def _restore_terms(text: str) -> str:
    for pattern, proper in _PROPER_RE:
        text = pattern.sub(proper, text)
    return re.sub(r"\b(do|của) nhà nước\b", r"\1 Nhà nước", text)  # the State, not "quản lý nhà nước"


def sentence_case(text: str) -> str:
    """An upper-case trích yếu in proper case: "VỀ QUẢN LÝ, PHÁT TRIỂN CỤM CÔNG NGHIỆP" →
    "Về quản lý, phát triển cụm công nghiệp"; acronyms and known names kept."""
    words = [w if _is_code(w) else w.lower() for w in text.split()]
    out = " ".join(words)
    out = out[:1].upper() + out[1:]
    return _restore_terms(out)


def _field_case(text: str) -> str:
    """One field of an agency name: first word capitalised, the rest lower, codes kept."""
    words = [w if _is_code(w) else w.lower() for w in text.split()]
    if words and not _is_code(words[0]):
        words[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(words)


def _locality_case(text: str) -> str:
    """"TỈNH LÀO CAI" → "tỉnh Lào Cai"; "TỈNH/THÀNH PHỐ …" → "tỉnh/thành phố …"."""
    match = re.match(r"^((?:TỈNH|THÀNH PHỐ|HUYỆN|QUẬN|THỊ XÃ|XÃ|PHƯỜNG|ĐẶC KHU)(?:/\S+(?: PHỐ)?)?)"
                     r"\s*(.*)$", text)
    if not match:
        return _field_case(text)
    unit, name = match.groups()
    proper = " ".join(w if _is_code(w) else w[:1].upper() + w[1:].lower() for w in name.split())
    return f"{unit.lower()} {proper}".strip()


def agency_case(text: str) -> str:
    """An agency name in proper Vietnamese case (Phụ lục II Nghị định 30/2020):
    "CỤC ĐỔI MỚI SÁNG TẠO, CHUYỂN ĐỔI XANH VÀ KHUYẾN CÔNG" →
    "Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công"; "UBND TỈNH LÀO CAI" →
    "Ủy ban nhân dân tỉnh Lào Cai"; acronyms kept ("Phòng QLCN")."""
    upper = " ".join(text.upper().replace("UỶ", "ỦY").split()).rstrip(",;.")
    upper = re.sub(r"^UBND\b", "ỦY BAN NHÂN DÂN", upper)
    upper = re.sub(r"^HĐND\b", "HỘI ĐỒNG NHÂN DÂN", upper)
    if upper in KNOWN_NAMES:
        return KNOWN_NAMES[upper]
    head = next((h for h in _HEADS_LONGEST_FIRST if upper == h or upper.startswith(h + " ")), "")
    rest = upper[len(head):].strip()
    locality = ""
    if match := _LOCALITY_RE.search(" " + rest):
        rest, locality = rest[: match.start()].strip(), rest[match.start():].strip()
    name = _name_fields_case(rest)
    parts = [AGENCY_HEADS.get(head, ""), name, _locality_case(locality) if locality else ""]
    out = " ".join(p for p in parts if p)
    if not head:
        out = out[:1].upper() + out[1:]
    return _restore_terms(out)


def _name_fields_case(text: str) -> str:
    """The specific part of a name: each field (split on "," and "và") capitalised."""
    pieces = re.split(r"(,\s*|\s+VÀ\s+)", text)
    out = []
    for piece in pieces:
        if re.fullmatch(r",\s*", piece):
            out.append(", ")
        elif re.fullmatch(r"\s+VÀ\s+", piece):
            out.append(" và ")
        elif piece:
            out.append(_field_case(piece))
    return "".join(out)


def position_case(text: str) -> str:
    """A chức vụ in proper case: "PHÓ THỦ TƯỚNG" → "Phó Thủ tướng", "GIÁM ĐỐC" → "Giám đốc"."""
    upper = " ".join(text.upper().split())
    deputy = upper.startswith("PHÓ ")
    core = upper[4:] if deputy else upper
    if core in TITLE_CASE_EXCEPTIONS:
        cased = TITLE_CASE_EXCEPTIONS[core]
    elif _OFFICER_RE.match(core):
        cased = _field_case(core)
    else:
        cased = agency_case(core) if _starts_agency(core) else _field_case(core)
    return f"Phó {cased}" if deputy else cased


def _starts_agency(upper: str) -> bool:
    return any(upper == h or upper.startswith(h + " ") for h in _HEADS_LONGEST_FIRST)


# --- header ---------------------------------------------------------------------------------


_NUMBER_HEAD_RE = re.compile(
    r"^\s*\d*\s*/\s*(?:\d{4}\s*/\s*)?[A-ZĐa-zđ0-9&.]+(?:\s*[-/]\s*[A-ZĐa-zđ0-9&.]+)*"
)


def parse_number(text: str) -> tuple[str | None, str | None]:
    """(number, pattern) of a "Số: …" remainder: "16 /2026/QĐ-UBND" → ("16/2026/QĐ-UBND", None);
    "/BC - SCT" (draft, not yet numbered) → (None, "…/BC-SCT")."""
    head = _NUMBER_HEAD_RE.match(text)  # stop where the number ends ("… NĐ-CP Hà Nội, ngày …")
    compact = re.sub(r"\s+", "", head.group(0) if head else text).rstrip(".,;|")
    if not compact:
        return None, None
    if _NUMBER_VALUE_RE.match(compact):
        return compact, None
    if "/" in compact:
        tail = compact[compact.index("/"):]
        return None, "…" + tail
    return None, None


def _match_type(text: str) -> tuple[str, str] | None:
    """(loại văn bản, rest of the line) when `text` is the upper-case type-name line."""
    if not _is_upper(text) or text.endswith(":"):
        return None
    upper = " ".join(text.split())
    for heading, name in doctypes.headings():  # tên loại văn bản, longest first
        if upper == heading:
            return name, ""
        if upper.startswith(heading + " ") and len(upper.split()) <= 8:
            return name, upper[len(heading):].strip()
    return None


def _is_authority_line(text: str) -> bool:
    """Thẩm quyền ban hành: "BỘ TRƯỞNG BỘ CÔNG THƯƠNG", "ỦY BAN NHÂN DÂN TỈNH …"."""
    if not _is_upper(text) or text.endswith(":"):
        return False
    upper = " ".join(text.split())
    return bool(_OFFICER_PREFIX_RE.match(upper + " ")) or _starts_agency(upper)


def _group_agencies(lines: list[str]) -> list[str]:
    """Issuer lines grouped into agency names: a line that begins with an agency word starts a
    new name unless the previous line ends with "," or "VÀ" (a wrapped name)."""
    groups: list[str] = []
    for line in lines:
        upper = line.upper().replace("UỶ", "ỦY")
        wrapped = bool(groups) and (groups[-1].endswith((",", "-")) or groups[-1].endswith(" VÀ"))
        if groups and (wrapped or not _starts_agency(re.sub(r"^UBND\b", "ỦY BAN", upper))):
            groups[-1] = f"{groups[-1]} {upper}"
        else:
            groups.append(upper)
    return groups


def _qualify_department(issuer: str, parent: str | None) -> str:
    """"Sở Công Thương" under "Ủy ban nhân dân tỉnh Lào Cai" → "Sở Công Thương tỉnh Lào Cai"."""
    if not parent or not issuer.startswith("Sở ") or re.search(r"\b(tỉnh|thành phố)\b", issuer):
        return issuer
    match = re.search(r"\b((?:tỉnh|thành phố) .+)$", parent)
    return f"{issuer} {match.group(1)}" if match else issuer


class _HeaderReader:
    """A small state machine over the header segments: head → title/subject → after → body."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        self.h = Header()
        self.issuer_lines: list[str] = []
        self.title_parts: list[str] = []
        self.title_in_type_line = False  # "BIÊN BẢN KIỂM TRA THỰC TẾ": trích yếu begun on it
        self.subject_parts: list[str] = []
        self.state = "head"
        self.seen_header = False
        self.evidence = False  # quốc hiệu, số, ngày, tên loại or V/v seen: this is a header
        self.last_index = -1

    def run(self) -> Header:
        segs = _segments(self.lines)
        for seg in segs[:MAX_HEADER_SEGMENTS]:
            if not self._take(seg):
                self.h.body_start = seg.index
                break
            self.last_index = max(self.last_index, seg.index)
        else:
            self.h.body_start = self.last_index + 1 if self.seen_header else 0
        self._finish()
        return self.h

    # one segment: True when it belongs to the header
    def _take(self, seg: _Seg) -> bool:
        text = seg.text
        if _is_noise(text):
            self.seen_header = True
            self.evidence = self.evidence or _is_motto(text) or bool(_SLOGAN_RE.match(text))
            return True
        if self._take_number_or_date(text):
            return True
        if self.state == "head":
            return self._take_head(seg)
        if self.state == "title" and self._continues_title(text):
            self.title_parts.append(text)
            return True
        if self.state == "subject" and text[0].islower():
            self.subject_parts.append(text)
            return True
        if self.state in ("title", "subject"):
            self.state = "after"
        return self._take_after(text)

    def _take_number_or_date(self, text: str) -> bool:
        if (match := _NUMBER_RE.match(text)) and self.h.number is None and not self.h.number_pattern:
            self.h.number, self.h.number_pattern = parse_number(match["rest"] or match["bare"] or "")
            self.seen_header = self.evidence = True
            return True
        match = _PLACE_DATE_RE.match(text)
        if match and self.h.issued_text is None and not match["place"].startswith("Hôm nay"):
            place = match["place"].strip(" .…")
            self.h.place = place or None
            self.h.issued_text = match["rest"].rstrip(".")
            self.h.issued = parse_vn_date(match["rest"])
            self.seen_header = self.evidence = True
            return True
        return False

    def _take_head(self, seg: _Seg) -> bool:
        text = seg.text
        if found := _match_type(text):
            self.h.doc_type, rest = found
            self.title_parts = [rest] if rest else []
            self.title_in_type_line = bool(rest)
            self.state, self.seen_header, self.evidence = "title", True, True
            return True
        if match := _VV_RE.match(text):
            self.subject_parts = [match["rest"]] if match["rest"] else []
            self.state, self.seen_header, self.evidence = "subject", True, True
            return True
        if _RECIPIENT_RE.match(text) or _BODY_START_RE.match(text):
            return self._take_after(text)
        if _is_upper(text) and not text.endswith(":") and seg.column == 0:
            self.issuer_lines.append(text)
            self.seen_header = True
            return True
        return not self.seen_header  # a preamble before the header is skipped; else body

    def _continues_title(self, text: str) -> bool:
        if _BODY_START_RE.match(text) or _RECIPIENT_RE.match(text) or _STRUCTURE_RE.match(text):
            return False
        if not self.title_parts or self.title_in_type_line:  # first line after the type name
            self.title_in_type_line = False
            return not _is_authority_line(text) and not text.startswith("(")
        if all(_is_upper(p) for p in self.title_parts):
            return _is_upper(text) and not _is_authority_line(text) and not text.endswith(":")
        return text[0].islower()

    def _take_after(self, text: str) -> bool:
        if match := _RECIPIENT_RE.match(text):
            self.state = "recipients"
            self._add_recipient(match["rest"], new=True)
            return True
        if self.state == "recipients" and not _BODY_START_RE.match(text):
            if _BULLET_RE.match(text):
                self._add_recipient(text, new=True)
                return True
            if text[0].islower() and self.h.recipients:
                self._add_recipient(text, new=False)
                return True
        if text.startswith("(") and text.endswith(")") and self.state == "after":
            return True  # "(Ban hành kèm theo …)", a note under the trích yếu
        if self.h.authority_line is None and _is_authority_line(text) and self.state != "head":
            self.h.authority_line = text
            return True
        if self._agency_after_title(text):
            self.issuer_lines.append(text)  # "# NGHỊ ĐỊNH / ## <trích yếu> / CHÍNH PHỦ / Số: …": a
            return True  # crawler put the title first; the header block follows it
        return False

    def _agency_after_title(self, text: str) -> bool:
        if self.h.number or self.h.issued_text or self.issuer_lines or not _is_upper(text):
            return False
        upper = " ".join(text.split())
        return upper in KNOWN_NAMES or _starts_agency(upper)

    def _add_recipient(self, text: str, new: bool) -> None:
        text = _BULLET_RE.sub("", text).strip()
        if not text:
            return
        if new or not self.h.recipients:
            self.h.recipients.append(text)
        else:
            self.h.recipients[-1] = f"{self.h.recipients[-1]} {text}"

    def _finish(self) -> None:
        if not self.evidence:
            self.h = Header(warnings=["không nhận ra phần đầu văn bản (quốc hiệu, số, ngày, tên loại)"])
            return
        self._finish_issuer()
        self._finish_texts()
        self._finish_type()
        self._finish_warnings()
        self.h.body_start = _skip_blank(self.lines, self.h.body_start)

    def _finish_issuer(self) -> None:
        groups = _group_agencies(self.issuer_lines)
        if groups:
            self.h.issuer = agency_case(groups[-1])
            self.h.parent_issuer = agency_case(groups[-2]) if len(groups) > 1 else None
        elif self.h.authority_line:
            upper = " ".join(self.h.authority_line.split())
            name = upper if upper in KNOWN_NAMES else _OFFICER_PREFIX_RE.sub("", upper + " ")
            self.h.issuer = agency_case(name.strip()) if name.strip() else None
        if self.h.issuer:
            self.h.issuer = _qualify_department(self.h.issuer, self.h.parent_issuer)

    def _finish_texts(self) -> None:
        self.h.title = _join_title(self.title_parts)
        self.h.subject = _strip_end(" ".join(self.subject_parts)) if self.subject_parts else ""
        self.h.recipients = [r for r in map(_strip_end, self.h.recipients) if r]

    def _finish_type(self) -> None:
        if self.h.doc_type is None and self.subject_parts:
            self.h.doc_type = "Công văn"
        if self.h.doc_type is None:
            self.h.doc_type = doctypes.doc_type_from_number(self.h.number or self.h.number_pattern)

    def _finish_warnings(self) -> None:
        h, w = self.h, self.h.warnings
        if h.number is None:
            w.append(f"văn bản chưa cấp số ({h.number_pattern})" if h.number_pattern
                     else "không tìm thấy số, ký hiệu văn bản")
        if h.issued is None:
            w.append(f"ngày ban hành để trống hoặc không đọc được: «{h.issued_text}»"
                     if h.issued_text else "không tìm thấy ngày ban hành")
        if h.issuer is None:
            w.append("không xác định được cơ quan ban hành")
        if h.doc_type is None:
            w.append("không xác định được loại văn bản")
        if not h.title and not h.subject:
            w.append("không tìm thấy trích yếu nội dung")


_TITLE_LEADS = ("phục vụ ", "về ", "của ", "theo ", "trên ", "tại ", "cho ", "đối với ")


def _join_title(parts: list[str]) -> str:
    """Trích yếu lines joined; upper-case lines in sentence case."""
    if not parts:
        return ""
    if all(_is_upper(p) for p in parts):
        return _strip_end(sentence_case(" ".join(parts)))
    out: list[str] = []
    for part in parts:
        text = sentence_case(part) if _is_upper(part) else part
        if out and text.lower().startswith(_TITLE_LEADS):
            text = text[:1].lower() + text[1:]
        out.append(text)
    return _strip_end(" ".join(out))


def _skip_blank(lines: list[str], index: int) -> int:
    while index < len(lines) and not _clean(lines[index] or "").strip():
        index += 1
    return index


def parse_header(lines: list[str]) -> Header:
    """The header block of a document (stops at the first one: an attached Quy chế's own header
    further down is not read). Never raises; what is missing is None plus a warning."""
    try:
        return _HeaderReader(list(lines or [])).run()
    except Exception as exc:  # noqa: BLE001 - tolerance is the contract
        return Header(warnings=[f"lỗi khi đọc phần đầu văn bản: {exc}"])


# --- căn cứ ---------------------------------------------------------------------------------


def parse_bases(lines: list[str], start: int | None = None) -> Bases:
    """The "Căn cứ …" of the document that begins at `start` (default: after its header), each
    joined across wrapped lines; "Theo đề nghị của …" goes to `.proposer`."""
    lines = list(lines or [])
    begin = parse_header(lines).body_start if start is None else start
    bases = Bases()
    items: list[str] = []
    for seg in _segments(lines, begin, begin + 200):
        text = seg.text
        if _BASIS_RE.match(text) or _PROPOSER_RE.match(text):
            items.extend(_BASIS_SPLIT_RE.split(text))
        elif not items:
            if not _is_noise(text):
                break  # the căn cứ come right after the header, or there are none
        elif _STRUCTURE_RE.match(text) or text.endswith(":"):
            break  # "QUYẾT ĐỊNH:", "Sở Công Thương tỉnh Lào Cai cho phép:"
        elif text[0].islower() or not items[-1].rstrip().endswith((";", ".", ":")):
            items[-1] = f"{items[-1]} {text}"  # a wrapped line
        else:
            break
    for item in items:
        if _PROPOSER_RE.match(item):
            bases.proposer = _strip_end(item)
        else:
            bases.append(_strip_end(item))
    return bases


# --- closing --------------------------------------------------------------------------------


def _is_name(text: str) -> bool:
    """A person's name: 2-6 capitalised words, letters only ("Nguyễn Văn Thịnh")."""
    words = text.split()
    if not 2 <= len(words) <= 6 or words[0] in NOT_NAME_FIRST_WORDS:
        return False
    return all(w.isalpha() and w[0].isupper() and (len(w) == 1 or w[1:].islower()) for w in words)


def _is_signature_start(text: str) -> bool:
    upper = " ".join(text.split())
    if _AUTHORITY_RE.match(upper) and _is_upper(upper):
        return True
    return bool(_OFFICER_RE.match(upper)) or bool(
        _REPRESENTATIVE_RE.match(upper) and len(upper) <= 60
    )


class _ClosingReader:
    """Reads Nơi nhận items and signature blocks, which may share layout lines."""

    def __init__(self, segs: list[_Seg]):
        self.segs = segs
        self.c = Closing()
        self.blocks: list[dict] = []  # {"authority": [...], "title": str|None, "name": str|None}
        self.in_distribution = False

    def run(self) -> Closing:
        begin = next((i for i, s in enumerate(self.segs) if self._starts(s.text)), None)
        if begin is None:
            self.c.warnings.append("không tìm thấy phần kết thúc (Nơi nhận, chữ ký)")
            return self.c
        self.c.start = self.segs[begin].index
        self.c.end = self.segs[-1].index + 1
        self._place_date(self.segs[max(begin - 1, 0):begin + 1])
        for seg in self.segs[begin:]:
            if not self._take(seg.text):
                self.c.end = seg.index
                break
        self._finish()
        return self.c

    def _place_date(self, segs: list[_Seg]) -> None:
        """"Lào Cai, ngày … tháng … năm …" just above the signature (or beside Nơi nhận)."""
        for seg in segs:
            if (match := _PLACE_DATE_RE.match(seg.text)) and not match["place"].startswith("Hôm"):
                self.c.place = match["place"].strip(" .…") or None
                self.c.issued_text = match["rest"].rstrip(".")
                self.c.issued = parse_vn_date(match["rest"])

    @staticmethod
    def _starts(text: str) -> bool:
        return bool(_DISTRIBUTION_RE.match(text)) or _is_signature_start(text)

    def _take(self, text: str) -> bool:
        if match := _DISTRIBUTION_RE.match(text):
            self.in_distribution = True
            rest = match["rest"]
            if rest and not (_AUTHORITY_RE.match(rest) and self._take_signature(rest)):
                self._add_item(rest, new=True)
            return True
        if _BULLET_RE.match(text):
            if not self.in_distribution and self._complete():
                return False
            self.in_distribution = True
            self._add_item(text, new=True)
            return True
        if self._take_signature(text):
            return True
        if self.in_distribution and self.c.distribution and self._continues_item(text):
            self._add_item(text, new=not text[0].islower())
            return True
        return bool(_SIGNATURE_NOISE_RE.match(text)) or bool(_PLACE_DATE_RE.match(text))

    def _continues_item(self, text: str) -> bool:
        if text[0].islower():
            return True
        return not _is_upper(text) and not _is_name(text) and text.endswith((";", ".", ","))

    def _take_signature(self, text: str) -> bool:
        upper = " ".join(text.split())
        block = self.blocks[-1] if self.blocks else None
        if _AUTHORITY_RE.match(upper) and _is_upper(upper):
            if block is None or block["title"] or block["name"]:
                block = self._new_block()
            block["authority"].append(upper)
            return True
        if _REPRESENTATIVE_RE.match(upper) and len(upper) <= 60:
            self._new_block()["title"] = text
            return True
        if _is_upper(upper) and not upper.endswith(":"):
            if _OFFICER_RE.match(upper) and (block is None or block["title"] or block["name"]):
                block = self._new_block()
            if block is not None and block["title"] is None and block["name"] is None:
                block["title"] = upper
                return True
            return False
        if _is_name(text) and block is not None and block["name"] is None:
            block["name"] = text
            return True
        if block is not None and block["title"] and not block["name"] and len(text) <= 60:
            if not _REPRESENTATIVE_RE.match(block["title"]) or text.endswith((";", ".")):
                return False
            block["title"] = f"{block['title']} {text}"  # "Đại diện" / "Sở Công Thương"
            return True
        return False

    def _new_block(self) -> dict:
        self.blocks.append({"authority": [], "title": None, "name": None})
        return self.blocks[-1]

    def _complete(self) -> bool:
        return bool(self.blocks) and self.blocks[-1]["name"] is not None

    def _add_item(self, text: str, new: bool) -> None:
        text = _BULLET_RE.sub("", text).strip()
        if new or not self.c.distribution:
            self.c.distribution.append(text)
        else:
            self.c.distribution[-1] = f"{self.c.distribution[-1]} {text}"

    def _finish(self) -> None:
        self.c.distribution = [d for d in map(_strip_end, self.c.distribution) if d]
        if not self.blocks:
            self.c.warnings.append("không tìm thấy chữ ký (chức vụ, họ tên người ký)")
            return
        main = self._main_block()
        self.c.authority_lines = list(main["authority"])
        self.c.authority = " ".join(main["authority"]) or None
        title = main["title"]
        if title and _REPRESENTATIVE_RE.match(title):
            self.c.signer_title = title
        elif title:
            self.c.signer_title = position_case(title)
        self.c.signer = main["name"]
        self.c.other_signers = [(b["title"], b["name"]) for b in self.blocks
                                if b is not main and b["name"]]
        if self.c.signer is None:
            self.c.warnings.append("không tìm thấy họ tên người ký")
        if self.c.signer_title is None:
            self.c.warnings.append("không tìm thấy chức vụ người ký")

    def _main_block(self) -> dict:
        """The document's signer: a block with quyền hạn ký, else one with a chức danh, else the
        first (a biên bản's first representative)."""
        for test in (lambda b: b["authority"],
                     lambda b: b["title"] and _OFFICER_RE.match(b["title"].upper())):
            found = [b for b in self.blocks if test(b) and b["name"]]
            if found:
                return found[0]
        named = [b for b in self.blocks if b["name"]]
        return named[0] if named else self.blocks[0]


def parse_closing(lines: list[str], start: int = 0) -> Closing:
    """The closing of the document (Nơi nhận and signature): the first one at or after `start`
    (pass `Header.body_start` for a whole document; the lines may also be the closing alone).
    Handles layout lines where Nơi nhận items and the signature share a line
    ("- Bộ Công Thương;   KT. CHỦ TỊCH"). Never raises."""
    try:
        return _ClosingReader(_segments(list(lines or []), max(start, 0))).run()
    except Exception as exc:  # noqa: BLE001 - tolerance is the contract
        return Closing(warnings=[f"lỗi khi đọc phần kết thúc văn bản: {exc}"])
