"""Helpers shared by the readers: block making, page-number lines, text decoding."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from ingest.normalize import normalize
from ingest.types import Block, ReadError

MSG_BINARY = "không phải văn bản (dữ liệu nhị phân)"

PAGE_NUMBER_RE = re.compile(
    r"^\s*(?:[-–—]\s*\d{1,4}\s*[-–—]|\d{1,4}|(?:Trang|trang|TRANG|Page|page)\s+\d{1,4}"
    r"(?:\s*(?:/|trên|of)\s*\d{1,4})?)\s*$"
)

_UTF16_PROBE = 4096


def make_blocks(
    originals: Iterable[str], origin: str = "body", page: int | None = None
) -> list[Block]:
    """One Block per original string whose normalised text is not empty."""
    blocks = []
    for original in originals:
        text = normalize(original)
        if text:
            blocks.append(Block(text=text, original=original, origin=origin, page=page))
    return blocks


def is_page_number(line: str) -> bool:
    return bool(PAGE_NUMBER_RE.match(line))


def decode_text(path: Path, data: bytes, warnings: list[str]) -> str:
    """Decode a text file: UTF-8 (BOM ok), UTF-16 (BOM or NUL pattern), else cp1258."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(path, data, "utf-8-sig")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(path, data, "utf-16")
    if b"\x00" in data[:_UTF16_PROBE]:
        return _strict(path, data, _utf16_without_bom(path, data[:_UTF16_PROBE]))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad <= max(3, len(text) // 2000) and not text.isascii():
        warnings.append(f"tệp có {bad} byte không hợp lệ theo UTF-8, đã thay bằng ký tự �")
        return text
    text = data.decode("cp1258", errors="replace")
    _reject_control_chars(path, text)
    warnings.append("tệp không mã hoá UTF-8: đã đọc theo bảng mã Windows-1258")
    return text


def _strict(path: Path, data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ReadError(path, MSG_BINARY) from exc
    _reject_control_chars(path, text)
    return text


def _utf16_without_bom(path: Path, probe: bytes) -> str:
    even = probe[0::2].count(0)
    odd = probe[1::2].count(0)
    half = len(probe) // 2 or 1
    if odd / half > 0.3 and even / half < 0.05:
        return "utf-16-le"
    if even / half > 0.3 and odd / half < 0.05:
        return "utf-16-be"
    raise ReadError(path, MSG_BINARY)


def _reject_control_chars(path: Path, text: str) -> None:
    sample = text[:20000]
    controls = sum(1 for c in sample if c < " " and c not in "\t\n\r\f")
    if controls > max(2, len(sample) // 200):
        raise ReadError(path, MSG_BINARY)
