"""Import of the provinces' cluster reports into the register (kb/register.py).

Formats:
- XLSX (openpyxl; every sheet with a header row), CSV (UTF-8, "," or ";"), and DOCX tables with
  the same header row: one row per cluster and period. The header row is the first row that has
  the columns «Tỉnh» and «Tên cụm công nghiệp»; the other columns are optional (COLUMNS).
- DOCX tables of Biểu 03/04 (columns TT, Chỉ tiêu, …, Kết quả): a province's aggregates,
  for the province and period given; totals checked against their parts.

Each bad cell makes its row an error, in Vietnamese, naming the file, the sheet (or table), the
row, the column and the value expected; valid rows are stored. A file without the required
columns stores nothing and says which are missing. Numbers may be written the Vietnamese way
("50,38", "1.816,5"): "." is a thousands separator only before groups of three digits.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kb import register as reg

HINT_NUMBER = "một số không âm, ví dụ 12,5"


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    header: str
    kind: str  # text | province | period | area | percent | count | money | bool | enum | list
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("province", "Tỉnh", "province", aliases=("Tỉnh, thành phố", "Tỉnh/thành phố")),
    Column("name", "Tên cụm công nghiệp", "text", aliases=("Tên CCN", "Cụm công nghiệp")),
    Column("period", "Kỳ báo cáo", "period"),
    Column("commune", "Xã/phường", "text", aliases=("Địa điểm", "Địa điểm (xã/phường)", "Xã, phường")),
    Column("former_names", "Tên cũ/địa danh cũ", "list", aliases=("Tên cũ", "Tên cũ, địa danh cũ")),
    Column("cluster_type", "Loại cụm", "enum", ("làng nghề", "chuyên ngành", "đa ngành")),
    Column("in_plan", "Trong phương án phát triển", "bool"),
    Column("planned_area_ha", "Diện tích quy hoạch (ha)", "area"),
    Column("established_area_ha", "Diện tích thành lập (ha)", "area", aliases=("Diện tích (ha)",)),
    Column("decision", "Quyết định thành lập/mở rộng", "text", aliases=("Quyết định thành lập",)),
    Column("investor", "Chủ đầu tư hạ tầng", "text"),
    Column("investor_kind", "Loại chủ đầu tư", "enum", ("doanh nghiệp", "nhà nước")),
    Column("status", "Tình trạng", "text"),
    Column("operating", "Đã hoạt động", "bool"),
    Column("detailed_plan", "Đã duyệt quy hoạch chi tiết", "bool"),
    Column("infra_project", "Đã duyệt dự án hạ tầng", "bool"),
    Column("industrial_land_ha", "Đất công nghiệp (ha)", "area"),
    Column("ready_land_ha", "Đất công nghiệp đủ điều kiện cho thuê (ha)", "area"),
    Column("leased_ha", "Đất công nghiệp đã cho thuê (ha)", "area"),
    Column("fill_rate", "Tỷ lệ lấp đầy (%)", "percent"),
    Column("investment_approved_bn", "Tổng mức đầu tư hạ tầng (tỷ đồng)", "money"),
    Column("investment_paid_bn", "Vốn đã đầu tư hạ tầng (tỷ đồng)", "money"),
    Column("projects", "Số dự án", "count"),
    Column("projects_fdi", "Dự án FDI", "count"),
    Column("projects_operating", "Dự án đang hoạt động", "count"),
    Column("revenue_bn", "Doanh thu (tỷ đồng)", "money"),
    Column("budget_bn", "Nộp ngân sách (tỷ đồng)", "money"),
    Column("workers", "Lao động (người)", "count"),
    Column("avg_income_mil", "Thu nhập bình quân (triệu đồng/người/tháng)", "money"),
    Column("wastewater_plant", "Xử lý nước thải tập trung", "bool"),
    Column("wastewater_compliant", "Nước thải đạt chuẩn", "bool"),
    Column("roads", "Đường giao thông", "text"),
    Column("water_supply", "Cấp nước", "text"),
    Column("fire_safety", "Phòng cháy chữa cháy", "text"),
    Column("note", "Ghi chú", "text"),
)
HEADER_ROW = [c.header for c in COLUMNS]
REQUIRED = ("province", "name")
EXPECTED = {
    "area": "một diện tích không âm (ha), ví dụ 12,5",
    "money": HINT_NUMBER,
    "percent": "một tỷ lệ từ 0 đến 100 (%), ví dụ 90,64",
    "count": "một số nguyên không âm",
    "bool": "có/không (hoặc 1/0)",
    "period": "kỳ báo cáo dạng NĂM-H1 (6 tháng) hoặc NĂM-H2 (cả năm), ví dụ 2026-H1",
    "province": "tên một trong 34 tỉnh, thành phố từ ngày 01/7/2025 (ví dụ Lào Cai)",
}
TRUE = {"có", "co", "x", "1", "true", "đã", "rồi", "yes"}
FALSE = {"không", "khong", "0", "false", "chưa", "no"}
DECISION_NUMBER_RE = re.compile(r"(?:số\s+)?(\d+/[0-9A-Za-zĐđ\-]+)")
DATE_RE = re.compile(r"ngày\s+(\d{1,2})/(\d{1,2})/(\d{4})")


class RegisterImportError(ValueError):
    """A file that cannot be imported at all (unreadable, no header row, missing columns)."""


def _fold(text: str) -> str:
    return reg.fold(str(text)).rstrip(":")


HEADER_INDEX = {_fold(h): c for c in COLUMNS for h in (c.header, c.key, *c.aliases)}


# ----------------------------------------------------------------------------- cell values
def parse_number(value: Any) -> float | None:
    """A cell as a number: numbers as they are; text the Vietnamese or the plain way."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").rstrip("%")
    if not re.fullmatch(r"-?[\d.,]+", text):
        raise ValueError
    if "," in text and "." in text:
        text = text.replace(".", "").replace(",", ".")
    elif "," in text:
        text = text.replace(",", ".") if text.count(",") == 1 else text.replace(",", "")
    elif re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")
    return float(text)


