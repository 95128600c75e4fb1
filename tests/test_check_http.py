"""Checking a letter and drafting over HTTP (api/routes_check.py) and the page check.html.

The real app served by uvicorn on loopback over the indexed ccn corpus (`api_server`); real DOCX
files read back with python-docx; the page driven in Debian's headless Chromium (`pytest -m ui`).
The letters are tests/fixtures/check/ (the checker's own fixtures, pinned in test_checker.py).
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import docx
import httpx
import pytest
import yaml

from drafting.checker import read_comments

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "check"
EXAMPLES = ROOT / "drafting" / "examples"
ARTIFACTS = Path(os.environ.get("CCN_TEST_ARTIFACTS") or ROOT / "tests" / "artifacts") / "ui"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TIMEOUT_MS = 60_000

MUST_SHOW_ERRORS = [  # as tests/test_checker.py pins them
    ("no_such_provision", "khoản 9 Điều 8 Nghị định số 32/2024/NĐ-CP"),
    ("repealed_document", "Nghị định số 68/2017/NĐ-CP của Chính phủ"),
    ("unknown_document", "Nghị định số 999/2024/NĐ-CP"),
    ("informal_short_form", "NĐ 32"),
]
INCOMING = "Văn bản số 456/SCT-QLCN ngày 20 tháng 8 năm 2025 của Sở Công Thương tỉnh Lào Cai"
NO_CLAUSE_9 = ("không có khoản 9 Điều 8 Nghị định số 32/2024/NĐ-CP: Điều 8 Nghị định số "
               "32/2024/NĐ-CP có 2 khoản")
INFORMAL = "trích dẫn không đầy đủ «NĐ 32»: ghi đầy đủ «Nghị định số 32/2024/NĐ-CP»"
BAD_DATE = "ngày không hợp lệ, cần dạng YYYY-MM-DD (ví dụ 2024-05-01)"
NO_STRAY_TEXT = "el => !Array.from(el.childNodes).some(n => n.nodeType === Node.TEXT_NODE)"


@pytest.fixture(scope="module")
def http(api_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api_server, timeout=120) as client:
        yield client


def letter(name: str) -> tuple[str, bytes]:
    return name, (FIXTURES / name).read_bytes()


def tra_loi_spec() -> dict:
    """drafting/examples/tra_loi.yaml converted to JSON (dates as YYYY-MM-DD)."""
    data = yaml.safe_load((EXAMPLES / "tra_loi.yaml").read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, ensure_ascii=False, default=lambda d: d.isoformat()))


def our_temp_dirs(home: Path) -> set[str]:
    """The letters' temporary folders: under the home's tmp/<pid>/ (swept at start-up)."""
    return {p.name for p in (home / "tmp").glob("*/ccn-letter-*")}


def docx_text(data: bytes) -> str:
    """Every paragraph of a DOCX: body, tables and the first page's header (where DỰ THẢO is)."""
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.first_page_header.paragraphs]
    return "\n".join(parts)


