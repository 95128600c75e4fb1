"""The retrieval development set eval/sets/dev.jsonl: its shape (../shared/docs/citations.md),
its kinds and their minimum counts, the no-diacritics pairs, and that every gold provision
exists in a store built from the core corpus (../shared/corpus/ccn)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from kb.model import Citation
from kb.store import Store

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "eval" / "sets" / "dev.jsonl"

MIN_COUNTS = {
    "lookup": 20,
    "paraphrase": 20,
    "no_diacritics": 12,
    "stale": 8,
    "multi": 8,
    "tt14": 6,
    "laocai": 6,
    "nd30": 6,
    "abbrev": 5,
    "unanswerable": 8,
}
WIDE = "wide"  # answered by a text of the wide corpus only: unanswerable on the ccn corpus alone
MIN_TOTAL = 100
RECORD_KEYS = {"id", "question", "kind", "gold", "gold_any", "pair", "note"}
GOLD_KEYS = {"doc", "part", "annex", "article", "clause", "point"}
# Documents of the core corpus that carry articles (letters such as 1178/ĐCK-CTT are never gold).
CORE_DOCS = {
    "32/2024/NĐ-CP",
    "14/2024/TT-BCT",
    "139/2025/NĐ-CP",
    "16/2026/QĐ-UBND",
    "30/2020/NĐ-CP",
    "130/QĐ-CTĐP",
    "178/2026/NĐ-CP",
    "96/2026/NĐ-CP",
    "20/2026/NĐ-CP",
    "07/CT-TTg",
}
REPEALED = {"68/2017/NĐ-CP", "66/2020/NĐ-CP", "28/2020/TT-BCT"}
# Vietnamese point letters: đ after d, no f, j, w, z; sub-points a1, a2 …
POINT_RE = re.compile(r"^(?:[abcdeghiklmnopqrstuvxy]|đ)\d*$")
ID_RE = re.compile(r"^D\d{3}$")


def _records() -> list[dict]:
    lines = DEV.read_text(encoding="utf-8").splitlines()
    assert lines, f"{DEV} rỗng"
    out = []
    for n, line in enumerate(lines, 1):
        assert line.strip(), f"dòng {n} trống"
        out.append(json.loads(line))
    return out


RECORDS = _records() if DEV.exists() else []
BY_ID = {r.get("id"): r for r in RECORDS}


def _strip(text: str) -> str:
    """Diacritics, case and punctuation removed, spaces collapsed."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    text = re.sub(r"[^\w]+", " ", text.lower())
    return " ".join(text.split())


def _has_diacritics(text: str) -> bool:
    nfd = unicodedata.normalize("NFD", text)
    return "đ" in text or "Đ" in text or any(unicodedata.category(c) == "Mn" for c in nfd)


def test_file_exists_and_is_big_enough():
    assert DEV.exists(), f"thiếu {DEV}"
    assert len(RECORDS) >= MIN_TOTAL


def test_ids_unique_and_well_formed():
    ids = [r.get("id") for r in RECORDS]
    assert all(isinstance(i, str) and ID_RE.match(i) for i in ids), ids
    dupes = [i for i, c in Counter(ids).items() if c > 1]
    assert not dupes, dupes


@pytest.mark.parametrize("rec", RECORDS, ids=[r.get("id", "?") for r in RECORDS])
def test_record_shape(rec: dict):
    assert set(rec) - {"as_of"} == RECORD_KEYS  # as_of: the date the gold holds (README of the sets)
    assert "as_of" not in rec or re.fullmatch(r"\d{4}-\d{2}-\d{2}", rec["as_of"])
    assert isinstance(rec["question"], str) and rec["question"].strip()
    assert rec["question"] == unicodedata.normalize("NFC", rec["question"])
    assert rec["kind"] in MIN_COUNTS or rec["kind"] == WIDE
    assert isinstance(rec["gold_any"], bool)
    assert rec["pair"] is None or isinstance(rec["pair"], str)
    assert isinstance(rec["note"], str)
    assert isinstance(rec["gold"], list)
    seen = set()
    for gold in rec["gold"]:
        assert isinstance(gold, dict) and set(gold) == GOLD_KEYS, gold
        assert gold["doc"] in CORE_DOCS or rec["kind"] == WIDE, gold
        assert gold["doc"] == unicodedata.normalize("NFC", gold["doc"])
        assert gold["part"] in (None, "Quy chế", "Quy định"), gold
        assert gold["annex"] is None or re.fullmatch(r"[IVXLC]+", gold["annex"]), gold
        assert type(gold["article"]) is int and gold["article"] > 0, gold
        assert gold["clause"] is None or (type(gold["clause"]) is int and gold["clause"] > 0), gold
        assert gold["point"] is None or POINT_RE.match(gold["point"]), gold
        assert gold["point"] is None or gold["clause"] is not None, gold
        key = tuple(gold[k] for k in sorted(GOLD_KEYS))
        assert key not in seen, f"gold lặp: {gold}"
        seen.add(key)
    if not rec["gold"]:
        assert rec["note"].strip(), "gold rỗng phải có ghi chú vì sao"
        assert rec["gold_any"] is False
    if rec["gold_any"]:
        assert len(rec["gold"]) >= 2


