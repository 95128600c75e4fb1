"""The rules beside the calibrated confidence (retrieval/confidence.py), on the wording of real
questions: what gives away a question the cluster texts do not answer."""

from __future__ import annotations

import math
import re

import pytest

from retrieval.analysis import analyze_query, fold, token_set
from retrieval.confidence import asked_amounts, evidence, zone_missing

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


@pytest.mark.parametrize(("near_miss", "answered", "text"), [
    ("Ranh giới cụm phải cách khu dân cư gần nhất tối thiểu bao nhiêu mét?",
     "Đường giao thông chính cách cụm tối đa bao nhiêu mét?", ROAD),
    ("Tỷ lệ đất cây xanh tối thiểu trong cụm công nghiệp là bao nhiêu phần trăm?",
     "Cụm công nghiệp phải đạt tỷ lệ lấp đầy bao nhiêu phần trăm thì được mở rộng?", ND32_8_2),
])
def test_an_amount_is_given_by_a_sentence_about_what_is_asked(near_miss: str, answered: str, text: str, nd32_idf):
    """The same number in the unit asked ("800 mét", "60%") answers the question its sentence
    speaks of, and barely counts for the near miss: the feature is graded by the share of the
    question's weight the sentence holds (1 when no sentence gives such a number)."""
    def amount(question: str) -> float:
        return evidence(question, analyze_query(question), nd32_idf, [text], dense_top=0.9, top_embedded=True).amount

    assert amount(near_miss) > 0.8 and amount(answered) < amount(near_miss) - 0.2
    assert amount("Cụm công nghiệp phải cách trường học bao nhiêu ngày?") == 1.0  # no number of days at all
    assert amount("Muốn mở rộng cụm thì phải cho thuê được bao nhiêu?") == 0.0  # no unit: any number


@pytest.mark.parametrize(("question", "answer", "no_answer"), [
    ("Doanh nghiệp phải đạt tối thiểu bao nhiêu điểm mới được giao làm hạ tầng cụm?", "từ 50 điểm trở lên",
     "cụm 30 ha"),  # "hạ tầng" is no hectare
    ("Đoàn kiểm tra được xuống doanh nghiệp trong cụm tối đa mấy lần một năm?", "không quá một lần trong một năm",
     "thời hạn 02 năm"),  # "một năm" is no year asked
    ("Mức phạt chậm nộp báo cáo là bao nhiêu?", "phạt tiền từ 5.000.000 đồng", "trong 15 ngày"),
    ("Thuế suất ưu đãi là bao nhiêu?", "thuế suất 10%", "trong 02 năm"),
    ("Sở thẩm định trong bao lâu?", "trong thời hạn 25 ngày", "cụm 30 ha"),
    ("Kho bãi được chiếm tối đa bao nhiêu phần diện tích cụm?", "không quá 10% diện tích", "02 năm"),
])
def test_the_unit_asked_is_read_after_bao_nhieu_or_may(question: str, answer: str, no_answer: str):
    """The counted word after "bao nhiêu" / "mấy" (or, for "… là bao nhiêu", what is asked about)
    is the unit of the answer."""
    patterns = asked_amounts(question)
    assert patterns and any(re.search(p, fold(answer).lower()) for p in patterns), patterns
    assert not any(re.search(p, fold(no_answer).lower()) for p in patterns)


@pytest.mark.parametrize("question", [
    "Mấy cụm cũ gây ô nhiễm thì tỉnh phải xử lý thế nào?",  # "mấy" of "several", no unit after it
    "Làng nghề vào cụm có được hỗ trợ chi phí lắp đặt máy móc không?",  # "máy" folded is "may"
    "Mức hỗ trợ cụ thể do ai quyết định?",
])
def test_questions_asking_no_amount(question: str):
    assert asked_amounts(question) == []


@pytest.fixture(scope="module")
def nd32_idf(ccn_dir):
    """A word's idf over the lines of NĐ 32/2024 (the search takes it from its whole index)."""
    lines = [token_set(line) for line in (ccn_dir / "ND-32-2024-ND-CP.txt").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    return lambda token: math.log((len(lines) + 1) / (sum(token in line for line in lines) + 1))
