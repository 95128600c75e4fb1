"""Test helpers that build PDFs: an image-only (scanned-like) PDF from lines of text."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
A4_INCHES = (8.27, 11.69)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and draw.textlength(trial, font=font) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def make_image_pdf(
    path: Path,
    paragraphs: Sequence[str | tuple[str, str]],
    dpi: int = 200,
    font_pt: float = 12.0,
    font_path: Path = DEJAVU,
) -> Path:
    """Write an A4 PDF whose pages are only images of `paragraphs` (no text layer).

    A (left, right) pair draws two columns on one line, as in the header of an official letter.
    """
    size = (round(A4_INCHES[0] * dpi), round(A4_INCHES[1] * dpi))
    font = ImageFont.truetype(str(font_path), round(font_pt * dpi / 72))
    margin, line_height = round(0.9 * dpi), round(font_pt * dpi / 72 * 1.5)
    measure = ImageDraw.Draw(Image.new("L", (1, 1)))
    rows: list[tuple[str, str]] = []
    for paragraph in paragraphs:
        if isinstance(paragraph, tuple):
            rows.append(paragraph)
        else:
            rows.extend(
                (line, "") for line in _wrap(measure, paragraph, font, size[0] - 2 * margin)
            )
    pages: list[Image.Image] = []
    draw, y = None, size[1]
    for left, right in rows:
        if draw is None or y + line_height > size[1] - margin:
            pages.append(Image.new("RGB", size, "white"))
            draw, y = ImageDraw.Draw(pages[-1]), margin
        draw.text((margin, y), left, font=font, fill="black")
        if right:
            draw.text((round(size[0] * 0.45), y), right, font=font, fill="black")
        y += line_height
    if not pages:
        pages.append(Image.new("RGB", size, "white"))
    pages[0].save(path, "PDF", resolution=float(dpi), save_all=True, append_images=pages[1:])
    return path


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_text_pdf(path: Path, pages: Sequence[Sequence[str | tuple[str, str]]]) -> Path:
    """Write a small A4 PDF with a real text layer (Helvetica, ASCII/Latin-1 text only).

    Each page is a list of lines from the top; a (left, right) pair puts two columns on one
    line, as in the header of an official letter.
    """
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    font_id = 3
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    kids: list[int] = []
    for lines in pages:
        ops = ["BT", "/F1 11 Tf"]
        y = 800
        for line in lines:
            cells = line if isinstance(line, tuple) else (line,)
            for x, cell in zip((72, 330), cells, strict=False):
                ops.append(f"1 0 0 1 {x} {y} Tm ({_pdf_escape(cell)}) Tj")
            y -= 16
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content_id = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (font_id, content_id)
        )
        kids.append(len(objects))
    kid_refs = " ".join(f"{k} 0 R" for k in kids).encode()
    objects[1] = b"<< /Type /Pages /Kids [" + kid_refs + b"] /Count %d >>" % len(kids)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))
    return path
