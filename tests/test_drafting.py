"""Drafting: profiles, specs, assembly over the ccn corpus, rendering, `ccn draft`, PDF preview.

Every document kind is built from drafting/examples over the real ccn corpus (ccn_store) and read
back with python-docx; the format rules of nd30-format.md §5 are in test_drafting_format.py.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml
from docx import Document
from docx.shared import Mm

from drafting import preview
from drafting.assemble import assemble, quote_lines, vn_date
from drafting.pipeline import make_draft
from drafting.profile import ProfileError, load_profile, shipped_profiles
from drafting.render import TEMPLATE_DIR, render, render_bytes, template_for
from drafting.spec import SpecError, load_spec, parse_spec

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "drafting" / "examples"

ND32_FULL = ("Nghị định số 32/2024/NĐ-CP ngày 15 tháng 3 năm 2024 của Chính phủ về quản lý, phát triển "
             "cụm công nghiệp")
ND139_FULL = ("Nghị định số 139/2025/NĐ-CP ngày 12 tháng 6 năm 2025 của Chính phủ quy định về phân định "
              "thẩm quyền của chính quyền địa phương 02 cấp trong lĩnh vực quản lý nhà nước của Bộ Công "
              "Thương")
POINT_8_1_C = ("c) Trong trường hợp địa bàn cấp huyện đã thành lập cụm công nghiệp thì tỷ lệ lấp đầy trung "
               "bình của các cụm công nghiệp đạt trên 50% hoặc tổng quỹ đất công nghiệp chưa cho thuê của "
               "các cụm công nghiệp không vượt quá 100 ha.")


def example(name: str) -> dict:
    return yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))


def all_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                parts += [p.text for p in cell.paragraphs]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def drafts(ccn_store):
    return {name: assemble(load_spec(EXAMPLES / f"{name}.yaml"), ccn_store)
            for name in ("gop_y", "tra_loi", "bao_cao_ra_soat")}


# ----------------------------------------------------------------------------- profiles
def test_shipped_profiles():
    assert {"cuc-dck", "sct-lao-cai"} <= set(shipped_profiles())
    ministry = load_profile("cuc-dck")
    assert ministry.parent_header == "BỘ CÔNG THƯƠNG"
    assert ministry.agency == "Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công"
    assert ministry.cong_van_code() == "ĐCK-CTT" and ministry.typed_code("TTr") == "TTr-ĐCK"
    assert ministry.signer(None).block_lines() == ["KT. CỤC TRƯỞNG", "PHÓ CỤC TRƯỞNG"]
    province = load_profile("sct-lao-cai")
    assert (province.parent_header, province.agency_header, province.place) == (
        "UBND TỈNH LÀO CAI", ["SỞ CÔNG THƯƠNG"], "Lào Cai")
    assert province.signer("giam-doc").block_lines() == ["GIÁM ĐỐC"]
    assert province.cong_van_code() == "SCT-CN"


def test_renamed_agency_is_configuration(ccn_store, tmp_path):
    """The 2022 name (QĐ 130/QĐ-CTĐP) as a profile the admin puts in $CCN_HOME/profiles: nothing
    in code changes; the spec names it."""
    profile = yaml.safe_load((ROOT / "drafting/profiles/cuc-dck.yaml").read_text(encoding="utf-8"))
    profile |= {"id": "cuc-ctdp-2022", "agency": "Cục Công Thương địa phương",
                "agency_header": ["CỤC CÔNG THƯƠNG", "ĐỊA PHƯƠNG"], "short_name": "Cục Công Thương địa phương",
                "issuer_code": "CTĐP", "unit_code": "QLCCN",
                "signers": [{"id": "cuc-truong", "name": "Ngô Quang Trung", "title": "Cục trưởng"}],
                "default_signer": "cuc-truong"}
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "ctdp.yaml").write_text(yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8")
    data = example("gop_y") | {"profile": "ctdp", "signer": None, "date": "2022-12-28"}
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    draft = assemble(load_spec(tmp_path / "spec.yaml", home=tmp_path), ccn_store)
    assert draft.agency_header == ["CỤC CÔNG THƯƠNG", "ĐỊA PHƯƠNG"]
    assert draft.number_line == "Số:      /CTĐP-QLCCN"
    assert draft.signer_lines == ["CỤC TRƯỞNG"] and draft.signer_name == "Ngô Quang Trung"
    assert draft.body[0].text.startswith("Cục Công Thương địa phương nhận được Văn bản số 123/SCT-CN")
    # in December 2022 NĐ 32/2024 and NĐ 139/2025 did not exist yet: the draft says so
    errors = {i.message for i in draft.errors}
    assert "Nghị định số 32/2024/NĐ-CP chưa có hiệu lực tại ngày 28 tháng 12 năm 2022 (có hiệu lực từ 01/05/2024)" in errors


def test_profile_errors(tmp_path):
    with pytest.raises(ProfileError, match="không có hồ sơ cơ quan «bo-khong-co»"):
        load_profile("bo-khong-co")
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "bad.yaml").write_text("id: x\nagency: A\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"^hồ sơ cơ quan «bad», trường «agency_header»: Field required"):
        load_profile("bad", tmp_path)
    with pytest.raises(ProfileError, match="không được nêu đường dẫn tệp"):  # a path: never read
        load_profile(str(tmp_path / "profiles" / "bad.yaml"))


# ----------------------------------------------------------------------------- spec errors
def test_spec_missing_field_names_file_and_field(tmp_path):
    data = example("gop_y")
    del data["points"][1]["text"]
    del data["date"]
    path = tmp_path / "gop_y.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SpecError) as err:
        load_spec(path)
    assert str(err.value).splitlines() == [
        "gop_y.yaml, trường «date»: thiếu trường bắt buộc",
        "gop_y.yaml, trường «points[1].text»: thiếu trường bắt buộc",
    ]


def test_spec_bad_values(tmp_path):
    data = example("tra_loi") | {"kind": "cong_van", "date": "2026-02-30", "signer_name": "X"}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
    message = str(pytest.raises(SpecError, load_spec, path).value)
    assert "bad.json, trường «kind»: giá trị «cong_van» không hợp lệ, phải là một trong: 'gop_y', 'tra_loi', " \
           "'bao_cao_ra_soat', 'to_trinh', " in message and "'sua_doi'" in message  # and the procedure kinds
    assert "bad.json, trường «date»: ngày không hợp lệ, cần dạng YYYY-MM-DD" in message
    assert "bad.json, trường «signer_name»: trường không được phép (sai tên trường?)" in message


def test_spec_kind_needs_its_content(tmp_path):
    data = example("tra_loi")
    del data["questions"]
    with pytest.raises(SpecError, match="spec, trường «\\(gốc\\)»: loại «tra_loi» cần trường «questions»"):
        parse_spec(data)
    broken = tmp_path / "hong.yaml"
    broken.write_text("kind: [gop_y, tra_loi\n", encoding="utf-8")
    with pytest.raises(SpecError, match="hong.yaml: không đọc được YAML"):
        load_spec(broken)
    with pytest.raises(SpecError, match="không đọc được tệp spec"):
        load_spec(tmp_path / "khong-co.yaml")


# ----------------------------------------------------------------------------- assembly
def test_gop_y_assembly(drafts):
    d = drafts["gop_y"]
    assert d.number_line == "Số:      /ĐCK-CTT"
    assert d.place_date == "Hà Nội, ngày 05 tháng 8 năm 2026"
    assert d.body[0].text == (
        "Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công (Cục ĐCK) nhận được Văn bản số 123/SCT-CN "
        "ngày 22 tháng 7 năm 2026 của Sở Công Thương tỉnh Lào Cai về việc đề nghị góp ý dự thảo điều chỉnh "
        "phương án phát triển cụm công nghiệp trong Điều chỉnh Quy hoạch tỉnh Lào Cai thời kỳ 2021 - 2030, "
        "tầm nhìn đến năm 2050. Sau khi nghiên cứu, Cục ĐCK có ý kiến như sau:")
    text = "\n".join(p.text for p in d.body)
    # full form at the first mention ("NĐ 32/2024" as typed), short form after
    assert f"tại khoản 1 Điều 6 {ND32_FULL};" in text
    assert text.count("32/2024/NĐ-CP ngày") == 1
    assert "theo điểm c khoản 2 Điều 6 Nghị định số 32/2024/NĐ-CP." in text
    assert f"Tại Điều 12 {ND139_FULL} quy định: “Ủy ban nhân dân cấp tỉnh quyết định" in text
    assert ("Công văn số 1178/ĐCK-CTT ngày 09 tháng 7 năm 2025 của Cục Đổi mới sáng tạo, Chuyển đổi xanh và "
            "Khuyến công về việc hướng dẫn về công tác quản lý") in text
    assert "làng nghề) theo khoản 1 Điều 2 Nghị định số 32/2024/NĐ-CP." in text
    assert "Cơ sở pháp lý" not in text
    assert "NĐ 32" not in text
    assert d.body[-1].text == ("Trên đây là ý kiến của Cục ĐCK, đề nghị Sở Công Thương tỉnh Lào Cai nghiên "
                               "cứu, hoàn thiện theo quy định./.")
    assert d.distribution == ["Như trên", "Thứ trưởng Nguyễn Sinh Nhật Tân (để b/c)", "Cục trưởng (để b/c)",
                              "Lưu: VT, CTT(Phunt)"]
    assert [(c.citation_text, c.status, c.origin) for c in d.citations] == [
        ("khoản 1 Điều 6 Nghị định số 32/2024/NĐ-CP", "in_force", "spec"),
        ("điểm c khoản 2 Điều 6 Nghị định số 32/2024/NĐ-CP", "in_force", "spec"),
        ("khoản 1 Điều 2 Nghị định số 32/2024/NĐ-CP", "in_force", "spec"),
        ("điểm c khoản 1 Điều 8 Nghị định số 32/2024/NĐ-CP", "in_force", "spec"),
        ("Điều 12 Nghị định số 139/2025/NĐ-CP", "in_force", "spec"),
        ("khoản 2 Điều 4 Thông tư số 14/2024/TT-BCT", "in_force", "text"),
    ]
    point_c = next(c for c in d.citations if c.citation["point"] == "c" and c.citation["article"] == 8)
    assert point_c.text == POINT_8_1_C and point_c.used_in == ["mục 3"]
    assert d.issues == []


def test_tra_loi_assembly(drafts):
    d = drafts["tra_loi"]
    assert d.body[0].text.startswith("Ngày 29 tháng 7 năm 2026, Cục Đổi mới sáng tạo, Chuyển đổi xanh và "
                                     "Khuyến công (Cục ĐCK) nhận được Văn bản số 456/SCT-CN ngày 28 tháng 7")
    texts = [p.text for p in d.body]
    assert texts[1] == "1. Về phạm vi tính tỷ lệ lấp đầy khi không còn đơn vị hành chính cấp huyện"
    assert texts[2].startswith("Nội dung đề nghị: “Từ ngày 01/7/2025 không còn đơn vị hành chính cấp huyện")
    assert texts[3] == f"Tại điểm c khoản 1 Điều 8 {ND32_FULL} quy định: “{POINT_8_1_C[3:]}”"
    assert texts[4].startswith(f"Tại Điều 12 {ND139_FULL} quy định: “")
    second = texts.index("Tại khoản 2 Điều 13 Nghị định số 32/2024/NĐ-CP quy định:")
    assert d.body[second + 1].kind == "quote"
    assert texts[second + 1].startswith("“Lựa chọn chủ đầu tư xây dựng hạ tầng kỹ thuật cụm công nghiệp là")
    assert texts[second + 3].endswith("theo đề xuất của Chủ tịch Hội đồng đánh giá lựa chọn chủ đầu tư).”")
    assert texts[-1] == ("Trên đây là ý kiến của Cục ĐCK để Quý Sở nghiên cứu, thực hiện theo quy định pháp "
                         "luật./.")
    assert [i.message for i in d.issues] == [
        "trích dẫn «điểm c khoản 1 Điều 8 NĐ 32/2024»: hiểu «32/2024» là 32/2024/NĐ-CP"]
    assert d.errors == []


def test_bao_cao_assembly_and_comparison(drafts):
    d = drafts["bao_cao_ra_soat"]
    assert (d.type_name, d.number_line) == ("BÁO CÁO", "Số:      /BC-SCT")
    assert d.signer_lines == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"] and d.signer_name == "Nguyễn Đình Chiến"
    assert d.distribution == ["Như trên", "Giám đốc Sở (báo cáo)", "Sở Tư pháp", "Lưu: VT, CN(Trung)"]
    sections = [p.text for p in d.body if p.kind == "section"]
    assert sections == ["I. KẾT QUẢ RÀ SOÁT", "II. ĐỀ XUẤT, KIẾN NGHỊ"]
    assert d.body[1].text.startswith(f"Các văn bản được rà soát, đối chiếu gồm: {ND32_FULL}; Quyết định số "
                                     "16/2026/QĐ-UBND ngày 25 tháng 02 năm 2026 của Ủy ban nhân dân tỉnh Lào Cai")
    comp = d.comparison
    assert comp.headers == ["TT", "Nội dung", "Nghị định số 32/2024/NĐ-CP",
                            "Quy chế quản lý cụm công nghiệp trên địa bàn tỉnh Lào Cai ban hành kèm theo Quyết "
                            "định số 16/2026/QĐ-UBND", "Nghị định số 139/2025/NĐ-CP", "Nhận xét, đề xuất"]
    assert comp.reference == ("(Kèm theo Báo cáo số      /BC-SCT ngày 20 tháng 8 năm 2026 của Sở Công Thương "
                              "tỉnh Lào Cai)")
    row3 = comp.rows[2]
    assert row3[1].paragraphs[0][0].text == "Hội đồng đánh giá lựa chọn chủ đầu tư"
    assert row3[2].paragraphs[0][0].text == "Đoạn 2 khoản 2 Điều 13 Nghị định số 32/2024/NĐ-CP:"
    assert row3[2].paragraphs[1][0].text.startswith("Ủy ban nhân dân cấp tỉnh thành lập Hội đồng đánh giá")
    assert row3[3].paragraphs[0][0].text == "Khoản 1 Điều 7 Quy chế ban hành kèm theo Quyết định số 16/2026/QĐ-UBND:"
    assert row3[4].paragraphs[0][0].text == "(Không có quy định tương ứng)"
    quy_che = next(c for c in d.citations if c.citation == {
        "doc": "16/2026/QĐ-UBND", "part": "Quy chế", "annex": None, "article": 6, "clause": 1, "point": "a"})
    # a hard-wrapped line of the source ("Nghị định số" / "32/2024/NĐ-CP.") is mended when quoted
    assert quote_lines(quy_che.text)[0].endswith("theo quy định tại các Điều 8, 9, 10, 11 và 12 Nghị định số "
                                                 "32/2024/NĐ-CP.")
    assert d.errors == []


def test_to_trinh_from_the_policy_template(ccn_store, tmp_path):
    data = example("bao_cao_ra_soat") | {"kind": "to_trinh",
                                         "subject": "Đề nghị ban hành nguyên tắc xác định phạm vi tính tỷ lệ lấp đầy"}
    d = assemble(parse_spec(data), ccn_store)
    assert (d.type_name, d.number_line) == ("TỜ TRÌNH", "Số:      /TTr-SCT")
    assert d.body[-1].text == "Sở Công Thương tỉnh Lào Cai kính trình Ủy ban nhân dân tỉnh xem xét, quyết định./."
    assert d.comparison.reference.startswith("(Kèm theo Tờ trình số      /TTr-SCT ngày 20 tháng 8 năm 2026")
    doc = Document(str(render(d, tmp_path / "to_trinh.docx", template=template_for("to_trinh"))))
    texts = [p.text for p in doc.paragraphs]
    assert texts[texts.index("TỜ TRÌNH") + 1] == data["subject"]
    assert doc.tables[0].cell(1, 0).paragraphs[0].text == "Số:      /TTr-SCT"


def test_validity_at_the_letters_date(ccn_store):
    """The same opinion dated before NĐ 32/2024 took effect (01/5/2024): every basis is flagged."""
    spec = load_spec(EXAMPLES / "gop_y.yaml")
    d = assemble(spec, ccn_store, as_of=date(2024, 4, 1))
    messages = [i.message for i in d.errors]
    assert ("điểm c khoản 1 Điều 8 Nghị định số 32/2024/NĐ-CP chưa có hiệu lực tại ngày 01 tháng 4 năm 2024 "
            "(có hiệu lực từ 01/05/2024)") in messages
    assert any(m.startswith("Nghị định số 139/2025/NĐ-CP chưa có hiệu lực tại ngày 01 tháng 4 năm 2024")
               for m in messages)
    assert next(c for c in d.citations if c.citation["article"] == 8).status == "not_yet_in_force"


def test_repealed_and_unknown_citations_are_flagged_not_crashing(ccn_store, tmp_path):
    data = example("gop_y")
    data["points"][0]["provisions"] = ["khoản 9 Điều 99 Nghị định 32/2024/NĐ-CP", "Điều 5 Nghị định 999/2030/NĐ-CP",
                                       "không phải trích dẫn", "khoản 1 Điều 8 Nghị định 68/2017/NĐ-CP"]
    data["points"][1]["text"] = "Theo Nghị định số 68/2017/NĐ-CP, điều kiện này đã được quy định."
    d = assemble(parse_spec(data), ccn_store)
    messages = [(i.where, i.message) for i in d.errors]
    assert ("mục 1", "không có khoản 9 Điều 99 Nghị định số 32/2024/NĐ-CP trong kho dữ liệu "
            "(trích dẫn «khoản 9 Điều 99 Nghị định 32/2024/NĐ-CP»)") in messages
    assert ("mục 1", "trích dẫn «Điều 5 Nghị định 999/2030/NĐ-CP»: không có văn bản «999/2030/NĐ-CP» "
            "trong kho dữ liệu") in messages
    assert ("mục 1", "không hiểu trích dẫn «không phải trích dẫn»: cần ghi rõ điều, khoản và văn bản") in messages
    assert ("mục 1", "Nghị định số 68/2017/NĐ-CP đã hết hiệu lực tại ngày 05 tháng 8 năm 2026 "
            "(bị thay thế bởi 32/2024/NĐ-CP từ 01/05/2024)") in messages
    missing = next(c for c in d.citations if c.citation["article"] == 99)
    assert not missing.found
    doc = Document(str(render(d, tmp_path / "flagged.docx")))
    assert "KHÔNG TÌM THẤY trong kho dữ liệu" in all_text(doc)


# ----------------------------------------------------------------------------- rendering
def test_reviewer_appendix_quotes_verbatim(drafts, tmp_path):
    doc = Document(str(render(drafts["gop_y"], tmp_path / "g.docx")))
    paragraphs = [p.text for p in doc.paragraphs]
    start = paragraphs.index("TRÍCH DẪN CÁC QUY ĐỊNH ĐƯỢC VIỆN DẪN")
    appendix = paragraphs[start:]
    i = appendix.index("4. điểm c khoản 1 Điều 8 Nghị định số 32/2024/NĐ-CP")
    assert appendix[i + 1] == "Hiệu lực ngày 05/08/2026: Còn hiệu lực. Nguồn: nêu trong dự thảo (mục 3)."
    assert appendix[i + 2] == POINT_8_1_C
    j = appendix.index("5. Điều 12 Nghị định số 139/2025/NĐ-CP")
    assert appendix[j + 2] == ("Điều 12. Trách nhiệm của Ủy ban nhân dân cấp tỉnh trong quản lý nhà nước trong "
                               "lĩnh vực quản lý, phát triển cụm công nghiệp")
    assert appendix[j + 3].startswith("Ủy ban nhân dân cấp tỉnh quyết định thực hiện các quy định liên quan")
    assert appendix[-1] == ("2. Sở Công Thương có trách nhiệm cập nhật dữ liệu cụm công nghiệp trên địa bàn cấp "
                            "tỉnh vào Cơ sở dữ liệu cụm công nghiệp cả nước theo quy định, hướng dẫn của Bộ Công "
                            "Thương.")
    heads = [p for p, after in zip(appendix, appendix[1:], strict=False) if after.startswith("Hiệu lực ngày")]
    assert heads == [f"{n}. {c.citation_text}" for n, c in enumerate(drafts["gop_y"].citations, 1)]
    assert len(heads) == 6


def test_comparison_annex_in_docx(drafts, tmp_path):
    doc = Document(str(render(drafts["bao_cao_ra_soat"], tmp_path / "b.docx")))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "TT")
    assert [c.text for c in table.rows[0].cells] == drafts["bao_cao_ra_soat"].comparison.headers
    assert len(table.rows) == 4 and all(len(r.cells) == 6 for r in table.rows)
    widths = [round(c.width.mm, 1) for c in table.rows[1].cells]
    assert abs(sum(widths) - 165) < 0.5 and widths[0] < 15 and min(widths[1:]) >= 28  # sized to content
    assert table.cell(1, 2).paragraphs[1].text == "Thành lập cụm công nghiệp phải đáp ứng các điều kiện sau:"
    texts = [p.text for p in doc.paragraphs]
    assert "BẢNG SO SÁNH QUY ĐỊNH VỀ THÀNH LẬP CỤM CÔNG NGHIỆP VÀ LỰA CHỌN CHỦ ĐẦU TƯ" in texts
    assert texts[texts.index("Phụ lục") + 2] == drafts["bao_cao_ra_soat"].comparison.reference


def test_user_template_is_used(ccn_store, tmp_path):
    """A template edited in Word (here: the body style's first-line indent 1 cm), put by the
    admin in $CCN_HOME/templates and named by the spec, drives the output."""
    edited = Document(str(TEMPLATE_DIR / "tra_loi.docx"))
    edited.styles["CCN Body"].paragraph_format.first_line_indent = Mm(10)
    (tmp_path / "templates").mkdir()
    edited.save(tmp_path / "templates" / "mau.docx")
    data = example("tra_loi") | {"template": "mau"}
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, default_flow_style=False),
                                        encoding="utf-8")
    spec = load_spec(tmp_path / "spec.yaml", home=tmp_path)
    assert template_for(spec.kind, spec) == tmp_path / "templates" / "mau.docx"
    doc = Document(str(render(assemble(spec, ccn_store), tmp_path / "out.docx",
                              template=template_for(spec.kind, spec))))
    assert round(doc.styles["CCN Body"].paragraph_format.first_line_indent.mm, 1) == 10.0


def test_render_bytes_for_the_review_workflow(ccn_store, tmp_path):
    data = load_spec(EXAMPLES / "tra_loi.yaml").model_dump(mode="json")  # as the review store keeps it
    final = Document(__import__("io").BytesIO(render_bytes(data, approved=True, store=ccn_store)))
    assert "DỰ THẢO" not in "".join(p.text for p in final.sections[0].first_page_header.paragraphs)
    assert len(final.sections) == 1
    assert "Kính gửi: Sở Công Thương tỉnh Lào Cai" in [p.text for p in final.paragraphs]


JINJA_TAG = __import__("re").compile(r"\{[{%].*?[%}]\}")
def test_template_edited_in_word_still_renders(ccn_store, tmp_path):
    """A template changed as a user would in Word (a style's size, a line of fixed wording)
    renders: the edit shows, every tag is filled, the NĐ 30 header is intact."""
    edited = tmp_path / "tra_loi.docx"
    doc = Document(str(TEMPLATE_DIR / "tra_loi.docx"))
    doc.styles["CCN Body"].font.size = __import__("docx.shared").shared.Pt(13.5)
    doc.add_paragraph("Văn bản này được soạn theo mẫu của đơn vị.", style="CCN Body")
    doc.save(str(edited))
    draft = assemble(load_spec(EXAMPLES / "tra_loi.yaml"), ccn_store)
    out = render(draft, tmp_path / "out.docx", template=edited)
    rendered = Document(str(out))
    texts = [p.text for p in rendered.paragraphs]
    assert "Văn bản này được soạn theo mẫu của đơn vị." in texts
    assert not any(JINJA_TAG.search(t) for t in texts)
    assert rendered.styles["CCN Body"].font.size.pt == 13.5
    assert "Kính gửi: Sở Công Thương tỉnh Lào Cai" in texts


# ----------------------------------------------------------------------------- pipeline and CLI
def test_make_draft_runs_the_checker(ccn_store, tmp_path):
    for name in ("gop_y", "tra_loi", "bao_cao_ra_soat"):
        result = make_draft(load_spec(EXAMPLES / f"{name}.yaml"), ccn_store, tmp_path / f"{name}.docx")
        assert result.docx.is_file() and result.check is not None
        counts = result.check.counts
        assert counts["errors"] == 0 and counts["ok"] >= 10, (name, result.check.findings)
        assert result.ok


def test_cli_draft(ccn_store, tmp_path, monkeypatch, capsys):
    from api.cli import main

    monkeypatch.setenv("CCN_DATABASE_URL", ccn_store.url)
    out, report = tmp_path / "gop_y.docx", tmp_path / "gop_y.json"
    code = main(["draft", str(EXAMPLES / "gop_y.yaml"), "-o", str(out), "--report", str(report)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.out.startswith(f"Đã soạn {out} (Công văn góp ý, DỰ THẢO): 13 đoạn, 6 quy định viện dẫn")
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["assembly"]["as_of"] == "2026-08-05" and data["check"]["counts"]["errors"] == 0
    assert [c["citation_text"] for c in data["assembly"]["citations"]][3] == \
        "điểm c khoản 1 Điều 8 Nghị định số 32/2024/NĐ-CP"
    assert Document(str(out)).tables[0].cell(1, 0).paragraphs[0].text == "Số:      /ĐCK-CTT"


def test_cli_draft_errors(ccn_store, tmp_path, monkeypatch, capsys):
    from api.cli import main

    monkeypatch.setenv("CCN_DATABASE_URL", ccn_store.url)
    data = example("gop_y")
    del data["subject"]
    bad = tmp_path / "thieu.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert main(["draft", str(bad), "-o", str(tmp_path / "x.docx")]) == 2
    assert "Lỗi: thieu.yaml, trường «subject»: thiếu trường bắt buộc" in capsys.readouterr().err
    assert not (tmp_path / "x.docx").exists()
    data = example("gop_y")
    data["points"][0]["provisions"] = ["khoản 9 Điều 99 Nghị định 32/2024/NĐ-CP"]
    flagged = tmp_path / "sai.yaml"
    flagged.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert main(["draft", str(flagged), "-o", str(tmp_path / "sai.docx")]) == 1  # written, flagged
    assert (tmp_path / "sai.docx").is_file()
    assert "LỖI  mục 1: không có khoản 9 Điều 99 Nghị định số 32/2024/NĐ-CP" in capsys.readouterr().err


# ----------------------------------------------------------------------------- suggestions
def test_suggestions_accepted_and_dropped(search_home):
    """A point asks search for provisions; the specialist accepts one and drops another."""
    from retrieval.build import open_searcher

    store, home = search_home
    searcher = open_searcher(store, home)
    data = example("gop_y")
    point = {"title": "Về điều kiện mở rộng cụm công nghiệp",
             "text": "Đề nghị làm rõ điều kiện tỷ lệ lấp đầy khi mở rộng cụm công nghiệp.", "suggest": True}
    data["points"] = [point]
    first = assemble(parse_spec(data), store, searcher=searcher)
    suggested = [s.citation_text for s in first.suggestions]
    assert suggested and all(s.decision == "pending" for s in first.suggestions)
    assert any(t.startswith(("khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP", "điểm c khoản 2 Điều 8",
                             "Điều 8 Nghị định số 32/2024/NĐ-CP")) for t in suggested), suggested
    assert first.citations == [] or all(c.origin == "text" for c in first.citations)  # nothing cited yet
    point |= {"accept": [suggested[0]], "drop": suggested[1:2]}
    second = assemble(parse_spec(data), store, searcher=searcher)
    decisions = {s.citation_text: s.decision for s in second.suggestions}
    assert decisions[suggested[0]] == "accepted"
    if len(suggested) > 1:
        assert decisions[suggested[1]] == "dropped"
        assert suggested[1] not in [c.citation_text for c in second.citations]
    accepted = next(c for c in second.citations if c.citation_text == suggested[0])
    assert accepted.origin == "accepted" and accepted.found and accepted.status == "in_force"
    assert "Cơ sở pháp lý" not in "\n".join(p.text for p in second.body)  # cite it in the text
    assert any(i.message.startswith(f"{suggested[0]} là căn cứ của mục này nhưng chưa được viện dẫn")
               for i in second.issues)


def test_suggestions_without_index_say_so(ccn_store):
    data = example("gop_y") | {"suggest": True}
    d = assemble(parse_spec(data), ccn_store, searcher=None)
    assert d.suggestions == []
    assert any("chưa có chỉ mục tìm kiếm" in i.message for i in d.issues if i.severity == "warning")


# ----------------------------------------------------------------------------- preview
@pytest.mark.slow
def test_pdf_preview(drafts, tmp_path):
    if not preview.available():
        pytest.skip(preview.INSTALL_HINT)
    from pypdf import PdfReader

    pdf = preview.to_pdf(render(drafts["gop_y"], tmp_path / "gop_y.docx"), tmp_path / "gop_y.pdf")
    pages = PdfReader(str(pdf)).pages
    assert len(pages) >= 3
    first = pages[0].extract_text()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first and "DỰ THẢO" in first
    assert pages[1].extract_text().lstrip().startswith("2")  # number from page 2, top margin
    assert abs(float(pages[0].mediabox.width) - 595.3) < 1 and abs(float(pages[0].mediabox.height) - 841.9) < 1


def test_preview_without_libreoffice(monkeypatch, tmp_path):
    monkeypatch.setattr(preview.shutil, "which", lambda name: None)
    with pytest.raises(preview.PreviewUnavailable, match="libreoffice-writer-nogui"):
        preview.to_pdf(tmp_path / "x.docx")


def test_vn_date():
    assert [vn_date(d) for d in (date(2025, 3, 5), date(2020, 1, 5), date(2019, 6, 29), date(2026, 12, 31))] == [
        "ngày 05 tháng 3 năm 2025", "ngày 05 tháng 01 năm 2020", "ngày 29 tháng 6 năm 2019",
        "ngày 31 tháng 12 năm 2026"]


def test_examples_are_valid_specs():
    for path in sorted(EXAMPLES.glob("*.yaml")):
        spec = load_spec(path)
        assert spec.date.year == 2026 and spec.kind == path.stem
