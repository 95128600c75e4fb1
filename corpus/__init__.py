"""Corpus configuration: which folders and archives make up the default knowledge base."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = Path(__file__).with_name("default.yaml")


def corpus_paths(name: str = "default", config: Path = CONFIG) -> list[Path]:
    """The paths of a named corpus set ("default", or one under `sets:`), resolved from the repo root."""
    data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    entries = data.get("default", []) if name == "default" else data.get("sets", {}).get(name)
    if entries is None:
        known = ", ".join(["default", *data.get("sets", {})])
        raise ValueError(f"không có bộ văn bản «{name}» trong {config} (có: {known})")
    return [(ROOT / entry).resolve() for entry in entries]


def lexical_only_prefixes(config: Path = CONFIG) -> list[Path]:
    """Paths whose provisions get no vector by default (see `lexical_only` in the config)."""
    data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    return [path for name in data.get("lexical_only", []) for path in corpus_paths(name, config)]


def query_question_paths(config: Path = CONFIG) -> list[Path]:
    """Archives of real questions the query student learns from (`query_questions` in the config)."""
    data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    return [(ROOT / entry).resolve() for entry in data.get("query_questions", [])]


def asked_question_paths(config: Path = CONFIG) -> tuple[list[Path], list[Path]]:
    """Archives whose questions are added to the provisions they cite, and the evaluation sets
    whose gold provisions get none (`asked_questions` in the config; retrieval/asked.py)."""
    data = (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("asked_questions") or {}
    return ([(ROOT / entry).resolve() for entry in data.get("archives", [])],
            [(ROOT / entry).resolve() for entry in data.get("exclude", [])])


def catalogue_paths(config: Path = CONFIG) -> list[Path]:
    """Sources scanned for the catalogue of cited documents only (`catalogue` in the config)."""
    data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    return [(ROOT / entry).resolve() for entry in data.get("catalogue", [])]
