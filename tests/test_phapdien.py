"""Bộ pháp điển topics: detection, article split, source notes — on the real corpus."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from ingest.phapdien import (
    PhapdienArticle,
    is_phapdien,
    is_phapdien_index,
    parse_source_note,
    split_phapdien,
)
from kb.model import Citation


def md_lines(path: Path) -> list[str]:
    """A Markdown file's lines without ** and leading # (what a reader will hand over)."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    return [line.replace("**", "").lstrip("#").strip() for line in text.split("\n")]


@pytest.fixture(scope="session")
def khuyen_cong(ccn_dir: Path):
    return split_phapdien(md_lines(ccn_dir / "PHAPDIEN-DeMuc-Khuyen-cong.md"))


@pytest.fixture(scope="session")
def canh_tranh(wide_dir: Path):
    return split_phapdien(md_lines(wide_dir / "thuong-mai-dau-tu-chung-khoan" / "canh-tranh.md"))


def _by_label(topic, label: str) -> PhapdienArticle:
    found = [a for a in topic.articles if a.label == label]
    assert len(found) == 1, f"{label}: {len(found)} articles"
    return found[0]


# --- Khuyến công (ccn corpus) ----------------------------------------------------------------


def test_khuyen_cong_is_phapdien(ccn_dir: Path):
    lines = md_lines(ccn_dir / "PHAPDIEN-DeMuc-Khuyen-cong.md")
    assert is_phapdien(lines)
    assert not is_phapdien_index(lines)


def test_khuyen_cong_first_article(khuyen_cong):
    assert khuyen_cong.title == "Khuyến công"
    first = khuyen_cong.articles[0]
    assert first.label == "Điều 7.5.NĐ.1"
    assert first.title == "Phạm vi và đối tượng"
    assert first.chapter == "Chương I QUY ĐỊNH CHUNG"
    assert first.source_number == "45/2012/NĐ-CP"
    assert first.source_type == "Nghị định"
    assert first.source_article == 1
    assert first.source_title == "Về khuyến công"
    assert first.source_issuer == "Chính phủ"
    assert first.issued == date(2012, 5, 21)
    assert first.effective == date(2012, 7, 5)
    assert first.body_lines[0] == "1. Phạm vi điều chỉnh"
    assert first.body_lines[-1].endswith("các hoạt động dịch vụ khuyến công.")
    assert first.related[0] == "Điều 7.5.NĐ.4. Nội dung hoạt động khuyến công"
    assert len(first.related) == 3
    assert first.source_citation == Citation(doc="45/2012/NĐ-CP", article=1)


def test_khuyen_cong_counts(khuyen_cong):
    # 96 source notes in the text; the index ("Danh sách điều khoản") is not read.
    assert len(khuyen_cong.articles) == 96
    assert all(a.source_number and a.source_article for a in khuyen_cong.articles)
    assert khuyen_cong.warnings == []
    assert "45/2012/NĐ-CP" in khuyen_cong.source_numbers()
    assert all(not any("(Điều này" in line for line in a.body_lines) for a in khuyen_cong.articles)


# --- Cạnh tranh (wide corpus) ----------------------------------------------------------------


def test_canh_tranh_first_article(canh_tranh):
    art = _by_label(canh_tranh, "Điều 34.2.LQ.1")
    assert art.title == "Phạm vi điều chỉnh"
    assert (art.source_number, art.source_type, art.source_article) == ("23/2018/QH14", "Luật", 1)
    assert art.effective == date(2019, 7, 1)


def test_canh_tranh_glued_label_split(canh_tranh):
    """ "…có liên quan.Điều 34.2.NĐ.1.1. Phạm vi điều chỉnh" is two articles."""
    labels = [a.label for a in canh_tranh.articles]
    i = labels.index("Điều 34.2.LQ.2")
    assert labels[i + 1] == "Điều 34.2.NĐ.1.1"
    previous, glued = canh_tranh.articles[i], canh_tranh.articles[i + 1]
    assert previous.body_lines[-1].endswith("có liên quan.")
    assert glued.title == "Phạm vi điều chỉnh"
    assert (glued.source_number, glued.source_article) == ("35/2020/NĐ-CP", 1)
    assert glued.body_lines[0].startswith("Nghị định này quy định chi tiết")


def test_canh_tranh_glued_section_heading(canh_tranh):
    """ "…của Luật này.Mục 5" opens a section; the next article sits in it."""
    art = _by_label(canh_tranh, "Điều 34.2.LQ.96")
    assert art.section is not None and art.section.startswith("Mục 5 GIẢI QUYẾT KHIẾU NẠI")
    assert _by_label(canh_tranh, "Điều 34.2.LQ.95").body_lines[-1].endswith("của Luật này.")


# --- Detection on other real files ----------------------------------------------------------


def test_decree_with_front_matter_is_not_phapdien(wide_dir: Path):
    lines = md_lines(wide_dir / "234-2026-ND-CP.md")
    assert not is_phapdien(lines)
    assert not is_phapdien_index(lines)


def test_index_page_is_not_a_compilation(wide_dir: Path):
    lines = md_lines(wide_dir / "hinh-su.md")
    assert not is_phapdien(lines)
    assert is_phapdien_index(lines)


def test_plain_labels_with_source_notes(wide_dir: Path):
    """du-lieu.md renumbers its articles "Điều 11." while each note cites the real article."""
    lines = md_lines(wide_dir / "an-ninh-quoc-gia" / "du-lieu.md")
    assert is_phapdien(lines)
    art = _by_label(split_phapdien(lines), "Điều 11")
    assert (art.source_number, art.source_article) == ("91/2025/QH15", 13)


# --- Source notes ------------------------------------------------------------------------------


