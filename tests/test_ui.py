"""The web UI in a real headless Chromium (Debian's /usr/bin/chromium driven through Playwright's
Python package, no downloaded browser) over the real app served by uvicorn on 127.0.0.1:
search with marked text, open a cited provision in its document, ask, upload files.

Screenshots are written to $CCN_TEST_ARTIFACTS/ui (default tests/artifacts/ui, git-ignored).
Select these tests with `pytest -m ui`.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.ui

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ui"
ARTIFACTS = Path(os.environ.get("CCN_TEST_ARTIFACTS") or ROOT / "tests" / "artifacts") / "ui"
TIMEOUT_MS = 60_000  # the first search loads the embedding model; the CI machine is shared

QUERY = "Điều kiện mở rộng cụm công nghiệp"
ND32 = "32/2024/NĐ-CP"
CLAUSE = "khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP"  # gold of D018 in eval/sets/dev.jsonl
ARTICLE_8 = "Điều 8. Điều kiện thành lập, mở rộng cụm công nghiệp"
CLAUSE_START = "2. Mở rộng cụm công nghiệp phải đáp ứng các điều kiện sau:"

LETTER = FIXTURES / "CV-245-SCT-QLCN-2026-mau-ui.txt"  # a short công văn written for these tests
BROKEN = FIXTURES / "hong.docx"  # a few bytes that are not a DOCX


# ----------------------------------------------------------------------------- fixtures
class Page:
    """A browser tab on the app: records every request and every script error."""

    def __init__(self, browser, base_url: str):
        self.base_url = base_url
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def goto(self, route: str) -> None:
        self.page.goto(f"{self.base_url}/{route}")

    def close(self, allow_errors: tuple[str, ...] = ()) -> None:
        self.context.close()
        foreign = [u for u in self.requests if not u.startswith(self.base_url) and not u.startswith("data:")]
        assert foreign == [], f"the UI fetched something outside the app: {foreign}"
        errors = [e for e in self.errors if not any(a in e for a in allow_errors)]
        assert errors == [], f"script errors in the page: {errors}"


@pytest.fixture
def ui(browser, api_server: str) -> Iterator[Page]:
    tab = Page(browser, api_server)
    yield tab
    tab.close()


def screenshot(page, name: str, full_page: bool = False) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    path.unlink(missing_ok=True)
    page.screenshot(path=str(path), full_page=full_page)
    assert path.is_file() and path.stat().st_size > 5_000, f"screenshot not written: {path}"
    return path


def in_viewport(locator) -> bool:
    """The element's top is on screen, below the sticky header."""
    return locator.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " const header = document.querySelector('header.top').getBoundingClientRect().bottom;"
        " return r.height > 0 && r.top >= header - 1 && r.top < window.innerHeight; }"
    )


def search(tab: Page, query: str) -> None:
    """Type the query the way a user does: '/' focuses the box, Enter searches."""
    page = tab.page
    tab.goto("#/search")
    page.wait_for_selector("section.intro")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type(query)
    page.keyboard.press("Enter")
    page.wait_for_selector("#results > li.result")


# ----------------------------------------------------------------------------- tests
def test_index_is_served_without_external_resources(ui: Page):
    from playwright.sync_api import expect

    ui.goto("")
    page = ui.page
    assert page.title() == "Trợ lý pháp luật cụm công nghiệp"
    assert page.evaluate("document.documentElement.lang") == "vi"
    assert page.locator(".tabs a").all_inner_texts() == ["Tra cứu", "Hỏi đáp", "Văn bản", "Nạp văn bản", "Cập nhật"]
    assert re.search(r"#/search$", page.url)
    assert {u.removeprefix(ui.base_url) for u in ui.requests} >= {"/", "/static/app.js", "/static/style.css"}
    # '?' shows the keyboard help, Esc closes it; Alt+2 goes to Hỏi đáp
    page.locator("section.intro").wait_for()
    page.keyboard.press("?")
    assert page.locator("#help").is_visible()
    assert "đưa con trỏ vào ô tìm kiếm" in page.locator("#help").inner_text()
    page.keyboard.press("Escape")
    assert not page.locator("#help").is_visible()
    page.keyboard.press("Alt+2")
    page.wait_for_url(re.compile(r"#/ask$"))
    # the hash changes before the page's hashchange handler marks the tab: wait for the mark
    expect(page.locator(".tabs a.active")).to_have_text("Hỏi đáp")


