"""The conditions for establishing or expanding a cluster (Điều 8 Nghị định 32/2024/NĐ-CP) as a
checklist, and the investor-selection council's criteria (khoản 2 Điều 13), read from data.

The thresholds live in drafting/data/conditions.yaml and council.yaml, keyed by provision, each
version with its validity dates: an amendment changes a file, not this code. Each condition is
judged from the spec's figures — "đáp ứng", "không đáp ứng" or "chưa đủ căn cứ" when a figure
is missing — with the evidence in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from drafting.procspec import Cluster, Investor

DATA = Path(__file__).resolve().parent / "data"
MET, NOT_MET, UNKNOWN = "đáp ứng", "không đáp ứng", "chưa đủ căn cứ"


class DataError(ValueError):
    """A data file that cannot be read; the message names it."""


@cache
def _load(name: str) -> dict[str, list[dict]]:
    path = DATA / name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"không đọc được tệp dữ liệu {path.name}: {exc}") from None
    if not isinstance(data, dict):
        raise DataError(f"{path.name}: cần một bảng «quy định: [các phiên bản]»")
    return data


def versions_at(name: str, at: date) -> dict[str, dict]:
    """Each provision's version in force at `at` (provisions without one are left out)."""
    out: dict[str, dict] = {}
    for provision, versions in _load(name).items():
        for v in versions:
            start, end = v.get("valid_from"), v.get("valid_to")
            if (start is None or start <= at) and (end is None or at <= end):
                out[provision] = v
    return out


@dataclass
class Finding:
    """One condition judged: the provision, what it requires, the figures, the result."""

    provision: str  # "điểm a khoản 2 Điều 8 Nghị định 32/2024/NĐ-CP"
    condition: str
    result: str  # MET | NOT_MET | UNKNOWN
    evidence: str
    wording: str


