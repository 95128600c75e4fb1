"""Drafting quality (issue 14, part 4): the defects a specialist found reading three drafts, each
fixed and tested on the real ccn corpus and the shipped examples.

1. A Thông tư's full form names the Bộ trưởng as issuer ("… của Bộ trưởng Bộ Công Thương").
2. The signature block never sits alone on the last page (keep-with-next, a row that does not
   split, widow control): the DOCX flags, and the PDF LibreOffice makes of each example.
3. No stray "Cơ sở pháp lý: …" lines: a point's legal basis is cited in its text.
4. The comparison table: a column headed by the Quy chế it quotes, the Hội đồng row quoting the
   đoạn on the Hội đồng, column widths sized to their content.
5. What a spec can now express: a đoạn or câu of a khoản, "[nay là …]" notes on outdated bodies
   in quotes, documents declared outside the knowledge base.
Also: the speculative wording the checker flags, suggestions filtered to the letter's province.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from docx import Document
from docx.oxml.ns import qn

from drafting import preview
from drafting.assemble import assemble, signing_issuer
from drafting.checker import check_text
from drafting.pipeline import make_draft
from drafting.render import PROSE_MIN_MM, comparison_widths, render
from drafting.spec import SpecError, load_spec, parse_spec

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "drafting" / "examples"
KINDS = ("gop_y", "tra_loi", "bao_cao_ra_soat")
INSTITUTIONS = ROOT.parent / "shared" / "corpus" / "notices" / "institutions-2025.yaml"
ND32_FULL = "Nghị định số 32/2024/NĐ-CP ngày 15 tháng 3 năm 2024 của Chính phủ về quản lý, phát triển cụm công nghiệp"
TT14_FULL = ("Thông tư số 14/2024/TT-BCT ngày 15 tháng 8 năm 2024 của Bộ trưởng Bộ Công Thương quy định chế "
             "độ báo cáo định kỳ về cụm công nghiệp")
HOI_DONG = "Ủy ban nhân dân cấp tỉnh thành lập Hội đồng đánh giá lựa chọn chủ đầu tư"
# NĐ 303/2026/NĐ-CP: a real decree the corpus does not hold (../shared/corpus/notices/ND-303-2026-ND-CP.yaml)
ND303 = {"number": "303/2026/NĐ-CP", "type": "Nghị định", "date": "2026-08-01", "issuer": "Chính phủ",
         "title": "sửa đổi, bổ sung một số điều của Nghị định số 32/2024/NĐ-CP ngày 15 tháng 3 năm 2024 của "
                  "Chính phủ về quản lý, phát triển cụm công nghiệp"}


def example(name: str) -> dict:
    return yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))


def body_text(draft) -> str:
    return "\n".join(p.text for p in draft.body)


@pytest.fixture(scope="module")
def drafts(ccn_store):
    return {name: assemble(load_spec(EXAMPLES / f"{name}.yaml"), ccn_store) for name in KINDS}


@pytest.fixture(scope="module")
def institutions_store(ccn_store, tmp_path_factory):
    """The ccn corpus with the 2025 reorganisations (institutions notice) ingested (into a copy
    of the session's ccn store)."""
    from conftest import store_copy

    from ingest.runner import ingest_paths

    store = store_copy(ccn_store, tmp_path_factory.mktemp("kb-institutions"))
    report = ingest_paths(store, [INSTITUTIONS])
    assert report.failed == [], report.failed
    return store


# ----------------------------------------------------------------------------- 1. issuer
def test_circular_full_form_names_the_minister(drafts):
    """A Thông tư is issued by the Bộ trưởng, not the Bộ (the store holds "Bộ Công Thương")."""
    text = body_text(drafts["gop_y"])
    assert f"theo khoản 2 Điều 4 {TT14_FULL}" in text
    assert "của Bộ Công Thương quy định chế độ" not in text
    cited = next(c for c in drafts["gop_y"].citations if c.citation["doc"] == "14/2024/TT-BCT")
    assert cited.document.startswith(TT14_FULL)
    # a decree stays the Government's; the province's decision its People's Committee's
    assert "Nghị định số 32/2024/NĐ-CP ngày 15 tháng 3 năm 2024 của Chính phủ về" in text
    assert "Quyết định số 16/2026/QĐ-UBND ngày 25 tháng 02 năm 2026 của Ủy ban nhân dân tỉnh Lào Cai" in \
        body_text(drafts["bao_cao_ra_soat"])


@pytest.mark.parametrize(("doc_type", "issuer", "expected"), [
    ("Thông tư", "Bộ Tài chính", "Bộ trưởng Bộ Tài chính"),
    ("Thông tư", "Bộ Kế hoạch và Đầu tư", "Bộ trưởng Bộ Kế hoạch và Đầu tư"),
    ("Thông tư", "Bộ trưởng Bộ Công Thương", "Bộ trưởng Bộ Công Thương"),
    ("Thông tư", "Ngân hàng Nhà nước Việt Nam", "Thống đốc Ngân hàng Nhà nước Việt Nam"),
    ("Thông tư liên tịch", "Bộ Công Thương và Bộ Nội vụ", "Bộ trưởng Bộ Công Thương và Bộ trưởng Bộ Nội vụ"),
    ("Quyết định", "Bộ Công Thương", "Bộ trưởng Bộ Công Thương"),
    ("Quyết định", "Ủy ban nhân dân tỉnh Lào Cai", "Ủy ban nhân dân tỉnh Lào Cai"),
    ("Nghị định", "Chính phủ", "Chính phủ"),
    ("Công văn", "Bộ Công Thương", "Bộ Công Thương"),
])
def test_signing_issuer_of_every_ministry(doc_type, issuer, expected):
    assert signing_issuer(doc_type, issuer) == expected


# ----------------------------------------------------------------------------- 2. layout
def _signature_table(doc):
    return next(t for t in doc.tables if any(p.text.strip() == "Nơi nhận:" for c in t._cells for p in c.paragraphs))


@pytest.mark.parametrize("name", KINDS)
def test_signature_block_flags_in_docx(drafts, tmp_path, name):
    """The signature row never splits; the closing paragraph and the one before keep with it;
    body paragraphs control widows."""
    doc = Document(str(render(drafts[name], tmp_path / f"{name}.docx")))
    table = _signature_table(doc)
    assert all(row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None
               for row in table.rows)
    before = []
    for element in doc.element.body.iterchildren():
        if element is table._tbl:
            break
        if element.tag == qn("w:p") and "".join(element.itertext()).strip():
            before.append(element)
    closing, previous = before[-1], before[-2]
    assert "".join(closing.itertext()).endswith("./.")
    for p in (closing, previous):
        assert p.find(qn("w:pPr")).find(qn("w:keepNext")) is not None
    body = [p for p in doc.paragraphs if p.style.name == "CCN Body"]
    assert body and all(p.paragraph_format.widow_control is not False for p in body)
    assert all(p.paragraph_format.widow_control for p in body if p._p in before)


def _signature_page_text(pdf: Path) -> str:
    """The text above "Nơi nhận:" on the page that holds it (the page number aside)."""
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            text = page.extract_text() or ""
            if "Nơi nhận" in text:
                lines = [line for line in text[:text.index("Nơi nhận")].splitlines()
                         if line.strip() and not line.strip().isdigit()]
                return "\n".join(lines)
    raise AssertionError(f"{pdf.name}: không thấy khối chữ ký")


def _filler_spec() -> dict:
    """gop_y with a fifth point long enough that, without keep-with-next, LibreOffice puts the
    signature block alone on page 3 (measured on the renderer before the fix)."""
    data = example("gop_y")
    fill = ("Đề nghị Sở Công Thương rà soát, bổ sung thuyết minh về hiện trạng hạ tầng kỹ thuật, tình hình "
            "thu hút đầu tư và hiệu quả sử dụng đất của từng cụm công nghiệp trong phương án.")
    data["points"].append({"title": "Về hiện trạng các cụm công nghiệp",
                           "text": [fill] * 3 + ["Đề nghị Sở Công Thương rà soát, bổ sung."]})
    return data


@pytest.mark.slow
def test_signature_never_alone_on_its_page_in_pdf(drafts, ccn_store, tmp_path):
    """Each example, and a letter whose signature would fall alone onto page 3, rendered by
    LibreOffice: the page with the signature block also carries the closing paragraph."""
    if not preview.available():
        pytest.skip(preview.INSTALL_HINT)
    cases = dict(drafts) | {"filler": assemble(parse_spec(_filler_spec()), ccn_store)}
    for name, draft in cases.items():
        pdf = preview.to_pdf(render(draft, tmp_path / f"{name}.docx"), tmp_path / f"{name}.pdf")
        above = _signature_page_text(pdf)
        assert above.rstrip().endswith("./."), (name, above[-200:])
        assert len(above.splitlines()) >= 2, (name, above)


# ----------------------------------------------------------------------------- 3. stray text
def test_no_stray_legal_basis_lines(drafts, ccn_store):
    for name, draft in drafts.items():
        assert not any(p.text.startswith("Cơ sở pháp lý") for p in draft.body), name
        assert not any("chưa được viện dẫn trong nội dung" in i.message for i in draft.issues), name
    # a point whose provisions its text does not cite: a warning to cite them, no detached line
    data = example("gop_y")
    data["points"][1]["text"] = "Đề nghị rà soát quy mô diện tích của từng cụm công nghiệp đề xuất bổ sung."
    d = assemble(parse_spec(data), ccn_store)
    assert "Cơ sở pháp lý" not in body_text(d)
    assert [i.message for i in d.issues if i.where == "mục 2"] == [
        "khoản 1 Điều 2 Nghị định số 32/2024/NĐ-CP là căn cứ của mục này nhưng chưa được viện dẫn trong nội "
        "dung: hãy viện dẫn trong câu văn (hoặc đặt quote: true để trích dẫn)"]
    cited = next(c for c in d.citations if c.citation_text == "khoản 1 Điều 2 Nghị định số 32/2024/NĐ-CP")
    assert cited.found and cited.used_in == ["mục 2"]  # still quoted in the reviewer's appendix


# ----------------------------------------------------------------------------- 4. the comparison table
def test_column_headed_by_the_quy_che_it_quotes(drafts):
    headers = drafts["bao_cao_ra_soat"].comparison.headers
    assert headers[3] == ("Quy chế quản lý cụm công nghiệp trên địa bàn tỉnh Lào Cai ban hành kèm theo "
                          "Quyết định số 16/2026/QĐ-UBND")
    assert "Quyết định số 16/2026/QĐ-UBND" not in headers


def test_hoi_dong_row_quotes_the_paragraph_on_the_council(drafts):
    cell = drafts["bao_cao_ra_soat"].comparison.rows[2][2]
    lines = ["".join(r.text for r in p) for p in cell.paragraphs]
    assert lines[0] == "Đoạn 2 khoản 2 Điều 13 Nghị định số 32/2024/NĐ-CP:"
    assert len(lines) == 2 and lines[1].startswith(HOI_DONG)
    assert "Lựa chọn chủ đầu tư xây dựng hạ tầng kỹ thuật cụm công nghiệp là một nội dung" not in lines[1]


def test_comparison_widths_sized_to_content(drafts, tmp_path):
    draft = drafts["bao_cao_ra_soat"]
    doc = Document(str(render(draft, tmp_path / "b.docx")))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "TT")
    widths = [round(c.width.mm, 1) for c in table.rows[1].cells]
    assert abs(sum(widths) - 165) < 0.5  # the A4 text width
    assert widths[0] <= 12  # TT: numbers
    assert widths[-1] >= PROSE_MIN_MM > 25  # the comments column holds sentences: not a 2 cm strip
    assert min(widths[2:5]) > widths[-1]  # the quoted provisions hold far more text
    # a short comment column stays narrow; a long one grows with its text
    short = comparison_widths([["TT", "1"], ["Nội dung", "Điều kiện"], ["A", "x " * 400], ["Nhận xét", "Ok"]])
    long = comparison_widths([["TT", "1"], ["Nội dung", "Điều kiện"], ["A", "x " * 400],
                              ["Nhận xét", "Đề nghị bổ sung nguyên tắc xác định phạm vi " * 8]])
    assert short[-1] < 20 and long[-1] >= PROSE_MIN_MM and abs(sum(long) - 165) < 0.5


