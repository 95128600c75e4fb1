"""The national cluster register (cơ sở dữ liệu cụm công nghiệp, QĐ 130/QĐ-CTĐP Điều 2 khoản 7):
clusters as entities, their figures per reporting period, and the audit of every import.

- `register_clusters`: a cluster's identity (name, province after the 2025 mergers, commune, former
  names, type) and planning (planned and established area, the establishment or expansion
  decision as a citation, linked to the held document when the knowledge base has it, investor).
- `register_figures`: the figures of one cluster for one period ("2026-H1": the six-month report,
  "2026-H2": the year's, TT 14/2024 Điều 4): the indicators of Biểu 02 Phụ lục I TT 14/2024 and
  the infrastructure state. Re-importing a period adds new rows and marks the previous ones
  `current = False`: history is never overwritten.
- `register_imports`: who imported which file (SHA-256), when, for which period, with what result.

Every row carries its provenance: the source file and the place in it ("dòng 2045, Bảng 19").
Rows generated for scale tests have `synthetic = True` and the source «sinh tự động để thử tải»;
listings leave them out unless asked, and each entry says so.

The tables are created by migration 006_cluster_register (kb/schema.py), from the frozen DDL below.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, computed_field
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    func,
    select,
    update,
)
from sqlalchemy.engine import Connection

from kb import schema

metadata = MetaData()
PROVINCES_FILE = Path(__file__).resolve().parents[1] / "corpus" / "provinces-2025.yaml"
SYNTHETIC_SOURCE = "sinh tự động để thử tải (không phải số liệu thật)"
PERIOD_RE = re.compile(r"^(\d{4})-H([12])$")

clusters = Table(
    "register_clusters",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(300), nullable=False, unique=True),  # "<province>|<name folded>"
    Column("name", String(200), nullable=False),  # "CCN Âu Lâu"
    Column("province", String(100), nullable=False),
    Column("commune", String(300)),
    Column("former_names", JSON, nullable=False, default=list),  # former cluster or place names
    Column("cluster_type", String(50)),  # làng nghề | chuyên ngành | đa ngành
    Column("in_plan", Boolean),  # in the province's cluster development plan (phương án)
    Column("planned_area_ha", Float),
    Column("established_area_ha", Float),
    Column("decision", Text),  # "Quyết định số 949/QĐ-UBND ngày 06/5/2025 của UBND tỉnh Yên Bái"
    Column("decision_number", String(100)),
    Column("decision_date", Date),
    Column("decision_doc_key", String(300)),  # the document in the knowledge base, when held
    Column("investor", Text),
    Column("investor_kind", String(30)),  # doanh nghiệp | nhà nước
    Column("synthetic", Boolean, nullable=False, default=False),
    Column("source", Text, nullable=False),
    Column("location", Text),
    Column("updated_at", DateTime, nullable=False),
    Index("ix_regc_province", "province"),
)

figures = Table(
    "register_figures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("cluster_id", Integer, ForeignKey("register_clusters.id"), nullable=False),
    Column("period", String(10), nullable=False),
    Column("current", Boolean, nullable=False, default=True),
    Column("status", String(100)),  # đang hoạt động | đang GPMB | chưa thành lập | rút khỏi quy hoạch
    Column("operating", Boolean),  # has investment projects (đã hoạt động, Biểu 04 mục 15)
    Column("detailed_plan", Boolean),  # quy hoạch chi tiết đã phê duyệt
    Column("infra_project", Boolean),  # dự án đầu tư xây dựng hạ tầng kỹ thuật đã phê duyệt
    Column("industrial_land_ha", Float),
    Column("ready_land_ha", Float),  # Biểu 02 (3): đã xây dựng hạ tầng, đủ điều kiện cho thuê
    Column("leased_ha", Float),  # Biểu 02 (4)
    Column("fill_rate", Float),  # Biểu 02 (5), %
    Column("investment_approved_bn", Float),  # Biểu 02 (1), tỷ đồng
    Column("investment_paid_bn", Float),  # Biểu 02 (2)
    Column("projects", Integer),  # Biểu 02 (6)
    Column("projects_fdi", Integer),  # (7)
    Column("projects_operating", Integer),  # (8)
    Column("revenue_bn", Float),  # (9)
    Column("budget_bn", Float),  # (10)
    Column("workers", Integer),  # (11)
    Column("avg_income_mil", Float),  # (12), triệu đồng/người/tháng
    Column("wastewater_plant", Boolean),  # (13): đã hoặc đang đầu tư hệ thống XLNT tập trung
    Column("wastewater_compliant", Boolean),  # (14): đạt tiêu chuẩn môi trường
    Column("roads", String(100)),
    Column("water_supply", String(100)),
    Column("fire_safety", String(100)),
    Column("note", Text),
    Column("synthetic", Boolean, nullable=False, default=False),
    Column("source", Text, nullable=False),
    Column("location", Text),
    Column("import_id", Integer, ForeignKey("register_imports.id")),
    Index("ix_regf_period_current", "period", "current"),
    Index("ix_regf_cluster", "cluster_id", "current"),
)

imports = Table(
    "register_imports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("user_name", String(200), nullable=False),
    Column("file", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("period", String(10)),
    Column("rows_ok", Integer, nullable=False),
    Column("rows_failed", Integer, nullable=False),
    Column("replaced", Integer, nullable=False),  # figures of the period marked not current
    Column("errors", JSON, nullable=False, default=list),
)

# Province-level reports imported as the tables of Biểu 03/04 (one value per indicator).
form_values = Table(
    "register_form_values",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("province", String(100), nullable=False),
    Column("period", String(10), nullable=False),
    Column("form", String(4), nullable=False),  # "03" | "04"
    Column("code", String(10), nullable=False),  # "15.1"
    Column("value", Float),
    Column("current", Boolean, nullable=False, default=True),
    Column("source", Text, nullable=False),
    Column("location", Text),
    Column("import_id", Integer, ForeignKey("register_imports.id")),
    Index("ix_regv_province_period", "province", "period", "current"),
)

# The tables as migration 006_cluster_register created them, frozen (see kb.schema.M001_DDL).
M006_DDL = """
CREATE TABLE register_clusters (
    id {SERIAL} NOT NULL,
    {KEY} VARCHAR(300) NOT NULL,
    name VARCHAR(200) NOT NULL,
    province VARCHAR(100) NOT NULL,
    commune VARCHAR(300),
    former_names JSON NOT NULL,
    cluster_type VARCHAR(50),
    in_plan BOOLEAN,
    planned_area_ha FLOAT,
    established_area_ha FLOAT,
    decision TEXT,
    decision_number VARCHAR(100),
    decision_date DATE,
    decision_doc_key VARCHAR(300),
    investor TEXT,
    investor_kind VARCHAR(30),
    synthetic BOOLEAN NOT NULL,
    source TEXT NOT NULL,
    location TEXT,
    updated_at {TIMESTAMP} NOT NULL,
    PRIMARY KEY (id),
    UNIQUE ({KEY})
);
CREATE INDEX ix_regc_province ON register_clusters (province);
CREATE TABLE register_imports (
    id {SERIAL} NOT NULL,
    at {TIMESTAMP} NOT NULL,
    user_name VARCHAR(200) NOT NULL,
    file TEXT NOT NULL,
    sha256 VARCHAR(64) NOT NULL,
    period VARCHAR(10),
    rows_ok INTEGER NOT NULL,
    rows_failed INTEGER NOT NULL,
    replaced INTEGER NOT NULL,
    errors JSON NOT NULL,
    PRIMARY KEY (id)
);
CREATE TABLE register_figures (
    id {SERIAL} NOT NULL,
    cluster_id INTEGER NOT NULL,
    period VARCHAR(10) NOT NULL,
    current BOOLEAN NOT NULL,
    status VARCHAR(100),
    operating BOOLEAN,
    detailed_plan BOOLEAN,
    infra_project BOOLEAN,
    industrial_land_ha FLOAT,
    ready_land_ha FLOAT,
    leased_ha FLOAT,
    fill_rate FLOAT,
    investment_approved_bn FLOAT,
    investment_paid_bn FLOAT,
    projects INTEGER,
    projects_fdi INTEGER,
    projects_operating INTEGER,
    revenue_bn FLOAT,
    budget_bn FLOAT,
    workers INTEGER,
    avg_income_mil FLOAT,
    wastewater_plant BOOLEAN,
    wastewater_compliant BOOLEAN,
    roads VARCHAR(100),
    water_supply VARCHAR(100),
    fire_safety VARCHAR(100),
    note TEXT,
    synthetic BOOLEAN NOT NULL,
    source TEXT NOT NULL,
    location TEXT,
    import_id INTEGER,
    PRIMARY KEY (id),
    FOREIGN KEY(cluster_id) REFERENCES register_clusters (id),
    FOREIGN KEY(import_id) REFERENCES register_imports (id)
);
CREATE INDEX ix_regf_period_current ON register_figures (period, current);
CREATE INDEX ix_regf_cluster ON register_figures (cluster_id, current);
CREATE TABLE register_form_values (
    id {SERIAL} NOT NULL,
    province VARCHAR(100) NOT NULL,
    period VARCHAR(10) NOT NULL,
    form VARCHAR(4) NOT NULL,
    code VARCHAR(10) NOT NULL,
    value FLOAT,
    current BOOLEAN NOT NULL,
    source TEXT NOT NULL,
    location TEXT,
    import_id INTEGER,
    PRIMARY KEY (id),
    FOREIGN KEY(import_id) REFERENCES register_imports (id)
);
CREATE INDEX ix_regv_province_period ON register_form_values (province, period, current);
"""


def create_register_tables(conn: Connection) -> None:
    """Migration 006_cluster_register: the register's tables (frozen DDL)."""
    ddl = M006_DDL
    if conn.dialect.name == "postgresql":  # FLOAT is double precision there too; JSON as is
        ddl = ddl.replace(" FLOAT", " DOUBLE PRECISION")
    schema.run_ddl(conn, ddl)


