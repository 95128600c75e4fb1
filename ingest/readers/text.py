"""Plain-text reader: one block per line; tells pdftotext-style hard-wrapped text apart."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.readers._common import is_page_number, make_blocks
from ingest.types import RawText

_LINE_SPLIT = re.compile(r"\r\n|\r|\n|\f")
_EXTRACTION_NOTE = re.compile(
    r"^\s*\[[^\]]*(?:trích|tự động|pdftotext|OCR|chuyển đổi|extract|đối chiếu)[^\]]*\]\s*$",
    re.IGNORECASE,
)
_CONTINUATION = re.compile(
    r"^\s*[a-zàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]"
)
_POINT_START = re.compile(r"^\s*[a-zđ]\d?\s*\)")

WRAP_MAX_P90 = 120  # hard-wrapped text: 90 % of lines are at most this long …
WRAP_MIN_CONTINUATION = 0.3  # … and this share of lines continues the previous one


def read_text(path: Path, text: str) -> RawText:
    """Plain text → RawText; `wrapped` when the lines are visual lines of a page layout."""
    warnings: list[str] = []
    lines = _LINE_SPLIT.split(text)
    lines = _drop_extraction_note(lines, warnings)
    wrapped = looks_wrapped(lines)
    if wrapped:
        lines = [ln for ln in lines if not is_page_number(ln)]
    originals = [ln.rstrip() for ln in lines]
    return RawText(path, "txt", make_blocks(originals), wrapped=wrapped, warnings=warnings)


def _drop_extraction_note(lines: list[str], warnings: list[str]) -> list[str]:
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if _EXTRACTION_NOTE.match(line):
            warnings.append(f"đã bỏ ghi chú trích xuất ở đầu tệp: {line.strip()[:120]}")
            return lines[i + 1 :]
        return lines
    return lines


def looks_wrapped(lines: list[str]) -> bool:
    """True for hard-wrapped text (pdftotext), False for one paragraph per line."""
    content = [ln.rstrip() for ln in lines if ln.strip()]
    if len(content) < 5:
        return False
    lengths = sorted(len(ln) for ln in content)
    if lengths[int(len(lengths) * 0.9)] > WRAP_MAX_P90:
        return False
    pairs = zip(content, content[1:], strict=False)
    continued = sum(
        1 for _, nxt in pairs if _CONTINUATION.match(nxt) and not _POINT_START.match(nxt)
    )
    return continued / (len(content) - 1) >= WRAP_MIN_CONTINUATION