def _convert(col: Column, value: Any, percent_cell: bool) -> Any:
    """The cell's value for the column, or ValueError."""
    if col.kind == "list":
        return [" ".join(x.split()) for x in re.split(r"[;\n]", reg.nfc(str(value))) if x.strip()]
    if col.kind in ("text", "province"):
        return " ".join(reg.nfc(str(value)).split())
    if col.kind == "bool":
        text = _fold(value) if not isinstance(value, bool) else ("1" if value else "0")
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise ValueError
    if col.kind == "enum":
        text = _fold(value)
        if text not in col.choices:
            raise ValueError
        return text
    if col.kind == "period":
        text = str(value).strip().upper()
        reg.period_bounds(text)
        return text
    number = parse_number(value)
    if col.kind == "percent":
        if percent_cell:
            number *= 100
        if not 0 <= number <= 100:
            raise ValueError
        return number
    if number < 0:
        raise ValueError
    if col.kind == "count":
        if number != int(number):
            raise ValueError
        return int(number)
    return number


def _expected(col: Column) -> str:
    if col.kind == "enum":
        return "một trong: " + ", ".join(col.choices)
    return EXPECTED.get(col.kind, "một giá trị hợp lệ")


# ----------------------------------------------------------------------------- readers
Row = tuple[int, list[Any], list[bool]]  # (row number as the user sees it, cells, percent-formatted)
Sheet = tuple[str, list[Row]]


def _xlsx_sheets(data: bytes) -> Iterator[Sheet]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for ws in book.worksheets:
            rows = []
            for row in ws.iter_rows():
                cells = [c.value for c in row]
                pct = [bool(getattr(c, "number_format", "") and "%" in c.number_format) for c in row]
                number = next((c.row for c in row if getattr(c, "row", None)), len(rows) + 1)
                rows.append((number, cells, pct))
            yield f"trang tính «{ws.title}»", rows
    finally:
        book.close()


def _csv_sheets(data: bytes) -> Iterator[Sheet]:
    text = data.decode("utf-8-sig")
    sample = text[:8192]
    delimiter = max(",;\t", key=sample.count)  # the separator used most (Excel writes ";" in vi-VN)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = [(i, cells, [False] * len(cells)) for i, cells in enumerate(reader, 1)]
    yield "trang tính «CSV»", rows


def _docx_tables(data: bytes) -> list[list[list[str]]]:
    from docx import Document

    doc = Document(io.BytesIO(data))
    return [[[cell.text.strip() for cell in row.cells] for row in table.rows] for table in doc.tables]


def _docx_sheets(data: bytes) -> Iterator[Sheet]:
    for n, table in enumerate(_docx_tables(data), 1):
        yield f"bảng {n}", [(i, cells, [False] * len(cells)) for i, cells in enumerate(table, 1)]


READERS: dict[str, Callable[[bytes], Iterator[Sheet]]] = {
    ".xlsx": _xlsx_sheets, ".xlsm": _xlsx_sheets, ".csv": _csv_sheets, ".docx": _docx_sheets}


