"""The national cluster register (kb/register.py): the Lào Cai clusters read from the real
documents of the corpus, imports with per-row errors, history and audit, Biểu 04 of TT 14/2024
against the annex as the knowledge base holds it, the national báo cáo against the NĐ 30 format
rules, and the HTTP API (filters, export, import refused without a curator's token)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import httpx
import pytest
import test_drafting_format as nd30
import test_postgres
from conftest import CCN, SHARED, serve_app, store_copy, with_catalogue
from docx import Document
from openpyxl import Workbook, load_workbook
from sqlalchemy import create_engine, inspect

from api.cli import main as ccn_main
from drafting import register_report as reports
from ingest.register_corpus import build_from_corpus
from ingest.register_import import HEADER_ROW, import_file
from ingest.runner import ingest_paths
from kb import register as reg
from kb import schema
from kb.store import Store

pg_url = test_postgres.pg_url  # the PostgreSQL test server fixture
DRAFT = "ccn/EX-QHT-LaoCai-2021-2030-DC2026-thuyetminh-DRAFT.txt"
LETTER = "letters/bao-cao-tinh-hinh-trien-khai-ccn.docx"


@pytest.fixture(scope="module")
def kb_register(tmp_path_factory) -> Store:
    """A knowledge base holding TT 14/2024 and NĐ 32/2024 (what the báo cáo cites, and the
    annex with Biểu 04), and the register built from the corpus."""
    store = Store.at_home(tmp_path_factory.mktemp("kb-register"))
    report = ingest_paths(store, [CCN / "TT-14-2024-TT-BCT.docx", CCN / "ND-32-2024-ND-CP.docx"])
    assert report.failed == []
    [result] = build_from_corpus(store, SHARED)
    assert result.errors == [] and result.import_id is not None
    return store


def by_name(store: Store, **filters) -> dict[str, dict]:
    return {e["name"]: e for e in reg.list_clusters(store, **filters)}


# ----------------------------------------------------------------------------- the corpus register
def test_lao_cai_clusters_read_from_the_corpus_with_their_sources(kb_register):
    clusters = by_name(kb_register, province="Lào Cai")
    # Bảng 25 of the draft: 54 clusters in the plan to 2030 + 13 taken out + 1 moved after 2030;
    # the letter adds none (Bảo Minh is in Bảng 25).
    assert len(clusters) == 68
    au_lau = clusters["CCN Âu Lâu"]
    assert (au_lau["commune"], au_lau["established_area_ha"], au_lau["planned_area_ha"]) == ("Phường Âu Lâu", 50.0, 75.0)
    assert au_lau["period"] == "2025-H2" and au_lau["figures"]["fill_rate"] == 90.64
    assert au_lau["figures"]["wastewater_plant"] is False
    [identity, figures] = au_lau["sources"]
    assert identity["file"] == DRAFT and "dòng 2046 (Bảng 19, STT 2)" in identity["location"]
    assert "dòng 3509 (Bảng 25, mục II.1)" in identity["location"]
    assert figures["file"] == DRAFT and "dòng 1889" in figures["location"]

    y_can = clusters["CCN Y Can"]
    assert y_can["decision"] == "Quyết định số 949/QĐ-UBND ngày 06/5/2025 của UBND tỉnh Yên Bái"
    assert y_can["decision_date"] == "2025-05-06" and y_can["decision_doc_key"] is None  # not held
    assert y_can["investor"] == "Công ty cổ phần Luyện kim hóa chất Tây Bắc"
    assert y_can["period"] == "2026-H1" and y_can["sources"][1]["file"] == LETTER

    thong_nhat = clusters["CCN Thống Nhất 1"]
    assert thong_nhat["decision"] == "Quyết định số 289/QĐ-UBND ngày 20/02/2025"
    assert thong_nhat["established_area_ha"] == 74.97  # the letter of 06/2026, newer than Bảng 19's 75
    assert clusters["CCN Yên Hợp"]["investor"] == "Ban quản lý dự án đầu tư xây dựng khu vực Trấn Yên"
    assert clusters["CCN Bảo Thắng"]["former_names"] == ["CCN thị trấn Phố Lu"]
    assert clusters["CCN Púng Luông"]["former_names"] == ["CCN Mù Cang Chải"]
    assert clusters["CCN Đông Phố Mới"]["in_plan"] is False and clusters["CCN Sơn Mãn"]["in_plan"] is False
    assert all(e["sources"] and not e["synthetic"] for e in clusters.values())


def test_filters_over_the_corpus_register(kb_register):
    assert sorted(by_name(kb_register, province="Lào Cai", below_fill=50)) == ["CCN Khánh Yên Thượng", "CCN Sơn Thịnh"]
    full = [e["name"] for e in reg.list_clusters(kb_register, period="2025-H2", sort="-fill")][:4]
    assert set(full) == {"CCN Bắc Duyên Hải", "CCN Sơn Mãn", "CCN Đông Phố Mới", "CCN Đầm Hồng"}  # 100 %
    no_plant = by_name(kb_register, missing="wastewater", period="2025-H2")
    assert len(no_plant) == 22 and "CCN Âu Lâu" in no_plant  # the 22 clusters of Bảng 19
    history = reg.history(kb_register, by_name(kb_register)["CCN Y Can"]["id"])
    assert [h["period"] for h in history] == ["2025-H2", "2026-H1"]
    assert history[0]["imported_by"] == "kho văn bản (tự động)" and len(history[0]["sha256"]) == 64


def test_a_decision_links_to_the_document_only_when_held(kb_register):
    with kb_register.engine.connect() as conn:
        assert reg.held_document_key(conn, "14/2024/TT-BCT") == "14/2024/TT-BCT"
        assert reg.held_document_key(conn, "949/QĐ-UBND") is None  # Y Can's decision: cited, not held


def test_rebuilding_from_unchanged_sources_changes_nothing(kb_register):
    before = reg.import_log(kb_register)
    [again] = build_from_corpus(kb_register, SHARED)
    assert again.import_id is None and reg.import_log(kb_register) == before


def test_form04_of_lao_cai_adds_up_to_the_documents_own_totals(kb_register):
    values = reports.form04_values(kb_register, "Lào Cai", "2025-H2")
    assert values["1"] == 54 and values["2"] == 2927.81  # Bảng 25: "54 CCN", "2.927,81"
    assert values["3"] == 22  # "Đến 12/2025, trên địa bàn tỉnh có 22 cụm công nghiệp"
    # 15 clusters operating, 448,46 ha: the draft's own figure for them ("15 CCN … 448,46 ha")
    assert values["15"] == 15 and values["16"] == 448.46 and values["15.1"] + values["15.2"] == values["15"]
    assert values["26"] == 0 and values["19"] is None  # no plant; no industrial land reported


# ----------------------------------------------------------------------------- imports
GOOD = [
    ["Lào Cai", "CCN Âu Lâu", "2026-H1", "Phường Âu Lâu", 50, "55,5", 6],
    ["Phú Thọ", "CCN Thử Nghiệm A", "2026-H1", "Xã X", 30, 12, 0],
    ["Hà Nội", "CCN Thử Nghiệm B", "2026-H1", "Xã Y", "1.250,5", 80, 3],
]
BAD = [
    ["Lào Cai", "CCN Thử Nghiệm C", "2026-H1", "Xã Z", "hai mươi", 40, 1],  # text in a number column
    ["Lào Cai", "CCN Thử Nghiệm D", "2026-H1", "Xã Z", 20, 140, 1],  # filling rate 140 %
    ["Yên Bái", "CCN Thử Nghiệm E", "2026-H1", "Xã Z", 20, 40, 1],  # a former province
    ["Tỉnh Xyz", "CCN Thử Nghiệm F", "2026-H1", "Xã Z", 20, 40, 1],  # unknown
    ["Lào Cai", "Cụm công nghiệp Âu Lâu", "2026-H1", "Phường Âu Lâu", 50, 60, 6],  # duplicate of row 3
]
HEAD = ["Tỉnh", "Tên cụm công nghiệp", "Kỳ báo cáo", "Xã, phường", "Diện tích thành lập (ha)",
        "Tỷ lệ lấp đầy (%)", "Số dự án"]


def xlsx_bytes(rows: list[list], title: str = "Báo cáo") -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = title
    ws.append(["BÁO CÁO TÌNH HÌNH CỤM CÔNG NGHIỆP"])  # a title row above the header
    for row in [HEAD, *rows]:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def expected_errors(file: str, sheet: str) -> list[str]:
    where = f"{file}, {sheet}"
    return [
        f"{where}, dòng 6, cột «Diện tích thành lập (ha)»: «hai mươi» không hợp lệ — cần một diện tích không âm (ha), ví dụ 12,5",
        f"{where}, dòng 7, cột «Tỷ lệ lấp đầy (%)»: «140» không hợp lệ — cần một tỷ lệ từ 0 đến 100 (%), ví dụ 90,64",
        f"{where}, dòng 8, cột «Tỉnh»: «Yên Bái» không phải tỉnh, thành phố (Yên Bái đã hợp nhất vào tỉnh Lào Cai "
        "từ ngày 01/7/2025) — cần tên một trong 34 tỉnh, thành phố từ ngày 01/7/2025 (ví dụ Lào Cai)",
        f"{where}, dòng 9, cột «Tỉnh»: «Tỉnh Xyz» không phải tỉnh, thành phố — cần tên một trong 34 tỉnh, thành phố "
        "từ ngày 01/7/2025 (ví dụ Lào Cai)",
        f"{where}, dòng 10, cột «Tên cụm công nghiệp»: cụm «Cụm công nghiệp Âu Lâu» tỉnh Lào Cai kỳ 2026-H1 trùng "
        f"với dòng 3 ({sheet}) — mỗi cụm chỉ một dòng cho một kỳ",
    ]


def test_bad_rows_each_an_error_and_the_rest_imported(tmp_path):
    store = Store.at_home(tmp_path)
    result = import_file(store, "bao-cao-6-thang.xlsx", data=xlsx_bytes(GOOD + BAD), user="quanlykho")
    assert result.errors == expected_errors("bao-cao-6-thang.xlsx", "trang tính «Báo cáo»")
    assert result.rows_ok == 3
    stored = by_name(store, period="2026-H1")
    assert sorted(stored) == ["CCN Thử Nghiệm A", "CCN Thử Nghiệm B", "CCN Âu Lâu"]
    assert stored["CCN Âu Lâu"]["figures"]["fill_rate"] == 55.5  # "55,5"
    assert stored["CCN Thử Nghiệm B"]["established_area_ha"] == 1250.5  # "1.250,5"
    assert stored["CCN Âu Lâu"]["sources"][1] == {"file": "bao-cao-6-thang.xlsx", "location": "trang tính «Báo cáo», dòng 3",
                                                  "of": "số liệu kỳ 2026-H1"}
    [audit] = reg.import_log(store)
    assert (audit["user_name"], audit["rows_ok"], audit["rows_failed"]) == ("quanlykho", 3, 5)


def test_csv_rows_checked_the_same_way(tmp_path):
    text = io.StringIO()
    csv.writer(text, delimiter=";").writerows([["BÁO CÁO TÌNH HÌNH CỤM CÔNG NGHIỆP"], HEAD, *GOOD, *BAD])
    result = import_file(Store.at_home(tmp_path), "bao-cao.csv", data=text.getvalue().encode("utf-8"))
    assert result.errors == expected_errors("bao-cao.csv", "trang tính «CSV»")
    assert result.rows_ok == 3


def test_a_file_without_the_header_stores_nothing(tmp_path):
    store = Store.at_home(tmp_path)
    with pytest.raises(ValueError, match=r"sai-mau\.xlsx: không thấy dòng tiêu đề có các cột «Tỉnh» và «Tên cụm công nghiệp»"):
        import_file(store, "sai-mau.xlsx", data=_no_header())
    assert reg.list_clusters(store) == [] and reg.import_log(store) == []


def _no_header() -> bytes:
    book = Workbook()
    book.active.append(["Tên", "Diện tích"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_docx_table_rows_and_percent_cells(tmp_path):
    """A DOCX table of cluster rows reads like a sheet; an Excel cell formatted as a percentage
    (0,9064 shown as 90,64 %) is the rate 90,64."""
    store = Store.at_home(tmp_path)
    doc = Document()
    doc.add_paragraph("Phụ lục: danh sách cụm công nghiệp")
    table = doc.add_table(rows=0, cols=len(HEAD))
    for values in [HEAD, GOOD[0], BAD[1]]:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = str(value)
    buffer = io.BytesIO()
    doc.save(buffer)
    result = import_file(store, "phu-luc.docx", data=buffer.getvalue())
    assert result.rows_ok == 1 and result.errors == [
        "phu-luc.docx, bảng 1, dòng 3, cột «Tỷ lệ lấp đầy (%)»: «140» không hợp lệ — cần một tỷ lệ từ 0 đến 100 (%), "
        "ví dụ 90,64"]
    book = Workbook()
    ws = book.active
    ws.append(HEAD)
    ws.append(["Lào Cai", "CCN Âu Lâu", "2026-H2", "Phường Âu Lâu", 50, 0.9064, 6])
    ws["F2"].number_format = "0.00%"
    data = io.BytesIO()
    book.save(data)
    import_file(store, "ty-le.xlsx", data=data.getvalue())
    assert by_name(store, period="2026-H2")["CCN Âu Lâu"]["figures"]["fill_rate"] == pytest.approx(90.64)


def test_reimporting_a_period_replaces_it_and_keeps_history(tmp_path):
    store = Store.at_home(tmp_path)
    first = import_file(store, "lan-1.xlsx", data=xlsx_bytes(GOOD), user="a")
    second = import_file(store, "lan-2.xlsx", data=xlsx_bytes([["Lào Cai", "CCN Âu Lâu", "2026-H1", "Phường Âu Lâu",
                                                                50, 61, 7]]), user="b")
    assert (first.replaced, second.replaced) == (0, 1)
    au_lau = by_name(store)["CCN Âu Lâu"]
    assert au_lau["figures"]["fill_rate"] == 61 and au_lau["figures"]["projects"] == 7
    history = reg.history(store, au_lau["id"])
    assert [(h["fill_rate"], h["current"], h["imported_by"]) for h in history] == [(55.5, False, "a"), (61, True, "b")]
    log = reg.import_log(store)
    assert [(x["file"], x["user_name"], x["replaced"]) for x in log] == [("lan-2.xlsx", "b", 1), ("lan-1.xlsx", "a", 0)]
    assert log[0]["sha256"] != log[1]["sha256"]
    assert by_name(store)["CCN Thử Nghiệm A"]["figures"]["fill_rate"] == 12  # other clusters untouched


def form04_docx(rows: dict[str, str]) -> bytes:
    doc = Document()
    table = doc.add_table(rows=1, cols=5)
    for cell, text in zip(table.rows[0].cells, ["TT", "Chỉ tiêu", "Đơn vị tính", "Kết quả (Luỹ kế đến thời điểm báo cáo)",
                                                  "Ghi chú"], strict=True):
        cell.text = text
    for code, label, unit in reg.BIEU_04:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text, cells[3].text = code, label, unit, rows.get(code, "")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def test_docx_form04_import_checks_totals(tmp_path):
    store = Store.at_home(tmp_path)
    data = form04_docx({"1": "12", "2": "540,5", "15": "7", "15.1": "5", "15.2": "1", "19": "120"})
    result = import_file(store, "bieu-04.docx", data=data, province="Phú Thọ", period="2026-H1", user="c")
    assert result.errors == [
        "bieu-04.docx, bảng 1, dòng 31, cột «Kết quả», chỉ tiêu 19: «120» không hợp lệ — cần một số không âm, ví dụ 12,5 "
        "(tỷ lệ từ 0 đến 100)",
        "bieu-04.docx (tỉnh Phú Thọ, kỳ 2026-H1): chỉ tiêu 15 = 7 nhưng 15.1 + 15.2 = 6 (tổng phải bằng tổng các phần)"]
    assert reg.form_values_for(store, "Phú Thọ", "2026-H1")["2"] == 540.5
    with pytest.raises(reg.RegisterError, match="chỉ tiêu 15 = 7 nhưng 15.1 \\+ 15.2 = 6"):
        reports.form04_values(store, "Phú Thọ", "2026-H1")


# ----------------------------------------------------------------------------- reports
def annex_indicators(store: Store) -> list[tuple[str, str, str]]:
    """Biểu số 04 as the knowledge base holds TT 14/2024's Phụ lục I: (TT, chỉ tiêu, đơn vị)."""
    [form] = [p for p in store.provisions("14/2024/TT-BCT") if p.label.startswith("Biểu số 04.")]
    lines = [line.strip() for line in form.text.splitlines() if line.strip()]
    lines = lines[lines.index("(5)") + 1:]
    rows: list[tuple[str, str, str]] = []
    i = 0
    while i < len(lines) and not lines[i].startswith(".."):
        code, label = lines[i], lines[i + 1]
        nxt = lines[i + 2] if i + 2 < len(lines) else ""
        is_code = nxt[:1].isdigit() or nxt in ("II", "III") or nxt.startswith("..")
        rows.append((code, label, "" if is_code else nxt))
        i += 2 if is_code else 3
    return rows


