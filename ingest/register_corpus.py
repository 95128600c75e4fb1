"""The register built from the real documents of the corpus (../shared/corpus): the Lào Cai
clusters they name, with their figures and the place each was read.

- ccn/EX-QHT-LaoCai-2021-2030-DC2026-thuyetminh-DRAFT.txt (the provincial plan's explanatory
  draft, data "đến 12/2025" → period 2025-H2):
  Bảng 25 (the clusters of the plan to 2030: commune, planned area, former names, in or out of
  the plan), Bảng 19 (the established clusters: area, filling rate), mục 5.3's paragraph on each
  cluster (establishment decision, investor, leased land, operating projects, no wastewater
  plant) and the statement that no cluster of the province has its environmental infrastructure.
- letters/bao-cao-tinh-hinh-trien-khai-ccn.docx (Sở Công Thương's report to 18/6/2026 → 2026-H1):
  the seven clusters whose infrastructure an enterprise invests (investor, area).

Nothing is invented: a figure not written in a document stays empty. Each record's `location`
names the lines or paragraph it came from.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ingest.register_import import decision_parts, parse_number
from kb import register as reg

PROVINCE = "Lào Cai"
DRAFT = "ccn/EX-QHT-LaoCai-2021-2030-DC2026-thuyetminh-DRAFT.txt"
LETTER = "letters/bao-cao-tinh-hinh-trien-khai-ccn.docx"
DRAFT_PERIOD = "2025-H2"  # "Đến 12/2025, trên địa bàn tỉnh có 22 cụm công nghiệp …"
LETTER_PERIOD = "2026-H1"  # "Sở Công Thương tổng hợp báo cáo đến ngày 18/6/2026"
USER = "kho văn bản (tự động)"

ROW_RE = re.compile(r"^(\d+) \| (.+?) \| (.*?) \| (.*?)(?: \| (.*?))?(?: \| (.*?))?\s*$")
SECTION_RE = re.compile(r"^([IVX]+(?:\.\d)?) \| ")
IN_PLAN_SECTIONS = ("I", "II", "IV", "V")  # "Tổng số CCN quy hoạch … (I+II+IV+V): 54 CCN"
FORMER_RE = re.compile(r"\((?:QH \d+ là|Tại Quyết định\s+số [^ ]+ ghi là) (CCN [^)]+)\)|ghi là (CCN .+)$")
BULLET_RE = re.compile(r"^- (?:Cụm công nghiệp|Cụm CN|CCN) (?:phía )?(.+?)(?:, |: | \()")
ESTABLISHED_RE = re.compile(r"thành lập[^.;]*?Quyết định số (\d+/QĐ-UBND)|Quyết định số (\d+/QĐ-UBND)[^.;]*?thành lập")
INVESTOR_RE = re.compile(r"(?:do|cho) ((?:Công ty|Ban quản lý)[^,;.]*?) làm chủ đầu tư")
LEASED_RE = re.compile(r"[Đđ]ã cho thuê (?:là )?([\d.,]+) ?ha")
OPERATING_RE = re.compile(r"(\d+) (?:dự án|cơ sở)(?: đầu tư)? (?:đã|đang) (?:đi vào )?(?:hoạt động|sản xuất)")
DATE_TEXT_RE = re.compile(r"ngày (\d{1,2}/\d{1,2}/\d{4})")
LETTER_RE = re.compile(r"^\d+\. Cụm công nghiệp (.+?): Chủ đầu tư - (.+?); diện tích ([\d.,]+) ?ha")


def _key(name: str) -> str:
    return reg.fold(reg.bare_name(name)).removeprefix("phía ")


def _number(text: str | None) -> float | None:
    try:
        return parse_number(text) if text and text.strip() else None
    except ValueError:
        return None


def _table(lines: list[str], title: str) -> Iterable[tuple[int, str]]:
    """(line number, line) of the table whose caption starts with `title`, up to its end."""
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    for i in range(start + 1, len(lines)):
        if lines[i].startswith("--- HẾT BẢNG"):
            return
        yield i + 1, lines[i]


class _Builder:
    """Collects, per cluster, identity fields and figures per period, with where each came from."""

    def __init__(self) -> None:
        self.identity: dict[str, dict[str, Any]] = {}
        self.names: dict[str, str] = {}
        self.figures: dict[tuple[str, str], dict[str, Any]] = {}
        self.where: dict[tuple[str, str | None], list[str]] = {}

    def cluster(self, name: str, where: str, **identity: Any) -> str:
        key = _key(name)
        self.names.setdefault(key, reg.bare_name(name))
        self.identity.setdefault(key, {}).update({k: v for k, v in identity.items() if v is not None})
        self.where.setdefault((key, None), []).append(where)
        return key

    def figure(self, key: str, period: str, where: str, **values: Any) -> None:
        self.figures.setdefault((key, period), {}).update({k: v for k, v in values.items() if v is not None})
        self.where.setdefault((key, period), []).append(where)

    def records(self, source_of: dict[str | None, str]) -> list[reg.ClusterRecord]:
        out = []
        for key, identity in self.identity.items():
            where = list(dict.fromkeys(self.where[(key, None)]))
            files = list(dict.fromkeys(w.split(" ", 1)[0] for w in where))
            for period in sorted(p for k, p in self.figures if k == key) or [None]:
                out.append(reg.ClusterRecord(
                    name=self.names[key], province=PROVINCE, period=period,
                    source=source_of[period] if period else " + ".join(files),
                    location="; ".join(dict.fromkeys(self.where.get((key, period), where))),
                    identity=identity, figures=self.figures.get((key, period), {}),
                    identity_source=" + ".join(files), identity_location="; ".join(where)))
        return out


def read_draft(text: str, b: _Builder) -> None:
    lines = text.splitlines()
    _plan(lines, b)
    _established(lines, b)
    _paragraphs(lines, b)


def _plan(lines: list[str], b: _Builder) -> None:
    """Bảng 25: every cluster of the plan, its commune, planned area, former names."""
    section = ""
    for number, line in _table(lines, "Bảng 25."):
        if m := SECTION_RE.match(line):
            section = m.group(1)
            continue
        m = ROW_RE.match(line)
        if not m or not section:
            continue
        raw_name, commune, _before, after, note = m.group(2), m.group(3), m.group(4), m.group(5), m.group(6)
        former = [f for f in FORMER_RE.findall(raw_name + " " + (note or "")) for f in f if f]
        name = re.sub(r"\s*\(.*\)\s*$", "", raw_name).strip()
        top = section.split(".")[0]
        area = _number(after) if top in IN_PLAN_SECTIONS else None
        b.cluster(name, f"{DRAFT} dòng {number} (Bảng 25, mục {section})", commune=commune,
                  in_plan=top in IN_PLAN_SECTIONS, planned_area_ha=area,
                  former_names=[f.strip() for f in former] or None)


def _established(lines: list[str], b: _Builder) -> None:
    """Bảng 19: the clusters established or operating by 12/2025, their area and filling rate."""
    for number, line in _table(lines, "Bảng 19."):
        m = ROW_RE.match(line)
        if not m:
            continue
        name, commune, area, fill = m.group(2), m.group(3), _number(m.group(4)), m.group(5) or ""
        key = b.cluster(name, f"{DRAFT} dòng {number} (Bảng 19, STT {m.group(1)})", commune=commune,
                        established_area_ha=area)
        rate = _number(fill)
        b.figure(key, DRAFT_PERIOD, f"{DRAFT} dòng {number} (Bảng 19)", fill_rate=rate,
                 status=None if rate is not None else fill.strip().replace("GPMB", "giải phóng mặt bằng").lower())


def _paragraphs(lines: list[str], b: _Builder) -> None:
    """Mục 5.3's paragraph on each cluster, and the province-wide statement on wastewater."""
    no_plant = next(i + 1 for i, line in enumerate(lines)
                    if "các CCN chỉ có hạ tầng duy nhất là hệ thống thu gom, thoát nước mưa" in line)
    start = next(i for i, line in enumerate(lines) if line.startswith("Về tình hình phát triển các cụm công nghiệp"))
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("Bảng 19."))
    for i in range(start + 1, end):
        m = BULLET_RE.match(lines[i])
        if not m or _key(m.group(1)) not in b.identity:
            continue
        key, text, where = _key(m.group(1)), lines[i], f"{DRAFT} dòng {i + 1} (mục 5.3)"
        identity: dict[str, Any] = {}
        if d := ESTABLISHED_RE.search(text):
            identity.update(_decision(text, d))
        if inv := INVESTOR_RE.search(text):
            identity.update(investor=inv.group(1).strip(), investor_kind="doanh nghiệp"
                            if inv.group(1).startswith("Công ty") else "nhà nước")
        b.cluster(m.group(1), where, **identity)
        leased = LEASED_RE.search(text)
        operating = OPERATING_RE.search(text)
        b.figure(key, DRAFT_PERIOD, where, leased_ha=_number(leased.group(1)) if leased else None,
                 projects_operating=int(operating.group(1)) if operating else None,
                 operating=True if operating else None)
    for key in list(b.identity):
        if (key, DRAFT_PERIOD) in b.figures:
            b.figure(key, DRAFT_PERIOD, f"{DRAFT} dòng {no_plant} (chưa có hạ tầng bảo vệ môi trường)",
                     wastewater_plant=False)