def test_search_shows_citations_validity_and_marked_text(ui: Page):
    page = ui.page
    search(ui, QUERY)
    assert f"q={quote(QUERY)}" in page.url.replace("+", "%20")

    first = page.locator("#results > li.result").first
    assert first.locator("a.cite").inner_text() == CLAUSE
    assert first.locator(".badge").inner_text() == "Còn hiệu lực"
    assert first.locator(".badge").get_attribute("data-status") == "in_force"
    assert first.locator(".result-title").inner_text().startswith("Điều kiện thành lập, mở rộng cụm công nghiệp")
    text = first.locator("p.text").inner_text()
    assert text.startswith(CLAUSE_START)
    marks = [m.lower() for m in first.locator("p.text mark").all_inner_texts()]
    assert "mở rộng" in marks and "cụm công nghiệp" in " ".join(marks), marks
    # marks are spans of the text itself, in order, nothing added or lost
    assert first.locator("p.text").evaluate("el => el.textContent") == text
    # the confidence line and no warning for a question the corpus answers
    assert re.match(r"\d+ kết quả · độ tin cậy \d+%", page.locator("p.summary").inner_text())
    assert page.locator("ul.warnings").count() == 0
    screenshot(page, "01-search.png")

    # keyboard: j / k move the selection, Enter opens the cited provision
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowDown")
    assert "selected" in first.get_attribute("class")
    page.keyboard.press("j")
    second = page.locator("#results > li.result").nth(1)
    assert "selected" in second.get_attribute("class")
    page.keyboard.press("k")
    assert "selected" in first.get_attribute("class")
    page.keyboard.press("Enter")
    page.wait_for_selector("#doc-text .prov.target")
    assert "#/doc/" in page.url

    # back to the results; "Cũng khớp" names the other matching khoản, a link to it
    page.go_back()
    also = page.locator("#results > li.result").first.locator("p.also a")
    assert also.all_inner_texts() == ["khoản 1 Điều 8"]
    also.click()
    target = page.locator("#doc-text .prov-khoan.target")
    assert target.inner_text().startswith("1. Thành lập cụm công nghiệp phải đáp ứng các điều kiện sau:")
    assert in_viewport(target)


def test_search_filter_by_document_opens_attached_regulation(ui: Page):
    page = ui.page
    search(ui, QUERY)
    page.locator("details.filters-box > summary").click()
    page.fill("#filters input[name=doc]", "16/2026/QĐ-UBND")
    page.locator("#filters button").click()
    page.wait_for_url(re.compile(r"doc=16%2F2026%2FQ%C4%90-UBND"))
    page.wait_for_selector("details.filters-box[open]")
    cites = page.locator("#results > li.result a.cite").all_inner_texts()
    assert cites[0] == "khoản 1 Điều 6 Quy chế ban hành kèm theo Quyết định số 16/2026/QĐ-UBND"
    assert all(c.endswith(" Quy chế ban hành kèm theo Quyết định số 16/2026/QĐ-UBND") for c in cites), cites
    # the Quy chế's Điều 6 is not the decision's Điều 6: the viewer opens the right one
    page.locator("#results > li.result a.cite").first.click()
    target = page.locator("#doc-text .prov.target")
    assert target.get_attribute("data-kind") == "khoan"
    assert target.locator("xpath=preceding::h2[contains(@class,'part-head')]").count() == 1
    assert page.locator("#tree a.current").inner_text().startswith("Điều 6. Thành lập, mở rộng cụm công nghiệp")
    assert in_viewport(target)


