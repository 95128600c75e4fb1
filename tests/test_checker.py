"""The citation checker (`ccn check`, drafting/checker/) on test letters and on the real ones.

Test letters (tests/fixtures/check/, written by make_letters.py, each as .docx and .txt):
must_show holds exactly four citation errors and one speculative phrase; clean cites real
provisions in full form. amending-test-decree.txt is a test-only decree with an impossible
number (9999/2026/NĐ-CP) that amends NĐ 32/2024, since the corpus lacks the real amendment.

The real letters (CV 1178, the EX-* drafts, ../shared/corpus/letters) are checked against the
ccn corpus. The errors they raise are listed exactly below, each judged: a real problem of the
letter, or a false alarm of the checker (documents the knowledge base does not hold, cited by
bare number).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import docx
import pytest

from drafting.checker import (
    CheckReport,
    annotate_docx,
    check_file,
    check_text,
    letter_text,
    read_comments,
)
from ingest.runner import ingest_paths
from kb.store import Store

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "check"
STATUSES = {"ok", "error", "warning", "outside_kb"}

MUST_SHOW_ERRORS = [
    ("no_such_provision", "khoản 9 Điều 8 Nghị định số 32/2024/NĐ-CP"),
    ("repealed_document", "Nghị định số 68/2017/NĐ-CP của Chính phủ"),
    ("unknown_document", "Nghị định số 999/2024/NĐ-CP"),
    ("informal_short_form", "NĐ 32"),
]


def by_code(report: CheckReport, code: str) -> list[str]:
    return [f.message for f in report.findings if f.code == code]


# --- the must-show letter ---------------------------------------------------------------------


@pytest.fixture(scope="module", params=["docx", "txt"])
def must_show(request, ccn_store: Store) -> CheckReport:
    return check_file(ccn_store, FIXTURES / f"must_show.{request.param}")


def test_must_show_exactly_the_four_errors(must_show: CheckReport):
    assert [(f.code, f.text) for f in must_show.errors] == MUST_SHOW_ERRORS
    assert must_show.as_of == date(2025, 9, 10)  # the letter's own date
    assert must_show.as_of_source == "letter"


def test_must_show_messages_name_the_problem(must_show: CheckReport):
    (clause,) = by_code(must_show, "no_such_provision")
    assert clause == ("không có khoản 9 Điều 8 Nghị định số 32/2024/NĐ-CP: Điều 8 Nghị định số "
                      "32/2024/NĐ-CP có 2 khoản")
    (repealed,) = by_code(must_show, "repealed_document")
    assert repealed.startswith("Nghị định số 68/2017/NĐ-CP đã hết hiệu lực từ ngày 01/05/2024")
    assert "được thay thế bởi Nghị định số 32/2024/NĐ-CP" in repealed
    (unknown,) = by_code(must_show, "unknown_document")
    assert "999/2024/NĐ-CP" in unknown and "có thể là số hiệu không có thật" in unknown
    (informal,) = by_code(must_show, "informal_short_form")
    assert informal == "trích dẫn không đầy đủ «NĐ 32»: ghi đầy đủ «Nghị định số 32/2024/NĐ-CP»"


def test_must_show_speculative_warning_only(must_show: CheckReport):
    assert [(f.code, f.text) for f in must_show.warnings] == [("speculative_wording", "dự kiến")]


def test_must_show_citations_resolved(must_show: CheckReport):
    rows = {c.text: c.model_dump(mode="json") for c in must_show.citations}
    assert rows["khoản 9 Điều 8 Nghị định số 32/2024/NĐ-CP"]["citation"] == {
        "doc": "32/2024/NĐ-CP", "part": None, "annex": None, "article": 8, "clause": 9,
        "point": None}
    assert rows["NĐ 32"]["citation"]["doc"] == "32/2024/NĐ-CP"  # the short form resolved
    assert rows["NĐ 32"]["status"] == "error"
    incoming = next(c for c in must_show.citations if c.text.startswith("Văn bản số 456/SCT-QLCN"))
    assert (incoming.status, incoming.worst.code) == ("outside_kb", "correspondence")
    # the letter's own number (Số: 123/CTĐP-QLCCN) and its date are no citations
    assert not any("123/CTĐP" in c.text for c in must_show.citations)
    assert must_show.counts == {"citations": 5, "ok": 0, "error": 4, "warning": 0,
                                "outside_kb": 1, "errors": 4, "warnings": 1}


def test_docx_and_txt_agree(ccn_store: Store):
    for name in ("must_show", "clean"):
        a, b = (check_file(ccn_store, FIXTURES / f"{name}.{ext}") for ext in ("docx", "txt"))
        assert [(c.text, c.status, c.worst.code) for c in a.citations] == [
            (c.text, c.status, c.worst.code) for c in b.citations]


# --- the clean letter ----------------------------------------------------------------------------


@pytest.mark.parametrize("ext", ["docx", "txt"])
def test_clean_letter_raises_nothing(ccn_store: Store, ext: str):
    report = check_file(ccn_store, FIXTURES / f"clean.{ext}")
    assert report.findings == []
    assert report.as_of == date(2025, 10, 15)
    assert [c.canonical for c in report.citations if c.status == "ok"] == [
        "khoản 1 Điều 8 Nghị định số 32/2024/NĐ-CP",
        "điểm c khoản 1 Điều 8 Nghị định số 32/2024/NĐ-CP",
        "Điều 12 Nghị định số 139/2025/NĐ-CP",
        "Điều 9 Nghị định số 32/2024/NĐ-CP",
        "Thông tư số 14/2024/TT-BCT",
    ]
    assert [c.worst.code for c in report.citations if c.status != "ok"] == ["correspondence"]


def test_as_of_before_the_decrees(ccn_store: Store):
    """The clean letter judged at 1/1/2024: NĐ 32/2024 (from 1/5/2024) not yet in force."""
    report = check_file(ccn_store, FIXTURES / "clean.txt", as_of=date(2024, 1, 1))
    assert report.as_of_source == "argument"
    codes = {(f.code, f.text.split(" Nghị định")[0]) for f in report.errors}
    assert ("not_in_force_at_date", "khoản 1 Điều 8") in codes
    assert all(f.code == "not_in_force_at_date" for f in report.errors)
    assert any("chưa có hiệu lực tại ngày 01/01/2024" in f.message for f in report.errors)


# --- other rules ---------------------------------------------------------------------------------

LETTER = """Kính gửi: Sở Công Thương tỉnh Lào Cai.
Theo Điều 5 Nghị định này, Sở thực hiện báo cáo.
Đề nghị thực hiện Quyết định số 525/QĐ- UBND ngày 25/02/2026 của Ủy ban nhân dân tỉnh Lào Cai. Dự kiến khởi công trong tháng 7.
Theo Nghị định số 32/2024/NĐ-CP ngày 16 tháng 3 năm 2024 của Chính phủ và Thông tư số 32/2024/NĐ-CP, thời hạn có thể là 25 ngày.
Hồ sơ lập theo Nghị định số 150/2024/NĐ-CP. Nghị định số 68/2017/NĐ-CP đã được thay thế bằng Nghị định số 32/2024/NĐ-CP.
"""


@pytest.fixture(scope="module")
def letter(ccn_store: Store) -> CheckReport:
    return check_text(ccn_store, LETTER, as_of=date(2026, 3, 1), source="thu.txt")


def test_rules_on_a_letter(letter: CheckReport):
    assert [(f.code, f.severity) for f in letter.findings] == [
        ("no_antecedent", "warning"),  # "Nghị định này" in a letter
        ("malformed_number", "warning"),  # "525/QĐ- UBND"
        ("wrong_date", "error"),  # NĐ 32/2024 is of 15/3/2024
        ("wrong_document_type", "error"),  # 32/2024/NĐ-CP is no Thông tư
        ("speculative_wording", "warning"),  # "có thể là" beside a citation
        ("unverified_document", "warning"),  # plausible number, cited nowhere: cannot verify
    ]
    assert "không xác minh được số hiệu — đề nghị kiểm tra" in by_code(letter, "unverified_document")[0]
    assert "ban hành ngày 15/03/2024, không phải ngày 16/03/2024" in by_code(letter, "wrong_date")[0]
    typo = next(c for c in letter.citations if "525/QĐ" in c.text)
    assert typo.citation.doc == "525/QĐ-UBND"
    assert [i.code for i in typo.issues] == ["malformed_number", "outside_kb"]


def test_historical_mention_of_a_replaced_decree(letter: CheckReport):
    old = next(c for c in letter.citations if "68/2017" in c.text)
    assert (old.status, old.worst.code) == ("ok", "historical_reference")
    # "Dự kiến khởi công …" states no law: no warning
    assert [f.text for f in letter.findings if f.code == "speculative_wording"] == ["có thể là"]


QUOTING = """Kính gửi: Sở Công Thương tỉnh Lào Cai.
Khoản 2 Điều 10 Nghị định số 32/2024/NĐ-CP quy định: “hồ sơ theo quy định tại khoản 1 Điều 9 Nghị định này và khoản 1 Điều này”.
Việc này thực hiện theo Nghị định 96 và Nghị định 32/2024.
Điều kiện tại khoản 1, khoản 2 Điều 8 NĐ 32.
"""


def test_quotations_and_partial_numbers(ccn_store: Store):
    report = check_text(ccn_store, QUOTING, as_of=date(2026, 6, 1))
    rows = [(c.text, c.citation.doc if c.citation else None, c.status, c.worst.code)
            for c in report.citations]
    assert rows == [
        ("Khoản 2 Điều 10 Nghị định số 32/2024/NĐ-CP", "32/2024/NĐ-CP", "ok", "ok"),
        # "Nghị định này" inside a quotation of NĐ 32: that decree, which has the provision
        ("khoản 1 Điều 9 Nghị định này", "32/2024/NĐ-CP", "ok", "quoted_reference"),
        ("khoản 1 Điều này", None, "outside_kb", "cannot_verify_provision"),
        ("Nghị định 96", "96", "error", "informal_short_form"),  # kept as printed
        ("Nghị định 32/2024", "32/2024/NĐ-CP", "error", "informal_short_form"),
        ("khoản 1, khoản 2 Điều 8 NĐ 32", "32/2024/NĐ-CP", "error", "informal_short_form"),
        ("khoản 1, khoản 2 Điều 8 NĐ 32", "32/2024/NĐ-CP", "error", "informal_short_form"),
    ]
    assert "có thể là: 96/2022/NĐ-CP, 96/2026/NĐ-CP" in report.citations[3].worst.message
    assert [c.citation.clause for c in report.citations[5:]] == [1, 2]
    # one finding per mention, not per address
    assert [f.text for f in report.errors] == ["Nghị định 96", "Nghị định 32/2024",
                                               "khoản 1, khoản 2 Điều 8 NĐ 32"]


def test_documents_held_through_phap_dien_only(ccn_store: Store):
    """NĐ 45/2012 is held as the articles of a Pháp điển topic: a missing Điều is no error."""
    report = check_text(ccn_store, "Theo Điều 40 Nghị định số 45/2012/NĐ-CP và Điều 5 Nghị định "
                        "số 45/2012/NĐ-CP.", as_of=date(2026, 6, 1))
    assert [(c.status, c.worst.code) for c in report.citations] == [
        ("outside_kb", "cannot_verify_provision"), ("ok", "ok")]
    assert report.findings == []



def test_a_form_of_an_annex_is_checked_as_that_form(ccn_store: Store):
    """TT 14/2024 has Biểu số 01–04 in Phụ lục I and Mẫu số 01–04 in Phụ lục II: a Mẫu số 09
    is no form of it, though its Phụ lục II exists."""
    report = check_text(ccn_store, "Báo cáo theo Biểu số 04 Phụ lục I ban hành kèm theo Thông tư số "
                        "14/2024/TT-BCT; lập quyết định theo Mẫu số 09 Phụ lục II ban hành kèm theo Thông tư "
                        "số 14/2024/TT-BCT.", as_of=date(2026, 12, 1))
    assert [(c.status, c.worst.code) for c in report.citations] == [
        ("ok", "ok"), ("error", "no_such_provision")]
    assert report.citations[1].worst.message == (
        "không có Mẫu số 09 Phụ lục II Thông tư số 14/2024/TT-BCT; Phụ lục II có Mẫu số 01, Mẫu số 02, "
        "Mẫu số 03, Mẫu số 04")

def test_bare_references_follow_the_document_named_before(ccn_store: Store, ccn_dir: Path):
    report = check_file(ccn_store, ccn_dir / "CV-1178-DCK-CTT-2025.pdf")
    assert report.as_of == date(2025, 7, 9) and report.errors == []
    rows = {c.text: c for c in report.citations}
    assert rows["Điều 21"].citation.doc == "139/2025/NĐ-CP"
    assert rows["điểm c khoản 1 Điều 8"].citation.doc == "32/2024/NĐ-CP"  # "(trong đó có …)"
    assert rows["Điều 21"].status == "ok"


DECISION = """ỦY BAN NHÂN DÂN
TỈNH LÀO CAI
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 99/2026/QĐ-UBND
Lào Cai, ngày 01 tháng 3 năm 2026
QUYẾT ĐỊNH
Về việc thử nghiệm kiểm tra trích dẫn
Căn cứ Nghị định số 32/2024/NĐ-CP ngày 15 tháng 3 năm 2024 của Chính phủ về quản lý, phát triển cụm công nghiệp;
Điều 1. Phạm vi
1. Nội dung thứ nhất.
2. Nội dung thứ hai thực hiện theo khoản 1 Điều này.
Điều 2. Trách nhiệm
1. Thực hiện theo khoản 2 Điều 1 và khoản 3 Điều 1.
2. Áp dụng Điều 7.
Điều 3. Hiệu lực
Quyết định này có hiệu lực từ ngày ký.
"""


def test_relative_references_in_a_legal_text(ccn_store: Store):
    report = check_text(ccn_store, DECISION)
    assert report.as_of == date(2026, 3, 1)
    own = [(c.citation.article, c.citation.clause, c.worst.code) for c in report.citations
           if c.citation and c.citation.doc == "99/2026/QĐ-UBND"]
    assert own == [(1, 1, "self_reference"), (1, 2, "self_reference"),
                   (1, 3, "no_such_provision"), (7, None, "no_such_provision")]
    assert [f.message for f in report.errors] == ["văn bản này không có khoản 3 Điều 1",
                                                  "văn bản này không có Điều 7"]


@pytest.fixture(scope="module")
def amended_store(tmp_path_factory, ccn_dir: Path) -> Store:
    store = Store.at_home(tmp_path_factory.mktemp("kb-check-amend"))
    report = ingest_paths(store, [ccn_dir / "ND-32-2024-ND-CP.docx",
                                  FIXTURES / "amending-test-decree.txt"])
    assert report.failed == []
    return store


AMENDED_LETTER = """Kính gửi: Sở Công Thương tỉnh Lào Cai.
1. Điều kiện mở rộng theo điểm c khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP.
2. Điều kiện chung theo khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP.
3. Hồ sơ theo khoản 2 Điều 9 Nghị định số 32/2024/NĐ-CP.
4. Nghị định số 9999/2026/NĐ-CP sửa đổi một số điều.
"""


def test_amended_and_repealed_provisions(amended_store: Store):
    after = check_text(amended_store, AMENDED_LETTER, as_of=date(2026, 10, 1))
    assert [(f.code, f.text) for f in after.findings] == [
        ("amended_provision", "điểm c khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP"),
        ("amended_provision", "khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP"),
        ("not_in_force_at_date", "khoản 2 Điều 9 Nghị định số 32/2024/NĐ-CP"),
    ]
    point, clause, repealed = (f.message for f in after.findings)
    assert "sửa đổi, bổ sung bởi Nghị định số 9999/2026/NĐ-CP từ ngày 15/09/2026" in point
    assert ("có điểm c khoản 2 Điều 8 được sửa đổi, bổ sung bởi Nghị định số 9999/2026/NĐ-CP "
            "từ ngày 15/09/2026") in clause
    assert "bị bãi bỏ" in repealed
    before = check_text(amended_store, AMENDED_LETTER, as_of=date(2026, 9, 1))
    assert [(f.code, f.text) for f in before.findings] == [
        ("not_in_force_at_date", "Nghị định số 9999/2026/NĐ-CP")]  # effective 15/9/2026


# --- DOCX comments -------------------------------------------------------------------------------


def test_annotate_docx_anchors_comments_on_citations(ccn_store: Store, tmp_path: Path):
    src = FIXTURES / "must_show.docx"
    report = check_file(ccn_store, src)
    out = annotate_docx(src, report, tmp_path / "checked.docx")
    comments = read_comments(out)
    assert [anchor for anchor, _ in comments] == [
        "Văn bản số 456/SCT-QLCN ngày 20 tháng 8 năm 2025 của Sở Công Thương tỉnh Lào Cai",
        *(text for _, text in MUST_SHOW_ERRORS[:3]), "NĐ 32", "dự kiến"]
    texts = dict(comments)
    assert texts["khoản 9 Điều 8 Nghị định số 32/2024/NĐ-CP"].startswith("[LỖI] không có khoản 9")
    assert texts["dự kiến"].startswith("[CẢNH BÁO]")
    assert texts["NĐ 32"] == ("[LỖI] trích dẫn không đầy đủ «NĐ 32»: ghi đầy đủ «Nghị định số "
                              "32/2024/NĐ-CP»")
    before, after = docx.Document(str(src)), docx.Document(str(out))
    assert [p.text for p in after.paragraphs] == [p.text for p in before.paragraphs]
    # the bold document number kept its run formatting when the run was split
    bold = [r.text for p in after.paragraphs for r in p.runs if r.bold]
    assert "Nghị định số 32/2024/NĐ-CP" in bold
    assert {c.author for c in after.comments} == {"Kiểm tra trích dẫn (ccn check)"}


def test_annotate_real_letter_every_citation(ccn_store: Store, ccn_dir: Path, tmp_path: Path):
    src = ccn_dir / "EX-BC-SCT-LaoCai-2026-vuong-mac-ND32.docx"
    report = check_file(ccn_store, src)
    comments = read_comments(annotate_docx(src, report, tmp_path / "bc.docx"))
    spans = sorted({(c.start, c.text) for c in report.citations})
    assert [anchor for anchor, _ in comments] == [text for _, text in spans]


# --- the real letters ----------------------------------------------------------------------------

# Every error the checker raises on the real letters, judged. True: a real problem of the letter.
# Real documents the core corpus lacks (TT 28/2020/TT-BYT, NĐ 21/2026, 11/2025, TT 57/2015 and
# 148/2020/TT-BCA, NĐ 71/2018, 181/2024) are no longer errors: a warning "không xác minh được"
# without a catalogue, outside_kb with one (tests/test_checker_catalog.py).
REAL_ERRORS = {
    # a thuyết minh draft: informal "QĐ 525" / "QĐ 316" (true)
    "EX-QHT-LaoCai-2021-2030-DC2026-thuyetminh-DRAFT.txt": [
        ("informal_short_form", "QĐ 525"),  # true
        ("informal_short_form", "QĐ 316"),  # true
        ("informal_short_form", "QĐ 316"),  # true
    ],
    # NĐ 32/2024 khoản 2 Điều 8 has điểm a–d only (true)
    "bien-ban-lam-viec-lien-nganh-ccn.docx": [
        ("no_such_provision", "điểm e khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP")],
}


def real_letters(ccn_dir: Path, letters_dir: Path) -> list[Path]:
    ours = sorted(ccn_dir.glob("CV-*")) + sorted(ccn_dir.glob("EX-*"))
    return ours + sorted(p for p in letters_dir.iterdir() if p.is_file())


def test_real_letters_pass_through_the_checker(ccn_store: Store, ccn_dir: Path, letters_dir: Path):
    files = real_letters(ccn_dir, letters_dir)
    assert len(files) == 21
    seen = {}
    for path in files:
        report = check_file(ccn_store, path)
        json.dumps(report.model_dump(mode="json"), ensure_ascii=False)
        for check in report.citations:
            assert check.status in STATUSES, (path.name, check.text)
            assert check.worst.message, (path.name, check.text)
        errors = [(f.code, f.text) for f in report.errors]
        if errors:
            seen[path.name] = errors
        assert all(f.severity != "error" or f.code != "speculative_wording" for f in report.findings)
    assert seen == REAL_ERRORS
    false_alarms = sum(code == "unknown_document" for errs in seen.values() for code, _ in errs)
    assert false_alarms == 0


def test_real_letter_spans_index_the_text(ccn_store: Store, ccn_dir: Path):
    path = ccn_dir / "EX-BC-SCT-LaoCai-2026-vuong-mac-ND32.txt"
    report = check_file(ccn_store, path)
    text = letter_text(path)
    assert all(text[c.start : c.end] == c.text for c in report.citations)
    assert [c.citation.doc for c in report.citations if c.text == "Điều 11"] == ["32/2024/NĐ-CP"]


# --- the command line ----------------------------------------------------------------------------


def run_cli(store: Store, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CCN_DATABASE_URL": store.url}
    return subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_cli_check(ccn_store: Store, tmp_path: Path):
    bad = run_cli(ccn_store, "check", str(FIXTURES / "must_show.docx"), "--json",
                  "--annotate", str(tmp_path / "out.docx"))
    assert bad.returncode == 1, bad.stderr
    data = json.loads(bad.stdout)
    assert data["as_of"] == "2025-09-10" and data["counts"]["errors"] == 4
    assert {"text", "start", "end", "paragraph", "citation", "canonical", "status", "code",
            "message"} <= set(data["citations"][0])
    assert len(read_comments(tmp_path / "out.docx")) == 6
    good = run_cli(ccn_store, "check", str(FIXTURES / "clean.txt"))
    assert good.returncode == 0, good.stderr
    assert "6 trích dẫn: 5 đúng, 0 lỗi" in good.stdout
    missing = run_cli(ccn_store, "check", str(tmp_path / "khong-co.docx"))
    assert missing.returncode == 2 and "không tìm thấy tệp" in missing.stderr
    wrong = run_cli(ccn_store, "check", str(FIXTURES / "clean.txt"), "--as-of", "2025-13-01")
    assert wrong.returncode == 2