def _decision(text: str, m: re.Match[str]) -> dict[str, Any]:
    """The establishment decision as written: number, date, and issuer when the text names it."""
    number = m.group(1) or m.group(2)
    clause = text[max(0, m.start() - 80): m.end() + 40]
    after = clause[clause.find(number):]
    written = DATE_TEXT_RE.search(after) or DATE_TEXT_RE.search(clause)
    issuer = " của UBND tỉnh Yên Bái" if "UBND tỉnh Yên Bái" in clause else ""
    citation = f"Quyết định số {number}" + (f" ngày {written.group(1)}" if written else "") + issuer
    return {"decision": citation, "decision_number": number,
            "decision_date": decision_parts(f"ngày {written.group(1)}").get("decision_date") if written else None}


def read_letter(data: bytes, b: _Builder) -> None:
    """The letter's section II: each enterprise-invested cluster, its investor and area."""
    import io

    from docx import Document

    doc = Document(io.BytesIO(data))
    for n, p in enumerate(doc.paragraphs, 1):
        m = LETTER_RE.match(p.text.strip())
        if not m:
            continue
        where = f"{LETTER} đoạn {n} (mục II)"
        # "diện tích" is the established area of a cluster the plan's draft lists as established
        # (Bảng 19), else the area of the cluster being set up (Bảo Minh: "chưa thành lập" there)
        established = b.identity.get(_key(m.group(1)), {}).get("established_area_ha") is not None
        area = {"established_area_ha" if established else "planned_area_ha": _number(m.group(3))}
        key = b.cluster(m.group(1), where, investor=m.group(2).strip(), investor_kind="doanh nghiệp", **area)
        b.figure(key, LETTER_PERIOD, where, leased_ha=0.0,
                 status="đang giải phóng mặt bằng, đầu tư hạ tầng; chưa cho thuê đất công nghiệp")


