"""The catalogue of documents that exist (kb/catalog.py, ingest/catalogue.py), `ccn docs`'
source and evidence, `ccn currency` and its page /api/currency: on the real hỏi đáp archive,
notices and core corpus."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from conftest import store_copy

from ingest.catalogue import STORE_ORIGIN, build_catalogue, catalogue_store
from ingest.runner import ingest_paths
from kb import catalog
from kb.store import Store

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def hoidap_store(tmp_path_factory: pytest.TempPathFactory, hoidap_catalogue: Store) -> Store:
    """An empty store with the hỏi đáp archive and the notices catalogued: a copy of the
    session's build (conftest.hoidap_catalogue), which these tests change."""
    return store_copy(hoidap_catalogue, tmp_path_factory.mktemp("kb-hoidap"))


def test_hoidap_citations_catalogued(hoidap_store: Store, ccn_dir: Path):
    builds = {Path(b["origin"]).name: b for b in catalog.builds(hoidap_store)}
    assert builds["hoidap.tar.xz"]["kind"] == "hoidap" and builds["hoidap.tar.xz"]["mentions"] > 27_000
    assert builds["notices"]["kind"] == "notice"
    nd35 = catalog.entry(hoidap_store, "35/2022/NĐ-CP")
    assert nd35.issued == date(2022, 5, 28) and nd35.issuer == "Chính phủ" and nd35.doc_type == "Nghị định"
    assert nd35.kinds == {"hoidap"} and len(nd35.texts) > 10
    assert nd35.cited_at().startswith("được dẫn chiếu tại trang hỏi đáp «")
    assert catalog.entry(hoidap_store, "999/2019/NĐ-CP") is None


def test_disagreeing_citing_texts_recorded(hoidap_store: Store):
    """Nghị quyết 202/2025/QH15 is of 12/6/2025; one page writes 12/02/2025."""
    nq = catalog.entry(hoidap_store, "202/2025/QH15")
    assert nq.doc_type == "Nghị quyết" and nq.issued == date(2025, 6, 12)
    assert set(nq.dates) == {date(2025, 6, 12), date(2025, 2, 12)}
    assert nq.disagreements[0].startswith("ngày ban hành: 12/06/2025 (")
    assert "12/02/2025 (1)" in nq.disagreements[0]
    assert not any(d.startswith("cơ quan ban hành") for d in nq.disagreements)  # "Quốc hội khóa XV"


def test_notices_catalogued_with_the_provisions_they_affect(hoidap_store: Store):
    nd303 = catalog.entry(hoidap_store, "303/2026/NĐ-CP")
    assert nd303.kinds == {"notice"} and nd303.issued == date(2026, 8, 1) and nd303.issuer == "Chính phủ"
    assert nd303.examples == ["thông báo «ND-303-2026-ND-CP.yaml»"]
    report = catalog.currency_report(hoidap_store, date(2026, 12, 5))
    notices = {n["doc"]: n for n in report["notices_without_text"]}
    assert set(notices) == {"303/2026/NĐ-CP", "38/2025/TT-BCT"}
    affects = notices["303/2026/NĐ-CP"]["affects"]
    assert len(affects) == 18
    assert "sửa đổi Điều 8 Nghị định số 32/2024/NĐ-CP" in affects
    assert "bãi bỏ điểm c khoản 1 Điều 9 Nghị định số 32/2024/NĐ-CP" in affects
    assert "bãi bỏ Điều 12 Nghị định số 139/2025/NĐ-CP" in affects
    assert notices["38/2025/TT-BCT"]["affects"] == ["sửa đổi Thông tư số 14/2024/TT-BCT (điều khoản chưa rõ)"]


def test_rebuild_is_idempotent_and_keyed_by_content(hoidap_store: Store, ccn_dir: Path, tmp_path: Path):
    before = {b["origin"]: b["mentions"] for b in catalog.builds(hoidap_store)}
    again = build_catalogue(hoidap_store, [ccn_dir.parent / "hoidap.tar.xz", ccn_dir.parent / "notices"])
    assert again.built == {} and len(again.unchanged) == 2
    # a changed source replaces its rows (not added twice)
    notices = tmp_path / "notices"
    shutil.copytree(ccn_dir.parent / "notices", notices)
    first = build_catalogue(hoidap_store, [notices])
    assert first.built == {str(notices.resolve()): 21}
    (notices / "TT-38-2025-TT-BCT.yaml").unlink()
    second = build_catalogue(hoidap_store, [notices])
    assert second.built == {str(notices.resolve()): 19}
    after = {b["origin"]: b["mentions"] for b in catalog.builds(hoidap_store)}
    assert after[str(notices.resolve())] == 19
    assert {k: v for k, v in after.items() if k in before} == before


def test_broken_archive_is_a_clear_failure(hoidap_store: Store, tmp_path: Path):
    broken = tmp_path / "hoidap.tar.xz"
    broken.write_bytes(b"\xfd7zXZ\x00 not really")
    report = build_catalogue(hoidap_store, [broken])
    assert report.built == {} and report.failed[0]["path"] == str(broken.resolve())
    assert report.failed[0]["error"].startswith("tệp nén hỏng hoặc không đọc được")
    assert catalog.entry(hoidap_store, "35/2022/NĐ-CP") is not None  # nothing lost


