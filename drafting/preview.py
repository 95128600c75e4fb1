"""PDF preview of a draft through LibreOffice headless (`soffice --headless --convert-to pdf`).

LibreOffice is optional: without it `to_pdf` raises PreviewUnavailable with a message saying what
to install (Debian: libreoffice-writer-nogui, listed in the Makefile's APT_PACKAGES). Times New
Roman is replaced by its metric twin Liberation Serif, so lines break as in Word.
`page_png` draws one page of the PDF as a PNG (pdfplumber's pypdfium2: no other process), for
the web UI's live preview.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

INSTALL_HINT = ("không có LibreOffice (soffice) trên máy này nên không tạo được bản PDF xem trước; "
                "cài gói Debian libreoffice-writer-nogui (make setup với quyền root)")


class PreviewUnavailable(RuntimeError):
    """LibreOffice is not installed."""


class PreviewError(RuntimeError):
    """LibreOffice ran but produced no PDF."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    return soffice() is not None


def to_pdf(docx: Path | str, pdf: Path | str | None = None, *, timeout: float = 240) -> Path:
    """Convert `docx` to `pdf` (default: beside it, same name). A private LibreOffice profile per
    call lets several conversions run at once."""
    exe = soffice()
    if exe is None:
        raise PreviewUnavailable(INSTALL_HINT)
    docx = Path(docx).resolve()
    target = Path(pdf) if pdf else docx.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="ccn-preview-") as tmp:
        profile = Path(tmp) / "profile"
        command = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", tmp, str(docx)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise PreviewError(f"LibreOffice không chuyển xong {docx.name} sang PDF sau {timeout:.0f} giây") from None
        produced = Path(tmp) / f"{docx.stem}.pdf"
        if not produced.is_file():
            detail = (done.stderr or done.stdout).strip()[:300]
            raise PreviewError(f"LibreOffice không tạo được PDF từ {docx.name}: {detail or 'không rõ lỗi'}")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(produced), target)
    return target


def page_png(pdf: Path | str, *, page: int = 1, resolution: int = 96) -> tuple[bytes, int]:
    """Page `page` (from 1) of `pdf` as PNG bytes at `resolution` dpi, and the PDF's page count."""
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        count = len(document.pages)
        if not 1 <= page <= count:
            raise PreviewError(f"bản PDF xem trước không có trang {page} (có {count} trang)")
        image = document.pages[page - 1].to_image(resolution=resolution).original
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue(), count
