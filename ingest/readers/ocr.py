"""OCR of a PDF page without a text layer: tesseract ("vie") at 300 dpi, lines rebuilt from word
boxes so that a two-column header keeps its columns apart (a wide gap becomes 3 spaces)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path

from ingest.limits import LimitError, checkpoint
from ingest.normalize import COLUMN_GAP

OCR_LANG = "vie"
OCR_DPI = 300
COLUMN_GAP_HEIGHTS = 2.5  # a horizontal gap wider than this many text heights splits columns


@dataclass
class _Line:
    """One tesseract line: its words and box (pixels)."""

    words: list[tuple[int, int, str]] = field(default_factory=list)  # (left, right, text)
    left: int = 10**9
    right: int = 0
    top: int = 10**9
    bottom: int = 0

    def add(self, left: int, top: int, width: int, height: int, text: str) -> None:
        self.words.append((left, left + width, text))
        self.left, self.right = min(self.left, left), max(self.right, left + width)
        self.top, self.bottom = min(self.top, top), max(self.bottom, top + height)

    @property
    def height(self) -> int:
        return max(1, self.bottom - self.top)


def ocr_page_lines(page, number: int, warnings: list[str], path: Path | str = "") -> list[str]:
    """Text lines of one pdfplumber page read by OCR; a warning names the page. Tesseract runs
    as a subprocess killed when the work's time budget runs out (ingest.limits)."""
    left = checkpoint(path)
    try:
        import pytesseract

        image = page.to_image(resolution=OCR_DPI).original
        data = pytesseract.image_to_data(image, lang=OCR_LANG, output_type=pytesseract.Output.DICT,
                                         timeout=max(1, int(left)) if left is not None else 0)
    except Exception as exc:
        if "timeout" in str(exc).lower():  # pytesseract killed tesseract: the budget is spent
            raise LimitError(path, "seconds", f"OCR trang {number} chưa xong khi hết thời gian") from exc  # tesseract missing, language missing, rendering failure
        warnings.append(f"trang {number} không có lớp chữ và không đọc được bằng OCR: {exc}")
        return []
    warnings.append(f"trang {number} đọc bằng OCR")
    return rows_to_text(_rows(_lines(data)))


def _lines(data: dict) -> list[_Line]:
    lines: dict[tuple[int, int, int], _Line] = {}
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        if not text or float(data["conf"][i]) < 0:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        lines.setdefault(key, _Line()).add(
            data["left"][i], data["top"][i], data["width"][i], data["height"][i], text
        )
    return sorted(lines.values(), key=lambda ln: (ln.top, ln.left))


def _rows(lines: list[_Line]) -> list[list[_Line]]:
    """Group tesseract lines that share a baseline band (the columns of one visual row)."""
    rows: list[list[_Line]] = []
    for line in lines:
        for row in rows[-3:]:
            ref = row[0]
            overlap = min(ref.bottom, line.bottom) - max(ref.top, line.top)
            if overlap > 0.5 * min(ref.height, line.height):
                row.append(line)
                break
        else:
            rows.append([line])
    return rows


def rows_to_text(rows: list[list[_Line]]) -> list[str]:
    out: list[str] = []
    for row in rows:
        row.sort(key=lambda ln: ln.left)
        height = statistics.median(ln.height for ln in row)
        parts: list[str] = []
        prev_right: int | None = None
        for left, right, word in sorted(w for line in row for w in line.words):
            if prev_right is not None:
                gap = left - prev_right
                parts.append(COLUMN_GAP if gap > COLUMN_GAP_HEIGHTS * height else " ")
            parts.append(word)
            prev_right = right
        out.append("".join(parts))
    return out
