"""Ingestion never loses or corrupts data: bad files, a failure inside a write, re-runs,
changed files (versions) and archives. Every bad file is mixed with a good real file, which must
be stored; the bad one must be reported (path + Vietnamese problem) and leave no trace but its
row in `failures`.

The bad-file builders (BAD_FILES, NO_STRUCTURE, write_50mb_text) are shared with test_cli.py.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import tarfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from helpers_pdf import make_text_pdf
from sqlalchemy import func, select

import ingest.runner
import kb.model
import kb.store
from ingest.runner import IngestReport, ingest_paths
from kb import lookup, schema
from kb.store import Store

GOOD = "CV-1178-DCK-CTT-2025.txt"
GOOD_DOC = "1178/ĐCK-CTT"
ND32 = "32/2024/NĐ-CP"
ND32_POINT = "điểm c khoản 2 Điều 8 Nghị định 32/2024/NĐ-CP"
TODAY = date(2026, 11, 28)


# --- bad files ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BadFile:
    name: str
    make: Callable[[Path, Path], Path]  # (folder to write in, ccn corpus) -> the file
    error: str  # the Vietnamese problem the report gives (its start)


def _empty(folder: Path, _ccn: Path) -> Path:
    path = folder / "rong.txt"
    path.write_bytes(b"")
    return path


def _truncated_docx(folder: Path, ccn: Path) -> Path:
    data = (ccn / "ND-32-2024-ND-CP.docx").read_bytes()
    path = folder / "cat-doi.docx"
    path.write_bytes(data[: len(data) // 2])
    return path


def _corrupt_pdf(folder: Path, _ccn: Path) -> Path:
    path = folder / "hong.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"\x93 no objects, no xref, no trailer\n" * 50)
    return path


def _encrypted_pdf(folder: Path, _ccn: Path) -> Path:
    from pypdf import PdfReader, PdfWriter

    plain = make_text_pdf(folder / "ro.pdf.src", [["Dieu 1. Pham vi dieu chinh"]])
    writer = PdfWriter()
    for page in PdfReader(plain).pages:
        writer.add_page(page)
    writer.encrypt(user_password="mat-khau", owner_password="chu", algorithm="AES-128")
    path = folder / "khoa.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    plain.unlink()
    return path


def _binary_named_docx(folder: Path, _ccn: Path) -> Path:
    path = folder / "anh.docx"
    path.write_bytes(bytes(range(256)) * 64)
    return path


BAD_FILES = [
    BadFile("empty", _empty, "tệp rỗng"),
    BadFile("truncated_docx", _truncated_docx, "tệp DOCX bị hỏng hoặc không đầy đủ"),
    BadFile("corrupt_pdf", _corrupt_pdf, "tệp PDF bị hỏng"),
    BadFile("encrypted_pdf", _encrypted_pdf, "tệp PDF bị mã hoá (có mật khẩu)"),
    BadFile(
        "binary_named_docx",
        _binary_named_docx,
        "tệp có đuôi .docx nhưng không phải tệp DOCX: không phải văn bản (dữ liệu nhị phân)",
    ),
]

NO_STRUCTURE = "Họp giao ban sáng thứ Hai.\nMang theo báo cáo tuần và số liệu các cụm công nghiệp.\n"
NO_STRUCTURE_WARNING = "không nhận ra phần đầu văn bản (quốc hiệu, số, ngày, tên loại)"
BIG_ERROR = (
    "tệp văn bản quá lớn (50,0 MB, giới hạn 20 MB): không nạp (một văn bản không dài đến thế); "
    "hãy tách thành từng văn bản rồi nạp lại"
)


def write_50mb_text(path: Path) -> Path:
    """50 MiB of Vietnamese prose (UTF-8), written in 1 MiB chunks."""
    line = "Họp giao ban về tình hình sản xuất của các cụm công nghiệp trên địa bàn tỉnh.\n".encode()
    chunk = line * (1024 * 1024 // len(line))
    chunk += b"." * (1024 * 1024 - len(chunk) - 1) + b"\n"
    with path.open("wb") as fh:
        for _ in range(50):
            fh.write(chunk)
    assert path.stat().st_size == 50 * 1024 * 1024
    return path


# --- helpers ----------------------------------------------------------------------------------


def _name(path: Path) -> str:
    return str(path.resolve())


def _rows(store: Store, table) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _table_counts(store: Store, skip: tuple[str, ...] = ()) -> dict[str, int]:
    return {t.name: _rows(store, t) for t in schema.metadata.sorted_tables if t.name not in skip}


def _failures(store: Store) -> list[tuple[str, str]]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(schema.failures.c.path, schema.failures.c.error))
        return [tuple(r) for r in rows]


def _provision_rows(store: Store, doc_key: str) -> int:
    p = schema.provisions
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).where(p.c.doc_key == doc_key)).scalar_one()


def _assert_only_good_stored(store: Store, report: IngestReport, good: Path) -> None:
    assert report.ingested == [_name(good)]
    assert [s.path for s in store.sources()] == [_name(good)]
    assert store.document(GOOD_DOC) is not None
    assert store.provisions(GOOD_DOC)


# --- bad input, one test each ------------------------------------------------------------------


@pytest.mark.parametrize("bad", BAD_FILES, ids=lambda b: b.name)
def test_bad_file_is_reported_and_the_good_one_stored(tmp_path: Path, ccn_dir: Path, bad: BadFile):
    path = bad.make(tmp_path, ccn_dir)
    store = Store.at_home(tmp_path / "home")
    report = ingest_paths(store, [path, ccn_dir / GOOD])
    assert report.model_dump(mode="json").keys() == {"ingested", "unchanged", "failed"}
    (failure,) = report.failed
    assert failure["path"] == _name(path)
    assert failure["error"].startswith(bad.error), failure["error"]
    assert _failures(store) == [(_name(path), failure["error"])]
    _assert_only_good_stored(store, report, ccn_dir / GOOD)


def test_bad_file_is_retried_next_run(tmp_path: Path, ccn_dir: Path):
    path = _truncated_docx(tmp_path, ccn_dir)
    store = Store.at_home(tmp_path / "home")
    ingest_paths(store, [path])
    shutil.copyfile(ccn_dir / "ND-32-2024-ND-CP.docx", path)  # the user fixes the file
    report = ingest_paths(store, [path])
    assert report.ingested == [_name(path)] and report.failed == []
    assert store.document(ND32).is_stub is False


def test_text_without_legal_structure_is_stored_with_a_warning(tmp_path: Path, ccn_dir: Path):
    path = tmp_path / "ghi-chu.txt"
    path.write_text(NO_STRUCTURE, encoding="utf-8")
    store = Store.at_home(tmp_path / "home")
    report = ingest_paths(store, [path, ccn_dir / GOOD])
    assert report.failed == []
    assert report.ingested == [_name(path), _name(ccn_dir / GOOD)]
    assert NO_STRUCTURE_WARNING in report.warnings[_name(path)]
    (source,) = store.sources(path=_name(path))
    assert NO_STRUCTURE_WARNING in source.warnings
    assert store.original_text(source.id) == NO_STRUCTURE.rstrip("\n")
    (doc,) = [d for d in store.documents() if d.key.startswith("file:ghi-chu")]
    assert doc.doc_class == "admin"
    assert [p.text for p in store.provisions(doc.key)] == [NO_STRUCTURE.rstrip("\n")]


def test_50mb_text_fails_fast_with_a_clear_message(tmp_path: Path, ccn_dir: Path):
    """Refused before reading (see ingest.runner.MAX_TEXT_BYTES); the batch goes on."""
    big = write_50mb_text(tmp_path / "lon.txt")
    store = Store.at_home(tmp_path / "home")
    tracemalloc.start()
    started = time.perf_counter()
    report = ingest_paths(store, [big, ccn_dir / GOOD])
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"\n50 MB text: {elapsed:.2f} s, peak Python memory {peak / 2**20:.1f} MiB")
    assert report.failed == [{"path": _name(big), "error": BIG_ERROR}]
    _assert_only_good_stored(store, report, ccn_dir / GOOD)
    assert elapsed < 10
    assert peak < 20 * 2**20  # the 50 MB are hashed in 1 MiB chunks, never read whole


def test_long_text_read_from_a_docx_is_refused(tmp_path: Path, ccn_dir: Path, monkeypatch):
    monkeypatch.setattr(ingest.runner, "MAX_TEXT_BYTES", 1000)  # a DOCX is not judged by size
    monkeypatch.setattr(ingest.runner, "MAX_TEXT_CHARS", 10_000)
    store = Store.at_home(tmp_path / "home")
    report = ingest_paths(store, [ccn_dir / "ND-32-2024-ND-CP.docx"])
    (failure,) = report.failed
    assert failure["error"].startswith("chữ trích từ tệp quá dài (")
    assert "ký tự, giới hạn 10.000): không nạp" in failure["error"]


# --- a failure inside Store.save ----------------------------------------------------------------


def _fail_on_call(monkeypatch, number: int) -> None:
    """Make kb.store._insert_relations raise on its `number`-th call (after the provisions of
    that document are written, inside the transaction)."""
    real = kb.store._insert_relations
    calls = 0

    def flaky(conn, doc, source_id) -> None:
        nonlocal calls
        calls += 1
        if calls == number:
            raise RuntimeError("ổ đĩa đầy (giả lập)")
        real(conn, doc, source_id)

    monkeypatch.setattr(kb.store, "_insert_relations", flaky)


def test_failure_inside_save_rolls_back_that_file_only(tmp_path: Path, ccn_dir: Path, monkeypatch):
    names = (GOOD, "ND-32-2024-ND-CP.txt", "QD-130-2022-QD-CTDP.md")
    first, failing, last = (ccn_dir / n for n in names)
    reference = Store.at_home(tmp_path / "reference")
    ingest_paths(reference, [first, last])

    store = Store.at_home(tmp_path / "home")
    _fail_on_call(monkeypatch, 2)
    report = ingest_paths(store, [first, failing, last])
    assert report.failed == [
        {"path": _name(failing), "error": "lỗi ghi kho dữ liệu: RuntimeError: ổ đĩa đầy (giả lập)"}
    ]
    assert report.ingested == [_name(first), _name(last)]
    assert store.sources(path=_name(failing)) == []
    assert _provision_rows(store, ND32) == 0
    assert store.document(ND32).is_stub is True  # only the stub that CV 1178 cites
    assert _table_counts(store, skip=("failures",)) == _table_counts(reference, skip=("failures",))

    monkeypatch.undo()
    again = ingest_paths(store, [first, failing, last])  # the failed file is not "unchanged"
    assert again.ingested == [_name(failing)] and again.failed == []
    assert store.document(ND32).is_stub is False


def test_failure_saving_a_new_version_keeps_the_old_one(tmp_path: Path, ccn_dir: Path, monkeypatch):
    path = shutil.copy(ccn_dir / "ND-32-2024-ND-CP.txt", tmp_path / "nd32.txt")
    store = Store.at_home(tmp_path / "home")
    ingest_paths(store, [path])
    before = _table_counts(store)
    edited = path.read_text(encoding="utf-8").replace("ít nhất 60%", "ít nhất 70%")
    path.write_text(edited, encoding="utf-8")
    _fail_on_call(monkeypatch, 1)
    report = ingest_paths(store, [path])
    assert [f["path"] for f in report.failed] == [_name(path)]
    assert _table_counts(store) == before | {"failures": 1}
    (source,) = store.sources(path=_name(path))
    assert source.current is True and source.version == 1
    assert "ít nhất 60%" in lookup.show(store, ND32_POINT, TODAY)["text"]


# --- incremental --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ccn_once(ccn_ingested) -> tuple[Store, IngestReport]:
    """The session's ingest of the ccn corpus into an empty store, and its report (conftest)."""
    return ccn_ingested


