"""A scanned page of Nghị định 32/2024/NĐ-CP, end to end: image-only PDF → OCR → parser → store.

The page is drawn by the test (tests/helpers_pdf.py) from the real text of Điều 8 in
../shared/corpus/ccn/ND-32-2024-ND-CP.txt, under the decree's header.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers_pdf import make_image_pdf

from ingest.runner import IngestReport, ingest_paths
from kb.model import Citation, Kind
from kb.store import Store

pytestmark = pytest.mark.slow  # Tesseract reads rendered pages: seconds each

ND32 = "32/2024/NĐ-CP"
HEADER: list[str | tuple[str, str]] = [
    ("CHÍNH PHỦ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ("", "Độc lập - Tự do - Hạnh phúc"),
    ("Số: 32/2024/NĐ-CP", "Hà Nội, ngày 15 tháng 3 năm 2024"),
    "NGHỊ ĐỊNH",
    "VỀ QUẢN LÝ, PHÁT TRIỂN CỤM CÔNG NGHIỆP",
]


def article8_lines(ccn_dir: Path) -> list[str]:
    text = (ccn_dir / "ND-32-2024-ND-CP.txt").read_text(encoding="utf-8").split("\n")
    start = next(i for i, x in enumerate(text) if x.startswith("Điều 8."))
    end = next(i for i, x in enumerate(text) if x.startswith("Điều 9."))
    return text[start:end]


@pytest.fixture(scope="module")
def scanned(tmp_path_factory, ccn_dir: Path) -> tuple[Store, IngestReport, Path]:
    folder = tmp_path_factory.mktemp("scan")
    pdf = make_image_pdf(folder / "nd32-dieu8-scan.pdf", [*HEADER, *article8_lines(ccn_dir)])
    store = Store.at_home(folder / "home")
    return store, ingest_paths(store, [pdf]), pdf


def test_scan_is_read_by_ocr(scanned: tuple[Store, IngestReport, Path]):
    store, report, pdf = scanned
    assert report.failed == []
    assert report.ingested == [str(pdf.resolve())]
    (warnings,) = report.warnings.values()
    assert any("đọc bằng OCR" in w for w in warnings)
    (source,) = store.sources(str(pdf.resolve()))
    assert source.fmt == "pdf" and any("đọc bằng OCR" in w for w in source.warnings)


def test_scanned_decree_header(scanned: tuple[Store, IngestReport, Path]):
    store, _, _ = scanned
    doc = store.document(ND32)
    assert doc is not None and doc.is_stub is False
    assert (doc.doc_type, doc.issuer) == ("Nghị định", "Chính phủ")
    assert doc.title == "Về quản lý, phát triển cụm công nghiệp"


def test_scanned_article8_with_clauses(scanned: tuple[Store, IngestReport, Path]):
    store, _, _ = scanned
    article = store.provision(Citation(ND32, article=8), kind=Kind.ARTICLE.value)
    assert article is not None
    assert article.title.startswith("Điều kiện thành lập, mở rộng cụm công nghiệp")
    clauses = [r for r in store.provisions(ND32, kind=Kind.CLAUSE.value) if r.article == 8]
    assert [c.clause for c in clauses] == [1, 2]
    assert clauses[0].text.startswith("1. Thành lập cụm công nghiệp phải đáp ứng")
    assert clauses[1].text.startswith("2. Mở rộng cụm công nghiệp phải đáp ứng")
    assert all(c.parent_pid == article.pid for c in clauses)
    points = store.provision(Citation(ND32, article=8, clause=2, point="c"))
    assert points is not None and "60%" in points.text
