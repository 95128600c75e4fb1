"""`ccn` command line: ingest, docs, show.

    ccn [--home DIR] ingest [PATH...] [--set NAME] [--if-empty] [--json]
                                                 files, folders, .tar.xz archives; no PATH: the
                                                 corpus set NAME of corpus/default.yaml
    ccn [--home DIR] docs [--json]               the documents, their validity today, source, evidence
    ccn [--home DIR] currency [--json]           what the knowledge base lacks (kb/catalog.py)
    ccn [--home DIR] show "CITATION" [--as-of YYYY-MM-DD] [--json]
    ccn [--home DIR] serve [--host 127.0.0.1] [--port 8000]
                                                 the HTTP API and web UI (api/app.py)
    ccn [--home DIR] run [--host 127.0.0.1] [--port 8000]
                                                 `make run`: port checked first, the core corpus
                                                 and lexical index, serving at once, vectors and
                                                 query student in the background (api/first_run.py)
    ccn [--home DIR] compare (SUBJECT | CITATION) [--docs DOC…] [--as-of YYYY-MM-DD] [--json]
                                                 comparable provisions side by side (retrieval/compare.py)
    ccn [--home DIR] check FILE [--as-of YYYY-MM-DD] [--json] [--annotate OUT.docx]
                                                 a letter's citations checked (exit 1: errors)
    ccn [--home DIR] draft SPEC -o OUT.docx [--report REPORT.json] [--as-of YYYY-MM-DD] [--pdf OUT.pdf]
                                                 a draft from a JSON/YAML spec (exit 1: citation
                                                 errors, the DOCX is still written; 2: bad spec)
    ccn [--home DIR] clusters [list|import FILE|report|history ID|build-from-corpus] …
                                                 the cluster register (api/cli_register.py)
    ccn settings [--json | --markdown]         the settings in effect, their CCN_… variables
                                                 (kb/settings.py; api/cli_settings.py)
    ccn [--home DIR] users add NAME --role ROLE | token NAME | list
                                                 review workflow users; add/token print a new
                                                 API token (exit 1: e.g. the user exists);
                                                 ROLE: a drafting.review Role (`ccn users -h`)

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
from typing import TYPE_CHECKING

from corpus import catalogue_paths, corpus_paths
from drafting.review import ROLE_LABELS, Role
from ingest.runner import ingest_paths
from kb import catalog, lookup
from kb.settings import get_settings, home_dir, store_for
from kb.store import Store
from kb.views import DocumentRow

if TYPE_CHECKING:
    from retrieval.student import StudentReport


def open_store(args: argparse.Namespace) -> Store:
    return store_for(home_dir(args.home))


def _progress(iterator, total):
    """A bar on a terminal, lines with counts and ETA otherwise (api/progress.py)."""
    from api.progress import ProgressLines

    return iterator if total < 2 and not sys.stderr.isatty() else ProgressLines().ingest(iterator, total)


def cmd_ingest(args: argparse.Namespace) -> int:
    store = open_store(args)
    if args.if_empty and store.counts()["documents"]:
        print(f"Kho đã có {store.counts()['documents']} văn bản: không nạp lại (--if-empty).", file=sys.stderr)
        update_catalogue(store, default=not args.paths and args.set == "default")
        return 0
    paths = [Path(p) for p in args.paths] or corpus_paths(args.set)
    report = ingest_paths(store, paths, progress=_progress)  # one writer per home; audited as the OS user
    if report.ingested:
        from api.state import mark_stale

        mark_stale(home_dir(args.home), create=False)  # the index lags the store until `ccn index` completes
    if not args.paths and args.set == "default":  # the cluster register read from the corpus
        from api.cli_register import register_from_corpus

        register_from_corpus(store)
    for path, warnings in report.warnings.items():
        for warning in warnings:
            print(f"CẢNH BÁO  {path}: {warning}", file=sys.stderr)
    for failure in report.failed:
        print(f"LỖI  {failure['path']}: {failure['error']}", file=sys.stderr)
    update_catalogue(store, default=not args.paths and args.set == "default")
    counts = store.counts()
    summary = (
        f"Đã nạp {len(report.ingested)} tệp, không đổi {len(report.unchanged)}, "
        f"lỗi {len(report.failed)}; kho có {counts['documents']} văn bản, "
        f"{counts['provisions']} quy định, {counts['stubs']} văn bản chỉ được dẫn chiếu."
    )
    print_outcome(report.model_dump(mode="json"), summary, as_json=args.json)
    return 1 if report.failed else 0


def print_outcome(data: dict, summary: str, *, as_json: bool) -> None:
    """A command's result: JSON on stdout with the one-line summary on stderr, or the summary alone."""
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        print(summary, file=sys.stderr)
    else:
        print(summary)