def build_from_corpus(store, corpus_root: Path) -> list[reg.ImportResult]:
    """Import the corpus's Lào Cai clusters (one audited import per source file set); returns the
    results. A missing file is skipped (its result says so)."""
    b = _Builder()
    sources: dict[str | None, str] = {}
    digests = []
    draft, letter = corpus_root / DRAFT, corpus_root / LETTER
    if draft.is_file():
        data = draft.read_bytes()
        read_draft(data.decode("utf-8"), b)
        sources[None] = sources[DRAFT_PERIOD] = DRAFT
        digests.append(data)
    if letter.is_file():
        data = letter.read_bytes()
        read_letter(data, b)
        sources[LETTER_PERIOD] = LETTER
        sources.setdefault(None, LETTER)
        digests.append(data)
    if not digests:
        return [reg.ImportResult(file=f"{DRAFT}, {LETTER}", sha256="", period=None,
                                 errors=[f"không thấy {DRAFT} và {LETTER} trong {corpus_root}"])]
    result = reg.ImportResult(file=" + ".join(s for s in dict.fromkeys(sources.values())),
                              sha256=hashlib.sha256(b"".join(digests)).hexdigest(), period=None)
    if reg.imported_before(store, result.sha256, USER):
        return [result]  # the same sources read before: nothing to do (import_id stays None)
    return [reg.save_records(store, b.records(sources), result, user=USER)]
