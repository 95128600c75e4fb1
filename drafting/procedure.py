"""The documents of a cluster's establishment procedure (Nghị định 32/2024/NĐ-CP, Điều 8–13;
Thông tư 14/2024/TT-BCT, Phụ lục II), assembled from the spec's `procedure:` facts.

- tham_dinh: the Sở Công Thương's báo cáo thẩm định with the contents of Điều 11 — the dossier
  (khoản 1), then the conditions of Điều 8 as a checklist (drafting.conditions: each judged
  "đáp ứng" / "không đáp ứng" / "chưa đủ căn cứ" from the figures, the provision quoted as in
  force at the report's date), the appraisers' findings, the conclusion; the checklist again as
  an annex table;
- to_trinh_ccn: the tờ trình to Ủy ban nhân dân cấp tỉnh proposing the decision (khoản 4 Điều 10,
  the contents of khoản 1 Điều 12);
- de_nghi_cdt, qd_thanh_lap, qd_quy_che, qd_quy_che_dv: Mẫu số 01–04 of TT 14/2024 Phụ lục II,
  their structure and fixed wording kept (the Quy chế attached as its own section);
- qd_hoi_dong, phieu_cham_diem, bien_ban_hoi_dong: the investor-selection council (khoản 2 Điều
  13), its composition, criteria and points read from drafting/data/council.yaml at the date.

Every provision cited is checked at the document's date; one amended by a text the knowledge
base does not hold (a notice, e.g. Điều 8, 13 by Nghị định 303/2026/NĐ-CP from 15/9/2026) adds
a visible "Lưu ý" paragraph with the notice.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from drafting.assemble import (
    ROMAN,
    AssembledDraft,
    Attachment,
    Cell,
    ComparisonTable,
    Para,
    Run,
    vn_date,
)
from drafting.conditions import MET, NOT_MET, UNKNOWN, Finding, council_rules, evaluate
from drafting.procspec import Chapter, Cluster, Procedure
from drafting.severity import Severity
from drafting.spec import KIND_LABELS
from kb.model import Status

if TYPE_CHECKING:
    from drafting.assemble import _Assembler

ND32 = "Nghị định 32/2024/NĐ-CP"
# kind: (tên loại, type code for the ký hiệu or None for the issuer's công văn code, type word)
KINDS: dict[str, tuple[str, str | None, str]] = {
    "tham_dinh": ("BÁO CÁO", "BC", "Báo cáo"),
    "to_trinh_ccn": ("TỜ TRÌNH", "TTr", "Tờ trình"),
    "de_nghi_cdt": ("VĂN BẢN ĐỀ NGHỊ", None, "Văn bản"),
    "qd_thanh_lap": ("QUYẾT ĐỊNH", "QĐ", "Quyết định"),
    "qd_quy_che": ("QUYẾT ĐỊNH", "QĐ", "Quyết định"),
    "qd_quy_che_dv": ("QUYẾT ĐỊNH", "QĐ", "Quyết định"),
    "qd_hoi_dong": ("QUYẾT ĐỊNH", "QĐ", "Quyết định"),
    "phieu_cham_diem": ("PHIẾU CHẤM ĐIỂM", None, "Phiếu"),
    "bien_ban_hoi_dong": ("BIÊN BẢN", "BB", "Biên bản"),
}
RESULT_WORDS = {MET: "Đáp ứng", NOT_MET: "Không đáp ứng", UNKNOWN: "Chưa đủ căn cứ"}
PLACEHOLDER = "(Nội dung cụ thể do cơ quan soạn thảo bổ sung.)"
# the signature lines the forms print above an enterprise's chức danh (Mẫu số 01, 04)
FORM_SIGNER = {"de_nghi_cdt": ["NGƯỜI ĐẠI DIỆN THEO PHÁP LUẬT CỦA", "ĐƠN VỊ ĐỀ NGHỊ LÀM CHỦ ĐẦU TƯ"],
               "qd_quy_che_dv": ["NGƯỜI ĐẠI DIỆN THEO PHÁP LUẬT", "CỦA CHỦ ĐẦU TƯ"]}
ROLE_WORDS = {"chu_tich": "Chủ tịch Hội đồng", "pho_chu_tich": "Phó Chủ tịch Hội đồng",
              "thanh_vien": "Thành viên", "thu_ky": "Thư ký Hội đồng (không phải là thành viên Hội đồng)"}


class _Builder:
    """Writes one procedure document's body into the assembler's paragraphs."""

    def __init__(self, a: _Assembler):
        self.a = a
        self.spec = a.spec
        self.proc: Procedure = a.spec.procedure  # type: ignore[assignment]
        self.citer = a.citer
        self.table: ComparisonTable | None = None
        self.annex: ComparisonTable | None = None
        self.after: list[Para] = []
        self.attachment: Attachment | None = None
        self.signer: tuple[list[str], str] | None = None
        self.co_signer: tuple[list[str], str] | None = None  # a biên bản's THƯ KÝ

    # -- paragraphs
    def para(self, text: str, kind: str = "body", **kw) -> None:
        self.a.para(text, kind, **kw)  # type: ignore[arg-type]

    def text(self, text: str, where: str, kind: str = "body") -> None:
        """A paragraph whose citations are written out (full form first, short after)."""
        self.para(self.citer.normalise(text, where), kind)

    def article(self, number: int, text: str, where: str) -> None:
        body = self.citer.normalise(text, where)
        self.a.body.append(Para(runs=[Run(text=f"Điều {number}. ", bold=True), Run(text=body)]))

    def cite(self, ref: str, where: str):
        c = self.citer.resolve(ref, where)
        if c is not None:
            self.citer.cite(c, ref=ref, origin="spec", where=where)
        return c

    def citation(self, ref: str, where: str) -> str:
        c = self.cite(ref, where)
        return self.citer.citation_text(c, where) if c is not None else ref

    def quote(self, ref: str, where: str) -> None:
        c = self.cite(ref, where)
        if c is not None:
            self.a.quote(c, where)

    @property
    def cluster(self) -> Cluster:
        assert self.proc.cluster is not None
        return self.proc.cluster

    def basis(self, defaults: list[str], where: str = "căn cứ") -> None:
        """"Căn cứ …;" lines (italic), documents of the knowledge base in full form."""
        items = [*defaults, *self.proc.basis]
        for item in items:
            number = self.citer.document_ref(item, where)
            text = self.citer.form(number, where) if number else self.citer.normalise(item, where)
            self.para(f"Căn cứ {text};", "quote", italic=True)
        if self.proc.proposal:
            proposal = self.proc.proposal.rstrip(" .;")
            self.para(self.citer.normalise(f"{proposal}.", where), "quote", italic=True)

    def notices(self) -> None:
        """A visible note for every cited provision amended by a text not held (kb notices), one
        per notice, naming the provisions of this document it touches; a draft's note for its
        reviewer, left out of the approved text."""
        groups: dict[str, list[str]] = {}
        for entry in self.citer.cited.values():
            if entry.status == Status.AMENDED_TEXT_MISSING.value and entry.validity_note:
                groups.setdefault(entry.validity_note, []).append(entry.citation_text)
        for note, cited in groups.items():
            self.a.body.append(Para(kind="note", runs=[
                Run(text="Lưu ý về hiệu lực: ", bold=True, italic=True),
                Run(text=f"{note[:1].upper()}{note[1:]} (quy định được viện dẫn: {'; '.join(cited)}).",
                    italic=True)]))

    # -- the cluster in words
    def area_words(self) -> str:
        c = self.cluster
        if c.action == "mo_rong" and c.expansion_ha:
            return (f"diện tích hiện có {_ha(c.area_ha)}, diện tích đề nghị mở rộng {_ha(c.expansion_ha)}, "
                    f"tổng diện tích sau khi mở rộng {_ha(c.total_ha)}")
        return f"diện tích {_ha(c.area_ha)}"

    def investment_words(self) -> str:
        c = self.cluster
        money = f"dự kiến tổng mức đầu tư {_number(c.investment_vnd_bn)} tỷ đồng" if c.investment_vnd_bn else ""
        funding = f"cơ cấu nguồn vốn: {c.funding}" if c.funding else ""
        return "; ".join(x for x in (money, funding) if x)

    def cluster_facts(self) -> list[str]:
        c, inv = self.cluster, self.proc.investor
        lines = [f"Tên gọi: {c.name}.", f"Địa điểm: {c.location}.", f"Diện tích: {self.area_words()}."]
        if c.industries:
            lines.append(f"Ngành nghề hoạt động chủ yếu: {'; '.join(c.industries)}.")
        if inv is not None:
            lines.append(f"Chủ đầu tư xây dựng hạ tầng kỹ thuật: {inv.name}.")
        if self.investment_words():
            lines.append(f"Quy mô đầu tư xây dựng hạ tầng kỹ thuật: {self.investment_words()}.")
        if c.schedule:
            lines.append(f"Tiến độ thực hiện dự án đầu tư xây dựng hạ tầng kỹ thuật: {c.schedule}.")
        return lines

    # ------------------------------------------------------------------------- báo cáo thẩm định
    def tham_dinh(self) -> None:
        c, where = self.cluster, "mở đầu"
        source = f" của {self.proc.dossier_from}" if self.proc.dossier_from else ""
        self.text(f"Căn cứ khoản 3 Điều 10 {ND32}, Sở Công Thương đã nhận hồ sơ đề nghị {c.action_word} "
                  f"{c.name}{source}, chủ trì, phối hợp với các sở, ngành liên quan tổ chức thẩm định. "
                  f"Sở Công Thương báo cáo kết quả thẩm định theo nội dung quy định tại Điều 11 {ND32} như sau:",
                  where)
        self.para("I. THÔNG TIN CHUNG VỀ CỤM CÔNG NGHIỆP", "section", bold=True)
        for i, line in enumerate(self.cluster_facts(), 1):
            self.para(f"{i}. {line}")
        self.para("II. TÍNH HỢP PHÁP, HỢP LỆ CỦA HỒ SƠ", "section", bold=True)
        self.dossier("phần II")
        self.para("III. NỘI DUNG, TÍNH KHẢ THI CỦA BÁO CÁO ĐẦU TƯ", "section", bold=True)
        self.para(f"1. Đánh giá việc đáp ứng các điều kiện {c.action_word} cụm công nghiệp", "heading", bold=True)
        findings = evaluate(c, self.proc.investor, self.a.at)
        for i, f in enumerate(findings):
            self.finding(f, chr(ord("a") + i) if i < 26 else str(i + 1))
        self.para("2. Các nội dung thẩm định khác", "heading", bold=True)
        for text in self.proc.findings or [f"Ý kiến của các sở, ngành về các nội dung tại các điểm a, c, d, đ, e "
                                           f"và g khoản 2 Điều 11 {ND32}: {PLACEHOLDER[1:-2].lower()}."]:
            self.text(text, "phần III, mục 2")
        if self.proc.council and self.proc.council.candidates:
            self.selection("3.")
        self.para("IV. KẾT LUẬN, KIẾN NGHỊ", "section", bold=True)
        self.conclusion(findings)
        self.notices()
        self.para(f"Trên đây là báo cáo kết quả thẩm định hồ sơ đề nghị {c.action_word} {c.name}, Sở Công "
                  f"Thương kính báo cáo {self.a.addressee()} xem xét, quyết định./.")
        self.annex = self.checklist_table(findings)

    def selection(self, number: str) -> None:
        """Lựa chọn chủ đầu tư, a content of the appraisal (khoản 2 Điều 13): the council's totals."""
        council = self.proc.council
        assert council is not None
        provision, rules = council_rules(self.a.at)
        cite = self.citation(provision, "lựa chọn chủ đầu tư")
        totals = [(sum(c.scores.get(k["id"], 0) for k in rules["criteria"]), c.name) for c in council.candidates]
        scores = "; ".join(f"{name}: {_number(total)} điểm" for total, name in totals)
        text = (f"Hội đồng đánh giá lựa chọn chủ đầu tư chấm điểm theo {cite} (thang điểm {rules['scale']}): "
                f"{scores}. {self.council_conclusion(totals, rules)}")
        if number == "-":  # a line of the tờ trình's list
            self.para(f"- Lựa chọn chủ đầu tư xây dựng hạ tầng kỹ thuật: {text}")
            return
        self.para(f"{number} Lựa chọn chủ đầu tư xây dựng hạ tầng kỹ thuật", "heading", bold=True)
        self.para(text)

    def dossier(self, where: str) -> None:
        items = self.proc.dossier
        if not items:
            self.para(f"Hồ sơ: chưa kê khai thành phần hồ sơ; đối chiếu theo khoản 1 Điều 9 {ND32}.")
            return
        missing = [d for d in items if not d.received]
        self.text(f"Thành phần hồ sơ theo khoản 1 Điều 9 {ND32}:", where)
        for d in items:
            state = "có" if d.received else "chưa có"
            note = f" ({d.note})" if d.note else ""
            self.para(f"- {d.item}: {state}{note}.")
        verdict = ("Hồ sơ có đủ thành phần theo quy định." if not missing else
                   f"Hồ sơ còn thiếu {len(missing)} thành phần, cần bổ sung, hoàn thiện theo khoản 3 Điều 10 "
                   "Nghị định số 32/2024/NĐ-CP.")
        self.text(verdict, where)

    def finding(self, f: Finding, label: str) -> None:
        where = f"điều kiện {label}"
        self.para(f"{label}) {f.condition}", "heading", bold=True)
        self.quote(f.provision, where)
        self.para(f"Hồ sơ: {f.evidence}.")
        self.a.body.append(Para(runs=[Run(text="Kết quả: "), Run(text=RESULT_WORDS[f.result], bold=True),
                                      Run(text=f" (đối chiếu {self.citation(f.provision, where)}).")]))

    def conclusion(self, findings: list[Finding]) -> None:
        c = self.cluster
        failed = [f for f in findings if f.result == NOT_MET]
        unknown = [f for f in findings if f.result == UNKNOWN]
        if failed:
            names = "; ".join(f"{f.condition[:1].lower()}{f.condition[1:]} ({self.citation(f.provision, 'kết luận')})"
                              for f in failed)
            self.para(f"Hồ sơ đề nghị {c.action_word} {c.name} không đáp ứng điều kiện: {names}. Sở Công Thương "
                      f"kiến nghị chưa xem xét {c.action_word} cụm công nghiệp khi chưa đáp ứng đủ các điều kiện "
                      "theo quy định.")
        if unknown:
            names = "; ".join(f"{f.condition[:1].lower()}{f.condition[1:]}" for f in unknown)
            self.para(f"Chưa đủ căn cứ để đánh giá các điều kiện: {names}; đề nghị bổ sung tài liệu, số liệu để "
                      "hoàn thiện hồ sơ.")
        if not failed and not unknown:
            self.para(f"Hồ sơ đề nghị {c.action_word} {c.name} đáp ứng các điều kiện theo quy định. Sở Công Thương "
                      f"kiến nghị Ủy ban nhân dân tỉnh xem xét, quyết định {c.action_word} cụm công nghiệp.")

    def checklist_table(self, findings: list[Finding]) -> ComparisonTable:
        rows = []
        for i, f in enumerate(findings, 1):
            entry = self.citer.cited.get(self.citer.resolve(f.provision, "bảng đánh giá").key())  # type: ignore[union-attr]
            label = entry.citation_text if entry else f.provision
            rows.append([Cell(paragraphs=[[Run(text=str(i))]]),
                         Cell(paragraphs=[[Run(text=f.condition, bold=True)]]),
                         Cell(paragraphs=[[Run(text=f"{label[:1].upper()}{label[1:]}:", bold=True)],
                                          [Run(text=f"“{f.wording}”", italic=True)]]),
                         Cell(paragraphs=[[Run(text=f.evidence)]]),
                         Cell(paragraphs=[[Run(text=RESULT_WORDS[f.result], bold=True)]])])
        return ComparisonTable(title=f"BẢNG ĐÁNH GIÁ ĐIỀU KIỆN {self.cluster.action_word.upper()} CỤM CÔNG NGHIỆP",
                               reference=self.reference(), headers=["TT", "Điều kiện", "Quy định",
                                                                    "Số liệu của hồ sơ", "Kết quả"],
                               rows=rows, widths=[10.0, 32.0, 53.0, 47.0, 23.0])

    def reference(self) -> str:
        type_name, code, word = KINDS[self.spec.kind]
        return f"(Kèm theo {word} số{self.number()}/{self.code()} {vn_date(self.spec.date)} của {self.a.profile.agency})"

    # ------------------------------------------------------------------------- tờ trình
    def to_trinh_ccn(self) -> None:
        c, where = self.cluster, "mở đầu"
        self.basis([ND32], where)
        appraisal = (f" và kết quả thẩm định của Sở Công Thương {vn_date(self.proc.appraisal_date)}"
                     if self.proc.appraisal_date else "")
        self.para(f"Trên cơ sở hồ sơ đề nghị {c.action_word} {c.name}{appraisal}, Sở Công Thương kính trình "
                  f"{self.a.addressee()} xem xét, quyết định {c.action_word} {c.name} như sau:")
        self.para("I. SỰ CẦN THIẾT", "section", bold=True)
        for text in self.proc.findings[:1] or [PLACEHOLDER]:
            self.text(text, "phần I")
        self.para("II. KẾT QUẢ THẨM ĐỊNH", "section", bold=True)
        findings = evaluate(c, self.proc.investor, self.a.at)
        for f in findings:
            cite = self.citation(f.provision, "phần II")
            self.para(f"- {f.condition} ({cite}): {RESULT_WORDS[f.result].lower()}; {f.evidence}.")
        if self.proc.council and self.proc.council.candidates:
            self.selection("-")
        self.para("III. NỘI DUNG CHỦ YẾU CỦA QUYẾT ĐỊNH", "section", bold=True)
        self.text(f"Theo khoản 1 Điều 12 {ND32}, dự thảo Quyết định {c.action_word} cụm công nghiệp gồm:", "phần III")
        for i, line in enumerate(self.cluster_facts(), 1):
            self.para(f"{i}. {line}")
        self.para("IV. KIẾN NGHỊ", "section", bold=True)
        self.conclusion(findings)
        self.notices()
        self.para(f"Sở Công Thương kính trình {self.a.addressee()} xem xét, quyết định./.")

    # ------------------------------------------------------------------------- Mẫu số 01
    def de_nghi_cdt(self) -> None:
        c, inv = self.cluster, self.proc.investor
        assert inv is not None
        self.para(f"{inv.name} đề nghị làm chủ đầu tư dự án xây dựng hạ tầng kỹ thuật {c.name} với các thông "
                  "tin chính như sau:")
        self.para("I. Thông tin đơn vị đề nghị làm chủ đầu tư", "heading", bold=True)
        fields = [("Tên đơn vị", inv.name), ("Địa chỉ trụ sở chính", inv.address),
                  ("Điện thoại; Email", "; ".join(x for x in (inv.phone, inv.email) if x) or None),
                  ("Giấy tờ pháp lý của đơn vị", inv.registration), ("Ngành nghề kinh doanh chính", inv.business),
                  ("Người đại diện theo pháp luật", ", chức danh: ".join(
                      x for x in (inv.representative, inv.representative_title) if x) or None)]
        for i, (name, value) in enumerate(fields, 1):
            self.para(f"{i}. {name}: {value or '…'}.")
        self.para("II. Thông tin dự án đề nghị đầu tư", "heading", bold=True)
        money = f"{_number(c.investment_vnd_bn)} tỷ đồng" if c.investment_vnd_bn else None
        for i, (name, value) in enumerate([("Tên dự án", f"Đầu tư xây dựng hạ tầng kỹ thuật {c.name}"),
                                           ("Địa chỉ dự án", c.location), ("Quy mô diện tích", _ha(c.total_ha)),
                                           ("Tổng mức đầu tư tạm tính của dự án", money),
                                           ("Tiến độ đầu tư", c.schedule)], 1):
            self.para(f"{i}. {name}: {value or '…'}.")
        self.para("III. Cam kết của đơn vị đề nghị làm chủ đầu tư", "heading", bold=True)
        self.para("Đơn vị cam kết không vi phạm các quy định của pháp luật; chịu trách nhiệm trước pháp luật về "
                  "tính chính xác, trung thực của nội dung đơn đề nghị này và chịu mọi chi phí, rủi ro nếu không "
                  "được chấp thuận; chấp hành nghiêm chỉnh các quy định của pháp luật Việt Nam.")
        self.para("IV. Hồ sơ kèm theo", "heading", bold=True)
        self.cite(f"khoản 2 Điều 9 {ND32}", "hồ sơ kèm theo")
        self.text(f"- Báo cáo đầu tư {c.action_word} cụm công nghiệp (nội dung chủ yếu quy định tại khoản 2 Điều 9 "
                  f"{ND32}); bản đồ xác định vị trí, ranh giới của cụm công nghiệp;", "hồ sơ kèm theo")
        self.text(f"- Các văn bản, tài liệu quy định tại các điểm c, d, đ khoản 1 Điều 9 {ND32};", "hồ sơ kèm theo")
        self.notices()
        self.para("- Văn bản, tài liệu liên quan khác (nếu có)./.")

    # ------------------------------------------------------------------------- decisions
    def authority(self) -> None:
        self.para(self.a.profile.agency.upper(), "center", bold=True)

    def decide(self) -> None:
        self.para("QUYẾT ĐỊNH:", "center", bold=True)

    def qd_thanh_lap(self) -> None:
        c = self.cluster
        self.authority()
        self.basis([ND32])
        self.decide()
        self.article(1, f"{c.action_word.capitalize()} {c.name} với các nội dung chủ yếu sau:", "Điều 1")
        for i, line in enumerate(self.cluster_facts(), 1):
            self.para(f"{i}. {line}")
        self.cite(f"khoản 1 Điều 12 {ND32}", "Điều 1")
        self.article(2, f"Ưu đãi, hỗ trợ đầu tư và điều kiện áp dụng: {c.incentives or 'không có'}.", "Điều 2")
        inv = self.proc.investor
        assert inv is not None
        self.article(3, "Trách nhiệm của chủ đầu tư xây dựng hạ tầng kỹ thuật cụm công nghiệp và các cơ quan có "
                        "liên quan", "Điều 3")
        self.para(f"1. {inv.name} triển khai đầu tư xây dựng hạ tầng kỹ thuật {c.name} theo đúng nội dung, tiến "
                  "độ tại Điều 1 Quyết định này và quy định của pháp luật.")
        self.para("2. Sở Công Thương chủ trì, phối hợp với các sở, ngành, Ủy ban nhân dân cấp xã nơi có cụm công "
                  "nghiệp hướng dẫn, kiểm tra, giám sát việc thực hiện.")
        self.notices()
        self.article(4, f"Quyết định này có hiệu lực {self.proc.effective or 'kể từ ngày ký'}. Chánh Văn phòng "
                        "Ủy ban nhân dân tỉnh, Giám đốc Sở Công Thương, Thủ trưởng các sở, ngành, Chủ tịch Ủy ban "
                        f"nhân dân cấp xã nơi có cụm công nghiệp, {inv.name} và các tổ chức, cá nhân có liên quan "
                        "chịu trách nhiệm thi hành Quyết định này./.", "Điều 4")

    def qd_quy_che(self) -> None:
        self.authority()
        self.basis([ND32, "14/2024/TT-BCT"])
        self.decide()
        title = self.spec.subject[:1].lower() + self.spec.subject[1:]
        title = title.removeprefix("ban hành ")
        self.article(1, f"Ban hành kèm theo Quyết định này {title}.", "Điều 1")
        self.article(2, f"Quyết định có hiệu lực {self.proc.effective or 'kể từ ngày ký'}.", "Điều 2")
        self.notices()
        self.article(3, "Chánh Văn phòng Ủy ban nhân dân tỉnh; Giám đốc Sở Công Thương; Thủ trưởng các sở, ban, "
                        "ngành thuộc tỉnh; Chủ tịch Ủy ban nhân dân các xã, phường và các tổ chức, cá nhân có liên "
                        "quan chịu trách nhiệm thi hành Quyết định này./.", "Điều 3")
        self.attachment = self.regulation("QUY CHẾ", _capital(re.sub(r"^quy chế\s+", "", title, flags=re.I)))

    def qd_quy_che_dv(self) -> None:
        c = self.cluster
        self.basis([ND32, "14/2024/TT-BCT"])
        self.decide()
        title = self.spec.subject[:1].lower() + self.spec.subject[1:]
        title = title.removeprefix("về việc ").removeprefix("ban hành ")
        self.article(1, f"Ban hành kèm theo Quyết định này {title}.", "Điều 1")
        self.article(2, f"Quyết định này có hiệu lực {self.proc.effective or 'từ ngày ký ban hành'}.", "Điều 2")
        self.notices()
        self.article(3, f"Các đơn vị, doanh nghiệp trong {c.name} và các cá nhân có liên quan chịu trách nhiệm "
                        "thi hành Quyết định này./.", "Điều 3")
        self.attachment = self.regulation("QUY CHẾ", _capital(re.sub(r"^quy chế\s+", "", title, flags=re.I)))

    def regulation(self, type_name: str, subject: str) -> Attachment:
        """The Quy chế issued with the decision: chapters and articles numbered from 1."""
        chapters: list[Chapter] = self.proc.regulation or _skeleton(self.spec.kind)
        body: list[Para] = []
        n = 0
        for i, chapter in enumerate(chapters):
            body.append(Para(kind="center", runs=[Run(text=f"Chương {_roman(i)}", bold=True)]))
            body.append(Para(kind="center", runs=[Run(text=chapter.title.upper(), bold=True)]))
            for art in chapter.articles:
                n += 1
                body.append(Para(kind="heading", runs=[Run(text=f"Điều {n}. {art.title}", bold=True)]))
                texts = art.text if isinstance(art.text, list) else [t for t in art.text.split("\n\n") if t]
                for text in texts or [PLACEHOLDER]:
                    where = f"Quy chế, Điều {n}"
                    body.append(Para(runs=[Run(text=self.citer.normalise(" ".join(text.split()), where))]))
        last = body[-1].runs[-1]
        last.text = last.text.rstrip(" .") + "./."
        _, code, word = KINDS[self.spec.kind]
        reference = (f"(Ban hành kèm theo {word} số{self.number()}/{self.code()} {vn_date(self.spec.date)} "
                     f"của {self.a.profile.agency})")
        return Attachment(type_name=type_name, subject=subject, reference=reference, body=body)

    # ------------------------------------------------------------------------- the council
    def members(self) -> list:
        council = self.proc.council
        assert council is not None
        return council.members

    def qd_hoi_dong(self) -> None:
        c = self.cluster
        provision, rules = council_rules(self.a.at)
        self.authority()
        self.basis([ND32])
        self.decide()
        self.composition(rules)
        self.article(1, f"Thành lập Hội đồng đánh giá lựa chọn chủ đầu tư xây dựng hạ tầng kỹ thuật {c.name} "
                        "(sau đây gọi là Hội đồng), gồm các ông (bà) có tên sau:", "Điều 1")
        for i, m in enumerate(self.members(), 1):
            self.para(f"{i}. Ông (bà) {m.name}, {m.position}: {ROLE_WORDS[m.role]}.")
        self.article(2, "Nhiệm vụ của Hội đồng", "Điều 2")
        cite = self.citation(provision, "Điều 2")
        self.para(f"1. Chấm điểm hồ sơ của các doanh nghiệp, hợp tác xã, tổ chức đề nghị làm chủ đầu tư xây dựng "
                  f"hạ tầng kỹ thuật {c.name} theo {cite}, với thang điểm {rules['scale']} cho các tiêu chí:")
        for crit in rules["criteria"]:
            self.para(f"- {crit['name']}: tối đa {crit['max']} điểm;")
        self.para(f"2. Thống nhất nguyên tắc, phương thức làm việc, các nội dung của từng tiêu chí và mức điểm tối "
                  f"đa tương ứng; đề xuất Ủy ban nhân dân tỉnh giao làm chủ đầu tư doanh nghiệp, hợp tác xã, tổ chức "
                  f"có số điểm từ {rules['pass_mark']} trở lên và cao nhất.")
        self.para("3. Hội đồng tự giải thể sau khi hoàn thành nhiệm vụ.")
        self.notices()
        self.article(3, f"Quyết định này có hiệu lực {self.proc.effective or 'kể từ ngày ký'}. Chánh Văn phòng "
                        "Ủy ban nhân dân tỉnh, Giám đốc Sở Công Thương, Thủ trưởng các cơ quan, đơn vị có liên quan "
                        "và các ông (bà) có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này./.", "Điều 3")

    def composition(self, rules: dict) -> None:
        """Warnings when the members miss a role the provision requires (one chair, vice-chairs,
        a secretary who is not a member)."""
        roles = [m.role for m in self.members()]
        wanted = {"chu_tich": f"Chủ tịch Hội đồng ({rules['chair']})",
                  "pho_chu_tich": f"Phó Chủ tịch Hội đồng ({rules['vice_chairs']})",
                  "thu_ky": f"Thư ký Hội đồng ({rules['secretary']})"}
        for role, words in wanted.items():
            if role not in roles:
                self.citer.issue(Severity.WARNING, "Điều 1", f"thành phần Hội đồng chưa có {words}")
        if roles.count("chu_tich") > 1:
            self.citer.issue(Severity.WARNING, "Điều 1", "Hội đồng có nhiều hơn một Chủ tịch")

    def phieu_cham_diem(self) -> None:
        c, council = self.cluster, self.proc.council
        assert council is not None
        provision, rules = council_rules(self.a.at)
        scorer = next((m for m in council.members if m.name == council.scorer), None)
        candidate = council.candidates[0] if council.candidates else None
        self.para(f"Thành viên Hội đồng: {scorer.name}, {scorer.position}." if scorer else
                  "Thành viên Hội đồng: …")
        self.para(f"Đơn vị đề nghị làm chủ đầu tư: {candidate.name if candidate else '…'}.")
        self.para(f"Cụm công nghiệp: {c.name}, {c.location}.")
        cite = self.citation(provision, "phiếu chấm điểm")
        self.para(f"Căn cứ {cite}, thành viên Hội đồng chấm điểm theo thang điểm {rules['scale']} như sau:")
        self.table = self.score_table(rules, candidate.scores if candidate else {})
        total = sum((candidate.scores if candidate else {}).values())
        self.after.append(Para(runs=[Run(text=f"Tổng số điểm: {_number(total)}/{rules['scale']} điểm "
                                              f"(được xem xét giao làm chủ đầu tư khi đạt từ {rules['pass_mark']} "
                                              "điểm trở lên)./.")]))
        self.signer = (["NGƯỜI CHẤM ĐIỂM"], scorer.name if scorer else "…")

    def score_table(self, rules: dict, scores: dict[str, float]) -> ComparisonTable:
        rows = []
        for i, crit in enumerate(rules["criteria"], 1):
            given = scores.get(crit["id"])
            if given is not None and not 0 <= given <= crit["max"]:
                self.citer.issue(Severity.ERROR, "phiếu chấm điểm", f"điểm «{crit['name']}» là {_number(given)}, vượt "
                                 f"mức tối đa {crit['max']}")
            rows.append([Cell(paragraphs=[[Run(text=str(i))]]), Cell(paragraphs=[[Run(text=crit["name"])]]),
                         Cell(paragraphs=[[Run(text=str(crit["max"]))]]),
                         Cell(paragraphs=[[Run(text=_number(given) if given is not None else "")]])])
        total = sum(scores.values())
        rows.append([Cell(paragraphs=[[Run(text="")]]), Cell(paragraphs=[[Run(text="Tổng cộng", bold=True)]]),
                     Cell(paragraphs=[[Run(text=str(rules["scale"]), bold=True)]]),
                     Cell(paragraphs=[[Run(text=_number(total) if scores else "", bold=True)]])])
        return ComparisonTable(title="", reference="", headers=["TT", "Tiêu chí", "Điểm tối đa", "Điểm chấm"],
                               rows=rows, widths=[12.0, 95.0, 29.0, 29.0])

    def bien_ban_hoi_dong(self) -> None:
        c, council = self.cluster, self.proc.council
        assert council is not None
        provision, rules = council_rules(self.a.at)
        self.para(f"Thời gian, địa điểm: {council.meeting or '…'}.")
        self.para("Thành phần:", "heading", bold=True)
        for m in council.members:
            self.para(f"- Ông (bà) {m.name}, {m.position}: {ROLE_WORDS[m.role]};")
        self.para("Nội dung:", "heading", bold=True)
        cite = self.citation(provision, "biên bản")
        self.para(f"Hội đồng đánh giá, chấm điểm hồ sơ đề nghị làm chủ đầu tư xây dựng hạ tầng kỹ thuật {c.name} "
                  f"theo {cite}. Kết quả chấm điểm (điểm trung bình của các thành viên) như sau:")
        crits = rules["criteria"]
        rows, totals = [], []
        for i, cand in enumerate(council.candidates, 1):
            total = sum(cand.scores.get(k["id"], 0) for k in crits)
            totals.append((total, cand.name))
            rows.append([Cell(paragraphs=[[Run(text=str(i))]]), Cell(paragraphs=[[Run(text=cand.name)]])]
                        + [Cell(paragraphs=[[Run(text=_number(cand.scores.get(k["id"], 0)))]]) for k in crits]
                        + [Cell(paragraphs=[[Run(text=_number(total), bold=True)]])])
        headers = ["TT", "Đơn vị"] + [f"{k.get('short', k['name'])} (tối đa {k['max']})" for k in crits] \
            + ["Tổng điểm"]
        share = (165.0 - 9.0 - 44.0 - 20.0) / len(crits)
        self.table = ComparisonTable(title="", reference="", headers=headers, rows=rows,
                                     widths=[9.0, 44.0] + [share] * len(crits) + [20.0])
        self.after.append(Para(kind="heading", runs=[Run(text="Kết luận:", bold=True)]))
        self.after.append(Para(runs=[Run(text=self.council_conclusion(totals, rules))]))
        chair = next((m for m in council.members if m.role == "chu_tich"), None)
        secretary = next((m for m in council.members if m.role == "thu_ky"), None)
        self.after.append(Para(runs=[Run(text="Biên bản được lập, thông qua tại cuộc họp và được các thành viên "
                                              "Hội đồng nhất trí./.")]))
        self.signer = (["CHỦ TỊCH HỘI ĐỒNG"], chair.name if chair else "…")
        self.co_signer = (["THƯ KÝ HỘI ĐỒNG"], secretary.name if secretary else "…")

    def council_conclusion(self, totals: list[tuple[float, str]], rules: dict) -> str:
        passing = sorted([t for t in totals if t[0] >= rules["pass_mark"]], reverse=True)
        if not passing:
            return (f"Không có đơn vị đạt từ {rules['pass_mark']} điểm trở lên; Hội đồng đề xuất chưa giao chủ đầu "
                    "tư xây dựng hạ tầng kỹ thuật cụm công nghiệp.")
        best = [name for score, name in passing if score == passing[0][0]]
        if len(best) > 1:
            return (f"Các đơn vị {', '.join(best)} có số điểm cao nhất bằng nhau ({_number(passing[0][0])} điểm); "
                    f"giao theo đề xuất của Chủ tịch Hội đồng ({rules['tie_rule']}).")
        return (f"{best[0]} đạt {_number(passing[0][0])} điểm, từ {rules['pass_mark']} điểm trở lên và cao nhất; "
                f"Hội đồng đề xuất Ủy ban nhân dân tỉnh xem xét, giao {best[0]} làm chủ đầu tư xây dựng hạ tầng kỹ "
                "thuật cụm công nghiệp tại Quyết định thành lập, mở rộng cụm công nghiệp.")

    # ------------------------------------------------------------------------- header values
    def code(self) -> str:
        _, type_code, _ = KINDS[self.spec.kind]
        p = self.a.profile
        code = p.typed_code(type_code) if type_code else p.cong_van_code()
        return f"{self.spec.date.year}/{code}" if self.spec.kind == "qd_quy_che" else code  # a QPPL: số/năm/ký hiệu

    def number(self) -> str:
        return f" {self.spec.number:02d}" if self.spec.number else " " * 6


