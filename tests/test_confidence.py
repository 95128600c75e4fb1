"""The rules beside the calibrated confidence (retrieval/confidence.py), on the wording of real
questions: what gives away a question the cluster texts do not answer."""

from __future__ import annotations

import pytest

from retrieval.confidence import zone_missing

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
