"""The review workflow over HTTP: the real app (api.app.create_app) served by uvicorn on loopback.

A draft goes in_review → returned with comments → approved, each step in the audit log; a
specialist's approval is refused with 403, a request without a token with 401; the approved
letter is then found by /api/search. The server runs over a copy of `search_home` (the ccn
corpus, ingested and indexed once per session), so that the approved letter never reaches the
shared store other tests count on, and no second index build is needed.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sqlite3
from pathlib import Path

import httpx
import pytest
import yaml
from conftest import loopback_only, serve_app
from docx import Document as open_docx

from drafting.review import ReviewSettings, ReviewStore
from kb.store import Store

EXAMPLE = Path(__file__).resolve().parents[1] / "drafting" / "examples" / "gop_y.yaml"
PHRASE = "hệ thống thu gom nước mưa tách riêng cho cụm công nghiệp Tằng Loỏng"


def copy_home(src: Path, dst: Path) -> None:
    """A consistent copy of a data folder: SQLite files through the backup API (their WAL
    included), everything else as is."""
    for path in sorted(src.rglob("*")):
        target = dst / path.relative_to(src)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif path.name.endswith(("-wal", "-shm", "-journal")):
            continue
        elif path.suffix == ".sqlite3":
            with sqlite3.connect(path) as source, sqlite3.connect(target) as copy:
                source.backup(copy)
            source.close()
            copy.close()
        else:
            shutil.copy2(path, target)


@pytest.fixture(scope="module")
def review_server(search_home, tmp_path_factory: pytest.TempPathFactory):
    """(base URL, tokens by user) of the app over a copy of search_home, with three users."""
    from api.app import create_app

    _, source = search_home
    home = tmp_path_factory.mktemp("review-http-home")
    copy_home(source, home)
    store = Store.at_home(home)
    review = ReviewStore(store, ReviewSettings.for_home(home))
    tokens = {}
    for name, role in (("chuyenvien", "specialist"), ("truongphong", "reviewer"), ("quantri", "admin")):
        review.add_user(name, role)
        tokens[name] = review.issue_token(name).token
    with loopback_only(), serve_app(create_app(home, store=store)) as url:
        yield url, tokens


def client(url: str, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=url, headers=headers, timeout=900)


def example_spec() -> dict:
    """The example spec as JSON would carry it (dates as ISO strings)."""
    return json.loads(json.dumps(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")), default=str))


def header_and_body_text(data: bytes) -> str:
    doc = open_docx(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for section in doc.sections:
        parts += [p.text for p in section.first_page_header.paragraphs]
    return "\n".join(parts)


def test_tokens_are_required(review_server) -> None:
    url, tokens = review_server
    with client(url) as anonymous:
        response = anonymous.get("/api/drafts")
        assert response.status_code == 401
        assert "Authorization: Bearer" in response.json()["error"]
        assert response.headers["www-authenticate"] == "Bearer"
    with client(url, "ccn_khong-phai-ma-that") as wrong:
        response = wrong.post("/api/drafts", json={"spec": example_spec()})
        assert response.status_code == 401
        assert "không hợp lệ" in response.json()["error"]
    with client(url, tokens["chuyenvien"]) as specialist:
        assert specialist.get("/api/me").json()["role"] == "specialist"


def test_review_cycle_over_http(review_server) -> None:
    url, tokens = review_server
    spec = example_spec()
    with client(url, tokens["chuyenvien"]) as sp, client(url, tokens["truongphong"]) as rv:
        created = sp.post("/api/drafts", json={"spec": spec, "note": "bản đầu"})
        assert created.status_code == 201, created.text
        draft = created.json()
        draft_id = draft["id"]
        assert (draft["state"], draft["version"], draft["actions"]) == ("draft", 1, ["edit", "submit", "resolve"])
        docx = sp.get(f"/api/drafts/{draft_id}/versions/1/docx")
        assert docx.headers["content-type"].startswith("application/vnd.openxmlformats")
        assert "DỰ THẢO" in header_and_body_text(docx.content)

        assert sp.post(f"/api/drafts/{draft_id}/submit").json()["state"] == "in_review"
        paragraphs = draft["versions"][0]["paragraphs"]
        target = next(i for i, p in enumerate(paragraphs) if p.startswith("Đề nghị rà soát quy mô"))
        returned = rv.post(f"/api/drafts/{draft_id}/return", json={
            "comments": [{"paragraph": target, "text": "Bổ sung yêu cầu về hạ tầng thoát nước."}],
            "note": "đề nghị sửa"})
        assert returned.status_code == 200, returned.text
        assert returned.json()["state"] == "returned"
        assert [(c["paragraph"], c["author"], c["version"]) for c in returned.json()["comments"]] == [
            (target, "truongphong", 1)]

        spec["points"][1]["text"] += f" Đề nghị thiết kế {PHRASE}."
        edited = sp.put(f"/api/drafts/{draft_id}", json={"spec": spec, "note": "sửa theo góp ý"})
        assert (edited.json()["state"], edited.json()["version"]) == ("draft", 2)
        assert sp.post(f"/api/drafts/{draft_id}/submit", json={"note": "trình lại"}).json()["state"] == "in_review"

        refused = sp.post(f"/api/drafts/{draft_id}/approve")
        assert refused.status_code == 403
        assert "không có quyền phê duyệt" in refused.json()["error"]
        assert sp.get(f"/api/drafts/{draft_id}").json()["state"] == "in_review"

        approved = rv.post(f"/api/drafts/{draft_id}/approve", json={"note": "đồng ý ban hành"})
        assert approved.status_code == 200, approved.text
        body = approved.json()
        assert (body["state"], body["approved_version"], body["actions"]) == ("approved", 2, [])
        (doc_key,) = body["published"]["documents"]
        final = rv.get(f"/api/drafts/{draft_id}/approved/docx").content
        assert "DỰ THẢO" not in header_and_body_text(final) and PHRASE in header_and_body_text(final)

        audit = rv.get("/api/audit", params={"draft": draft_id})
        assert audit.status_code == 200
        rows = [(e["user"], e["action"], e["version"]) for e in audit.json()]
        assert rows == [
            ("chuyenvien", "create", 1), ("chuyenvien", "submit", 1), ("truongphong", "return", 1),
            ("chuyenvien", "update", 2), ("chuyenvien", "submit", 2), ("chuyenvien", "denied", 2),
            ("truongphong", "approve", 2),
        ]
        assert all(e["at"].endswith("Z") or e["at"].endswith("+00:00") for e in audit.json())
        assert sp.get("/api/audit").status_code == 403  # the whole log: reviewers and admins
        conflict = rv.post(f"/api/drafts/{draft_id}/return", json={"comments": [{"text": "muộn"}]})
        assert conflict.status_code == 409 and "Đã phê duyệt" in conflict.json()["error"]

        found = sp.get("/api/search", params={"q": PHRASE, "k": 5}).json()["results"]
        assert found and found[0]["citation"]["doc"] == doc_key
        assert PHRASE in found[0]["text"]


def test_admin_manages_users_and_tokens(review_server) -> None:
    url, tokens = review_server
    with client(url, tokens["quantri"]) as admin, client(url, tokens["truongphong"]) as rv:
        assert rv.post("/api/users", json={"name": "x", "role": "admin"}).status_code == 403
        created = admin.post("/api/users", json={"name": "chuyenvien2", "role": "specialist",
                                                 "display_name": "Lê Thị Hoa"})
        assert created.status_code == 201, created.text
        token = created.json()["token"]
        with client(url, token) as new:
            assert new.get("/api/me").json()["display_name"] == "Lê Thị Hoa"
            token_id = created.json()["id"]
            assert admin.delete(f"/api/tokens/{token_id}").json()["revoked_at"]
            assert new.get("/api/me").status_code == 401
        bad = admin.post("/api/users", json={"name": "y", "role": "sep"})
        assert bad.status_code == 422 and bad.json()["error"].startswith("Dữ liệu gửi lên không hợp lệ")
        names = [u["name"] for u in admin.get("/api/users").json()]
        assert names == ["chuyenvien", "truongphong", "quantri", "chuyenvien2"]
        log = [(e["user"], e["action"]) for e in admin.get("/api/audit", params={"user": "quantri"}).json()]
        assert log == [("quantri", "user_add"), ("quantri", "token_issue"), ("quantri", "token_revoke")]


def test_review_page_is_served(review_server) -> None:
    url, _ = review_server
    with client(url) as anonymous:
        page = anonymous.get("/static/review.html")
        assert page.status_code == 200 and "/static/review.js" in page.text
        for asset in ("/static/review.js", "/static/review.css"):
            assert anonymous.get(asset).status_code == 200


# ----------------------------------------------------------------------------- the page in Chromium
ARTIFACTS = Path(os.environ.get("CCN_TEST_ARTIFACTS") or Path(__file__).resolve().parent / "artifacts") / "ui"


DRAFTS_LIST = re.compile(r"/api/drafts(\?.*)?$")


def open_page(browser, url: str, token: str, errors: list[str], held: list | None = None):
    """A logged-in page; with `held`, requests for the drafts list are held there unanswered."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.set_default_timeout(120_000)
    page = context.new_page()
    if held is not None:
        page.route(DRAFTS_LIST, lambda route: held.append(route))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: errors.append(f"ngoài ứng dụng: {r.url}")
            if not r.url.startswith(url) and not r.url.startswith(("data:", "blob:")) else None)
    page.goto(f"{url}/static/review.html")
    page.fill("#token", token)
    page.click("#login-button")
    page.wait_for_selector("#logout:not([hidden])")
    return page