# ----------------------------------------------------------------------------- 5a. đoạn and câu
def _quote_point(ccn_store, provision) -> list[str]:
    data = example("tra_loi")
    data["questions"] = data["questions"][1:]
    data["questions"][0]["provisions"] = [provision]
    d = assemble(parse_spec(data), ccn_store)
    return [p.text for p in d.body if p.text.startswith(("Tại ", "“"))], d.errors


@pytest.mark.parametrize("provision", [
    "đoạn 2 khoản 2 Điều 13 Nghị định 32/2024/NĐ-CP",
    {"ref": "khoản 2 Điều 13 Nghị định 32/2024/NĐ-CP", "paragraph": 2},
    {"ref": "khoản 2 Điều 13 Nghị định 32/2024/NĐ-CP", "match": "thành lập Hội đồng đánh giá lựa chọn"},
])
def test_quote_a_paragraph_of_a_clause(ccn_store, provision):
    lines, errors = _quote_point(ccn_store, provision)
    assert errors == []
    assert len(lines) == 1
    assert lines[0].startswith(f"Tại đoạn 2 khoản 2 Điều 13 {ND32_FULL} quy định: “{HOI_DONG}")


def test_quote_a_sentence(ccn_store):
    lines, errors = _quote_point(ccn_store, "câu 1 đoạn 2 khoản 2 Điều 13 Nghị định 32/2024/NĐ-CP")
    assert errors == []
    assert lines[0].startswith(f"Tại câu 1 đoạn 2 khoản 2 Điều 13 {ND32_FULL} quy định: “{HOI_DONG}")
    assert lines[0].endswith("(tối đa 40 điểm).”")  # the sentence ends before "Căn cứ điều kiện thực tế …"


