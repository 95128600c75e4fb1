"""Readers on the real corpus (../shared/corpus) and on broken files written here."""

from __future__ import annotations

import gc
import tarfile
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from helpers_pdf import make_image_pdf, make_text_pdf

from ingest.normalize import normalize
from ingest.readers import read, read_bytes
from ingest.types import RawText, ReadError

# --- DOCX ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nd32_docx(ccn_dir: Path) -> RawText:
    return read(ccn_dir / "ND-32-2024-ND-CP.docx")


def _txt_lines(path: Path) -> list[str]:
    lines = (normalize(x) for x in path.read_text(encoding="utf-8-sig").split("\n"))
    return [x for x in lines if x]


@pytest.mark.parametrize(
    "stem",
    ["ND-32-2024-ND-CP", "TT-14-2024-TT-BCT", "ND-139-2025-ND-CP", "CT-07-2012-CT-TTg"],
)
def test_docx_blocks_match_the_extracted_txt(ccn_dir: Path, stem: str):
    """The .txt beside each .docx was extracted one paragraph per line: same lines, same order."""
    raw = read(ccn_dir / f"{stem}.docx")
    assert raw.fmt == "docx" and not raw.wrapped
    assert [b.text for b in raw.blocks] == _txt_lines(ccn_dir / f"{stem}.txt")


def test_docx_header_table_cells_are_separate_blocks(nd32_docx: RawText):
    head = nd32_docx.blocks[:8]
    assert [b.text for b in head[:6]] == [
        "CHÍNH PHỦ",
        "--------",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "---------------",
        "Số: 32/2024/NĐ-CP",
    ]
    assert head[6].text == "Hà Nội, ngày 15 tháng 3 năm 2024"
    assert all(b.origin == "table" for b in head[:7])


def test_docx_articles_in_document_order(nd32_docx: RawText):
    texts = nd32_docx.lines
    positions = [texts.index(t) for t in texts if t.startswith("Điều ") and ". " in t[:9]]
    numbers = [int(texts[i].split()[1].rstrip(".")) for i in positions]
    assert numbers == list(range(1, 39))
    assert "Điều 8. Điều kiện thành lập, mở rộng cụm công nghiệp" in texts
    assert all(b.text == normalize(b.original) for b in nd32_docx.blocks)


def test_docx_manual_line_breaks_split_blocks(nd32_docx: RawText):
    """The signature cell "TM. CHÍNH PHỦ<br>KT. THỦ TƯỚNG<br>…<br>Trần Hồng Hà"."""
    texts = nd32_docx.lines
    i = texts.index("TM. CHÍNH PHỦ")
    assert texts[i + 1 : i + 4] == ["KT. THỦ TƯỚNG", "PHÓ THỦ TƯỚNG", "Trần Hồng Hà"]


def test_docx_text_boxes_read_once(ccn_dir: Path):
    raw = read(ccn_dir / "ND-30-2020-ND-CP_PhuLuc-I.docx")
    boxes = [b.text for b in raw.blocks if b.origin == "textbox"]
    assert "HỎA TỐC" in boxes and "PHẦN CUỐI CÙNG CỦA VĂN BẢN ĐƯỢC SAO" in boxes
    assert boxes.count("HỎA TỐC") == 1  # DrawingML and its VML fallback: one copy


LETTERS = {
    "cong-van-de-nghi-bo-sung-ho-so.docx": (
        "Số: /SCT-CN",
        "V/v hoàn thiện, bổ sung hồ sơ đề nghị cấp Giấy phép dịch vụ nổ mìn trên địa bàn tỉnh "
        "Lào Cai",
    ),
    "cong-van-moi-hop-sct.docx": ("Số: /SCT-CN", "V/v mời dự họp"),
    "cong-van-don-doc-tien-do-ha-tang-ccn-bao-cao-hang-tuan.docx": (
        "Số: /SCT-CN",
        "V/v đôn đốc tiến độ đầu tư xây dựng hạ tầng kỹ thuật cụm công nghiệp",
    ),
    "bao-cao-ccn-gui-bct-ban-chuan-nguoi-dung.docx": ("Số: /BC-SCT", "Kính gửi: Bộ Công Thương"),
    "to-trinh-vbqppl-tien-chat-thuoc-no.docx": ("Số: /TTr - SCT", "TỜ TRÌNH"),
}


