"""Readers: any user file → RawText (blocks of normalised text), format detected from content.

`read(path)` looks at the bytes, not the name: a ZIP holding word/document.xml is DOCX, "%PDF"
is PDF, HTML tags make HTML, YAML front matter / "#" headings / Markdown tables make Markdown,
other decodable text is plain text. The extension is only a hint for error messages. Files that
cannot be read raise ReadError with a Vietnamese message naming the problem.
"""

from __future__ import annotations

from pathlib import Path

from ingest.readers._common import MSG_BINARY, decode_text
from ingest.readers.detect import detect_format, sniff_text_format
from ingest.types import RawText, ReadError

__all__ = ["read", "read_bytes", "detect_format", "ReadError", "RawText"]


def read(path: Path | str) -> RawText:
    """Read one file into a RawText; raise ReadError (Vietnamese message) when it cannot."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError as exc:
        raise ReadError(path, "là một thư mục, không phải tệp") from exc
    except FileNotFoundError as exc:
        raise ReadError(path, "không tìm thấy tệp") from exc
    except PermissionError as exc:
        raise ReadError(path, "không có quyền đọc tệp") from exc
    return read_bytes(path, data)


def read_bytes(path: Path | str, data: bytes) -> RawText:
    """Read a file's content already in memory (`path` names it in messages and RawText)."""
    path = Path(path)
    fmt = detect_format(path, data)
    if fmt == "docx":
        from ingest.readers.docx import read_docx

        return read_docx(path, data)
    if fmt == "pdf":
        from ingest.readers.pdf import read_pdf

        return read_pdf(path, data)
    try:
        return _read_text_like(path, data)
    except ReadError as exc:
        expected = _EXPECTED_BY_SUFFIX.get(path.suffix.lower())
        if exc.problem == MSG_BINARY and expected:
            problem = f"tệp có đuôi {path.suffix} nhưng không phải {expected}: {MSG_BINARY}"
            raise ReadError(path, problem) from exc
        raise


_EXPECTED_BY_SUFFIX = {
    ".docx": "tệp DOCX",
    ".pdf": "tệp PDF",
    ".doc": "tệp Word",
    ".txt": "văn bản",
    ".md": "văn bản Markdown",
    ".html": "trang HTML",
    ".htm": "trang HTML",
}


def _read_text_like(path: Path, data: bytes) -> RawText:
    warnings: list[str] = []
    text = decode_text(path, data, warnings)
    if not text.strip():
        raise ReadError(path, "tệp rỗng (chỉ có khoảng trắng)")
    fmt = sniff_text_format(text, path.suffix)
    if fmt == "html":
        from ingest.readers.html import read_html

        raw = read_html(path, text)
    elif fmt == "md":
        from ingest.readers.markdown import read_markdown

        raw = read_markdown(path, text)
    else:
        from ingest.readers.text import read_text

        raw = read_text(path, text)
    raw.warnings[:0] = warnings
    if not raw.blocks:
        raise ReadError(path, "không tìm thấy nội dung văn bản trong tệp")
    return raw