# ----------------------------------------------------------------------------- POST /api/check
@pytest.mark.parametrize("name", ["must_show.docx", "must_show.txt"])
def test_check_must_show_letter(http: httpx.Client, name: str) -> None:
    response = http.post("/api/check", files={"file": letter(name)})
    assert response.status_code == 200
    report = response.json()
    assert report["file"] == name  # the upload's name, never the temporary path
    assert (report["as_of"], report["as_of_source"]) == ("2025-09-10", "letter")
    errors = [(f["code"], f["text"]) for f in report["findings"] if f["severity"] == "error"]
    assert errors == MUST_SHOW_ERRORS
    assert [(f["code"], f["text"]) for f in report["findings"] if f["severity"] == "warning"] == [
        ("speculative_wording", "dự kiến")]
    messages = {f["code"]: f["message"] for f in report["findings"]}
    assert messages["no_such_provision"] == NO_CLAUSE_9
    assert messages["repealed_document"].startswith(
        "Nghị định số 68/2017/NĐ-CP đã hết hiệu lực từ ngày 01/05/2024")
    assert "được thay thế bởi Nghị định số 32/2024/NĐ-CP" in messages["repealed_document"]
    assert "999/2024/NĐ-CP" in messages["unknown_document"]
    assert "có thể là số hiệu không có thật" in messages["unknown_document"]
    assert messages["informal_short_form"] == INFORMAL
    assert [(c["text"], c["status"], c["code"]) for c in report["citations"]] == [
        (INCOMING, "outside_kb", "correspondence"),
        *((text, "error", code) for code, text in MUST_SHOW_ERRORS)]
    clause = report["citations"][1]
    assert clause["citation"] == {"doc": "32/2024/NĐ-CP", "part": None, "annex": None,
                                  "article": 8, "clause": 9, "point": None}
    assert report["counts"] == {"citations": 5, "ok": 0, "error": 4, "warning": 0,
                                "outside_kb": 1, "errors": 4, "warnings": 1}


@pytest.mark.parametrize("name", ["clean.docx", "clean.txt"])
def test_check_clean_letter_has_no_error(http: httpx.Client, name: str) -> None:
    report = http.post("/api/check", files={"file": letter(name)}).json()
    assert report["as_of"] == "2025-10-15"
    assert report["findings"] == []
    assert report["counts"]["errors"] == 0 and report["counts"]["error"] == 0
    assert [c["canonical"] for c in report["citations"] if c["status"] == "ok"] == [
        "khoản 1 Điều 8 Nghị định số 32/2024/NĐ-CP",
        "điểm c khoản 1 Điều 8 Nghị định số 32/2024/NĐ-CP",
        "Điều 12 Nghị định số 139/2025/NĐ-CP",
        "Điều 9 Nghị định số 32/2024/NĐ-CP",
        "Thông tư số 14/2024/TT-BCT",
    ]


def test_check_as_of_overrides_the_letters_date(http: httpx.Client) -> None:
    report = http.post("/api/check", files={"file": letter("clean.txt")},
                       data={"as_of": "2024-01-01"}).json()
    assert (report["as_of"], report["as_of_source"]) == ("2024-01-01", "argument")
    codes = {f["code"] for f in report["findings"]}
    assert codes == {"not_in_force_at_date"}  # NĐ 32/2024 from 1/5/2024, NĐ 139/2025 later
    assert report["counts"]["errors"] == 5
    assert any("chưa có hiệu lực tại ngày 01/01/2024" in f["message"] for f in report["findings"])


def test_check_stores_nothing(http: httpx.Client, search_home) -> None:
    _, home = search_home
    before = http.get("/health").json()
    dirs_before = our_temp_dirs(home)
    uploads = sorted(p.name for p in (home / "uploads").glob("*")) if (home / "uploads").exists() else []
    for name in ("must_show.docx", "clean.txt"):
        assert http.post("/api/check", files={"file": letter(name)}).status_code == 200
    assert http.post("/api/check/annotated", files={"file": letter("must_show.docx")}).status_code == 200
    assert http.get("/health").json() == before
    assert our_temp_dirs(home) - dirs_before == set()  # the temporary folders are gone
    after = sorted(p.name for p in (home / "uploads").glob("*")) if (home / "uploads").exists() else []
    assert after == uploads
    assert http.get("/api/documents", params={"q": "123/CTĐP"}).json() == []


