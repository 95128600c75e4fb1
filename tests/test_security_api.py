"""Attacks on the HTTP API (issue 11, part 1), each a regression test against the real app
served by uvicorn on loopback: template and profile paths, template injection, CSRF, reads with
a token, security headers, review rules, audit flooding, error responses, server paths.

The server runs over a fresh data folder holding Nghị định 32/2024 and 139/2025 of the ccn
corpus (so that drafts cite real provisions), with users of every role made through the review
workflow (drafting.review), as `ccn user add` would.
"""

from __future__ import annotations

import io
import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml
from conftest import CCN, ROOT, loopback_only, serve_app
from docx import Document

from api.security import UVICORN_OPTIONS
from drafting.review import ReviewSettings, ReviewStore
from kb.store import Store

EXAMPLES = ROOT / "drafting" / "examples"
TEMPLATES = ROOT / "drafting" / "templates"
USERS = (("chuyenvien", "specialist"), ("chuyenvien2", "specialist"), ("truongphong", "reviewer"),
         ("thuthu", "curator"), ("quantri", "admin"))
PATH_MESSAGE = ("chỉ được nêu tên {what} (ví dụ «{example}»), không được nêu đường dẫn tệp; {what} "
                "riêng do quản trị đặt vào thư mục {folder}/ của thư mục dữ liệu")
PROFILE_PATH = PATH_MESSAGE.format(what="hồ sơ cơ quan", example="cuc-dck", folder="profiles")
TEMPLATE_PATH = PATH_MESSAGE.format(what="mẫu văn bản", example="tra_loi", folder="templates")
SECURITY_HEADERS = {"x-frame-options": "DENY", "x-content-type-options": "nosniff",
                    "referrer-policy": "no-referrer"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    """(base URL, tokens by user name, home) of the app over a fresh home with NĐ 32 and NĐ 139."""
    from api.app import create_app
    from ingest.runner import ingest_paths

    home = tmp_path_factory.mktemp("security-home")
    store = Store.at_home(home)
    assert ingest_paths(store, [CCN / "ND-32-2024-ND-CP.docx", CCN / "ND-139-2025-ND-CP.docx"]).failed == []
    review = ReviewStore(store, ReviewSettings.for_home(home))
    tokens = {}
    for name, role in USERS:
        review.add_user(name, role)
        tokens[name] = review.issue_token(name).token
    with loopback_only(), serve_app(create_app(home, store=store, require_token_for_reads=False),
                                           **UVICORN_OPTIONS) as url:
        yield url, tokens, home


def client(url: str, token: str | None = None, **headers: str) -> httpx.Client:
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.Client(base_url=url, headers=headers, timeout=300)


def spec(**changes) -> dict:
    """drafting/examples/tra_loi.yaml as JSON, with changes."""
    data = yaml.safe_load((EXAMPLES / "tra_loi.yaml").read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, ensure_ascii=False, default=str)) | changes


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def install_template(home: Path, name: str, line: str) -> Path:
    """What an admin does: a copy of the shipped tra_loi template with one more paragraph,
    put into $CCN_HOME/templates/<name>.docx."""
    doc = Document(str(TEMPLATES / "tra_loi.docx"))
    doc.add_paragraph(line)
    folder = home / "templates"
    folder.mkdir(exist_ok=True)
    doc.save(folder / f"{name}.docx")
    return folder / f"{name}.docx"


