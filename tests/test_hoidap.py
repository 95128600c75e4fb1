"""Mining the hỏi-đáp corpus (../shared/corpus/hoidap.tar.xz) into evaluation records.

Real pages are read from the archive by name; the full mining runs against a store built from
../shared/corpus/ccn and wide.tar.xz (slow: the ingestion takes a minute or more).
"""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from eval.hoidap import DROP_REASONS, MineResult, mine, read_pages, store_known, write_jsonl
from kb.citations import find_citations
from kb.model import Citation
from kb.store import Store
from retrieval.hoidap_pages import Resolver, is_basis_line, law_index, page_candidates

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
HOIDAP_TAR = SHARED / "hoidap.tar.xz"
CCN = SHARED / "ccn"
WIDE_TAR = SHARED / "wide.tar.xz"

TRAFFIC_LAW = "36/2024/QH15"  # Luật Trật tự, an toàn giao thông đường bộ (a stub in the wide KB)
LAWS = [  # what law_index reads of a store's DocumentRecord
    SimpleNamespace(number=TRAFFIC_LAW, doc_type="Luật", title="Trật tự, an toàn giao thông đường bộ",
                    issued=date(2024, 6, 27)),
    SimpleNamespace(number="91/2015/QH13", doc_type="Bộ luật", title="Dân sự", issued=date(2015, 11, 24)),
]
PAGES = [
    "00035f739a983fab.md",  # bold-line sub-questions, named law
    "052a918ab6a383e6.md",  # "##" sub-questions, a quote that cites another law
    "6297be958735def1.md",  # cụm công nghiệp, NĐ 32/2024
    "d90203dd8318491d.md",  # basis at the end of bullets: "…, căn cứ vào điểm đ khoản 5 …"
    "6028d215ebb513ed.md",  # "… được sửa đổi bởi …" is not the basis
    "000108d9c88b8855.md",  # an encyclopaedia article: no question
]


def c(doc: str, article: int, clause: int | None = None, point: str | None = None) -> Citation:
    return Citation(doc, None, None, article, clause, point)


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    if not HOIDAP_TAR.is_file():
        pytest.fail(f"không thấy kho hỏi đáp {HOIDAP_TAR}: cần thư mục ../shared bên cạnh repo")
    return read_pages(PAGES, HOIDAP_TAR)


def _mined(pages: dict[str, str], name: str) -> dict[str, tuple[list[Citation], bool]]:
    resolver = Resolver({"168/2024/NĐ-CP", "32/2024/NĐ-CP"}, law_index(LAWS))
    return {
        cand.question: (cand.targets.gold, cand.ccn)
        for cand in page_candidates(name, pages[name], resolver)
    }


def test_bold_sub_questions_each_with_its_basis(pages: dict[str, str]):
    got = _mined(pages, "00035f739a983fab.md")
    assert got == {
        "Điều khiển xe gắn máy gây tai nạn giao thông mà không giữ nguyên hiện trường bị phạt "
        "bao nhiêu theo Nghị định 168?": ([c("168/2024/NĐ-CP", 7, 9, "c")], False),
        "Người điều khiển xe gắn máy gây tai nạn giao thông có phải giữ nguyên hiện trường "
        "không?": ([c(TRAFFIC_LAW, 80, 1, "a")], False),
        "Người điều khiển xe gắn máy gây tai nạn giao thông mà không giữ nguyên hiện trường có "
        "bị trừ điểm giấy phép lái xe?": ([c("168/2024/NĐ-CP", 7, 13, "c")], False),
    }


def test_heading_sub_questions_ignore_citations_inside_quotes(pages: dict[str, str]):
    got = _mined(pages, "052a918ab6a383e6.md")
    assert got == {
        "Hướng dẫn xác định điều kiện hưởng chế độ thai sản áp dụng từ 1/7/2025 theo Thông tư "
        "12 ra sao?": ([c("12/2025/TT-BNV", 8)], False),
        "Hướng dẫn tính trợ cấp thai sản từ ngày 1/7/2025 chi tiết?": (
            [c("12/2025/TT-BNV", 10)],
            False,
        ),
        # "Luật Bảo hiểm xã hôi 2024", "Bộ luật Lao động 2019": named, not in this index
        "Thời gian lao động nữ nghỉ việc hưởng chế độ thai sản khi sinh con là bao lâu?": (
            [],
            False,
        ),
    }


def test_ccn_page(pages: dict[str, str]):
    assert _mined(pages, "6297be958735def1.md") == {
        "Quy định về chủ đầu tư xây dựng hạ tầng kỹ thuật cụm công nghiệp như thế nào?": (
            [c("32/2024/NĐ-CP", 13)],
            True,
        )
    }


