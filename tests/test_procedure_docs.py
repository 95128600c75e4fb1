"""The documents of a cluster's procedure (drafting/procedure.py): the Điều 8 checklist and the
council's criteria checked against the law's own words, the 58 + 20 ha expansion, the notices of
provisions amended without their text, and every example rendered and checked against the rules
of ../shared/docs/nd30-format.md §5, then rendered to PDF through LibreOffice (page 1 saved as a
PNG in the test artifacts).

The store is the ccn corpus plus the notices (Nghị định 303/2026/NĐ-CP amends Điều 2, 8–10, 12,
13 … of Nghị định 32/2024/NĐ-CP from 15/9/2026, its text not held).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import NOTICES
from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from test_drafting_format import QH, TN, Resolver, is_rule, mm, page_fields, rule_length, size_ok

from drafting import conditions
from drafting.assemble import assemble
from drafting.conditions import MET, NOT_MET, UNKNOWN, council_rules, evaluate
from drafting.layout import text_width_mm
from drafting.procspec import Cluster, Investor
from drafting.render import render, template_for
from drafting.spec import PROCEDURE_KINDS, SpecError, load_spec, parse_spec
from kb import lookup

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "drafting" / "examples"
ARTIFACTS = Path(os.environ.get("CCN_TEST_ARTIFACTS") or ROOT / "tests" / "artifacts") / "drafting"
KINDS = list(PROCEDURE_KINDS)
AREA_A = "điểm a khoản 2 Điều 8 Nghị định 32/2024/NĐ-CP"
DATE_RE = re.compile(r"^[A-ZĐÀ-Ỹ][^,]*, ngày (0[1-9]|[12]\d|3[01]) tháng (0[12]|[3-9]|1[0-2]) năm (\d{4})$")
SO_RE = re.compile(r"^Số:\s*(\d*)\s*/(?:(\d{4})/)?([A-ZĐ0-9]+(?:-[A-ZĐ0-9]+)*)$", re.IGNORECASE)


@pytest.fixture(scope="module")
def store(tmp_path_factory, ccn_store):
    """The ccn corpus and the notices (a copy of the session's ccn store, the notices ingested)."""
    from conftest import store_copy

    from ingest.runner import ingest_paths

    store = store_copy(ccn_store, tmp_path_factory.mktemp("kb-procedure"))
    report = ingest_paths(store, [NOTICES])
    assert report.failed == [], report.failed
    return store


def provision_text(store, ref: str, at: date) -> str:
    address, _ = lookup.resolve_citation(store, ref)
    row = store.provision(address)
    return " ".join(lookup.provision_view(store, row, at).text.split())


def expansion(area: float, more: float, **kw) -> Cluster:
    base = dict(name="Cụm công nghiệp X", location="xã Y, tỉnh Lào Cai", action="mo_rong", area_ha=area,
                expansion_ha=more, land_use_fit=True)
    return Cluster(**{**base, **kw})


# ----------------------------------------------------------------------------- the checklist
def test_58_plus_20_ha_expansion_fails_the_area_condition(store):
    """Điểm a khoản 2 Điều 8 NĐ 32/2024 reads: "Tổng diện tích cụm công nghiệp sau khi mở rộng không
    vượt quá 75 ha; có quỹ đất phù hợp với quy hoạch sử dụng đất trên địa bàn cấp huyện".
    58 ha + 20 ha = 78 ha > 75 ha: not met, before and after Nghị định 303/2026 (text not held)."""
    for at in (date(2026, 8, 1), date(2026, 11, 20)):
        assert ("Tổng diện tích cụm công nghiệp sau khi mở rộng không vượt quá 75 ha; có quỹ đất phù hợp với "
                "quy hoạch sử dụng đất trên địa bàn cấp huyện") in provision_text(store, AREA_A, at)
        found = {f.provision: f for f in evaluate(expansion(58, 20), None, at)}
        area = found[AREA_A]
        assert area.result == NOT_MET
        assert area.evidence.startswith("diện tích hiện có 58 ha + diện tích mở rộng 20 ha = 78 ha, vượt quá 75 ha")
    # the bound is inclusive ("không vượt quá"): 55 + 20 = 75 ha meets it
    assert {f.provision: f for f in evaluate(expansion(55, 20), None, date(2026, 8, 1))}[AREA_A].result == MET


def test_tham_dinh_example_says_not_met_against_diem_a_khoan_2_dieu_8(store):
    spec = load_spec(EXAMPLES / "tham_dinh.yaml")
    assert (spec.procedure.cluster.area_ha, spec.procedure.cluster.expansion_ha) == (58, 20)
    draft = assemble(spec, store)
    texts = [p.text for p in draft.body]
    assert ("Kết quả: Không đáp ứng (đối chiếu điểm a khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP).") in texts
    i = texts.index("b) Tổng diện tích sau khi mở rộng và quỹ đất phù hợp quy hoạch sử dụng đất")
    assert texts[i + 1].startswith("Tại điểm a khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP quy định: “Tổng diện "
                                   "tích cụm công nghiệp sau khi mở rộng không vượt quá 75 ha")
    assert texts[i + 2] == ("Hồ sơ: diện tích hiện có 58 ha + diện tích mở rộng 20 ha = 78 ha, vượt quá 75 ha; "
                            "quỹ đất phù hợp với quy hoạch sử dụng đất.")
    row = next(r for r in draft.comparison.rows if r[1].paragraphs[0][0].text.startswith("Tổng diện tích"))
    assert row[2].paragraphs[0][0].text == "Điểm a khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP:"
    assert row[4].paragraphs[0][0].text == "Không đáp ứng"
    conclusion = next(t for t in texts if t.startswith("Hồ sơ đề nghị mở rộng"))
    assert "không đáp ứng điều kiện" in conclusion and "(điểm a khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP)" in conclusion
    # the other conditions of khoản 2 hold on the example's figures
    results = {r[2].paragraphs[0][0].text: r[4].paragraphs[0][0].text for r in draft.comparison.rows}
    assert results["Điểm c khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP:"] == "Đáp ứng"  # 72% ≥ 60%
    assert results["Điểm d khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP:"] == "Đáp ứng"


def test_each_threshold_wording_is_the_law_s_own(store):
    """conditions.yaml quotes each provision's words for its threshold: they must be in the text
    the knowledge base holds at a date within the version's validity."""
    data = yaml.safe_load((conditions.DATA / "conditions.yaml").read_text(encoding="utf-8"))
    assert {"điểm a khoản 2 Điều 8 Nghị định 32/2024/NĐ-CP", "điểm c khoản 1 Điều 8 Nghị định 32/2024/NĐ-CP",
            "điểm d khoản 2 Điều 8 Nghị định 32/2024/NĐ-CP"} <= set(data)
    for provision, versions in data.items():
        for v in versions:
            assert v["wording"] in provision_text(store, provision, v["valid_from"]), provision
    assert data[AREA_A][0]["max_ha"] == 75 and "không vượt quá 75 ha" in data[AREA_A][0]["wording"]
    fill = data["điểm c khoản 1 Điều 8 Nghị định 32/2024/NĐ-CP"][0]
    assert (fill["min_average_fill_pct"], fill["max_unleased_ha"]) == (50, 100)
    assert "đạt trên 50%" in fill["wording"] and "không vượt quá 100 ha" in fill["wording"]


def test_figures_missing_or_failing():
    at = date(2026, 8, 1)
    c = expansion(30, 10, fill_pct=None, infrastructure={"Đường giao thông nội bộ": True, "Cấp nước": False})
    found = {f.provision: f for f in evaluate(c, None, at)}
    assert found["điểm c khoản 2 Điều 8 Nghị định 32/2024/NĐ-CP"].result == UNKNOWN
    infra = found["điểm d khoản 2 Điều 8 Nghị định 32/2024/NĐ-CP"]
    assert infra.result == NOT_MET and "Cấp nước: chưa hoàn thành" in infra.evidence
    assert "Thu gom và xử lý nước thải: chưa có thông tin" in infra.evidence
    assert found["điểm b khoản 2 Điều 8 Nghị định 32/2024/NĐ-CP"].result == UNKNOWN  # no investor
    new = Cluster(name="Cụm công nghiệp Z", location="xã Y", action="thanh_lap", area_ha=40, in_plan=True,
                  land_use_fit=True, area_has_clusters=True, area_average_fill_pct=50, area_unleased_industrial_ha=120)
    fill = {f.provision: f for f in evaluate(new, Investor(name="Công ty A", legal_status=True, capacity=True), at)}
    assert fill["điểm c khoản 1 Điều 8 Nghị định 32/2024/NĐ-CP"].result == NOT_MET  # 50% is not "trên 50%"
    assert fill["điểm b khoản 1 Điều 8 Nghị định 32/2024/NĐ-CP"].result == MET
    assert AREA_A not in fill  # a condition of expansion only


def test_an_amendment_changes_the_data_file_not_the_code(tmp_path, monkeypatch):
    """A version of điểm a khoản 2 Điều 8 from 2027-01-01 with 70 ha: 72 ha meets it before, not after."""
    data = yaml.safe_load((conditions.DATA / "conditions.yaml").read_text(encoding="utf-8"))
    old = data[AREA_A][0]
    data[AREA_A] = [{**old, "valid_to": date(2026, 12, 31)},
                    {**old, "valid_from": date(2027, 1, 1), "max_ha": 70, "wording": "… không vượt quá 70 ha …"}]
    (tmp_path / "conditions.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(conditions, "DATA", tmp_path)
    conditions._load.cache_clear()
    try:
        before = {f.provision: f for f in evaluate(expansion(52, 20), None, date(2026, 12, 31))}[AREA_A]
        after = {f.provision: f for f in evaluate(expansion(52, 20), None, date(2027, 1, 1))}[AREA_A]
    finally:
        conditions._load.cache_clear()
    assert before.result == MET and after.result == NOT_MET
    assert after.evidence.endswith("vượt quá 70 ha; quỹ đất phù hợp với quy hoạch sử dụng đất")


def test_a_bad_data_file_is_named(tmp_path, monkeypatch):
    (tmp_path / "conditions.yaml").write_text(yaml.safe_dump({AREA_A: [{
        "valid_from": date(2024, 5, 1), "applies_to": ["mo_rong"], "condition": "Diện tích", "check": "dien_tich",
        "wording": "…"}]}, allow_unicode=True), encoding="utf-8")
    (tmp_path / "council.yaml").write_text("- không phải một bảng\n", encoding="utf-8")
    monkeypatch.setattr(conditions, "DATA", tmp_path)
    conditions._load.cache_clear()
    try:
        with pytest.raises(conditions.DataError, match=f"conditions.yaml, «{AREA_A}»: không có phép kiểm tra "
                                                       "«dien_tich»"):
            evaluate(expansion(58, 20), None, date(2026, 8, 1))
        with pytest.raises(conditions.DataError, match="council.yaml: cần một bảng"):
            council_rules(date(2026, 8, 1))
    finally:
        conditions._load.cache_clear()


# ----------------------------------------------------------------------------- the council
def test_council_criteria_are_the_law_s_own(store):
    """council.yaml: the four criteria and their maximum points as khoản 2 Điều 13 NĐ 32/2024 words
    them ("… (tối đa 15 điểm)"), the 100-point scale and the 50-point mark."""
    provision, rules = council_rules(date(2026, 8, 20))
    assert provision == "khoản 2 Điều 13 Nghị định 32/2024/NĐ-CP"
    text = provision_text(store, provision, date(2026, 8, 20))
    for crit in rules["criteria"]:
        assert f"{crit['name'][:1].lower()}{crit['name'][1:]} (tối đa {crit['max']} điểm)" in text
    assert [c["max"] for c in rules["criteria"]] == [15, 15, 30, 40]
    assert "thang điểm 100" in text and "có số điểm từ 50 trở lên" in text
    assert (rules["scale"], rules["pass_mark"]) == (100, 50)


def test_council_documents(store):
    decision = assemble(load_spec(EXAMPLES / "qd_hoi_dong.yaml"), store)
    texts = [p.text for p in decision.body]
    assert "- Năng lực, kinh nghiệm của doanh nghiệp, hợp tác xã: tối đa 30 điểm;" in texts
    assert "6. Ông (bà) Vũ Văn Đông, Phó Trưởng phòng Quản lý công nghiệp Sở Công Thương: Thư ký Hội đồng " \
           "(không phải là thành viên Hội đồng)." in texts
    sheet = assemble(load_spec(EXAMPLES / "phieu_cham_diem.yaml"), store)
    assert [r[1].paragraphs[0][0].text for r in sheet.table.rows][-1] == "Tổng cộng"
    assert sheet.table.rows[-1][3].paragraphs[0][0].text == "76"  # 12 + 11 + 22 + 31
    assert sheet.signer_lines == ["NGƯỜI CHẤM ĐIỂM"] and sheet.signer_name == "Phạm Văn Cường"
    minutes = assemble(load_spec(EXAMPLES / "bien_ban_hoi_dong.yaml"), store)
    assert [r[-1].paragraphs[0][0].text for r in minutes.table.rows] == ["77,5", "61,5"]  # 12,4 + 11 + 22,6 + 31,5; 10 + 9,5 + 18 + 24
    assert minutes.after[1].text.startswith("Công ty cổ phần Phát triển hạ tầng Văn Bàn đạt 77,5 điểm, từ 50 điểm "
                                            "trở lên và cao nhất")


def test_council_result_in_the_to_trinh_and_composition(store):
    texts = [p.text for p in assemble(load_spec(EXAMPLES / "to_trinh_ccn.yaml"), store).body]
    line = next(t for t in texts if t.startswith("- Lựa chọn chủ đầu tư"))
    assert ("Công ty cổ phần Phát triển hạ tầng Văn Bàn: 77,5 điểm; Công ty trách nhiệm hữu hạn Đầu tư Hoàng Liên: "
            "61,5 điểm. Công ty cổ phần Phát triển hạ tầng Văn Bàn đạt 77,5 điểm") in line
    spec = load_spec(EXAMPLES / "qd_hoi_dong.yaml")
    spec.procedure.council.members = [m for m in spec.procedure.council.members if m.role != "thu_ky"]
    warnings = [i.message for i in assemble(spec, store).issues if i.severity == "warning"]
    assert warnings == ["thành phần Hội đồng chưa có Thư ký Hội đồng (đại diện phòng chuyên môn của Sở Công "
                        "Thương và không phải là thành viên Hội đồng)"]


def test_shipped_templates_have_the_centred_style():
    """The procedure templates carry «CCN Center» (their tags and NĐ 30 form are checked in
    tests/test_templates.py, not against the generator: a user may edit them in Word)."""
    from test_drafting import TEMPLATE_DIR

    for kind in KINDS:
        assert "CCN Center" in {s.name for s in Document(str(TEMPLATE_DIR / f"{kind}.docx")).styles}


def test_score_over_the_maximum_and_ties(store):
    spec = load_spec(EXAMPLES / "phieu_cham_diem.yaml")
    spec.procedure.council.candidates[0].scores["ha_tang"] = 16
    draft = assemble(spec, store)
    assert [i.message for i in draft.errors] == ["điểm «Phương án đầu tư xây dựng hạ tầng kỹ thuật» là 16, vượt "
                                                 "mức tối đa 15"]
    spec = load_spec(EXAMPLES / "bien_ban_hoi_dong.yaml")
    spec.procedure.council.candidates[1].scores = dict(spec.procedure.council.candidates[0].scores)
    text = assemble(spec, store).after[1].text
    assert "có số điểm cao nhất bằng nhau (77,5 điểm)" in text and "đề xuất của Chủ tịch Hội đồng" in text


# ----------------------------------------------------------------------------- notices, spec errors
def test_notice_of_a_provision_amended_without_its_text(store, tmp_path):
    spec = load_spec(EXAMPLES / "tham_dinh.yaml")  # 20/11/2026: Điều 8 amended by NĐ 303/2026 (text not held)
    notes = [p.text for p in assemble(spec, store).body if p.text.startswith("Lưu ý về hiệu lực")]
    article8 = next(n for n in notes if "Điều 8 đã được sửa đổi bởi Nghị định số 303/2026/NĐ-CP từ 15/9/2026" in n)
    assert "điểm a khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP" in article8
    assert not [p for p in assemble(spec, store, as_of=date(2026, 9, 1)).body if p.text.startswith("Lưu ý")]
    draft = Document(str(render(assemble(spec, store), tmp_path / "draft.docx")))
    assert article8 in [p.text for p in draft.paragraphs]  # visible in the draft
    approved = Document(str(render(assemble(spec, store), tmp_path / "approved.docx", approved=True)))
    texts = [p.text for p in approved.paragraphs]
    assert "IV. KẾT LUẬN, KIẾN NGHỊ" in texts and not [t for t in texts if t.startswith("Lưu ý")]
    council = assemble(load_spec(EXAMPLES / "qd_hoi_dong.yaml"), store, as_of=date(2026, 10, 1))
    assert any("Điều 13 đã được sửa đổi bởi Nghị định số 303/2026/NĐ-CP" in p.text for p in council.body)


def test_spec_errors_name_the_field():
    with pytest.raises(SpecError, match=r"x\.yaml, trường «\(gốc\)»: loại «tham_dinh» cần trường «procedure»"):
        parse_spec({"kind": "tham_dinh", "profile": "sct-lao-cai", "date": "2026-09-01", "subject": "Thẩm định",
                    "recipients": ["Ủy ban nhân dân tỉnh Lào Cai"]}, "x.yaml")
    with pytest.raises(SpecError, match=r"cần trường «procedure\.investor»"):
        parse_spec({"kind": "qd_thanh_lap", "profile": "ubnd-lao-cai", "date": "2026-09-01", "subject": "Thành lập",
                    "procedure": {"cluster": {"name": "Cụm X", "location": "xã Y", "action": "thanh_lap",
                                              "area_ha": 20}}}, "x.yaml")


# ----------------------------------------------------------------------------- NĐ 30 format
class Doc:
    def __init__(self, kind, spec, draft, path):
        self.kind, self.spec, self.draft, self.path = kind, spec, draft, path
        self.doc = Document(str(path))
        self.fmt = Resolver(self.doc)

    def blocks(self) -> list:
        out = []
        for child in self.doc.element.body:
            if child.tag == qn("w:p"):
                out.append(Paragraph(child, self.doc))
                p_pr = child.find(qn("w:pPr"))
                if p_pr is not None and p_pr.find(qn("w:sectPr")) is not None:
                    break
            elif child.tag == qn("w:tbl"):
                out.append(Table(child, self.doc))
        return out

    def signature(self) -> Table:
        """The signature table: Nơi nhận | signer, or a biên bản's THƯ KÝ | CHỦ TỊCH."""
        first = "Nơi nhận:" if not self.draft.co_signer_lines else self.draft.co_signer_lines[0]
        return next(b for b in self.blocks() if isinstance(b, Table) and b.cell(0, 0).paragraphs[0].text == first)

    def noi_nhan(self) -> list[Paragraph]:
        """"Nơi nhận:" and its items: in the signature table's left cell, or under a biên bản's."""
        if not self.draft.co_signer_lines:
            return [p for p in self.signature().cell(0, 0).paragraphs if p.text.strip()]
        blocks = self.blocks()
        start = next(i for i, b in enumerate(blocks) if isinstance(b, Paragraph) and b.text == "Nơi nhận:")
        return [b for b in blocks[start:start + 1 + len(self.draft.distribution)]]

    def body(self) -> list[Paragraph]:
        """The paragraphs of the body: after the title rule (and Kính gửi), up to the signature."""
        blocks = self.blocks()
        start = next(i for i, b in enumerate(blocks) if isinstance(b, Paragraph) and is_rule(b))
        texts = [p.text for p in self.draft.body]
        out = [b for b in blocks[start + 1:] if isinstance(b, Paragraph) and b.text in texts]
        return out


@pytest.fixture(scope="module")
def docs(store, tmp_path_factory) -> dict[str, Doc]:
    out = tmp_path_factory.mktemp("procedure-docs")
    result = {}
    for kind in KINDS:
        spec = load_spec(EXAMPLES / f"{kind}.yaml")
        assert spec.kind == kind
        draft = assemble(spec, store)
        assert draft.errors == [], (kind, draft.errors)
        result[kind] = Doc(kind, spec, draft, render(draft, out / f"{kind}.docx", template=template_for(kind, spec)))
    return result


@pytest.fixture(params=KINDS)
def d(request, docs) -> Doc:
    return docs[request.param]


def test_page_margins_fonts(d):
    for n, s in enumerate(d.doc.sections):  # PG-1…3
        assert abs(s.page_width.mm - 210) <= 0.5 and abs(s.page_height.mm - 297) <= 0.5
        assert 20 <= s.top_margin.mm <= 25 and 20 <= s.bottom_margin.mm <= 25
        assert 30 <= s.left_margin.mm <= 35 and 15 <= s.right_margin.mm <= 20
        assert s.different_first_page_header_footer and page_fields(s.header)  # PG-6…9
        assert not page_fields(s.first_page_header)
        pg = s._sectPr.find(qn("w:pgNumType"))
        if n:
            assert pg is not None and pg.get(qn("w:start")) == "1"  # PG-11
    seen = 0
    for p_el in d.doc.element.body.iter(qn("w:p")):  # FN-1, FN-2
        for r in d.fmt.runs(Paragraph(p_el, d.doc)):
            seen += 1
            assert not r["theme"] and r["ascii"] == r["hAnsi"] == "Times New Roman"
            assert r["color"] in (None, "auto", "000000")
    assert seen > 30


def test_header(d):
    t = d.doc.tables[0]
    right = t.cell(0, 1).paragraphs + t.cell(1, 1).paragraphs
    i = next(i for i, p in enumerate(right) if p.text == QH)  # QH, TN
    assert right[i + 1].text == TN and is_rule(right[i + 2])
    assert all(r["bold"] for r in d.fmt.runs(right[i])) and size_ok(d.fmt.runs(right[i]), 12, 13)
    date_line = next(p for p in right if DATE_RE.match(p.text))  # DT
    m = DATE_RE.match(date_line.text)
    assert date(int(m[3]), int(m[2]), int(m[1])) == d.spec.date
    assert all(r["italic"] for r in d.fmt.runs(date_line))
    left = [p for p in t.cell(0, 0).paragraphs if p.text.strip()]  # CQ
    profile = d.draft.profile
    assert [p.text for p in left] == [x for x in (profile.parent_header, *profile.agency_header) if x]
    rules = [p for p in t.cell(0, 0).paragraphs if is_rule(p)]
    name = max(text_width_mm(line, 12, bold=True) for line in profile.agency_header)
    cell_mm = mm(int(t.cell(0, 0)._tc.tcPr.find(qn("w:tcW")).get(qn("w:w"))))
    assert len(rules) == 1 and name / 3 - 0.15 <= rule_length(d, rules[0], cell_mm) <= name / 2 + 0.15
    so = [p for p in t.cell(1, 0).paragraphs if p.text.startswith("Số:")]  # SO
    if d.kind == "phieu_cham_diem":
        assert so == []
        return
    m = SO_RE.match(so[0].text)
    assert m and m[1] == "", so[0].text
    assert (m[2] == str(d.spec.date.year)) == (d.kind == "qd_quy_che")  # a QPPL: số/năm/ký hiệu
    expected = {"tham_dinh": "BC-SCT", "to_trinh_ccn": "TTr-SCT", "de_nghi_cdt": "HTVB-DA", "qd_thanh_lap": "QĐ-UBND",
                "qd_quy_che": "QĐ-UBND", "qd_quy_che_dv": "QĐ-HTVB", "qd_hoi_dong": "QĐ-UBND",
                "bien_ban_hoi_dong": "BB-HĐLCCĐT"}[d.kind]
    assert m[3] == expected and size_ok(d.fmt.runs(so[0]), 13, 13)


def test_type_name_title_rule_and_kinh_gui(d):
    blocks = [b for b in d.blocks() if isinstance(b, Paragraph)]
    i = next(i for i, p in enumerate(blocks) if p.text == d.draft.type_name)  # T5
    name, title, rule = blocks[i], blocks[i + 1], blocks[i + 2]
    assert title.text == d.spec.subject and is_rule(rule)
    for p in (name, title):
        assert all(r["bold"] for r in d.fmt.runs(p)) and d.fmt.jc(p) == "center"
    width = min(text_width_mm(title.text, 14, bold=True), 165)
    assert width / 3 - 0.15 <= rule_length(d, rule, 165.0) <= width / 2 + 0.15
    kg = [p.text for p in blocks if p.text.startswith("Kính gửi")]
    assert kg == ([f"Kính gửi: {d.spec.recipients[0]}"] if d.spec.recipients else [])  # KG; none in a decision


def test_body_paragraphs(d):
    body = d.body()
    assert len(body) == len(d.draft.body) >= 4
    previous_after = 0.0
    for para, p in zip(d.draft.body, body, strict=True):
        runs = d.fmt.runs(p)
        assert size_ok(runs, 13, 14), p.text  # BD-2
        before = d.fmt.twips(p, "w:spacing", "before") / 20
        assert before + previous_after >= 6  # BD-4
        previous_after = d.fmt.twips(p, "w:spacing", "after") / 20
        if para.kind == "center":  # "QUYẾT ĐỊNH:", the issuing authority: centred, bold
            assert d.fmt.jc(p) == "center" and all(r["bold"] for r in runs)
            continue
        assert d.fmt.jc(p) == "both", p.text  # BD-1
        indent = mm(d.fmt.twips(p, "w:ind", "firstLine"))
        assert abs(indent - 12.7) <= 0.5, p.text  # BD-3
        if para.kind in ("heading", "section"):
            assert all(r["bold"] for r in runs)
        if para.kind == "quote":
            assert all(r["italic"] for r in runs)
    last = (d.draft.after or d.draft.body)[-1].text
    assert last.endswith("./.")  # BD-6
    for p in body:  # CT-1…3
        assert not re.search(r"(?<![/\w])(NĐ|TT|QĐ|NQ)\s+\d", p.text)
        assert not re.search(r"[^.!?:\s“]\s+(Khoản \d|Điểm [a-zđ]\b)", p.text)
    text = " ".join(p.text for p in body if not p.text.startswith(("“", "Lưu ý về hiệu lực")))
    for number in dict.fromkeys(re.findall(r"\d+/\d{4}/[A-ZĐ-]+[A-Z]", text)):  # CT-4
        first = text.index(number)
        assert re.match(r" ngày \d{2} tháng (0[12]|[3-9]|1[0-2]) năm \d{4} của ", text[first + len(number):]), number


def test_signature_and_noi_nhan(d):
    sig = d.signature()
    left = d.noi_nhan()
    assert left[0].text == "Nơi nhận:" and all(r["bold"] and r["italic"] for r in d.fmt.runs(left[0]))
    for p in left[1:]:
        assert size_ok(d.fmt.runs(p), 11, 11) and not any(r["bold"] or r["italic"] for r in d.fmt.runs(p))
    items = [p.text for p in left[1:]]
    assert items[-1].startswith("- Lưu: VT, ") and items[-1].endswith(".")
    assert all(x.endswith(";") for x in items[:-1])
    if d.spec.recipients:
        assert items[0] == "- Như trên;"  # NN-7
    right = [p for p in sig.cell(0, 1).paragraphs if p.text.strip()]
    assert [p.text for p in right] == [*d.draft.signer_lines, d.draft.signer_name]
    for p in right:
        assert all(r["bold"] for r in d.fmt.runs(p)) and d.fmt.jc(p) == "center"
    if d.draft.co_signer_lines:  # a biên bản: THƯ KÝ | CHỦ TỊCH, both signing
        secretary = [p.text for p in sig.cell(0, 0).paragraphs if p.text.strip()]
        assert secretary == ["THƯ KÝ HỘI ĐỒNG", "Vũ Văn Đông"] and right[0].text == "CHỦ TỊCH HỘI ĐỒNG"
    if d.kind == "de_nghi_cdt":  # Mẫu số 01's lines above the chức danh
        assert [p.text for p in right] == ["NGƯỜI ĐẠI DIỆN THEO PHÁP LUẬT CỦA", "ĐƠN VỊ ĐỀ NGHỊ LÀM CHỦ ĐẦU TƯ",
                                           "TỔNG GIÁM ĐỐC", "Trần Minh Khang"]
    if d.kind == "qd_thanh_lap":  # khoản 4 Điều 10 NĐ 32/2024: the decision is sent to Bộ Công Thương
        assert "- Bộ Công Thương (để báo cáo);" in [p.text for p in left]
    if d.draft.profile.id == "ubnd-lao-cai":
        assert [p.text for p in right[:3]] == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]


def test_decision_structure(docs):
    qd = docs["qd_thanh_lap"].draft
    texts = [p.text for p in qd.body]
    assert texts[0] == "ỦY BAN NHÂN DÂN TỈNH LÀO CAI" and "QUYẾT ĐỊNH:" in texts
    assert texts[1].startswith("Căn cứ Nghị định số 32/2024/NĐ-CP ngày 15 tháng 3 năm 2024 của Chính phủ về quản lý")
    articles = [t.split(".")[0] for t in texts if t.startswith("Điều ")]
    assert articles == ["Điều 1", "Điều 2", "Điều 3", "Điều 4"]  # Mẫu số 02
    for item in ("1. Tên gọi: Cụm công nghiệp Tân Thượng.", "3. Diện tích: diện tích 45 ha.",
                 "5. Chủ đầu tư xây dựng hạ tầng kỹ thuật: Công ty cổ phần Phát triển hạ tầng Văn Bàn."):
        assert item in texts  # khoản 1 Điều 12 NĐ 32/2024, điểm a, b
    rules = docs["qd_quy_che"]
    att = rules.draft.attachment
    assert (att.type_name, att.subject) == ("QUY CHẾ", "Quản lý cụm công nghiệp trên địa bàn tỉnh Lào Cai")
    assert att.reference.startswith("(Ban hành kèm theo Quyết định số      /2026/QĐ-UBND ngày 05 tháng 10 năm 2026")
    heads = [p.text for p in att.body if p.kind == "center"]
    assert heads[:2] == ["Chương I", "QUY ĐỊNH CHUNG"] and "TỔ CHỨC THỰC HIỆN" in heads
    assert len(rules.doc.sections) == 3  # decision, Quy chế, reviewer's appendix
    again = [t for t in rules.doc.tables[1:] if t.cell(0, 1).paragraphs[0].text == QH]  # the Quy chế's header
    assert len(again) == 1 and [p.text for p in again[0].cell(0, 0).paragraphs if p.text] == [
        "ỦY BAN NHÂN DÂN", "TỈNH LÀO CAI"]
    rule = next(p for p in again[0].cell(0, 0).paragraphs if is_rule(p))
    name = text_width_mm("ỦY BAN NHÂN DÂN", 12, bold=True)
    assert name / 3 - 0.15 <= rule_length(rules, rule, 75.0) <= name / 2 + 0.15
    dv = docs["qd_quy_che_dv"].draft.attachment  # Mẫu số 04: the form's skeleton, 4 chapters
    assert [p.text for p in dv.body if p.kind == "center"][-1] == "TỔ CHỨC THỰC HIỆN"
    assert "Điều 9. Cấp nước sạch" in [p.text for p in dv.body]


# ----------------------------------------------------------------------------- PDF
@pytest.fixture(scope="module")
def pdfs(docs, tmp_path_factory) -> dict[str, Path]:
    """All examples converted by one LibreOffice run (conversions are CPU-heavy); page 1 of each
    saved as a PNG in the test artifacts."""
    from drafting.preview import soffice

    exe = soffice()
    if exe is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = tmp_path_factory.mktemp("procedure-pdf")
    with tempfile.TemporaryDirectory(prefix="ccn-lo-") as profile:
        subprocess.run([exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", str(out), *[str(d.path) for d in docs.values()]],
                       capture_output=True, timeout=600, check=False)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    result = {}
    for kind in docs:
        pdf = out / f"{kind}.pdf"
        assert pdf.is_file(), f"LibreOffice did not convert {kind}.docx"
        result[kind] = pdf
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                            str(ARTIFACTS / kind)], check=True, timeout=120)
    return result