def assert_vietnamese_json(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    message = response.json()["error"]
    assert any(ord(ch) > 127 for ch in message), message
    return message


# ----------------------------------------------------------------------------- 1. names only
@pytest.mark.parametrize("field", ["profile", "template"])
def test_template_and_profile_paths_are_refused_on_every_path(site, field: str, tmp_path: Path) -> None:
    """An absolute, relative, ../ or Windows path is refused before the file system is read:
    the message is the same for /etc/passwd (exists) and /etc/khong-co (does not)."""
    url, tokens, home = site
    expected = PROFILE_PATH if field == "profile" else TEMPLATE_PATH
    values = ["/etc/passwd", "/etc/khong-co", "../../etc/passwd", "..\\..\\win.ini", "uploads/x.docx",
              str(home / "uploads" / "x.docx"), ".."]
    with client(url, tokens["chuyenvien"]) as http:
        for value in values:
            for path in ("/api/draft", "/api/draft/docx"):
                message = assert_vietnamese_json(http.post(path, json=spec(**{field: value})), 422)
                assert message == f"Dữ liệu gửi lên không hợp lệ: nội dung «{field}»: {expected}"
            response = http.post("/api/drafts", json={"spec": spec(**{field: value})})
            message = assert_vietnamese_json(response, 422)
            assert message == f"Nội dung dự thảo không hợp lệ: dự thảo, trường «{field}»: {expected}"
            assert "passwd" not in response.text and str(home) not in response.text
    # the command line goes through the same check
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec(**{field: "/etc/passwd"}), allow_unicode=True),
                                        encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "api.cli", "--home", str(home), "draft", str(tmp_path / "spec.yaml"),
                          "-o", str(tmp_path / "out.docx")], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2 and expected in run.stderr, run.stderr
    assert not (tmp_path / "out.docx").exists()


def test_unknown_names_do_not_reveal_server_files(site) -> None:
    url, tokens, _ = site
    with client(url, tokens["chuyenvien"]) as http:
        message = assert_vietnamese_json(http.post("/api/draft", json=spec(profile="passwd")), 422)
        assert message == ("Nội dung dự thảo không hợp lệ: trường «profile»: không có hồ sơ cơ quan «passwd» "
                           "(có sẵn: cdt-vi-du, chinh-phu, cuc-dck, hd-lcdt-lao-cai, sct-lao-cai, ubnd-lao-cai)")
        message = assert_vietnamese_json(http.post("/api/draft/docx", json=spec(template="passwd")), 422)
        assert message.startswith("Nội dung dự thảo không hợp lệ: trường «template»: không có mẫu văn bản "
                                  "«passwd» (có sẵn: bang_so_sanh, bao_cao_ra_soat, bien_ban_hoi_dong, ")


def test_admin_profile_and_template_are_used_by_name(site) -> None:
    """$CCN_HOME/profiles and $CCN_HOME/templates: what an admin installs is drafted with by name."""
    url, tokens, home = site
    install_template(home, "mau-quan-tri", "Mẫu do quản trị cài đặt")
    profile = yaml.safe_load((ROOT / "drafting/profiles/cuc-dck.yaml").read_text(encoding="utf-8"))
    (home / "profiles").mkdir(exist_ok=True)
    profile |= {"id": "cuc-thu-nghiem", "place": "Hải Phòng"}
    (home / "profiles" / "cuc-thu-nghiem.yaml").write_text(yaml.safe_dump(profile, allow_unicode=True),
                                                          encoding="utf-8")
    with client(url, tokens["chuyenvien"]) as http:
        response = http.post("/api/draft/docx", json=spec(template="mau-quan-tri", profile="cuc-thu-nghiem"))
        assert response.status_code == 200, response.text
        text = docx_text(response.content)
        assert "Mẫu do quản trị cài đặt" in text and "Hải Phòng, ngày" in text


