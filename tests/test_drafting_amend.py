"""Policy drafts as legal normative documents (kind sua_doi): the amending text, its bảng so sánh,
thuyết minh, and the round trip — the draft, ingested by the project's own ingestion into a store
holding the amended decree, gives exactly the new versions the spec describes.

The example (drafting/examples/sua_doi.yaml) amends NĐ 32/2024/NĐ-CP of the ccn corpus:
khoản 1 Điều 2 (new wording), khoản 3 Điều 8 (added), "Sở Kế hoạch và Đầu tư" → "Sở Tài chính"
in khoản 2 Điều 13, điểm c khoản 1 Điều 8 repealed; effective 01/3/2027.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from docx import Document
from test_drafting_format import Resolver

from drafting import preview
from drafting.assemble import assemble, text_lines
from drafting.pipeline import make_draft
from drafting.render import render, render_comparison
from drafting.spec import SpecError, load_spec, parse_spec
from ingest.runner import ingest_paths
from kb import lookup
from kb.model import Status
from kb.store import Store

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "drafting" / "examples" / "sua_doi.yaml"
ND32 = "Nghị định số 32/2024/NĐ-CP"
DRAFT_DATE, EFFECTIVE = date(2026, 12, 1), date(2027, 3, 1)
ARTICLE_RE = re.compile(r"^Điều (\d+)\. (.+)$")
ITEM_RE = re.compile(r"^(\d+)\. (.+)$")


def example() -> dict:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def draft(ccn_store):
    return assemble(load_spec(EXAMPLE), ccn_store)


@pytest.fixture(scope="module")
def files(draft, tmp_path_factory):
    out = tmp_path_factory.mktemp("sua-doi")
    return {"draft": render(draft, out / "sua_doi.docx"),
            "letter": render(draft, out / "sua_doi-van-ban.docx", reviewer=False),
            "table": render_comparison(draft, out / "sua_doi-bang-so-sanh.docx")}


def body_texts(draft) -> list[str]:
    return [p.text for p in draft.body]


# ----------------------------------------------------------------------------- the amending text
def test_example_assembles_without_errors(draft):
    assert draft.errors == []
    assert draft.type_name == "NGHỊ ĐỊNH"
    assert draft.subject == ("Sửa đổi, bổ sung một số điều của Nghị định số 32/2024/NĐ-CP ngày 15 tháng 3 năm "
                             "2024 của Chính phủ về quản lý, phát triển cụm công nghiệp")
    assert draft.number_line == "Số:      /2026/NĐ-CP"
    assert draft.place_date == "Hà Nội, ngày 01 tháng 12 năm 2026"
    assert draft.signer_lines == ["TM. CHÍNH PHỦ", "THỦ TƯỚNG"]
    assert draft.recipients == []


def test_preamble_bases_and_enacting_sentence(draft):
    texts = body_texts(draft)
    assert texts[:5] == [
        "Căn cứ Luật Tổ chức Chính phủ số 63/2025/QH15;",
        "Căn cứ Luật Ban hành văn bản quy phạm pháp luật số 64/2025/QH15 được sửa đổi, bổ sung bởi Luật số "
        "87/2025/QH15;",
        "Căn cứ Luật Đầu tư số 143/2025/QH15;",
        "Theo đề nghị của Bộ trưởng Bộ Công Thương;",
        "Chính phủ ban hành Nghị định sửa đổi, bổ sung một số điều của Nghị định số 32/2024/NĐ-CP ngày 15 "
        "tháng 3 năm 2024 của Chính phủ về quản lý, phát triển cụm công nghiệp.",
    ]
    assert all(run.italic for p in draft.body[:5] for run in p.runs)


def test_articles_items_and_quotes(draft):
    """Điều 1 … Điều 5 in order; items numbered from 1 in each; every "như sau:" followed by the
    new wording in quotes, labelled as the provision ("1. …", "3. …") and closed by ”."""
    texts = body_texts(draft)
    headings = [(int(m[1]), m[2]) for t in texts if (m := ARTICLE_RE.match(t))]
    assert headings == [
        (1, f"Sửa đổi, bổ sung một số điều của {ND32}"),
        (2, f"Thay thế, bãi bỏ một số cụm từ, quy định của {ND32}"),
        (3, "Điều khoản chuyển tiếp"),
        (4, "Hiệu lực thi hành"),
        (5, "Trách nhiệm thi hành"),
    ]
    assert [p.kind for p in draft.body if ARTICLE_RE.match(p.text)] == ["heading"] * 5
    items: dict[int, list[str]] = {}
    article = 0
    for t in texts:
        if m := ARTICLE_RE.match(t):
            article = int(m[1])
        elif (m := ITEM_RE.match(t)) and article in (1, 2):
            items.setdefault(article, []).append(t)
    assert items == {
        1: ["1. Sửa đổi, bổ sung khoản 1 Điều 2 như sau:", "2. Bổ sung khoản 3 vào sau khoản 2 Điều 8 như sau:"],
        2: ["1. Thay thế cụm từ “Sở Kế hoạch và Đầu tư” bằng cụm từ “Sở Tài chính” tại khoản 2 Điều 13.",
            "2. Bãi bỏ điểm c khoản 1 Điều 8."],
    }
    i = texts.index("1. Sửa đổi, bổ sung khoản 1 Điều 2 như sau:")
    assert texts[i + 1].startswith("“1. Cụm công nghiệp là nơi sản xuất công nghiệp,")
    assert texts[i + 2].startswith("Cụm công nghiệp có quy mô diện tích không vượt quá 100 ha")
    assert texts[i + 2].endswith("không dưới 05 ha.”.")
    j = texts.index("2. Bổ sung khoản 3 vào sau khoản 2 Điều 8 như sau:")
    assert texts[j + 1] == ("“3. Tỷ lệ lấp đầy trung bình quy định tại khoản 1 Điều này được tính trên phạm vi các "
                            "cụm công nghiệp trên địa bàn cấp tỉnh.”.")
    assert sum(t.count("“") for t in texts) == sum(t.count("”") for t in texts)
    k = texts.index("Điều 4. Hiệu lực thi hành")
    assert texts[k + 1] == "Nghị định này có hiệu lực thi hành từ ngày 01 tháng 3 năm 2027."
    assert texts[-1].endswith("chịu trách nhiệm thi hành Nghị định này./.")


def test_checker_finds_no_error_in_the_amending_text(ccn_store, tmp_path):
    """The checker reads "khoản 2 Điều 8" in an amending item as NĐ 32's, not the draft's own."""
    result = make_draft(load_spec(EXAMPLE), ccn_store, tmp_path / "sua_doi.docx")
    assert result.check_errors == 0, result.check.errors
    assert result.comparison == tmp_path / "sua_doi-bang-so-sanh.docx" and result.comparison.exists()
    checked = {c.text: c for c in result.check.citations}
    for name in ("khoản 1 Điều 2", "khoản 2 Điều 8", "điểm c khoản 1 Điều 8", "khoản 2 Điều 13"):
        assert (checked[name].canonical, checked[name].code) == (f"{name} {ND32}", "ok")
    assert checked["khoản 3"].code == "cannot_verify_provision"  # the khoản being added


def test_docx_format(files):
    """nd30-format §5 on the amending text: A4 portrait and margins, Times New Roman black, Quốc
    hiệu and Tiêu ngữ, CHÍNH PHỦ, Số with the year, place and date, tên loại + trích yếu, body
    justified 14 pt with a 12.7 mm first line, signature table with Nơi nhận."""
    doc = Document(str(files["letter"]))
    fmt = Resolver(doc)
    for section in doc.sections:
        assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
        assert 20 <= round(section.top_margin.mm) <= 25 and 30 <= round(section.left_margin.mm) <= 35
        assert 15 <= section.right_margin.mm <= 20
    for p in doc.paragraphs:
        for run in fmt.runs(p):
            assert (run["ascii"], run["theme"], run["color"] in (None, "auto", "000000")) == (
                "Times New Roman", False, True)
    header = doc.tables[0]
    left = [p.text for p in header.cell(0, 0).paragraphs + header.cell(1, 0).paragraphs if p.text]
    right = [p.text for p in header.cell(0, 1).paragraphs + header.cell(1, 1).paragraphs if p.text]
    assert left == ["CHÍNH PHỦ", "Số:      /2026/NĐ-CP"]
    assert right == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "Hà Nội, ngày 01 tháng 12 năm 2026"]
    texts = [p.text for p in doc.paragraphs]
    title = texts.index("NGHỊ ĐỊNH")
    assert texts[title + 1].startswith("Sửa đổi, bổ sung một số điều của Nghị định số 32/2024/NĐ-CP")
    assert all(r["bold"] for i in (title, title + 1) for r in fmt.runs(doc.paragraphs[i]))
    assert not any(t.startswith("Kính gửi") for t in texts)
    body = [p for p in doc.paragraphs if p.text.startswith(("Căn cứ", "1. Sửa đổi", "“1.", "Nghị định này có"))]
    assert len(body) >= 5
    for p in body:
        assert fmt.jc(p) == "both"
        assert {r["size"] for r in fmt.runs(p)} == {14.0}
        assert abs(fmt.twips(p, "w:ind", "firstLine") * 25.4 / 1440 - 12.7) < 0.15
    signature = next(t for t in doc.tables if t.cell(0, 0).paragraphs[0].text.startswith("Nơi nhận"))
    items = [p.text for p in signature.cell(0, 0).paragraphs[1:] if p.text]
    assert items[0] == "- Ban Bí thư Trung ương Đảng;" and items[-1] == "- Lưu: VT, CN."
    assert [p.text for p in signature.cell(0, 1).paragraphs if p.text] == ["TM. CHÍNH PHỦ", "THỦ TƯỚNG", "[Họ và tên]"]


# ----------------------------------------------------------------------------- bảng so sánh
def test_comparison_current_column_is_the_kb_text_at_the_date(draft, ccn_store):
    """Quy định hiện hành: the provision as in force at the draft's date, verbatim (line breaks
    of a hard-wrapped source mended only), under its name."""
    comp = draft.comparison
    assert comp.headers == ["TT", "Quy định hiện hành", "Dự thảo Nghị định", "Thuyết minh"]
    rows = {"".join(r.text for r in row[1].paragraphs[0]): row for row in comp.rows}
    assert list(rows) == ["Khoản 1 Điều 2:", "Khoản 3 Điều 8:", "Khoản 2 Điều 13:", "Điểm c khoản 1 Điều 8:"]
    for name in ("khoản 1 Điều 2", "khoản 2 Điều 13", "điểm c khoản 1 Điều 8"):
        row = rows[f"{name[0].upper()}{name[1:]}:"]
        current = ["".join(r.text for r in par) for par in row[1].paragraphs[1:]]
        stored = lookup.show(ccn_store, f"{name} {ND32}", DRAFT_DATE)
        assert stored["status"] == Status.IN_FORCE.value
        assert current == text_lines(stored["text"])
        assert " ".join(current) == " ".join(stored["text"].split())
    assert ["".join(r.text for r in par) for par in rows["Khoản 3 Điều 8:"][1].paragraphs[1:]] == ["(Chưa quy định)"]
    words = rows["Khoản 2 Điều 13:"]
    proposed = " ".join("".join(r.text for r in par) for par in words[2].paragraphs[1:])
    assert "Sở Tài chính" in proposed and "Sở Kế hoạch và Đầu tư" not in proposed
    reasons = ["".join(r.text for r in par) for par in rows["Điểm c khoản 1 Điều 8:"][3].paragraphs]
    assert reasons == [example()["amendment"]["changes"][3]["reason"]]


def test_comparison_docx(files, ccn_store):
    """The bảng so sánh is its own document: title, the date the current law is quoted at, one
    row per change, four columns on A4 (10 + 55 + 55 + 45 mm = the text width)."""
    doc = Document(str(files["table"]))
    texts = [p.text for p in doc.paragraphs if p.text]
    assert texts[0].startswith("BẢNG SO SÁNH, THUYẾT MINH DỰ THẢO NGHỊ ĐỊNH SỬA ĐỔI, BỔ SUNG MỘT SỐ ĐIỀU CỦA "
                               "NGHỊ ĐỊNH SỐ 32/2024/NĐ-CP")
    assert texts[1] == "(Quy định hiện hành trích theo văn bản có hiệu lực ngày 01 tháng 12 năm 2026)"
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["TT", "Quy định hiện hành", "Dự thảo Nghị định", "Thuyết minh"]
    assert len(table.rows) == 5
    widths = [round(c.width.mm) for c in table.rows[1].cells]
    assert widths == [10, 55, 55, 45]
    cell = table.rows[3].cells[1]
    stored = lookup.show(ccn_store, f"khoản 2 Điều 13 {ND32}", DRAFT_DATE)["text"]
    assert [p.text for p in cell.paragraphs][1:] == text_lines(stored)


# ----------------------------------------------------------------------------- the round trip
@pytest.fixture(scope="module")
def round_trip(files, ccn_dir, tmp_path_factory) -> Store:
    """A store holding NĐ 32/2024 alone, then the draft as it would be issued (no reviewer's
    appendix), ingested by the project's ingestion."""
    store = Store.at_home(tmp_path_factory.mktemp("kb-round-trip"))
    assert ingest_paths(store, [ccn_dir / "ND-32-2024-ND-CP.docx"]).failed == []
    report = ingest_paths(store, [files["letter"]])
    assert report.failed == []
    return store