class RegisterError(ValueError):
    """A request the register cannot serve (unknown period format, totals that do not add up…);
    the message is Vietnamese."""


# ----------------------------------------------------------------------------- vocabulary
def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Case- and space-insensitive form for matching names (diacritics kept: «Âu Lâu» ≠ «Au Lau»)."""
    return " ".join(nfc(text).casefold().split())


NAME_PREFIX_RE = re.compile(r"^(?:cụm\s+công\s+nghiệp|cụm\s+cn|ccn)\s+", re.IGNORECASE)


def bare_name(name: str) -> str:
    """«Cụm công nghiệp Âu Lâu», «Cụm CN Âu Lâu», «CCN Âu Lâu» → «Âu Lâu»."""
    return NAME_PREFIX_RE.sub("", " ".join(nfc(name).split())).strip()


def display_name(name: str) -> str:
    return f"CCN {bare_name(name)}"


def cluster_key(province: str, name: str) -> str:
    return f"{province}|{fold(bare_name(name))}"


@dataclass(frozen=True, slots=True)
class Province:
    name: str
    level: str  # tỉnh | thành phố
    former: tuple[str, ...]


@lru_cache(maxsize=1)
def provinces() -> tuple[Province, ...]:
    """The 34 provincial units after 01/7/2025 (corpus/provinces-2025.yaml)."""
    data = yaml.safe_load(PROVINCES_FILE.read_text(encoding="utf-8"))
    return tuple(Province(nfc(p["name"]), p["level"], tuple(nfc(f) for f in p.get("former", [])))
                 for p in data["provinces"])


PROVINCE_PREFIX_RE = re.compile(r"^(?:tỉnh|thành\s+phố|tp\.?)\s+", re.IGNORECASE)


def _province_fold(text: str) -> str:
    return fold(PROVINCE_PREFIX_RE.sub("", nfc(text).strip()).replace("TP.", ""))


def match_province(text: str) -> tuple[str | None, str | None]:
    """(the province's name, None) when `text` names one of the 34; else (None, a hint): a former
    province says which one absorbed it."""
    key = _province_fold(text)
    for p in provinces():
        if key == fold(p.name):
            return p.name, None
    for p in provinces():
        for former in p.former:
            if key == fold(former):
                return None, f"{former} đã hợp nhất vào {p.level} {p.name} từ ngày 01/7/2025"
    return None, None


def known_province(text: str) -> str:
    """The province's name, or RegisterError saying why not (a former province: where it went)."""
    name, hint = match_province(text)
    if name is None:
        raise RegisterError(f"«{text}» không phải tỉnh, thành phố{f' ({hint})' if hint else ''}: cần tên một trong "
                            "34 tỉnh, thành phố từ ngày 01/7/2025")
    return name


def period_bounds(period: str) -> tuple[date, date]:
    """«2026-H1» → 01/01/2026–30/6/2026; «2026-H2» (the year's report) → 01/7/2026–31/12/2026."""
    m = PERIOD_RE.match(period or "")
    if not m:
        raise RegisterError(f"kỳ báo cáo «{period}» không hợp lệ: cần dạng NĂM-H1 (6 tháng) hoặc NĂM-H2 (cả năm), ví dụ 2026-H1")
    year, half = int(m.group(1)), int(m.group(2))
    return (date(year, 1, 1), date(year, 6, 30)) if half == 1 else (date(year, 7, 1), date(year, 12, 31))


def period_label(period: str) -> str:
    year, half = period.split("-H")
    return f"6 tháng đầu năm {year}" if half == "1" else f"năm {year}"


# ----------------------------------------------------------------------------- records
CLUSTER_FIELDS = ("name", "province", "commune", "former_names", "cluster_type", "in_plan",
                  "planned_area_ha", "established_area_ha", "decision", "decision_number",
                  "decision_date", "investor", "investor_kind")
FIGURE_FIELDS = tuple(c.name for c in figures.columns
                      if c.name not in ("id", "cluster_id", "period", "current", "synthetic", "source",
                                        "location", "import_id"))


@dataclass(slots=True)
class ClusterRecord:
    """One valid row of an import: a cluster's identity and planning, and its figures for the
    period. None means "not reported" (kept as it was for identity fields)."""

    name: str
    province: str
    period: str | None  # None: identity and planning only, no figures
    source: str
    location: str = ""
    synthetic: bool = False
    identity: dict[str, Any] = field(default_factory=dict)  # CLUSTER_FIELDS but name, province
    figures: dict[str, Any] = field(default_factory=dict)  # FIGURE_FIELDS
    identity_source: str | None = None  # where identity and planning were read, when not `source`
    identity_location: str | None = None

    @property
    def key(self) -> str:
        return cluster_key(self.province, self.name)


class ImportResult(BaseModel):
    """What an import did: rows kept, the per-row errors (Vietnamese), figures replaced (the
    JSON of `ccn clusters import --json` and of POST /api/register/import)."""

    file: str
    sha256: str
    period: str | None
    rows_ok: int = 0
    errors: list[str] = []
    replaced: int = 0
    import_id: int | None = None
    form_values: int = 0

    @computed_field
    @property
    def rows_failed(self) -> int:
        return len(self.errors)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def held_document_key(conn: Connection, number: str | None) -> str | None:
    """The knowledge base's key of a decision when the document itself is held (not a stub)."""
    if not number:
        return None
    d = schema.documents
    row = conn.execute(select(d.c.key).where(d.c.number == nfc(number), d.c.is_stub.is_(False))).first()
    return row.key if row else None


def save_records(store, records: list[ClusterRecord], result: ImportResult, *, user: str,
                 errors_rows: int = 0) -> ImportResult:
    """Store an import's valid rows in one transaction: upsert each cluster, mark its previous
    figures of the period not current (kept as history), insert the new ones, audit the import."""
    with store.engine.begin() as conn:
        import_id = conn.execute(imports.insert().values(
            at=_now(), user_name=user, file=result.file, sha256=result.sha256, period=result.period,
            rows_ok=len(records), rows_failed=len(result.errors), replaced=0, errors=result.errors,
        )).inserted_primary_key[0]
        ids = _upsert_clusters(conn, records)
        replaced = _replace_figures(conn, records, ids, import_id)
        conn.execute(update(imports).where(imports.c.id == import_id).values(replaced=replaced))
    result.rows_ok, result.replaced, result.import_id = len(records), replaced, import_id
    return result


def _upsert_clusters(conn: Connection, records: list[ClusterRecord]) -> dict[str, int]:
    """Insert new clusters, update known ones: one statement per cluster (a file with ten periods
    of one cluster updates it once, with the identity of its last row)."""
    merged: dict[str, tuple[ClusterRecord, dict[str, Any]]] = {}
    for r in records:
        values = merged[r.key][1] if r.key in merged else {}
        values.update({k: v for k, v in r.identity.items() if v is not None})
        merged[r.key] = (r, values)
    keys = list(merged)
    existing: dict[str, int] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        existing.update({row.key: row.id for row in conn.execute(
            select(clusters.c.key, clusters.c.id).where(clusters.c.key.in_(chunk)))})
    now = _now()
    for key, (r, values) in merged.items():
        if "decision_number" in values:
            values["decision_doc_key"] = held_document_key(conn, values["decision_number"])
        where = {"source": r.identity_source or r.source, "location": r.identity_location or r.location}
        if key in existing:
            if values:
                conn.execute(update(clusters).where(clusters.c.id == existing[key]).values(
                    **values, updated_at=now, **where))
            continue
        existing[key] = conn.execute(clusters.insert().values(
            key=key, name=display_name(r.name), province=r.province, former_names=values.pop("former_names", []),
            synthetic=r.synthetic, updated_at=now, **where, **values,
        )).inserted_primary_key[0]
    return existing


def _replace_figures(conn: Connection, records: list[ClusterRecord], ids: dict[str, int],
                     import_id: int) -> int:
    replaced = 0
    by_period: dict[str, list[int]] = {}
    records = [r for r in records if r.period]  # identity-only rows (a plan's list) have no figures
    for r in records:
        by_period.setdefault(r.period, []).append(ids[r.key])
    for period, cluster_ids in by_period.items():
        for start in range(0, len(cluster_ids), 500):
            chunk = cluster_ids[start:start + 500]
            replaced += conn.execute(update(figures).where(
                figures.c.period == period, figures.c.current.is_(True), figures.c.cluster_id.in_(chunk),
            ).values(current=False)).rowcount or 0
    rows = [{**{f: r.figures.get(f) for f in FIGURE_FIELDS}, "cluster_id": ids[r.key], "period": r.period,
             "current": True, "synthetic": r.synthetic, "source": r.source, "location": r.location,
             "import_id": import_id} for r in records]
    for start in range(0, len(rows), 1000):
        conn.execute(figures.insert(), rows[start:start + 1000])
    return replaced


def imported_before(store, sha256: str, user: str) -> bool:
    """Whether these exact bytes were imported by `user` already (the corpus build runs once)."""
    with store.engine.connect() as conn:
        return conn.execute(select(imports.c.id).where(imports.c.sha256 == sha256,
                                                       imports.c.user_name == user).limit(1)).first() is not None


def save_form_values(store, province: str, period: str, form: str, values: list[tuple[str, float | None, str]],
                     result: ImportResult, *, user: str) -> ImportResult:
    """A province's Biểu 03/04 table: replaces that province's values for the period (history kept)."""
    with store.engine.begin() as conn:
        import_id = conn.execute(imports.insert().values(
            at=_now(), user_name=user, file=result.file, sha256=result.sha256, period=period,
            rows_ok=len(values), rows_failed=len(result.errors), replaced=0, errors=result.errors,
        )).inserted_primary_key[0]
        replaced = conn.execute(update(form_values).where(
            form_values.c.province == province, form_values.c.period == period, form_values.c.form == form,
            form_values.c.current.is_(True)).values(current=False)).rowcount or 0
        if values:
            conn.execute(form_values.insert(), [
                {"province": province, "period": period, "form": form, "code": code, "value": value,
                 "current": True, "source": result.file, "location": where, "import_id": import_id}
                for code, value, where in values])
        conn.execute(update(imports).where(imports.c.id == import_id).values(replaced=replaced))
    result.form_values, result.replaced, result.import_id = len(values), replaced, import_id
    return result


# ----------------------------------------------------------------------------- queries
MISSING = {  # reported as absent; unknown is not "missing"
    "wastewater": figures.c.wastewater_plant.is_(False),
    "decision": clusters.c.decision.is_(None),
}
SORTS = {
    "name": (clusters.c.province, clusters.c.name),
    "province": (clusters.c.province, clusters.c.name),
    "fill": (figures.c.fill_rate, clusters.c.name),
    "-fill": (figures.c.fill_rate.desc(), clusters.c.name),
    "area": (clusters.c.established_area_ha, clusters.c.name),
    "-area": (clusters.c.established_area_ha.desc(), clusters.c.name),
}


def _latest_period(conn: Connection) -> Any:
    """Per cluster, its latest period with current figures (periods sort as text)."""
    return (select(figures.c.cluster_id, func.max(figures.c.period).label("period"))
            .where(figures.c.current.is_(True)).group_by(figures.c.cluster_id).subquery())


def list_clusters(store, *, province: str | None = None, below_fill: float | None = None,
                  missing: str | None = None, period: str | None = None, sort: str = "name",
                  include_synthetic: bool = False, limit: int | None = None) -> list[dict[str, Any]]:
    """Clusters with their figures for `period` (default: each cluster's latest), filtered.

    `missing="wastewater"`: the clusters reported with no central wastewater plant (unknown is
    not "missing"); `missing="decision"`: no establishment decision recorded.
    `below_fill=50`: filling rate reported and below 50 %."""
    if period is not None:
        period_bounds(period)
    if missing is not None and missing not in MISSING:
        raise RegisterError(f"bộ lọc missing=«{missing}» không hợp lệ (có: {', '.join(MISSING)})")
    if sort not in SORTS:
        raise RegisterError(f"cách sắp xếp «{sort}» không hợp lệ (có: {', '.join(SORTS)})")
    with store.engine.connect() as conn:
        if period is None:
            latest = _latest_period(conn)
            join_on = and_(figures.c.cluster_id == latest.c.cluster_id, figures.c.period == latest.c.period,
                           figures.c.current.is_(True))
            base = clusters.outerjoin(latest, latest.c.cluster_id == clusters.c.id).outerjoin(figures, join_on)
        else:
            base = clusters.outerjoin(figures, and_(figures.c.cluster_id == clusters.c.id, figures.c.current.is_(True),
                                                    figures.c.period == period))
        query = select(clusters, *[figures.c[f] for f in FIGURE_FIELDS],
                       figures.c.period, figures.c.source.label("figures_source"),
                       figures.c.location.label("figures_location")).select_from(base)
        conds = []
        if period is not None:
            conds.append(figures.c.id.is_not(None))
        if province:
            conds.append(clusters.c.province == known_province(province))
        if below_fill is not None:
            conds.append(and_(figures.c.fill_rate.is_not(None), figures.c.fill_rate < below_fill))
        if missing:
            conds.append(MISSING[missing])
        if not include_synthetic:
            conds.append(clusters.c.synthetic.is_(False))
        query = query.where(*conds).order_by(*SORTS[sort])
        if limit:
            query = query.limit(limit)
        return [_entry(row) for row in conn.execute(query).mappings()]


def _entry(row) -> dict[str, Any]:
    """A cluster as the API, the CLI and answers show it, with its provenance."""
    out = {k: row[k] for k in ("id", "name", "province", "commune", "former_names", "cluster_type", "in_plan",
                               "planned_area_ha", "established_area_ha", "decision", "decision_doc_key",
                               "investor", "investor_kind", "synthetic")}
    out["decision_date"] = row["decision_date"].isoformat() if row["decision_date"] else None
    out["period"] = row["period"]
    out["figures"] = {f: row[f] for f in FIGURE_FIELDS} if row["period"] else None
    sources = [{"file": row["source"], "location": row["location"], "of": "danh tính, quy hoạch"}]
    if row["period"]:
        sources.append({"file": row["figures_source"], "location": row["figures_location"],
                        "of": f"số liệu kỳ {row['period']}"})
    out["sources"] = [SYNTHETIC_SOURCE_ENTRY] if row["synthetic"] else sources
    return out


SYNTHETIC_SOURCE_ENTRY = {"file": SYNTHETIC_SOURCE, "location": None, "of": "toàn bộ"}


def history(store, cluster_id: int) -> list[dict[str, Any]]:
    """Every figures row of a cluster, all periods, replaced ones included, oldest first, with the
    import that wrote it (who, when, file)."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(figures, imports.c.user_name, imports.c.at, imports.c.file, imports.c.sha256)
            .select_from(figures.outerjoin(imports, imports.c.id == figures.c.import_id))
            .where(figures.c.cluster_id == cluster_id).order_by(figures.c.period, figures.c.id)).mappings()
        return [{**{k: r[k] for k in ("period", "current", "source", "location", *FIGURE_FIELDS)},
                 "imported_by": r["user_name"], "imported_at": r["at"].isoformat() if r["at"] else None,
                 "sha256": r["sha256"]} for r in rows]


def import_log(store, limit: int = 50) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(imports).order_by(imports.c.id.desc()).limit(limit)).mappings()
        return [{**dict(r), "at": r["at"].isoformat()} for r in rows]


def periods(store) -> list[str]:
    with store.engine.connect() as conn:
        return [r[0] for r in conn.execute(select(figures.c.period).distinct().order_by(figures.c.period))]


def province_figures(store, province: str, period: str, *, include_synthetic: bool = True) -> list[dict[str, Any]]:
    """Every cluster of a province, with its current figures of `period` (None when not reported)."""
    with store.engine.connect() as conn:
        base = clusters.outerjoin(figures, and_(figures.c.cluster_id == clusters.c.id, figures.c.current.is_(True),
                                                figures.c.period == period))
        query = (select(clusters, *[figures.c[f] for f in FIGURE_FIELDS], figures.c.period,
                        figures.c.source.label("figures_source"), figures.c.location.label("figures_location"))
                 .select_from(base).where(clusters.c.province == province).order_by(clusters.c.name))
        if not include_synthetic:
            query = query.where(clusters.c.synthetic.is_(False))
        return [_entry(r) for r in conn.execute(query).mappings()]


def form_values_for(store, province: str, period: str) -> dict[str, float | None]:
    """A province's imported Biểu 04 (or 03) values for the period: {code: value}."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(form_values.c.code, form_values.c.value).where(
            form_values.c.province == province, form_values.c.period == period, form_values.c.form == "04",
            form_values.c.current.is_(True)))
        return {r.code: r.value for r in rows}


