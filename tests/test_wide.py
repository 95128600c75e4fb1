"""The whole wide corpus (../shared/corpus/wide.tar.xz, 566 Markdown files) in the knowledge base.

Pháp điển topics give their articles to the source documents they quote ("Điều 1" of
23/2018/QH14, compiled as "Điều 34.2.LQ.1"); full decrees and circulars of 2025–2026 come with
front matter. The archive is ingested as it is (ingest_paths unpacks it); ingesting it again
changes nothing. The heavy tests are marked slow (they still run in `make test`).
"""

from __future__ import annotations

import re
import time
from datetime import date
from pathlib import Path

import pytest

from ingest.compilation import canonical_number
from ingest.parse import parse
from ingest.runner import IngestReport, ingest_paths
from ingest.types import Block, RawText
from kb import doctypes
from kb.model import Citation, DocClass, Kind, Status
from kb.store import Store

WIDE_TAR = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "wide.tar.xz"
WIDE_FILES = 566


@pytest.fixture(scope="module")
def wide(wide_kb) -> tuple[Store, IngestReport, float]:
    """The session's store of ccn + the whole archive, the archive's report and wall time."""
    return wide_kb


def _keys(store: Store) -> list[str]:
    return [d.key for d in store.documents()]


# --- the whole archive ---------------------------------------------------------------------------


@pytest.mark.slow
def test_wide_ingests_whole(wide: tuple[Store, IngestReport, float]):
    store, report, elapsed = wide
    counts = store.counts()
    print(f"\nwide: {len(report.ingested)} files in {elapsed:.0f} s, {counts}, "
          f"{len(report.warnings)} files with warnings")
    assert report.failed == []
    assert len(report.ingested) == WIDE_FILES and counts["failures"] == 0
    assert counts["documents"] > 3_500
    assert counts["provisions"] >= 100_000
    assert counts["relations"] > 20_000
    assert len(report.warnings) < 0.7 * WIDE_FILES
    archive = [r for r in store.sources() if r.path.startswith(str(WIDE_TAR.resolve()))]
    assert len(archive) == WIDE_FILES
    assert all(r.path.startswith(str(WIDE_TAR.resolve()) + "!wide/") for r in archive)


@pytest.mark.slow
def test_phapdien_articles_belong_to_their_source(wide: tuple[Store, IngestReport, float]):
    store = wide[0]
    for number, article, label, heading in (
        ("23/2018/QH14", 1, "Điều 34.2.LQ.1", "Điều 1. Phạm vi điều chỉnh"),
        ("35/2020/NĐ-CP", 1, "Điều 34.2.NĐ.1.1", "Điều 1. Phạm vi điều chỉnh"),
        ("45/2012/NĐ-CP", 1, "Điều 7.5.NĐ.1", "Điều 1. Phạm vi và đối tượng"),
    ):
        row = store.provision(Citation(number, article=article), kind=Kind.ARTICLE.value)
        assert row is not None, number
        assert row.source_label == label
        assert row.text.startswith(heading)
    luat = store.document("23/2018/QH14")
    assert (luat.doc_class, luat.doc_type) == (DocClass.COMPILATION.value, "Luật")
    assert luat.effective == date(2019, 7, 1)
    nd45 = store.document("45/2012/NĐ-CP")  # Khuyến công: cong-nghiep/khuyen-cong.md
    assert (nd45.title, nd45.issued, nd45.effective) == (
        "Về khuyến công", date(2012, 5, 21), date(2012, 7, 5))
    clauses = [r for r in store.provisions("45/2012/NĐ-CP", kind=Kind.CLAUSE.value)
               if r.article == 1]
    assert [c.clause for c in clauses] == [1, 2]


@pytest.mark.slow
def test_compiled_documents_have_an_effective_date(wide: tuple[Store, IngestReport, float]):
    store = wide[0]
    compiled = [d for d in store.documents(include_stubs=False)
                if d.doc_class == DocClass.COMPILATION.value]
    assert len(compiled) > 3_000
    assert [d.key for d in compiled if d.effective is None] == []