@pytest.mark.ui
def test_a_slow_drafts_list_never_overwrites_the_draft_opened_after_it(review_server, browser) -> None:
    """The list the login shows is answered only after the draft was opened: the draft stays.

    A fresh-clone CI run once showed the list over the draft (its approve button never came)."""
    url, tokens = review_server
    with client(url, tokens["chuyenvien"]) as sp:
        draft_id = sp.post("/api/drafts", json={"spec": example_spec()}).json()["id"]
    errors: list[str] = []
    held: list = []
    page = open_page(browser, url, tokens["chuyenvien"], errors, held)
    page.goto(f"{url}/static/review.html#/drafts/{draft_id}")
    page.wait_for_selector(".doc-title")
    assert len(held) == 1  # the login's list, still unanswered
    with page.expect_request_finished(lambda r: DRAFTS_LIST.search(r.url) is not None):
        held[0].continue_()
    page.evaluate("() => fetch('/api/labels').then((r) => r.json())")  # the list's JSON was read meanwhile
    assert page.locator(".doc-title").count() == 1, page.locator("#main h1").all_inner_texts()
    assert page.locator(".doc-title").inner_text().startswith(f"Dự thảo số {draft_id}:")
    assert page.locator("#actions button[data-action]").evaluate_all("bs => bs.map(b => b.dataset.action)") \
        == ["edit", "submit"]
    assert errors == []