def update_catalogue(store: Store, default: bool) -> None:
    """The catalogue of cited documents (kb/catalog.py): the ingested texts' mentions, and with
    the default set the sources under `catalogue:` in corpus/default.yaml (the hỏi đáp pages);
    an unchanged source is skipped by its sha256."""
    from ingest.catalogue import build_catalogue, catalogue_store

    for report in (catalogue_store(store), build_catalogue(store, catalogue_paths()) if default else None):
        if report is None:
            continue
        for origin, mentions in report.built.items():
            print(f"Danh mục dẫn chiếu: {origin}: {mentions} lần dẫn chiếu, {report.seconds[origin]} giây",
                  file=sys.stderr)
        for failure in report.failed:
            print(f"LỖI  {failure['path']}: {failure['error']}", file=sys.stderr)


def cmd_currency(args: argparse.Namespace) -> int:
    """What the knowledge base lacks: cited documents not held, notices without text, statuses
    resting on a source's label, and the date it is current to."""
    from ingest.catalogue import catalogue_store

    store = open_store(args)
    catalogue_store(store)
    report = catalog.currency_report(store, date.today(), limit=args.limit)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print(catalog.format_currency(report))
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    store = open_store(args)
    rows = catalog.add_sources(store, lookup.document_rows(store, date.today()))
    if args.json:
        print(json.dumps([r.model_dump(mode="json") for r in rows], ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        print(_doc_line(row))
    return 0


def _doc_line(row: DocumentRow) -> str:
    """One document per line; a cited-only one says so, a replaced one by what and from when."""
    source = catalog.SOURCE_TEXT.get(row.source or "", "")
    notes = "".join(f"  — {note}" for note in row.amendment_notes)
    return (
        f"{row.doc or '(không số)':<22} {row.type or '':<18} {row.issued or '':<10} "
        f"{row.status_text:<22} {row.articles:>4} Điều  {source:<18} {row.title[:60]}"
        f"  [{row.evidence}]{notes}"
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


def cmd_compare(args: argparse.Namespace) -> int:
    """Comparable provisions side by side (retrieval/compare.py); a subject opens the indexes."""
    from retrieval.compare import CompareError, compare, format_compare

    docs = [d.strip() for item in args.docs or [] for d in item.split(",") if d.strip()]
    try:
        result = compare(open_store(args), args.query, args.as_of or date.today(), docs=docs or None,
                         searcher=lambda: _searcher(args))
    except CompareError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 1
    print(result.model_dump_json(indent=2) if args.json else format_compare(result))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Check a letter's citations: 0 no error, 1 errors found, 2 unreadable file / bad option."""
    from drafting.checker import annotate_docx, check_file, format_report
    from ingest.types import ReadError

    if args.annotate and Path(args.file).suffix.lower() != ".docx":
        print("Lỗi: --annotate chỉ dùng được với tệp .docx", file=sys.stderr)
        return 2
    try:
        report = check_file(open_store(args), args.file, as_of=args.as_of)
    except ReadError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    if args.annotate:
        annotate_docx(args.file, report, args.annotate)
    print(json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2) if args.json
          else format_report(report))
    return 1 if report.errors else 0


def cmd_draft(args: argparse.Namespace) -> int:
    """Assemble, render and check a draft; 0 clean, 1 citation errors (files written), 2 bad spec."""
    from drafting.pipeline import make_draft
    from drafting.preview import PreviewError, PreviewUnavailable, to_pdf
    from drafting.severity import SEVERITY_LABEL
    from drafting.spec import load_spec

    spec = load_spec(args.spec, home_dir(args.home))  # SpecError (a ValueError): exit 2 with its message
    store = open_store(args)
    result = make_draft(spec, store, args.output, as_of=args.as_of, searcher=_draft_searcher(args, spec))
    if args.pdf:
        try:
            result.pdf = to_pdf(result.docx, args.pdf)
        except (PreviewUnavailable, PreviewError) as exc:
            result.notes.append(str(exc))
            print(f"CẢNH BÁO  {exc}", file=sys.stderr)
    if args.report:
        result.write_report(args.report)
    draft = result.draft
    for issue in draft.issues:
        print(f"{SEVERITY_LABEL[issue.severity]}  {issue.where}: {issue.message}", file=sys.stderr)
    for finding in result.check.errors if result.check else []:
        print(f"LỖI  kiểm tra trích dẫn: «{finding.text}» — {finding.message}", file=sys.stderr)
    if args.json:
        print(result.report().model_dump_json(indent=2))
        return 0 if result.ok else 1
    counts = result.check.counts if result.check else {}
    print(f"Đã soạn {result.docx} ({draft.kind_label}, DỰ THẢO): {len(draft.body)} đoạn, "
          f"{len(draft.citations)} quy định viện dẫn, {len(draft.errors)} lỗi khi lập; kiểm tra trích dẫn: "
          f"{counts.get('citations', 0)} trích dẫn, {counts.get('errors', 0)} lỗi."
          + (f" PDF: {result.pdf}" if result.pdf else "")
          + (f" Bảng so sánh, thuyết minh: {result.comparison}" if result.comparison else ""))
    return 0 if result.ok else 1


def _draft_searcher(args: argparse.Namespace, spec):
    """The search index, only when the spec asks for suggested provisions (None if not built)."""
    if not (spec.suggest or any(p.suggest for p in [*spec.points, *spec.questions]
                                + [p for s in spec.sections for p in s.points])):
        return None
    try:
        return _searcher(args)
    except Exception as exc:  # no index yet: the draft says so in its issues
        print(f"CẢNH BÁO  không mở được chỉ mục tìm kiếm ({exc}); chạy `ccn index` để có gợi ý",
              file=sys.stderr)
        return None


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
    from api.progress import ProgressLines

    return ProgressLines()(iterator, total, desc)


def _home(args: argparse.Namespace) -> Path:
    return home_dir(args.home)


def cmd_index(args: argparse.Namespace) -> int:
    from retrieval.build import build_indexes

    store = open_store(args)
    report = build_indexes(store, _home(args), dense=args.dense, embedder=_embedder(),
                           chroma_url=get_settings().data.chroma_url, progress=_index_progress,
                           student=args.student)
    from api.state import clear_stale, units_without_vectors

    if args.dense == "none" or units_without_vectors(_home(args)) == 0:
        clear_stale(_home(args))
    if args.json:
        print(json.dumps(report.model_dump(mode="json"), ensure_ascii=False))
        return 0
    print(f"Chỉ mục: {report.units} đơn vị tìm kiếm, {report.added} mới/đổi, {report.removed} bỏ, "
          f"{report.embedded} vector mới, {report.seconds} giây.")
    if report.student:
        print(_format_student(report.student))
    return 0


def _format_student(student: StudentReport) -> str:
    if student.skipped:
        return f"Mô hình câu hỏi: {student.skipped}."
    return (f"Mô hình câu hỏi: học từ {student.questions} câu ({student.from_kb} từ cơ sở tri thức), "
            f"{student.features} đặc trưng, cosine với mô hình đầy đủ {student.held_out_cosine} "
            f"(câu giữ lại), {student.seconds} giây.")


def _embedder() -> str:
    return get_settings().search.embedder


def cmd_search(args: argparse.Namespace) -> int:
    from retrieval.search import Filters
    from retrieval.settings import preset

    searcher = _searcher(args, preset(args.preset))
    filters = Filters(as_of=args.as_of, doc_type=args.doc_type, issuer=args.issuer, doc=args.doc,
                      province=args.province)
    queries = _batch_queries(args.batch) if args.batch else [args.query]
    for query in queries:
        result = searcher.search(query, k=args.k, filters=filters)
        if args.json or args.batch:
            print(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=None if args.batch else 2))
        else:
            print(_format_result(result))
    return 0


def _searcher(args: argparse.Namespace, settings=None):
    from retrieval.build import open_searcher
    from retrieval.settings import SearchSettings

    settings = settings or SearchSettings()
    settings.embedder = _embedder()
    return open_searcher(open_store(args), _home(args), settings, chroma_url=get_settings().data.chroma_url)


def cmd_ask(args: argparse.Namespace) -> int:
    from answers.answer import Answerer
    from answers.grounding import writer_from_env
    from kb import register

    searcher = _searcher(args)
    answer = Answerer(searcher.store, searcher, llm=writer_from_env()).ask(args.question, as_of=args.as_of)
    clusters = register.register_entry_for_question(searcher.store, args.question)  # as /api/ask
    if args.json:
        print(json.dumps({**answer.model_dump(mode="json"), "clusters": [{**e, "text": register.entry_text(e)} for e in clusters]},
                         ensure_ascii=False, indent=2))
    else:
        print(_format_answer(answer))
        if clusters:
            print("\nCụm công nghiệp được nêu (cơ sở dữ liệu CCN):")
            print("\n".join(f"  {register.entry_text(e)}" for e in clusters))
    return 0


def _format_answer(answer) -> str:
    lines = [answer.answer, "", f"Độ tin cậy: {answer.confidence:.2f}", *(f"Lưu ý: {w}" for w in answer.warnings)]
    for q in answer.provisions:
        lines += ["", f"[{q.hit.citation_text}] {q.hit.title} — {q.hit.validity.text}", q.quote]
        lines += [f"  → {a.citation_text}: {a.quote[:300]}" for a in q.references + q.changes]
    if answer.related:
        lines += ["", "Quy định liên quan khác: " + "; ".join(h.citation_text for h in answer.related)]
    if answer.prior_letters:
        lines += ["", "Công văn đã có:"] + [f"  {p.citation_text}: {p.title}" for p in answer.prior_letters]
    return "\n".join(lines)


def default_workers() -> int:
    """Server processes by default: one per available core, at most 4 (~270 MB each). One
    process runs Python on one core at a time; 8 concurrent users need both cores of a small
    machine (bench/api_bench.py: search p95 140 ms with one process, 64 ms with two)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cores, 4))


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app
    from api.security import UVICORN_OPTIONS

    home = _home(args)
    workers = args.workers or default_workers()
    print(f"Phục vụ tại http://{args.host}:{args.port}/ (dữ liệu: {home}, {workers} tiến trình)", file=sys.stderr)
    if workers > 1:  # each process loads its own indexes and model; they share the store
        os.environ["CCN_HOME"] = str(home.resolve())
        uvicorn.run("api.app:app_from_env", factory=True, workers=workers, host=args.host, port=args.port,
                    **UVICORN_OPTIONS)
    else:
        uvicorn.run(create_app(home, store=open_store(args), preload=True), host=args.host, port=args.port,
                    **UVICORN_OPTIONS)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """`make run`: serve first, improve in the background (api/first_run.py)."""
    import uvicorn

    from api.app import create_app
    from api.first_run import (
        default_paths,
        has_units,
        ingest_core,
        needs_background,
        port_problem,
        start_background,
    )
    from retrieval.build import build_lexical

    problem = port_problem(args.host, args.port)
    if problem:  # before any work: a busy port used to cost a re-ingest and an English error
        print(f"Lỗi: {problem}.", file=sys.stderr)
        return 1
    home, store = _home(args), open_store(args)
    rest = ingest_core(store, home, default_paths())
    if not has_units(home):  # a first index: the lexical part now, vectors in the background
        from api.progress import ProgressLines

        report = build_lexical(store, home, progress=ProgressLines())
        print(f"Chỉ mục từ khoá: {report.units} đơn vị tìm kiếm, {report.seconds} giây.", file=sys.stderr)
    if not rest and not needs_background(home):
        return cmd_serve(args)
    print(f"Phục vụ tại http://{args.host}:{args.port}/ (dữ liệu: {home}); tìm theo từ khoá ngay, "
          "vector và mô hình câu hỏi đang được tính (tiến độ bên dưới, trong /health và trên giao diện).",
          file=sys.stderr)
    app = create_app(home, store=store, preload=True, startup=lambda state: start_background(state, rest))
    uvicorn.run(app, host=args.host, port=args.port)
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    """Review workflow users: `add` (prints the new token once), `token` (a new one), `list`."""
    from drafting.review import ReviewError, ReviewSettings, ReviewStore

    if args.action != "list" and not args.name:
        print(f"Lỗi: «ccn users {args.action}» cần tên đăng nhập", file=sys.stderr)
        return 2
    review = ReviewStore(open_store(args), ReviewSettings.for_home(_home(args)))
    try:
        if args.action == "list":
            rows = [u.model_dump(mode="json") for u in review.users()]
            print(json.dumps(rows, ensure_ascii=False, indent=2) if args.json else
                  "\n".join(f"{u['name']:<20} {u['role_text']:<12} {u['display_name']}"
                            + ("" if u["active"] else "  [đã khoá]") for u in rows))
            return 0
        if args.action == "add":
            review.add_user(args.name, args.role, display_name=args.display_name)
        issued = review.issue_token(args.name, label=args.label)
    except ReviewError as exc:
        print(f"Lỗi: {exc.message}", file=sys.stderr)
        return 1
    print(json.dumps(issued.model_dump(mode="json"), ensure_ascii=False) if args.json else issued.token)
    print(f"Mã truy cập của {issued.user.name} ({issued.user.role_text}): chỉ hiện một lần, hãy lưu lại.",
          file=sys.stderr)
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
    p.add_argument("--if-empty", action="store_true", help="chỉ nạp khi kho chưa có văn bản nào")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("docs", help="danh sách văn bản", parents=common)
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("currency", help="cơ sở tri thức thiếu gì: văn bản được dẫn chiếu chưa có, "
                       "thông báo chưa có toàn văn, trạng thái theo nhãn nguồn", parents=common)
    p.add_argument("--limit", type=int, default=50, help="số văn bản thiếu liệt kê (mặc định 50)")
    p.set_defaults(func=cmd_currency)

    p = sub.add_parser("index", help="xây dựng / cập nhật chỉ mục tìm kiếm", parents=common)
    p.add_argument("--dense", default="core", choices=["core", "all", "none"],
                   help="đơn vị nào có vector: core (mặc định, trừ bộ lớn chỉ tìm theo từ), all, none")
    p.add_argument("--student", default="auto", choices=["auto", "rebuild", "off"],
                   help="mô hình câu hỏi rút gọn: auto (học khi chưa có), rebuild (học lại), off")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", help="tìm quy định", parents=common)
    p.add_argument("query", nargs="?", default="")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--as-of", type=_iso_date, help="ngày xét hiệu lực YYYY-MM-DD (mặc định hôm nay)")
    p.add_argument("--batch", help="tệp mỗi dòng một câu hỏi (- là stdin); in mỗi dòng một JSON")
    p.add_argument("--preset", default="hybrid", choices=["hybrid", "hybrid-full", "bm25", "dense"])
    p.add_argument("--doc-type", help="loại văn bản, ví dụ «Nghị định»")
    p.add_argument("--issuer", help="cơ quan ban hành (một phần tên)")
    p.add_argument("--doc", help="số hiệu văn bản")
    p.add_argument("--province", help="tỉnh (một phần tên)")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="hỏi đáp: các quy định trả lời câu hỏi, trích nguyên văn", parents=common)
    p.add_argument("question")
    p.add_argument("--as-of", type=_iso_date, help="ngày xét hiệu lực YYYY-MM-DD (mặc định hôm nay)")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("eval", help="đánh giá tìm kiếm trên bộ câu hỏi", parents=common)
    p.add_argument("--set", default="dev", help="dev (mặc định), dev2, calibration, holdout, hoidap (phần kiểm tra), hoidap-fit (phần khớp mô hình), hoặc đường dẫn tệp JSONL")
    p.add_argument("--systems", default="hybrid,hybrid-full,bm25,dense,llamaindex")
    p.add_argument("--limit", type=int, help="chỉ chạy N câu đầu")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("show", help="xem một quy định theo trích dẫn", parents=common)
    p.add_argument("citation")
    p.add_argument("--as-of", type=_iso_date, help="ngày xét hiệu lực YYYY-MM-DD (mặc định hôm nay)")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("compare", help="so sánh quy định tương ứng giữa các văn bản, qua các thời kỳ",
                       parents=common)
    p.add_argument("query", help="trích dẫn («Điều 10 NĐ 32/2024/NĐ-CP») hoặc chủ đề")
    p.add_argument("--docs", nargs="+", help="các văn bản so sánh (số hiệu; mặc định NĐ 32/2024 và các "
                   "Quy chế cấp tỉnh trong kho)")
    p.add_argument("--as-of", type=_iso_date, help="ngày xét hiệu lực YYYY-MM-DD (mặc định hôm nay)")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("check", help="kiểm tra trích dẫn của một văn bản (DOCX, PDF, TXT)",
                       parents=common)
    p.add_argument("file")
    p.add_argument("--as-of", type=_iso_date,
                   help="ngày xét hiệu lực YYYY-MM-DD (mặc định ngày của văn bản)")
    p.add_argument("--annotate", metavar="OUT.docx", help="ghi bản DOCX có nhận xét tại từng trích dẫn")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("draft", help="soạn dự thảo văn bản từ tệp spec JSON/YAML", parents=common)
    p.add_argument("spec", help="tệp spec .yaml/.yml/.json (ví dụ drafting/examples/gop_y.yaml)")
    p.add_argument("-o", "--output", required=True, metavar="OUT.docx", help="tệp DOCX kết quả")
    p.add_argument("--report", metavar="REPORT.json",
                   help="ghi báo cáo JSON: quy định viện dẫn, gợi ý, vấn đề, kết quả kiểm tra trích dẫn")
    p.add_argument("--as-of", type=_iso_date,
                   help="ngày xét hiệu lực YYYY-MM-DD (mặc định ngày của văn bản trong spec)")
    p.add_argument("--pdf", metavar="OUT.pdf", help="bản PDF xem trước (cần LibreOffice)")
    p.set_defaults(func=cmd_draft)

    p = sub.add_parser("serve", help="chạy API HTTP và giao diện web", parents=common)
    p.add_argument("--host", default="127.0.0.1", help="địa chỉ lắng nghe (mặc định 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="cổng (mặc định 8000)")
    p.add_argument("--workers", type=int, default=None,
                   help="số tiến trình phục vụ (mặc định: số lõi CPU, tối đa 4)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("run", help="lần chạy đầu: nạp, phục vụ ngay, tính vector trong nền (make run)",
                       parents=common)
    p.add_argument("--host", default="127.0.0.1", help="địa chỉ lắng nghe (mặc định 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="cổng (mặc định 8000)")
    p.add_argument("--workers", type=int, default=None,
                   help="khi không còn việc nền: số tiến trình phục vụ (mặc định: số lõi CPU, tối đa 4)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("users", help="người dùng quy trình duyệt dự thảo, mã truy cập API", parents=common)
    p.add_argument("action", choices=["add", "token", "list"],
                   help="add: thêm và in mã truy cập; token: cấp mã mới; list: danh sách")
    p.add_argument("name", nargs="?", help="tên đăng nhập")
    p.add_argument("--role", choices=[r.value for r in Role], default=Role.SPECIALIST.value,
                   help="vai trò: " + ", ".join(f"{r} ({ROLE_LABELS[r].lower()})" for r in Role))
    p.add_argument("--display-name", help="họ tên hiển thị")
    p.add_argument("--label", default="cấp qua dòng lệnh", help="ghi chú cho mã truy cập")
    p.set_defaults(func=cmd_users)

    from api.cli_register import add_clusters_parser  # `ccn clusters …` (api/cli_register.py)
    add_clusters_parser(sub, common)
    from api.cli_settings import add_settings_parser  # `ccn settings` (api/cli_settings.py)
    add_settings_parser(sub, common)
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
