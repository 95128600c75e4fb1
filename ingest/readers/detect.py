"""Format detection from content (magic bytes and text sniffing); the extension is a hint."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from ingest.types import ReadError

MSG_EMPTY = "tệp rỗng"
MSG_DOCX_BROKEN = "tệp DOCX bị hỏng hoặc không đầy đủ"
MSG_DOC_LEGACY = "định dạng .doc cũ chưa hỗ trợ, hãy lưu lại dưới dạng .docx"

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_BINARY_MAGIC: dict[bytes, str] = {
    b"\x89PNG": "tệp ảnh PNG, không phải văn bản (hãy chuyển sang PDF để đọc bằng OCR)",
    b"\xff\xd8\xff": "tệp ảnh JPEG, không phải văn bản (hãy chuyển sang PDF để đọc bằng OCR)",
    b"GIF8": "tệp ảnh GIF, không phải văn bản",
    b"II*\x00": "tệp ảnh TIFF, không phải văn bản (hãy chuyển sang PDF để đọc bằng OCR)",
    b"MM\x00*": "tệp ảnh TIFF, không phải văn bản (hãy chuyển sang PDF để đọc bằng OCR)",
    b"{\\rtf": "định dạng RTF chưa hỗ trợ, hãy lưu lại dưới dạng .docx",
    b"Rar!": "tệp nén RAR, không phải văn bản",
    b"7z\xbc\xaf": "tệp nén 7z, không phải văn bản",
    b"\x1f\x8b": "tệp nén gzip, không phải văn bản",
}
_OFFICE_OTHER = {
    "xl/": "tệp Excel (XLSX), không phải văn bản Word",
    "ppt/": "tệp PowerPoint (PPTX), không phải văn bản Word",
}

_HTML_RE = re.compile(r"<(?:!doctype\s+html|html[\s>]|body[\s>]|head[\s>])", re.IGNORECASE)
_MD_HEADING_RE = re.compile(r"^#{1,6}\s+\S", re.MULTILINE)
_MD_TABLE_RE = re.compile(r"^\|.*\|\s*\n\|\s*:?-{3,}", re.MULTILINE)
_MD_EMPHASIS_RE = re.compile(r"^\*\*[^*\n]+\*\*", re.MULTILINE)


def detect_format(path: Path, data: bytes) -> str:
    """Return "docx", "pdf" or "text" (HTML/Markdown/plain are told apart after decoding)."""
    if not data or not data.strip():
        raise ReadError(path, MSG_EMPTY)
    if data.startswith(_OLE2):
        raise ReadError(path, MSG_DOC_LEGACY)
    if data.startswith(_ZIP):
        _check_docx_zip(path, data)
        return "docx"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    for magic, problem in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise ReadError(path, problem)
    return "text"


def _check_docx_zip(path: Path, data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        if b"word/" in data[:65536] or path.suffix.lower() in (".docx", ".docm", ".dotx"):
            raise ReadError(path, MSG_DOCX_BROKEN) from exc
        raise ReadError(path, "tệp nén ZIP bị hỏng, không phải văn bản") from exc
    if any(n.startswith("word/") and n.endswith(".xml") for n in names):
        if "[Content_Types].xml" not in names:
            raise ReadError(path, MSG_DOCX_BROKEN)
        return
    for prefix, problem in _OFFICE_OTHER.items():
        if any(n.startswith(prefix) for n in names):
            raise ReadError(path, problem)
    if "content.xml" in names:
        raise ReadError(path, "tệp OpenDocument (ODT) chưa hỗ trợ, hãy lưu lại dưới dạng .docx")
    raise ReadError(path, "tệp nén ZIP không phải văn bản DOCX")


def sniff_text_format(text: str, suffix: str = "") -> str:
    """ "html", "md" or "txt" for decoded text; `suffix` (".txt", ".md") is only a hint.

    A ".txt" file needs stronger Markdown evidence (front matter or a table, or headings *and*
    emphasis) than a file of another name, since plain notes also start lines with "#".
    """
    head = text[:4096].lstrip("\ufeff \t\r\n")
    if _HTML_RE.search(head[:2048]) or (head.startswith("<") and "</" in head):
        return "html"
    if head.startswith("---") and re.match(r"---[ \t]*\r?\n", head):
        return "md"
    sample = text[:65536]
    table = bool(_MD_TABLE_RE.search(sample))
    heading = bool(_MD_HEADING_RE.search(sample))
    emphasis = len(_MD_EMPHASIS_RE.findall(sample)) >= 2
    if suffix.lower() == ".txt":
        return "md" if table or (heading and emphasis) else "txt"
    return "md" if table or heading or emphasis else "txt"