def test_selector_errors(ccn_store, tmp_path):
    _, errors = _quote_point(ccn_store, {"ref": "khoản 2 Điều 13 Nghị định 32/2024/NĐ-CP", "match": "Hội đồng nhân dân"})
    assert [e.message for e in errors] == [
        "khoản 2 Điều 13 Nghị định số 32/2024/NĐ-CP: không thấy đoạn nào có «Hội đồng nhân dân» trong nội "
        "dung quy định (cần chép đúng nguyên văn)"]
    _, errors = _quote_point(ccn_store, "đoạn 9 khoản 2 Điều 13 Nghị định 32/2024/NĐ-CP")
    assert [e.message for e in errors] == [
        "khoản 2 Điều 13 Nghị định số 32/2024/NĐ-CP: không có đoạn 9 (quy định có 3 đoạn)"]
    bad = tmp_path / "bad.yaml"
    data = example("tra_loi")
    data["questions"][0]["provisions"] = [{"ref": "khoản 2 Điều 13 NĐ 32/2024", "paragraph": 0}]
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SpecError, match=r"bad.yaml, trường «questions\[0\].provisions\[0\].paragraph»"):
        load_spec(bad)


# ----------------------------------------------------------------------------- 5b. "nay là …"
def test_outdated_bodies_get_editors_notes_in_quotes(institutions_store, ccn_store):
    d = assemble(load_spec(EXAMPLES / "bao_cao_ra_soat.yaml"), institutions_store)
    hoi_dong = " ".join("".join(r.text for r in p) for p in d.comparison.rows[2][2].paragraphs)
    assert "lãnh đạo các Sở Công Thương, Sở Kế hoạch và Đầu tư [nay là Sở Tài chính], các thành viên" in hoi_dong
    conditions = " ".join("".join(r.text for r in p) for p in d.comparison.rows[0][2].paragraphs)
    assert "trên địa bàn cấp huyện [từ 01/7/2025 không còn cấp huyện];" in conditions
    assert conditions.count("[từ 01/7/2025") == 1  # the first mention only
    # NĐ 139/2025 (in force 01/7/2025) already speaks of the new order: no note on its text
    nd139 = " ".join("".join(r.text for r in p) for p in d.comparison.rows[0][4].paragraphs)
    assert "cấp huyện" in nd139 and "[" not in nd139
    # the Quy chế of 2026 names Sở Tài chính itself: nothing to note
    assert "[" not in " ".join("".join(r.text for r in p) for p in d.comparison.rows[2][3].paragraphs)
    # the body quotes too; the reviewer's appendix stays verbatim
    g = assemble(load_spec(EXAMPLES / "gop_y.yaml"), institutions_store)
    assert "“Trong trường hợp địa bàn cấp huyện [từ 01/7/2025 không còn cấp huyện] đã thành lập" in body_text(g)
    assert all("[từ 01/7/2025" not in c.text for c in g.citations)
    # without the institutions data, no note is invented
    assert "[" not in body_text(assemble(load_spec(EXAMPLES / "gop_y.yaml"), ccn_store))


