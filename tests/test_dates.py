"""Dates and hiệu lực provisions (ingest.dates), on phrases and on the real ccn corpus."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ingest.dates import EffectiveClause, effective_date, find_dates, parse_vn_date
from ingest.readers import read


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ngày 15 tháng 3 năm 2024", date(2024, 3, 15)),
        ("Hà Nội, ngày 25 tháng 02 năm 2026", date(2026, 2, 25)),
        ("15/3/2024", date(2024, 3, 15)),
        ("25 / 02 /2026", date(2026, 2, 25)),
        ("12/6/2025", date(2025, 6, 12)),
        ("ngày 09/7/2025", date(2025, 7, 9)),
        ("Ngày 03 tháng 7 năm 2025, Cục ĐCK nhận được", date(2025, 7, 3)),
        ("15-3-2024", date(2024, 3, 15)),
        ("ngày 31 tháng 2 năm 2024", None),  # impossible
        ("31/02/2024", None),
        ("ngày 12 tháng 13 năm 2024", None),
        ("Lào Cai, ngày        tháng      năm 2026", None),  # blank draft date
        ("Số: 16 /2026/QĐ-UBND", None),  # a số ký hiệu is no date
        ("Nghị định số 32/2024/NĐ-CP", None),
        ("", None),
    ],
)
def test_parse_vn_date(text: str, expected: date | None) -> None:
    assert parse_vn_date(text) == expected


def test_find_dates_spans() -> None:
    text = "Quyết định số 16 /2026/QĐ-UBND ngày 25 / 02 /2026 và ngày 15 tháng 3 năm 2024."
    found = find_dates(text)
    assert [d.value for d in found] == [date(2026, 2, 25), date(2024, 3, 15)]
    for d in found:
        assert text[d.start : d.end] == d.text
    assert found[0].text == "ngày 25 / 02 /2026"


ISSUED = date(2026, 2, 25)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Nghị định này có hiệu lực thi hành từ ngày 01 tháng 5 năm 2024.", date(2024, 5, 1), None),
        ("Thông tư này có hiệu lực kể từ ngày 01/7/2025.", date(2025, 7, 1), None),
        ("Quyết định này có hiệu lực thi hành kể từ ngày ký.", ISSUED, None),
        ("Quyết định này có hiệu lực kể từ ngày ban hành.", ISSUED, None),
        ("Quyết định này có hiệu lực sau 10 ngày kể từ ngày ký ban hành.", date(2026, 3, 7), None),
        (
            "Nghị quyết này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2025 đến hết ngày 28 tháng"
            " 02 năm 2027.",
            date(2025, 7, 1),
            date(2027, 2, 28),
        ),
        (
            "1. Nghị định này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2025.\n"
            "2. Nghị định này hết hiệu lực kể từ ngày 01 tháng 3 năm 2027 trừ các trường hợp sau:\n"
            "a) Trường hợp khác;",
            date(2025, 7, 1),
            date(2027, 2, 28),
        ),
        (
            "1. Nghị định này có hiệu lực thi hành\nkể từ ngày 01 tháng 5 năm 2024.",  # wrapped
            date(2024, 5, 1),
            None,
        ),
        ("Thông tư này có hiệu lực thi hành, từ ngày 08 tháng 4 năm 2014.", date(2014, 4, 8), None),
    ],
)
def test_effective_date_phrases(text: str, start: date, end: date | None) -> None:
    clause = effective_date(text, ISSUED)
    assert isinstance(clause, EffectiveClause)
    assert (clause.start, clause.end) == (start, end)
    assert "hiệu lực" in clause.sentence


def test_effective_date_relative_without_issued_keeps_rule() -> None:
    clause = effective_date("Quyết định này có hiệu lực sau 10 ngày kể từ ngày ký ban hành.", None)
    assert clause.start is None and clause.days_after_signing == 10
    assert clause.sentence.startswith("Quyết định này")


def test_effective_date_ignores_other_documents_and_placeholders() -> None:
    text = (
        "Tài sản hiện có tại thời điểm Nghị định này có hiệu lực thi hành nhưng chưa được giao.\n"
        "Nghị định số 68/2017/NĐ-CP hết hiệu lực kể từ ngày Nghị định này có hiệu lực.\n"
        "Điều 2. Quyết định có hiệu lực từ ngày … tháng … năm …."
    )
    clause = effective_date(text, ISSUED)
    assert clause.start is None and clause.end is None


def test_effective_date_no_provision() -> None:
    assert effective_date("", None) == EffectiveClause()
    assert effective_date("Chỉ thị này yêu cầu các Bộ thực hiện.", ISSUED).start is None


# (file, ngày ban hành, hiệu lực from, hiệu lực until, words of the sentence)
CORPUS_CASES = [
    ("ND-32-2024-ND-CP.txt", date(2024, 3, 15), date(2024, 5, 1), None, "Nghị định này"),
    ("ND-32-2024-ND-CP.docx", date(2024, 3, 15), date(2024, 5, 1), None, "Nghị định này"),
    ("TT-14-2024-TT-BCT.txt", date(2024, 8, 15), date(2024, 10, 1), None, "Thông tư này"),
    ("TT-14-2024-TT-BCT.docx", date(2024, 8, 15), date(2024, 10, 1), None, "Thông tư này"),
    ("QD-16-2026-QD-UBND-LaoCai.txt", date(2026, 2, 25), date(2026, 3, 7), None, "sau 10 ngày"),
    ("QD-130-2022-QD-CTDP.md", date(2022, 12, 27), date(2022, 12, 27), None, "kể từ ngày ký"),
    # Điều 21: from 01/7/2025; "hết hiệu lực kể từ ngày 01 tháng 3 năm 2027" → last day 28/02/2027
    ("ND-139-2025-ND-CP.txt", date(2025, 6, 12), date(2025, 7, 1), date(2027, 2, 28), "hết hiệu"),
    ("ND-139-2025-ND-CP.docx", date(2025, 6, 12), date(2025, 7, 1), date(2027, 2, 28), "hết hiệu"),
    ("ND-178-2026-ND-CP.txt", date(2026, 5, 20), date(2026, 7, 6), None, "Nghị định này"),
    ("ND-30-2020-ND-CP.md", date(2020, 3, 5), date(2020, 3, 5), None, "kể từ ngày ký"),
    ("ND-96-2026-ND-CP.md", date(2026, 3, 31), date(2026, 3, 31), None, "kể từ ngày ký"),
    ("ND-20-2026-ND-CP.md", None, date(2026, 1, 15), None, "từ ngày ký"),  # "(15/01/2026)"
    ("CT-07-2012-CT-TTg.txt", date(2012, 3, 2), None, None, ""),  # a Chỉ thị states none
]


@pytest.mark.parametrize(("name", "issued", "start", "end", "words"), CORPUS_CASES)
def test_effective_date_corpus(
    ccn_dir: Path, name: str, issued: date | None, start: date | None, end: date | None, words: str
) -> None:
    text = "\n".join(read(ccn_dir / name).lines)
    clause = effective_date(text, issued)
    assert (clause.start, clause.end) == (start, end), clause.sentence
    assert words in clause.sentence
