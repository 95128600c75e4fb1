"""PDF reader: pdfplumber layout text per page, OCR (tesseract "vie") for pages without text.

- Each page's text is taken with extract_text(layout=True), so the two columns of an official
  letter's header stay on one line separated by a wide gap (normalised to 3 spaces); the page's
  left margin is removed, relative indentation is kept in Block.original.
- Signature widgets of e-signed letters carry the number and date ("Số: 1178", "ngày 09") in
  their appearance: pages with annotations are flattened (pdfium) before extraction, and the
  blank spaces under the stamp are dropped.
- Page numbers ("2", "- 2 -", "Trang 2/5") and running headers/footers (the same line at the
  top or bottom of most pages) are removed; "NĐ-" at a line end is joined to "CP" below it.
- A page with no text layer (or almost none) is rendered at 300 dpi and read by OCR (origin
  "ocr", warning "trang N đọc bằng OCR").
- Blocks are visual lines: RawText.wrapped is True.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

import pdfplumber

from ingest.limits import LimitError, check_pdf_pages, checkpoint, limit
from ingest.readers._common import is_page_number, make_blocks
from ingest.types import Block, RawText, ReadError

MSG_ENCRYPTED = "tệp PDF bị mã hoá (có mật khẩu)"
MSG_CORRUPT = "tệp PDF bị hỏng"
MSG_NO_CONTENT = "tệp PDF không có nội dung: không có chữ, kể cả sau khi đọc bằng OCR"
MIN_TEXT_CHARS = 20  # fewer non-space characters than this: the page is an image, OCR it
RUNNING_EDGE_LINES = 2  # lines at the top/bottom of a page that may be running headers/footers

Rect = tuple[float, float, float, float]  # x0, top, x1, bottom in pdfplumber coordinates


def read_pdf(path: Path, data: bytes) -> RawText:
    """PDF bytes → RawText (fmt "pdf", wrapped True)."""
    data, stamps = _flatten_annotations(path, data)
    warnings: list[str] = []
    pages: list[list[Block]] = []
    with _open(path, data) as pdf:
        try:
            for number, page in enumerate(pdf.pages, 1):
                checkpoint(path)  # over time, client gone, server stopping: stop between pages
                pages.append(_page_blocks(path, page, number, stamps.get(number - 1, []), warnings))
        except ReadError:
            raise
        except Exception as exc:
            raise ReadError(path, f"{MSG_CORRUPT} ({type(exc).__name__})") from exc
    if not pages:
        raise ReadError(path, f"{MSG_CORRUPT} (không có trang nào)")
    blocks = _join_hyphenated(_drop_running_lines(pages))
    if not blocks:  # a blank or unreadable PDF is refused, not stored as an empty document
        raise ReadError(path, MSG_NO_CONTENT)
    return RawText(path, "pdf", blocks, wrapped=True, warnings=warnings)


# --- opening ---------------------------------------------------------------------------------


def _open(path: Path, data: bytes) -> pdfplumber.PDF:
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        _ = pdf.pages  # forces the page tree: broken files fail here
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise ReadError(path, MSG_ENCRYPTED) from exc
    except Exception as exc:  # pdfminer raises many kinds of errors on broken files
        if "password" in str(exc).lower() or "encrypt" in type(exc).__name__.lower():
            raise ReadError(path, MSG_ENCRYPTED) from exc
        raise ReadError(path, MSG_CORRUPT) from exc
    return pdf


def _flatten_annotations(path: Path, data: bytes) -> tuple[bytes, dict[int, list[Rect]]]:
    """Draw annotation appearances into the pages (pdfium); return the new bytes and, per page
    index, the rectangles of the flattened annotations. Unchanged bytes when there are none."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise ReadError(path, MSG_ENCRYPTED) from exc
        raise ReadError(path, MSG_CORRUPT) from exc
    try:
        _check_pages(path, doc)
    except ReadError:
        doc.close()
        raise
    try:
        stamps: dict[int, list[Rect]] = {}
        for index in range(len(doc)):
            page = doc[index]
            rects = _annotation_rects(page, pdfium_c)
            if rects and pdfium_c.FPDFPage_Flatten(page.raw, pdfium_c.FLAT_NORMALDISPLAY) == 1:
                stamps[index] = rects
        if not stamps:
            return data, {}
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue(), stamps
    except Exception:  # flattening is a bonus: read the file as it is
        return data, {}
    finally:
        doc.close()


def _check_pages(path: Path, doc) -> None:
    """Page count and page sizes from the page tree, before any page is loaded or rendered."""
    check_pdf_pages(path, len(doc), doc.get_page_size)


