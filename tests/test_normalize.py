"""normalize(): Unicode, invisible characters, legacy-font artefacts, TCVN3, spaces."""

from __future__ import annotations

import time

import pytest

from ingest.normalize import COLUMN_GAP, fix_tcvn3_word, normalize


def test_nfc_composes_decomposed_vietnamese():
    assert normalize("Nghi\u0323 đi\u0323nh") == "Nghị định"
    assert normalize("ho\u0300a") == "hòa"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\ufeffĐiều 1", "Điều 1"),
        ("cụm\u200b công\u200d nghiệp", "cụm công nghiệp"),
        ("phát\u00adtriển", "pháttriển"),
        ("Điều\u00a08.\u00a0Điều kiện", "Điều 8. Điều kiện"),
        ("a)\tCó trong Danh mục", "a) Có trong Danh mục"),
        ("  khoản  1   ", "khoản 1"),
    ],
)
def test_invisible_and_space_characters(raw: str, expected: str):
    assert normalize(raw) == expected


def test_legacy_font_u_horn_artefact():
    assert normalize("BỘ CÔNG THƢƠNG hƣớng dẫn") == "BỘ CÔNG THƯƠNG hướng dẫn"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("CỘNG HÕA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("Cộng hõa", "Cộng hòa"),
        ("hòa giải", "hòa giải"),
        ("cõi mõ", "cõi mõ"),  # real "õ" stays
        ("tóc xõa, lõa thể", "tóc xõa, lõa thể"),  # real "õa" words stay
        ("VÕ VĂN KIỆT, ngõ 5", "VÕ VĂN KIỆT, ngõ 5"),
    ],
)
def test_o_tilde_artefact_only_where_known(raw: str, expected: str):
    assert normalize(raw) == expected


def test_column_gap_kept_as_three_spaces():
    line = "ỦY BAN NHÂN DÂN                    CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert normalize(line) == f"ỦY BAN NHÂN DÂN{COLUMN_GAP}CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert normalize("BỘ CÔNG  THƯƠNG") == "BỘ CÔNG THƯƠNG"  # two spaces are no column


def test_blank_fields_of_unsigned_letters_are_not_columns():
    assert normalize("Số:        /SCT-CN") == "Số: /SCT-CN"
    assert normalize("Lào Cai, ngày     tháng     năm 2026") == "Lào Cai, ngày tháng năm 2026"
    assert normalize("Số: 12/SCT-CN      Lào Cai, ngày 01") == "Số: 12/SCT-CN   Lào Cai, ngày 01"


def test_quotes_and_dashes_kept():
    assert normalize("“Cụm công nghiệp” – là") == "“Cụm công nghiệp” – là"


def test_tcvn3_line_converted():
    assert normalize("Céng hoµ x· héi chñ nghÜa viÖt nam") == "Cộng hoà xã hội chủ nghĩa việt nam"
    assert normalize("§éc lËp - Tù do - H¹nh phóc") == "Độc lập - Tự do - Hạnh phúc"


def test_tcvn3_remnant_in_unicode_line():
    assert normalize("Căn cứ §iÒu 8 Nghị định") == "Căn cứ Điều 8 Nghị định"


@pytest.mark.parametrize("word", ["Müller", "µm", "µg", "«", "café", "Nestlé", "§"])
def test_tcvn3_leaves_foreign_words_and_symbols(word: str):
    assert fix_tcvn3_word(word) == word
    assert normalize(f"Điều 5 {word} cụm công nghiệp") == f"Điều 5 {word} cụm công nghiệp"


def test_multiline_text_keeps_lines():
    assert normalize("  Điều 1.  \n\n   khoản 1  ") == "Điều 1.\n\nkhoản 1"


def test_empty():
    assert normalize("") == ""
    assert normalize(" \u200b\ufeff ") == ""


def test_fast_enough(ccn_dir):
    lines = (ccn_dir / "ND-32-2024-ND-CP.txt").read_text(encoding="utf-8").splitlines() * 40
    start = time.perf_counter()
    for line in lines:
        normalize(line)
    elapsed = time.perf_counter() - start
    size_mb = sum(len(x.encode()) for x in lines) / 1e6
    assert elapsed / size_mb < 1.0, f"{elapsed:.2f}s for {size_mb:.1f} MB"
