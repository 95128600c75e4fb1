"""The periodic reports of Thông tư 14/2024/TT-BCT from the cluster register (kb/register.py).

- `form04_values`: a province's Biểu số 04 for a period, computed from its clusters' figures (or,
  for a province that sent only its Biểu 04 table, the values it reported), totals checked
  against their parts (`RegisterError` when they do not add up).
- `form04_xlsx`: that Biểu 04 as XLSX in the form's layout (TT, Chỉ tiêu, Đơn vị tính, Kết quả,
  Ghi chú; rows in the order of Phụ lục I).
- `national_summary` / `national_xlsx`: every province's key indicators and the country's total,
  each total checked against the sum of the provinces.
- `national_docx` (and `province_docx`): a báo cáo in the format of Nghị định 30/2020/NĐ-CP, built
  by the drafting pipeline (spec → assemble → the bao_cao_ra_soat template), with an annex of
  tables and charts.
- `chart_png`: matplotlib (Agg) charts — filling rate by province, clusters by state — for the
  DOCX and the web UI.

Synthetic rows (scale tests) are left out unless `include_synthetic`; a report that includes
them says so in its title.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import date
from typing import Any

from docx.document import Document as DocumentObject
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from drafting.assemble import assemble
from drafting.render import render_document, template_for
from drafting.spec import parse_spec
from kb import register as reg
from kb.register import BIEU_04, BIEU_04_CODES, NOT_ADDITIVE, RegisterError, vn_number

NATIONAL_COLUMNS = ("1", "2", "3", "4", "15", "16", "17", "18", "19", "20", "25", "26", "27")
SHORT_LABELS = {"1": "Số CCN theo phương án", "2": "Diện tích theo phương án (ha)", "3": "Số CCN đã thành lập",
                "4": "Diện tích đã thành lập (ha)", "15": "Số CCN đã hoạt động", "16": "Diện tích đã hoạt động (ha)",
                "17": "Đất công nghiệp (ha)", "18": "Đất CN đã cho thuê (ha)", "19": "Tỷ lệ lấp đầy (%)",
                "20": "Số dự án", "25": "Lao động (người)", "26": "Có XLNT tập trung", "27": "XLNT đạt chuẩn"}
RECEIVER = "Ủy ban nhân dân cấp tỉnh, Bộ Công Thương (Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công)"


# ----------------------------------------------------------------------------- computing
def _area(e: dict[str, Any]) -> float:
    return e["established_area_ha"] or e["planned_area_ha"] or 0.0


def _sum(entries: list[dict[str, Any]], key: str) -> float | None:
    values = [e["figures"][key] for e in entries if e["figures"] and e["figures"].get(key) is not None]
    return float(sum(values)) if values else None


def compute_form04(entries: list[dict[str, Any]], period: str) -> dict[str, float | None]:
    """Biểu 04 from the clusters of one province: `entries` as `province_figures` gives them
    (every cluster, with its figures of `period` or None). A value no cluster reports is None."""
    start, end = reg.period_bounds(period)
    with_figures = [e for e in entries if e["figures"]]
    planned = [e for e in entries if e["in_plan"]]
    established = [e for e in entries if e["decision"] or e["established_area_ha"] is not None]
    in_period = [e for e in established if e["decision_date"] and start <= date.fromisoformat(e["decision_date"]) <= end]
    enterprise = [e for e in established if e["investor_kind"] == "doanh nghiệp"]
    detailed = [e for e in with_figures if e["figures"].get("detailed_plan")]
    infra = [e for e in with_figures if e["figures"].get("infra_project")]
    operating = [e for e in with_figures if is_operating(e["figures"])]
    op_established = [e for e in operating if e in established]
    op_other = [e for e in operating if e not in established]
    v: dict[str, float | None] = {
        "1": len(planned), "2": sum(e["planned_area_ha"] or 0.0 for e in planned),
        "3": len(established), "4": sum(_area(e) for e in established),
        "5": len(in_period), "6": sum(_area(e) for e in in_period),
        "7": len(enterprise), "8": sum(_area(e) for e in enterprise),
        "9": len(detailed), "10": sum(_area(e) for e in detailed),
        "11": len(infra), "12": sum(_area(e) for e in infra),
        "13": _sum(with_figures, "investment_approved_bn"), "14": _sum(with_figures, "investment_paid_bn"),
        "15": len(operating), "15.1": len(op_established), "15.2": len(op_other),
        "15.3": sum(1 for e in operating if e["cluster_type"] == "làng nghề"),
        "15.4": sum(1 for e in operating if e["cluster_type"] == "chuyên ngành"),
        "16": sum(_area(e) for e in operating), "16.1": sum(_area(e) for e in op_established),
        "16.2": sum(_area(e) for e in op_other),
        "16.3": sum(_area(e) for e in operating if e["cluster_type"] == "làng nghề"),
        "16.4": sum(_area(e) for e in operating if e["cluster_type"] == "chuyên ngành"),
        "17": _sum(operating, "industrial_land_ha"), "18": _sum(operating, "leased_ha"),
        "20": _sum(with_figures, "projects"), "21": _sum(with_figures, "projects_fdi"),
        "22": _sum(with_figures, "projects_operating"), "23": _sum(with_figures, "revenue_bn"),
        "24": _sum(with_figures, "budget_bn"), "25": _sum(with_figures, "workers"),
        "26": sum(1 for e in with_figures if e["figures"].get("wastewater_plant")),
        "27": sum(1 for e in with_figures if e["figures"].get("wastewater_compliant")),
    }
    v["19"] = _rate(v["17"], v["18"])
    return {code: (round(float(x), 4) if x is not None else None) for code, x in v.items()}


def is_operating(f: dict[str, Any] | None) -> bool:
    """Đã hoạt động (Biểu 04 mục 15: "đã có dự án đầu tư trong cụm"): reported so, or, when not
    reported, evident from land leased, a filling rate or projects above zero."""
    if not f:
        return False
    if f.get("operating") is not None:
        return bool(f["operating"])
    return any((f.get(k) or 0) > 0 for k in ("fill_rate", "leased_ha", "projects", "projects_operating"))


def _rate(land: float | None, leased: float | None) -> float | None:
    return round(100.0 * leased / land, 2) if land and leased is not None else None


def form04_values(store, province: str, period: str, *, include_synthetic: bool = False) -> dict[str, float | None]:
    """The province's Biểu 04 for the period: from its clusters when any has figures for the period,
    else the Biểu 04 it sent (imported DOCX table). Raises RegisterError when the province has
    neither, or when a total differs from the sum of its parts."""
    name = reg.known_province(province)
    entries = reg.province_figures(store, name, period, include_synthetic=include_synthetic)
    if any(e["figures"] for e in entries):
        values = compute_form04(entries, period)
    else:
        values = reg.form_values_for(store, name, period)
        if not values:
            raise RegisterError(f"chưa có số liệu kỳ {period} của tỉnh {name} trong cơ sở dữ liệu cụm công nghiệp")
    errors = reg.check_totals(values, f"Biểu 04 tỉnh {name}, kỳ {period}")
    if errors:
        raise RegisterError("; ".join(errors))
    return values


def national_summary(store, period: str, *, include_synthetic: bool = False) -> dict[str, Any]:
    """Every province with data for the period, its Biểu 04, and the country's total: additive
    indicators summed, the filling rate recomputed (18/17). The total is checked against the
    sum of its parts once more, indicator by indicator."""
    rows = {p: form04_values(store, p, period, include_synthetic=include_synthetic)
            for p in reg.provinces_with_data(store, period, include_synthetic)}
    if not rows:
        raise RegisterError(f"chưa có số liệu kỳ {period} trong cơ sở dữ liệu cụm công nghiệp")
    total: dict[str, float | None] = {}
    for code in BIEU_04_CODES:
        if code in NOT_ADDITIVE:
            continue
        values = [v[code] for v in rows.values() if v.get(code) is not None]
        total[code] = round(sum(values), 4) if values else None
    total["19"] = _rate(total.get("17"), total.get("18"))
    errors = reg.check_totals(total, f"tổng hợp cả nước, kỳ {period}")
    errors += [f"tổng hợp cả nước, kỳ {period}: chỉ tiêu {code} = {vn_number(total[code])} khác tổng các tỉnh"
               for code in BIEU_04_CODES if code not in NOT_ADDITIVE and total.get(code) is not None
               and abs(total[code] - sum(v[code] or 0 for v in rows.values())) > reg.TOLERANCE]
    if errors:
        raise RegisterError("; ".join(errors))
    return {"period": period, "provinces": rows, "total": total, "synthetic": include_synthetic}


# ----------------------------------------------------------------------------- XLSX
def _fmt(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _sheet_form04(ws, values: dict[str, float | None], title_unit: str, period: str, notes: dict[str, str]) -> None:
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.append(["Biểu số 04"])
    ws.append(["Tổng hợp tình hình cụm công nghiệp trên địa bàn cấp tỉnh"])
    ws.append([f"Đơn vị gửi báo cáo: {title_unit}"])
    ws.append([f"Đơn vị nhận báo cáo: {RECEIVER}"])
    ws.append([f"Kỳ báo cáo: {reg.period_label(period)} ({period})"])
    ws.append([])
    header_row = ws.max_row + 1
    ws.append(["TT", "Chỉ tiêu", "Đơn vị tính", "Kết quả (Luỹ kế đến thời điểm báo cáo)", "Ghi chú"])
    ws.append(["(1)", "(2)", "(3)", "(4)", "(5)"])
    for code, label, unit in BIEU_04:
        ws.append([code, label, unit, _fmt(values.get(code)) if unit else None, notes.get(code, "")])
        if not unit:
            for cell in ws[ws.max_row]:
                cell.font = Font(name="Times New Roman", bold=True)
    for row in ws.iter_rows(min_row=header_row, max_row=ws.max_row, max_col=5):
        for cell in row:
            cell.border = box
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            if cell.font.name != "Times New Roman":
                cell.font = Font(name="Times New Roman", bold=cell.row in (header_row, header_row + 1))
    for row in ws.iter_rows(min_row=1, max_row=5):
        row[0].font = Font(name="Times New Roman", bold=row[0].row <= 2)
    for col, width in zip("ABCDE", (7, 70, 11, 20, 40), strict=True):
        ws.column_dimensions[col].width = width


def _notes(values: dict[str, float | None]) -> dict[str, str]:
    return {code: "chưa có số liệu" for code in BIEU_04_CODES if values.get(code) is None}


def form04_xlsx(store, province: str, period: str, *, include_synthetic: bool = False) -> bytes:
    """The province's Biểu 04 for the period as XLSX, in the form's layout."""
    from openpyxl import Workbook

    values = form04_values(store, province, period, include_synthetic=include_synthetic)
    name = reg.match_province(province)[0]
    book = Workbook()
    ws = book.active
    ws.title = "Biểu 04"
    _sheet_form04(ws, values, f"Sở Công Thương {_level(name)} {name}", period, _notes(values))
    return _save(book)


def _level(name: str) -> str:
    return next((p.level for p in reg.provinces() if p.name == name), "tỉnh")


def national_xlsx(store, period: str, *, include_synthetic: bool = False) -> bytes:
    """The national summary: a sheet of key indicators by province (and the total), and the
    country's Biểu 04 in the form's layout."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    summary = national_summary(store, period, include_synthetic=include_synthetic)
    book = Workbook()
    ws = book.active
    ws.title = "Tổng hợp theo tỉnh"
    ws.append([f"Tổng hợp tình hình cụm công nghiệp cả nước, {reg.period_label(period)} ({period})"
               + (" — CÓ DỮ LIỆU SINH ĐỂ THỬ TẢI, KHÔNG PHẢI SỐ LIỆU THẬT" if include_synthetic else "")])
    ws.append(["STT", "Tỉnh, thành phố", *[f"({c}) {SHORT_LABELS[c]}" for c in NATIONAL_COLUMNS]])
    for i, (province, values) in enumerate(summary["provinces"].items(), 1):
        ws.append([i, province, *[_fmt(values.get(c)) for c in NATIONAL_COLUMNS]])
    ws.append(["", "Cả nước", *[_fmt(summary["total"].get(c)) for c in NATIONAL_COLUMNS]])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.column_dimensions["B"].width = 22
    _sheet_form04(book.create_sheet("Biểu 04 cả nước"), summary["total"], "tổng hợp của các Sở Công Thương",
                  period, _notes(summary["total"]))
    return _save(book)