def test_open_cited_provision_in_its_document(ui: Page):
    page = ui.page
    search(ui, QUERY)
    link = page.locator("#results > li.result").first.locator("a.cite")
    pid = link.get_attribute("data-pid")
    assert pid and link.get_attribute("href") == f"#/doc/{quote(ND32, safe='')}#p-{pid}"
    link.click()

    target = page.locator(f"#p-{pid}")
    target.wait_for()
    page.wait_for_selector(f"#p-{pid}.target")
    assert target.get_attribute("data-kind") == "khoan"
    assert target.inner_text().startswith(CLAUSE_START)
    # its points have their own anchors, in the text
    points = target.locator(":scope > .prov-diem")
    assert points.count() == 4
    assert [p.inner_text()[:2] for p in points.all()] == ["a)", "b)", "c)", "d)"]
    assert in_viewport(target), "the cited provision is not scrolled into view"
    assert page.evaluate("document.activeElement.id") == f"p-{pid}"
    # enclosing article, its heading, and the article tree with the article marked
    article = target.locator("xpath=ancestor::section[contains(@class,'prov-dieu')][1]")
    assert article.locator("h3.prov-head").first.inner_text() == ARTICLE_8
    # the article's text is the stored text, whole: heading + body, nothing lost or repeated
    stored = page.evaluate(
        "async id => (await (await fetch('/api/provisions/' + id)).json()).original_text",
        article.get_attribute("id").removeprefix("p-"))
    shown = article.locator(".unit-body > .prov-body").evaluate("el => el.textContent")
    assert re.sub(r"\s+", "", ARTICLE_8 + shown) == re.sub(r"\s+", "", stored)
    current = page.locator("#tree a.current")
    assert current.inner_text() == ARTICLE_8
    assert page.locator("#tree details > summary").first.inner_text().startswith("Chương I")
    assert page.locator("#tree a").count() > 40
    # the document: metadata, validity and relations
    assert page.locator(".doc-head h1").inner_text() == "Nghị định 32/2024/NĐ-CP"
    assert page.locator(".doc-head .badge").first.inner_text() == "Còn hiệu lực"
    replaces = page.locator(".rel-replaces dd")
    assert "68/2017/NĐ-CP" in replaces.inner_text() and "66/2020/NĐ-CP" in replaces.inner_text()
    screenshot(page, "02-document-provision.png")

    # every provision of the document gets its text (loaded in the background)
    page.wait_for_selector("#doc-text[data-loaded='true']")
    assert page.locator("#doc-text .unit-body:not(.loaded)").count() == 0
    assert page.locator("#doc-text .prov-dieu").count() == 38

    # the tree jumps to an article
    page.locator("#tree a", has_text="Điều 11. ").first.click()
    article_11 = page.locator("#doc-text .prov-dieu.target")
    assert article_11.locator("h3").first.inner_text().startswith("Điều 11. ")
    assert in_viewport(article_11)

    # the replaced decree: its validity and "được thay thế bởi" the decree that replaced it
    replaces.locator("a", has_text="68/2017/NĐ-CP").click()
    page.wait_for_selector(".doc-head .rel-replaced-by")
    assert page.locator(".doc-head .badge").first.inner_text() == "Hết hiệu lực"
    assert "32/2024/NĐ-CP" in page.locator(".rel-replaced-by dd").inner_text()
    screenshot(page, "03-document-replaced.png")


def test_ask_shows_answer_with_cited_quotes(ui: Page):
    page = ui.page
    ui.goto("#/ask")
    page.wait_for_selector("section.intro")
    page.keyboard.press("/")
    page.keyboard.type("Mở rộng cụm công nghiệp phải đáp ứng các điều kiện gì?")
    page.keyboard.press("Enter")
    page.wait_for_selector("section.ask")
    assert page.locator(".tabs a.active").inner_text() == "Hỏi đáp"
    assert page.locator(".answer").inner_text().strip()
    cites = page.locator("#results a.cite").all_inner_texts()
    assert CLAUSE in cites, cites
    quote_block = page.locator("#results > li.result", has=page.locator("a.cite", has_text=CLAUSE)).first
    assert quote_block.locator("blockquote").inner_text().startswith(CLAUSE_START)
    screenshot(page, "04-ask.png")
    quote_block.locator("a.cite").click()
    page.wait_for_selector("#doc-text .prov-khoan.target")



def test_ask_page_shows_the_lead_and_three_quotes_above_the_fold(ui: Page):
    """On a 1366×768 screen the answer's lead line (it names the body that decides, with its
    citation) and its quotes, at most 3, are all on screen without scrolling; changes,
    references, other provisions and prior letters are collapsed; no evidence key is shown."""
    page = ui.page
    page.set_viewport_size({"width": 1366, "height": 768})
    ui.goto(f"#/ask?q={quote('ai quyết định thành lập cụm công nghiệp')}")
    page.wait_for_selector("section.ask .answer.lead")
    lead = page.locator(".answer.lead")
    assert "Ủy ban nhân dân cấp tỉnh xem xét, quyết định việc thành lập" in lead.locator("mark").inner_text()
    assert lead.locator("a.cite").inner_text() == "khoản 4 Điều 10 Nghị định số 32/2024/NĐ-CP"
    quotes = page.locator("#results > li.result")
    assert 1 <= quotes.count() <= 3
    assert quotes.first.locator("a.cite").inner_text() == "khoản 4 Điều 10 Nghị định số 32/2024/NĐ-CP"
    screenshot(page, "05-ask-lead-1366x768.png")  # the viewport: what is above the fold
    for box in [lead.bounding_box()] + [quotes.nth(i).bounding_box() for i in range(quotes.count())]:
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 768, box
    assert page.locator("section.ask details").count() >= 1  # related provisions, prior letters …
    assert page.locator("section.ask details[open]").count() == 0
    assert "[ev-" not in page.locator("body").inner_text()
    assert "ev-" not in page.content()