# ----------------------------------------------------------------------------- 5c. declared documents
def _nd303_letter(declared: bool) -> dict:
    data = example("gop_y")
    data["points"].append({"title": "Về các quy định sửa đổi",
                           "text": "Đề nghị Sở Công Thương cập nhật các nội dung sửa đổi tại Nghị định số "
                                   "303/2026/NĐ-CP khi hoàn thiện phương án."})
    if declared:
        data["documents"] = [ND303]
    return data


def test_declared_document_is_cited_with_its_data_not_an_error(ccn_store, tmp_path):
    plain = make_draft(parse_spec(_nd303_letter(False)), ccn_store, tmp_path / "a.docx")
    assert [i.severity for i in plain.draft.issues if i.where == "mục 5"] == ["warning"]
    plain_find = [f for f in plain.check.findings if "303/2026" in f.text]
    assert plain_find and all(f.severity in ("warning", "error") for f in plain_find)

    declared = make_draft(parse_spec(_nd303_letter(True)), ccn_store, tmp_path / "b.docx")
    text = body_text(declared.draft)
    assert ("tại Nghị định số 303/2026/NĐ-CP ngày 01 tháng 8 năm 2026 của Chính phủ sửa đổi, bổ sung một số "
            "điều của Nghị định số 32/2024/NĐ-CP") in text
    assert [(i.severity, i.message) for i in declared.draft.issues] == [
        ("info", "Nghị định số 303/2026/NĐ-CP: văn bản do người soạn khai báo, ngoài kho dữ liệu: chưa kiểm "
                 "chứng số hiệu, hiệu lực và nội dung")]
    assert declared.draft.errors == [] and declared.check_errors == 0
    assert not any("303/2026" in f.text for f in declared.check.findings)  # outside the KB: info only
    row = next(c for c in declared.check.citations if c.text.startswith("Nghị định số 303/2026/NĐ-CP"))
    assert row.status == "outside_kb"