def _save(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ----------------------------------------------------------------------------- charts
def chart_png(store, period: str, kind: str = "fill", *, province: str | None = None,
              include_synthetic: bool = False) -> bytes:
    """A PNG chart: `fill` — filling rate by province (Biểu 04 chỉ tiêu 19), or by cluster when a
    province is given; `status` — clusters by state (operating, established, in the plan only,
    out of the plan)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    if kind == "fill":
        if province:
            entries = [e for e in reg.province_figures(store, reg.match_province(province)[0] or province, period,
                                                       include_synthetic=include_synthetic)
                       if e["figures"] and e["figures"].get("fill_rate") is not None]
            labels, values = [e["name"] for e in entries], [e["figures"]["fill_rate"] for e in entries]
            title = f"Tỷ lệ lấp đầy các cụm công nghiệp tỉnh {province}, kỳ {period}"
        else:
            summary = national_summary(store, period, include_synthetic=include_synthetic)
            pairs = [(p, v.get("19")) for p, v in summary["provinces"].items() if v.get("19") is not None]
            labels, values = [p for p, _ in pairs], [v for _, v in pairs]
            title = f"Tỷ lệ lấp đầy bình quân theo tỉnh, kỳ {period}"
        fig, ax = plt.subplots(figsize=(8, max(2.5, 0.28 * len(labels) + 1)))
        ax.barh(labels[::-1], values[::-1], color="#3b6ea5")
        ax.axvline(50, color="#b03030", linestyle="--", linewidth=1)
        ax.set_xlim(0, 100)
        ax.set_xlabel("%")
    elif kind == "status":
        counts = status_counts(store, period, province=province, include_synthetic=include_synthetic)
        labels, values = list(counts), list(counts.values())
        title = f"Cụm công nghiệp theo tình trạng{f' — tỉnh {province}' if province else ''}, kỳ {period}"
        fig, ax = plt.subplots(figsize=(8, 3))
        ax.barh(labels[::-1], values[::-1], color="#5a8f4e")
        ax.set_xlabel("số cụm")
    else:
        raise RegisterError(f"loại biểu đồ «{kind}» không hợp lệ (có: fill, status)")
    if include_synthetic:
        title += "\n(dữ liệu sinh để thử tải, không phải số liệu thật)"
    ax.set_title(title, fontsize=10)
    ax.tick_params(labelsize=8)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120)
    plt.close(fig)
    return buffer.getvalue()


def status_counts(store, period: str, *, province: str | None = None, include_synthetic: bool = False) -> dict[str, int]:
    """Clusters by state for the period: đã hoạt động, đã thành lập (chưa hoạt động), trong quy
    hoạch (chưa thành lập), ngoài quy hoạch."""
    names = [province] if province else reg.provinces_with_data(store, period, include_synthetic)
    counts: Counter[str] = Counter()
    for name in names:
        for e in reg.province_figures(store, reg.match_province(name)[0] or name, period,
                                      include_synthetic=include_synthetic):
            if is_operating(e["figures"]):
                counts["đã hoạt động"] += 1
            elif e["decision"] or e["established_area_ha"] is not None:
                counts["đã thành lập, chưa hoạt động"] += 1
            elif e["in_plan"]:
                counts["trong quy hoạch, chưa thành lập"] += 1
            else:
                counts["ngoài quy hoạch"] += 1
    return dict(counts)


# ----------------------------------------------------------------------------- DOCX
def _spec(summary: dict[str, Any], period: str, profile: str, recipients: list[str], scope: str) -> dict[str, Any]:
    """The báo cáo as a drafting spec: its text states the figures; the tables go to the annex."""
    t = summary["total"]
    n = len(summary["provinces"])

    def num(code: str, unit: str = "") -> str:
        return f"{vn_number(t[code])}{unit}" if t.get(code) is not None else "chưa có số liệu"

    overview = (
        f"Tổng hợp số liệu của {n} tỉnh, thành phố có báo cáo: theo phương án phát triển cụm công nghiệp "
        f"có {num('1')} cụm công nghiệp với tổng diện tích {num('2', ' ha')}; đã thành lập {num('3')} cụm với "
        f"tổng diện tích {num('4', ' ha')}, trong đó {num('7')} cụm do doanh nghiệp làm chủ đầu tư hạ tầng kỹ thuật.")
    operation = (
        f"Có {num('15')} cụm công nghiệp đã hoạt động với tổng diện tích {num('16', ' ha')}; diện tích đất công nghiệp "
        f"đã cho thuê {num('18', ' ha')}, tỷ lệ lấp đầy bình quân {num('19', ' %')}; {num('20')} dự án đầu tư sản xuất "
        f"kinh doanh, {num('25')} lao động.")
    environment = (
        f"Có {num('26')} cụm công nghiệp đã và đang đầu tư hệ thống xử lý nước thải tập trung, trong đó "
        f"{num('27')} cụm có hệ thống đạt tiêu chuẩn môi trường. Số liệu chi tiết theo từng tỉnh, thành phố "
        f"và theo Biểu số 04 tại Phụ lục kèm theo.")
    label = reg.period_label(period)
    synthetic = " (có dữ liệu sinh để thử tải, không phải số liệu thật)" if summary.get("synthetic") else ""
    return {
        "kind": "bao_cao_ra_soat", "profile": profile,
        "subject": f"Tình hình cụm công nghiệp {scope} {label}{synthetic}",
        "recipients": recipients,
        "opening": (f"Thực hiện chế độ báo cáo định kỳ về cụm công nghiệp theo Điều 3 Thông tư số 14/2024/TT-BCT, "
                    f"trên cơ sở số liệu của Cơ sở dữ liệu cụm công nghiệp, tình hình cụm công nghiệp {scope} "
                    f"{label} như sau:"),
        "sections": [
            {"title": "Tình hình phát triển cụm công nghiệp", "points": [
                {"title": "Về phương án phát triển và thành lập cụm công nghiệp", "text": overview},
                {"title": "Về hoạt động của các cụm công nghiệp", "text": operation},
                {"title": "Về hạ tầng bảo vệ môi trường", "text": environment}]},
            {"title": "Đề xuất, kiến nghị", "points": [{"text": (
                "Đề nghị các địa phương rà soát, bổ sung số liệu còn thiếu theo Biểu số 04 Phụ lục I Thông tư số "
                "14/2024/TT-BCT và ưu tiên đầu tư hệ thống xử lý nước thải tập trung tại các cụm công nghiệp "
                "đã hoạt động.")}]},
        ],
        "comparison": {
            "title": "Căn cứ về chế độ báo cáo và cơ sở dữ liệu cụm công nghiệp",
            "documents": ["14/2024/TT-BCT", "32/2024/NĐ-CP"],
            "rows": [
                {"topic": "Chế độ báo cáo định kỳ về cụm công nghiệp",
                 "provisions": ["Điều 3 Thông tư 14/2024/TT-BCT", "khoản 1 Điều 30 Nghị định 32/2024/NĐ-CP"]},
                {"topic": "Xây dựng, vận hành cơ sở dữ liệu cụm công nghiệp",
                 "provisions": ["Điều 4 Thông tư 14/2024/TT-BCT", "khoản 2 Điều 28 Nghị định 32/2024/NĐ-CP"]},
            ],
        },
    }


def build_report(store, summary: dict[str, Any], period: str, *, profile: str, recipients: list[str],
                 scope: str, today: date | None = None):
    """(spec, assembled draft, python-docx Document): the báo cáo rendered through the drafting
    pipeline (approved form: no "DỰ THẢO", no reviewer's appendix), then the annex of tables and
    charts appended in its own section."""
    for number in ("14/2024/TT-BCT", "32/2024/NĐ-CP"):  # what the báo cáo cites
        doc = store.document(number)
        if doc is None or doc.is_stub:
            raise RegisterError(f"cơ sở tri thức chưa có toàn văn {number}, căn cứ của báo cáo: hãy nạp kho văn bản "
                                "(ccn ingest) rồi lập lại báo cáo")
    spec_data = _spec(summary, period, profile, recipients, scope)
    spec_data["date"] = (today or date.today()).isoformat()
    spec = parse_spec(spec_data, source=f"báo cáo CCN {period}")
    draft = assemble(spec, store)
    doc = render_document(draft, approved=True, template=template_for(spec.kind, spec))
    _annex(doc, store, summary, period)
    return spec, draft, doc


def _bytes(doc: DocumentObject) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def national_report(store, period: str, *, include_synthetic: bool = False, today: date | None = None):
    """The national báo cáo of Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công (profile
    cuc-dck): (spec, draft, Document)."""
    summary = national_summary(store, period, include_synthetic=include_synthetic)
    return build_report(store, summary, period, profile="cuc-dck", recipients=["Lãnh đạo Bộ Công Thương"],
                        scope="cả nước", today=today)


def national_docx(store, period: str, *, include_synthetic: bool = False, today: date | None = None) -> bytes:
    return _bytes(national_report(store, period, include_synthetic=include_synthetic, today=today)[2])


def province_docx(store, province: str, period: str, *, profile: str = "sct-lao-cai",
                  today: date | None = None) -> bytes:
    """A province's báo cáo to the Bộ Công Thương (the profile of its Sở Công Thương)."""
    name = reg.match_province(province)[0] or province
    summary = {"period": period, "provinces": {name: form04_values(store, name, period)}, "synthetic": False}
    summary["total"] = summary["provinces"][name]
    return _bytes(build_report(store, summary, period, profile=profile, recipients=["Bộ Công Thương"],
                               scope=f"trên địa bàn {_level(name)} {name}", today=today)[2])


def _annex(doc: DocumentObject, store, summary: dict[str, Any], period: str) -> None:
    """Phụ lục in its own section (page numbers from 1): the table by province, the Biểu 04
    total, the charts."""
    _new_section(doc)
    _para(doc, "Phụ lục số liệu", bold=True, center=True)
    _para(doc, f"SỐ LIỆU CỤM CÔNG NGHIỆP {reg.period_label(period).upper()}", bold=True, center=True)
    _para(doc, "(Kèm theo Báo cáo; số liệu từ Cơ sở dữ liệu cụm công nghiệp)", italic=True, center=True)
    codes = ("1", "3", "4", "15", "18", "19", "26")
    rows = [[p, *[vn_number(v.get(c)) for c in codes]] for p, v in summary["provinces"].items()]
    if len(rows) > 1:
        rows.append(["Tổng cộng", *[vn_number(summary["total"].get(c)) for c in codes]])
    _para(doc, "Bảng 1. Một số chỉ tiêu theo tỉnh, thành phố", bold=True)
    _table(doc, ["Tỉnh, thành phố", *[SHORT_LABELS[c] for c in codes]], rows, [30] + [19] * len(codes))
    _para(doc, "Bảng 2. Biểu số 04 (tổng hợp)", bold=True)
    form_rows = [[code, label, unit, vn_number(summary["total"].get(code)) if unit else ""]
                 for code, label, unit in BIEU_04]
    _table(doc, ["TT", "Chỉ tiêu", "Đơn vị tính", "Kết quả"], form_rows, [12, 100, 20, 25])
    province = next(iter(summary["provinces"])) if len(summary["provinces"]) == 1 else None
    for kind, caption in (("fill", "Hình 1. Tỷ lệ lấp đầy"), ("status", "Hình 2. Cụm công nghiệp theo tình trạng")):
        png = chart_png(store, period, kind, province=province, include_synthetic=summary.get("synthetic", False))
        doc.add_paragraph().add_run().add_picture(io.BytesIO(png), width=Mm(160))
        _para(doc, caption, italic=True, center=True)


def _new_section(doc: DocumentObject) -> None:
    import copy

    refs = [copy.deepcopy(r) for r in doc.sections[0]._sectPr.findall(qn("w:headerReference"))]
    doc.add_section(WD_SECTION.NEW_PAGE)
    new = doc.sections[-1]._sectPr
    for old in new.findall(qn("w:headerReference")):
        new.remove(old)
    for ref in reversed(refs):
        new.insert(0, ref)
    pg = new.find(qn("w:pgNumType"))
    if pg is None:
        pg = OxmlElement("w:pgNumType")
        new.append(pg)
    pg.set(qn("w:start"), "1")
    doc.sections[-1].different_first_page_header_footer = True


def _font(run, size: float, bold: bool = False, italic: bool = False) -> None:
    run.font.name = "Times New Roman"
    run.font.size = Pt(size)
    run.bold, run.italic = bold, italic
    r_pr = run._r.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), "Times New Roman")


def _para(doc: DocumentObject, text: str, *, bold: bool = False, italic: bool = False, center: bool = False,
          size: float = 13):
    p = doc.add_paragraph()
    _font(p.add_run(text), size, bold, italic)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_before = Pt(6)
    return p


def _table(doc: DocumentObject, header: list[str], rows: list[list[str]], widths_mm: list[float]) -> None:
    from drafting.layout import set_fixed_layout

    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, values in enumerate([header, *rows]):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            _font(cell.paragraphs[0].add_run(str(value)), 11, bold=r == 0)
    scale = 160 / sum(widths_mm)
    set_fixed_layout(table, [w * scale for w in widths_mm])
