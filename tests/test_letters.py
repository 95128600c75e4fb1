"""The 14 real letters of Sở Công Thương Lào Cai (../shared/corpus/letters) in the knowledge base.

Each is an administrative document (DocClass.ADMIN) stored with its header fields, its signer and
its body as provisions: one node "nội dung", its numbered points "mục 1", "mục 2" … below it, and
an attachment after the signature ("Phụ lục …", "(Kèm theo …)") as an annex. The header parser's
own expectations for these files are in tests/test_header.py.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from ingest.runner import IngestReport, ingest_paths
from ingest.segments import closing_start, split_segments
from kb.model import DocClass, Kind
from kb.records import DocumentRecord, ProvisionRecord
from kb.store import Store

LEGACY_ARTEFACTS = ("ƣ", "Ƣ", "HÕA", "Hõa")
TYPE_BY_PREFIX = {
    "bao-cao": "Báo cáo",
    "bien-ban": "Biên bản",
    "cong-van": "Công văn",
    "giay-chung-nhan": "Giấy chứng nhận",
    "giay-phep": "Giấy phép",
    "ke-hoach": "Kế hoạch",
    "to-trinh": "Tờ trình",
}
SO = "Sở Công Thương tỉnh Lào Cai"


@pytest.fixture(scope="module")
def ingested(tmp_path_factory, letters_dir: Path) -> tuple[Store, IngestReport]:
    if not letters_dir.is_dir():
        pytest.fail(f"không thấy thư mục văn bản {letters_dir}: cần ../shared bên cạnh repo")
    store = Store.at_home(tmp_path_factory.mktemp("kb-letters"))
    return store, ingest_paths(store, [letters_dir])


@pytest.fixture(scope="module")
def store(ingested: tuple[Store, IngestReport]) -> Store:
    return ingested[0]


def letter_names(letters_dir: Path) -> list[str]:
    return sorted(p.name for p in letters_dir.glob("*.docx"))


def doc_row(store: Store, letters_dir: Path, name: str) -> DocumentRecord:
    """The document whose primary source is this file (whatever its key)."""
    (source,) = [s for s in store.sources(str((letters_dir / name).resolve())) if s.current]
    rows = [d for d in store.documents() if d.primary_source_id == source.id]
    assert len(rows) == 1, f"{name}: {[d.key for d in rows]}"
    return rows[0]


def body_of(store: Store, key: str) -> tuple[ProvisionRecord, list[ProvisionRecord]]:
    """The "nội dung" node and its numbered points, in order."""
    rows = store.provisions(key)
    (body,) = [r for r in rows if r.label == "nội dung"]
    points = [r for r in rows if r.parent_pid == body.pid]
    return body, points


# --- every letter -------------------------------------------------------------------------------


def test_all_letters_ingest(ingested: tuple[Store, IngestReport], letters_dir: Path):
    store, report = ingested
    assert report.failed == []
    assert len(report.ingested) == len(letter_names(letters_dir)) == 14
    assert store.counts()["failures"] == 0


def test_each_letter_is_admin_with_its_type(store: Store, letters_dir: Path):
    for name in letter_names(letters_dir):
        row = doc_row(store, letters_dir, name)
        prefix = next(p for p in TYPE_BY_PREFIX if name.startswith(p))
        assert row.doc_class == DocClass.ADMIN.value, name
        assert row.doc_type == TYPE_BY_PREFIX[prefix], name
        assert row.number is None, name  # unnumbered working copies
        assert row.title or row.subject, name
        assert row.meta["signer"], name


def test_bodies_hold_neither_header_nor_closing(store: Store, letters_dir: Path):
    header_starts = ("CỘNG HÒA", "CỘNG HOÀ", "Độc lập", "Số:", "Kính gửi", "V/v", "SỞ CÔNG")
    for name in letter_names(letters_dir):
        row = doc_row(store, letters_dir, name)
        body, _ = body_of(store, row.key)
        lines = body.text.split("\n")
        assert len(body.text) > 300, name
        assert not any(line.startswith(header_starts) for line in lines), (name, lines[:3])
        assert not any(line.startswith(("Nơi nhận", "KT.", "TM.")) for line in lines), name
        assert row.meta["signer"] not in lines, name
        assert not lines[-1].startswith("Lào Cai, ngày"), name  # the date above the signature


def test_no_legacy_font_artefacts(store: Store, letters_dir: Path):
    for name in letter_names(letters_dir):
        row = doc_row(store, letters_dir, name)
        texts = [r.text for r in store.provisions(row.key)]
        texts += [row.title, row.subject, *row.meta["recipients"]]
        joined = "\n".join(texts)
        assert not any(a in joined for a in LEGACY_ARTEFACTS), name


# --- exact fields of some letters --------------------------------------------------------------

EXPECTED: dict[str, dict] = {
    "cong-van-moi-hop-sct.docx": dict(
        doc_type="Công văn", issued=None, title="", subject="mời dự họp",
        recipients=["Sở Nông nghiệp và Môi trường", "Ủy ban nhân dân xã Quy Mông",
                    "Công ty cổ phần Luyện kim hoá chất Tây Bắc"],
        signer=("KT. GIÁM ĐỐC", "Phó Giám đốc", "Nguyễn Đình Chiến"),
        body_start="Nhằm nắm bắt tiến độ và kịp thời báo cáo",
        points={4: "4. Thời gian: Từ 09h30 ngày 22/6/2026 (thứ hai)."}, n_points=5,
        annex="Phụ lục: NỘI DUNG YÊU CẦU BÁO CÁO TẠI CUỘC HỌP",
    ),
    "cong-van-de-nghi-bo-sung-ho-so.docx": dict(
        doc_type="Công văn", issued=None, title="",
        subject="hoàn thiện, bổ sung hồ sơ đề nghị cấp Giấy phép dịch vụ nổ mìn trên địa bàn tỉnh"
        " Lào Cai", recipients=["Công ty TNHH đá cẩm thạch An Phú"],
        signer=("KT. GIÁM ĐỐC", "Phó Giám đốc", "Hoàng Văn Thuân"),
        body_start="Thực hiện Phiếu chuyển số 650/PC-VPUBND ngày 10/6/2026",
        points={1: "1. Về thông tin và thủ tục pháp lý chung", 3: "3. Về hồ sơ nhân sự"},
        n_points=4,
    ),
    "cong-van-noi-bo-phong-tham-gia-y-kien-kcn.docx": dict(
        doc_type="Công văn", issued=date(2026, 6, 19), title="", issuer="Phòng QLCN",
        subject="tham gia ý kiến Hồ sơ đề xuất đầu tư dự án hạ tầng KCN Phú Xuân, xã Gia Phú",
        recipients=["Phòng Kế hoạch - Tổng hợp"],
        signer=(None, "Phó Trưởng phòng", "Trần Trọng Trang"),
        body_start="Phòng Quản lý công nghiệp nhận được Văn bản số 858/BQL-QHXD",
        points={3: "3. Kết luận\nPhòng Quản lý công nghiệp cơ bản nhất trí với chủ trương đầu tư"
                   " dự án; đề nghị Phòng Kế hoạch - Tổng hợp nghiên cứu, tổng hợp./."},
        n_points=3,
    ),
    "giay-phep-van-chuyen-hhnh.docx": dict(
        doc_type="Giấy phép", issued=None, title="Vận chuyển hàng hóa nguy hiểm", subject="",
        recipients=[], signer=("KT. GIÁM ĐỐC", "Phó Giám đốc", "Hoàng Văn Thuân"), place="Lào Cai",
        body_start="Theo đề nghị của: Công ty TNHH vật tư chuyên dùng xăng dầu An Khang,",
        body_end="Thời hạn của giấy phép: 24 tháng kể từ ngày ký./.", n_points=0,
        annex="HÀNG HÓA NGUY HIỂM ĐƯỢC PHÉP VẬN CHUYỂN",
    ),
    "bien-ban-kiem-tra-thuc-te-hhnh.docx": dict(
        doc_type="Biên bản", issued=date(2026, 6, 17),
        title="Kiểm tra thực tế phục vụ cấp Giấy phép vận chuyển hàng hóa nguy hiểm loại 3 của"
        " Công ty TNHH Vật tư chuyên dùng xăng dầu An Khang", subject="", recipients=[],
        signer=(None, "Trưởng đoàn", "Trần Trọng Trang"), n_bases=4,
        body_start="Hôm nay, vào hồi 16 giờ 00 phút, ngày 17 tháng 6 năm 2026",
        body_end="Biên bản được lập xong hồi 17 giờ 00 phút cùng ngày",
    ),
    "to-trinh-vbqppl-tien-chat-thuoc-no.docx": dict(
        doc_type="Tờ trình", issued=None, subject="",
        title="Về việc ban hành Quyết định quy định cơ quan tiếp nhận hồ sơ đề nghị cấp Giấy chứng"
        " nhận đủ điều kiện sản xuất tiền chất thuốc nổ trên địa bàn tỉnh Lào Cai",
        recipients=["Ủy ban nhân dân tỉnh Lào Cai"], signer=(None, "Giám đốc", "Hoàng Chí Hiền"),
        n_bases=3, body_start="Sở Công Thương kính trình Ủy ban nhân dân tỉnh Lào Cai xem xét",
    ),
    "giay-chung-nhan-attp-winmart.docx": dict(
        doc_type="Giấy chứng nhận", issued=None, title="Cơ sở đủ điều kiện an toàn thực phẩm",
        subject="", recipients=[], signer=("KT. GIÁM ĐỐC", "Phó Giám đốc", "Nguyễn Đình Chiến"),
        place="Lào Cai", body_start="Chứng nhận\nCơ sở: Điểm sản xuất và kinh doanh WINMART+",
        n_points=0, annex="DANH MỤC NHÓM SẢN PHẨM",
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_letter_document_fields(store: Store, letters_dir: Path, name: str):
    want, row = EXPECTED[name], doc_row(store, letters_dir, name)
    meta = row.meta
    assert row.doc_type == want["doc_type"]
    assert row.number is None
    assert row.issued == want["issued"]
    assert row.issuer == want.get("issuer", SO)
    assert (row.title, row.subject) == (want["title"], want["subject"])
    assert meta["recipients"] == want["recipients"]
    assert (meta["signer_authority"], meta["signer_title"], meta["signer"]) == want["signer"]
    if "place" in want:
        assert row.place == want["place"]
    if "n_bases" in want:
        assert len(meta["bases"]) == want["n_bases"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_letter_body_and_points(store: Store, letters_dir: Path, name: str):
    want, row = EXPECTED[name], doc_row(store, letters_dir, name)
    body, points = body_of(store, row.key)
    assert body.kind == Kind.PARAGRAPH.value and body.parent_pid is None
    assert body.text.startswith(want["body_start"])
    if "body_end" in want:
        assert body.text.split("\n")[-1].startswith(want["body_end"])
    if "n_points" in want:
        assert [p.label for p in points] == [f"mục {n}" for n in range(1, want["n_points"] + 1)]
        assert [p.clause for p in points] == list(range(1, want["n_points"] + 1))
    for number, text in want.get("points", {}).items():
        assert points[number - 1].text.startswith(text)
        assert text in body.text


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if "annex" in EXPECTED[n]))
def test_attachment_after_signature_is_an_annex(store: Store, letters_dir: Path, name: str):
    row = doc_row(store, letters_dir, name)
    annexes = store.provisions(row.key, kind=Kind.ANNEX.value)
    assert [a.text.split("\n")[0] for a in annexes] == [EXPECTED[name]["annex"]]
    assert annexes[0].text.split("\n")[1].startswith("(Kèm theo")
    body, _ = body_of(store, row.key)
    assert "(Kèm theo" not in body.text.split("\n")[-1]


@pytest.mark.parametrize(
    "name",
    ["bao-cao-tinh-hinh-trien-khai-ccn.docx", "ke-hoach-thuc-hien-de-an-08.docx",
     "bien-ban-lam-viec-lien-nganh-ccn.docx"],
)
def test_numbered_points_restart_in_roman_sections(store: Store, letters_dir: Path, name: str):
    """Sections "I.", "II." … each number their points from 1; no point swallows a section."""
    rows = store.provisions(doc_row(store, letters_dir, name).key)
    assert len({r.pid for r in rows}) == len(rows)
    points = [r for r in rows if r.label.startswith("mục ")]
    by_parent: dict[str, list[int]] = {}
    for point in points:
        by_parent.setdefault(point.parent_pid, []).append(point.clause)
        inner = point.text.split("\n")[1:]
        romans = [line for line in inner if re.match(r"^[IVX]+\.\s", line)]
        assert romans == [], point.label
    assert len(by_parent) >= 2
    assert all(numbers == list(range(1, len(numbers) + 1)) for numbers in by_parent.values())


# --- segments: closing and attachments (ingest.segments) ----------------------------------------


def test_closing_takes_the_place_and_date_above_it():
    paragraphs = ["Thời hạn của giấy phép: 24 tháng./.", "Lào Cai, ngày   tháng 6 năm 2026",
                  "Nơi nhận:", "- Như trên;", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Hoàng Văn Thuân"]
    assert closing_start(paragraphs) == 1


def test_unmarked_signatures_of_a_bien_ban_are_the_closing():
    paragraphs = ["Biên bản được lập xong hồi 17 giờ 00 phút cùng ngày, lập thành 02 bản./.",
                  "ĐẠI DIỆN CÔNG TY", "Nguyễn Quang Thắng", "TRƯỞNG ĐOÀN", "Trần Trọng Trang"]
    assert closing_start(paragraphs) == 1
    body_only = ["Điều 1. Phạm vi điều chỉnh", "Nghị định này quy định về quản lý."]
    assert closing_start(body_only) == 2


def test_attachment_after_closing_starts_an_annex():
    closing = ["Nơi nhận:", "- Lưu: VT.", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Hoàng Văn Thuân"]
    titled = ["HÀNG HÓA NGUY HIỂM ĐƯỢC PHÉP VẬN CHUYỂN", "(Kèm theo Giấy phép số …)", "1. Xăng"]
    main, annex = split_segments(["Nội dung.", *closing, *titled])
    assert main.paragraphs[-1] == "Hoàng Văn Thuân"
    assert (annex.kind, annex.annex, annex.heading) == ("annex", "", titled[:1])
    assert annex.paragraphs == titled[1:]
    main, annex = split_segments(["Nội dung.", *closing, "Phụ lục số 01:", "ĐỀ CƯƠNG BÁO CÁO"])
    assert (annex.kind, annex.annex, annex.paragraphs) == ("annex", "01", ["ĐỀ CƯƠNG BÁO CÁO"])


def test_capitals_before_the_closing_are_not_an_attachment():
    paragraphs = ["I. MỤC ĐÍCH, YÊU CẦU", "(Kèm theo Kế hoạch số 113/KH-UBND)", "Nội dung."]
    assert len(split_segments(paragraphs)) == 1


def test_an_annex_numeral_alone_after_an_annex_starts_the_next():
    """"Phụ lục II" on a line of its own after Phụ lục I starts Phụ lục II, as does the OCR's
    "Phụ lục H"; "Phụ lục II" in a sentence, or out of turn, does not."""
    first = ["PHỤ LỤC I", "(Kèm theo Thông tư số 15/2026/TT-BYT)", "Mẫu số 01"]
    for heading in ("Phụ lục II", ". Phụ lục H"):
        segments = split_segments(["Nội dung.", *first, heading, "Mẫu số 02"])
        assert [(s.kind, s.annex) for s in segments] == [("main", None), ("annex", "I"), ("annex", "II")]
    for line in ("Phụ lục III", "Phụ lục II ban hành kèm theo Thông tư này."):
        assert len(split_segments(["Nội dung.", *first, line, "Mẫu số 02"])) == 2