@pytest.mark.slow
def test_number_spellings_are_canonical(wide: tuple[Store, IngestReport, float]):
    keys = set(_keys(wide[0]))
    assert {"85/2017/NĐ-CP", "55/2018/TT-BGTVT", "03/2019/TT-BKHĐT", "23/2017/QĐ-TTg"} <= keys
    lower_code = re.compile(r"^\d+[a-zđ]?(?:/\d{4})?/(?:[^/]*-)?[a-zđ]{2,}(?:-|$)")
    assert [k for k in keys if lower_code.match(k)] == []


@pytest.mark.slow
def test_lettered_articles_do_not_replace_the_base_article(wide: tuple[Store, IngestReport, float]):
    """luat-su.md quotes "Điều 2a" of 123/2013/NĐ-CP before its Điều 2."""
    row = wide[0].provision(Citation("123/2013/NĐ-CP", article=2), kind=Kind.ARTICLE.value)
    assert row.source_label == "Điều 4.4.NĐ.1.2"


@pytest.mark.slow
def test_numbers_are_not_glued_to_place_and_date(wide: tuple[Store, IngestReport, float]):
    """ "Số: 234/2026/NĐ-CP Hà Nội, ngày …" on one line (one space, or a table's "|")."""
    assert [k for k in _keys(wide[0]) if "ngày" in k or "|" in k] == []


@pytest.mark.slow
def test_icelandic_eth_in_a_number(wide: tuple[Store, IngestReport, float]):
    """ "89/2015/NÐ-CP" (Icelandic Ð) in thuy-san.md is Nghị định 89/2015/NĐ-CP, not TCVN3 "Né"."""
    keys = set(_keys(wide[0]))
    assert "89/2015/N" not in keys and "89/2015/NĐ-CP" in keys


@pytest.mark.slow
def test_the_evaluation_items_answered_by_the_wide_corpus_resolve(wide: tuple[Store, IngestReport, float]):
    """The items of kind `wide` in eval/sets (a question the ccn texts do not answer and a wide
    text does) name provisions that exist, in force today, and say the words they are gold for."""
    import json

    from kb.validity import provision_validity

    store = wide[0]
    sets = Path(__file__).resolve().parents[1] / "eval" / "sets"
    wide_items = [item for name in ("dev", "dev2", "calibration")
                  for line in (sets / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
                  if (item := json.loads(line))["kind"] == "wide"]
    assert {item["id"] for item in wide_items} == {"D109", "E029", "C070", "C090", "C117"}
    for item in wide_items:
        for gold in item["gold"]:
            row = store.provision(Citation(**gold))
            assert row is not None and row.text, (item["id"], gold)
            assert provision_validity(store, row, date.today())[0].status is Status.IN_FORCE, (item["id"], gold)
    text = {i["id"]: store.provision(Citation(**i["gold"][0])).text for i in wide_items}
    assert "Ban quản lý khu công nghiệp, khu chế xuất, khu công nghệ cao, khu kinh tế cấp giấy phép xây dựng" in text["D109"]
    assert "5.310.000" in text["E029"] and "Tiêm khi trẻ đủ 9 tháng tuổi" in text["C070"]


@pytest.mark.slow
def test_types_come_from_the_registry(wide: tuple[Store, IngestReport, float]):
    """A crawler's front matter writes "loai_van_ban: nghi-dinh" (NĐ 232/2026, 235/2026), or
    gives no type and no số hiệu, which the title then says (NĐ 287/2026): each is a Nghị định
    of the registry (kb.doctypes.registered_name, then the số hiệu)."""
    types = {d.number: d.doc_type for d in wide[0].documents(include_stubs=False)}
    assert [types[n] for n in ("232/2026/NĐ-CP", "235/2026/NĐ-CP", "287/2026/NĐ-CP", "148/2026/NĐ-CP")] == ["Nghị định"] * 4
    assert not {t for t in types.values() if t} - {t.name for t in doctypes.all_types()}


@pytest.mark.slow
def test_second_ingestion_is_a_no_op(wide: tuple[Store, IngestReport, float]):
    store, first, _ = wide
    before = store.counts()
    started = time.perf_counter()
    again = ingest_paths(store, [WIDE_TAR])
    elapsed = time.perf_counter() - started
    print(f"\nwide again: {elapsed:.1f} s")
    assert (again.ingested, again.failed) == ([], [])
    assert sorted(again.unchanged) == sorted(first.ingested)
    assert store.counts() == before
    assert elapsed < 60


# --- compilation details (fast) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("85/2017/nđ-cp", "85/2017/NĐ-CP"),
        ("03/2019/tt-bkhđt", "03/2019/TT-BKHĐT"),
        ("23/2017/QĐ-TTG", "23/2017/QĐ-TTg"),
        ("22/2021/QD-TTg", "22/2021/QĐ-TTg"),
        ("16/2011/TTLT-BCT-BNV", "16/2011/TTLT-BCT-BNV"),
        ("01/2021/NQ-HĐND", "01/2021/NQ-HĐND"),
        ("21-LCT/HDNN8", "21-LCT/HDNN8"),
        ("12a/2020/TT-BTC", "12a/2020/TT-BTC"),
    ],
)
def test_canonical_number(raw: str, canonical: str):
    assert canonical_number(raw) == canonical