def show(store: Store, name: str, at: date) -> dict:
    return lookup.show(store, f"{name} {ND32}", at)


def test_round_trip_gives_the_new_versions(round_trip: Store):
    spec = example()["amendment"]
    changes = {c["provision"]: c for c in spec["changes"]}
    before, at = EFFECTIVE - timedelta(days=1), EFFECTIVE
    # provision → new wording
    amended = changes["khoản 1 Điều 2"]
    new = show(round_trip, "khoản 1 Điều 2", at)
    wording = [" ".join(p.split()) for p in amended["text"]]
    assert new["status"] == Status.IN_FORCE.value
    assert new["text"] == "\n".join(["1. " + wording[0], *wording[1:]])
    assert show(round_trip, "khoản 1 Điều 2", before)["text"].count("không vượt quá 75 ha") == 2
    assert [v["valid_from"] for v in new["versions"]] == ["2024-05-01", "2027-03-01"]
    # a provision added
    added = show(round_trip, "khoản 3 Điều 8", at)
    assert added["found"] and added["status"] == Status.IN_FORCE.value
    assert added["text"] == "3. " + " ".join(changes["khoản 3 Điều 8"]["text"].split())
    assert show(round_trip, "khoản 3 Điều 8", before)["status"] == Status.NOT_YET.value
    assert show(round_trip, "khoản 2 Điều 8", at)["text"].startswith("2. Mở rộng cụm công nghiệp")
    # words replaced
    old = show(round_trip, "khoản 2 Điều 13", before)["text"]
    replaced = show(round_trip, "khoản 2 Điều 13", at)["text"]
    assert old.count("Sở Kế hoạch và Đầu tư") == 1
    assert replaced == old.replace("Sở Kế hoạch và Đầu tư", "Sở Tài chính")
    # a provision repealed
    assert show(round_trip, "điểm c khoản 1 Điều 8", before)["status"] == Status.IN_FORCE.value
    repealed = show(round_trip, "điểm c khoản 1 Điều 8", at)
    assert repealed["status"] == Status.REPEALED.value and repealed["text"] == ""
    # nothing else changed; the decree stays in force
    assert len(show(round_trip, "điểm a khoản 1 Điều 8", at)["versions"]) == 1
    rows = {r.doc: r for r in lookup.document_rows(round_trip, at)}
    assert rows["32/2024/NĐ-CP"].status == Status.IN_FORCE.value