def test_declared_document_in_the_comparison(ccn_store):
    data = example("bao_cao_ra_soat") | {"documents": [ND303]}
    data["comparison"]["documents"].append("303/2026/NĐ-CP")
    data["comparison"]["rows"][2]["provisions"].append("Điều 1 Nghị định số 303/2026/NĐ-CP")
    d = assemble(parse_spec(data), ccn_store)
    assert d.errors == []
    assert d.comparison.headers[5] == "Nghị định số 303/2026/NĐ-CP"
    cell = ["".join(r.text for r in p) for p in d.comparison.rows[2][5].paragraphs]
    assert cell == ["Điều 1 Nghị định số 303/2026/NĐ-CP:", "(văn bản ngoài kho dữ liệu, chưa kiểm chứng nội dung)"]


def test_declaring_a_cited_document_does_not_hide_what_the_corpus_says(ccn_store):
    """NĐ 68/2017 is known only from the texts citing it (ngày 25/5/2017, replaced by NĐ 32/2024):
    a declaration with another date is warned, and its repeal is still an error."""
    data = example("gop_y")
    data["points"].append({"title": "Về quy định trước đây",
                           "text": "Nội dung này trước đây quy định tại Nghị định số 68/2017/NĐ-CP."})
    data["documents"] = [{"number": "68/2017/NĐ-CP", "type": "Nghị định", "date": "2017-05-26",
                          "issuer": "Chính phủ", "title": "về quản lý, phát triển cụm công nghiệp"}]
    d = assemble(parse_spec(data), ccn_store)
    issues = [(i.severity, i.message) for i in d.issues if i.where == "mục 5"]
    assert issues[0][0] == "info" and issues[1] == (
        "warning", "Nghị định số 68/2017/NĐ-CP: ngày khai báo 26/05/2017 khác ngày các văn bản trong kho dữ liệu "
        "ghi khi dẫn chiếu (25/05/2017)")
    assert issues[2][0] == "error" and issues[2][1].startswith("Nghị định số 68/2017/NĐ-CP đã hết hiệu lực")