# ----------------------------------------------------------------------------- 2. sandbox
@pytest.mark.parametrize("payload", [
    "{{ cycler.__init__.__globals__.os.popen('id > MARKER').read() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ cycler.__init__ }}{{ joiner.__class__.__mro__ }}{{ ''.__class__.__subclasses__() }}",
])
def test_template_injection_renders_no_python_internals(site, payload: str, tmp_path: Path) -> None:
    """The remote code execution of issue 11, with the template installed by an admin: the
    sandboxed Jinja environment reaches no Python internals, runs nothing, writes nothing."""
    url, tokens, home = site
    marker = tmp_path / "pwned"
    install_template(home, "mau-doc", payload.replace("MARKER", str(marker)))
    with client(url, tokens["chuyenvien"]) as http:
        responses = [http.post("/api/drafts", json={"spec": spec(template="mau-doc")}),
                     http.post("/api/draft/docx", json=spec(template="mau-doc")),
                     http.post("/api/draft", json=spec(template="mau-doc"))]
    for response in responses:
        body = response.content if response.status_code != 201 else b""
        if response.status_code == 200 and response.headers["content-type"].startswith("application/vnd"):
            body = docx_text(response.content).encode()
        elif response.status_code == 201:
            with client(url, tokens["chuyenvien"]) as http:
                draft_id = response.json()["id"]
                body = docx_text(http.get(f"/api/drafts/{draft_id}/versions/1/docx").content).encode()
        else:
            message = assert_vietnamese_json(response, 422)
            assert "mẫu văn bản «mau-doc» dùng thuộc tính bị cấm trong mẫu" in message, message
        for secret in (b"uid=", b"__builtins__", b"<module", b"function", b"popen", b"os.py"):
            assert secret not in body, (secret, body[:500])
    assert not marker.exists()


# ----------------------------------------------------------------------------- 3. CSRF
def test_state_changes_from_a_foreign_origin_are_refused(site) -> None:
    url, tokens, _ = site
    port = url.rsplit(":", 1)[1]
    foreign = {"Origin": "http://127.0.0.1:8999"}
    with client(url, tokens["chuyenvien"]) as http:
        before = len(http.get("/api/drafts").json())
        for headers in (foreign, {"Origin": "null"}, {"Referer": "http://evil.example/page"},
                        {"Origin": f"https://127.0.0.1:{port}"}):
            message = assert_vietnamese_json(http.post("/api/drafts", json={"spec": spec()}, headers=headers), 403)
            assert "chống CSRF" in message
        response = http.post("/api/check", files={"file": ("a.txt", "Điều 8 Nghị định 32/2024/NĐ-CP".encode())},
                             headers=foreign)
        assert_vietnamese_json(response, 403)
        assert len(http.get("/api/drafts", headers=foreign).json()) == before  # reads are not refused
        # the page's own origin, its Referer, and no Origin at all (CLI, curl) pass
        assert http.post("/api/drafts", json={"spec": spec()}, headers={"Origin": url}).status_code == 201
        assert http.post("/api/drafts", json={"spec": spec()},
                         headers={"Referer": f"{url}/static/review.html"}).status_code == 201
        assert http.post("/api/drafts", json={"spec": spec()}).status_code == 201
    with client(url, Cookie=f"token={tokens['quantri']}") as anonymous:  # a cookie is no token
        response = anonymous.post("/api/drafts", json={"spec": spec()})
        assert_vietnamese_json(response, 401)


# ----------------------------------------------------------------------------- 4. reads
def test_reads_open_on_loopback_by_default(site) -> None:
    url, _, _ = site
    with client(url) as http:
        assert http.get("/health").status_code == 200
        assert {r["key"] for r in http.get("/api/documents").json()} >= {"32/2024/NĐ-CP", "139/2025/NĐ-CP"}
        assert_vietnamese_json(http.get("/api/drafts"), 401)  # drafts were never open


