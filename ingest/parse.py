"""From a file's text to Documents: header, căn cứ, segments, provisions, closing, relations.

    RawText ──▶ header (ingest.header) ──▶ paragraphs (reflow) ──▶ segments (main / Quy chế /
    Phụ lục) ──▶ provision trees (ingest.structure) ──▶ metadata and relations (ingest.relations)

A Pháp điển compilation (ingest.phapdien) gives one Document per source document it quotes.
"""

from __future__ import annotations

import re
from datetime import date

from ingest import header as header_mod
from ingest.compilation import parse_compilation
from ingest.dates import parse_vn_date
from ingest.phapdien import is_phapdien, is_phapdien_index
from ingest.relations import extract_relations
from ingest.segments import build_annex, closing_start, split_segments
from ingest.structure import parse_segment, reflow
from ingest.types import RawText
from kb import doctypes
from kb.doctypes import doc_type_from_number, issuer_from_number, normalize_number
from kb.model import Citation, DocClass, Document, Kind, Provision, number_provisions

SPACES_RE = re.compile(r" {2,}")
NUMBER_ANYWHERE_RE = re.compile(r"Số\s*:\s*(\d+\s*/\s*[\w/\-Đđ]+)")
ATTACHED_TO_RE = re.compile(r"\(\s*(?:Ban hành\s+)?[Kk]èm theo\s+(?:[^()]*?)số\s+(\d+\s*/[\w/\-Đđ ]+?)(?:\s+ngày|\s*\)|$)")


def parse(raw: RawText) -> list[Document]:
    """Parse one file's text. Never raises on odd text: problems become warnings.

    A Pháp điển index page (labels without text) holds no document: [] is returned and the
    file is recorded with a warning, so it is not read again.
    """
    if is_phapdien_index(raw.lines):
        raw.warnings.append("trang mục lục Bộ pháp điển: không có nội dung quy phạm để nạp")
        return []
    if is_phapdien(raw.lines):
        return parse_compilation(raw)
    return [parse_document(raw)]


def parse_document(raw: RawText) -> Document:
    lines = raw.lines
    head = header_mod.parse_header(lines)
    body_lines = lines[head.body_start :]
    originals = [b.original for b in raw.blocks[head.body_start :]]
    paragraphs = reflow(body_lines, originals) if raw.wrapped else [t.strip() for t in body_lines if t.strip()]
    paragraphs = [SPACES_RE.sub(" ", t) for t in paragraphs]
    doc = _document_from_header(head, raw)
    segments = split_segments(paragraphs)
    main = segments[0]
    end = closing_start(main.paragraphs)
    body, closing = main.paragraphs[:end], main.paragraphs[end:]
    if doc.number is None and len(segments) > 1 and not _substantive(body):
        doc.number = _number_from_attachment(segments[1].heading + segments[1].paragraphs[:3])
        doc.partial = doc.number is not None
    doc.number = doc.number or _number_anywhere(lines, doc) or _number_of_own_annex(segments[1:], doc)
    _fill_from_number(doc, raw.front_matter)
    key = doc.number or doc.key
    warnings = doc.warnings
    roots, lead = parse_segment(body, key, warnings=warnings)
    doc.provisions = roots
    _fill_bases(doc, lead)
    _fill_closing(doc, closing, raw)
    for segment in segments[1:]:
        doc.provisions.extend(_parse_extra_segment(segment, key, warnings))
    _fill_class(doc)
    if doc.partial:
        doc.doc_type, doc.doc_class = doc_type_from_number(doc.number), DocClass.NORM
        doc.title, doc.warnings = "", [w for w in doc.warnings if "phần đầu" not in w]
    if not _has_articles(doc):  # letters, and norms written as numbered tasks (Chỉ thị)
        doc.provisions = _letter_body(lead, key) + doc.provisions
    _fill_originals(doc, raw)
    number_provisions(doc.all_provisions())
    extract_relations(doc)
    written_in_articles = (t := doctypes.by_name(doc.doc_type)) is None or t.articles
    if not _has_articles(doc) and doc.doc_class == DocClass.NORM and written_in_articles:
        warnings.append("không tìm thấy Điều nào trong văn bản")
    return doc


