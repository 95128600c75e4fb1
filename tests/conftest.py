"""Shared fixtures: the real corpus beside the checkout (../shared/corpus), never copied here."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
CCN = SHARED / "ccn"
LETTERS = SHARED / "letters"


@pytest.fixture(scope="session")
def ccn_dir() -> Path:
    if not CCN.is_dir():
        pytest.fail(f"không thấy kho văn bản {CCN}: cần thư mục ../shared bên cạnh repo")
    return CCN


@pytest.fixture(scope="session")
def letters_dir() -> Path:
    return LETTERS