def test_round_trip_of_a_provincial_quy_che(ccn_store, ccn_dir, tmp_path):
    """The provincial equivalent: a Quyết định amending the Quy chế attached to QĐ 16/2026/QĐ-UBND;
    its bare "khoản 2 Điều 7" is the Quy chế's, and so it is read back."""
    quy_che = "Quy chế ban hành kèm theo Quyết định số 16/2026/QĐ-UBND"
    data = {"kind": "sua_doi", "profile": "ubnd-lao-cai", "date": "2026-12-01", "amendment": {
        "document": quy_che, "effective": "2027-01-15",
        "bases": ["Luật Tổ chức chính quyền địa phương số 72/2025/QH15"],
        "proposer": "Giám đốc Sở Công Thương",
        "responsibility": "Chánh Văn phòng Ủy ban nhân dân tỉnh; Giám đốc Sở Công Thương; Thủ trưởng các sở, "
                          "ban, ngành thuộc tỉnh; Ủy ban nhân dân các xã, phường và các tổ chức, cá nhân có liên "
                          "quan chịu trách nhiệm thi hành Quyết định này",
        "changes": [{"action": "add", "provision": "khoản 3 Điều 7",
                     "text": "Sở Công Thương công khai kết quả lựa chọn chủ đầu tư trên Cổng thông tin điện tử "
                             "của Sở."}]}}
    d = assemble(parse_spec(data), ccn_store)
    assert d.errors == []
    assert d.type_name == "QUYẾT ĐỊNH" and d.number_line == "Số:      /2026/QĐ-UBND"
    assert d.subject == ("Sửa đổi, bổ sung một số điều của Quy chế quản lý cụm công nghiệp trên địa bàn tỉnh "
                         "Lào Cai ban hành kèm theo Quyết định số 16/2026/QĐ-UBND ngày 25 tháng 02 năm 2026 của "
                         "Ủy ban nhân dân tỉnh Lào Cai")
    texts = body_texts(d)
    assert f"Điều 1. Sửa đổi, bổ sung một số điều của {quy_che}" in texts
    assert "1. Bổ sung khoản 3 vào sau khoản 2 Điều 7 như sau:" in texts
    store = Store.at_home(tmp_path / "kb")
    assert ingest_paths(store, [ccn_dir / "QD-16-2026-QD-UBND-LaoCai.txt"]).failed == []
    assert ingest_paths(store, [render(d, tmp_path / "qd.docx", reviewer=False)]).failed == []
    added = lookup.show(store, f"khoản 3 Điều 7 {quy_che}", date(2027, 1, 15))
    assert added["status"] == Status.IN_FORCE.value
    assert added["text"] == "3. Sở Công Thương công khai kết quả lựa chọn chủ đầu tư trên Cổng thông tin điện tử của Sở."
    assert lookup.show(store, f"khoản 3 Điều 7 {quy_che}", date(2027, 1, 14))["status"] == Status.NOT_YET.value