def test_setting_requires_a_token_for_every_read(site, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.app import create_app

    _, tokens, home = site
    monkeypatch.setenv("CCN_REQUIRE_TOKEN_FOR_READS", "1")
    with loopback_only(), serve_app(create_app(home, store=Store.at_home(home))) as url:
        with client(url) as http:
            for path in ("/health", "/api/documents", "/api/documents/32/2024/NĐ-CP", "/api/draft/examples"):
                message = assert_vietnamese_json(http.get(path), 401)
                assert message.startswith("Máy chủ này yêu cầu mã truy cập cho mọi yêu cầu")
            assert_vietnamese_json(http.get("/api/documents", headers={"Authorization": "Bearer ccn_sai"}), 401)
            assert_vietnamese_json(http.post("/api/draft", json=spec()), 401)
            assert http.get("/").status_code == 200  # the page itself, to enter a token
        with client(url, tokens["thuthu"]) as http:
            assert http.get("/health").json()["documents"] >= 2
            assert http.get("/api/documents/32/2024/NĐ-CP").status_code == 200


# ----------------------------------------------------------------------------- 5. headers
def test_security_headers_on_every_response(site) -> None:
    url, _, _ = site
    with client(url) as http:
        for path in ("/", "/static/review.html", "/static/review.js", "/static/style.css", "/health",
                     "/api/documents", "/api/khong-co", "/openapi.json", "/docs", "/redoc"):
            response = http.get(path)
            for name, value in SECURITY_HEADERS.items():
                assert response.headers.get(name) == value, (path, name)
            policy = response.headers["content-security-policy"]
            assert "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in policy, path
        assert http.get("/").headers["content-security-policy"].startswith("default-src 'self'; script-src 'self';")
        docs = http.get("/docs")  # Swagger UI from the installed package (api/docs.py): no inline script
        assert docs.status_code == 200 and not re.search(r"<script>|\son\w+=", docs.text)
        assert docs.headers["content-security-policy"] == http.get("/").headers["content-security-policy"]
    for page in ROOT.glob("api/static/*.html"):  # the pages need no inline script or style
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"<script>|<style|style=|\son\w+=", html), page.name
    scripts = "".join(p.read_text(encoding="utf-8") for p in ROOT.glob("api/static/*.js"))
    assert "localStorage." not in scripts and 'sessionStorage.getItem("ccn.review.token")' in scripts


# ----------------------------------------------------------------------------- 6. review rules
def test_nobody_approves_their_own_draft(site) -> None:
    url, tokens, _ = site
    with client(url, tokens["quantri"]) as admin:
        draft = admin.post("/api/drafts", json={"spec": spec()}).json()
        assert admin.post(f"/api/drafts/{draft['id']}/submit").json()["actions"] == ["comment", "resolve", "return"]
        message = assert_vietnamese_json(admin.post(f"/api/drafts/{draft['id']}/approve"), 403)
        assert message == (f"Không ai được phê duyệt dự thảo do chính mình soạn (số {draft['id']}): "
                           "cần một người duyệt khác")
        assert admin.get(f"/api/drafts/{draft['id']}").json()["state"] == "in_review"
    with client(url, tokens["truongphong"]) as reviewer:
        assert "approve" in reviewer.get(f"/api/drafts/{draft['id']}").json()["actions"]


def test_the_last_active_admin_stays(site) -> None:
    url, tokens, _ = site
    last = ("«quantri» là quản trị cuối cùng đang hoạt động: không thể khoá hay đổi vai trò; "
            "hãy cấp quyền quản trị cho người khác trước")
    with client(url, tokens["quantri"]) as admin:
        for change in ({"active": False}, {"role": "reviewer"}, {"role": "curator", "active": True}):
            assert assert_vietnamese_json(admin.patch("/api/users/quantri", json=change), 409) == last[:1].upper() + last[1:]
        assert admin.get("/api/me").json()["role"] == "admin"
        second = admin.post("/api/users", json={"name": "quantri2", "role": "admin"}).json()["token"]
        assert admin.patch("/api/users/quantri2", json={"active": False}).json()["active"] is False
        assert admin.patch("/api/users/quantri2", json={"active": True}).json()["active"] is True
    with client(url, second) as admin2:  # with a second admin, one may step down; then not the other
        assert admin2.patch("/api/users/quantri2", json={"role": "reviewer"}).json()["role"] == "reviewer"
    with client(url, tokens["quantri"]) as admin:
        assert_vietnamese_json(admin.patch("/api/users/quantri", json={"active": False}), 409)


