"""Vietnamese text analysis for the lexical index: retrieval/analysis.py."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

import pytest

from retrieval.abbreviations import ABBREVIATIONS, BEFORE_NUMBER, NOT_EXPANDED
from retrieval.analysis import (
    Analyzer,
    analyze,
    analyze_many,
    analyze_query,
    fold,
    has_diacritics,
    normalize_syllable,
)

ND32 = Path(__file__).resolve().parents[2] / "shared/corpus/ccn/ND-32-2024-ND-CP.txt"


def test_abbreviation_shares_the_tokens_of_its_words() -> None:
    words = set(analyze_query("cụm công nghiệp mở rộng tỷ lệ lấp đầy"))
    short = set(analyze_query("CCN mở rộng tỷ lệ lấp đầy"))
    assert words <= short
    assert {"cụm_công", "công_nghiệp", "nghiệp_mở"} <= short
    assert set(analyze("cụm công nghiệp mở rộng")) <= set(analyze("CCN mở rộng"))


@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("UBND tỉnh", "ủy ban nhân dân tỉnh"),
        ("HĐND tỉnh", "hội đồng nhân dân tỉnh"),
        ("Sở KH&ĐT", "sở kế hoạch và đầu tư"),
        ("phát triển KT-XH", "phát triển kinh tế xã hội"),
        ("PCCC", "phòng cháy chữa cháy"),
        ("NSNN", "ngân sách nhà nước"),
    ],
)
def test_abbreviations(short: str, long: str) -> None:
    assert set(analyze(long)) <= set(analyze(short))


def test_ambiguous_abbreviations_are_conservative() -> None:
    assert "thông_tư" in analyze("TT 05/2025/TT-BCT")
    assert "thông_tư" in analyze("theo TT số 05")
    assert "thông" not in analyze("| TT | Tên cụm công nghiệp |")  # the "thứ tự" column
    assert "quy" not in analyze("QH chung") and "quốc" not in analyze("QH chung")
    assert "qh" in NOT_EXPANDED and "qh" not in ABBREVIATIONS
    assert len(ABBREVIATIONS) + len(BEFORE_NUMBER) >= 60


def test_abbreviations_are_expanded_inside_document_numbers_never() -> None:
    tokens = analyze("Luật số 61/2020/QH14")
    assert {"61/2020/qh14", "61/2020", "61", "2020", "qh14"} <= set(tokens)
    tokens = analyze("Quyết định số 123/QĐ-UBND")
    assert {"123/qđ-ubnd", "qđ", "ubnd"} <= set(tokens) and "ủy" not in tokens


def test_document_numbers_match_their_short_form() -> None:
    short = set(analyze_query("NĐ 32/2024"))
    full = set(analyze("Nghị định số 32/2024/NĐ-CP"))
    assert {"32/2024", "32", "2024", "nđ", "nghị_định"} <= short & full
    assert "32/2024/nđ-cp" in full
    assert {"32/2024", "~nghi_dinh", "~nd"} <= set(analyze_query("nd 32/2024"))


def test_numbers_and_units() -> None:
    tokens = analyze("tối thiểu 75% diện tích, quy mô 10 ha, vốn 1.000.000 đồng")
    assert {"75%", "75", "10", "10_ha", "ha", "1.000.000", "1000000"} <= set(tokens)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("thuỷ lợi", "thủy lợi"),
        ("Uỷ ban", "Ủy ban"),
        ("hoá chất", "hóa chất"),
        ("hoà giải", "hòa giải"),
        ("khoẻ", "khỏe"),
        ("qui định", "quy định"),
        ("tỉ lệ", "tỷ lệ"),
        ("kĩ thuật", "kỹ thuật"),
    ],
)
def test_spelling_variants_give_the_same_tokens(old: str, new: str) -> None:
    assert analyze(old) == analyze(new)
    assert analyze_query(old) == analyze_query(new)


def test_tone_placement_keeps_what_is_right() -> None:
    for syllable in ("quý", "quỳ", "hoàn", "thuyền", "khuya", "hóa", "của"):
        assert normalize_syllable(syllable) == syllable
    assert normalize_syllable("qúy") == "quý"


def test_decomposed_text_is_normalised() -> None:
    text = "Cụm công nghiệp Hoà Bình"
    assert analyze(unicodedata.normalize("NFD", text)) == analyze(text)


def test_fold() -> None:
    assert fold("Cụm công nghiệp Đồng Nai") == "Cum cong nghiep Dong Nai"
    assert fold(unicodedata.normalize("NFD", "ủy ban")) == "uy ban"
    assert has_diacritics("Đ") and has_diacritics("cụm") and not has_diacritics("cum cong 32")


def test_query_without_diacritics_matches_folded_tokens() -> None:
    query = analyze_query("cum cong nghiep mo rong")
    document = set(analyze("Cụm công nghiệp mở rộng"))
    assert query and set(query) <= document
    assert all(t.startswith("~") for t in query)
    assert "~cum_cong" in query


def test_accented_query_keeps_the_accented_namespace() -> None:
    query = analyze_query("cụm công nghiệp 32")
    assert "cụm" in query and "32" in query
    assert not any(t.startswith("~") for t in query)


def test_every_accented_token_has_a_folded_twin() -> None:
    tokens = analyze("Điều 8. Điều kiện thành lập cụm công nghiệp")
    accented = [t for t in tokens if not t.startswith("~") and any(c.isalpha() for c in t)]
    assert {"~" + fold(t) for t in accented} <= set(tokens)


def test_stopwords_leave_unigrams_but_not_bigrams() -> None:
    tokens = analyze("Bộ Kế hoạch và Đầu tư của tỉnh")
    assert "và" not in tokens and "của" not in tokens
    assert {"hoạch_và", "và_đầu", "của_tỉnh"} <= set(tokens)
    assert {"không_được", "được", "theo", "quy_định"} <= set(analyze("không được theo quy định"))
    assert analyze_query("và của") != []


def test_punctuation_and_lines_cut_bigrams() -> None:
    tokens = analyze("cụm công. nghiệp\nlàng nghề")
    assert "công_nghiệp" not in tokens and "nghiệp_làng" not in tokens
    assert "làng_nghề" in tokens


def test_options() -> None:
    plain = Analyzer(bigrams=False, folded=False).analyze("cụm công nghiệp")
    assert plain == ["cụm", "công", "nghiệp"]


def test_analyze_many_matches_analyze() -> None:
    texts = ["Cụm công nghiệp (CCN)", "Nghị định số 32/2024/NĐ-CP", ""]
    assert list(analyze_many(texts, processes=2)) == [analyze(t) for t in texts]


@pytest.mark.skipif(not ND32.exists(), reason="shared corpus not present")
def test_speed_is_printed() -> None:
    text = ND32.read_text(encoding="utf-8")
    analyzer = Analyzer()
    for label in ("cold", "warm"):
        start = time.perf_counter()
        tokens = analyzer.analyze(text)
        seconds = time.perf_counter() - start
        print(f"\nND-32 {label}: {len(tokens)} tokens, {len(tokens) / seconds:,.0f} tokens/s")
    assert tokens
