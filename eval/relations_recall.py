"""Recall of replacements (thay thế) across the wide corpus: what its front matter states,
against what `ccn docs` derives after ingesting ccn + wide.

    python -m eval.relations_recall [--home DIR] [--body-only] [--wide DIR] [--verbose]

Gold: every item of a replacement field of a wide file's YAML front matter (`thay_the`,
`van_ban_thay_the`, `replaces`, `vb-bi-thay-the`, `van_ban_bai_bo`, `van-ban-bi-bai`, …), read here
with rules of its own (not ingest's): an item naming a part ("một phần", "Điều 60 …", "khoản 1
Mục II …", "Phần …") or an amendment ("sửa đổi, bổ sung", or the document the file's title says it
amends) is a *partial* item, which must NOT come out as a replacement; every other item is a whole
replacement, which must: the replaced document shows "hết hiệu lực", `replaced_by` naming the
file's document, since that document's effective date (checked at that date or today, whichever
is later).

--body-only ingests copies of the wide files with their front matter and metadata table removed,
so that only the body text speaks. A pair counts (once per replacing and replaced document) when
the stripped file still states its own số hiệu somewhere, whether or not ingestion reads it; a
file that never does is reported apart. "Status and date right" needs a known date. Not a timed
test: it ingests ~600 files (1-3 minutes).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
TODAY = date(2026, 12, 5)
WIDE_CACHE = Path("/tmp/ccn-corpus-cache")

REPLACE_FIELDS = {"thay_the", "thaythe", "replaces", "van_ban_thay_the", "vb_bi_thay_the", "van_ban_bi_thay_the",
                  "thay_doi", "van_ban_bai_bo", "van_ban_bi_bai", "van_ban_bi_bai_bo", "repeals_partial"}
NUMBER_RE = re.compile(r"(?<![\w/])(\d{1,4}[a-z]?/\d{4}/[A-ZĐ][\wĐđ]*(?:-[\wĐđ]+)*)")
PART_RE = re.compile(r"một phần|(?<!\w)(?:phần|chương|mục|điều|khoản|điểm|phụ lục|biểu mẫu)\s+(?:[\dIVXLC]+\b|[a-zđ]\b)",
                     re.IGNORECASE)
HISTORY_RE = re.compile(r"\((?:đã |được )[^)]*\)")
RANK = (("UBTVQH", 2), ("/QH", 1), ("NĐ-CP", 3), ("NQ-CP", 3), ("QĐ-TTg", 4), ("TT", 5))


@dataclass(frozen=True)
class Pair:
    source_file: str
    target: str
    item: str
    whole: bool
    own: tuple[str, ...] = ()  # the file's own số hiệu by its front matter


def slug(label: str) -> str:
    import unicodedata
    ascii_ = unicodedata.normalize("NFD", label.replace("đ", "d").replace("Đ", "D"))
    ascii_ = "".join(c for c in ascii_ if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "_", ascii_).strip("_")


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8", errors="replace")
    if not text.startswith("---"):
        return {}
    end = text.find("\n---", 3)
    try:
        data = yaml.safe_load(text[3:end])
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def items(value) -> list[str]:
    if isinstance(value, list):
        return [x for v in value for x in items(v)]
    if isinstance(value, str):
        return [p.strip() for p in re.split(r";|\s+—\s+", value) if p.strip()]
    return []


def rank(number: str) -> int | None:
    return next((r for marker, r in RANK if marker in number), None)


def gold_pairs(wide: Path) -> list[Pair]:
    pairs: list[Pair] = []
    for path in sorted(wide.rglob("*.md")):
        fm = front_matter(path)
        title = " ".join(str(fm.get(k) or "") for k in ("title", "trich_yeu", "trichyeu", "trich-yeu"))
        amended = set(NUMBER_RE.findall(title[title.lower().find("sửa đổi"):])) if "sửa đổi" in title.lower() else set()
        own = {str(fm.get(k)) for k in ("so_hieu", "sohieu", "so-hieu", "number") if fm.get(k)}
        for key, value in fm.items():
            if slug(str(key)) not in REPLACE_FIELDS:
                continue
            for item in items(value):
                head = HISTORY_RE.sub("", item)
                partial = (slug(str(key)) == "repeals_partial" or bool(PART_RE.search(head))
                           or bool(re.search(r"sửa đổi|bổ sung", head, re.IGNORECASE)))
                for number in NUMBER_RE.findall(head):
                    if number in own:
                        continue
                    pairs.append(Pair(str(path.resolve()), number, item, not partial and number not in amended,
                                      tuple(sorted(own))))
    return pairs


def strip_metadata(src: Path, dst: Path) -> None:
    """Copies of the wide files without YAML front matter and without the metadata table."""
    for path in src.rglob("*.md"):
        text = path.read_text(encoding="utf-8", errors="replace")
        if text.startswith("---"):
            end = text.find("\n---", 3)
            text = text[text.find("\n", end + 1) + 1:] if end > 0 else text
        lines = text.splitlines()
        out, i = [], 0
        while i < len(lines):
            if lines[i].lstrip().startswith("|") and i < 80:
                block = []
                while i < len(lines) and lines[i].lstrip().startswith("|"):
                    block.append(lines[i])
                    i += 1
                if not re.search(r"Số hiệu|Số ký hiệu|Ngày ban hành|Thay thế|Trạng thái|Ngày hiệu lực", "\n".join(block)):
                    out.extend(block)
                continue
            if not re.match(r"^\s*(?:[-*]\s+)?\*\*(?:Số|Số hiệu|Thay thế|Trạng thái|Hiệu lực|Ngày[^*]*)\s*:?\*\*", lines[i]):
                out.append(lines[i])
            i += 1
        target = dst / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(out) + "\n", encoding="utf-8")


def wide_dir() -> Path:
    target, done = WIDE_CACHE / "wide", WIDE_CACHE / ".wide-complete"
    if not done.exists():
        WIDE_CACHE.mkdir(parents=True, exist_ok=True)
        with tarfile.open(SHARED / "wide.tar.xz", "r:xz") as tar:
            tar.extractall(WIDE_CACHE, filter="data")
        done.touch()
    return target


def file_docs(store) -> dict[str, set[str]]:
    """File path → keys of the documents its provisions (or primary source) belong to."""
    from sqlalchemy import select

    from kb import schema

    out: dict[str, set[str]] = {}
    with store.engine.connect() as conn:
        p, s, d = schema.provisions, schema.sources, schema.documents
        for row in conn.execute(select(s.c.path, p.c.doc_key).join(p, p.c.source_id == s.c.id).distinct()):
            out.setdefault(row.path, set()).add(row.doc_key)
        for row in conn.execute(select(s.c.path, d.c.key).join(d, d.c.primary_source_id == s.c.id)):
            out.setdefault(row.path, set()).add(row.key)
    return out


def evaluate(store, pairs: list[Pair], path_map: dict[str, str], verbose: bool) -> dict:
    from kb.validity import document_validity

    docs = file_docs(store)
    seen: set[tuple[str, str, bool]] = set()
    unnamed: set[tuple[str, str]] = set()
    whole_total = whole_hit = date_ok = wrong = partial_total = text_says_whole = 0
    misses: list[str] = []
    for pair in pairs:
        sources = sorted(k for k in docs.get(path_map.get(pair.source_file, pair.source_file), set()) if "/" in k)
        if not sources and not _names_itself(path_map.get(pair.source_file, pair.source_file), pair.own):
            # the body never names its own số hiệu: no reader can recover the pair
            if pair.whole and (pair.source_file, pair.target) not in unnamed:
                unnamed.add((pair.source_file, pair.target))
                misses.append(f"  (thân văn bản không nêu số hiệu của chính nó) {pair.source_file} → {pair.target}")
            continue
        # a body that names itself but whose số hiệu was not read: the pair counts, as a miss
        source = sources[0] if sources else (pair.own[0] if pair.own else Path(pair.source_file).name)
        mine, theirs = rank(source), rank(pair.target)
        if mine and theirs and mine > theirs:
            continue  # a lower text cannot replace a higher one: not a pair
        key = (source, pair.target, pair.whole)
        if key in seen:
            continue
        seen.add(key)
        src_doc = store.document(source)
        at = max(TODAY, src_doc.effective) if src_doc and src_doc.effective else TODAY
        validity = document_validity(store, pair.target, at)
        claimed = source in validity.replaced_by and validity.status.value == "repealed"
        if pair.whole:
            whole_total += 1
            whole_hit += claimed
            right_date = (claimed and src_doc is not None and validity.since is not None
                          and validity.since == src_doc.effective)
            date_ok += right_date
            if not claimed or verbose:
                misses.append(f"  {'OK ' if claimed else 'MISS'} {source} → {pair.target}: {validity.status.value}"
                              f" {validity.since} {validity.replaced_by} «{pair.item[:70]}»")
        else:
            partial_total += 1
            # the text itself naming the whole document among those it ends outranks a metadata
            # "một phần": counted apart, not as a wrong claim
            by_text = claimed and any(e["confidence"] == "text" and e["from_doc"] == source for e in validity.evidence)
            wrong += claimed and not by_text
            text_says_whole += by_text
            if claimed or verbose:
                tag = "TEXT-SAYS-WHOLE" if by_text else "WRONG" if claimed else "ok"
                misses.append(f"  {tag} một phần/sửa đổi {source} → {pair.target} «{pair.item[:70]}»")
    return {"whole": whole_total, "found": whole_hit, "recall": whole_hit / whole_total if whole_total else 0.0,
            "status_and_date_right": date_ok, "partial_or_amendment": partial_total,
            "partial_claimed_as_replacement": wrong, "text_says_whole": text_says_whole,
            "unnamed": len(unnamed), "details": misses}


def _names_itself(path: str, own: tuple[str, ...]) -> bool:
    """The (stripped) file states its own số hiệu somewhere: a pair in it counts, found or not."""
    text = Path(path).read_text(encoding="utf-8", errors="replace") if Path(path).is_file() else ""
    return any(number in text for number in own)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, help="thư mục kho (mặc định: thư mục tạm, nạp ccn + wide)")
    parser.add_argument("--wide", type=Path, help="thư mục wide đã giải nén")
    parser.add_argument("--body-only", action="store_true", help="bỏ front matter và bảng thông tin văn bản")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from ingest.runner import ingest_paths
    from kb.store import Store

    wide = (args.wide or wide_dir()).resolve()
    pairs = gold_pairs(wide)
    with tempfile.TemporaryDirectory(prefix="ccn-relrecall-") as tmp:
        ingested = wide
        if args.body_only:
            ingested = Path(tmp) / "wide-body"
            strip_metadata(wide, ingested)
        path_map = {p.source_file: str((ingested / Path(p.source_file).relative_to(wide)).resolve()) for p in pairs}
        home = args.home or Path(tmp) / "home"
        store = Store.at_home(home)
        if args.home is None or not store.documents():
            ingest_paths(store, [SHARED / "ccn", ingested])
        result = evaluate(store, pairs, path_map, args.verbose)
        if args.home is None:
            shutil.rmtree(home, ignore_errors=True)
    mode = "chỉ thân văn bản" if args.body_only else "có front matter"
    print("\n".join(result.pop("details")))
    print(f"[{mode}] cặp thay thế toàn bộ: {result['whole']}, tìm đúng: {result['found']} "
          f"(recall {result['recall']:.2f}); đúng tình trạng và ngày: {result['status_and_date_right']}; "
          f"mục một phần/sửa đổi: {result['partial_or_amendment']}, bị nhận nhầm là thay thế: "
          f"{result['partial_claimed_as_replacement']} (và {result['text_says_whole']} mà chính thân văn bản"
          " nêu là hết hiệu lực toàn bộ)")
    if result["unnamed"]:
        print(f"  + {result['unnamed']} cặp thay thế toàn bộ khác ở những tệp mà thân văn bản không nêu số hiệu"
              " của chính nó (không tính vào recall)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