def _fill_from_number(doc: Document, fm: dict) -> None:
    """Type and issuer the header and front matter did not give, from the số hiệu (found in the
    header, the front matter or the body); a front matter's type the registry does not know, and
    the số hiệu does not say, as written."""
    if doc.number and not doc.doc_type:
        doc.doc_type = doc_type_from_number(doc.number)
    doc.doc_type = doc.doc_type or _fm(fm, "loai_van_ban", "loai-van-ban")
    if doc.number and not doc.issuer:
        doc.issuer = issuer_from_number(doc.number)


def _document_from_header(head, raw: RawText) -> Document:
    fm = raw.front_matter
    number = head.number or _fm(fm, "so_hieu", "sohieu", "so-hieu")
    doc = Document(
        number=normalize_number(number) if number else None,
        doc_type=head.doc_type or doctypes.registered_name(_fm(fm, "loai_van_ban", "loai-van-ban")),
        issuer=head.issuer or _fm(fm, "noi_ban_hanh", "co_quan_ban_hanh", "co-quan-ban-hanh"),
        parent_issuer=head.parent_issuer,
        place=head.place,
        issued=head.issued or _fm_date(fm, "ngay_ban_hanh", "ngay-ban-hanh"),
        title=head.title or _fm(fm, "trich_yeu", "trich-yeu", "title") or "",
        subject=head.subject or "",
        recipients=list(head.recipients),
        front_matter=dict(fm),
        stated_status=_fm(fm, "trang_thai", "trang-thai"),
        file_name=raw.path.name,
    )
    doc.effective = _fm_date(fm, "ngay_hieu_luc", "ngay-hieu-luc")
    if doc.effective:
        doc.effective_note = "theo thông tin văn bản (front matter)"
    doc.warnings.extend(raw.warnings + list(head.warnings))
    if not doc.title and not doc.subject:
        doc.title = raw.path.stem
    return doc


def _fm(fm: dict, *keys: str) -> str | None:
    for key in keys:
        value = fm.get(key)
        if value not in (None, "", "Đang cập nhật"):
            return str(value).strip()
    return None


def _fm_date(fm: dict, *keys: str) -> date | None:
    for key in keys:
        value = fm.get(key)
        if isinstance(value, date):
            return value
        if isinstance(value, str) and (parsed := _iso_or_vn_date(value)):
            return parsed
    return None


def _iso_or_vn_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return parse_vn_date(value)


def _number_from_attachment(paragraphs: list[str]) -> str | None:
    for text in paragraphs:
        if match := ATTACHED_TO_RE.search(text):
            return normalize_number(match.group(1))
    return None


def _substantive(paragraphs: list[str]) -> bool:
    return sum(len(p) for p in paragraphs) > 200


TITLE_NUMBER_RE = doctypes.Pattern(lambda: (  # "# Thông tư 97/2026/TT-BTC": a norm's type, its number
    rf"^(?:{doctypes.name_alternation(lambda t: t.self_cited)})\s+"
    r"(?:số\s+)?(\d+/\d{4}/[A-ZĐ][\wĐđ]*(?:-[\wĐđ]+)+)(?:\s|$)"))


def _number_anywhere(lines: list[str], doc: Document) -> str | None:
    """Số hiệu (and date) from a header placed elsewhere, e.g. a table at the end of a Markdown file,
    or, failing that, from a title line that opens the file ("# Thông tư 97/2026/TT-BTC")."""
    for line in lines[:3]:
        if match := TITLE_NUMBER_RE.match(line.strip()):
            number = normalize_number(match.group(1))
            doc.warnings.append(f"số hiệu {number} lấy từ dòng tiêu đề «{line.strip()[:60]}»")
            doc.issuer = doc.issuer or issuer_from_number(number)
            return number
    for line in lines:
        if match := NUMBER_ANYWHERE_RE.search(line):
            number = normalize_number(match.group(1))
            doc.warnings.append(f"số hiệu {number} lấy từ dòng «{line.strip()[:60]}» ngoài phần đầu")
            doc.issued = doc.issued or parse_vn_date(line)
            doc.issuer = doc.issuer or issuer_from_number(number)
            return number
    return None