def provinces_with_data(store, period: str, include_synthetic: bool = False) -> list[str]:
    with store.engine.connect() as conn:
        q = (select(clusters.c.province).distinct()
             .select_from(clusters.join(figures, figures.c.cluster_id == clusters.c.id))
             .where(figures.c.period == period, figures.c.current.is_(True)))
        if not include_synthetic:
            q = q.where(clusters.c.synthetic.is_(False))
        names = {r[0] for r in conn.execute(q)}
        names |= {r[0] for r in conn.execute(select(form_values.c.province).distinct().where(
            form_values.c.period == period, form_values.c.form == "04", form_values.c.current.is_(True)))}
    order = [p.name for p in provinces()]
    return sorted(names, key=lambda n: order.index(n) if n in order else len(order))


# ----------------------------------------------------------------------------- questions
@lru_cache(maxsize=8192)
def _name_pattern(bare: str) -> re.Pattern[str]:
    words = r"\s+".join(re.escape(w) for w in bare.split())
    return re.compile(rf"(?:cụm\s+công\s+nghiệp|cụm\s+cn|ccn|cụm)\s+{words}(?![\w])", re.IGNORECASE)


def register_entry_for_question(store, text: str) -> list[dict[str, Any]]:
    """The register entries of the clusters a question names ("CCN Âu Lâu có đủ điều kiện mở rộng
    không?" → CCN Âu Lâu, tỉnh Lào Cai: its area, filling rate, decision, sources), to show beside
    the provisions that apply. A cluster is named only with its prefix (CCN, cụm công nghiệp, cụm
    CN, cụm), the longest name winning ("Phú Thịnh 1" over "Phú Thịnh"); synthetic rows never.
    Empty when the question names no registered cluster."""
    text = nfc(text)
    with store.engine.connect() as conn:
        rows = conn.execute(select(clusters.c.id, clusters.c.name, clusters.c.province)
                            .where(clusters.c.synthetic.is_(False))).all()
    found: list[tuple[int, int, int]] = []  # (start, end, id)
    for row in sorted(rows, key=lambda r: -len(r.name)):
        for m in _name_pattern(bare_name(row.name)).finditer(text):
            if not any(s <= m.start() < e for s, e, _ in found):
                found.append((m.start(), m.end(), row.id))
    if not found:
        return []
    wanted = [cid for _, _, cid in sorted(found)]
    named = [p.name for p in provinces() if re.search(rf"\b{re.escape(p.name)}\b", text, re.IGNORECASE)]
    entries = {e["id"]: e for e in list_clusters(store) if e["id"] in wanted}
    out = [entries[cid] for cid in dict.fromkeys(wanted) if cid in entries]
    if named:  # a province named in the question narrows clusters of the same name
        narrowed = [e for e in out if e["province"] in named]
        out = narrowed or out
    return out