@pytest.mark.ui
def test_review_page_submit_then_return_with_a_paragraph_comment(review_server, browser) -> None:
    url, tokens = review_server
    errors: list[str] = []
    page = open_page(browser, url, tokens["chuyenvien"], errors)
    assert page.locator("#who").inner_text() == "chuyenvien (Chuyên viên)"
    assert page.locator(".tabs a:visible").all_inner_texts() == ["Dự thảo", "Dự thảo mới"]
    page.click(".tabs a[data-route=new]")
    page.fill("#spec", json.dumps(example_spec(), ensure_ascii=False))
    page.click("form.editor button[type=submit]")
    page.wait_for_selector(".doc-title")
    draft_id = int(page.url.rsplit("/", 1)[1])
    assert page.locator("#actions button[data-action]").evaluate_all("bs => bs.map(b => b.dataset.action)") \
        == ["edit", "submit"]
    page.click("button[data-action=submit]")
    page.click("#action-panel .confirm button:not(.secondary)")
    page.wait_for_selector(".doc-head .badge[data-state=in_review]")

    reviewer = open_page(browser, url, tokens["truongphong"], errors)
    reviewer.goto(f"{url}/static/review.html#/drafts/{draft_id}")
    reviewer.wait_for_selector(".doc-head .badge[data-state=in_review]")
    reviewer.wait_for_selector("#actions button[data-action=approve]")  # once failed on a render without them
    assert reviewer.locator("#actions button[data-action]").evaluate_all("bs => bs.map(b => b.dataset.action)") \
        == ["return", "approve"]
    paragraph = reviewer.locator("li.para", has_text="Đề nghị rà soát quy mô")
    paragraph.locator("button", has_text="Góp ý").click()
    paragraph.locator("textarea").fill("Bổ sung diện tích tối thiểu của cụm công nghiệp làng nghề.")
    paragraph.locator("button[type=submit]").click()
    assert reviewer.locator("#pending li").count() == 1
    reviewer.click("button[data-action=return]")
    reviewer.click("#action-panel .confirm button:not(.secondary)")
    reviewer.wait_for_selector(".doc-head .badge[data-state=returned]")
    paragraph = reviewer.locator("li.para", has_text="Đề nghị rà soát quy mô")
    assert "diện tích tối thiểu" in paragraph.locator(".comment").inner_text()
    assert reviewer.locator(".audit-table tr[data-action]").evaluate_all(
        "rows => rows.map(r => r.dataset.action)") == ["create", "submit", "return"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    reviewer.screenshot(path=str(ARTIFACTS / "review-returned.png"), full_page=True)

    page.reload()
    page.wait_for_selector(".doc-head .badge[data-state=returned]")
    assert "diện tích tối thiểu" in page.locator("li.para .comment").first.inner_text()
    assert page.locator("#actions button[data-action]").evaluate_all("bs => bs.map(b => b.dataset.action)") \
        == ["edit"]
    page.click("button[data-action=edit]")  # the editor opens with the current spec
    assert json.loads(page.locator("#spec").input_value())["kind"] == "gop_y"
    page.click("#action-panel form.editor button[type=submit]")
    page.wait_for_selector(".versions a:has-text('v2')")
    page.click("button[data-action=submit]")
    page.click("#action-panel .confirm button:not(.secondary)")
    page.wait_for_selector(".doc-head .badge[data-state=in_review]")

    reviewer.reload()
    reviewer.wait_for_selector(".doc-head .badge[data-state=in_review]")
    reviewer.click("button[data-action=approve]")
    reviewer.click("#action-panel .confirm button:not(.secondary)")
    reviewer.wait_for_selector(".doc-head .badge[data-state=approved]")
    assert reviewer.locator("button", has_text="Tải văn bản đã duyệt").count() == 1
    assert "file:cong-van-da-duyet" in reviewer.locator("section.published").inner_text()
    assert reviewer.locator(".audit-table tr[data-action]").evaluate_all(
        "rows => rows.map(r => r.dataset.action)")[-3:] == ["update", "submit", "approve"]
    # an audit row's details in the server's words (/api/labels audit_detail, draft_state)
    details = {row.get_attribute("data-action"): row.locator("td.detail").inner_text()
               for row in reviewer.locator(".audit-table tr[data-action]").all()}
    assert details["update"].startswith("từ trạng thái: Bị trả lại")
    assert re.search(r"(^| · )góp ý số: \d+", details["return"]), details["return"]
    assert "tệp: approved/" in details["approve"] and "văn bản trong kho: " in details["approve"]
    assert errors == []