def _number_of_own_annex(segments: list, doc: Document) -> str | None:
    """Last resort: the text's own Phụ lục "(Ban hành kèm theo Thông tư số 09/2026/TT-BNV ngày
    15/5/2026 …)", when neither header nor title gives the số hiệu — of the same type as the text."""
    for segment in segments:
        for text in segment.heading + segment.paragraphs[:3]:
            match = ATTACHED_TO_RE.search(text)
            number = normalize_number(match.group(1)) if match else None
            if number and doc.doc_type in (None, doc_type_from_number(number)):
                doc.warnings.append(f"số hiệu {number} lấy từ phụ lục kèm theo «{text[:60]}»")
                doc.issued = doc.issued or parse_vn_date(text[match.end(1):])
                return number
    return None


def _fill_bases(doc: Document, lead: list[str]) -> None:
    doc.bases = list(header_mod.parse_bases(lead))


def _fill_closing(doc: Document, closing: list[str], raw: RawText) -> None:
    if not closing:
        return
    info = header_mod.parse_closing(closing)
    doc.signer = info.signer
    doc.signer_title = info.signer_title
    doc.signer_authority = info.authority
    doc.distribution = list(info.distribution)
    doc.issued = doc.issued or info.issued
    doc.place = doc.place or info.place


def _parse_extra_segment(segment, key: str, warnings: list[str]) -> list[Provision]:
    if segment.kind == "annex":
        return [build_annex(segment, key)]
    end = closing_start(segment.paragraphs)
    roots, _lead = parse_segment(segment.paragraphs[:end], key, part=segment.part, warnings=warnings)
    return roots


def _fill_class(doc: Document) -> None:
    if doc.doc_type in doctypes.NORMATIVE or (doc.doc_type is None and _has_articles(doc)):
        doc.doc_class = DocClass.NORM
    else:
        doc.doc_class = DocClass.ADMIN


def _has_articles(doc: Document) -> bool:
    return any(p.kind == Kind.ARTICLE for p in doc.all_provisions())


LETTER_POINT_RE = re.compile(r"^(\d{1,2})\s*[.)]\s+\S")
ROMAN_SECTION_RE = re.compile(r"^([IVXLC]+)\s*[.:]\s+\S")


def _letter_body(lead: list[str], key: str) -> list[Provision]:
    """A letter's body: one node for the whole body; its Roman sections (I., II. …) and numbered
    points (mục 1, 2 …, numbered anew in each section) below it."""
    paragraphs = [p for p in lead if not p.startswith(("Căn cứ", "Kính gửi"))]
    if not paragraphs:
        return []
    body = Provision(Kind.PARAGRAPH, "nội dung", Citation(key), "\n".join(paragraphs))
    section: Provision | None = None
    point: Provision | None = None
    for text in paragraphs:
        roman = ROMAN_SECTION_RE.match(text)
        number = LETTER_POINT_RE.match(text)
        siblings = (section or body).children
        expected = sum(1 for c in siblings if c.kind == Kind.PARAGRAPH) + 1
        if roman:
            section, point = Provision(Kind.SECTION, f"Mục {roman.group(1)}", Citation(key), text, title=text), None
            body.children.append(section)
        elif number and int(number.group(1)) == expected:
            point = Provision(Kind.PARAGRAPH, f"mục {expected}", Citation(key, clause=expected), text)
            point.container_path = (section.label,) if section else ()
            siblings.append(point)
        else:
            for node in (section, point):
                if node is not None:
                    node.text += "\n" + text
            continue
        if section is not None and point is not None and point is not section:
            section.text += "\n" + text
    return [body]


def _fill_originals(doc: Document, raw: RawText) -> None:
    """Keep the original wording beside the normalised text when they differ (audit)."""
    pairs = {b.text.strip(): b.original.strip() for b in raw.blocks if b.text.strip() != b.original.strip()}
    if not pairs:
        return
    for node in doc.all_provisions():
        lines = node.text.split("\n")
        if any(line in pairs for line in lines):
            node.original = "\n".join(pairs.get(line, line) for line in lines)