@pytest.mark.parametrize(("path", "files", "data", "status", "error"), [
    ("/api/check", {"file": ("cu.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")}, {}, 415,
     "cu.doc: định dạng .doc cũ chưa hỗ trợ, hãy lưu lại dưới dạng .docx"),
    ("/api/check", {"file": ("bang.xlsx", b"PK\x03\x04")}, {}, 415,
     "bang.xlsx: định dạng tệp không được hỗ trợ; chỉ nhận .docx, .pdf, .txt, .md, .html, .htm"),
    ("/api/check", {"file": ("lon.txt", b"a" * (20 * 1024 * 1024 + 1))}, {}, 413,
     "lon.txt: tệp quá lớn (20,0 MB), giới hạn 20 MB"),
    ("/api/check", {"file": letter("clean.txt")}, {"as_of": "2025-13-01"}, 422,
     f"Dữ liệu gửi lên không hợp lệ: nội dung «as_of»: {BAD_DATE}"),
    ("/api/check", {"file": letter("clean.txt")}, {"as_of": "15/10/2025"}, 422,
     f"Dữ liệu gửi lên không hợp lệ: nội dung «as_of»: {BAD_DATE}"),
    ("/api/check", {"file": ("rong.txt", b"")}, {}, 422, "rong.txt: tệp rỗng"),
    ("/api/check", {"file": ("hong.docx", b"PK\x03\x04 not a zip")}, {}, 422,
     "hong.docx: tệp DOCX bị hỏng hoặc không đầy đủ"),
    ("/api/check/annotated", {"file": letter("must_show.txt")}, {}, 415,
     "must_show.txt: chỉ ghi được nhận xét vào tệp Word .docx; tệp khác hãy kiểm tra bằng /api/check"),
    ("/api/check/annotated", {"file": ("gia.docx", (FIXTURES / "must_show.txt").read_bytes())}, {}, 422,
     "gia.docx: nội dung tệp không phải văn bản Word (DOCX)"),
    ("/api/check/annotated", {"file": letter("must_show.docx")}, {"as_of": "2025-02-30"}, 422,
     f"Dữ liệu gửi lên không hợp lệ: nội dung «as_of»: {BAD_DATE}"),
])
def test_check_refusals(http: httpx.Client, path: str, files: dict, data: dict, status: int,
                        error: str) -> None:
    response = http.post(path, files=files, data=data)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"] == error


def test_check_refusal_details(http: httpx.Client) -> None:
    bad_date = http.post("/api/check", files={"file": letter("clean.txt")}, data={"as_of": "2025-13-01"})
    (detail,) = bad_date.json()["details"]
    assert (detail["loc"], detail["msg"]) == (["body", "as_of"], BAD_DATE)
    missing = http.post("/api/check", data={"as_of": "2025-01-01"})
    assert missing.status_code == 422
    assert missing.json()["error"] == "Dữ liệu gửi lên không hợp lệ: nội dung «file»: thiếu giá trị bắt buộc"
    # a request body over one file's limit is refused before it is read
    huge = http.post("/api/check", content=b"x" * (21 * 1024 * 1024 + 1),
                     headers={"content-type": "multipart/form-data; boundary=x"})
    assert huge.status_code == 413
    assert huge.json() == {"error": "Dữ liệu gửi lên quá lớn (giới hạn 21 MB)", "details": []}


# ----------------------------------------------------------------------------- annotated DOCX
def test_annotated_docx_has_comments_on_the_citations(http: httpx.Client, tmp_path: Path) -> None:
    response = http.post("/api/check/annotated", files={"file": letter("must_show.docx")})
    assert response.status_code == 200
    assert response.headers["content-type"] == DOCX_MIME
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"must_show-kiem-tra.docx\"; filename*=UTF-8''must_show-kiem-tra.docx")
    assert (response.headers["x-check-citations"], response.headers["x-check-errors"],
            response.headers["x-check-warnings"]) == ("5", "4", "1")
    out = tmp_path / "checked.docx"
    out.write_bytes(response.content)
    comments = read_comments(out)
    assert [anchor for anchor, _ in comments] == [
        INCOMING, *(text for _, text in MUST_SHOW_ERRORS), "dự kiến"]
    texts = dict(comments)
    assert texts["khoản 9 Điều 8 Nghị định số 32/2024/NĐ-CP"] == f"[LỖI] {NO_CLAUSE_9}"
    assert texts["NĐ 32"] == f"[LỖI] {INFORMAL}"
    assert texts["dự kiến"].startswith("[CẢNH BÁO]")
    assert texts[INCOMING].startswith("[THÔNG TIN]")
    annotated, original = docx.Document(str(out)), docx.Document(str(FIXTURES / "must_show.docx"))
    assert [p.text for p in annotated.paragraphs] == [p.text for p in original.paragraphs]
    assert {c.author for c in annotated.comments} == {"Kiểm tra trích dẫn (ccn check)"}