def _annotation_rects(page, pdfium_c) -> list[Rect]:
    height = page.get_height()
    rects: list[Rect] = []
    for i in range(pdfium_c.FPDFPage_GetAnnotCount(page.raw)):
        annot = pdfium_c.FPDFPage_GetAnnot(page.raw, i)
        try:
            if pdfium_c.FPDFAnnot_GetSubtype(annot) == pdfium_c.FPDF_ANNOT_LINK:
                continue
            rect = pdfium_c.FS_RECTF()
            if pdfium_c.FPDFAnnot_GetRect(annot, rect):
                top, bottom = sorted((height - rect.top, height - rect.bottom))
                rects.append((rect.left, top, rect.right, bottom))
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annot)
    return rects


# --- one page --------------------------------------------------------------------------------


def _page_blocks(path: Path, page, number: int, stamps: list[Rect], warnings: list[str]) -> list[Block]:
    if stamps:
        page = page.filter(lambda obj: not _blank_under_stamp(obj, stamps))
    if _needs_ocr(page):
        from ingest.readers.ocr import ocr_page_lines

        ocr_done = sum(1 for w in warnings if w.endswith("đọc bằng OCR"))
        if ocr_done >= limit("ocr_pages"):
            raise LimitError(path, "ocr_pages", f"trang {number} là trang thứ {ocr_done + 1} cần OCR")
        lines = ocr_page_lines(page, number, warnings, path)
        return make_blocks(lines, origin="ocr", page=number)
    text = page.extract_text(layout=True) or ""
    return make_blocks(_dedent(text.split("\n")), page=number)


def _blank_under_stamp(obj: dict, stamps: list[Rect]) -> bool:
    if obj.get("object_type") != "char" or not obj.get("text", "").isspace():
        return False
    x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in stamps)


def _needs_ocr(page) -> bool:
    chars = sum(1 for c in page.chars if not c["text"].isspace())
    if chars >= 200:
        return False
    if chars < MIN_TEXT_CHARS:
        return True
    area = float(page.width * page.height) or 1.0
    covered = sum(float(im["width"] * im["height"]) for im in page.images)
    return covered / area > 0.5  # a scan with a few stray characters (stamp, signature)


def _dedent(lines: list[str]) -> list[str]:
    """Strip trailing padding and the page's common left margin."""
    lines = [ln.rstrip() for ln in lines]
    content = [ln for ln in lines if ln.strip()]
    if not content:
        return []
    margin = min(len(ln) - len(ln.lstrip(" ")) for ln in content)
    return [ln[margin:] for ln in content]


# --- across pages ----------------------------------------------------------------------------

_DIGITS = re.compile(r"\d+")


def _drop_running_lines(pages: list[list[Block]]) -> list[Block]:
    """Remove page-number lines and running headers/footers from the page edges."""
    running = _running_lines(pages)

    def removable(block: Block) -> bool:
        return is_page_number(block.text) or _edge_key(block) in running

    blocks: list[Block] = []
    for page in pages:
        start, end = 0, len(page)
        while start < min(RUNNING_EDGE_LINES, end) and removable(page[start]):
            start += 1
        while end > max(start, len(page) - RUNNING_EDGE_LINES) and removable(page[end - 1]):
            end -= 1
        blocks.extend(page[start:end])
    return blocks


def _running_lines(pages: list[list[Block]]) -> set[str]:
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({_edge_key(page[i]) for i in _edge_indexes(len(page))})
    threshold = max(3, int(len(pages) * 0.6))
    return {key for key, n in counts.items() if n >= threshold}


def _edge_indexes(n: int) -> set[int]:
    k = RUNNING_EDGE_LINES
    return set(range(min(k, n))) | set(range(max(0, n - k), n))


def _edge_key(block: Block) -> str:
    return _DIGITS.sub("#", block.text)


_HYPHEN_END = re.compile(r"(?<=[A-Za-zĐđ0-9/])-$")
_NEXT_CODE = re.compile(r"^([A-ZĐ0-9][\w/.-]*)(?:\s+(.*))?$")


def _join_hyphenated(blocks: list[Block]) -> list[Block]:
    """ "32/2024/NĐ-" + "CP của …" → "32/2024/NĐ-CP" + "của …" (a code split at a line end)."""
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if prev is not None and prev.origin == block.origin and _HYPHEN_END.search(prev.text):
            match = _NEXT_CODE.match(block.text)
            if match and "   " not in prev.text:
                head, rest = match.group(1), match.group(2) or ""
                out[-1] = Block(prev.text + head, prev.original + head, prev.origin, prev.page)
                if rest:
                    original = block.original.replace(head, "", 1).rstrip()
                    out.append(Block(rest, original, block.origin, block.page))
                continue
        out.append(block)
    return out