def _note(text: str) -> PhapdienArticle:
    art = PhapdienArticle(label="Điều 1.1.NĐ.1", title="")
    assert parse_source_note(art, text), text
    return art


def test_note_amended_by():
    art = _note(
        "(Điều 17 Nghị định số 158/2006/NĐ-CP, có hiệu lực thi hành kể từ ngày 22/01/2007, có nội "
        "dung được sửa đổi bởi Điều 1 Nghị định số 51/2018/NĐ-CP có hiệu lực thi hành kể từ ngày "
        "01/06/2018; Điều 2 Nghị định số 120/2011/NĐ-CP có hiệu lực thi hành kể từ ngày 01/02/2012)"
    )
    assert art.source_article == 17 and art.source_title is None
    assert art.amended_by == ["51/2018/NĐ-CP", "120/2011/NĐ-CP"]
    assert not art.repealed and art.repealed_by == []


def test_note_repealed():
    art = _note(
        "(Điều 292 Bộ luật số 100/2015/QH13, có hiệu lực thi hành kể từ ngày 01/01/2018, bị bãi bỏ "
        "bởi Điều 1 Luật số 12/2017/QH14 có hiệu lực thi hành kể từ ngày 01/01/2018)"
    )
    assert art.source_type == "Bộ luật" and art.repealed and art.repealed_by == ["12/2017/QH14"]
    partly = _note(
        "(Điều 28 Luật số 36/2005/QH11, có hiệu lực thi hành kể từ ngày 01/01/2006, có nội dung bị "
        "bãi bỏ bởi Điều 112 Luật số 05/2017/QH14 có hiệu lực thi hành kể từ ngày 01/01/2018)"
    )
    assert not partly.repealed and partly.repealed_by == ["05/2017/QH14"]


def test_note_suffix_clause_and_odd_numbers():
    art = _note(
        "(Điều 5a Nghị định số 158/2006/NĐ-CP, có hiệu lực thi hành kể từ ngày 22/01/2007, được "
        "bổ sung bởi Điều 1 Nghị định số 51/2018/NĐ-CP có hiệu lực thi hành kể từ ngày 01/06/2018)"
    )
    assert (art.source_article, art.source_article_suffix) == (5, "a")
    assert art.source_article_label == "Điều 5a" and art.amended_by == ["51/2018/NĐ-CP"]
    art = _note(
        "(Khoản 2 Điều 5 Thông tư số 18 /2018/TT-NHNN, có hiệu lực thi hành kể từ ngày 01/01/2019)"
    )
    assert (art.source_number, art.source_article, art.source_clause) == ("18/2018/TT-NHNN", 5, 2)
    art = _note(
        "(Điều 1 Thông tư liên tịch số 16/2011/TTLT-BCT-BNV Hướng dẫn chức năng ngày 05/04/2011 "
        "của Bộ Công Thương và Bộ Nội vụ, có hiệu lực thi hành kể từ ngày 20/05/2011)"
    )
    assert art.source_type == "Thông tư liên tịch"
    assert art.source_issuer == "Bộ Công Thương và Bộ Nội vụ"


def test_split_synthetic_glued_and_multiline():
    lines = [
        "VĂN BẢN",
        "Thử nghiệm",
        "Chương I",
        "QUY ĐỊNH CHUNG",
        "Điều 1.1.NĐ.1. Phạm vi",
        "(Điều 1 Nghị định số 1/2020/NĐ-CP Về thử",
        "nghiệm ngày 01/01/2020 của Chính phủ, có hiệu lực thi hành kể từ ngày 01/02/2020)1. Nội dung.",
        "2. Khoản hai.(Điều này có nội dung liên quan đến Điều 1.1.NĐ.2. Khác)Điều 1.1.NĐ.2. Khác",
        "(Điều 2 Nghị định số 1/2020/NĐ-CP, có hiệu lực thi hành kể từ ngày 01/02/2020)",
        "Nội dung hai.",
        "Điều 1.1.NĐ.3. Không nguồn",
        "Nội dung ba.",
    ]
    topic = split_phapdien(lines)
    assert topic.title == "Thử nghiệm"
    a1, a2, a3 = topic.articles
    assert a1.source_title == "Về thử nghiệm" and a1.issued == date(2020, 1, 1)
    assert a1.body_lines == ["1. Nội dung.", "2. Khoản hai."]
    assert a1.related == ["Điều 1.1.NĐ.2. Khác"]
    assert (a2.label, a2.source_article, a2.body_lines) == ("Điều 1.1.NĐ.2", 2, ["Nội dung hai."])
    assert a3.source_number is None and a3.body_lines == ["Nội dung ba."]
    assert topic.warnings == ["Điều 1.1.NĐ.3: thiếu chú thích nguồn"]


# --- The whole wide corpus ---------------------------------------------------------------------


@pytest.mark.slow
def test_all_of_wide(wide_dir: Path):
    started = time.perf_counter()
    files = sorted(wide_dir.rglob("*.md"))
    topics = []
    for path in files:
        lines = md_lines(path)
        if is_phapdien(lines):
            topics.append(split_phapdien(lines))
    elapsed = time.perf_counter() - started
    articles = [a for t in topics for a in t.articles]
    sourced = [a for a in articles if a.source_number and a.source_article is not None]
    documents = {a.source_number for a in sourced}
    share = len(sourced) / len(articles)
    print(
        f"\nwide: {len(files)} files, {len(topics)} Pháp điển topics, {len(articles)} articles, "
        f"{share:.2%} with a parsed source, {len(documents)} source documents, {elapsed:.1f} s"
    )
    assert len(files) == 566
    assert len(topics) > 200
    assert len(articles) > 45_000
    assert share > 0.97
    assert len(documents) > 3_000
    assert elapsed < 30