# ----------------------------------------------------------------------------- spec and checks
def test_spec_errors_name_the_field(tmp_path):
    data = example()
    del data["amendment"]["changes"][0]["text"]
    path = tmp_path / "sua_doi.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SpecError, match=r"sua_doi.yaml, trường «amendment.changes\[0\]»: .*cần trường «text»"):
        load_spec(path)
    data = example()
    del data["amendment"]
    with pytest.raises(SpecError, match="loại «sua_doi» cần trường «amendment»"):
        parse_spec(data, "sua_doi.yaml")


def test_impossible_changes_are_errors(ccn_store):
    """Adding what exists, replacing words the provision does not hold, amending what is not
    there: errors of the draft, each naming the change."""
    data = example()
    data["amendment"]["changes"] = [
        {"action": "add", "provision": "khoản 2 Điều 8", "text": "Nội dung."},
        {"action": "replace_words", "provision": "khoản 1 Điều 13", "old": "Sở Kế hoạch và Đầu tư", "new": "Sở Tài chính"},
        {"action": "amend", "provision": "khoản 9 Điều 8", "text": "Nội dung."},
    ]
    d = assemble(parse_spec(data), ccn_store)
    messages = {(i.where, i.message) for i in d.errors}
    assert ("Điều 1, khoản 1", "khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP đã có tại ngày 01 tháng 12 năm 2026: "
            "dùng «amend» để sửa đổi, bổ sung") in messages
    assert any(w == "Điều 2, khoản 1" and "cụm từ «Sở Kế hoạch và Đầu tư» không có trong khoản 1 Điều 13" in m
               for w, m in messages)
    assert any(w == "Điều 1, khoản 2" and "không có khoản 9 Điều 8" in m for w, m in messages)