def test_drafts_are_read_by_their_author_reviewers_and_admins(site) -> None:
    url, tokens, _ = site
    with client(url, tokens["chuyenvien"]) as author:
        draft_id = author.post("/api/drafts", json={"spec": spec()}).json()["id"]
        assert draft_id in {d["id"] for d in author.get("/api/drafts").json()}
    for name in ("chuyenvien2", "thuthu"):
        with client(url, tokens[name]) as other:
            listed = other.get("/api/drafts").json()
            assert draft_id not in {d["id"] for d in listed}
            assert all(d["author"] == name for d in listed)
            for path in (f"/api/drafts/{draft_id}", f"/api/drafts/{draft_id}/versions/1/docx"):
                message = assert_vietnamese_json(other.get(path), 403)
                assert f"chỉ được xem dự thảo do mình soạn; dự thảo số {draft_id} là của người khác" in message
            assert_vietnamese_json(other.get("/api/drafts/99999"), 404)
    for name in ("chuyenvien", "truongphong", "quantri"):
        with client(url, tokens[name]) as reader:
            assert reader.get(f"/api/drafts/{draft_id}").json()["id"] == draft_id
            assert reader.get(f"/api/drafts/{draft_id}/versions/1/docx").status_code == 200


# ----------------------------------------------------------------------------- 7. audit flooding
def test_refusals_are_one_audit_row_per_user_action_and_minute(site) -> None:
    url, tokens, _ = site
    with client(url, tokens["chuyenvien2"]) as intruder:
        for _ in range(25):
            assert intruder.get("/api/users").status_code == 403
        assert intruder.get("/api/audit").status_code == 403
    with client(url, tokens["quantri"]) as admin:
        rows = admin.get("/api/audit", params={"user": "chuyenvien2", "action": "denied"}).json()
    attempted = [r["detail"]["attempted"] for r in rows]
    assert attempted.count("manage_users") == 1 and attempted.count("audit") == 1  # one row each
    by_action = {r["detail"]["attempted"]: r["detail"]["count"] for r in rows}
    assert (by_action["manage_users"], by_action["audit"]) == (25, 1)


# ----------------------------------------------------------------------------- 8. errors
def test_every_refused_request_is_vietnamese_json(site) -> None:
    url, tokens, _ = site
    with client(url, tokens["quantri"]) as http:
        assert_vietnamese_json(http.get("/api/khong-co"), 404)
        assert_vietnamese_json(http.get("/static/khong-co.js"), 404)
        assert_vietnamese_json(http.delete("/health"), 405)
        assert_vietnamese_json(http.post("/api/drafts", content=b"{khong phai json",
                                         headers={"Content-Type": "application/json"}), 422)
        for path in ("/api/drafts/99999999999999999999999", "/api/drafts/0",
                     "/api/drafts/1/versions/99999999999999999999999/docx"):
            message = assert_vietnamese_json(http.get(path), 422)
            assert message.startswith("Dữ liệu gửi lên không hợp lệ: đường dẫn «"), message
        assert_vietnamese_json(http.delete("/api/tokens/99999999999999999999999"), 422)
        assert_vietnamese_json(http.get("/api/audit", params={"draft": "99999999999999999999999"}), 422)
        message = assert_vietnamese_json(http.get("/api/search", params={"q": "cụm " * 5000}), 414)
        assert message.startswith("Địa chỉ yêu cầu quá dài")
    # 100 KB of query string (more than httpx sends), written on the socket as a browser would
    status, headers, body = raw_get(url, "/api/search?q=" + "a" * 100_000)
    assert (status, headers.get("content-type")) == (414, "application/json")
    assert json.loads(body)["error"].startswith("Địa chỉ yêu cầu quá dài (100.014 byte; giới hạn 8 KB")