def build_procedure(a: _Assembler) -> AssembledDraft:
    """The procedure document's content (called by assemble's builder for PROCEDURE_KINDS)."""
    b = _Builder(a)
    spec, p = a.spec, a.profile
    getattr(b, spec.kind)()
    type_name, _, _ = KINDS[spec.kind]
    lines, name = b.signer or (p.signer(spec.signer).block_lines(), p.signer(spec.signer).name)
    lines = [part.strip() for line in lines for part in line.split(" / ")]  # TM. / KT. / chức vụ
    lines = FORM_SIGNER.get(spec.kind, []) + lines
    distribution = a.distribution()
    if spec.kind == "qd_thanh_lap" and not any(x.startswith("Bộ Công Thương") for x in distribution):
        distribution.insert(-1, "Bộ Công Thương")  # khoản 4 Điều 10 NĐ 32/2024: gửi Bộ Công Thương 01 bản
    number_line = "" if spec.kind == "phieu_cham_diem" else f"Số:{b.number()}/{b.code()}"
    return AssembledDraft(
        kind=spec.kind, kind_label=KIND_LABELS[spec.kind], as_of=a.at, profile=p,
        parent_header=p.parent_header, agency_header=p.agency_header, number_line=number_line,
        place_date=f"{p.place}, {vn_date(spec.date)}", type_name=type_name, subject=spec.subject,
        recipients=spec.recipients, body=a.body, signer_lines=lines, signer_name=name,
        distribution=distribution, comparison=b.annex, table=b.table, after=b.after,
        attachment=b.attachment, co_signer_lines=b.co_signer[0] if b.co_signer else [],
        co_signer_name=b.co_signer[1] if b.co_signer else "", citations=list(a.citer.cited.values()), suggestions=a.suggestions,
        issues=a.issues,
    )


def _skeleton(kind: str) -> list[Chapter]:
    """The chapters and articles of the form's Quy chế (TT 14/2024 Phụ lục II), from data."""
    from drafting.conditions import _load

    forms = _load("tt14_forms.yaml")
    return [Chapter.model_validate(ch) for ch in forms[kind][0]["chapters"]]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _roman(i: int) -> str:
    return ROMAN[i] if i < len(ROMAN) else str(i + 1)


def _ha(value: float) -> str:
    return f"{_number(value)} ha"


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return (f"{value:.2f}".rstrip("0").rstrip(".")).replace(".", ",")

