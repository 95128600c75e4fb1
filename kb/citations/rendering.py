"""Citations rendered in their canonical Vietnamese form (NĐ 30/2020, Phụ lục II)."""

from __future__ import annotations

import re
from datetime import date

from kb.citations.lexer import _WS_RE
from kb.doctypes import doc_type_from_number, normalize_number
from kb.model import Citation, nfc


def render(c: Citation, doc_type: str | None = None, *, with_doc: bool = True) -> str:
    """Canonical Vietnamese form (NĐ 30/2020, Phụ lục II): "điểm c khoản 2 Điều 8 Nghị định số
    32/2024/NĐ-CP"; "Điều 5 Quy chế ban hành kèm theo Quyết định số 16/2026/QĐ-UBND";
    "Phụ lục I Thông tư số 14/2024/TT-BCT"."""
    words: list[str] = []
    if c.point is not None:
        words.append(f"điểm {c.point}")
    if c.clause is not None:
        words.append(f"khoản {c.clause}")
    if c.article is not None:
        words.append(f"Điều {c.article}")
    if c.annex_item is not None:
        words.append(c.annex_item if c.annex_item[0] in "BM" else f"mục {c.annex_item}")
    if c.annex is not None:
        words.append(f"Phụ lục {c.annex}")
    doc_text = render_short(c.doc, doc_type) if with_doc and c.doc else ""
    if c.part:
        words.append(f"{c.part} ban hành kèm theo" if doc_text else c.part)
    if doc_text:
        words.append(doc_text)
    return " ".join(words)


def render_short(number: str | None, doc_type: str | None = None) -> str:
    """A document by type and số hiệu: "Nghị định số 32/2024/NĐ-CP" (later mentions)."""
    if not number:
        return doc_type or ""
    if number.startswith("file:"):
        return number[5:]
    number = normalize_number(number)
    doc_type = doc_type or doc_type_from_number(number)
    return f"{doc_type} số {number}" if doc_type else f"văn bản số {number}"


def render_full(
    number: str | None,
    doc_type: str | None,
    issued: date | None,
    issuer: str | None,
    title: str | None,
) -> str:
    """First mention in a drafted document: "Nghị định số 32/2024/NĐ-CP ngày 15 tháng 3 năm 2024
    của Chính phủ về quản lý, phát triển cụm công nghiệp" (day < 10 and months 1, 2 padded)."""
    words = [render_short(number, doc_type)] if number else [doc_type or "văn bản"]
    if issued is not None:
        month = f"{issued.month:02d}" if issued.month < 3 else str(issued.month)
        words.append(f"ngày {issued.day:02d} tháng {month} năm {issued.year}")
    if issuer:
        words.append(f"của {issuer}")
    if title:
        words.append(_title_phrase(title))
    return " ".join(words)


_TITLE_LEAD = re.compile(
    r"(?i)(?:về|quy định|hướng dẫn|ban hành|sửa đổi|bãi bỏ|phê duyệt|thành lập|quy chế)\b"
)


def _title_phrase(title: str) -> str:
    """Trích yếu as it follows the issuer: "Về quản lý …" → "về quản lý …"; else "về " + title."""
    title = _WS_RE.sub(" ", nfc(title)).strip().rstrip(".;")
    if len(title) > 1 and title[0].isupper() and not title[1].isupper():
        title = title[0].lower() + title[1:]
    return title if _TITLE_LEAD.match(title) else f"về {title}"