def entry_text(entry: dict[str, Any]) -> str:
    """One line for an answer: «CCN Âu Lâu (phường Âu Lâu, tỉnh Lào Cai): thành lập 50 ha, tỷ lệ
    lấp đầy 90,64 % (kỳ 2025-H2) — nguồn: …»."""
    f = entry.get("figures") or {}
    parts = []
    if entry.get("established_area_ha") is not None:
        parts.append(f"diện tích {vn_number(entry['established_area_ha'])} ha")
    if entry.get("planned_area_ha") is not None:
        parts.append(f"theo quy hoạch {vn_number(entry['planned_area_ha'])} ha")
    if f.get("fill_rate") is not None:
        parts.append(f"tỷ lệ lấp đầy {vn_number(f['fill_rate'])} %")
    elif f.get("status"):
        parts.append(f["status"])
    if entry.get("decision"):
        parts.append(entry["decision"])
    where = ", ".join(x for x in (entry.get("commune"), f"tỉnh {entry['province']}") if x)
    period = f" (kỳ {entry['period']})" if entry.get("period") else ""
    src = "; ".join(s["location"] or s["file"] for s in entry["sources"])
    return f"{entry['name']} ({where}): {', '.join(parts) or 'chưa có số liệu'}{period} — nguồn: {src}"