def test_annotated_docx_as_of(http: httpx.Client, tmp_path: Path) -> None:
    response = http.post("/api/check/annotated", files={"file": letter("clean.docx")},
                         data={"as_of": "2024-01-01"})
    assert response.status_code == 200
    assert response.headers["x-check-errors"] == "5"
    out = tmp_path / "clean.docx"
    out.write_bytes(response.content)
    texts = [text for _, text in read_comments(out)]
    assert sum(t.startswith("[LỖI]") and "chưa có hiệu lực tại ngày 01/01/2024" in t for t in texts) == 5


# ----------------------------------------------------------------------------- drafting
def test_draft_examples_are_the_shipped_specs(http: httpx.Client) -> None:
    examples = http.get("/api/draft/examples").json()
    letters = [e for e in examples if e["kind"] in ("bao_cao_ra_soat", "gop_y", "sua_doi", "tra_loi")]
    assert [(e["name"], e["kind"], e["label"]) for e in letters] == [
        ("bao_cao_ra_soat", "bao_cao_ra_soat", "Báo cáo rà soát"),
        ("gop_y", "gop_y", "Công văn góp ý"),
        ("sua_doi", "sua_doi", "Văn bản sửa đổi, bổ sung (dự thảo văn bản quy phạm pháp luật) và bảng so sánh"),
        ("tra_loi", "tra_loi", "Công văn trả lời, hướng dẫn vướng mắc"),
    ]
    assert ("tham_dinh", "Báo cáo thẩm định thành lập, mở rộng cụm công nghiệp") in {
        (e["kind"], e["label"]) for e in examples}  # and the other procedure documents
    tra_loi = letters[3]
    assert tra_loi["spec"] == tra_loi_spec()
    assert tra_loi["subject"] == "hướng dẫn vướng mắc trong thành lập cụm công nghiệp"


def test_draft_of_an_amending_text(http: httpx.Client) -> None:
    """The sua_doi example over HTTP: assembled, checked, no error."""
    spec = next(e["spec"] for e in http.get("/api/draft/examples").json() if e["name"] == "sua_doi")
    result = http.post("/api/draft", json=spec).json()
    assert (result["kind"], result["check"]["counts"]["errors"]) == ("sua_doi", 0)
    assert [i for i in result["assembly"]["issues"] if i["severity"] == "error"] == []


def test_draft_report(http: httpx.Client) -> None:
    response = http.post("/api/draft", json=tra_loi_spec())
    assert response.status_code == 200
    result = response.json()
    assert (result["kind"], result["kind_label"], result["as_of"], result["ok"]) == (
        "tra_loi", "Công văn trả lời, hướng dẫn vướng mắc", "2026-08-12", True)
    assembly = result["assembly"]
    assert assembly["profile"] == "cuc-dck"
    assert [(c["citation_text"], c["found"], c["status"]) for c in assembly["citations"]] == [
        ("điểm c khoản 1 Điều 8 Nghị định số 32/2024/NĐ-CP", True, "in_force"),
        ("Điều 12 Nghị định số 139/2025/NĐ-CP", True, "in_force"),
        ("khoản 2 Điều 13 Nghị định số 32/2024/NĐ-CP", True, "in_force"),
    ]
    assert [i["severity"] for i in assembly["issues"]] == ["info"]
    check = result["check"]
    assert check["file"] == "(văn bản dự thảo, không kèm phụ lục trích dẫn)"
    assert check["as_of"] == "2026-08-12"
    assert check["findings"] == [] and check["counts"]["errors"] == 0
    assert check["citations"][0]["code"] == "correspondence"  # the incoming letter 456/SCT-CN


