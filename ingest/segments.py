"""Split a document's paragraphs into segments: main text, attached regulations, annexes.

A Quyết định may carry a Quy chế / Quy định "ban hành kèm theo Quyết định số …" with its own
Điều numbering; a text may end with Phụ lục I, II … Each segment is parsed on its own, so a
decision's Điều 1 and its Quy chế's Điều 1 are different provisions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.header import parse_closing
from kb import doctypes
from kb.model import Citation, Kind, Provision

# a stray mark before the word is OCR noise (": Phụ lục I", ". Phụ lục H" in NĐ 96/2026's file)
ANNEX_RE = re.compile(r"^[:.]?\s*(?:PHỤ LỤC|Phụ lục)(?:\s+(?:SỐ\s+|số\s+)?([IVXLC]+|\d+|H|IH|HI))?\b\.?\s*[:.]?\s*(.*)$")
# an annex numeral as OCR misreads "II" and "III" (seen in NĐ 96/2026, NĐ 232/2026, TT 91/2026 …)
OCR_NUMERALS = {"H": "II", "IH": "III", "HI": "III"}
ATTACHED_RE = re.compile(r"^\((?:Ban hành |ban hành )?(?:kèm|Kèm) theo")
REGULATION_RE = doctypes.Pattern(  # an attached Quy chế, Quy định, Điều lệ (kb.doctypes)
    lambda: rf"^({doctypes.heading_alternation(lambda t: t.attached)})\b\s*(.*)$"
)
CLOSING_RE = re.compile(r"^(?:Nơi nhận\s*:?|(?:TM|KT|TL|TUQ|Q)\.\s+\S)")
PLACE_DATE_RE = re.compile(r"^[^\d,;:()]{2,40}?\s*,\s*ngày\b.{0,40}$")
SIGNATURE_TAIL_MAX = 30  # paragraphs at the end of a segment where an unmarked signature may sit
SIGNATURE_LINE_MAX = 80  # a signature block's lines are short (titles, names, "Đại diện …")
CAPS_WORD = r"[A-ZĐ][A-ZĐÀ-Ỹ]+[\s,]"  # an upper-case title's first word ("NGÀNH,", "NÔNG ")
ANNEX_HEADING_RE = re.compile(
    r"^(?:(?:Phần|PHẦN)\s+[IVXLC\d]+\b|[IVXLC]+\.\s+\S|(?:Mẫu|MẪU|Biểu|BIỂU)\s+(?:số|SỐ)\s+\S+"
    rf"|[A-H]\.\s+{CAPS_WORD})"  # "A. NGÀNH, NGHỀ ĐẶC BIỆT ƯU ĐÃI …": a Danh mục's part
)


@dataclass
class Segment:
    """A run of paragraphs with one numbering: part None (main), "Quy chế"…, or an annex."""

    kind: str  # "main" | "regulation" | "annex"
    paragraphs: list[str] = field(default_factory=list)
    part: str | None = None
    annex: str | None = None
    heading: list[str] = field(default_factory=list)  # the segment's title lines


def split_segments(paragraphs: list[str]) -> list[Segment]:
    """Cut paragraphs where a regulation or an annex begins.

    After the closing (Nơi nhận, signature) of the main text or of a regulation, an attachment may
    begin without the usual marks: "Phụ lục số 01:" alone, or a title in capitals over "(Kèm theo
    Giấy phép …)". Inside an annex, forms quote such lines (a "Nơi nhận:" of a Mẫu): no cut there.
    """
    segments = [Segment("main")]
    closed = False
    for i, text in enumerate(paragraphs):
        in_annex = segments[-1].kind == "annex"
        started = (
            (None if in_annex else _regulation_start(paragraphs, i))  # a form of Quy chế in an annex
            or _annex_start(paragraphs, i, numbered_only=in_annex,  # "Phụ lục …1..." of a form
                            following=segments[-1].annex if in_annex else None)
            or (_attachment_start(paragraphs, i) if closed else None)
        )
        if started:
            segments.append(started)
            closed = False
        else:
            segments[-1].paragraphs.append(text)
            closed = closed or (segments[-1].kind != "annex" and bool(CLOSING_RE.match(text)))
    return segments


def _attached_soon(paragraphs: list[str], i: int) -> bool:
    return any(ATTACHED_RE.match(p) for p in paragraphs[i + 1 : i + 5])


def _regulation_start(paragraphs: list[str], i: int) -> Segment | None:
    match = REGULATION_RE.match(paragraphs[i])
    if not match or match.group(2)[:1].islower() or not _attached_soon(paragraphs, i):
        return None
    return Segment("regulation", part=_proper_part(match.group(1)), heading=[paragraphs[i]])


def _proper_part(caps: str) -> str:
    return doctypes.by_heading(caps).name


def _annex_start(paragraphs: list[str], i: int, numbered_only: bool = False,
                 following: str | None = None) -> Segment | None:
    """An annex's heading: "PHỤ LỤC …", or a short "Phụ lục …" over "(Kèm theo …)", or, in an
    annex numbered `following`, the next numeral on a line of its own ("Phụ lục II" after I)."""
    text = paragraphs[i]
    match = ANNEX_RE.match(text)
    if not match:
        return None
    numeral = _numeral(match)
    rest = match.group(2)
    caps = text.lstrip(":. ").startswith("PHỤ LỤC")
    alone = not rest and bool(following) and _next_numeral(following) == numeral
    if not (caps or alone or (len(text) < 120 and _attached_soon(paragraphs, i))):
        return None
    if rest and rest[:1].islower() and not caps:
        return None  # "Phụ lục I kèm theo Thông tư này" in running text
    if numbered_only and not numeral:
        return None
    return Segment("annex", annex=numeral, heading=[text])


def _numeral(match: re.Match) -> str:
    """The numeral of an ANNEX_RE match, as the text means it ("H" → "II"); "" for none."""
    return OCR_NUMERALS.get(match.group(1) or "", match.group(1) or "")


def _next_numeral(numeral: str) -> str | None:
    """The annex numeral after `numeral`, written the same way: "I" → "II", "3" → "4"."""
    if numeral.isdigit():
        return str(int(numeral) + 1)
    if not numeral or any(ch not in "IVXLC" for ch in numeral):
        return None
    return _to_roman(_roman(numeral) + 1)


def _attachment_start(paragraphs: list[str], i: int) -> Segment | None:
    """An attachment after the signature: "Phụ lục số 01:" / "Phụ lục: NỘI DUNG …" with no
    "(Kèm theo …)" line, or an upper-case title directly over "(Kèm theo …)"."""
    text = paragraphs[i]
    if len(text) >= 200:
        return None
    if match := ANNEX_RE.match(text):
        return Segment("annex", annex=_numeral(match), heading=[text])
    if _is_caps(text) and not CLOSING_RE.match(text) and _title_over_attached(paragraphs, i + 1):
        return Segment("annex", annex="", heading=[text])
    return None


def _title_over_attached(paragraphs: list[str], j: int) -> bool:
    """"(Kèm theo …)" at j, or at j + 1 under a second capitals line of the same title."""
    if j < len(paragraphs) and ATTACHED_RE.match(paragraphs[j]):
        return True
    return j + 1 < len(paragraphs) and _is_caps(paragraphs[j]) and bool(
        ATTACHED_RE.match(paragraphs[j + 1])
    )


def _is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def closing_start(paragraphs: list[str]) -> int:
    """Index of the first paragraph of the closing block (Nơi nhận / signature), or len().

    A signature without "Nơi nhận" or "TM./KT." (a biên bản's "ĐẠI DIỆN …" blocks, a bare
    "GIÁM ĐỐC") is found among the short paragraphs that end the segment. The place and date
    written just above the closing ("Lào Cai, ngày … tháng 6 năm 2026") belong to it.
    """
    start = next((i for i, text in enumerate(paragraphs) if CLOSING_RE.match(text)), None)
    if start is None:
        start = _unmarked_signature(paragraphs)
    if start is None:
        return len(paragraphs)
    if start > 0 and PLACE_DATE_RE.match(paragraphs[start - 1]):
        return start - 1
    return start


def _unmarked_signature(paragraphs: list[str]) -> int | None:
    """Start of a signature block among the trailing short paragraphs, when it names a signer."""
    first = len(paragraphs)
    while (
        first > 0
        and len(paragraphs) - first < SIGNATURE_TAIL_MAX
        and len(paragraphs[first - 1]) <= SIGNATURE_LINE_MAX
    ):
        first -= 1
    tail = paragraphs[first:]
    if not tail:
        return None
    closing = parse_closing(tail)
    if closing.start is None or closing.signer is None:
        return None
    return first + closing.start


def build_annex(segment: Segment, doc: str | None) -> Provision:
    """An annex: one node with its whole text; its Phần / Mục (I., II.) / Mẫu số blocks below it,
    and the numbered items of a Mục below that ("7. Số trang văn bản: …" of Mục I, Phụ lục I NĐ
    30/2020: label "Mục I.7"; in a later Phần "Phần II, Mục I.1"): the units a question about a
    format rule is answered by (kb.citations.annex_item_of reads the address back)."""
    citation = Citation(doc, None, segment.annex)
    label = f"Phụ lục {segment.annex}".strip()
    lines = segment.heading + segment.paragraphs
    title = _annex_title(segment.paragraphs)
    node = Provision(Kind.ANNEX, label, citation, "\n".join(lines), title=title)
    current: Provision | None = None
    items = _AnnexItems(label)
    seen: dict[str, int] = {}
    for text in segment.paragraphs:
        misread = items.misread(text)
        if misread or (ANNEX_HEADING_RE.match(text) and len(text) < 200 and not items.plain(text)):
            heading = f"{misread}.{text.split('.', 1)[1]}" if misread else text  # "H. NÔNG …" → "II. NÔNG …"
            seen[heading[:80]] = seen.get(heading[:80], 0) + 1
            repeat = f" ({seen[heading[:80]]})" if seen[heading[:80]] > 1 else ""
            current = Provision(Kind.SECTION, heading[:80] + repeat, citation, text, title=heading)
            current.container_path = (label,)
            node.children.append(current)
            items.heading(current)
        elif current is not None:
            current.text += "\n" + text
            items.line(text)
    return node


ITEM_RE = re.compile(r"^(\d{1,2})\.\s+\S")
PART_RE = re.compile(r"^(?:Phần|PHẦN)\s+([IVXLC]+)\b")
LETTER_PART_RE = re.compile(r"^([A-H])\.\s")  # "A. NGÀNH, NGHỀ …" of a Danh mục (ANNEX_HEADING_RE's last form)
ROMAN_RE = re.compile(r"^([IVXLC]+)\.\s")
# a Mục numeral as OCR misreads it (NĐ 96/2026 Phụ lục II: "H. NÔNG NGHIỆP" for II, "II. BẢO VỆ
# MÔI TRƯỜNG …" for III after it, "1. KHOA HỌC …" for I), read so only where that numeral is due
OCR_ROMANS = {"H": "II", "II": "III", "1": "I", "l": "I"}
MISREAD_RE = re.compile(rf"^(H|II|1|l)\.\s+{CAPS_WORD}")


@dataclass
class _AnnexItems:
    """Cuts a Mục of an annex into its numbered items (1., 2., … in sequence). Headings that
    are samples shown inside a table or a form are plain lines: a Phần met a second time
    (Phụ lục I, Mục V shows "Phần I", "I. NHỮNG KẾT QUẢ…" as examples), a Mục out of sequence
    ("I." after "II."), the "I.", "II." of a Mẫu số / Biểu số. A Danh mục's lettered parts ("A.
    NGÀNH, NGHỀ ĐẶC BIỆT ƯU ĐÃI ĐẦU TƯ", then "B. …", NĐ 96/2026 Phụ lục II) are Phần A, B: their
    items are "Phần A, Mục III.6"."""

    annex_label: str
    part: str | None = None
    section: Provision | None = None
    roman: str | None = None
    item: Provision | None = None
    number: int = 0
    intro: list[str] = field(default_factory=list)
    form: bool = False  # inside a Mẫu số / Biểu số
    parts: set[str] = field(default_factory=set)
    romans: int = 0  # the Mục met in this Phần
    letters: int = 0  # the lettered parts met (A, B …)

    @staticmethod
    def _letter_part(text: str) -> re.Match | None:
        """"A. NGÀNH …": a lettered part; not "C. …", "I. …", which are Roman numerals."""
        return None if ROMAN_RE.match(text) else LETTER_PART_RE.match(text)

    def misread(self, text: str) -> str | None:
        """The Mục numeral due next, when an upper-case title in a lettered part carries an OCR
        misreading of it (`OCR_ROMANS`); None otherwise."""
        if not self.letters or self.form or not (m := MISREAD_RE.match(text)) or len(text) >= 200:
            return None
        due = _to_roman(self.romans + 1)
        return due if due == OCR_ROMANS[m[1]] else None

    def plain(self, text: str) -> bool:
        """A heading-like line that is part of the text above it."""
        if m := PART_RE.match(text):
            return m[1] in self.parts
        if m := self._letter_part(text):
            return self.form or ord(m[1]) - ord("A") != self.letters  # A first, then B …
        if m := ROMAN_RE.match(text):
            return self.form or _roman(m[1]) != self.romans + 1
        return False

    def heading(self, section: Provision) -> None:
        self.item, self.number, self.intro, self.section, self.roman = None, 0, [], None, None
        if (m := PART_RE.match(section.title)) or (m := self._letter_part(section.title)):
            self.part, self.form, self.romans = m[1], False, 0
            self.parts.add(m[1])
            self.letters += m.re is LETTER_PART_RE
            return
        m = ROMAN_RE.match(section.title)  # the title: a misread numeral read as the one due
        self.form = m is None
        if m is not None:
            self.romans += 1
            self.section, self.roman = section, m[1]

    def line(self, text: str) -> None:
        if self.section is None:
            return
        m = ITEM_RE.match(text)
        if m and int(m[1]) == self.number + 1:
            self.number += 1
            prefix = f"Phần {self.part}, " if self.part not in (None, "I") else ""
            lead = "\n".join(self.intro)
            self.item = Provision(Kind.SECTION, f"{prefix}Mục {self.roman}.{self.number}", self.section.citation,
                                  f"{lead}\n{text}" if lead and self.number == 1 else text,
                                  title=self.section.title)
            self.item.container_path = (self.annex_label, self.section.label)
            self.section.children.append(self.item)
        elif self.item is not None:
            self.item.text += "\n" + text
        else:
            self.intro.append(text)


def _roman(numeral: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    total = 0
    for i, ch in enumerate(numeral):
        value = values[ch]
        total += -value if i + 1 < len(numeral) and values[numeral[i + 1]] > value else value
    return total


def _to_roman(value: int) -> str:
    out = ""
    for number, letters in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                            (4, "IV"), (1, "I")):
        while value >= number:
            out, value = out + letters, value - number
    return out


def _annex_title(paragraphs: list[str]) -> str:
    for text in paragraphs[:4]:
        if not ATTACHED_RE.match(text) and not set(text) <= set("_-–— "):
            return text
    return ""