def vn_number(value: float | int | None, digits: int = 2) -> str:
    """12.5 → «12,5»; 1816 → «1.816» (Vietnamese separators)."""
    if value is None:
        return ""
    text = f"{value:,.{digits}f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")



# ----------------------------------------------------------------------------- Biểu 04
# The indicators of Biểu số 04 Phụ lục I Thông tư 14/2024/TT-BCT (tổng hợp tình hình cụm công
# nghiệp trên địa bàn cấp tỉnh), in the form's order and wording: (TT, chỉ tiêu, đơn vị tính).
# Section rows (I, II, III) have no unit. tests/test_register.py compares this list, row by row,
# with the annex as the knowledge base holds it.
BIEU_04: tuple[tuple[str, str, str], ...] = (
    ("I", "Phương án phát triển cụm công nghiệp", ""),
    ("1", "Số lượng cụm công nghiệp theo phương án phát triển cụm công nghiệp", "Cụm"),
    ("2", "Tổng diện tích các cụm công nghiệp theo phương án phát triển cụm công nghiệp", "ha"),
    ("II", "Thành lập, đầu tư xây dựng hạ tầng kỹ thuật cụm công nghiệp", ""),
    ("3", "Số lượng cụm công nghiệp đã thành lập", "Cụm"),
    ("4", "Tổng diện tích các cụm công nghiệp đã thành lập", "ha"),
    ("5", "Số lượng cụm công nghiệp đã thành lập trong kỳ báo cáo", "Cụm"),
    ("6", "Tổng diện tích các cụm công nghiệp đã thành lập trong kỳ báo cáo", "ha"),
    ("7", "Số lượng cụm công nghiệp do doanh nghiệp làm chủ đầu tư hạ tầng kỹ thuật", "Cụm"),
    ("8", "Tổng diện tích các cụm công nghiệp do doanh nghiệp làm chủ đầu tư hạ tầng kỹ thuật", "ha"),
    ("9", "Số lượng cụm công nghiệp đã được phê duyệt quy hoạch chi tiết", "Cụm"),
    ("10", "Tổng diện tích các cụm công nghiệp đã được phê duyệt quy hoạch chi tiết", "ha"),
    ("11", "Số lượng cụm công nghiệp đã được phê duyệt dự án đầu tư xây dựng hạ tầng", "Cụm"),
    ("12", "Tổng diện tích các cụm công nghiệp đã được phê duyệt dự án đầu tư xây dựng hạ tầng kỹ thuật", "ha"),
    ("13", "Tổng vốn đầu tư xây dựng hạ tầng kỹ thuật của các cụm công nghiệp (tính theo dự án được phê duyệt)", "Tỷ đồng"),
    ("14", "Tổng vốn đã đầu tư xây dựng hạ tầng kỹ thuật của các cụm công nghiệp (tổng vốn lũy kế đã thanh toán)", "Tỷ đồng"),
    ("III", "Hoạt động của các cụm công nghiệp", ""),
    ("15", "Số lượng cụm công nghiệp đã hoạt động (đã có dự án đầu tư trong cụm): (15.1+15.2)", "Cụm"),
    ("15.1", "Số lượng cụm công nghiệp hoạt động đã thành lập", "Cụm"),
    ("15.2", "Số lượng cụm công nghiệp đã hoạt động nhưng chưa thành lập", "Cụm"),
    ("15.3", "Số lượng cụm công nghiệp làng nghề đã hoạt động", "Cụm"),
    ("15.4", "Số lượng cụm công nghiệp chuyên ngành đã hoạt động", "Cụm"),
    ("16", "Tổng diện tích các cụm công nghiệp đã hoạt động: (16.1+16.2)", "ha"),
    ("16.1", "Tổng diện tích các cụm công nghiệp hoạt động đã thành lập", "ha"),
    ("16.2", "Tổng diện tích các cụm công nghiệp đã hoạt động nhưng chưa thành lập", "ha"),
    ("16.3", "Tổng diện tích các cụm công nghiệp làng nghề đã hoạt động", "ha"),
    ("16.4", "Tổng diện tích các cụm công nghiệp chuyên ngành đã hoạt động", "ha"),
    ("17", "Tổng diện tích đất công nghiệp của các cụm công nghiệp đã hoạt động (tính theo quy hoạch chi tiết đã được duyệt)", "ha"),
    ("18", "Tổng diện tích đất công nghiệp đã cho thuê tại các cụm công nghiệp", "ha"),
    ("19", "Tỷ lệ lấp đầy bình quân của các cụm công nghiệp đã hoạt động", "%"),
    ("20", "Tổng số dự án đầu tư sản xuất kinh doanh trong các cụm công nghiệp", "Dự án"),
    ("21", "Số dự án đầu tư sản xuất kinh doanh có vốn đầu tư nước ngoài trong các cụm công nghiệp", "Dự án"),
    ("22", "Số dự án đầu tư sản xuất kinh doanh đang hoạt động trong cụm công nghiệp", "Dự án"),
    ("23", "Tổng doanh thu của các dự án đầu tư trong các cụm công nghiệp trong kỳ báo cáo", "Tỷ đồng"),
    ("24", "Nộp ngân sách nhà nước của các dự án đầu tư trong các cụm công nghiệp trong kỳ báo cáo", "Tỷ đồng"),
    ("25", "Tổng số lao động (có hợp đồng lao động) làm việc trong các cụm công nghiệp", "Người"),
    ("26", "Số cụm công nghiệp đã và đang đầu tư hệ thống xử lý nước thải tập trung", "Cụm"),
    ("27", "Số cụm công nghiệp có hệ thống xử lý nước thải tập trung đạt tiêu chuẩn môi trường", "Cụm"),
)
BIEU_04_CODES = tuple(code for code, _, unit in BIEU_04 if unit)
NOT_ADDITIVE = {"19"}  # a rate: recomputed from 18/17, never summed
# A total and its parts (Biểu 04 says "15 = 15.1 + 15.2"; 15.3/15.4 and 16.3/16.4 are parts of 15/16).
TOTALS = {"15": ("15.1", "15.2"), "16": ("16.1", "16.2")}
SUBSETS = {"15": ("15.3", "15.4"), "16": ("16.3", "16.4"), "3": ("5",), "4": ("6",), "20": ("21", "22")}
TOLERANCE = 0.011