# ----------------------------------------------------------------------------- PDF
@pytest.mark.slow  # LibreOffice renders the PDF
def test_pdf_and_screenshots(files, tmp_path):
    """Through LibreOffice: the amending text and the bảng so sánh, a PNG of each first page in
    the test artifacts (`drafting/` of $CCN_TEST_ARTIFACTS, else tests/artifacts, as the other
    kinds); the signature block is not
    alone on the last page of the text (the closing "./." sits with it)."""
    if not preview.available():
        pytest.skip(preview.INSTALL_HINT)
    from pypdf import PdfReader

    artifacts = Path(os.environ.get("CCN_TEST_ARTIFACTS") or ROOT / "tests" / "artifacts") / "drafting"
    artifacts.mkdir(parents=True, exist_ok=True)
    text_pdf = preview.to_pdf(files["letter"], artifacts / "sua_doi.pdf")
    table_pdf = preview.to_pdf(files["table"], artifacts / "sua_doi-bang-so-sanh.pdf")
    pages = [p.extract_text() for p in PdfReader(str(text_pdf)).pages]
    assert "NGHỊ ĐỊNH" in pages[0] and "DỰ THẢO" in pages[0]
    last = pages[-1]
    assert "Nơi nhận" in last and "thi hành Nghị định này./." in last
    assert "BẢNG SO SÁNH, THUYẾT MINH" in PdfReader(str(table_pdf)).pages[0].extract_text()
    if shutil.which("pdftoppm"):
        for pdf in (text_pdf, table_pdf):
            subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(pdf), str(pdf.with_suffix(""))],
                           check=True, timeout=120)
        assert len(list(artifacts.glob("sua_doi*.png"))) >= 2