def test_draft_docx_opens_and_says_du_thao(http: httpx.Client) -> None:
    response = http.post("/api/draft/docx", json=tra_loi_spec())
    assert response.status_code == 200
    assert response.headers["content-type"] == DOCX_MIME
    assert response.headers["content-disposition"].startswith('attachment; filename="du-thao-tra_loi.docx"')
    assert response.headers["x-draft-errors"] == "0"
    text = docx_text(response.content)
    assert "DỰ THẢO" in text
    assert "V/v hướng dẫn vướng mắc trong thành lập cụm công nghiệp" in text
    assert "Kính gửi: Sở Công Thương tỉnh Lào Cai" in text
    assert "TRÍCH DẪN CÁC QUY ĐỊNH ĐƯỢC VIỆN DẪN" in text  # the reviewer's appendix of a draft


def test_draft_at_another_date(http: httpx.Client) -> None:
    result = http.post("/api/draft", params={"as_of": "2025-01-01"}, json=tra_loi_spec()).json()
    assert (result["as_of"], result["ok"]) == ("2025-01-01", False)
    statuses = {c["citation_text"]: c["status"] for c in result["assembly"]["citations"]}
    assert statuses["Điều 12 Nghị định số 139/2025/NĐ-CP"] == "not_yet_in_force"
    assert statuses["khoản 2 Điều 13 Nghị định số 32/2024/NĐ-CP"] == "in_force"
    assert "not_in_force_at_date" in {f["code"] for f in result["check"]["findings"]}


@pytest.mark.parametrize(("change", "params", "error"), [
    ({"profile": "../../etc/ho-so.yaml"}, {},
     "Dữ liệu gửi lên không hợp lệ: nội dung «profile»: chỉ được nêu tên hồ sơ cơ quan (ví dụ «cuc-dck»), "
     "không được nêu đường dẫn tệp; hồ sơ cơ quan riêng do quản trị đặt vào thư mục profiles/ của thư mục "
     "dữ liệu"),
    ({"profile": "bo-khong-co"}, {},
     "Nội dung dự thảo không hợp lệ: trường «profile»: không có hồ sơ cơ quan «bo-khong-co» "
     "(có sẵn: cdt-vi-du, chinh-phu, cuc-dck, hd-lcdt-lao-cai, sct-lao-cai, ubnd-lao-cai)"),
    ({"template": "/etc/passwd"}, {},
     "Dữ liệu gửi lên không hợp lệ: nội dung «template»: chỉ được nêu tên mẫu văn bản (ví dụ «tra_loi»), "
     "không được nêu đường dẫn tệp; mẫu văn bản riêng do quản trị đặt vào thư mục templates/ của thư mục "
     "dữ liệu"),
    ({"signer": "giam-doc"}, {},
     "Nội dung dự thảo không hợp lệ: trường «signer»: hồ sơ «cuc-dck» không có người ký «giam-doc» "
     "(có: pho-cuc-truong)"),
    ({"questions": []}, {}, "Dữ liệu gửi lên không hợp lệ: nội dung: loại «tra_loi» cần trường «questions»"),
    ({"kind": "thu_moi"}, {},
     "Dữ liệu gửi lên không hợp lệ: nội dung «kind»: giá trị không hợp lệ, chỉ nhận: "
     "'gop_y', 'tra_loi', 'bao_cao_ra_soat', 'to_trinh', 'tham_dinh', 'to_trinh_ccn', 'de_nghi_cdt', "
     "'qd_thanh_lap', 'qd_quy_che', 'qd_quy_che_dv', 'qd_hoi_dong', 'phieu_cham_diem', 'bien_ban_hoi_dong' "
     "hoặc 'sua_doi'"),
    ({"date": "12/08/2026"}, {}, None),
    ({"ghi_chu": "x"}, {}, "Dữ liệu gửi lên không hợp lệ: nội dung «ghi_chu»: trường không được hỗ trợ"),
    ({}, {"as_of": "2026-02-30"}, f"Dữ liệu gửi lên không hợp lệ: tham số «as_of»: {BAD_DATE}"),
])
@pytest.mark.parametrize("path", ["/api/draft", "/api/draft/docx"])
def test_draft_refusals(http: httpx.Client, path: str, change: dict, params: dict, error: str | None) -> None:
    response = http.post(path, params=params, json={**tra_loi_spec(), **change})
    assert response.status_code == 422
    body = response.json()
    if error is None:  # pydantic's date error, translated
        assert body["error"].startswith("Dữ liệu gửi lên không hợp lệ: nội dung «date»: ngày không hợp lệ")
    else:
        assert body["error"] == error


