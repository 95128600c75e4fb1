"""The facts of a cluster's procedure, as a spec gives them (trường `procedure:`).

The documents of the establishment procedure of Nghị định 32/2024/NĐ-CP (the investor's văn bản
đề nghị, the Sở Công Thương's báo cáo thẩm định and tờ trình, the investor-selection council's
decision, score sheets and minutes, the Ủy ban nhân dân cấp tỉnh's quyết định thành lập/mở rộng
and the quyết định ban hành Quy chế of TT 14/2024 Phụ lục II) are written from these facts: the
cluster's figures (area, the area added, the planned area, filling rates, shared infrastructure),
the investor, the dossier, the council's members and scores, the articles of a Quy chế.

A figure not given stays None: the condition that needs it is judged "chưa đủ căn cứ", never
guessed.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from drafting.specbase import SpecModel


class Cluster(SpecModel):
    """The cluster: "Cụm công nghiệp Bắc Văn Bàn", 58 ha, 20 ha more proposed."""

    name: str = Field(min_length=3)  # "Cụm công nghiệp Bắc Văn Bàn"
    location: str = Field(min_length=3)  # "xã Văn Bàn, tỉnh Lào Cai"
    action: Literal["thanh_lap", "mo_rong"]  # thành lập | mở rộng
    area_ha: float = Field(gt=0)  # thành lập: the area proposed; mở rộng: the existing area
    expansion_ha: float | None = Field(default=None, gt=0)  # mở rộng: the area added
    planned_area_ha: float | None = Field(default=None, gt=0)  # in the approved Danh mục / phương án
    in_plan: bool | None = None  # in the Danh mục các cụm công nghiệp of the province
    land_use_fit: bool | None = None  # quỹ đất phù hợp với quy hoạch sử dụng đất
    mountainous: bool = False  # địa bàn miền núi (the 05 ha minimum)
    craft_village: bool = False  # cụm công nghiệp làng nghề
    # thành lập: the clusters already established in the area (cấp huyện, nay cấp xã)
    area_has_clusters: bool | None = None
    area_average_fill_pct: float | None = Field(default=None, ge=0, le=100)
    area_unleased_industrial_ha: float | None = Field(default=None, ge=0)
    # mở rộng: the cluster's own filling rate, demand and shared infrastructure
    fill_pct: float | None = Field(default=None, ge=0, le=100)
    demand_exceeds_supply: bool | None = None
    infrastructure: dict[str, bool] = Field(default_factory=dict)  # work → completed and in use
    industries: list[str] = Field(default_factory=list)  # ngành nghề hoạt động chủ yếu
    investment_vnd_bn: float | None = Field(default=None, gt=0)  # tổng mức đầu tư, tỷ đồng
    funding: str | None = None  # cơ cấu nguồn vốn
    schedule: str | None = None  # tiến độ
    incentives: str | None = None  # ưu đãi, hỗ trợ đầu tư (nếu có)

    @property
    def total_ha(self) -> float:
        return self.area_ha + (self.expansion_ha or 0) if self.action == "mo_rong" else self.area_ha

    @property
    def action_word(self) -> str:
        return "thành lập" if self.action == "thanh_lap" else "mở rộng"


class Investor(SpecModel):
    """The enterprise proposing to be chủ đầu tư (Mẫu số 01 TT 14/2024, mục I)."""

    name: str = Field(min_length=3)
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    registration: str | None = None  # "Giấy chứng nhận đăng ký doanh nghiệp số …, cấp ngày …, nơi cấp …"
    business: str | None = None  # ngành nghề kinh doanh chính
    representative: str | None = None
    representative_title: str | None = None
    legal_status: bool | None = None  # có tư cách pháp lý (checked from the dossier)
    capacity: bool | None = None  # có năng lực đầu tư xây dựng hạ tầng kỹ thuật
    capacity_evidence: str | None = None  # "Báo cáo tài chính năm 2024, 2025 …"


class DossierItem(SpecModel):
    """A document of the dossier (khoản 1 Điều 9 NĐ 32/2024) and whether it was received."""

    item: str = Field(min_length=3)
    received: bool = True
    note: str = ""


class Member(SpecModel):
    name: str = Field(min_length=2)
    position: str = Field(min_length=2)  # "Phó Chủ tịch Ủy ban nhân dân tỉnh"
    role: Literal["chu_tich", "pho_chu_tich", "thanh_vien", "thu_ky"]


class Candidate(SpecModel):
    """An enterprise scored by the council: points per criterion id (data/council.yaml)."""

    name: str = Field(min_length=3)
    scores: dict[str, float] = Field(default_factory=dict)


class Council(SpecModel):
    """The Hội đồng đánh giá lựa chọn chủ đầu tư (khoản 2 Điều 13 NĐ 32/2024)."""

    members: list[Member] = Field(default_factory=list)
    candidates: list[Candidate] = Field(default_factory=list)
    scorer: str | None = None  # the member filling a score sheet (phiếu chấm điểm)
    meeting: str | None = None  # "09 giờ 00 ngày …, tại phòng họp …"
    decision_number: str | None = None  # the decision establishing it, once numbered


class Article(SpecModel):
    title: str = Field(min_length=2)
    text: str | list[str] = Field(default_factory=list)


class Chapter(SpecModel):
    title: str = Field(min_length=2)
    articles: list[Article] = Field(min_length=1)


class Procedure(SpecModel):
    """Everything a procedure document is written from."""

    cluster: Cluster | None = None
    investor: Investor | None = None
    dossier: list[DossierItem] = Field(default_factory=list)
    dossier_from: str | None = None  # "Ủy ban nhân dân xã Văn Bàn (Tờ trình số …)"
    council: Council | None = None
    basis: list[str] = Field(default_factory=list)  # căn cứ beyond the ones the kind always cites
    proposal: str | None = None  # "Theo đề nghị của Giám đốc Sở Công Thương tại Tờ trình số …"
    effective: str | None = None  # "kể từ ngày ký" / "từ ngày … tháng … năm …"
    regulation: list[Chapter] = Field(default_factory=list)  # the Quy chế attached (Mẫu 03, 04)
    appraisal_date: date | None = None  # of the báo cáo thẩm định the tờ trình / decision rests on
    findings: list[str] = Field(default_factory=list)  # the appraisers' own findings (Điều 11 khoản 2)
