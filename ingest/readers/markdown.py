"""Markdown reader: YAML front matter and the "THÔNG TIN VĂN BẢN" table → front_matter; the body
→ one block per non-empty line with the Markdown markup stripped.

Block.original is the Markdown line as in the file; Block.text = normalize(line without markup).
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from pathlib import Path

import yaml

from ingest.normalize import normalize
from ingest.types import Block, RawText

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Loader = yaml.SafeLoader

# --- front matter keys -----------------------------------------------------------------------

_ALIASES: dict[str, tuple[str, ...]] = {
    "so_hieu": (
        "so",
        "sohieu",
        "so_ky_hieu",
        "sokyhieu",
        "so_hieu_van_ban",
        "number",
        "doc_number",
        "document_number",
    ),
    "loai_van_ban": ("loaivanban", "loai", "doc_type"),
    "noi_ban_hanh": ("noibanhanh",),
    # the issuing body; copied onto noi_ban_hanh (which some sources use for the place)
    "co_quan_ban_hanh": (
        "coquanbanhanh",
        "cquanbanhanh",
        "co_quan",
        "coquan",
        "coquanbh",
        "issuer",
        "issuing_body",
        "issuingagency",
        "issued_by",
    ),
    "nguoi_ky": ("nguoiky", "signer", "signername"),
    "ngay_ban_hanh": ("ngaybanhanh", "issued_date", "date_issued", "issuedate"),
    "ngay_hieu_luc": (
        "ngayhieuluc",
        "ngay_co_hieu_luc",
        "effective_date",
        "effectivedate",
        "date_effective",
        "effdate",
    ),
    "trang_thai": (
        "trangthai",
        "tinh_trang",
        "tinhtrang",
        "status",
        "tinh_trang_hieu_luc",
        "trang_thai_hieu_luc",
    ),
    "trich_yeu": ("trichyeu",),
    "thay_the": ("thaythe", "replaces"),
    "linh_vuc": ("linhvuc",),
}
_KEY_MAP = {alias: key for key, aliases in _ALIASES.items() for alias in (key, *aliases)}
CANONICAL_KEYS = frozenset(_ALIASES)
# front_matter[METADATA_TABLE]: the fields read from the metadata table (not the YAML), so that
# relations read from them carry that weaker source (ingest.relations)
METADATA_TABLE = "_metadata_table"
_EMPTY_VALUES = frozenset({"", "-", "—", "–", "đang cập nhật", "n/a", "none", "null", "không rõ"})


def slug_key(label: str) -> str:
    """ "Ngày ban hành" / "ngay-ban-hanh" / "NgayBanHanh" → "ngay_ban_hanh" (ASCII snake case)."""
    label = label.replace("*", "").strip()
    label = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", label)  # camelCase → camel_Case
    ascii_ = unicodedata.normalize("NFD", label.replace("đ", "d").replace("Đ", "D"))
    ascii_ = "".join(c for c in ascii_ if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "_", ascii_).strip("_")


def canonical_key(label: str) -> str | None:
    """The canonical snake_case key for a known field name, else None."""
    return _KEY_MAP.get(slug_key(label))


def _clean_value(value: object) -> object | None:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        value = value.strip()
        return None if value.lower() in _EMPTY_VALUES else value
    return value


_DATE_LIKE = re.compile(r"^\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}|^\d{1,2} tháng \d{1,2} năm \d{4}")


def field_name(label: str, value: object, keep: bool = True) -> str:
    """Canonical name of a field; unknown labels kept as they are (`keep`) or slugged."""
    slug = slug_key(label)
    if slug in ("hieu_luc", "hieuluc"):  # a date or a status, depending on the source
        return "ngay_hieu_luc" if _DATE_LIKE.match(str(value)) else "trang_thai"
    return _KEY_MAP.get(slug) or (label if keep else slug)


def map_front_matter(raw: dict, into: dict, keep_names: bool = True) -> None:
    """Copy fields: known keys under their canonical name, others as they are (or slugged)."""
    for key, value in raw.items():
        value = _clean_value(value)
        if value is not None:
            into.setdefault(field_name(str(key), value, keep_names), value)


def finish_front_matter(front_matter: dict) -> dict:
    """The issuing body wins over "nơi ban hành" (a place in some sources)."""
    if "co_quan_ban_hanh" in front_matter:
        front_matter["noi_ban_hanh"] = front_matter["co_quan_ban_hanh"]
    return front_matter


# --- front matter block ----------------------------------------------------------------------

_FM_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


def split_front_matter(text: str, warnings: list[str]) -> tuple[dict, str]:
    """(front matter dict, body) — broken YAML gives a warning and an empty dict."""
    stripped = text.lstrip("\ufeff")
    if not re.match(r"---[ \t]*\r?\n", stripped):
        return {}, text
    first_nl = stripped.index("\n") + 1
    end = _FM_END.search(stripped, first_nl)
    if end is None:
        warnings.append("phần YAML đầu tệp không có dòng kết thúc '---': bỏ qua")
        return {}, stripped[first_nl:]
    yaml_text, body = stripped[first_nl : end.start()], stripped[end.end() :]
    try:
        data = yaml.load(yaml_text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        warnings.append(f"phần YAML đầu tệp bị lỗi, đã bỏ qua: {str(exc).splitlines()[0]}")
        return {}, body
    if data is None:
        return {}, body
    if not isinstance(data, dict):
        warnings.append("phần YAML đầu tệp không phải bảng khoá–giá trị: bỏ qua")
        return {}, body
    return data, body


# --- inline markup ---------------------------------------------------------------------------

_HTML_TAGS = (
    "a|abbr|b|big|blockquote|br|center|code|del|div|em|font|hr|i|img|ins|mark|p|pre|s|small|"
    "span|strike|strong|sub|sup|table|tbody|td|th|thead|tr|u|ul|ol|li|h[1-6]|section|article"
)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\((?:[^()]|\([^()]*\))*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^>\s]+)>")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(rf"</?(?:{_HTML_TAGS})(?:\s[^<>]*)?/?>", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?-->")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__(?!\w)")
_ITALIC_STAR = re.compile(r"(?<![\w*(])\*(?=[^\s*)])(.+?)(?<=[^\s*(])\*(?![\w*)])")
_ITALIC_UNDER = re.compile(r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~\"'=])")
_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)")
_HEADING_TAIL = re.compile(r"\s+#+\s*$")
_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")
_BULLET_ENUM = re.compile(
    r"^\s*[-*+]\s+(?=(?:[a-zđ]\d?\)|\d{1,3}[.)]|Điều\s|Khoản\s|[IVXLC]+\.)\s?)"
)
_STAR_BULLET = re.compile(r"^(\s*)[*+](?=\s)")
_RULE = re.compile(r"^\s{0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}|(?:=[ \t]*){3,})$")
_FENCE = re.compile(r"^\s{0,3}(?:```|~~~)")


def strip_inline(text: str) -> str:
    """Remove inline Markdown/HTML markup from one line (links keep their text)."""
    if "<" in text:
        text = _COMMENT.sub("", text)
        text = _BR.sub(" ", text)
        text = _AUTOLINK.sub(r"\1", text)
        text = _TAG.sub("", text)
    if "](" in text or "][" in text:
        text = _IMAGE.sub("", text)
        text = _LINK.sub(r"\1", text)
        text = _REF_LINK.sub(r"\1", text)
    if "*" in text or "__" in text:
        text = _BOLD.sub(lambda m: m.group(1) or m.group(2), text)
        text = _ITALIC_STAR.sub(r"\1", text).replace("**", "")
    if "_" in text:
        text = _ITALIC_UNDER.sub(r"\1", text)
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    if "&" in text and ";" in text:
        text = html.unescape(text)
    return text


def strip_line(line: str) -> str:
    """Remove block-level then inline markup from one body line."""
    if line.lstrip().startswith("#"):
        line = _HEADING_TAIL.sub("", _HEADING.sub("", line))
    elif line.lstrip().startswith(">"):
        line = _QUOTE.sub("", line)
    if line.lstrip()[:1] in ("-", "*", "+"):
        line = _BULLET_ENUM.sub("", line)
        line = _STAR_BULLET.sub(r"\1-", line)
    line = line.rstrip()
    if line.endswith("\\"):
        line = line[:-1]
    return strip_inline(line)


# --- tables ----------------------------------------------------------------------------------

_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_METADATA_HEADING = re.compile(r"THÔNG TIN VĂN BẢN|THUỘC TÍNH VĂN BẢN", re.IGNORECASE)


def table_cells(row: str) -> list[str]:
    """Cells of one table row, markup stripped ("| a | b |" and "| a | b" both work)."""
    inner = row.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [strip_inline(c).strip() for c in _CELL_SPLIT.split(inner)]


def metadata_rows(rows: list[list[str]]) -> dict[str, str] | None:
    """The fields of a "THÔNG TIN VĂN BẢN" table, or None when `rows` is an ordinary table."""
    known = sum(1 for cells in rows if len(cells) >= 2 and canonical_key(cells[0]))
    if known < 2:
        return None
    fields: dict[str, str] = {}
    for cells in rows:
        if len(cells) >= 2 and cells[0]:
            map_front_matter({cells[0]: " | ".join(c for c in cells[1:] if c)}, fields, False)
    return fields


# --- reader ----------------------------------------------------------------------------------


def _without_header(rows: list[str]) -> list[list[str]]:
    """Cells of the rows after the header separator (all rows when there is none)."""
    for i, row in enumerate(rows[:3]):
        if _TABLE_SEPARATOR.match(row):
            return [table_cells(r) for r in rows[i + 1 :]]
    return [table_cells(r) for r in rows]


_KV_LINE = re.compile(r"^\s*(?:[-*+]\s+)?\*\*([^*:]{1,40}?)\s*:?\s*\*\*\s*:?\s*(.*)$")


class _Body:
    """Collects body blocks and metadata fields while walking the lines."""

    def __init__(self, front_matter: dict) -> None:
        self.blocks: list[Block] = []
        self.front_matter = front_matter
        self.metadata_taken = False
        self.table: list[str] = []
        self.pending_heading: tuple[str, str] | None = None  # "## THÔNG TIN VĂN BẢN"
        self.in_fence = False

    def add(self, original: str, stripped: str, origin: str = "body") -> None:
        text = normalize(stripped)
        if text:
            self.blocks.append(Block(text=text, original=original, origin=origin))

    def line(self, line: str) -> None:
        if line.lstrip().startswith(">") and not self.in_fence:
            line = _QUOTE.sub("", line)
        if line.lstrip().startswith("|") and not self.in_fence:
            self.table.append(line)
            return
        self.flush_table()
        if _FENCE.match(line):
            self.in_fence = not self.in_fence
        elif self.in_fence:
            self.add(line, line)
        elif line.strip() and not _RULE.match(line) and not self._metadata_line(line):
            self._text_line(line)

    def _text_line(self, line: str) -> None:
        self.release_heading()
        stripped = strip_line(line)
        is_heading = line.lstrip().startswith("#")
        if is_heading and not self.metadata_taken and _METADATA_HEADING.search(stripped):
            self.pending_heading = (line, stripped)
            return
        self.add(line, stripped)

    def _metadata_line(self, line: str) -> bool:
        """A "**Số:** 244/2026/NĐ-CP" line of the metadata section: into front matter."""
        if self.pending_heading is None:
            return False
        match = _KV_LINE.match(line)
        if not match:
            return False
        fields: dict = {}
        map_front_matter({match.group(1): strip_inline(match.group(2))}, fields, False)
        self._take_fields(fields)
        self.metadata_taken = True
        return True

    def _take_fields(self, fields: dict) -> None:
        for key, value in fields.items():
            self.front_matter.setdefault(key, value)
            self.front_matter.setdefault(METADATA_TABLE, {})[key] = value

    def release_heading(self) -> None:
        """The metadata heading is body text after all when no metadata followed it."""
        if self.pending_heading is not None:
            if not self.metadata_taken:
                self.add(*self.pending_heading)
            self.pending_heading = None

    def flush_table(self) -> None:
        rows, self.table = self.table, []
        if not rows:
            return
        fields = None if self.metadata_taken else metadata_rows(_without_header(rows))
        if fields is not None:
            self.metadata_taken = True
            self.pending_heading = None
            self._take_fields(fields)
            return
        self.release_heading()
        for row in rows:
            if not _TABLE_SEPARATOR.match(row):
                self.add(row, " | ".join(c for c in table_cells(row) if c), origin="table")


def read_markdown(path: Path, text: str) -> RawText:
    """Markdown → RawText (fmt "md", wrapped False)."""
    warnings: list[str] = []
    raw_fm, body_text = split_front_matter(text, warnings)
    front_matter: dict = {}
    map_front_matter(raw_fm, front_matter)
    body = _Body(front_matter)
    for line in body_text.splitlines():
        body.line(line)
    body.flush_table()
    body.release_heading()
    return RawText(
        path,
        "md",
        body.blocks,
        wrapped=False,
        front_matter=finish_front_matter(front_matter),
        warnings=warnings,
    )