def test_form04_xlsx_matches_the_annex_row_by_row(kb_register):
    annex = annex_indicators(kb_register)
    assert len(annex) == 38 and annex[0] == ("I", "Phương án phát triển cụm công nghiệp", "")
    ws = load_workbook(io.BytesIO(reports.form04_xlsx(kb_register, "Lào Cai", "2025-H2"))).active
    rows = [tuple("" if v is None else v for v in r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "Biểu số 04" and rows[2][0] == "Đơn vị gửi báo cáo: Sở Công Thương tỉnh Lào Cai"
    start = rows.index(("TT", "Chỉ tiêu", "Đơn vị tính", "Kết quả (Luỹ kế đến thời điểm báo cáo)", "Ghi chú"))
    assert rows[start + 1] == ("(1)", "(2)", "(3)", "(4)", "(5)")
    body = rows[start + 2:]
    assert [(r[0], r[1], r[2]) for r in body] == annex
    results = {r[0]: r[3] for r in body}
    assert (results["1"], results["2"], results["16"]) == (54, 2927.81, 448.46)


def test_national_summary_totals_and_xlsx(kb_register, tmp_path):
    store = Store.at_home(tmp_path)
    import_file(store, "a.xlsx", data=xlsx_bytes(GOOD))
    summary = reports.national_summary(store, "2026-H1")
    assert list(summary["provinces"]) == ["Hà Nội", "Lào Cai", "Phú Thọ"]  # in the order of the 34
    assert summary["total"]["4"] == 50 + 30 + 1250.5 and summary["total"]["20"] == 6 + 0 + 3
    sheet = load_workbook(io.BytesIO(reports.national_xlsx(store, "2026-H1")))["Tổng hợp theo tỉnh"]
    last = [c.value for c in sheet[sheet.max_row]]
    assert last[1] == "Cả nước" and last[2 + list(reports.NATIONAL_COLUMNS).index("4")] == 1330.5
    with pytest.raises(reg.RegisterError, match="chưa có số liệu kỳ 2030-H1"):
        reports.national_summary(store, "2030-H1")


@pytest.fixture(scope="module")
def national(kb_register, tmp_path_factory) -> nd30.Built:
    spec, draft, doc = reports.national_report(kb_register, "2025-H2")
    path = tmp_path_factory.mktemp("register-docx") / "bao-cao.docx"
    doc.save(path)
    doc = Document(str(path))
    return nd30.Built("bao_cao_ra_soat", spec, draft, path, doc, nd30.Resolver(doc))


ND30_CHECKS = ["test_pg1_pg2_a4_portrait", "test_pg3_margins", "test_pg6_to_pg9_page_number_from_page_two",
               "test_pg10_page_number_paragraph", "test_pg11_annexes_restart_numbering",
               "test_fn1_fn2_times_new_roman_black_everywhere", "test_qh_tn",
               "test_cq_agency_names_and_rule", "test_t5_type_name_and_title",
               "test_kg_kinh_gui", "test_bd_body_paragraphs", "test_body_headings_and_quotes",
               "test_ct_citation_style", "test_ct4_first_mention_in_full", "test_sg0_nn_noi_nhan",
               "test_sg_signature_block"]


@pytest.mark.parametrize("check", ND30_CHECKS)
def test_national_docx_passes_the_nd30_format_checks(national, check):
    getattr(nd30, check)(national)


def test_national_docx_number_place_and_date(national):
    """SO and DT as in test_drafting_format, for the Cục's profile (those tests pin Lào Cai's)."""
    so = next(p for p in national.left() if p.text.startswith("Số:"))
    assert nd30.SO_RE.match(so.text) and so.text.endswith("/BC-ĐCK")
    dated = next(p for p in national.right() if ", ngày " in p.text)
    assert nd30.DATE_RE.match(dated.text) and dated.text.startswith("Hà Nội, ngày")


def test_national_docx_holds_the_figures_tables_and_charts(national):
    text = "\n".join(p.text for p in national.doc.paragraphs)
    assert "tỷ lệ lấp đầy" in text and "Phụ lục số liệu" in text
    assert "có 54 cụm công nghiệp với tổng diện tích 2.927,81 ha" in text
    annex_tables = [t for t in national.doc.tables if t.cell(0, 0).text == "Tỉnh, thành phố"]
    assert annex_tables and annex_tables[0].cell(1, 0).text == "Lào Cai"
    assert len(national.doc.inline_shapes) == 2  # the two charts


def test_chart_png(kb_register):
    png = reports.chart_png(kb_register, "2025-H2", "fill")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000


# ----------------------------------------------------------------------------- questions
def test_register_entry_for_a_question_naming_a_cluster(kb_register):
    [entry] = reg.register_entry_for_question(kb_register, "CCN Âu Lâu có đủ điều kiện mở rộng không?")
    assert entry["name"] == "CCN Âu Lâu" and entry["figures"]["fill_rate"] == 90.64
    assert "tỷ lệ lấp đầy 90,64 %" in reg.entry_text(entry) and DRAFT in reg.entry_text(entry)
    named = reg.register_entry_for_question(kb_register, "Cụm công nghiệp Phú Thịnh 1 và cụm Phú Thịnh 3 thì sao?")
    assert [e["name"] for e in named] == ["CCN Phú Thịnh 1", "CCN Phú Thịnh 3"]
    assert reg.register_entry_for_question(kb_register, "Điều kiện thành lập cụm công nghiệp là gì?") == []


def test_ask_response_carries_the_register_entry(kb_register):
    """What POST /api/ask adds to an answer (api/routes_register.with_register), valid against
    its response model."""
    from answers.answer import Answer
    from api.routes_register import with_register

    answer = Answer(question="q", as_of=date(2026, 12, 5), answered=True, answer="…", provisions=[],
                    confidence=0.5, warnings=[])
    body = with_register(kb_register, "CCN Sơn Thịnh có đủ điều kiện mở rộng không?", answer)
    [entry] = body.clusters
    assert entry["name"] == "CCN Sơn Thịnh" and entry["figures"]["fill_rate"] == 37.15
    assert entry["text"].startswith("CCN Sơn Thịnh (xã Văn Chấn, tỉnh Lào Cai): diện tích 58,76 ha")
    data = body.model_dump(mode="json")
    assert data == {**answer.model_dump(mode="json"), "clusters": data["clusters"]}
    assert data["clusters"][0]["text"] == entry["text"] and data["as_of"] == "2026-12-05"
    assert with_register(kb_register, "Điều 8 Nghị định 32/2024/NĐ-CP", answer).clusters == []


# ----------------------------------------------------------------------------- schema, CLI
def test_migration_006_creates_the_live_register_tables(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    with create_engine(url).begin() as conn:
        schema.migrate(conn, schema.MIGRATIONS[:1])
    with create_engine(url).begin() as conn:
        assert "006_cluster_register" in schema.migrate(conn)
    insp = inspect(create_engine(url))
    for table in reg.metadata.sorted_tables:
        assert {c["name"] for c in insp.get_columns(table.name)} == {c.name for c in table.columns}, table.name


def test_cli_lists_the_corpus_clusters_with_their_sources(tmp_path, capsys):
    home = str(tmp_path / "home")
    assert ccn_main(["--home", home, "clusters", "build-from-corpus"]) == 0
    assert ccn_main(["--home", str(home), "clusters", "--province", "Lào Cai", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 68 and all(r["sources"][0]["file"] in (DRAFT, f"{DRAFT} + {LETTER}", LETTER) for r in rows)
    out = tmp_path / "bieu04.xlsx"
    assert ccn_main(["--home", home, "clusters", "report", "--province", "Lào Cai", "--period", "2025-H2",
                     "-o", str(out)]) == 0
    assert load_workbook(out).active["A1"].value == "Biểu số 04"
    docx_out = tmp_path / "bao-cao-lao-cai.docx"
    args = ["--home", home, "clusters", "report", "--province", "Lào Cai", "--period", "2025-H2", "--format", "docx",
            "-o", str(docx_out)]
    assert ccn_main(args) == 2  # the knowledge base lacks what the báo cáo cites
    assert "cơ sở tri thức chưa có toàn văn 14/2024/TT-BCT" in capsys.readouterr().err
    assert ccn_main(["--home", home, "ingest", str(CCN / "TT-14-2024-TT-BCT.docx"), str(CCN / "ND-32-2024-ND-CP.docx")]) == 0
    assert ccn_main(["--home", home, "clusters", "report", "--province", "Lào Cai", "--period", "2025-H2",
                     "--format", "docx", "-o", str(docx_out)]) == 0
    text = "\n".join(p.text for p in Document(str(docx_out)).paragraphs)
    assert "SỞ CÔNG THƯƠNG" in text.upper() and "tổng diện tích 448,46 ha" in text
    bad = tmp_path / "bad.csv"
    bad.write_text("Tỉnh,Tên cụm công nghiệp,Tỷ lệ lấp đầy (%)\nLào Cai,CCN Âu Lâu,140\n", encoding="utf-8")
    assert ccn_main(["--home", home, "clusters", "import", str(bad), "--period", "2026-H1"]) == 1
    assert "bad.csv, trang tính «CSV», dòng 2, cột «Tỷ lệ lấp đầy (%)»: «140» không hợp lệ" in capsys.readouterr().err


def test_default_ingest_builds_the_register(wide_kb, hoidap_catalogue, tmp_path, capsys):
    """`ccn ingest` of the default corpus (what `make run` does on a fresh install; `--if-empty`
    on an empty store takes the same path) also builds the register from the corpus. The home
    starts as a copy of the session's ccn + wide store with the hỏi đáp catalogue (conftest), so
    the default set's two largest parts are found unchanged instead of read a second time."""
    home = tmp_path / "fresh"
    with_catalogue(store_copy(wide_kb[0], home), hoidap_catalogue)
    assert ccn_main(["--home", str(home), "ingest"]) == 0
    assert "Cơ sở dữ liệu cụm công nghiệp từ kho văn bản" in capsys.readouterr().err
    assert ccn_main(["--home", str(home), "clusters", "--province", "Lào Cai", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 68 and {r["sources"][0]["file"].split(" + ")[0] for r in rows} <= {DRAFT, LETTER}


# ----------------------------------------------------------------------------- HTTP
@pytest.fixture(scope="module")
def register_server(tmp_path_factory):
    """(base URL, tokens) of the real app over a fresh home holding the corpus register."""
    from api.app import create_app
    from drafting.review import ReviewSettings, ReviewStore

    home = tmp_path_factory.mktemp("register-http-home")
    store = Store.at_home(home)
    build_from_corpus(store, SHARED)
    review = ReviewStore(store, ReviewSettings.for_home(home))
    tokens = {}
    for name, role in (("chuyenvien", "specialist"), ("quanlykho", "curator")):
        review.add_user(name, role)
        tokens[name] = review.issue_token(name).token
    with serve_app(create_app(home, store=store)) as url:
        yield url, tokens


def test_api_filters(register_server):
    url, _ = register_server
    with httpx.Client(base_url=url, timeout=120) as http:
        r = http.get("/api/clusters", params={"province": "Lào Cai", "below_fill": 50, "sort": "fill"})
        assert r.status_code == 200
        assert [(c["name"], c["figures"]["fill_rate"]) for c in r.json()] == [("CCN Khánh Yên Thượng", 29.0),
                                                                              ("CCN Sơn Thịnh", 37.15)]
        r = http.get("/api/clusters", params={"missing": "wastewater", "period": "2025-H2"})
        assert len(r.json()) == 22 and all(c["sources"][1]["location"] for c in r.json())
        r = http.get("/api/clusters", params={"province": "Lào Cai", "format": "csv", "below_fill": 50})
        table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert table[0][:len(HEADER_ROW)] == HEADER_ROW and [row[1] for row in table[1:]] == ["CCN Khánh Yên Thượng", "CCN Sơn Thịnh"]
        r = http.get("/api/clusters", params={"province": "Yên Bái"})
        assert r.status_code == 422 and r.json()["error"] == (
            "«Yên Bái» không phải tỉnh, thành phố (Yên Bái đã hợp nhất vào tỉnh Lào Cai từ ngày 01/7/2025): cần tên "
            "một trong 34 tỉnh, thành phố từ ngày 01/7/2025")
        r = http.get("/api/clusters", params={"period": "2026-13"})
        assert r.status_code == 422 and r.json()["error"].startswith("Kỳ báo cáo «2026-13» không hợp lệ: cần dạng NĂM-H1")


def test_api_import_only_for_curators(register_server):
    url, tokens = register_server
    files = {"file": ("bao-cao.xlsx", xlsx_bytes(GOOD + BAD), "application/octet-stream")}
    with httpx.Client(base_url=url, timeout=120) as http:
        assert http.post("/api/clusters/import", files=files).status_code == 401
        r = http.post("/api/clusters/import", files=files, headers={"Authorization": f"Bearer {tokens['chuyenvien']}"})
        assert r.status_code == 403 and "không có quyền nhập số liệu" in r.json()["error"]
        r = http.post("/api/clusters/import", files=files, headers={"Authorization": f"Bearer {tokens['quanlykho']}"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["rows_ok"] == 3 and body["errors"] == expected_errors("bao-cao.xlsx", "trang tính «Báo cáo»")
        assert body["replaced"] == 0  # 2026-H1 had no figures of Âu Lâu before
        r = http.get("/api/clusters", params={"province": "Lào Cai", "period": "2026-H1", "sort": "-fill"})
        assert r.json()[0]["name"] == "CCN Âu Lâu" and r.json()[0]["sources"][1]["file"] == "bao-cao.xlsx"
        assert http.get("/api/clusters/reports/chart.png", params={"period": "2025-H2"}).content[:4] == b"\x89PNG"


def test_readme_documents_the_register():
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "ccn clusters" in text and " | ".join(HEADER_ROW[:6]) in text


def test_register_on_postgresql(pg_url):
    """The same migration, import and queries on the PostgreSQL test server."""
    store = Store(pg_url)
    [result] = build_from_corpus(store, SHARED)
    assert result.rows_ok == 74 and result.errors == []
    assert sorted(by_name(store, province="Lào Cai", below_fill=50)) == ["CCN Khánh Yên Thượng", "CCN Sơn Thịnh"]
    assert reports.form04_values(store, "Lào Cai", "2025-H2")["16"] == 448.46
    import_file(store, "lan-1.xlsx", data=xlsx_bytes(GOOD), user="a")
    second = import_file(store, "lan-2.xlsx", data=xlsx_bytes(GOOD[:1]), user="b")
    assert second.replaced == 1
    store.engine.dispose()


def test_ccn_ask_shows_the_register_entry_beside_the_provisions(search_home, tmp_path):
    """«CCN Âu Lâu có đủ điều kiện mở rộng không?»: the answer quotes the provisions, and beside
    them the cluster's register entry (area, filling rate, source) read from the corpus."""
    import shutil

    from api.cli_register import register_from_corpus
    from kb.store import Store

    _, home = search_home
    copy = tmp_path / "home"
    shutil.copytree(home, copy)
    store = Store.at_home(copy)
    register_from_corpus(store, quiet=True)
    store.engine.dispose()
    out = subprocess.run([sys.executable, "-m", "api.cli", "--home", str(copy), "ask",
                          "CCN Âu Lâu có đủ điều kiện mở rộng không?", "--json"],
                         capture_output=True, text=True, check=True, timeout=300)
    data = json.loads(out.stdout)
    (entry,) = data["clusters"]
    assert (entry["name"], entry["established_area_ha"]) == ("CCN Âu Lâu", 50.0)
    assert "tỷ lệ lấp đầy 90,64 %" in entry["text"] and entry["sources"]
    assert any("Điều 8 Nghị định số 32/2024/NĐ-CP" in p["citation_text"] for p in data["provisions"])