@pytest.mark.parametrize("kind", ["sua_doi", "bang_so_sanh"])
def test_shipped_amending_templates_have_their_shape(kind):
    """The amending text's template has no Kính gửi and no annex, the bảng so sánh's holds the
    table's title (their tags, styles and NĐ 30 form: tests/test_templates.py; no comparison with
    the generator, which would refuse a template edited in Word)."""
    shipped = ROOT / "drafting" / "templates" / f"{kind}.docx"
    text = "\n".join(p.text for p in Document(str(shipped)).paragraphs)
    assert "Kính gửi" not in text and "Phụ lục" not in text
    assert ("{{ comparison.title }}" in text) == (kind == "bang_so_sanh")


def test_current_law_amended_without_its_text_is_flagged(ccn_dir, tmp_path):
    """With the notice of NĐ 303/2026 (amending Điều 2, 8, 13 … of NĐ 32 from 15/9/2026, text not
    held), the current-law column holds the wording before that amendment: the draft says so, as a
    warning and in the cell."""
    store = Store.at_home(tmp_path / "kb")
    notice = ccn_dir.parent / "notices" / "ND-303-2026-ND-CP.yaml"
    assert ingest_paths(store, [ccn_dir / "ND-32-2024-ND-CP.docx", notice]).failed == []
    d = assemble(load_spec(EXAMPLE), store)
    warned = [i for i in d.issues if i.severity == "warning" and i.where == "Điều 1, khoản 1"]
    assert warned and "303/2026/NĐ-CP" in warned[0].message
    cell = d.comparison.rows[0][1].paragraphs
    assert "303/2026/NĐ-CP" in cell[-1][0].text and cell[-1][0].italic


def test_a_letter_cannot_be_amended(ccn_store):
    data = example()
    data["amendment"]["document"] = "Công văn số 1178/ĐCK-CTT"
    data["amendment"]["changes"] = [{"action": "repeal", "provision": "khoản 1 Điều 2"}]
    d = assemble(parse_spec(data), ccn_store)
    assert any(i.message.endswith("không phải văn bản quy phạm pháp luật") for i in d.errors)
