"""The rules beside the calibrated confidence (retrieval/confidence.py), on the wording of real
questions: what gives away a question the cluster texts do not answer."""

from __future__ import annotations

import math

import pytest

from retrieval.analysis import analyze_query, token_set
from retrieval.confidence import evidence, zone_missing

ND32_EXPANSION = ("Điều kiện mở rộng cụm công nghiệp: tỷ lệ diện tích đất công nghiệp đã cho thuê "
                  "đạt trên 60 %")


@pytest.mark.parametrize(("question", "zone"), [
    ("Khu công nghiệp muốn mở rộng thì tỷ lệ lấp đầy phải đạt bao nhiêu phần trăm?", "khu công nghiệp"),
    ("Khu công nghiệp (không phải cụm) thì phải có diện tích tối thiểu bao nhiêu ha?", "khu công nghiệp"),
    ("Khu kinh tế cửa khẩu do cấp nào quyết định thành lập?", "khu kinh tế"),
    ("khu che xuat duoc mo rong khi nao", "khu chế xuất"),
    ("Cụm công nghiệp muốn mở rộng thì tỷ lệ lấp đầy phải đạt bao nhiêu?", None),  # a cluster
    ("Cụm công nghiệp nằm cạnh khu công nghiệp có được mở rộng không?", None),  # names the cluster
    ("CCN gần khu kinh tế mở rộng thế nào?", None),
])
def test_the_zone_a_question_is_about(question: str, zone: str | None):
    assert zone_missing(question, ND32_EXPANSION) == zone


def test_a_provision_speaking_of_the_zone_answers():
    """NĐ 217/2026 Điều 53 khoản 2 answers who licenses building in a khu công nghiệp."""
    text = ("Thẩm quyền cấp giấy phép xây dựng 2. Ban quản lý khu công nghiệp, khu chế xuất, khu công nghệ "
            "cao, khu kinh tế cấp giấy phép xây dựng cho các công trình")
    question = "Ban Quản lý các khu công nghiệp tỉnh có thẩm quyền cấp giấy phép xây dựng trong khu công nghiệp không?"
    assert zone_missing(question, text) is None


ROAD = ("Điều 4. Phương án phát triển cụm công nghiệp 3. Vị trí cụm công nghiệp bảo đảm kết nối giao "
        "thông; khoảng cách tới đường giao thông chính không quá 800 mét.")  # a number of the asked unit, about another thing


ND32_8_2 = ("Điều 8. Điều kiện thành lập, mở rộng cụm công nghiệp 2. Cụm công nghiệp được mở rộng khi đáp ứng "
            "các điều kiện sau:\nc) Đạt tỷ lệ lấp đầy ít nhất 60% hoặc nhu cầu thuê đất công nghiệp trong cụm "
            "công nghiệp vượt quá diện tích đất công nghiệp hiện có của cụm công nghiệp;")


@pytest.mark.parametrize(("question", "texts", "missing"), [
    ("Ranh giới cụm phải cách khu dân cư gần nhất tối thiểu bao nhiêu mét?", [ROAD], 1.0),
    ("Đường giao thông chính cách cụm tối đa bao nhiêu mét?", [ROAD], 0.0),
    ("Tỷ lệ đất cây xanh tối thiểu trong cụm công nghiệp là bao nhiêu phần trăm?", [ND32_8_2], 1.0),
    ("Cụm công nghiệp phải đạt tỷ lệ lấp đầy bao nhiêu phần trăm thì được mở rộng?", [ND32_8_2], 0.0),
    ("Muốn mở rộng cụm thì phải cho thuê được bao nhiêu?", [ND32_8_2], 0.0),  # no unit: any number
])
def test_an_amount_is_given_by_a_sentence_about_what_is_asked(question: str, texts: list[str], missing: float,
                                                              nd32_idf):
    found = evidence(question, analyze_query(question), nd32_idf, texts, dense_top=0.9, top_embedded=True)
    assert found.amount == missing


@pytest.fixture(scope="module")
def nd32_idf(ccn_dir):
    """A word's idf over the lines of NĐ 32/2024 (the search takes it from its whole index)."""
    lines = [token_set(line) for line in (ccn_dir / "ND-32-2024-ND-CP.txt").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    return lambda token: math.log((len(lines) + 1) / (sum(token in line for line in lines) + 1))