def _topic(lines: list[str]) -> RawText:
    return RawText(Path("topic.md"), "md", [Block(line, line) for line in lines])


def test_compilation_merges_spellings_and_skips_lettered_articles():
    note = "(Điều {} Nghị định số {}, có hiệu lực thi hành kể từ ngày 01/02/2018)"
    docs = parse(_topic([
        "VĂN BẢN", "Thử nghiệm",
        "Điều 1.1.NĐ.1.2a. Điều chèn", note.format("2a", "85/2017/NĐ-CP"), "Nội dung 2a.",
        "Điều 1.1.NĐ.1.2. Điều gốc", note.format(2, "85/2017/nđ-cp"), "Nội dung 2.",
        "Điều 1.1.NĐ.1.3. Điều ba", note.format(3, "85/2017/NĐ-CP"), "Nội dung 3.",
    ]))
    (doc,) = docs
    assert doc.number == "85/2017/NĐ-CP" and doc.doc_class == DocClass.COMPILATION
    articles = [p for p in doc.all_provisions() if p.kind == Kind.ARTICLE]
    assert [(a.label, a.source_label) for a in articles] == [
        ("Điều 2", "Điều 1.1.NĐ.1.2"), ("Điều 3", "Điều 1.1.NĐ.1.3")]
    assert articles[0].text == "Điều 2. Điều gốc\nNội dung 2."
    assert any("Điều 28a" in w and w.startswith("1 điều") for w in doc.warnings)


def test_a_core_text_also_in_the_wide_archive_keeps_its_vectors(wide: tuple[Store, IngestReport, float]):
    """NĐ 96/2026 is in ccn/ and in wide.tar.xz: its provisions come from the later (the wide
    copy), yet it is a text of the field and is embedded; a text only in the archive is not."""
    from retrieval.build import embed_predicate
    from retrieval.units import iter_units

    store, _report, _seconds = wide
    embed = embed_predicate("core", store)
    units = [u for u in iter_units(store) if u.doc_key in ("96/2026/NĐ-CP", "293/2025/NĐ-CP")]
    nd96 = [u for u in units if u.doc_key == "96/2026/NĐ-CP"]
    assert len(nd96) > 500 and all("wide.tar.xz!" in u.source for u in nd96)
    assert all(embed(u) for u in nd96)
    assert not any(embed(u) for u in units if u.doc_key == "293/2025/NĐ-CP")
    assert not any(embed_predicate("core")(u) for u in nd96)  # by the provisions' own file alone