def raw_get(url: str, target: str) -> tuple[int, dict[str, str], bytes]:
    """A GET written on a socket: (status, headers, body)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), headers, body


def test_an_over_size_body_gets_its_answer(site) -> None:
    """A JSON body over the 1 MB limit, declared (3 and 30 MB) or streamed without a length:
    httpx receives the Vietnamese 413, not a connection cut while it sends."""
    url, tokens, _ = site

    def streamed():
        for _ in range(30):
            yield b"x" * (1024 * 1024)

    with client(url, tokens["quantri"]) as http:
        for size in (3, 30):
            big = {"spec": spec(opening="x" * (size * 1024 * 1024))}
            message = assert_vietnamese_json(http.post("/api/drafts", json=big), 413)
            assert message == "Dữ liệu gửi lên quá lớn (giới hạn 1 MB)"
        response = http.post("/api/drafts", content=streamed(), headers={"Content-Type": "application/json"})
        assert assert_vietnamese_json(response, 413) == "Dữ liệu gửi lên quá lớn (giới hạn 1 MB)"
        assert http.get("/api/me").status_code == 200  # the next request works


def test_no_server_path_in_responses(site) -> None:
    url, tokens, home = site
    root = str(home.resolve())
    with client(url, tokens["quantri"]) as http:
        letter = (CCN / "CV-1178-DCK-CTT-2025.txt").read_bytes()
        texts = [http.get("/api/documents").text,
                 http.get("/api/documents/32/2024/NĐ-CP").text,
                 http.post("/api/check", files={"file": ("cv-1178.txt", letter)}).text,
                 http.post("/api/draft", json=spec()).text,
                 http.post("/api/draft", json=spec(profile="/etc/passwd")).text,
                 http.get("/api/audit").text]
        draft = http.post("/api/drafts", json={"spec": spec()}).json()
        texts.append(json.dumps(draft, ensure_ascii=False))
    for text in texts:
        assert root not in text and "/tmp/" not in text, text[:300]


# ----------------------------------------------------------------------------- in the browser
@pytest.mark.ui
def test_pages_run_under_the_policy_and_keep_the_token_per_tab(site, browser) -> None:
    """In Chromium: the three pages load with no Content-Security-Policy violation and no script
    error; the review page's login keeps the token in sessionStorage (a new tab has none); a page
    of another origin that posts to the API through the browser is refused (CSRF)."""
    url, tokens, _ = site
    context = browser.new_context(locale="vi-VN")
    context.set_default_timeout(60_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    for path in ("/", "/static/check.html", "/static/review.html"):
        page.goto(url + path)
        page.wait_for_load_state("networkidle")
    page.fill("#token", tokens["chuyenvien"])
    page.click("#login-button")
    page.wait_for_selector("#logout:not([hidden])")
    assert page.evaluate("sessionStorage.getItem('ccn.review.token')") == tokens["chuyenvien"]
    assert page.evaluate("localStorage.length") == 0
    other = context.new_page()
    other.goto(url + "/static/review.html")
    assert other.evaluate("sessionStorage.getItem('ccn.review.token')") is None
    assert problems == []
    # a page of another origin (another local port) posts to the API through the user's browser,
    # as a form would (no-cors: the page cannot read the answer, the server still acts on it)
    post = """target => {
        const form = new FormData();
        form.append("file", new Blob(["Điều 8 Nghị định 32/2024/NĐ-CP"]), "thu.txt");
        fetch(target + "/api/check", {method: "POST", mode: "no-cors", body: form}); }"""
    with serve_app(_evil_app()) as evil:
        other.goto(evil + "/")
        with other.expect_response(lambda r: r.url.endswith("/api/check")) as answer:
            other.evaluate(post, url)
        assert answer.value.status == 403
    with page.expect_response(lambda r: r.url.endswith("/api/check")) as answer:  # the same, from its own page
        page.evaluate(post, url)
    assert answer.value.status == 200
    context.close()


def _evil_app():
    """A page on another local port (what a malicious local service or a site would be)."""
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    return Starlette(routes=[Route("/", lambda _r: HTMLResponse("<html><body>trang khác</body></html>"))])