def test_inline_basis_in_bullets(pages: dict[str, str]):
    got = _mined(pages, "d90203dd8318491d.md")
    nd168 = "168/2024/NĐ-CP"
    assert got["Ô tô chạy vượt quá tốc độ thì bị trừ bao nhiêu điểm giấy phép lái xe?"][0] == [
        c(nd168, 6, 5, "đ"),
        c(nd168, 6, 16, "a"),
        c(nd168, 6, 6, "a"),
        c(nd168, 6, 16, "b"),
        c(nd168, 6, 7, "a"),
        c(nd168, 6, 16, "c"),
    ]
    fine = "Ô tô chạy vượt quá tốc độ 40km/h bị phạt tiền bao nhiêu theo Nghị định 168?"
    assert got[fine][0] == [c(nd168, 6, 7, "a")]


def test_amending_provision_is_not_the_basis(pages: dict[str, str]):
    got = _mined(pages, "6028d215ebb513ed.md")
    assert got["Điều kiện xã được công nhận đạt chuẩn nông thôn mới?"][0] == [
        c("18/2022/QĐ-TTg", 4, 1)
    ]
    authority = "Thẩm quyền công nhận, thi hồi quyết định công nhận đạt chuẩn nông thôn mới?"
    assert got[authority][0] == [c("18/2022/QĐ-TTg", 3)]


def test_page_without_question(pages: dict[str, str]):
    assert _mined(pages, "000108d9c88b8855.md") == {}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Căn cứ theo khoản 3 Điều 9 Nghị định 35/2022/NĐ-CP quy định như sau:", True),
        ("Đồng thời, căn cứ khoản 23 Điều 79 Luật Đất đai 2024 quy định như sau:", True),
        ("Quyền của người giám hộ được quy định tại Điều 58 Bộ luật Dân sự 2015 như sau:", True),
        (
            "1. Đối tượng quy định tại khoản 1 Điều 76 của Luật Nhà ở thì phải đáp ứng như sau:",
            False,
        ),
        ("Như vậy, theo quy định tại Điều 5 Nghị định 70/2019/NĐ-CP thì được hưởng.", False),
        ("Hằng năm, căn cứ vào điều kiện thực tế, theo khoản 1 Điều 112 Bộ luật Lao động.", False),
    ],
)
def test_basis_lines(line: str, expected: bool):
    assert is_basis_line(line) is expected


def test_resolver_partial_and_named():
    resolver = Resolver({"32/2024/NĐ-CP", "32/2024/TT-BTC"}, law_index(LAWS))

    def doc_of(text: str) -> str | None:
        return resolver.number(find_citations(text)[0].doc_ref)

    assert doc_of("Điều 8 Nghị định 32/2024") == "32/2024/NĐ-CP"
    assert doc_of("Điều 8 Thông tư 32/2024") == "32/2024/TT-BTC"
    assert doc_of("Điều 466 Bộ luật Dân sự 2015") == "91/2015/QH13"
    assert doc_of("Điều 466 Bộ luật Dân sự 2005") is None
    assert resolver.by_name == 1


# --- the whole archive against the knowledge base ---------------------------------------------


@pytest.fixture(scope="module")
def kb_store(wide_kb) -> Store:
    """The session's store of ccn + wide (tests/conftest.py)."""
    return wide_kb[0]


@pytest.fixture(scope="module")
def mined(kb_store: Store) -> MineResult:
    docs = kb_store.documents(include_stubs=False)
    numbers = {d.number for d in docs if d.number}
    return mine(HOIDAP_TAR, store_known(kb_store), numbers, laws=law_index(docs))


@pytest.mark.slow
def test_mine_whole_archive(mined: MineResult, kb_store: Store, tmp_path: Path):
    counts = mined.counts
    print("\nhoidap:", json.dumps(mined.summary(), ensure_ascii=False))
    assert counts["pages"] == 13_984
    assert 5_000 < counts["pages_with_question"] < 8_000
    assert 14_000 < counts["questions"] < 22_000
    assert 14_000 < counts["citations"] < 27_000
    assert 2_000 < counts["kept"] == counts["kept_all"] < 5_000
    assert counts["kept_all"] <= counts["kept_any"] < 1.3 * counts["kept_all"]
    assert counts["kept_ccn"] >= 1
    assert counts["resolved_by_name"] > 1_000
    assert sum(mined.dropped.values()) + counts["kept"] == counts["questions"]
    assert set(mined.dropped) <= set(DROP_REASONS)
    assert mined.seconds < 60

    items = mined.items
    assert [r["id"] for r in items] == [f"H{i:05d}" for i in range(1, len(items) + 1)]
    assert len({r["question"].lower() for r in items}) == len(items)
    for record in items[::50]:
        assert record["gold"] and record["gold_any"] is False
        assert record["kind"] in ("hoidap", "hoidap_ccn") and record["source"].endswith(".md")
        for gold in record["gold"]:
            assert set(gold) == {"doc", "part", "annex", "article", "clause", "point"}
            assert kb_store.provision(Citation.from_dict(gold)) is not None

    out = tmp_path / "hoidap.jsonl"
    assert write_jsonl(items, out) == len(items)
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[0]) == items[0]


@pytest.mark.slow
def test_mine_reads_archive_fast():
    started = time.perf_counter()
    result = mine(HOIDAP_TAR, None, set())
    assert result.counts["pages"] == 13_984 and result.items == []
    assert time.perf_counter() - started < 60
