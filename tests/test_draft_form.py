"""The drafting form (check.html#/draft, api/static/draftform.js) and its server side
(api/routes_draft_form.py): the spec's schema per kind and the page-image preview.

HTTP: a server over a fresh home with NĐ 32/2024 and NĐ 139/2025 that requires a token for
every request, as a server exposed on a network does (CCN_REQUIRE_TOKEN_FOR_READS): the preview
is refused without a valid token and is a real PNG with one. The page: a góp ý letter filled in
headless Chromium without touching the JSON, a provision picked through the picker's search, the
preview image shown, the DOCX downloaded and read with python-docx. LibreOffice runs twice in
this file (one preview each); the same spec again is served from the cache.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import CCN, loopback_only, serve_app
from PIL import Image
from playwright.sync_api import expect
from test_check_http import EXAMPLES, TIMEOUT_MS, Tab, docx_text, screenshot, tab  # noqa: F401

from drafting.review import ReviewSettings, ReviewStore
from kb.store import Store

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PREVIEW_TIMEOUT_MS = 180_000  # LibreOffice on a busy two-core machine
GOP_Y_FIELDS = ["kind", "profile", "signer", "date", "subject", "recipients", "addressee", "incoming",
                "points", "drafter"]
SUBJECT = "góp ý về điều kiện thành lập cụm công nghiệp trên địa bàn tỉnh Lào Cai"
QUERY = "điều kiện thành lập cụm công nghiệp tỷ lệ lấp đầy"
PICKED = "khoản 1 Điều 8 Nghị định số 32/2024/NĐ-CP"  # NĐ 32/2024 Điều 8 khoản 1: the conditions for establishing a cluster
POINT_TEXT = ("Đề nghị Sở Công Thương làm rõ tỷ lệ lấp đầy trung bình của các cụm công nghiệp trên "
              "địa bàn khi đề xuất thành lập mới cụm công nghiệp.")


def example(kind: str) -> dict:
    import yaml

    data = yaml.safe_load((EXAMPLES / f"{kind}.yaml").read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, ensure_ascii=False, default=lambda d: d.isoformat()))


@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, a specialist's token) of an app that needs a token for every request."""
    from api.app import create_app
    from ingest.runner import ingest_paths

    home = tmp_path_factory.mktemp("draft-form-home")
    store = Store.at_home(home)
    assert ingest_paths(store, [CCN / "ND-32-2024-ND-CP.docx", CCN / "ND-139-2025-ND-CP.docx"]).failed == []
    review = ReviewStore(store, ReviewSettings.for_home(home))
    review.add_user("chuyenvien", "specialist")
    token = review.issue_token("chuyenvien").token
    with loopback_only(), serve_app(create_app(home, store=store, require_token_for_reads=True)) as url:
        yield url, token


# ----------------------------------------------------------------------------- HTTP
def test_preview_is_refused_without_a_valid_token(locked) -> None:
    url, _ = locked
    with httpx.Client(base_url=url, timeout=60) as http:
        for headers in ({}, {"Authorization": "Bearer ccn_sai"}, {"Authorization": "ccn_sai"}):
            for response in (http.post("/api/draft/preview", json=example("gop_y"), headers=headers),
                             http.get("/api/draft/schema", headers=headers)):
                assert response.status_code == 401
                assert response.json()["error"].startswith("Máy chủ này yêu cầu mã truy cập cho mọi yêu cầu")


def test_preview_is_page_one_as_png(locked) -> None:
    url, token = locked
    with httpx.Client(base_url=url, timeout=300, headers={"Authorization": f"Bearer {token}"}) as http:
        response = http.post("/api/draft/preview", json=example("gop_y"))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "image/png"
        assert response.content.startswith(PNG_SIGNATURE)
        assert (response.headers["x-draft-errors"], response.headers["x-cache"]) == ("0", "miss")
        assert int(response.headers["x-preview-pages"]) >= 2  # the letter, then the reviewer's appendix
        image = Image.open(io.BytesIO(response.content))
        assert image.size == (794, 1123)  # A4 at 96 dpi
        again = http.post("/api/draft/preview", json=example("gop_y"))  # no second LibreOffice run
        assert (again.headers["x-cache"], again.content) == ("hit", response.content)
        # an invalid spec is refused before LibreOffice, in Vietnamese
        incomplete = http.post("/api/draft/preview", json={**example("gop_y"), "points": []})
        assert incomplete.status_code == 422
        assert incomplete.json()["error"] == "Dữ liệu gửi lên không hợp lệ: nội dung: loại «gop_y» cần trường «points»"
        unknown = http.post("/api/draft/preview", json={**example("gop_y"), "profile": "bo-khong-co"})
        assert unknown.status_code == 422
        assert unknown.json()["error"].startswith("Nội dung dự thảo không hợp lệ: trường «profile»")