def _snapshot(store: Store) -> dict:
    with store.engine.connect() as conn:
        return {
            "counts": _table_counts(store) | {"_migrations": _rows(store, schema.migrations_table)},
            "sources": [dict(r) for r in conn.execute(select(schema.sources)).mappings()],
            "documents": [dict(r) for r in conn.execute(select(schema.documents)).mappings()],
        }


def test_ccn_folder_is_ingested_whole(ccn_once: tuple[Store, IngestReport], ccn_dir: Path):
    store, report = ccn_once
    expected = sorted(_name(p) for p in ccn_dir.iterdir() if p.suffix != ".tsv")
    assert report.ingested == expected and report.unchanged == []
    assert [s.path for s in store.sources()] == expected
    assert all(s.version == 1 and s.current for s in store.sources())


def test_second_ingest_of_ccn_changes_nothing(
    ccn_once: tuple[Store, IngestReport], ccn_dir: Path, monkeypatch
):
    store, first = ccn_once
    before = _snapshot(store)
    parsed: list[str] = []
    real_read = ingest.runner.read
    def counting_read(path: Path):
        parsed.append(str(path))
        return real_read(path)

    monkeypatch.setattr(ingest.runner, "read", counting_read)
    again = ingest_paths(store, [ccn_dir])
    assert (again.ingested, again.failed) == ([], [])
    assert again.unchanged == first.ingested
    assert parsed == []
    assert _snapshot(store) == before