@pytest.mark.parametrize(("name", "expected"), LETTERS.items())
def test_letter_header_and_subject(letters_dir: Path, name: str, expected: tuple[str, str]):
    raw = read(letters_dir / name)
    texts = raw.lines
    for line in expected:
        assert line in texts
    number = next(b for b in raw.blocks if b.text.startswith("Số:"))
    assert number.origin == "table"
    assert "SỞ CÔNG THƯƠNG" in texts and "UBND TỈNH LÀO CAI" in texts


def test_all_letters_read_without_duplicated_cells(letters_dir: Path):
    letters = sorted(letters_dir.glob("*.docx"))
    assert len(letters) == 14
    for path in letters:
        raw = read(path)
        assert len(raw.blocks) >= 10, path.name
        assert any(
            t.startswith("CỘNG H") and t.endswith("XÃ HỘI CHỦ NGHĨA VIỆT NAM") for t in raw.lines
        )
        table = [b.text for b in raw.blocks if b.origin == "table"]
        repeats = [t for a, t in zip(table, table[1:], strict=False) if a == t and len(t) > 20]
        assert not repeats, (path.name, repeats)
        assert Counter(b.origin for b in raw.blocks)["body"] > 0


# --- TXT -------------------------------------------------------------------------------------


def test_txt_one_paragraph_per_line(ccn_dir: Path):
    raw = read(ccn_dir / "ND-32-2024-ND-CP.txt")
    assert raw.fmt == "txt" and raw.wrapped is False
    assert raw.blocks[0].text == "CHÍNH PHỦ"
    assert "Số: 32/2024/NĐ-CP" in raw.lines


def test_txt_pdftotext_output_is_wrapped(ccn_dir: Path):
    raw = read(ccn_dir / "QD-16-2026-QD-UBND-LaoCai.txt")
    assert raw.wrapped is True
    assert not [t for t in raw.lines if t.isdigit()]  # page numbers gone
    assert raw.lines[0] == "ỦY BAN NHÂN DÂN   CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert raw.blocks[0].original.startswith("ỦY BAN NHÂN DÂN    ")
    assert all("\f" not in b.original for b in raw.blocks)


def test_txt_extraction_note_dropped_and_artefacts_fixed(ccn_dir: Path):
    raw = read(ccn_dir / "CV-1178-DCK-CTT-2025.txt")
    assert raw.wrapped is True
    assert raw.lines[0] == "BỘ CÔNG THƯƠNG   CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert any("ghi chú" in w for w in raw.warnings)
    text = "\n".join(raw.lines)
    assert "ƣ" not in text and "HÕA" not in text and "[Bản trích" not in text
    assert "Số: 1178 /ĐCK-CTT   Hà Nội, ngày 09 tháng 7 năm 2025" in raw.lines


def test_txt_with_hash_comments_stays_text(ccn_dir: Path):
    raw = read(ccn_dir / "EX-QHT-LaoCai-2021-2030-DC2026-thuyetminh-DRAFT.txt")
    assert raw.fmt == "txt"


def test_plain_text_without_legal_structure(tmp_path: Path):
    path = tmp_path / "ghi-chu.txt"
    path.write_text("Họp giao ban sáng thứ Hai.\nMang theo báo cáo tuần.\n", encoding="utf-8")
    raw = read(path)
    assert raw.fmt == "txt" and raw.lines == [
        "Họp giao ban sáng thứ Hai.",
        "Mang theo báo cáo tuần.",
    ]


_TONES = "\u0300\u0301\u0303\u0309\u0323"


def _cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: precomposed base letters, combining tone marks."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out.append((base + "".join(c for c in parts if c in _TONES)).encode("cp1258"))
    return b"".join(out)