# --- a small home: one decree ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_home(tmp_path_factory: pytest.TempPathFactory, ccn_dir: Path) -> Path:
    """NĐ 32/2024 alone, ingested through the command line (which catalogues what it cites)."""
    folder = tmp_path_factory.mktemp("nd32")
    shutil.copy(ccn_dir / "ND-32-2024-ND-CP.txt", folder)
    home = tmp_path_factory.mktemp("home-nd32")
    done = run_cli(home, "ingest", str(folder))
    assert done.returncode == 0, done.stderr
    assert "Danh mục dẫn chiếu: kho: văn bản đã nạp: 10 lần dẫn chiếu" in done.stderr
    return home


def run_cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("CCN_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "api.cli", "--home", str(home), *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)


def test_currency_lists_cited_document_not_held(small_home: Path):
    done = run_cli(small_home, "currency", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["current_to"] == {
        "date": "2024-03-15", "doc": "32/2024/NĐ-CP",
        "text": "cơ sở tri thức cập nhật đến 15/03/2024 (văn bản mới nhất: Nghị định số 32/2024/NĐ-CP)"}
    # NĐ 68/2017 and 66/2020, replaced by NĐ 32/2024, are no gap; QĐ 105/2009 (cited in Điều 32
    # and Điều 35, with its date) is
    [gap] = report["cited_not_held"]
    assert gap["doc"] == "105/2009/QĐ-TTg" and gap["citing_provisions"] == 2 and gap["citing_texts"] == 1
    assert gap["issued"] == "2009-08-19" and gap["type"] == "Quyết định"
    assert gap["examples"] == ["Điều 32 Nghị định số 32/2024/NĐ-CP"]
    assert report["notices_without_text"] == [] and report["label_only"] == []
    text = run_cli(small_home, "currency")
    assert "Quyết định số 105/2009/QĐ-TTg: 2 quy định của 1 văn bản" in text.stdout


def test_docs_show_source_and_evidence(small_home: Path):
    done = run_cli(small_home, "docs", "--json")
    rows = {r["key"]: r for r in json.loads(done.stdout)}
    assert rows["32/2024/NĐ-CP"]["source"] == "text"
    assert rows["32/2024/NĐ-CP"]["evidence"] == "tệp ND-32-2024-ND-CP.txt"
    assert rows["68/2017/NĐ-CP"]["source"] == "catalogue"
    assert rows["68/2017/NĐ-CP"]["evidence"] == ("được dẫn chiếu tại 2 quy định của 1 văn bản đã nạp; "
                                                 "toàn văn chưa có")
    lines = run_cli(small_home, "docs").stdout.splitlines()
    assert any(line.startswith("68/2017/NĐ-CP") and "danh mục dẫn chiếu" in line for line in lines)


def test_store_catalogue_follows_the_store(small_home: Path, ccn_dir: Path):
    store = Store.at_home(small_home)
    assert catalogue_store(store).unchanged == [STORE_ORIGIN]
    ingest_paths(store, [ccn_dir / "TT-14-2024-TT-BCT.txt"])
    assert STORE_ORIGIN in catalogue_store(store).built
    store.engine.dispose()


def test_currency_page_over_http(small_home: Path):
    from conftest import serve_app

    from api.app import create_app

    with serve_app(create_app(small_home)) as url:
        with urllib.request.urlopen(f"{url}/api/currency?as_of=2026-12-05") as response:
            report = json.loads(response.read())
        with urllib.request.urlopen(f"{url}/api/documents") as response:
            docs = {d["key"]: d for d in json.loads(response.read())}
        with urllib.request.urlopen(f"{url}/static/app.js") as response:
            script = response.read().decode()
    assert report["as_of"] == "2026-12-05"
    assert any(g["doc"] == "105/2009/QĐ-TTg" for g in report["cited_not_held"])
    assert docs["68/2017/NĐ-CP"]["source"] == "catalogue" and docs["32/2024/NĐ-CP"]["source"] == "text"
    assert "async function viewCurrency()" in script and "/api/currency" in script


def test_currency_page_in_the_browser(small_home: Path, ccn_dir: Path, tmp_path: Path, browser):
    """The UI's Cập nhật page (#/currency), in Chromium: the date the knowledge base is current
    to, the cited document not held with its count, and the source column of Văn bản. It works on
    its own copy of the small home with TT 14/2024 added, whatever ran before it."""
    from conftest import serve_app

    from api.app import create_app

    home = tmp_path / "home"
    shutil.copytree(small_home, home)
    store = Store.at_home(home)
    ingest_paths(store, [ccn_dir / "TT-14-2024-TT-BCT.txt"])
    store.engine.dispose()
    errors: list[str] = []
    with serve_app(create_app(home)) as url:
        context = browser.new_context(locale="vi-VN")
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{url}/#/currency")
        page.wait_for_selector("section.currency h1")
        text = page.inner_text("section.currency")
        page.goto(f"{url}/#/docs")
        page.wait_for_selector("section.docs td.source")
        docs = page.inner_text("section.docs")
        context.close()
    assert errors == []
    # NĐ 32/2024 (15/03/2024), then TT 14/2024 (15/08/2024)
    assert "cơ sở tri thức cập nhật đến 15/08/2024 (văn bản mới nhất: Thông tư số 14/2024/TT-BCT)" in text
    assert "Quyết định số 105/2009/QĐ-TTg" in text and "Điều 32 Nghị định số 32/2024/NĐ-CP" in text
    assert "Nguồn, căn cứ" in docs and "danh mục dẫn chiếu" in docs and "tệp ND-32-2024-ND-CP.txt" in docs
