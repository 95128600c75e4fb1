"""Comparable provisions side by side (retrieval/compare.py): `ccn compare`, GET /api/compare and
the compare page, on the real texts of the ccn corpus.

The pair shown (read in both texts): Điều 10 Nghị định 32/2024/NĐ-CP (trình tự thành lập, mở
rộng cụm công nghiệp) and Điều 6 of Lào Cai's Quy chế (Quyết định 16/2026/QĐ-UBND):
- khoản 1, 2 Điều 10 (Ủy ban nhân dân cấp huyện thông báo, lập hồ sơ) ↔ điểm b khoản 1 Điều 6
  (Ủy ban nhân dân cấp xã lập hồ sơ "theo quy định tại Điều 8, Điều 9, khoản 1, khoản 2 Điều 10");
- khoản 3 Điều 10 (Sở Công Thương thẩm định) ↔ điểm d khoản 1 Điều 6 ("khoản 3 Điều 10, Điều 11,
  Điều 12");
- khoản 4 Điều 10 (Ủy ban nhân dân cấp tỉnh quyết định) ↔ điểm a khoản 1 Điều 6 ("các Điều 8, 9,
  10, 11 và 12": the whole Điều, since no provision cites khoản 4 itself).
Nothing in the Quy chế cites Điều 20 NĐ 32 (tiếp nhận dự án đầu tư); Điều 12 of the Quy chế
restates it almost word for word: paired by similarity.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from conftest import INSTITUTIONS, home_with
from test_amendments import AMENDING, AMENDING_TEXT

from drafting.assemble import assemble
from drafting.comparison import comparison_rows, comparison_spec, marked_runs
from drafting.spec import parse_spec
from ingest.runner import ingest_paths
from kb.store import Store
from retrieval.compare import CompareResult, compare, word_diff

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("CCN_TEST_ARTIFACTS") or ROOT / "tests" / "artifacts") / "ui"
ND32, QD16, ND139 = "32/2024/NĐ-CP", "16/2026/QĐ-UBND", "139/2025/NĐ-CP"
QUY_CHE = f"Quy chế ban hành kèm theo Quyết định số {QD16}"
TODAY = date(2026, 12, 6)


def ccn(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The command line as a user runs it (this checkout's code)."""
    env = {k: v for k, v in os.environ.items() if k not in ("CCN_HOME", "CCN_DATABASE_URL")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "api.cli", "--home", str(home), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


def pairs_of(result: dict, kind: str = "documents") -> list[tuple[str, str, str]]:
    return [(p["left"]["citation_text"], p["right"]["citation_text"], p["basis"])
            for p in result["pairs"] if p["kind"] == kind]


def marked(side: dict, op: str) -> list[str]:
    return [s["text"].strip() for s in side["segments"] if s["op"] == op]


# ----------------------------------------------------------------------------- the diff
def test_word_diff_marks_syllables_and_keeps_the_texts():
    old = "Ủy ban nhân dân cấp huyện có trách nhiệm thông báo;\nb) lập hồ sơ"
    new = "Uỷ ban nhân dân cấp xã có trách nhiệm thông báo;\nb) lập 02 bộ hồ sơ"
    left, right = word_diff(old, new)
    assert "".join(s.text for s in left) == old and "".join(s.text for s in right) == new
    assert [s.text.strip() for s in left if s.op == "delete"] == ["huyện"]  # "Uỷ"/"Ủy" is one spelling
    assert [s.text.strip() for s in right if s.op == "insert"] == ["xã", "02 bộ"]


# ----------------------------------------------------------------------------- CLI
@pytest.fixture(scope="module")
def cli_result(search_home) -> dict:
    _, home = search_home
    run = ccn(home, "compare", "Điều 10 Nghị định 32/2024/NĐ-CP", "--as-of", "2026-12-06", "--json")
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_cli_aligns_nd32_with_lao_cai_quy_che_by_reference(cli_result: dict):
    CompareResult.model_validate(cli_result)
    assert cli_result["documents"] == [ND32, QD16]  # the Quy chế found as the province's text citing NĐ 32
    assert cli_result["anchors"] == [f"khoản {k} Điều 10 Nghị định số {ND32}" for k in (1, 2, 3, 4)]
    assert pairs_of(cli_result) == [
        (f"khoản 1 Điều 10 Nghị định số {ND32}", f"điểm b khoản 1 Điều 6 {QUY_CHE}", "reference"),
        (f"khoản 2 Điều 10 Nghị định số {ND32}", f"điểm b khoản 1 Điều 6 {QUY_CHE}", "reference"),
        (f"khoản 3 Điều 10 Nghị định số {ND32}", f"điểm d khoản 1 Điều 6 {QUY_CHE}", "reference"),
        (f"khoản 4 Điều 10 Nghị định số {ND32}", f"điểm a khoản 1 Điều 6 {QUY_CHE}", "reference"),
    ]
    second = [p for p in cli_result["pairs"] if p["left"]["citation"]["clause"] == 2][0]
    assert second["left"]["column"] == f"Nghị định số {ND32}" and second["right"]["column"] == QUY_CHE
    assert second["evidence"].startswith("Chủ trì, phối hợp với đơn vị đăng ký làm chủ đầu tư")
    # the decree's district level against the Quy chế's commune level, word by word
    assert "huyện" in marked(second["left"], "delete") and "xã:" in " ".join(marked(second["right"], "insert"))
    assert "".join(s["text"] for s in second["right"]["segments"]) == second["right"]["text"]
    assert second["changed"] and 0 < second["score"] < 1


def test_cli_plain_text_and_similarity_when_nothing_refers(search_home):
    _, home = search_home
    run = ccn(home, "compare", "Điều 20 NĐ 32/2024", "--docs", ND32, QD16, "--as-of", "2026-12-06")
    assert run.returncode == 0, run.stderr
    head = run.stdout.splitlines()[3]
    assert head.startswith("1. [Giữa các văn bản; căn cứ ghép: tương đồng 0.")
    assert head.endswith(f"Điều 20 Nghị định số {ND32} ↔ Điều 12 {QUY_CHE}")
    # "có nhu cầu di dời, đầu tư vào cụm công nghiệp" / "có nhu cầu đầu tư, di dời vào …"
    assert "có nhu cầu [-di dời, đầu tư-] vào cụm công nghiệp" in run.stdout
    assert "có nhu cầu {+đầu tư, di dời+} vào cụm công nghiệp" in run.stdout
    missing = ccn(home, "compare", "Điều 99 NĐ 32/2024")
    assert missing.returncode == 1
    assert missing.stderr.strip() == f"Lỗi: không có Điều 99 Nghị định số {ND32} trong kho dữ liệu"


def test_cli_subject_is_found_by_search(search_home):
    _, home = search_home
    run = ccn(home, "compare", "trình tự thành lập, mở rộng cụm công nghiệp", "--json")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert any(a.endswith(f"Điều 10 Nghị định số {ND32}") for a in result["anchors"])
    assert (f"khoản 3 Điều 10 Nghị định số {ND32}", f"điểm d khoản 1 Điều 6 {QUY_CHE}", "reference") \
        in pairs_of(result)


# ----------------------------------------------------------------------------- versions over time
TEST_PROVINCE = "9996/2026/QĐ-UBND"  # an impossible number: a test text written here, never shipped
TEST_PROVINCE_TEXT = f"""ỦY BAN NHÂN DÂN                    CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH THỬ NGHIỆM                             Độc lập - Tự do - Hạnh phúc
Số: {TEST_PROVINCE}                   Thử Nghiệm, ngày 02 tháng 3 năm 2026
QUYẾT ĐỊNH
Ban hành Quy chế quản lý cụm công nghiệp trên địa bàn tỉnh Thử Nghiệm
Căn cứ Nghị định số 32/2024/NĐ-CP của Chính phủ về quản lý, phát triển cụm công nghiệp;
Điều 1. Ban hành kèm theo Quyết định này Quy chế quản lý cụm công nghiệp trên địa bàn tỉnh Thử Nghiệm.
Điều 2. Quyết định này có hiệu lực sau 10 ngày kể từ ngày ký ban hành.
Nơi nhận:                                       TM. ỦY BAN NHÂN DÂN
- Lưu: VT.                                          CHỦ TỊCH
ỦY BAN NHÂN DÂN               CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH THỬ NGHIỆM                        Độc lập - Tự do - Hạnh phúc
QUY CHẾ
Quản lý các cụm công nghiệp trên địa bàn tỉnh Thử Nghiệm
(Ban hành kèm theo Quyết định số {TEST_PROVINCE} ngày 02/3/2026 của Ủy ban nhân dân tỉnh Thử Nghiệm)
Chương I
QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh
Quy chế này quy định trách nhiệm của các cơ quan trong quản lý cụm công nghiệp trên địa bàn tỉnh.
Điều 2. Điều chỉnh, bãi bỏ Quyết định thành lập, mở rộng cụm công nghiệp
1. Việc điều chỉnh, bãi bỏ Quyết định thành lập, mở rộng cụm công nghiệp thực hiện theo quy định tại khoản 2 Điều 12 Nghị định số 32/2024/NĐ-CP.
2. Sở Công Thương chủ trì thẩm định, trình Ủy ban nhân dân tỉnh quyết định trong thời hạn 15 ngày.
"""


@pytest.fixture(scope="module")
def small_store(tmp_path_factory, ccn_dir: Path) -> Store:
    """NĐ 32/2024, Lào Cai's Quy chế, the test amending decree of test_amendments (9999/2026/NĐ-CP,
    written there, not a real text: it changes điểm c khoản 2 Điều 8 from 15/9/2026) and a test
    Quy chế of another province (written above)."""
    home = tmp_path_factory.mktemp("kb-compare")
    store = Store.at_home(home)
    amending, province = home / "nd-sua-doi.txt", home / "qd-thu-nghiem.txt"
    amending.write_text(AMENDING_TEXT, encoding="utf-8")
    province.write_text(TEST_PROVINCE_TEXT, encoding="utf-8")
    report = ingest_paths(store, [ccn_dir / "ND-32-2024-ND-CP.docx", ccn_dir / "QD-16-2026-QD-UBND-LaoCai.txt",
                                  amending, province])
    assert report.failed == []
    return store


def test_a_province_added_is_compared_too(small_store: Store):
    result = compare(small_store, "khoản 2 Điều 12 NĐ 32/2024", TODAY)
    assert result.documents == [ND32, QD16, TEST_PROVINCE]
    assert [(p.right.citation_text, p.basis) for p in result.pairs] == [
        (f"điểm a khoản 2 Điều 6 {QUY_CHE}", "reference"),
        (f"khoản 1 Điều 2 Quy chế ban hành kèm theo Quyết định số {TEST_PROVINCE}", "reference")]
    assert result.pairs[1].right.column == f"Quy chế ban hành kèm theo Quyết định số {TEST_PROVINCE}"


def test_versions_over_time(small_store: Store):
    result = compare(small_store, "điểm c khoản 2 Điều 8 NĐ 32/2024", TODAY)
    versions = [p for p in result.pairs if p.kind == "versions"]
    assert len(versions) == 1
    pair = versions[0]
    assert (pair.basis, pair.left.column, pair.right.column) == (
        "version", f"Từ 01/5/2024 ({ND32})", f"Từ 15/9/2026 ({AMENDING})")
    assert (pair.left.valid_from, pair.left.valid_to, pair.right.valid_from) == ("2024-05-01", "2026-09-15", "2026-09-15")
    assert pair.left.text.startswith("c) Đạt tỷ lệ lấp đầy ít nhất 60%")
    assert pair.right.text.startswith("c) Đạt tỷ lệ lấp đầy ít nhất 50%")
    assert [s.text.strip() for s in pair.left.segments if s.op == "delete"][0] == "60%"
    assert [s.text.strip() for s in pair.right.segments if s.op == "insert"][0] == "50%"
    # a provision never amended has no version pair
    assert [p for p in compare(small_store, "khoản 1 Điều 8 NĐ 32/2024", TODAY).pairs if p.kind == "versions"] == []


# ----------------------------------------------------------------------------- before/after NĐ 139
@pytest.fixture(scope="module")
def institutions_home(search_home, tmp_path_factory):
    return home_with(search_home, tmp_path_factory, INSTITUTIONS)


def test_competence_before_and_after_nd139(institutions_home):
    store, _ = institutions_home
    result = compare(store, "Điều 10 NĐ 32/2024", date(2026, 1, 1), docs=[ND32])
    competence = [(p.left.citation_text, p.right.citation_text, p.competence["before"], p.competence["after"])
                  for p in result.pairs if p.kind == "competence"]
    assert competence == [
        (f"khoản {k} Điều 10 Nghị định số {ND32}", f"Điều 11 Nghị định số {ND139}",
         "Ủy ban nhân dân cấp huyện", "Ủy ban nhân dân cấp xã") for k in (1, 2, 3)
    ] + [(f"khoản 4 Điều 10 Nghị định số {ND32}", f"Điều 12 Nghị định số {ND139}", "cấp huyện",
          "Ủy ban nhân dân cấp tỉnh")]
    first = next(p for p in result.pairs if p.kind == "competence")
    assert first.basis == "reference"  # Điều 11 NĐ 139 cites khoản 1 Điều 10 NĐ 32
    assert (first.left.column, first.right.column) == ("Đến 30/6/2025", "Từ 01/7/2025")
    assert [s.text for s in first.left.segments if s.op == "delete"] == ["Ủy ban nhân dân cấp huyện"]
    assert first.competence["note"].startswith("Từ 01/7/2025 không còn cấp huyện")
    # a khoản of "Điều 34. Quyền hạn, trách nhiệm của Ủy ban nhân dân cấp huyện": Điều 6 NĐ 139
    # says "… quy định tại khoản 3 Điều 34 Nghị định số 32/2024/NĐ-CP … do Ủy ban nhân dân cấp xã thực hiện"
    district = compare(store, "khoản 3 Điều 34 NĐ 32/2024", date(2026, 1, 1))
    assert [(p.right.citation_text, p.competence["before"], p.competence["after"])
            for p in district.pairs if p.kind == "competence"] == [
        (f"Điều 6 Nghị định số {ND139}", "Ủy ban nhân dân cấp huyện", "Ủy ban nhân dân cấp xã")]
    # nothing in the Quy chế cites Điều 34: its Điều 28 (trách nhiệm của Ủy ban nhân dân cấp xã) is found by similarity
    assert [(p.right.citation_text, p.basis) for p in district.pairs if p.kind == "documents"] == [
        (f"khoản 8 Điều 28 {QUY_CHE}", "similarity")]
    # the rows the drafting table takes: NĐ 139 becomes a column
    spec = comparison_spec(result, "Bảng so sánh thẩm quyền")
    assert spec.documents == [ND32, ND139]
    assert spec.rows[0].topic == "Trình tự thành lập, mở rộng cụm công nghiệp (khoản 1)"
    assert spec.rows[0].provisions == [f"khoản 1 Điều 10 Nghị định số {ND32}", f"Điều 11 Nghị định số {ND139}"]
    assert "Ủy ban nhân dân cấp xã thực hiện thay Ủy ban nhân dân cấp huyện" in spec.rows[0].comment
    runs = marked_runs(first.left.segments)
    assert "".join(r.text for r in runs) == first.left.text
    assert [r.text for r in runs if r.bold] == ["Ủy ban nhân dân cấp huyện"]


def test_rows_become_the_report_comparison_table(search_home):
    store, _ = search_home
    result = compare(store, "khoản 2 Điều 12 NĐ 32/2024", date(2026, 8, 20))
    rows = comparison_rows(result)
    assert [r.provisions for r in rows] == [[f"khoản 2 Điều 12 Nghị định số {ND32}", f"điểm a khoản 2 Điều 6 {QUY_CHE}"]]
    spec = parse_spec({
        "kind": "bao_cao_ra_soat", "profile": "sct-lao-cai", "date": "2026-08-20",
        "subject": "Kết quả rà soát quy định về điều chỉnh, bãi bỏ quyết định thành lập cụm công nghiệp",
        "recipients": ["Ủy ban nhân dân tỉnh Lào Cai"],
        "sections": [{"title": "Kết quả rà soát", "points": [{"text": "Quy chế dẫn chiếu Nghị định."}]}],
        "comparison": comparison_spec(result, "Bảng so sánh").model_dump(),
    })
    draft = assemble(spec, store)
    assert draft.errors == []
    cells = draft.comparison.rows[0]
    assert cells[2].paragraphs[0][0].text == f"Khoản 2 Điều 12 Nghị định số {ND32}:"
    assert cells[3].paragraphs[0][0].text == f"Điểm a khoản 2 Điều 6 {QUY_CHE}:"


# ----------------------------------------------------------------------------- HTTP
@pytest.fixture(scope="module")
def http(api_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api_server, timeout=120) as client:
        yield client


def test_http_compare(http: httpx.Client):
    response = http.get("/api/compare", params={"q": "khoản 2 Điều 12 Nghị định 32/2024/NĐ-CP",
                                                "as_of": "2026-12-06"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert pairs_of(body) == [(f"khoản 2 Điều 12 Nghị định số {ND32}", f"điểm a khoản 2 Điều 6 {QUY_CHE}",
                               "reference")]
    pair = body["pairs"][0]
    # "khoản 2 Điều 13 Nghị định này" in the decree, "khoản 2 Điều 12 Nghị định số 32/2024/NĐ-CP" in the Quy chế
    assert marked(pair["right"], "insert")[-1] == "12 Nghị định số 32/2024/NĐ-CP."
    assert "13 Nghị định này." in marked(pair["left"], "delete")[-1]
    only = http.get("/api/compare", params={"q": "Điều 20 NĐ 32/2024", "docs": f"{ND32},{QD16}"}).json()
    assert pairs_of(only) == [(f"Điều 20 Nghị định số {ND32}", f"Điều 12 {QUY_CHE}", "similarity")]
    assert only["pairs"][0]["score"] >= 0.6
    subject = http.get("/api/compare", params={"q": "điều chỉnh, bãi bỏ quyết định thành lập cụm công nghiệp"}).json()
    assert subject["anchors"][0] == f"khoản 2 Điều 12 Nghị định số {ND32}"  # found by the search
    assert pairs_of(subject)[0] == (f"khoản 2 Điều 12 Nghị định số {ND32}", f"điểm a khoản 2 Điều 6 {QUY_CHE}",
                                    "reference")
    missing = http.get("/api/compare", params={"q": "Điều 99 NĐ 32/2024"})
    assert missing.status_code == 404
    assert missing.json()["error"] == f"không có Điều 99 Nghị định số {ND32} trong kho dữ liệu"
    unknown = http.get("/api/compare", params={"q": "Điều 1 NĐ 32/2024", "docs": "999/2099/NĐ-CP"})
    assert (unknown.status_code, unknown.json()["error"]) == (404, "không có văn bản «999/2099/NĐ-CP» trong kho dữ liệu")
    assert http.get("/api/compare", params={"q": " "}).status_code == 422


# ----------------------------------------------------------------------------- the page
@pytest.mark.ui
def test_compare_page(browser, api_server: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(f"{api_server}/")
        page.click("a[href='/static/compare.html']")  # the link on the main page
        page.wait_for_url(f"{api_server}/static/compare.html")
        page.fill("#cq", "Điều 10 Nghị định 32/2024/NĐ-CP")
        page.fill("#cas-of", "2026-12-06")
        page.click("#compare-run")
        page.wait_for_selector("#compare-result .pair")
        pairs = page.locator("#compare-result .pair")
        assert pairs.count() == 4
        first = pairs.nth(1)  # khoản 2 Điều 10 ↔ điểm b khoản 1 Điều 6 of the Quy chế
        assert first.get_attribute("data-basis") == "reference"
        assert first.locator(".basis").inner_text().startswith("Ghép theo dẫn chiếu")
        assert first.locator(".side h3").all_inner_texts() == [f"Nghị định số {ND32}", QUY_CHE]
        assert first.locator("del.d-delete").count() > 0 and first.locator("ins.d-insert").count() > 0
        assert "huyện" in [t.strip() for t in first.locator("del.d-delete").all_inner_texts()]
        assert "q=" in page.url  # the comparison can be linked
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / "compare-nd32-quy-che.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 5_000
        assert errors == []
    finally:
        context.close()