# ----------------------------------------------------------------------------- import
def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header(cells: list[Any]) -> dict[int, Column] | None:
    found = {i: HEADER_INDEX[_fold(v)] for i, v in enumerate(cells) if not _blank(v) and _fold(v) in HEADER_INDEX}
    keys = {c.key for c in found.values()}
    return found if all(k in keys for k in REQUIRED) else None


def read_records(name: str, data: bytes, *, period: str | None = None, source: str | None = None,
                 synthetic: bool = False) -> tuple[list[reg.ClusterRecord], list[str], int]:
    """The valid rows of a file and the errors of the others: (records, errors, sheets read).
    `period` applies to rows without a «Kỳ báo cáo» cell."""
    suffix = Path(name).suffix.lower()
    if suffix not in READERS:
        raise RegisterImportError(f"{name}: định dạng {suffix or '(không đuôi)'} không được hỗ trợ — cần .xlsx, .csv hoặc .docx")
    if period is not None:
        reg.period_bounds(period)
    try:
        sheets = list(READERS[suffix](data))
    except Exception as exc:  # openpyxl, zip and csv errors alike
        raise RegisterImportError(f"{name}: không đọc được tệp ({type(exc).__name__}: {exc})") from None
    records: list[reg.ClusterRecord] = []
    errors: list[str] = []
    seen: dict[tuple[str, str], str] = {}
    used = 0
    for sheet, rows in sheets:
        header_at = next(((i, h) for i, (_, cells, _) in enumerate(rows) if (h := _header(cells))), None)
        if header_at is None:
            continue
        used += 1
        start, header = header_at
        for number, cells, pct in rows[start + 1:]:
            where = f"{name}, {sheet}, dòng {number}"
            origin = f"{reg.SYNTHETIC_SOURCE}: {name}" if synthetic else (source or name)
            rec = _record(where, cells, pct, header, period, origin, synthetic, errors)
            if rec is None:
                continue
            dup = seen.get((rec.key, rec.period))
            if dup:
                errors.append(f"{where}, cột «Tên cụm công nghiệp»: cụm «{rec.name}» tỉnh {rec.province} "
                              f"kỳ {rec.period} trùng với {dup} — mỗi cụm chỉ một dòng cho một kỳ")
                continue
            seen[(rec.key, rec.period)] = f"dòng {number} ({sheet})"
            records.append(rec)
    if not used:
        raise RegisterImportError(f"{name}: không thấy dòng tiêu đề có các cột «Tỉnh» và «Tên cụm công nghiệp» "
                           f"(mẫu tiêu đề: {', '.join(HEADER_ROW[:6])}, …)")
    return records, errors, used


def _record(where: str, cells: list[Any], pct: list[bool], header: dict[int, Column], period: str | None,
            source: str, synthetic: bool, errors: list[str]) -> reg.ClusterRecord | None:
    """A row's record, or None: blank (skipped) or with errors (appended, one per bad cell)."""
    if all(_blank(cells[i]) for i in header if i < len(cells)):
        return None
    values: dict[str, Any] = {}
    row_errors = []
    for i, col in header.items():
        value = cells[i] if i < len(cells) else None
        if _blank(value):
            if col.key in REQUIRED:
                row_errors.append(f"{where}, cột «{col.header}»: để trống — cần "
                                  f"{EXPECTED['province'] if col.key == 'province' else 'tên cụm công nghiệp'}")
            continue
        try:
            values[col.key] = _convert(col, value, pct[i] if i < len(pct) else False)
            if col.kind == "province":
                values[col.key] = reg.known_province(values[col.key])
        except reg.RegisterError:
            if col.kind != "province":
                row_errors.append(f"{where}, cột «{col.header}»: «{value}» không hợp lệ — cần {_expected(col)}")
                continue
            _, hint = reg.match_province(str(value))
            row_errors.append(f"{where}, cột «{col.header}»: «{value}» không phải tỉnh, thành phố"
                              f"{f' ({hint})' if hint else ''} — cần {EXPECTED['province']}")
        except ValueError:
            row_errors.append(f"{where}, cột «{col.header}»: «{value}» không hợp lệ — cần {_expected(col)}")
    row_period = values.pop("period", None) or period
    if row_period is None and not row_errors:
        row_errors.append(f"{where}, cột «Kỳ báo cáo»: để trống — cần {EXPECTED['period']} (hoặc cho kỳ của cả tệp)")
    if row_errors:
        errors.extend(row_errors)
        return None
    return _to_record(values, row_period, source, where, synthetic)