def check_totals(values: dict[str, float | None], where: str) -> list[str]:
    """Each total against the sum of its parts (15 = 15.1 + 15.2, 16 = 16.1 + 16.2), each part
    not above its total (15.3, 15.4 ≤ 15; 21, 22 ≤ 20…), the rate 19 against 18/17. Errors in
    Vietnamese, naming `where` (a province and period, or a file)."""
    errors = []
    for total, parts in TOTALS.items():
        if values.get(total) is None or any(values.get(p) is None for p in parts):
            continue
        summed = sum(values[p] for p in parts)
        if abs(values[total] - summed) > TOLERANCE:
            errors.append(f"{where}: chỉ tiêu {total} = {vn_number(values[total])} nhưng "
                          f"{' + '.join(parts)} = {vn_number(summed)} (tổng phải bằng tổng các phần)")
    for total, parts in SUBSETS.items():
        for part in parts:
            if values.get(total) is not None and values.get(part) is not None and values[part] > values[total] + TOLERANCE:
                errors.append(f"{where}: chỉ tiêu {part} = {vn_number(values[part])} lớn hơn chỉ tiêu "
                              f"{total} = {vn_number(values[total])}")
    land, leased, rate = values.get("17"), values.get("18"), values.get("19")
    if land and leased is not None and rate is not None and abs(rate - 100 * leased / land) > 0.05:
        errors.append(f"{where}: chỉ tiêu 19 = {vn_number(rate)} % nhưng 18/17 = {vn_number(100 * leased / land)} %")
    return errors
