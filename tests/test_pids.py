"""Provision ids (kb.model.Provision.pid): stable, and distinct for an address a document
repeats, on a real notice of the wide archive that numbers two sections "II." (Thông báo
365/TB-VPCP)."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from ingest.parse import parse_document
from ingest.readers import read

WIDE_TAR = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "wide.tar.xz"
NOTICE = "wide/van-phong-chinh-phu/thong-bao-365-2026-tb-vpcp.md"


@pytest.fixture(scope="module")
def notice(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("wide")
    with tarfile.open(WIDE_TAR) as tar:
        tar.extract(tar.getmember(NOTICE), folder, filter="data")
    return parse_document(read(folder / NOTICE))


def test_a_repeated_address_keeps_its_own_pid(notice):
    """The notice numbers two sections "II." (the tasks, then the answers to the city's requests):
    the second and its points are told apart by their occurrence, so none hides another."""
    nodes = list(notice.all_provisions())
    sections = [n for n in nodes if n.label == "Mục II"]
    assert [n.text.split(" ")[1] for n in sections] == ["MỘT", "VỀ"]
    assert [n.occurrence for n in sections] == [0, 1]
    points = [n for n in nodes if n.label == "mục 1" and n.container_path == ("Mục II",)]
    assert [(n.text[:15], n.occurrence) for n in points] == [("1. Quán triệt, ", 0), ("1. Về phát triể", 1)]
    assert len({n.pid for n in nodes}) == len(nodes) == 16


def test_the_first_occurrence_keeps_the_pid_it_always_had(notice):
    """Only the repeats change: the first "1. Quán triệt …" has the id it was stored under
    before occurrences existed, so a home built earlier keeps its references."""
    first = next(n for n in notice.all_provisions() if n.text.startswith("1. Quán triệt"))
    assert first.pid == "9fb9a1d2284914ca"