def test_schema_drives_the_form(locked) -> None:
    url, token = locked
    with httpx.Client(base_url=url, timeout=60, headers={"Authorization": f"Bearer {token}"}) as http:
        info = http.get("/api/draft/schema", params={"kind": "gop_y"}).json()
        assert (info["kind"], info["label"]) == ("gop_y", "Công văn góp ý")
        assert info["fields"] == GOP_Y_FIELDS  # required, and what the example fills
        assert info["example"] == example("gop_y")
        assert {"kind": "tra_loi", "label": "Công văn trả lời, hướng dẫn vướng mắc"} in info["kinds"]
        schema = info["json_schema"]
        props = schema["properties"]
        assert props["kind"]["enum"] == [k["kind"] for k in info["kinds"]]  # the model's kinds, no list of ours
        assert (props["subject"]["title"], props["incoming"]["title"], props["points"]["title"]) == (
            "Trích yếu (V/v)", "Văn bản đến", "Các ý")
        point = schema["$defs"]["Point"]
        assert point["x-label"] == "Ý" and point["properties"]["provisions"]["x-picker"] is True
        assert schema["$defs"]["IncomingDoc"]["properties"]["number"]["title"] == "Số, ký hiệu"
        profiles = [c["value"] for c in info["choices"]["profile"]]
        assert profiles == sorted(profiles) and {"cuc-dck", "sct-lao-cai"} <= set(profiles)
        assert info["signers"]["cuc-dck"] == [{"value": "pho-cuc-truong", "label": "Phó cục trưởng Nguyễn Văn Thịnh"}]
        paths = http.get("/openapi.json").json()["paths"]
        assert "image/png" in paths["/api/draft/preview"]["post"]["responses"]["200"]["content"]
        assert paths["/api/draft/preview"]["post"]["requestBody"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/DraftSpec"}  # the same body as /api/draft
        default = http.get("/api/draft/schema").json()
        assert default["kind"] == info["kinds"][0]["kind"]
        missing = http.get("/api/draft/schema", params={"kind": "thu_moi"})
        assert missing.status_code == 422
        assert missing.json()["error"].startswith(
            "Dữ liệu gửi lên không hợp lệ: tham số «kind»: giá trị không hợp lệ, chỉ nhận: 'gop_y', 'tra_loi'")


# ----------------------------------------------------------------------------- the page
def fill(page, selector: str, value: str) -> None:
    page.locator(selector).fill(value)


@pytest.mark.ui
def test_page_drafts_a_gop_y_letter_with_the_form(tab: Tab, api_server: str, tmp_path: Path) -> None:  # noqa: F811
    page = tab.page
    page.goto(f"{api_server}/static/check.html#/draft")
    page.wait_for_selector("#draft-fields [data-field=profile] select")
    assert page.locator(".views a.active").inner_text() == "Biểu mẫu"
    page.select_option("#draft-kind", "gop_y")
    block = "#draft-fields [data-field=points] fieldset.block"
    page.wait_for_selector(block)
    assert page.locator("#json-view").is_hidden()
    # the fields of a góp ý, from the schema; the rest folded under «Trường khác»
    labels = page.locator("#draft-fields > .fields-grid > .field > .field-label").all_inner_texts()
    assert [label.rstrip(" *") for label in labels] == [
        "Hồ sơ cơ quan", "Người ký", "Ngày văn bản", "Trích yếu (V/v)", "Kính gửi", "Cách gọi nơi nhận ở câu kết",
        "Văn bản đến", "Các ý", "Người soạn (dòng «Lưu»)"]
    page.select_option("[data-field=profile] select", "cuc-dck")
    page.select_option("[data-field=signer] select", "pho-cuc-truong")
    top = "#draft-fields > .fields-grid > "  # the spec's own fields, not those of a block
    fill(page, f"{top}[data-field=date] input", "2026-08-05")
    fill(page, f"{top}[data-field=subject] textarea", SUBJECT)
    fill(page, f"{top}[data-field=recipients] .list-row input", "Sở Công Thương tỉnh Lào Cai")
    incoming = f"{top}[data-field=incoming]"
    fill(page, f"{incoming} [data-field=number] input", "123/SCT-CN")
    fill(page, f"{incoming} [data-field=date] input", "2026-07-22")
    fill(page, f"{incoming} [data-field=agency] input", "Sở Công Thương tỉnh Lào Cai")
    fill(page, f"{incoming} [data-field=subject] textarea", "đề nghị góp ý hồ sơ thành lập cụm công nghiệp")
    fill(page, f"{block} [data-field=title] input", "Về điều kiện tỷ lệ lấp đầy")

    # points are repeatable blocks: add one, move it up, remove it
    page.click(f"{top}[data-field=points] > .list > .list-actions > button.add")
    assert page.locator(block).count() == 2
    fill(page, f"{block}[data-index='1'] [data-field=title] input", "Ý tạm")
    page.click(f"{block}[data-index='1'] button.up")
    assert page.locator(f"{block}[data-index='0'] [data-field=title] input").input_value() == "Ý tạm"
    page.click(f"{block}[data-index='0'] button.remove")
    assert page.locator(block).count() == 1
    assert page.locator(f"{block} [data-field=title] input").input_value() == "Về điều kiện tỷ lệ lấp đầy"

    # the provision picker: search, pick the canonical citation into the point's provisions
    page.click(f"{block} [data-field=provisions] button.pick")
    assert page.locator("#picker").is_visible()
    fill(page, "#picker-q", QUERY)
    page.click("#picker-go")
    page.wait_for_selector("#picker-results .hit")
    hits = page.locator("#picker-results .hit-citation").all_inner_texts()
    assert PICKED in hits, hits
    page.locator(f"#picker-results .hit[data-citation='{PICKED}'] button.choose").click()
    assert page.locator("#picker").is_hidden()
    assert page.locator(f"{block} [data-field=provisions] .list-row input").input_value() == PICKED
    expect(page.locator("#preview-status")).to_have_text("Cần điền: Các ý 1 › Nội dung.")  # no preview yet
    page.check(f"{block} [data-field=quote] input")
    fill(page, f"{block} [data-field=text] textarea", POINT_TEXT)  # the last field: one preview

    status = page.locator("#preview-status")
    expect(status).to_have_text(re.compile(r"^(Trang 1/\d+|Dữ liệu|Nội dung|Không)"), timeout=PREVIEW_TIMEOUT_MS)
    assert re.match(r"Trang 1/[2-9], cập nhật lúc ", status.inner_text()), status.inner_text()
    image = page.locator("#preview-img")
    assert image.is_visible() and image.get_attribute("src").startswith("data:image/png;base64,")
    assert image.evaluate("img => img.naturalWidth") == 794
    assert page.locator("#json-view").is_hidden()
    screenshot(page, "draft-form-gop-y.png")

    with page.expect_download() as info:
        page.click("#draft-docx")
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(str(saved))
    assert saved.name == "du-thao-gop_y.docx"
    text = docx_text(saved.read_bytes())
    assert f"V/v {SUBJECT}" in text
    assert PICKED in text
    assert "Kính gửi: Sở Công Thương tỉnh Lào Cai" in text and "Văn bản số 123/SCT-CN" in text

    page.click("#draft-run")  # the checker's report on what the form built
    page.wait_for_selector("#draft-result .verdict")
    assert PICKED in page.locator("#draft-result table.cited td:first-child").all_inner_texts()

    # the JSON view shows the same DraftSpec the form built
    page.click(".views a[data-view=json]")
    spec = json.loads(page.input_value("#spec"))
    assert spec == {
        "kind": "gop_y", "profile": "cuc-dck", "signer": "pho-cuc-truong", "date": "2026-08-05",
        "subject": SUBJECT, "recipients": ["Sở Công Thương tỉnh Lào Cai"],
        "incoming": {"number": "123/SCT-CN", "date": "2026-07-22", "agency": "Sở Công Thương tỉnh Lào Cai",
                     "subject": "đề nghị góp ý hồ sơ thành lập cụm công nghiệp"},
        "points": [{"title": "Về điều kiện tỷ lệ lấp đầy", "text": POINT_TEXT, "provisions": [PICKED],
                    "quote": True}]}
    # an edit in the JSON view comes back into the form
    page.fill("#spec", json.dumps({**spec, "subject": "góp ý bổ sung"}, ensure_ascii=False))
    page.click(".views a[data-view=form]")
    expect(page.locator(f"{top}[data-field=subject] textarea")).to_have_value("góp ý bổ sung")
    assert page.locator(f"{block} [data-field=provisions] .list-row input").input_value() == PICKED


def pruned(value):
    """What the form sends for a value: no empty strings, lists or tables (draftform.js `pruned`)."""
    if isinstance(value, list):
        return [p for p in (pruned(v) for v in value) if p not in ("", [], {}, None)]
    if isinstance(value, dict):
        return {k: p for k, p in ((k, pruned(v)) for k, v in value.items()) if p not in ("", [], {}, None)}
    return value


@pytest.mark.ui
def test_every_example_goes_through_the_form_unchanged(tab: Tab, api_server: str) -> None:  # noqa: F811
    """Each shipped example, whatever its kind (procedure documents, amending texts …), loads
    into the form built from the schema and comes back from the JSON view as the same spec."""
    page = tab.page
    page.goto(f"{api_server}/static/check.html#/draft")
    page.wait_for_selector("#draft-fields [data-field=profile] select")
    page.uncheck("#auto-preview")  # no LibreOffice here
    names = [name for name in page.locator("#example option").evaluate_all("os => os.map(o => o.value)") if name]
    assert names == sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
    for name in names:
        spec = example(name)
        page.click(".views a[data-view=form]")
        page.select_option("#example", name)
        expect(page.locator("#draft-kind")).to_have_value(spec["kind"])
        assert page.locator("#draft-fields .field").count() > 5
        page.click(".views a[data-view=json]")
        assert json.loads(page.input_value("#spec")) == pruned(spec), name
    assert page.locator("#preview-img").is_hidden()
