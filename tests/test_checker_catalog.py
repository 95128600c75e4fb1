"""The checker grades a number the knowledge base does not hold against the catalogue of
documents that exist (kb/catalog.py): known from citations → outside_kb "được dẫn chiếu tại …";
unverifiable → warning; contradicted or impossible → error. And the false errors of the real
letters and drafts, each fixed.

Stores: `catalogued` is a copy of the session's ccn corpus (`ccn_store`) with the hỏi đáp pages
and the notices catalogued (conftest.hoidap_catalogue, built once a session);
`wide_catalogued` a copy of the session's ccn + wide store (`wide_kb`) with the same catalogue,
for the real letters."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import store_copy, with_catalogue

from drafting.checker import CheckReport, check_file, check_text
from ingest.catalogue import catalogue_store
from kb import catalog
from kb.store import Store

ROOT = Path(__file__).resolve().parents[1]


def _catalogue(store: Store, catalogue: Store) -> Store:
    """The session's hỏi đáp + notices catalogue (conftest.hoidap_catalogue), then the store's own."""
    with_catalogue(store, catalogue)
    catalogue_store(store)
    return store


@pytest.fixture(scope="module")
def catalogued(ccn_store: Store, hoidap_catalogue: Store, tmp_path_factory: pytest.TempPathFactory) -> Store:
    return _catalogue(store_copy(ccn_store, tmp_path_factory.mktemp("kb-catalogue")), hoidap_catalogue)


@pytest.fixture(scope="module")
def wide_catalogued(tmp_path_factory: pytest.TempPathFactory, wide_kb, hoidap_catalogue: Store) -> Store:
    """A copy of the ccn + wide store (the session's is shared, and left as it is)."""
    return _catalogue(store_copy(wide_kb[0], tmp_path_factory.mktemp("kb-wide-catalogue")), hoidap_catalogue)


def check(store: Store, body: str, date_line: str = "Lào Cai, ngày 10 tháng 11 năm 2026") -> CheckReport:
    text = f"SỞ CÔNG THƯƠNG\nSố: 123/SCT-QLCN\n{date_line}\n{body}"
    return check_text(store, text, source="thu.txt")


def only(report: CheckReport, fragment: str):
    found = [c for c in report.citations if fragment in c.text]
    assert len(found) == 1, [c.text for c in report.citations]
    return found[0]


# --- the real letters and drafts ----------------------------------------------------------------


def test_real_letters_and_drafts_no_false_unknown_document(wide_catalogued: Store, ccn_dir: Path,
                                                          letters_dir: Path):
    files = sorted(ccn_dir.glob("EX-*")) + sorted(letters_dir.iterdir())
    assert len(files) == 19
    errors, outside = {}, {}
    for path in files:
        report = check_file(wide_catalogued, path)
        if report.errors:
            errors[path.name] = [(f.code, f.text) for f in report.errors]
        for c in report.citations:
            if c.worst.code == "outside_kb" and c.citation is not None:
                outside[c.citation.doc] = c.worst.message
    assert errors == {
        "EX-QHT-LaoCai-2021-2030-DC2026-thuyetminh-DRAFT.txt": [
            ("informal_short_form", "QĐ 525"), ("informal_short_form", "QĐ 316"),
            ("informal_short_form", "QĐ 316")],  # true
        "bien-ban-lam-viec-lien-nganh-ccn.docx": [
            ("no_such_provision", "điểm e khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP")],  # true
        # false: the wide corpus holds a 22-article summary of this law
        "cong-van-de-nghi-bo-sung-ho-so.docx": [
            ("no_such_provision", "Khoản 2 và Khoản 4, Điều 40 của Luật số 42/2024/QH15")] * 2,
    }
    # real documents the core corpus lacks, known because ingested texts cite them
    for number in ("71/2018/NĐ-CP", "181/2024/NĐ-CP", "161/2024/NĐ-CP", "28/2020/TT-BYT"):
        assert "được dẫn chiếu tại" in outside[number] or "chỉ được các văn bản khác dẫn chiếu" in outside[number], number


def test_ccn_store_alone_no_unknown_document_error_on_real_letters(ccn_store: Store, ccn_dir: Path,
                                                                   letters_dir: Path):
    """Without any catalogue, a plausible real number is a warning to verify, not an error."""
    report = check_file(ccn_store, letters_dir / "cong-van-de-nghi-bo-sung-ho-so.docx")
    assert [f.code for f in report.errors if f.code == "unknown_document"] == []
    warned = {f.text: f.message for f in report.warnings if f.code == "unverified_document"}
    assert "không xác minh được số hiệu — đề nghị kiểm tra" in warned["Nghị định số 71/2018/NĐ-CP"]


# --- the three steps ----------------------------------------------------------------------------


def test_known_from_citations_is_outside_kb(catalogued: Store):
    report = check(catalogued, "Theo Điều 9 Nghị định số 161/2024/NĐ-CP ngày 18/12/2024 của Chính phủ.")
    cited = only(report, "161/2024")
    assert cited.status == "outside_kb" and cited.worst.code == "outside_kb"
    assert "được dẫn chiếu tại trang hỏi đáp «381c8eaf8f49e35c.md»" in cited.worst.message


def test_cited_only_by_ingested_text_without_a_provision(catalogued: Store):
    """NĐ 32/2024 cites QĐ 105/2009/QĐ-TTg with its date but no Điều: no relation, no stub;
    the catalogue of the ingested texts knows it."""
    entry = catalog.entry(catalogued, "105/2009/QĐ-TTg")
    assert entry is not None and entry.issued.isoformat() == "2009-08-19"
    assert "Điều 32 Nghị định số 32/2024/NĐ-CP" in entry.examples
    report = check(catalogued, "Các cụm công nghiệp hình thành trước Quyết định số 105/2009/QĐ-TTg "
                               "ngày 19 tháng 8 năm 2009 của Thủ tướng Chính phủ tiếp tục hoạt động.")
    cited = only(report, "105/2009")
    assert cited.worst.code == "outside_kb" and "Điều 32 Nghị định số 32/2024/NĐ-CP" in cited.worst.message
    assert report.errors == [] and report.warnings == []


def test_invented_number_with_plausible_date_is_a_warning(catalogued: Store):
    assert catalog.entry(catalogued, "171/2019/NĐ-CP") is None
    report = check(catalogued, "Thực hiện Nghị định số 171/2019/NĐ-CP ngày 12/11/2019 của Chính phủ "
                               "về quản lý, phát triển cụm công nghiệp.")
    cited = only(report, "171/2019")
    assert cited.status == "warning" and cited.worst.code == "unverified_document"
    assert "không xác minh được số hiệu — đề nghị kiểm tra" in cited.worst.message


def test_known_number_with_a_wrong_date_is_an_error(catalogued: Store):
    entry = catalog.entry(catalogued, "35/2022/NĐ-CP")
    assert entry.issued.isoformat() == "2022-05-28" and "hoidap" in entry.kinds
    report = check(catalogued, "Theo khoản 3 Điều 9 Nghị định số 35/2022/NĐ-CP ngày 15/6/2022 của Chính phủ.")
    cited = only(report, "35/2022")
    assert cited.status == "error" and cited.worst.code == "wrong_date"
    assert "ban hành ngày 28/05/2022" in cited.worst.message and "không phải ngày 15/06/2022" in cited.worst.message


def test_known_number_with_a_wrong_issuer_is_an_error(catalogued: Store):
    report = check(catalogued, "Theo Nghị định số 35/2022/NĐ-CP ngày 28/5/2022 của Thủ tướng Chính phủ.")
    assert only(report, "35/2022").worst.code == "wrong_issuer"


def test_real_number_given_the_wrong_issuer(catalogued: Store):
    report = check(catalogued, "Theo Thông tư số 14/2024/TT-BCT ngày 15/8/2024 của Bộ trưởng Bộ Tài chính, "
                               "các địa phương báo cáo định kỳ.\nTheo Nghị định số 32/2024/NĐ-CP ngày "
                               "15/3/2024 của Thủ tướng Chính phủ về quản lý, phát triển cụm công nghiệp.")
    tt = only(report, "14/2024")
    assert (tt.status, tt.worst.code) == ("error", "wrong_issuer")
    assert tt.worst.message == ("Thông tư số 14/2024/TT-BCT do Bộ Công Thương ban hành, không phải "
                                "«Bộ trưởng Bộ Tài chính»")
    nd = only(report, "32/2024")
    assert (nd.status, nd.worst.code) == ("error", "wrong_issuer")
    # the right issuers raise nothing
    good = check(catalogued, "Theo Thông tư số 14/2024/TT-BCT ngày 15/8/2024 của Bộ trưởng Bộ Công Thương.")
    assert good.errors == []


def test_impossible_numbers_are_errors(catalogued: Store):
    report = check(catalogued, "Theo Nghị định số 12/2027/NĐ-CP ngày 05/01/2027 của Chính phủ.\n"
                               "Theo Nghị định số 299/2019/NĐ-CP ngày 20/12/2019 của Chính phủ.\n"
                               "Theo Thông tư số 71/2018/NĐ-CP ngày 15/6/2018 của Chính phủ.")
    assert catalog.serial_ranges(catalogued)[("NĐ-CP", 2019)][0] >= 20
    future, beyond, typed = (only(report, n) for n in ("12/2027", "299/2019", "71/2018"))
    assert (future.worst.code, future.status) == ("unknown_document", "error")
    assert "sau ngày của văn bản" in future.worst.message
    assert (beyond.worst.code, beyond.status) == ("unknown_document", "error")
    assert "vượt xa số cao nhất đã biết" in beyond.worst.message
    assert (typed.worst.code, typed.status) == ("wrong_document_type", "error")


# --- false errors fixed -------------------------------------------------------------------------


def test_shared_ky_hieu_carried_back(catalogued: Store):
    report = check(catalogued, "Thực hiện Quyết định số 1656 và 1662/QĐ-UBND ngày 20/6/2025 của UBND "
                               "tỉnh Lào Cai về việc thành lập cụm công nghiệp.")
    assert report.errors == []
    first = only(report, "1656")
    assert first.citation.doc == "1656/QĐ-UBND" and first.status == "outside_kb"


def test_a_reports_own_annex_not_another_documents(catalogued: Store):
    report = check(catalogued, "BÁO CÁO\nThực hiện Nghị định số 32/2024/NĐ-CP ngày 15/3/2024 của Chính phủ, "
                               "Sở Công Thương báo cáo.\nChi tiết tiến độ của từng cụm công nghiệp tại Phụ lục 1.")
    annex = only(report, "Phụ lục 1")
    assert annex.worst.code == "own_annex"
    assert report.errors == [] and report.warnings == []


def test_clause_of_a_licence_is_not_the_letters_own(catalogued: Store):
    report = check(catalogued, "GIẤY PHÉP\nCăn cứ Nghị định số 161/2024/NĐ-CP ngày 18/12/2024 của Chính phủ.\n"
                               "Điều 1. Điều chỉnh khoản 1, Điều 2, Giấy phép vận chuyển hàng nguy hiểm số "
                               "371/GP-UBND ngày 05/3/2025 của UBND tỉnh Lào Cai như sau.\n"
                               "Điều 2. Giấy phép này có hiệu lực kể từ ngày ký.")
    clause = only(report, "khoản 1, Điều 2")
    assert clause.worst.code == "correspondence" and "Giấy phép số 371/GP-UBND" in clause.worst.message
    assert report.errors == []


def test_bare_clause_in_a_quy_che_comparison(catalogued: Store):
    report = check(catalogued, "Quy chế của tỉnh quy định thời hạn tại khoản 3 Điều 9 Quy chế ban hành kèm "
                               "theo Quyết định số 16/2026/QĐ-UBND, khác với Nghị định số 32/2024/NĐ-CP "
                               "(khoản 5 Điều 16).")
    bare = only(report, "khoản 5 Điều 16")
    assert bare.status == "ok"
    assert bare.citation.doc == "16/2026/QĐ-UBND" and bare.citation.part == "Quy chế"
    assert report.errors == []


def test_draft_citing_qd_105_2009_exits_0(catalogued: Store, ccn_store: Store, tmp_path: Path):
    """A báo cáo rà soát quoting NĐ 32's mention of QĐ 105/2009/QĐ-TTg (with its date): no
    error, with or without the catalogue."""
    spec = yaml.safe_load((ROOT / "drafting" / "examples" / "bao_cao_ra_soat.yaml").read_text(encoding="utf-8"))
    spec["sections"][0]["points"].append({
        "title": "Về cụm công nghiệp hình thành trước năm 2009",
        "text": "Các cụm công nghiệp hình thành trước Quyết định số 105/2009/QĐ-TTg ngày 19 tháng 8 năm "
                "2009 của Thủ tướng Chính phủ về việc ban hành Quy chế quản lý cụm công nghiệp được xử lý "
                "theo khoản 4 Điều 35 Nghị định số 32/2024/NĐ-CP."})
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    for store in (catalogued, ccn_store):
        env = {**os.environ, "CCN_DATABASE_URL": store.url, "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, "-m", "api.cli", "draft", str(path), "-o", str(tmp_path / "d.docx"),
                               "--report", str(tmp_path / "r.json")], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
        cited = [c for c in report["check"]["citations"] if "105/2009" in c["text"]]
        assert cited and all(c["status"] in ("outside_kb", "warning") for c in cited)
