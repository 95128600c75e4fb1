"""Tone-mark restoration of unaccented queries, learned from a real decree's text."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.analysis import analyze
from retrieval.restore import DiacriticRestorer


@pytest.fixture(scope="module")
def restorer(ccn_dir: Path) -> DiacriticRestorer:
    lines = (ccn_dir / "ND-32-2024-ND-CP.txt").read_text(encoding="utf-8").splitlines()
    return DiacriticRestorer(" ".join(analyze(line)) for line in lines if line.strip())


def test_restores_a_question(restorer: DiacriticRestorer):
    assert restorer.restore("ho so de nghi thanh lap cum cong nghiep gom nhung gi?") == (
        "hồ sơ đề nghị thành lập cụm công nghiệp gồm những gi?"
    )


def test_keeps_case_punctuation_and_unknown_words(restorer: DiacriticRestorer):
    assert restorer.restore("Ty le lap day, xyz 60%") == "Tỷ lệ lấp đầy, xyz 60%"