def _to_record(values: dict[str, Any], period: str, source: str, where: str, synthetic: bool) -> reg.ClusterRecord:
    identity = {k: values[k] for k in reg.CLUSTER_FIELDS if k in values and k not in ("name", "province")}
    if "decision" in identity:
        identity.update(decision_parts(identity["decision"]))
    figures = {k: values[k] for k in reg.FIGURE_FIELDS if k in values}
    location = where.split(", ", 1)[1] if ", " in where else where
    return reg.ClusterRecord(name=values["name"], province=values["province"], period=period, source=source,
                             location=location, synthetic=synthetic, identity=identity, figures=figures)


def decision_parts(text: str) -> dict[str, Any]:
    """«Quyết định số 949/QĐ-UBND ngày 06/5/2025 …» → its number and date (when written)."""
    out: dict[str, Any] = {}
    m = DECISION_NUMBER_RE.search(text)
    if m:
        out["decision_number"] = m.group(1)
    d = DATE_RE.search(text)
    if d:
        with contextlib.suppress(ValueError):
            out["decision_date"] = date(int(d.group(3)), int(d.group(2)), int(d.group(1)))
    return out


def import_file(store, path: Path | str, *, period: str | None = None, user: str = "dòng lệnh",
                data: bytes | None = None, name: str | None = None, province: str | None = None,
                synthetic: bool = False) -> reg.ImportResult:
    """Import one file (cluster rows, or a DOCX Biểu 03/04 with `province` and `period`) and audit
    it. Raises RegisterImportError when nothing in the file can be read as a report."""
    path = Path(path)
    data = path.read_bytes() if data is None else data
    name = name or path.name
    result = reg.ImportResult(file=name, sha256=hashlib.sha256(data).hexdigest(), period=period)
    if name.lower().endswith(".docx") and _is_form(data):
        return _import_form(store, name, data, province, period, result, user)
    records, errors, _ = read_records(name, data, period=period, synthetic=synthetic)
    result.errors = errors
    return reg.save_records(store, records, result, user=user)


# ----------------------------------------------------------------------------- Biểu 03/04
def _form_table(tables: list[list[list[str]]]) -> int | None:
    for n, table in enumerate(tables):
        head = [_fold(c) for c in (table[0] if table else [])]
        if any(h.startswith("chỉ tiêu") for h in head) and any(h.startswith("kết quả") for h in head):
            return n
    return None


def _is_form(data: bytes) -> bool:
    try:
        return _form_table(_docx_tables(data)) is not None
    except Exception:
        return False


def _import_form(store, name: str, data: bytes, province: str | None, period: str | None,
                 result: reg.ImportResult, user: str) -> reg.ImportResult:
    """A Biểu 03/04 table: each indicator's «Kết quả»; bad values and unknown codes are per-row
    errors; totals against their parts are checked on what was read (an error each)."""
    if not province or not period:
        raise RegisterImportError(f"{name}: bảng Biểu 04 cần cho biết tỉnh và kỳ báo cáo (--province, --period)")
    canonical, hint = reg.match_province(province)
    if canonical is None:
        raise RegisterImportError(f"{name}: «{province}» không phải tỉnh, thành phố{f' ({hint})' if hint else ''}")
    reg.period_bounds(period)
    tables = _docx_tables(data)
    n = _form_table(tables)
    table = tables[n]
    head = [_fold(c) for c in table[0]]
    col_code = 0
    col_value = next(i for i, h in enumerate(head) if h.startswith("kết quả"))
    known = {code for code, _, unit in reg.BIEU_04 if unit}
    values: list[tuple[str, float | None, str]] = []
    for i, row in enumerate(table[1:], 2):
        code = row[col_code].strip().rstrip(".") if row else ""
        where = f"{name}, bảng {n + 1}, dòng {i}"
        if code not in known:
            continue
        cell = row[col_value] if col_value < len(row) else ""
        if _blank(cell):
            values.append((code, None, f"bảng {n + 1}, dòng {i}"))
            continue
        try:
            number = parse_number(cell)
            if number < 0 or (code == "19" and number > 100):
                raise ValueError
        except ValueError:
            result.errors.append(f"{where}, cột «Kết quả», chỉ tiêu {code}: «{cell}» không hợp lệ — cần {HINT_NUMBER}"
                                 + (" (tỷ lệ từ 0 đến 100)" if code == "19" else ""))
            continue
        values.append((code, number, f"bảng {n + 1}, dòng {i}"))
    result.errors += reg.check_totals({c: v for c, v, _ in values}, f"{name} (tỉnh {canonical}, kỳ {period})")
    result.period = period
    from docx import Document

    heading = " ".join(p.text for p in Document(io.BytesIO(data)).paragraphs[:40]).casefold()
    form = "03" if "biểu số 03" in heading and "biểu số 04" not in heading else "04"
    return reg.save_form_values(store, canonical, period, form, values, result, user=user)