def _edit_nd32(text: str) -> str:
    """Change điểm c khoản 2 Điều 8 and add an Điều 39 after Điều 38."""
    assert text.count("ít nhất 60%") == 1 and text.count("\nNơi nhận:") == 1
    text = text.replace("ít nhất 60%", "ít nhất 70%")
    article = "Điều 39. Điều khoản thử nghiệm\nQuy định thêm để kiểm thử.\n"
    return text.replace("\nNơi nhận:", f"\n{article}\nNơi nhận:")


def test_changed_file_becomes_a_new_version(tmp_path: Path, ccn_dir: Path):
    path = shutil.copy(ccn_dir / "ND-32-2024-ND-CP.txt", tmp_path / "nd32.txt")
    store = Store.at_home(tmp_path / "home")
    ingest_paths(store, [path])
    (v1,) = store.sources()
    rows_v1 = _provision_rows(store, ND32)
    assert lookup.show(store, "Điều 39 Nghị định 32/2024/NĐ-CP", TODAY)["found"] is False

    path.write_text(_edit_nd32(path.read_text(encoding="utf-8")), encoding="utf-8")
    report = ingest_paths(store, [path])
    assert report.ingested == [_name(path)]
    old, new = store.sources(path=_name(path))
    assert (old.id, old.version, old.current) == (v1.id, 1, False)
    assert (new.version, new.current) == (2, True)
    assert _provision_rows(store, ND32) == 2 * rows_v1 + 1  # old rows kept, + Điều 39
    assert all(p.source_id == new.id for p in store.provisions(ND32))
    assert "ít nhất 60%" in store.original_text(old.id)
    assert "ít nhất 70%" in lookup.show(store, ND32_POINT, TODAY)["text"]
    added = lookup.show(store, "Điều 39 Nghị định 32/2024/NĐ-CP", TODAY)
    assert added["found"] and added["text"].startswith("Điều 39. Điều khoản thử nghiệm")