# ----------------------------------------------------------------------------- upload
@pytest.fixture(scope="module")
def upload_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over a fresh, empty home: uploads here never touch the shared corpus store."""
    from conftest import serve_app

    from api.app import create_app
    from drafting.review import ReviewSettings, ReviewStore
    from kb.store import Store

    home = tmp_path_factory.mktemp("ui-upload-home")
    store = Store.at_home(home)
    review = ReviewStore(store, ReviewSettings.for_home(home))
    review.add_user("quan.ly", "curator")  # uploads need a curator's token
    UPLOAD_TOKEN.append(review.issue_token("quan.ly").token)
    with serve_app(create_app(home, store=store)) as url:
        yield url


UPLOAD_TOKEN: list[str] = []


@pytest.fixture
def upload_ui(browser, upload_server: str) -> Iterator[Page]:
    tab = Page(browser, upload_server)
    yield tab
    tab.close(allow_errors=("Failed to load resource",))  # the 4xx answers to refused uploads


def upload(page, *files: Path) -> None:
    page.set_input_files("#files", [str(f) for f in files])
    page.fill("#upload-token", UPLOAD_TOKEN[-1])
    page.locator("#upload-submit").click()
    page.wait_for_selector("#upload-results table, #upload-results .error")


def rows(page) -> list[tuple[str, str, str]]:
    out = []
    for row in page.locator("#upload-results tbody tr").all():
        cells = row.locator("td").all_inner_texts()
        out.append((cells[0], cells[1], cells[2]))
    return out


def test_upload_shows_a_result_per_file(upload_ui: Page, tmp_path: Path):
    assert LETTER.is_file() and BROKEN.is_file()
    tab = upload_ui
    page = tab.page
    tab.goto("#/upload")
    page.wait_for_selector("#upload-form")
    assert page.locator("#files").get_attribute("multiple") is not None

    # a bad file alone: nothing stored, the error names the file and the problem
    upload(page, BROKEN)
    assert page.locator("#upload-results .error").inner_text() == (
        "Không nạp được tệp nào: hong.docx: tệp DOCX bị hỏng hoặc không đầy đủ")
    assert rows(page) == [("hong.docx", "Lỗi", "tệp DOCX bị hỏng hoặc không đầy đủ")]
    screenshot(page, "05-upload-error.png")

    # the công văn: stored, with the document it provides
    upload(page, LETTER)
    assert rows(page) == [(LETTER.name, "Đã nạp", "245/SCT-QLCN")]
    assert page.locator("#upload-results tbody .badge").get_attribute("class") == "badge upload-ingested"
    assert page.locator("#upload-results .summary").inner_text() == "1 tệp: đã nạp 1, không đổi 0, lỗi 0"

    # both again: the same content is not stored twice, the bad file fails on its own
    upload(page, LETTER, BROKEN)
    assert rows(page) == [
        (LETTER.name, "Không đổi", "245/SCT-QLCN"),
        ("hong.docx", "Lỗi", "tệp DOCX bị hỏng hoặc không đầy đủ"),
    ]
    screenshot(page, "06-upload-results.png")

    # the uploaded letter opens in the viewer: not normative, its numbered points anchored
    page.locator("#upload-results a", has_text="245/SCT-QLCN").click()
    page.wait_for_selector("#doc-text[data-loaded='true']")
    assert page.locator(".doc-head h1").inner_text() == "Công văn 245/SCT-QLCN"
    assert page.locator(".doc-head .badge").first.inner_text() == "Văn bản hành chính (không xét hiệu lực)"
    text = page.locator("#doc-text").inner_text()
    assert "3. Văn bản báo cáo gửi về Sở Công Thương trước ngày 25/3/2026" in text
    screenshot(page, "07-uploaded-letter.png")

    # the documents' list says where each is known from, in the server's words (/api/labels source)
    tab.goto("#/docs")
    page.wait_for_selector("section.docs tbody tr")
    letter = page.locator("section.docs tbody tr", has_text="245/SCT-QLCN").first
    assert letter.locator("td.source").inner_text().split("\n")[0] == "toàn văn"
    sources = {cell.split("\n")[0] for cell in page.locator("section.docs td.source").all_inner_texts()}
    assert sources <= {"toàn văn", "danh mục dẫn chiếu"}

    # names are shown as text, never as markup
    tab.goto("#/upload")
    page.wait_for_selector("#upload-form")
    hostile = tmp_path / "<img src=x onerror=window.pwned=1>.docx"
    shutil.copy(BROKEN, hostile)
    upload(page, hostile)
    assert rows(page) == [(hostile.name, "Lỗi", "tệp DOCX bị hỏng hoặc không đầy đủ")]
    assert page.locator("#upload-results img").count() == 0
    assert page.evaluate("window.pwned") is None

    # a type the app does not take is refused before anything is read
    odd = tmp_path / "bang-tinh.xlsx"
    shutil.copy(BROKEN, odd)
    tab.goto("#/upload")
    page.wait_for_selector("#upload-form")
    upload(page, odd)
    assert page.locator("#upload-results .error").inner_text().startswith(
        "bang-tinh.xlsx: định dạng tệp không được hỗ trợ")