@pytest.mark.slow  # LibreOffice renders the PDF
def test_pdf_rendered_and_signature_not_alone(d, pdfs):
    import pdfplumber

    with pdfplumber.open(pdfs[d.kind]) as pdf:
        pages = [page.extract_text() or "" for page in pdf.pages]
    assert d.spec.subject.split()[0] in pages[0]
    if shutil.which("pdftoppm"):
        assert (ARTIFACTS / f"{d.kind}.png").stat().st_size > 5000
    sign = next(i for i, text in enumerate(pages) if "Nơi nhận:" in text)
    before = pages[sign].split("Nơi nhận:")[0]
    lines = [x for x in before.splitlines() if x.strip() and not x.strip().isdigit()]
    assert lines, f"{d.kind}: the signature block is alone on page {sign + 1}"


# ----------------------------------------------------------------------------- over HTTP
def test_draft_over_http(api_server):
    """The real app: POST /api/draft and /api/draft/docx take a procedure document's spec as JSON."""
    import io
    import json

    import httpx

    data = yaml.safe_load((EXAMPLES / "tham_dinh.yaml").read_text(encoding="utf-8"))
    spec = json.loads(json.dumps(data, ensure_ascii=False, default=lambda d: d.isoformat()))
    with httpx.Client(base_url=api_server, timeout=180) as http:
        result = http.post("/api/draft", json=spec).json()
        assert (result["kind"], result["kind_label"]) == (
            "tham_dinh", "Báo cáo thẩm định thành lập, mở rộng cụm công nghiệp")
        cited = {c["citation_text"]: c for c in result["assembly"]["citations"]}
        assert cited["điểm a khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP"]["found"]
        assert result["check"]["counts"]["errors"] == 0
        response = http.post("/api/draft/docx", json=spec)
    assert response.status_code == 200
    texts = [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
    assert "Kết quả: Không đáp ứng (đối chiếu điểm a khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP)." in texts