def _ha(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + " ha"


def _pct(value: float) -> str:
    return f"{value:g}".replace(".", ",") + "%"


def _all(*parts: tuple[str, str]) -> tuple[str, str]:
    """Combine sub-results: not met if any is not met, else unknown if any is unknown."""
    results = [r for r, _ in parts]
    result = NOT_MET if NOT_MET in results else UNKNOWN if UNKNOWN in results else MET
    return result, "; ".join(e for _, e in parts if e)


def _land(c: Cluster) -> tuple[str, str]:
    if c.land_use_fit is None:
        return UNKNOWN, "hồ sơ chưa thể hiện sự phù hợp của quỹ đất với quy hoạch sử dụng đất"
    if c.land_use_fit:
        return MET, "quỹ đất phù hợp với quy hoạch sử dụng đất"
    return NOT_MET, "quỹ đất không phù hợp với quy hoạch sử dụng đất"


def _area_range(c: Cluster, v: dict, _i: Investor | None) -> tuple[str, str]:
    low = v["min_ha_mountain_or_craft"] if (c.mountainous or c.craft_village) else v["min_ha"]
    total, high = c.total_ha, v["max_ha"]
    words = f"quy mô diện tích {_ha(total)} (giới hạn: không dưới {_ha(low)}, không vượt quá {_ha(high)})"
    return (MET if low <= total <= high else NOT_MET), words


def _in_plan(c: Cluster, _v: dict, _i: Investor | None) -> tuple[str, str]:
    if c.in_plan is None:
        plan = UNKNOWN, "hồ sơ chưa thể hiện cụm công nghiệp có trong Danh mục"
    else:
        plan = (MET, "có trong Danh mục các cụm công nghiệp của tỉnh") if c.in_plan else \
            (NOT_MET, "không có trong Danh mục các cụm công nghiệp của tỉnh")
    return _all(plan, _land(c))


def _investor(_c: Cluster, _v: dict, i: Investor | None) -> tuple[str, str]:
    if i is None:
        return UNKNOWN, "chưa có thông tin về đơn vị đề nghị làm chủ đầu tư"
    parts = []
    for flag, yes, no in ((i.legal_status, "có tư cách pháp lý", "không có tư cách pháp lý"),
                          (i.capacity, "có năng lực đầu tư xây dựng hạ tầng kỹ thuật",
                           "chưa chứng minh năng lực đầu tư xây dựng hạ tầng kỹ thuật")):
        parts.append((UNKNOWN, f"chưa có tài liệu chứng minh {yes[3:]}") if flag is None
                     else (MET, yes) if flag else (NOT_MET, no))
    result, words = _all(*parts)
    extra = f" ({i.capacity_evidence})" if i.capacity_evidence else ""
    return result, f"{i.name}: {words}{extra}"


def _area_fill(c: Cluster, v: dict, _i: Investor | None) -> tuple[str, str]:
    if c.area_has_clusters is False:
        return MET, "địa bàn chưa có cụm công nghiệp được thành lập: điều kiện không đặt ra"
    low, high = v["min_average_fill_pct"], v["max_unleased_ha"]
    fill, unleased = c.area_average_fill_pct, c.area_unleased_industrial_ha
    if c.area_has_clusters is None or (fill is None and unleased is None):
        return UNKNOWN, "chưa có số liệu về các cụm công nghiệp đã thành lập trên địa bàn"
    bits, met, known = [], False, True
    if fill is not None:
        bits.append(f"tỷ lệ lấp đầy trung bình {_pct(fill)} (cần trên {_pct(low)})")
        met |= fill > low
    else:
        known = False
    if unleased is not None:
        bits.append(f"quỹ đất công nghiệp chưa cho thuê {_ha(unleased)} (không vượt quá {_ha(high)})")
        met |= unleased <= high
    else:
        known = False
    return (MET if met else NOT_MET if known else UNKNOWN), "; ".join(bits)


def _total_area(c: Cluster, v: dict, _i: Investor | None) -> tuple[str, str]:
    high = v["max_ha"]
    if c.expansion_ha is None:
        area = UNKNOWN, "hồ sơ chưa nêu diện tích mở rộng"
    else:
        total = c.area_ha + c.expansion_ha
        words = (f"diện tích hiện có {_ha(c.area_ha)} + diện tích mở rộng {_ha(c.expansion_ha)} = "
                 f"{_ha(total)}, {'không vượt quá' if total <= high else 'vượt quá'} {_ha(high)}")
        area = (MET if total <= high else NOT_MET), words
    return _all(area, _land(c))


def _fill_or_demand(c: Cluster, v: dict, _i: Investor | None) -> tuple[str, str]:
    low = v["min_fill_pct"]
    if c.fill_pct is not None and c.fill_pct >= low:
        return MET, f"tỷ lệ lấp đầy {_pct(c.fill_pct)} (cần ít nhất {_pct(low)})"
    if c.demand_exceeds_supply:
        return MET, "nhu cầu thuê đất công nghiệp vượt quá diện tích đất công nghiệp hiện có"
    fill = f"tỷ lệ lấp đầy {_pct(c.fill_pct)} (cần ít nhất {_pct(low)})" if c.fill_pct is not None else ""
    if c.fill_pct is None or c.demand_exceeds_supply is None:
        return UNKNOWN, fill or "chưa có số liệu tỷ lệ lấp đầy và nhu cầu thuê đất"
    return NOT_MET, f"{fill}; nhu cầu thuê đất không vượt quá diện tích đất công nghiệp hiện có"


def _infrastructure(c: Cluster, v: dict, _i: Investor | None) -> tuple[str, str]:
    done = {k.lower(): val for k, val in c.infrastructure.items()}
    parts = []
    for work in v["works"]:
        state = done.get(work.lower())
        parts.append((UNKNOWN, f"{work}: chưa có thông tin") if state is None
                     else (MET, f"{work}: đã hoàn thành") if state else (NOT_MET, f"{work}: chưa hoàn thành"))
    return _all(*parts)


def _planned_area(c: Cluster, v: dict, _i: Investor | None) -> tuple[str, str]:
    if c.planned_area_ha is None:
        return UNKNOWN, "hồ sơ chưa nêu diện tích theo quy hoạch đã được phê duyệt"
    increase = c.total_ha - c.planned_area_ha
    limit = v["max_increase_ha"]
    words = (f"diện tích đề nghị {_ha(c.total_ha)}, theo quy hoạch {_ha(c.planned_area_ha)}"
             + (f", tăng {_ha(increase)} (được tăng không quá {_ha(limit)})" if increase > 0 else ""))
    return (MET if increase <= limit else NOT_MET), words


CHECKS = {"area_range": _area_range, "in_plan": _in_plan, "investor": _investor, "area_fill": _area_fill,
          "total_area": _total_area, "fill_or_demand": _fill_or_demand, "infrastructure": _infrastructure,
          "planned_area": _planned_area}


def evaluate(cluster: Cluster, investor: Investor | None, at: date) -> list[Finding]:
    """The checklist for the cluster's action (thành lập or mở rộng), with the thresholds in
    force at `at`, in the order of the data file."""
    out = []
    for provision, v in versions_at("conditions.yaml", at).items():
        if cluster.action not in v["applies_to"]:
            continue
        check = CHECKS.get(v["check"])
        if check is None:
            raise DataError(f"conditions.yaml, «{provision}»: không có phép kiểm tra «{v['check']}»")
        result, evidence = check(cluster, v, investor)
        out.append(Finding(provision, v["condition"], result, evidence, v["wording"]))
    return out


def council_rules(at: date) -> tuple[str, dict[str, Any]]:
    """The provision and its version governing the council at `at`."""
    rules = versions_at("council.yaml", at)
    if not rules:
        raise DataError(f"council.yaml: không có quy định về Hội đồng có hiệu lực tại {at.isoformat()}")
    provision, version = next(iter(rules.items()))
    total = sum(c["max"] for c in version["criteria"])
    if total != version["scale"]:
        raise DataError(f"council.yaml, «{provision}»: tổng điểm tối đa {total} khác thang điểm {version['scale']}")
    return provision, version