def test_file_read_by_an_earlier_parser_is_read_again(tmp_path: Path, ccn_dir: Path):
    """A home keeps no row an older parser made: the same content read by another PARSER_VERSION
    is a new version (the old rows kept, as for a changed file); read again, it is unchanged."""
    path = shutil.copy(ccn_dir / "ND-32-2024-ND-CP.txt", tmp_path / "nd32.txt")
    store = Store.at_home(tmp_path / "home")
    ingest_paths(store, [path])
    rows_v1 = _provision_rows(store, ND32)
    with store.engine.begin() as conn:
        conn.execute(schema.sources.update().values(parser_version="1.0.0"))
    report = ingest_paths(store, [path])
    assert report.ingested == [_name(path)] and report.unchanged == []
    old, new = store.sources(path=_name(path))
    assert (old.version, old.current, old.parser_version) == (1, False, "1.0.0")
    assert (new.version, new.current, new.parser_version) == (2, True, kb.model.PARSER_VERSION)
    assert new.sha256 == old.sha256 and _provision_rows(store, ND32) == 2 * rows_v1
    assert all(p.source_id == new.id for p in store.provisions(ND32))
    assert ingest_paths(store, [path]).unchanged == [_name(path)]


def test_file_changed_back_is_a_third_version(tmp_path: Path, ccn_dir: Path):
    path = shutil.copy(ccn_dir / "ND-32-2024-ND-CP.txt", tmp_path / "nd32.txt")
    original = path.read_text(encoding="utf-8")
    store = Store.at_home(tmp_path / "home")
    for text in (original, _edit_nd32(original), original):
        path.write_text(text, encoding="utf-8")
        assert ingest_paths(store, [path]).ingested == [_name(path)]
    versions = [(s.version, s.current) for s in store.sources()]
    assert versions == [(1, False), (2, False), (3, True)]
    assert "ít nhất 60%" in lookup.show(store, ND32_POINT, TODAY)["text"]


