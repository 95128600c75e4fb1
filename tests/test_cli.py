"""The `ccn` command line as a user runs it (a subprocess of .venv/bin/ccn): ingest output and
exit status, `docs --json` and `show --json` contracts, option positions, CCN_HOME and
CCN_DATABASE_URL. Every run has its own working directory, so nothing lands in ./data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_ingest_runner import (
    BAD_FILES,
    BIG_ERROR,
    GOOD,
    GOOD_DOC,
    NO_STRUCTURE,
    NO_STRUCTURE_WARNING,
    BadFile,
    write_50mb_text,
)

ROOT = Path(__file__).resolve().parents[1]
CCN_BIN = ROOT / ".venv" / "bin" / "ccn"
COMMAND = [str(CCN_BIN)] if CCN_BIN.exists() else [sys.executable, "-m", "api.cli"]
ND32 = "32/2024/NĐ-CP"
ND32_POINT = "điểm c khoản 2 Điều 8 Nghị định 32/2024/NĐ-CP"
DOCS_KEYS = {"doc", "type", "issuer", "issued", "effective", "status", "title", "articles",
             "replaces", "replaced_by"}
REPORT_KEYS = {"ingested", "unchanged", "failed"}


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CCN_HOME", "CCN_DATABASE_URL")}
    return env | extra


def ccn(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed `ccn` with `args` in `cwd` (CCN_* variables unset unless in `env`)."""
    return subprocess.run([*COMMAND, *map(str, args)], cwd=cwd, env=env or _env(),
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def _name(path: Path) -> str:
    return str(path.resolve())


@pytest.fixture(scope="session")
def ccn_home(
    tmp_path_factory: pytest.TempPathFactory, ccn_dir: Path
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """A data folder holding the ccn corpus, ingested once through the CLI; that run's result."""
    home = tmp_path_factory.mktemp("ccn-home")
    run = ccn("--home", home, "ingest", ccn_dir, "--json", cwd=home)
    assert run.returncode == 0, run.stderr
    return home, run


@pytest.fixture(scope="session")
def docs(ccn_home: tuple[Path, subprocess.CompletedProcess[str]]) -> dict[str, dict]:
    home, _ = ccn_home
    run = ccn("--home", home, "docs", "--json", cwd=home)
    assert run.returncode == 0, run.stderr
    return {row["doc"]: row for row in json.loads(run.stdout)}


# --- ingest ------------------------------------------------------------------------------------


def test_ingest_folder_json_progress_and_summary(ccn_home, ccn_dir: Path):
    _, run = ccn_home
    report = json.loads(run.stdout)
    files = sorted(_name(p) for p in ccn_dir.iterdir() if p.suffix != ".tsv")
    assert report == {"ingested": files, "unchanged": [], "failed": []}
    assert "Nạp văn bản" in run.stderr and f"{len(files)}/{len(files)}" in run.stderr
    assert f"Đã nạp {len(files)} tệp, không đổi 0, lỗi 0; kho có " in run.stderr


def test_ingest_again_prints_a_summary_line_and_exits_0(ccn_home, ccn_dir: Path):
    home, first = ccn_home
    run = ccn("ingest", ccn_dir, "--home", home, cwd=home)
    assert run.returncode == 0, run.stderr
    (line,) = run.stdout.splitlines()
    files = len(json.loads(first.stdout)["ingested"])
    assert line.startswith(f"Đã nạp 0 tệp, không đổi {files}, lỗi 0; kho có ")
    assert line.endswith("văn bản chỉ được dẫn chiếu.")


@pytest.mark.parametrize("bad", BAD_FILES, ids=lambda b: b.name)
def test_ingest_bad_file_exits_1_and_stores_the_good_one(tmp_path: Path, ccn_dir: Path, bad: BadFile):
    path = bad.make(tmp_path, ccn_dir)
    run = ccn("--home", tmp_path / "home", "ingest", path, ccn_dir / GOOD, "--json", cwd=tmp_path)
    assert run.returncode == 1
    report = json.loads(run.stdout)
    assert report.keys() == REPORT_KEYS
    assert report["ingested"] == [_name(ccn_dir / GOOD)] and report["unchanged"] == []
    (failure,) = report["failed"]
    assert failure.keys() == {"path", "error"} and failure["path"] == _name(path)
    assert failure["error"].startswith(bad.error)
    assert f"LỖI  {_name(path)}: {failure['error']}" in run.stderr
    assert _in_docs(tmp_path / "home", GOOD_DOC, tmp_path)


def _in_docs(home: Path, number: str, cwd: Path) -> bool:
    run = ccn("docs", "--json", "--home", home, cwd=cwd)
    return any(row["doc"] == number for row in json.loads(run.stdout))


def test_ingest_text_without_structure_warns_and_exits_0(tmp_path: Path, ccn_dir: Path):
    path = tmp_path / "ghi-chu.txt"
    path.write_text(NO_STRUCTURE, encoding="utf-8")
    run = ccn("ingest", path, ccn_dir / GOOD, "--json", "--home", tmp_path / "home", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {"ingested": [_name(path), _name(ccn_dir / GOOD)], "unchanged": [],
                                      "failed": []}
    assert f"CẢNH BÁO  {_name(path)}: {NO_STRUCTURE_WARNING}" in run.stderr


# Runs a command and writes its peak RSS (KiB) to argv[1]. A process spawned by pytest itself
# would count pytest's own memory (inherited at fork) in its peak: this small launcher does not.
_LAUNCHER = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
open(sys.argv[1], "w").write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _run_measured(
    *args: str | Path, cwd: Path
) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """The run, its wall time in seconds and the peak RSS of `ccn` in MiB."""
    rss = cwd / "rss.txt"
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", _LAUNCHER, rss, *COMMAND, *map(str, args)],
                         cwd=cwd, env=_env(), capture_output=True, text=True, encoding="utf-8",
                         timeout=120)
    return run, time.perf_counter() - started, int(rss.read_text()) / 1024


def test_ingest_50mb_text_fails_cleanly(tmp_path: Path, ccn_dir: Path):
    big = write_50mb_text(tmp_path / "lon.txt")
    run, elapsed, rss = _run_measured(
        "ingest", big, ccn_dir / GOOD, "--json", "--home", tmp_path / "home", cwd=tmp_path
    )
    print(f"\nccn ingest 50 MB text: {elapsed:.2f} s, peak RSS {rss:.0f} MiB")
    assert run.returncode == 1, run.stderr
    assert json.loads(run.stdout) == {"ingested": [_name(ccn_dir / GOOD)], "unchanged": [],
                                      "failed": [{"path": _name(big), "error": BIG_ERROR}]}
    assert f"LỖI  {_name(big)}: {BIG_ERROR}" in run.stderr
    assert elapsed < 20 and rss < 150  # the interpreter and its libraries take about 60 MiB


def test_ingest_missing_path_exits_1(tmp_path: Path):
    run = ccn("ingest", tmp_path / "khong-co.txt", "--json", "--home", tmp_path, cwd=tmp_path)
    assert run.returncode == 1
    assert json.loads(run.stdout)["failed"] == [{"path": _name(tmp_path / "khong-co.txt"),
                                                 "error": "không tìm thấy tệp"}]


@pytest.mark.slow
def test_ingest_without_paths_takes_the_default_corpus(tmp_path: Path, ccn_dir: Path):
    """The default set is everything shipped (ingesting the wide corpus takes minutes: the
    named set "core", the ccn corpus alone, is ingested here)."""
    from corpus import catalogue_paths, corpus_paths

    shared = ccn_dir.parent.resolve()
    assert corpus_paths() == [shared / "ccn", shared / "letters", shared / "wide.tar.xz", shared / "notices"]
    assert catalogue_paths() == [shared / "hoidap.tar.xz", shared / "notices"]
    run = ccn("ingest", "--json", "--set", "core", "--home", tmp_path / "home", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    ingested = json.loads(run.stdout)["ingested"]
    assert _name(ccn_dir / "ND-32-2024-ND-CP.docx") in ingested
    assert len(ingested) == len([p for p in ccn_dir.iterdir() if p.suffix != ".tsv"])


def test_ingest_unknown_corpus_set_is_bad_usage(tmp_path: Path):
    run = ccn("ingest", "--set", "khong-co", "--home", tmp_path, cwd=tmp_path)
    assert run.returncode == 2
    assert "không có bộ văn bản «khong-co»" in run.stderr


# --- docs --------------------------------------------------------------------------------------


def test_docs_json_keys(docs: dict[str, dict]):
    for row in docs.values():
        assert row.keys() >= DOCS_KEYS, row


def test_docs_json_nd32(docs: dict[str, dict]):
    row = docs[ND32]
    assert {k: row[k] for k in DOCS_KEYS - {"title"}} == {
        "doc": ND32,
        "type": "Nghị định",
        "issuer": "Chính phủ",
        "issued": "2024-03-15",
        "effective": "2024-05-01",
        "status": "in_force",
        "articles": 38,
        "replaces": ["66/2020/NĐ-CP", "68/2017/NĐ-CP"],
        "replaced_by": [],
    }
    assert row["title"] == "Về quản lý, phát triển cụm công nghiệp"


def test_docs_json_repealed_stub(docs: dict[str, dict]):
    row = docs["68/2017/NĐ-CP"]
    assert (row["replaced_by"], row["status"], row["articles"]) == ([ND32], "repealed", 0)
    assert row["issued"] == "2017-05-25"


# --- show --------------------------------------------------------------------------------------


def test_show_json_point(ccn_home):
    home, _ = ccn_home
    run = ccn("--home", home, "show", ND32_POINT, "--json", cwd=home)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["citation"] == {"doc": ND32, "part": None, "annex": None, "article": 8,
                                  "clause": 2, "point": "c"}
    assert result["citation_text"] == "điểm c khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP"
    assert result["text"].startswith("c) Đạt tỷ lệ lấp đầy ít nhất 60%")
    assert result["doc_title"] == "Về quản lý, phát triển cụm công nghiệp"
    assert result["status"] == "in_force"


def test_show_as_of_before_effective_date(ccn_home):
    home, _ = ccn_home
    run = ccn("show", ND32_POINT, "--as-of", "2024-01-01", "--json", "--home", home, cwd=home)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert (result["status"], result["as_of"]) == ("not_yet_in_force", "2024-01-01")


def test_show_plain_text(ccn_home):
    home, _ = ccn_home
    run = ccn("--home", home, "show", ND32_POINT, "--as-of", "2026-11-28", cwd=home)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "điểm c khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP"
    assert lines[2] == "Hiệu lực ngày 2026-11-28: Còn hiệu lực"


def test_show_unknown_article_exits_1(ccn_home):
    home, _ = ccn_home
    run = ccn("--home", home, "show", "Điều 99 Nghị định 32/2024/NĐ-CP", cwd=home)
    assert run.returncode == 1
    assert run.stdout.splitlines() == ["Không tìm thấy quy định.",
                                       "không có Điều 99 Nghị định số 32/2024/NĐ-CP trong kho dữ liệu"]
    run = ccn("--home", home, "show", "Điều 99 Nghị định 32/2024/NĐ-CP", "--json", cwd=home)
    assert run.returncode == 1
    result = json.loads(run.stdout)
    assert result["found"] is False
    assert result["warnings"] == ["không có Điều 99 Nghị định số 32/2024/NĐ-CP trong kho dữ liệu"]


def test_show_unreadable_citation_exits_1(ccn_home):
    home, _ = ccn_home
    run = ccn("--home", home, "show", "xin chào", cwd=home)
    assert run.returncode == 1
    assert run.stdout.splitlines() == ["Không tìm thấy quy định.", "không nhận ra trích dẫn «xin chào»"]


def test_show_bad_date_is_bad_usage(ccn_home):
    home, _ = ccn_home
    run = ccn("--home", home, "show", ND32_POINT, "--as-of", "2024-13-01", cwd=home)
    assert run.returncode == 2
    assert "ngày «2024-13-01» không hợp lệ, cần dạng YYYY-MM-DD" in run.stderr


# --- where the data goes -----------------------------------------------------------------------


@pytest.mark.parametrize("position", ["before", "after"])
def test_home_option_before_or_after_the_subcommand(tmp_path: Path, ccn_dir: Path, position: str):
    home = tmp_path / "home"
    args = ["--home", home, "ingest", ccn_dir / GOOD] if position == "before" else \
        ["ingest", ccn_dir / GOOD, "--home", home]
    assert ccn(*args, cwd=tmp_path).returncode == 0
    assert (home / "kb.sqlite3").is_file() and not (tmp_path / "data").exists()
    assert _in_docs(home, GOOD_DOC, tmp_path)


def test_json_option_before_the_subcommand(ccn_home):
    home, _ = ccn_home
    run = ccn("--json", "--home", home, "show", ND32_POINT, cwd=home)
    assert json.loads(run.stdout)["citation"]["article"] == 8


def test_default_home_is_data_in_the_working_directory(tmp_path: Path, ccn_dir: Path):
    assert ccn("ingest", ccn_dir / GOOD, cwd=tmp_path).returncode == 0
    assert (tmp_path / "data" / "kb.sqlite3").is_file()


def test_ccn_home_environment_variable(tmp_path: Path, ccn_dir: Path):
    home = tmp_path / "from-env"
    env = _env(CCN_HOME=str(home))
    assert ccn("ingest", ccn_dir / GOOD, cwd=tmp_path, env=env).returncode == 0
    assert (home / "kb.sqlite3").is_file() and not (tmp_path / "data").exists()
    run = ccn("docs", "--json", cwd=tmp_path, env=env)
    assert GOOD_DOC in {row["doc"] for row in json.loads(run.stdout)}


def test_home_option_wins_over_ccn_home(tmp_path: Path, ccn_dir: Path):
    env = _env(CCN_HOME=str(tmp_path / "from-env"))
    run = ccn("ingest", ccn_dir / GOOD, "--home", tmp_path / "flag", cwd=tmp_path, env=env)
    assert run.returncode == 0
    assert (tmp_path / "flag" / "kb.sqlite3").is_file() and not (tmp_path / "from-env").exists()


def test_ccn_database_url_environment_variable(tmp_path: Path, ccn_dir: Path):
    database = tmp_path / "db" / "rieng.sqlite3"
    database.parent.mkdir()
    env = _env(CCN_DATABASE_URL=f"sqlite:///{database}")
    assert ccn("ingest", ccn_dir / GOOD, cwd=tmp_path, env=env).returncode == 0
    assert database.is_file() and not (tmp_path / "data").exists()
    run = ccn("docs", "--json", cwd=tmp_path, env=env)
    assert GOOD_DOC in {row["doc"] for row in json.loads(run.stdout)}
    elsewhere = ccn("docs", "--json", "--home", tmp_path / "other", cwd=tmp_path)
    assert json.loads(elsewhere.stdout) == []