def test_draft_body_not_json(http: httpx.Client) -> None:
    response = http.post("/api/draft", content=b"kind: tra_loi", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"] == "Dữ liệu gửi lên không hợp lệ: nội dung «0»: JSON không hợp lệ"


# ----------------------------------------------------------------------------- OpenAPI
def test_openapi_documents_the_endpoints(http: httpx.Client) -> None:
    spec = http.get("/openapi.json").json()
    paths = spec["paths"]
    check = paths["/api/check"]["post"]
    assert {"200", "413", "415", "422"} <= set(check["responses"])
    assert check["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CheckReport"}  # the checker's own report (drafting.checker.report)
    assert check["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorResponse"}
    annotated = paths["/api/check/annotated"]["post"]["responses"]
    assert DOCX_MIME in annotated["200"]["content"]
    draft = paths["/api/draft"]["post"]
    body = draft["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/DraftSpec"}
    assert draft["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/DraftReport"}
    assert DOCX_MIME in paths["/api/draft/docx"]["post"]["responses"]["200"]["content"]
    assert "/api/draft/examples" in paths
    status = spec["components"]["schemas"]["CitationCheck"]["properties"]["status"]
    assert status == {"$ref": "#/components/schemas/CheckStatus", "readOnly": True}  # the enum drafting.severity defines
    assert spec["components"]["schemas"]["CheckStatus"]["enum"] == ["ok", "error", "warning", "outside_kb"]


def test_generated_requests_never_fail_the_server(api_server: str) -> None:
    """schemathesis: generated valid and invalid requests to these operations (nothing is stored
    by them, so the shared server is safe); no 5xx, every response as the schema documents it."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis import GenerationMode
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    schema = schemathesis.openapi.from_url(f"{api_server}/openapi.json")
    operations = [("POST", "/api/check"), ("POST", "/api/check/annotated"), ("GET", "/api/draft/examples"),
                  ("POST", "/api/draft"), ("POST", "/api/draft/docx")]
    for method, path in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if method == "GET" and mode == GenerationMode.NEGATIVE:
                continue  # no input to spoil
            operation = schema[path][method]

            # Schema-valid uploads without a name suffix, or specs naming no shipped profile, are
            # rightly refused: the schema cannot say which names and profiles exist.
            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck),
                      derandomize=True, database=None)
            def run(case) -> None:
                case.call_and_validate(base_url=api_server, excluded_checks=[positive_data_acceptance])

            run()


# ----------------------------------------------------------------------------- the page
class Tab:
    """A browser tab on the app: records every request and every script error; `allow` lists
    the console messages a test provokes on purpose (a refused upload logs its 4xx)."""

    def __init__(self, browser, base_url: str):
        self.base_url = base_url
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN",
                                           accept_downloads=True)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.allow: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def close(self) -> None:
        self.context.close()
        foreign = [u for u in self.requests if not u.startswith((self.base_url, "data:", "blob:"))]
        assert foreign == [], f"the page fetched something outside the app: {foreign}"
        errors = [e for e in self.errors if not any(a in e for a in self.allow)]
        assert errors == [], f"script errors in the page: {errors}"


@pytest.fixture
def tab(browser, api_server: str) -> Iterator[Tab]:
    opened = Tab(browser, api_server)
    yield opened
    opened.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    path.unlink(missing_ok=True)
    page.screenshot(path=str(path), full_page=True)
    assert path.is_file() and path.stat().st_size > 5_000, f"screenshot not written: {path}"
    return path


@pytest.mark.ui
def test_page_checks_the_must_show_letter(tab: Tab, api_server: str, tmp_path: Path) -> None:
    page = tab.page
    page.goto(f"{api_server}/")
    page.click("a[href='/static/check.html']")  # the link on the main page
    page.wait_for_url(f"{api_server}/static/check.html")
    assert page.evaluate("document.documentElement.lang") == "vi"
    assert page.locator(".tabs a.active").inner_text() == "Kiểm tra văn bản"
    page.set_input_files("#letter", str(FIXTURES / "must_show.docx"))
    page.click("#check-submit")
    page.wait_for_selector("#check-result .findings li")
    errors = page.locator("#check-result .findings li[data-severity=error]")
    assert [errors.nth(i).get_attribute("data-code") for i in range(errors.count())] == [
        code for code, _ in MUST_SHOW_ERRORS]
    assert [t.split(" (đoạn")[0] for t in errors.locator(".quote-text").all_inner_texts()] == [
        f"«{text}»" for _, text in MUST_SHOW_ERRORS]
    assert errors.nth(0).locator(".message").inner_text() == NO_CLAUSE_9
    assert page.locator("#check-result .findings li[data-severity=warning] .quote-text").all_inner_texts() == [
        "«dự kiến»"]
    rows = page.locator("#check-result tr.citation")
    assert rows.locator(".cite-text").all_inner_texts() == [INCOMING, *(t for _, t in MUST_SHOW_ERRORS)]
    assert rows.locator(".badge").all_inner_texts() == ["Ngoài cơ sở dữ liệu", "Lỗi", "Lỗi", "Lỗi", "Lỗi"]
    assert page.locator("#check-result .counts").inner_text() == (
        "5 trích dẫn: 0 đúng, 4 lỗi, 0 cảnh báo, 1 ngoài cơ sở dữ liệu — tổng 4 lỗi, 1 cảnh báo.")
    assert "Xét hiệu lực tại ngày 10/09/2025 (theo ngày của văn bản)" in page.locator("#check-result").inner_text()
    assert page.locator("#check-result").evaluate(NO_STRAY_TEXT)
    screenshot(page, "check-must-show.png")

    with page.expect_download() as info:
        page.click("#annotated")
    download = info.value
    assert download.suggested_filename == "must_show-kiem-tra.docx"
    saved = tmp_path / download.suggested_filename
    download.save_as(str(saved))
    assert [anchor for anchor, _ in read_comments(saved)] == [
        INCOMING, *(text for _, text in MUST_SHOW_ERRORS), "dự kiến"]


@pytest.mark.ui
def test_page_shows_refusals_in_vietnamese(tab: Tab, api_server: str, tmp_path: Path) -> None:
    page = tab.page
    tab.allow.append("status of 415 (Unsupported Media Type)")
    page.goto(f"{api_server}/static/check.html")
    old = tmp_path / "cu.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    page.set_input_files("#letter", str(old))
    page.click("#check-submit")
    assert page.locator("#check-result .error").inner_text() == (
        "cu.doc: định dạng .doc cũ chưa hỗ trợ, hãy lưu lại dưới dạng .docx")
    assert page.locator("#annotated").is_hidden()
    page.set_input_files("#letter", str(FIXTURES / "clean.txt"))
    page.click("#check-submit")
    page.wait_for_selector("#check-result .ok-line")
    assert page.locator("#check-result .ok-line").inner_text() == "Không phát hiện lỗi hay cảnh báo nào."
    assert page.locator("#annotated").is_hidden()  # a .txt gets no annotated DOCX


@pytest.mark.ui
def test_page_drafts_from_an_example(tab: Tab, api_server: str, tmp_path: Path) -> None:
    page = tab.page
    tab.allow.append("status of 422 (Unprocessable Entity)")  # the unknown profile, on purpose
    page.goto(f"{api_server}/static/check.html#/draft/json")  # the JSON view (the form: test_draft_form.py)
    assert page.locator(".tabs a.active").inner_text() == "Soạn thảo"
    import re

    from playwright.sync_api import expect  # polls without eval (the page's policy forbids it)

    expect(page.locator("#spec")).to_have_value(re.compile("tra_loi"))
    assert json.loads(page.input_value("#spec")) == tra_loi_spec()
    options = page.locator("#example option").all_inner_texts()
    assert options[0] == "— chọn dự thảo mẫu —" and len(options) == 14  # 3 letters, sua_doi, 9 procedure documents
    assert {"Báo cáo rà soát (bao_cao_ra_soat.yaml)", "Công văn góp ý (gop_y.yaml)",
            "Công văn trả lời, hướng dẫn vướng mắc (tra_loi.yaml)",
            "Văn bản sửa đổi, bổ sung (dự thảo văn bản quy phạm pháp luật) và bảng so sánh (sua_doi.yaml)",
            "Phiếu chấm điểm lựa chọn chủ đầu tư (phieu_cham_diem.yaml)"} <= set(options)
    # text typed by a user is shown as text, never run as HTML
    spec = {**tra_loi_spec(), "subject": 'thử <img src=x onerror="window.__xss=1"> vướng mắc'}
    page.fill("#spec", json.dumps(spec, ensure_ascii=False))
    page.click("#draft-run")
    page.wait_for_selector("#draft-result .report-head")
    assert page.locator("#draft-result .report-head p").nth(1).inner_text() == (
        'V/v: thử <img src=x onerror="window.__xss=1"> vướng mắc')
    assert page.locator("#draft-result img").count() == 0
    assert page.evaluate("window.__xss") is None
    assert page.locator("#draft-result table.cited td:first-child").all_inner_texts() == [
        "điểm c khoản 1 Điều 8 Nghị định số 32/2024/NĐ-CP",
        "Điều 12 Nghị định số 139/2025/NĐ-CP",
        "khoản 2 Điều 13 Nghị định số 32/2024/NĐ-CP",
    ]
    assert page.locator("#draft-result .verdict").inner_text() == (
        "Không có lỗi khi lập dự thảo và khi kiểm tra trích dẫn.")
    assert "Xét hiệu lực tại ngày 12/08/2026 (theo ngày của dự thảo)" in page.locator("#draft-result").inner_text()
    assert page.locator("#draft-result").evaluate(NO_STRAY_TEXT)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280  # nothing wider than the window
    screenshot(page, "check-draft.png")

    with page.expect_download() as info:
        page.click("#draft-docx")
    saved = tmp_path / "du-thao.docx"
    info.value.save_as(str(saved))
    assert info.value.suggested_filename == "du-thao-tra_loi.docx"
    assert "DỰ THẢO" in docx_text(saved.read_bytes())

    page.fill("#spec", "{kind: tra_loi")
    page.click("#draft-run")
    assert page.locator("#draft-result .error").inner_text() == (
        "Nội dung dự thảo không phải JSON hợp lệ: hãy kiểm tra dấu phẩy, dấu ngoặc và dấu nháy kép.")
    page.fill("#spec", json.dumps({**tra_loi_spec(), "profile": "khong-co"}))
    page.click("#draft-run")
    page.wait_for_selector("#draft-result .error")
    assert page.locator("#draft-result .error").inner_text() == (
        "Nội dung dự thảo không hợp lệ: trường «profile»: không có hồ sơ cơ quan «khong-co» "
        "(có sẵn: cdt-vi-du, chinh-phu, cuc-dck, hd-lcdt-lao-cai, sct-lao-cai, ubnd-lao-cai)")