def test_file_edited_to_equal_another_file_is_a_new_version(tmp_path: Path, ccn_dir: Path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    shutil.copy(ccn_dir / GOOD, a)
    shutil.copy(ccn_dir / "ND-32-2024-ND-CP.txt", b)
    store = Store.at_home(tmp_path / "home")
    ingest_paths(store, [a, b])
    shutil.copy(a, b)  # b now holds the letter: the store must no longer say b is NĐ 32
    report = ingest_paths(store, [b])
    assert report.ingested == [_name(b)]
    current = [s for s in store.sources(path=_name(b)) if s.current]
    assert current[0].sha256 == hashlib.sha256(b.read_bytes()).hexdigest()


REPORT = "EX-BC-SCT-LaoCai-2026-vuong-mac-ND32.docx"  # Lào Cai's report, filed again in letters/:
REPORT_COPY = "bao-cao-ccn-gui-bct-ban-chuan-nguoi-dung.docx"  # the same bytes under another name


def test_the_same_bytes_under_two_names_are_one_document(tmp_path: Path, ccn_dir: Path, letters_dir: Path):
    """One text filed in two folders is one document with two files, shown once; it stays while
    either file does. Read again (another parser), the first file keeps its name."""
    first, copy = ccn_dir / REPORT, letters_dir / REPORT_COPY
    assert first.read_bytes() == copy.read_bytes()
    store = Store.at_home(tmp_path / "home")
    report = ingest_paths(store, [first, copy])
    assert report.ingested == [_name(first), _name(copy)] and report.failed == []
    key = "file:EX-BC-SCT-LaoCai-2026-vuong-mac-ND32"
    assert [d.key for d in store.documents(include_stubs=False)] == [key]
    assert store.source_paths()[key] == {_name(first), _name(copy)}
    shown = {p.source_id for p in store.provisions(key)}
    assert len(shown) == 1 and len(store.provisions(key)) == 8
    assert ingest_paths(store, [first, copy]).unchanged == [_name(first), _name(copy)]

    with store.engine.begin() as conn:  # read by an earlier parser: both are read again
        conn.execute(schema.sources.update().values(parser_version="1.0.0"))
    ingest_paths(store, [first, copy])
    assert [d.key for d in store.documents(include_stubs=False)] == [key]

    (copy_source,) = [s for s in store.sources(path=_name(copy)) if s.current]
    store.withdraw(copy_source.id, kb.store.Change())
    assert [d.key for d in store.documents(include_stubs=False)] == [key]
    assert {p.source_id for p in store.provisions(key)} == {
        next(s.id for s in store.sources(path=_name(first)) if s.current)}


def test_a_file_that_no_longer_gives_a_document_leaves_no_rows_of_it_shown(tmp_path: Path, ccn_dir: Path):
    """A file changed into a copy of another: the unnumbered document it gave under its own name
    is no document any more, nothing of it is shown."""
    a, b = tmp_path / "a.docx", tmp_path / "b.docx"
    shutil.copy(ccn_dir / REPORT, a)
    shutil.copy(ccn_dir / "EX-CV-SCT-LaoCai-2026-xin-y-kien-phuong-an-CCN-NSNN.docx", b)
    store = Store.at_home(tmp_path / "home")
    ingest_paths(store, [a, b])
    assert store.provisions("file:b")
    shutil.copy(a, b)
    ingest_paths(store, [b])
    assert store.provisions("file:b") == [] and store.document("file:b") is None
    assert [d.key for d in store.documents(include_stubs=False)] == ["file:a"]


# --- archives -----------------------------------------------------------------------------------

ARCHIVED = ["CV-1178-DCK-CTT-2025.txt", "QD-130-2022-QD-CTDP.md", "TT-14-2024-TT-BCT.txt"]


def _archive(path: Path, ccn: Path, names: list[str], extra: dict[str, bytes] | None = None) -> Path:
    with tarfile.open(path, "w:xz") as tar:
        for name in names:
            tar.add(ccn / name, arcname=f"ccn/{name}")
        for arcname, data in (extra or {}).items():
            info = tarfile.TarInfo(arcname)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_tar_xz_members_are_named_archive_bang_member(tmp_path: Path, ccn_dir: Path):
    archive = _archive(tmp_path / "bo.tar.xz", ccn_dir, ARCHIVED + ["MANIFEST.tsv"])
    store = Store.at_home(tmp_path / "home")
    report = ingest_paths(store, [archive])
    expected = [f"{_name(archive)}!ccn/{n}" for n in ARCHIVED]
    assert (report.ingested, report.failed) == (expected, [])
    assert [s.path for s in store.sources()] == expected
    for key in (GOOD_DOC, "130/QĐ-CTĐP", "14/2024/TT-BCT"):
        assert store.provisions(key), key
    assert ingest_paths(store, [archive]).unchanged == expected


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_broken_archive_is_reported_and_the_rest_stored(tmp_path: Path, ccn_dir: Path, damage: str):
    whole = _archive(tmp_path / "whole.tar.xz", ccn_dir, [GOOD, "ND-178-2026-ND-CP.txt"])
    data = whole.read_bytes()
    archive = tmp_path / "hong.tar.xz"
    archive.write_bytes(data[: len(data) * 2 // 3] if damage == "truncated" else b"\x00rac" * 500)
    store = Store.at_home(tmp_path / "home")
    report = ingest_paths(store, [archive, ccn_dir / "QD-130-2022-QD-CTDP.md"])
    (failure,) = report.failed
    assert failure["path"] == _name(archive)
    assert failure["error"].startswith("tệp nén bị hỏng hoặc không đầy đủ")
    assert store.provisions("130/QĐ-CTĐP")
    if damage == "truncated":  # the member before the break is kept, byte for byte
        assert "(sau 1 tệp đọc được)" in failure["error"]
        member = f"{_name(archive)}!ccn/{GOOD}"
        assert member in report.ingested
        (source,) = store.sources(path=member)
        assert source.sha256 == hashlib.sha256((ccn_dir / GOOD).read_bytes()).hexdigest()
    assert not any("ND-178" in name for name in report.ingested)


def test_unsafe_archive_member_is_refused_alone(tmp_path: Path, ccn_dir: Path):
    outside = {"../ngoai.txt": NO_STRUCTURE.encode()}
    archive = _archive(tmp_path / "la.tar.xz", ccn_dir, [GOOD], outside)
    store = Store.at_home(tmp_path / "home")
    report = ingest_paths(store, [archive])
    (failure,) = report.failed
    assert failure["path"] == f"{_name(archive)}!../ngoai.txt"
    assert failure["error"].startswith("tên tệp không an toàn trong tệp nén")
    assert report.ingested == [f"{_name(archive)}!ccn/{GOOD}"]
    assert not (tmp_path / "ngoai.txt").exists()


def test_a_partial_copy_in_the_same_format_does_not_hide_the_whole_text(tmp_path: Path, ccn_dir: Path):
    """The wide corpus holds excerpts of NĐ 96/2026 (20 of its 112 Điều), in Markdown like the
    ccn file. Ingested after the whole text, an excerpt must not become what the document shows."""
    store = Store.at_home(tmp_path / "home")
    whole = ccn_dir / "ND-96-2026-ND-CP.md"
    assert ingest_paths(store, [whole]).failed == []
    articles = [p for p in store.provisions("96/2026/NĐ-CP") if p.kind == "dieu"]
    assert len(articles) == 112
    text = whole.read_text(encoding="utf-8")
    excerpt = tmp_path / "nd96-trich.md"
    excerpt.write_text(text[: text.index("### Điều 21.")], encoding="utf-8")
    assert ingest_paths(store, [excerpt]).failed == []
    shown = [p for p in store.provisions("96/2026/NĐ-CP") if p.kind == "dieu"]
    assert len(shown) == 112 and {p.source_id for p in shown} == {articles[0].source_id}
    assert len(store.sources()) == 2