def test_kind_minimum_counts():
    counts = Counter(r["kind"] for r in RECORDS)
    short = {k: (counts.get(k, 0), n) for k, n in MIN_COUNTS.items() if counts.get(k, 0) < n}
    assert not short, short


@pytest.mark.parametrize("rec", RECORDS, ids=[r.get("id", "?") for r in RECORDS])
def test_kind_rules(rec: dict):
    kind, gold = rec["kind"], rec["gold"]
    docs = {g["doc"] for g in gold}
    if kind == "unanswerable":
        assert gold == []
    else:
        assert gold, f"{kind} cần gold"
    if kind == "multi":
        assert len(gold) >= 2 and rec["gold_any"] is False
    if kind == "tt14":
        assert docs == {"14/2024/TT-BCT"}
    if kind == "laocai":
        assert docs == {"16/2026/QĐ-UBND"} and all(g["part"] == "Quy chế" for g in gold)
    if kind == "nd30":
        assert docs == {"30/2020/NĐ-CP"}
    if kind == "stale":
        # asked in repealed terms; the gold is what is in force now
        assert docs <= {"32/2024/NĐ-CP", "139/2025/NĐ-CP"}
    assert not docs & REPEALED


@pytest.mark.parametrize("rec", RECORDS, ids=[r.get("id", "?") for r in RECORDS])
def test_pairs(rec: dict):
    if rec["kind"] == "no_diacritics":
        partner = BY_ID.get(rec["pair"])
        assert partner is not None, f"không thấy câu cặp {rec['pair']}"
        assert partner["kind"] != "no_diacritics"
        assert partner["pair"] == rec["id"], "câu cặp phải trỏ ngược lại"
        assert not _has_diacritics(rec["question"]), rec["question"]
        assert _strip(rec["question"]) == _strip(partner["question"])
        assert rec["gold"] == partner["gold"] and rec["gold_any"] == partner["gold_any"]
    elif rec["pair"] is not None:
        partner = BY_ID.get(rec["pair"])
        assert partner is not None and partner["kind"] == "no_diacritics"
        assert partner["pair"] == rec["id"]


def test_every_gold_resolves(ccn_store: Store):
    missing = []
    checked = set()
    for rec in RECORDS:
        for gold in rec["gold"] if rec["kind"] != WIDE else []:  # tests/test_wide.py resolves those
            key = json.dumps(gold, sort_keys=True, ensure_ascii=False)
            if key in checked:
                continue
            checked.add(key)
            row = ccn_store.provision(Citation(**gold))
            if row is None:
                missing.append((rec["id"], gold))
                continue
            got = {k: getattr(row, k) for k in ("part", "annex", "article", "clause", "point")}
            want = {k: gold[k] for k in got}
            if got != want or not (row.text or "").strip():
                missing.append((rec["id"], gold, got))
    assert not missing, missing


def test_a_gold_the_store_does_not_hold_is_dropped(ccn_store: Store, tmp_path: Path):
    """D109 (Ban quản lý KCN cấp giấy phép xây dựng?) is answered by khoản 2 Điều 53 NĐ
    217/2026, a text of the wide corpus: on the ccn corpus alone it is unanswerable."""
    from eval.runner import load_set

    assert BY_ID["D109"]["kind"] == WIDE and BY_ID["D109"]["gold"][0]["doc"] == "217/2026/NĐ-CP"
    loaded = {item["id"]: item for item in load_set("dev", ccn_store, tmp_path)}
    assert loaded["D109"]["gold"] == []
    assert loaded["D018"]["gold"] == BY_ID["D018"]["gold"]  # a core gold stays


@pytest.mark.parametrize(("name", "ids"), [("dev3", r"[FG]\d{3}"), ("dev4", r"[JK]\d{3}"), ("dev5", r"[LM]\d{3}")])
def test_written_apart_sets_shape_and_pairs(name: str, ids: str):
    """eval/sets/dev3.jsonl, dev4.jsonl and dev5.jsonl (eval/sets/README.md): 200 records, ids unique, every
    no-diacritics copy paired both ways with the same gold, gold empty exactly for the
    unanswerable ones."""
    records = [json.loads(line) for line in (DEV.parent / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]
    by_id = {r["id"]: r for r in records}
    assert len(records) == len(by_id) == 200 and all(set(r) >= RECORD_KEYS for r in records)
    assert all(re.fullmatch(ids, r["id"]) for r in records)
    assert all((r["kind"] == "unanswerable") == (r["gold"] == []) for r in records)
    copies = [r for r in records if r["kind"] == "no_diacritics"]
    assert len(copies) == 24
    for copy in copies:
        original = by_id[copy["pair"]]
        assert original["pair"] == copy["id"] and original["gold"] == copy["gold"]
        assert not _has_diacritics(copy["question"]) and _strip(copy["question"]) == _strip(original["question"])
