"""`ccn clusters …`: the cluster register from the command line (kb/register.py).

    ccn clusters [list] [--province P] [--below-fill 50] [--missing wastewater|decision]
                 [--period 2026-H1] [--sort name|fill|-fill|area|-area] [--synthetic] [--json]
    ccn clusters import FILE [--period 2026-H1] [--province P] [--user NAME]
                 XLSX/CSV/DOCX rows (or a DOCX Biểu 04 with --province/--period); each bad row
                 printed as an error (exit 1), the valid rows stored
    ccn clusters report --period P [--province P] [--format xlsx|docx] -o OUT
                 Biểu 04 of a province, or the national summary (no --province)
    ccn clusters history ID        every period's figures of one cluster
    ccn clusters build-from-corpus [--corpus DIR]
                 the Lào Cai clusters the corpus names (also run by `ccn ingest` of the default corpus)
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from kb import register as reg

ACTIONS = ("list", "import", "report", "history", "build-from-corpus")


def add_clusters_parser(sub, common: list[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("clusters", help="cơ sở dữ liệu cụm công nghiệp: danh sách, nhập báo cáo, báo cáo định kỳ",
                       parents=common)
    p.add_argument("action", nargs="?", default="list", choices=ACTIONS)
    p.add_argument("target", nargs="?", help="import: tệp báo cáo; history: số hiệu cụm")
    p.add_argument("--province", help="tỉnh, thành phố (34 đơn vị từ 01/7/2025)")
    p.add_argument("--below-fill", type=float, help="tỷ lệ lấp đầy dưới (%%)")
    p.add_argument("--missing", choices=["wastewater", "decision"])
    p.add_argument("--period", help="kỳ báo cáo, ví dụ 2026-H1 (6 tháng) hoặc 2026-H2 (cả năm)")
    p.add_argument("--sort", default="name", choices=list(reg.SORTS))
    p.add_argument("--synthetic", action="store_true", help="gồm cả dữ liệu sinh để thử tải")
    p.add_argument("--user", default=None, help="import: người nhập (mặc định: tên đăng nhập máy)")
    p.add_argument("--format", default="xlsx", choices=["xlsx", "docx"], help="report: xlsx hoặc docx")
    p.add_argument("-o", "--output", help="report: tệp kết quả")
    p.add_argument("--corpus", help="build-from-corpus: thư mục kho văn bản (mặc định ../shared/corpus)")
    p.set_defaults(func=cmd_clusters)


def cmd_clusters(args: argparse.Namespace) -> int:
    from api.cli import open_store

    store = open_store(args)
    try:
        return {"list": _list, "import": _import, "report": _report, "history": _history,
                "build-from-corpus": _build}[args.action](store, args)
    except reg.RegisterError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2


def _list(store, args) -> int:
    rows = reg.list_clusters(store, province=args.province, below_fill=args.below_fill, missing=args.missing,
                             period=args.period, sort=args.sort, include_synthetic=args.synthetic)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return 0
    for row in rows:
        print(reg.entry_text(row))
    print(f"{len(rows)} cụm công nghiệp.", file=sys.stderr)
    return 0


def _import(store, args) -> int:
    from api.cli import print_outcome
    from ingest.register_import import RegisterImportError, import_file

    if not args.target:
        print("Lỗi: cần tệp báo cáo: ccn clusters import TỆP [--period 2026-H1]", file=sys.stderr)
        return 2
    try:
        result = import_file(store, Path(args.target), period=args.period, province=args.province,
                             user=args.user or getpass.getuser())
    except (RegisterImportError, OSError) as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    for error in result.errors:
        print(f"LỖI  {error}", file=sys.stderr)
    summary = (f"Đã nhập {result.rows_ok or result.form_values} dòng, lỗi {len(result.errors)} dòng; "
               f"thay số liệu cũ của kỳ: {result.replaced} dòng (giữ trong lịch sử).")
    print_outcome(result.model_dump(mode="json"), summary, as_json=args.json)
    return 1 if result.errors else 0


def _report(store, args) -> int:
    from drafting import register_report as reports

    if not args.period or not args.output:
        print("Lỗi: cần --period và -o TỆP", file=sys.stderr)
        return 2
    if args.province:
        data = (reports.form04_xlsx(store, args.province, args.period) if args.format == "xlsx"
                else reports.province_docx(store, args.province, args.period))
    else:
        data = (reports.national_xlsx(store, args.period, include_synthetic=args.synthetic) if args.format == "xlsx"
                else reports.national_docx(store, args.period, include_synthetic=args.synthetic))
    Path(args.output).write_bytes(data)
    print(f"Đã ghi {args.output}")
    return 0


def _history(store, args) -> int:
    rows = reg.history(store, int(args.target or 0))
    print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
    return 0 if rows else 1


def _build(store, args) -> int:
    results = register_from_corpus(store, Path(args.corpus) if args.corpus else None, quiet=args.json)
    if args.json:
        print(json.dumps([r.model_dump(mode="json") for r in results], ensure_ascii=False, indent=2))
    return 1 if any(r.errors for r in results) else 0


def default_corpus_root() -> Path:
    """../shared/corpus: the parent of the default corpus set's folder (corpus/default.yaml)."""
    from corpus import corpus_paths

    return corpus_paths("default")[0].parent


def register_from_corpus(store, root: Path | None = None, *, quiet: bool = False) -> list[reg.ImportResult]:
    """The register read from the corpus's real documents (ingest/register_corpus.py); a summary
    line on stderr. Unchanged sources are not imported again."""
    from ingest.register_corpus import build_from_corpus

    results = build_from_corpus(store, root or default_corpus_root())
    for r in results:
        for error in r.errors:
            print(f"LỖI  {error}", file=sys.stderr)
        if not quiet:
            state = "không đổi" if r.import_id is None and not r.errors else f"{r.rows_ok} dòng"
            print(f"Cơ sở dữ liệu cụm công nghiệp từ kho văn bản ({r.file}): {state}.", file=sys.stderr)
    return results