def test_text_in_legacy_encodings(tmp_path: Path):
    text = "Điều 8. Điều kiện thành lập, mở rộng cụm công nghiệp\n"
    (tmp_path / "a.txt").write_bytes(text.encode("utf-16"))
    (tmp_path / "b.txt").write_bytes(text.encode("utf-16-le"))
    (tmp_path / "c.txt").write_bytes(_cp1258(text))
    (tmp_path / "d.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    for name in "abcd":
        assert read(tmp_path / f"{name}.txt").lines == [text.strip()], name
    assert any("1258" in w for w in read(tmp_path / "c.txt").warnings)


@pytest.mark.slow
def test_large_text_file_reads(tmp_path: Path):
    path = tmp_path / "lon.txt"
    line = "Điều 1. Cụm công nghiệp là nơi sản xuất công nghiệp, thực hiện các dịch vụ.\n"
    with path.open("w", encoding="utf-8") as fh:
        for _ in range(50 * 1024 * 1024 // len(line.encode())):
            fh.write(line)
    assert path.stat().st_size > 49 * 1024 * 1024
    count = len(read(path).blocks)  # the RawText itself is not kept
    gc.collect()
    assert count > 500_000


def test_html_saved_as_txt_is_read_as_html(tmp_path: Path):
    path = tmp_path / "trang.txt"
    path.write_text(VBPL_PAGE, encoding="utf-8")
    raw = read(path)
    assert raw.fmt == "html"


# --- bad input -------------------------------------------------------------------------------


def _problem(path: Path) -> str:
    with pytest.raises(ReadError) as info:
        read(path)
    assert info.value.path == str(path)
    return info.value.problem


def test_empty_file(tmp_path: Path):
    path = tmp_path / "rong.docx"
    path.write_bytes(b"")
    assert _problem(path) == "tệp rỗng"
    blank = tmp_path / "trang.txt"
    blank.write_text("  \n\n ", encoding="utf-8")
    assert "rỗng" in _problem(blank)


def test_truncated_docx(tmp_path: Path, ccn_dir: Path):
    data = (ccn_dir / "ND-32-2024-ND-CP.docx").read_bytes()
    path = tmp_path / "cut.docx"
    path.write_bytes(data[: len(data) // 2])
    assert _problem(path) == "tệp DOCX bị hỏng hoặc không đầy đủ"


def test_binary_named_docx(tmp_path: Path):
    path = tmp_path / "anh.docx"
    path.write_bytes(bytes(range(256)) * 64)
    problem = _problem(path)
    assert "không phải văn bản (dữ liệu nhị phân)" in problem and ".docx" in problem


def test_zip_that_is_not_docx(tmp_path: Path):
    path = tmp_path / "nen.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "xin chào")
    assert "không phải văn bản DOCX" in _problem(path)


def test_legacy_doc(tmp_path: Path):
    path = tmp_path / "cu.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000)
    assert _problem(path) == "định dạng .doc cũ chưa hỗ trợ, hãy lưu lại dưới dạng .docx"


def test_corrupt_pdf(tmp_path: Path):
    path = tmp_path / "hong.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"\x93garbage without objects\n" * 50)
    assert _problem(path).startswith("tệp PDF bị hỏng")


def test_truncated_pdf(tmp_path: Path, ccn_dir: Path):
    data = (ccn_dir / "CV-1178-DCK-CTT-2025.pdf").read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) // 3])
    try:
        raw = read(path)  # pdfium may rebuild a cut file: then it must still be clean text
    except ReadError as exc:
        assert exc.problem.startswith("tệp PDF bị hỏng")
    else:
        assert raw.fmt == "pdf"


def test_encrypted_pdf(tmp_path: Path):
    from pypdf import PdfReader, PdfWriter

    plain = make_text_pdf(tmp_path / "plain.pdf", [["Dieu 1. Pham vi dieu chinh"]])
    writer = PdfWriter()
    for page in PdfReader(plain).pages:
        writer.add_page(page)
    writer.encrypt(user_password="mat-khau", owner_password="chu", algorithm="AES-128")
    path = tmp_path / "khoa.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    assert _problem(path) == "tệp PDF bị mã hoá (có mật khẩu)"


def test_read_errors_name_the_file(tmp_path: Path):
    missing = tmp_path / "khong-co.docx"
    with pytest.raises(ReadError, match="khong-co.docx: không tìm thấy tệp"):
        read(missing)


# --- PDF -------------------------------------------------------------------------------------


def test_cv1178_pdf_clean(ccn_dir: Path):
    raw = read(ccn_dir / "CV-1178-DCK-CTT-2025.pdf")
    assert raw.fmt == "pdf" and raw.wrapped is True
    text = "\n".join(raw.lines)
    assert "ƣ" not in text and "HÕA" not in text
    assert raw.lines[0] == "BỘ CÔNG THƯƠNG   CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    # number and date come from the e-signature stamps drawn over the blank fields
    assert "Số: 1178 /ĐCK-CTT   Hà Nội, ngày 09 tháng 7 năm 2025" in raw.lines
    assert "Kính gửi: Sở Công Thương tỉnh Lào Cai" in raw.lines
    assert all(b.page == 1 and b.origin == "body" for b in raw.blocks)
    assert min(len(b.original) - len(b.original.lstrip()) for b in raw.blocks) == 0  # margin


def test_cv1178_pdf_agrees_with_pdftotext(ccn_dir: Path):
    pdf = read(ccn_dir / "CV-1178-DCK-CTT-2025.pdf")
    txt = read(ccn_dir / "CV-1178-DCK-CTT-2025.txt")

    def words(raw: RawText) -> Counter[str]:
        return Counter(" ".join(raw.lines).split())

    assert words(pdf) == words(txt)  # same words; the signature block's order differs


def _pdf_pages() -> list[list]:
    bodies = [
        ["Dieu 1. Pham vi dieu chinh cua Nghi dinh so 32/2024/ND-", "CP ve cum cong nghiep."],
        ["Dieu 2. Doi tuong ap dung", "a) Doanh nghiep, hop tac xa."],
        ["Dieu 3. Giai thich tu ngu", "Cum cong nghiep la noi san xuat."],
        ["Dieu 4. Nguyen tac quan ly", "Phat trien ben vung."],
    ]
    pages = []
    for n, body in enumerate(bodies, 1):
        header = [("BO CONG THUONG", "CONG HOA XA HOI CHU NGHIA VIET NAM")] if n == 1 else []
        pages.append(["CONG BAO/So 12 ngay 01-3-2024", *header, *body, *[""] * 25, f"Trang {n}/4"])
    return pages


def test_pdf_running_headers_page_numbers_and_columns(tmp_path: Path):
    raw = read(make_text_pdf(tmp_path / "nd.pdf", _pdf_pages()))
    texts = raw.lines
    assert texts[0] == "BO CONG THUONG   CONG HOA XA HOI CHU NGHIA VIET NAM"
    assert not [t for t in texts if "CONG BAO" in t or t.startswith("Trang ")]
    assert "Dieu 1. Pham vi dieu chinh cua Nghi dinh so 32/2024/ND-CP" in texts
    assert "ve cum cong nghiep." in texts
    assert [b.page for b in raw.blocks if b.text.startswith("Dieu ")] == [1, 2, 3, 4]


@pytest.fixture(scope="module")
def nd32_article8() -> list[str]:
    lines = Path(__file__).resolve().parents[2] / "shared/corpus/ccn/ND-32-2024-ND-CP.txt"
    text = lines.read_text(encoding="utf-8").split("\n")
    start = next(i for i, x in enumerate(text) if x.startswith("Điều 8."))
    end = next(i for i, x in enumerate(text) if x.startswith("Điều 9."))
    return text[start:end]


@pytest.mark.slow
def test_ocr_of_image_only_pdf(tmp_path: Path, nd32_article8: list[str]):
    path = make_image_pdf(tmp_path / "scan.pdf", nd32_article8[:6])
    raw = read(path)
    assert raw.fmt == "pdf" and raw.wrapped
    assert "trang 1 đọc bằng OCR" in raw.warnings
    assert {b.origin for b in raw.blocks} == {"ocr"}
    text = " ".join(raw.lines)
    assert raw.lines[0].startswith("Điều 8")
    for phrase in ("Điều kiện thành lập", "cụm công nghiệp", "quy hoạch", "thẩm quyền", "50%"):
        assert phrase in text


@pytest.mark.slow
def test_ocr_keeps_header_columns_apart(tmp_path: Path):
    header = [
        ("CHÍNH PHỦ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("", "Độc lập - Tự do - Hạnh phúc"),
        ("Số: 32/2024/NĐ-CP", "Hà Nội, ngày 15 tháng 3 năm 2024"),
        "NGHỊ ĐỊNH",
    ]
    raw = read(make_image_pdf(tmp_path / "header.pdf", header))
    assert raw.lines[0] == "CHÍNH PHỦ   CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert "Số: 32/2024/NĐ-CP   Hà Nội, ngày 15 tháng 3 năm 2024" in raw.lines


# --- Markdown --------------------------------------------------------------------------------


def test_md_front_matter_and_metadata_table(ccn_dir: Path):
    raw = read(ccn_dir / "ND-96-2026-ND-CP.md")
    fm = raw.front_matter
    assert raw.fmt == "md" and raw.wrapped is False
    assert fm["so_hieu"] == "96/2026/NĐ-CP" and fm["loai_van_ban"] == "Nghị định"
    assert fm["noi_ban_hanh"] == "Chính phủ" and fm["nguoi_ky"] == "Hồ Đức Phớc"
    assert fm["ngay_ban_hanh"] == "31/03/2026" and fm["ngay_hieu_luc"] == "31/03/2026"
    assert fm["docid"] == 217407  # unknown YAML keys kept as they are
    assert not [t for t in raw.lines if "THÔNG TIN VĂN BẢN" in t or "**" in t or "Số hiệu" in t]


def test_md_placeholder_values_dropped(ccn_dir: Path):
    raw = read(ccn_dir / "PHAPDIEN-DeMuc-Khuyen-cong.md")
    assert "so_hieu" not in raw.front_matter and raw.front_matter["title"] == "Khuyến công"
    assert "Điều 7.5.NĐ.1. Phạm vi và đối tượng" in raw.lines


def test_md_markup_stripped(ccn_dir: Path):
    raw = read(ccn_dir / "ND-30-2020-ND-CP_PhuLuc-I.md")
    texts = raw.lines
    assert texts[:2] == ["Phụ lục I", "THỂ THỨC, KỸ THUẬT TRÌNH BÀY VĂN BẢN HÀNH CHÍNH"]
    assert any(t.startswith("a) Quốc hiệu “CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM”") for t in texts)
    assert not [t for t in texts if t.startswith(("#", "- a)", "__")) or "**" in t]


def test_md_wide_corpus_front_matter():
    archive = Path(__file__).resolve().parents[2] / "shared/corpus/wide.tar.xz"
    with tarfile.open(archive, "r:xz") as tar:
        member = next(m for m in tar if m.name.endswith(".md"))
        raw = read_bytes(member.name, tar.extractfile(member).read())
    assert member.name.endswith("nghi-dinh-06-2026-nd-cp-ngan-hanh-chinh-sa-xa-hoi.md")
    fm = raw.front_matter
    assert fm["so_hieu"] == "06/2026/NĐ-CP" and fm["ngay_hieu_luc"] == "10/01/2026"
    assert fm["noi_ban_hanh"] == "Chính phủ" and fm["date"] == "2026-01-10"
    assert raw.lines[0] == "CHÍNH PHỦ CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"


MD_SAMPLE = """---
sohieu: "12/2026/TT-BCT"
ngay-ban-hanh: 2026-03-01
co-quan-ban-hanh: Bộ Công Thương
trang-thai: Đang cập nhật
thay_the: "Thông tư 28/2020/TT-BCT"
linh-vuc: Công nghiệp
---

# THÔNG TƯ

## THÔNG TIN VĂN BẢN

| Thuộc tính | Nội dung |
|---|---|
| **Số hiệu** | 99/9999/XX |
| **Người ký** | Nguyễn Văn A |
| **Trạng thái** | Còn hiệu lực |

---

**Điều 1.** Phạm vi điều chỉnh theo [Nghị định 32/2024/NĐ-CP](https://vbpl.vn/x) \\
- a) Cụm công nghiệp<br>được *quy hoạch*;
![sơ đồ](img.png)
| STT | Tên cụm | Diện tích |
|---|---|---|
| 1 | CCN Phú Thịnh | 50 ha |
Giá 10\\.000 đồng
"""


def test_md_sample_everything(tmp_path: Path):
    path = tmp_path / "mau.md"
    path.write_text(MD_SAMPLE, encoding="utf-8")
    raw = read(path)
    fm = raw.front_matter
    assert fm["so_hieu"] == "12/2026/TT-BCT"  # YAML wins over the table
    assert fm["ngay_ban_hanh"] == "2026-03-01" and fm["noi_ban_hanh"] == "Bộ Công Thương"
    assert fm["trang_thai"] == "Còn hiệu lực" and fm["nguoi_ky"] == "Nguyễn Văn A"
    assert fm["thay_the"] == "Thông tư 28/2020/TT-BCT" and fm["linh_vuc"] == "Công nghiệp"
    assert raw.lines == [
        "THÔNG TƯ",
        "Điều 1. Phạm vi điều chỉnh theo Nghị định 32/2024/NĐ-CP",
        "a) Cụm công nghiệp được quy hoạch;",
        "STT | Tên cụm | Diện tích",
        "1 | CCN Phú Thịnh | 50 ha",
        "Giá 10.000 đồng",
    ]
    assert [b.origin for b in raw.blocks][3:5] == ["table", "table"]


def test_md_broken_yaml_is_a_warning(tmp_path: Path):
    path = tmp_path / "loi.md"
    path.write_text("---\ntitle: [không đóng\n---\n# Điều 1. Phạm vi\n", encoding="utf-8")
    raw = read(path)
    assert raw.front_matter == {} and raw.lines == ["Điều 1. Phạm vi"]
    assert any("YAML" in w for w in raw.warnings)


# --- HTML ------------------------------------------------------------------------------------

VBPL_PAGE = """<!DOCTYPE html>
<html><head><title>Nghị định 32/2024/NĐ-CP - vbpl.vn</title>
<script>var menu = "Trang chủ";</script><style>.x{color:red}</style></head>
<body>
<div id="header"><ul class="menu"><li><a href="/">Trang chủ</a></li>
<li><a href="/vb">Văn bản pháp luật</a></li><li>Đăng nhập</li></ul></div>
<nav class="breadcrumb">CSDL quốc gia về văn bản pháp luật » Trung ương</nav>
<div class="box-left"><div class="search"><form><input value="Tìm kiếm"></form></div>
<ul class="left-menu"><li>Thuộc tính</li><li>Lược đồ</li><li>Tải về</li></ul></div>
<div class="content">
  <div id="toanvancontent" class="toanvancontent">
    <table><tr><td><p>CHÍNH PHỦ<br>-------</p></td>
    <td><p>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br>Độc lập - Tự do - Hạnh phúc</p></td></tr>
    <tr><td><p>Số: 32/2024/NĐ-CP</p></td><td><p><i>Hà Nội, ngày 15 tháng 3 năm 2024</i></p></td>
    </tr></table>
    <p align="center"><b>NGHỊ ĐỊNH</b></p>
    <p><b>Điều 8.   Điều kiện thành lập,
       mở rộng cụm công nghiệp</b></p>
    <p>1. Thành lập cụm công nghiệp phải đáp ứng các điều kiện sau:</p>
    <p>a) Có trong Danh mục các cụm công nghiệp trên địa bàn cấp tỉnh đã được cấp có thẩm
       quyền phê duyệt;</p>
    <p><b>Điều 9. Hồ sơ thành lập, mở rộng cụm công nghiệp</b></p>
    <ul><li>Văn bản đề nghị;</li><li>Báo cáo đầu tư.</li></ul>
  </div>
</div>
<aside class="sidebar">Văn bản liên quan: Nghị định 68/2017/NĐ-CP</aside>
<div id="footer">Cổng thông tin điện tử Bộ Tư pháp © 2024. Liên hệ.</div>
</body></html>
"""


def test_html_vbpl_page_keeps_only_the_content(tmp_path: Path):
    path = tmp_path / "nd32.html"
    path.write_text(VBPL_PAGE, encoding="utf-8")
    raw = read(path)
    assert raw.fmt == "html" and raw.wrapped is False
    texts = raw.lines
    assert texts[:6] == [
        "CHÍNH PHỦ",
        "-------",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 32/2024/NĐ-CP",
        "Hà Nội, ngày 15 tháng 3 năm 2024",
    ]
    assert "Điều 8. Điều kiện thành lập, mở rộng cụm công nghiệp" in texts
    assert (
        "a) Có trong Danh mục các cụm công nghiệp trên địa bàn cấp tỉnh đã được cấp có "
        "thẩm quyền phê duyệt;" in texts
    )
    assert texts[-2:] == ["Văn bản đề nghị;", "Báo cáo đầu tư."]
    joined = "\n".join(texts)
    for noise in (
        "Trang chủ",
        "Đăng nhập",
        "Tìm kiếm",
        "Lược đồ",
        "Bộ Tư pháp",
        "liên quan",
        "color",
        "CSDL quốc gia",
    ):
        assert noise not in joined
    assert raw.front_matter["title"].startswith("Nghị định 32/2024/NĐ-CP")


def test_html_generic_page_uses_largest_text_element(tmp_path: Path):
    page = VBPL_PAGE.replace('id="toanvancontent" class="toanvancontent"', 'class="noidung"')
    page = page.replace('class="content"', 'class="main-body"')
    raw = read_bytes(tmp_path / "x.htm", page.encode("utf-8"))
    joined = "\n".join(raw.lines)
    assert "Điều 8. Điều kiện thành lập, mở rộng cụm công nghiệp" in joined
    for noise in ("Trang chủ", "Đăng nhập", "Bộ Tư pháp", "liên quan"):
        assert noise not in joined


def test_detect_ignores_extension(tmp_path: Path, ccn_dir: Path):
    data = (ccn_dir / "ND-32-2024-ND-CP.docx").read_bytes()
    assert read_bytes(tmp_path / "nd32.txt", data).fmt == "docx"
    pdf = (ccn_dir / "CV-1178-DCK-CTT-2025.pdf").read_bytes()
    assert read_bytes(tmp_path / "cv.docx", pdf).fmt == "pdf"
    md = (ccn_dir / "QD-130-2022-QD-CTDP.md").read_bytes()
    assert read_bytes(tmp_path / "qd", md).fmt == "md"
    assert read_bytes("x.bin", b"Xin chao").fmt == "txt"


def test_md_blockquote_tables_entities_and_footnote_links(tmp_path: Path):
    path = tmp_path / "trich.md"
    path.write_text(
        "# Điều 5. Công thức\n"
        "> | | |\n> |---|---|\n> | **Tiền sử dụng đất** | = Diện tích × Giá đất |\n"
        "Tư vấn &amp; Đầu tư theo IMT-Advanced[[1]](#_ftn1).\n"
        "Số: 47/2026/TT-BCA &nbsp;&nbsp;&nbsp;&nbsp;&nbsp; Hà Nội, ngày 12 tháng 5 năm 2026\n",
        encoding="utf-8",
    )
    assert read(path).lines == [
        "Điều 5. Công thức",
        "Tiền sử dụng đất | = Diện tích × Giá đất",
        "Tư vấn & Đầu tư theo IMT-Advanced[1].",
        "Số: 47/2026/TT-BCA   Hà Nội, ngày 12 tháng 5 năm 2026",
    ]