# ----------------------------------------------------------------------------- speculative wording
@pytest.mark.parametrize("words", ["có vẻ", "nhiều khả năng", "gần như", "khả năng cao", "ước chừng"])
def test_checker_flags_speculative_wording(ccn_store, words):
    letter = (f"Kính gửi: Sở Công Thương tỉnh Lào Cai\nTheo khoản 1 Điều 8 Nghị định số 32/2024/NĐ-CP, {words} "
              "cụm công nghiệp chưa đủ điều kiện thành lập.")
    report = check_text(ccn_store, letter, as_of=None)
    assert [(f.code, f.text) for f in report.warnings] == [("speculative_wording", words)]
    # the same words outside a statement of the law are left alone
    other = check_text(ccn_store, f"Kính gửi: Sở Công Thương\nĐoàn công tác {words} đến đúng hẹn.")
    assert not [f for f in other.warnings if f.code == "speculative_wording"]


@pytest.mark.parametrize("words", ["theo tôi", "tôi nghĩ", "tôi cho rằng"])
def test_checker_flags_personal_opinion_anywhere(ccn_store, words):
    letter = f"Kính gửi: Sở Công Thương tỉnh Lào Cai\nVề hồ sơ của Sở, {words} cần bổ sung bản đồ hiện trạng."
    report = check_text(ccn_store, letter)
    assert [(f.code, f.text) for f in report.warnings] == [("speculative_wording", words)]
    assert "ý kiến cá nhân" in report.warnings[0].message


# ----------------------------------------------------------------------------- suggestions by province
@pytest.mark.slow
def test_suggestions_filtered_to_the_letters_province(search_home):
    """A question on the investor-selection council: Lào Cai's Quy chế (QĐ 16/2026/QĐ-UBND) is
    suggested to a letter to Lào Cai, never to one to Phú Thọ."""
    from retrieval.build import open_searcher

    store, home = search_home
    searcher = open_searcher(store, home)
    point = {"text": "Sở Công Thương tham mưu thành lập Hội đồng đánh giá lựa chọn chủ đầu tư", "suggest": True}

    def suggested_docs(province: str) -> set[str]:
        data = example("gop_y")
        data |= {"recipients": [f"Sở Công Thương tỉnh {province}"], "addressee": f"Sở Công Thương tỉnh {province}",
                 "subject": f"góp ý hồ sơ thành lập cụm công nghiệp tỉnh {province}", "points": [point]}
        data["incoming"] |= {"agency": f"Sở Công Thương tỉnh {province}", "subject": "đề nghị góp ý"}
        d = assemble(parse_spec(data), store, searcher=searcher)
        return {s.citation["doc"] for s in d.suggestions}

    assert "16/2026/QĐ-UBND" in suggested_docs("Lào Cai")
    phu_tho = suggested_docs("Phú Thọ")
    assert phu_tho and "16/2026/QĐ-UBND" not in phu_tho
    assert "32/2024/NĐ-CP" in phu_tho  # national texts are still suggested
