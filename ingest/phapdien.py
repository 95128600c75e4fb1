"""Bộ pháp điển topic files: split a compiled topic (đề mục) into articles with their sources.

A Pháp điển topic lists articles under dotted labels ("Điều 7.5.NĐ.1. Phạm vi và đối tượng"),
each followed by a source note (chú thích nguồn) naming the real article of the source document:

    (Điều 1 Nghị định số 45/2012/NĐ-CP Về khuyến công ngày 21/05/2012 của Chính phủ,
     có hiệu lực thi hành kể từ ngày 05/07/2012)

or the short form "(Điều 2 Luật số 23/2018/QH14, có hiệu lực thi hành kể từ ngày 01/07/2019)",
sometimes followed by the amendments ("…, có nội dung được sửa đổi bởi Điều 1 Nghị định số
51/2018/NĐ-CP có hiệu lực …") or a repeal ("…, bị bãi bỏ bởi Điều 112 Luật số 05/2017/QH14 …").
Bodies end with notes "(Điều này có nội dung liên quan đến …)", often glued to the last line, and
the next label (or a "Mục"/"Chương" heading) is sometimes glued to the end of the previous line.
Topic pages end with an index ("Danh sách điều khoản") that repeats the articles: it is skipped.

The provisions belong to their source documents (DocClass.COMPILATION): each article's
`source_citation` is the address to cite, never the dotted label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from kb import doctypes
from kb.model import Citation, DocClass, nfc


def _type_alt() -> str:
    """The source types a note names: norms and consolidations (kb.doctypes), not the Quy chế
    attached to a Quyết định (the note names the Quyết định)."""
    return doctypes.name_alternation(
        lambda t: t.doc_class in (DocClass.NORM, DocClass.COMPILATION) and not t.attached, sep=" ")


# "Điều 7.5.NĐ.1." / "Điều 34.2.NĐ.1.1." — đề mục number, then the source-kind code and ordinals.
_DOTTED = r"Điều \d+\.\d+\.[A-ZĐ]+(?:\.\d+[a-zđ]?)+\."
LABEL_RE = re.compile(rf"^({_DOTTED[:-2]})\.(?:\s+(.*))?$")
PLAIN_LABEL_RE = re.compile(r"^(Điều \d+[a-zđ]?)\.(?:\s+(.*))?$")
# The note's head: "(Điều 1 Nghị định số 45/2012/NĐ-CP …" with variants "((", "(*", "Khoản 2 Điều 5",
# "Điều 5a", "Danh mục được quy định tại Điều 7 …".
NOTE_START_RE = doctypes.Pattern(lambda: (
    r"^[(\[*]*\(\**\s*(?:[^()]{0,60}?\btại\s+)?(?:(?:[Kk]hoản|Mục|Chương|Điều)\s+[\dIVXLC]*[a-zđ]?\s*|\d+\s+)*"
    rf"(?:{_type_alt()})\b"
), re.IGNORECASE)
# số hiệu as printed, tolerating "18 /2018/TT-NHNN", "21 - TC/TCT", "60 TC/TCT".
_NUM = r"(?P<{}>\d+[a-zđ]?(?:(?:\s*[/-]\s*|\s+(?=[A-ZĐ]+[/-]))[0-9A-ZĐÐa-zđ&_.]+)*)"
_NUM_A, _NUM_B = _NUM.format("num"), _NUM.format("num2")
NOTE_HEAD_RE = doctypes.Pattern(lambda: (
    r"^[(\[*]*\(\**\s*(?:(?P<pre>[^()]{0,60}?)\s+tại\s+)?(?:[Kk]hoản\s+(?P<clause>\d+)\s+)?"
    r"(?:(?:Điều\s+)?(?P<art>\d+)(?P<suf>[a-zđ]?)\s+|(?:Điều|Mục|Chương)\s+[\dIVXLC]*\s*)?"
    rf"(?P<type>{_type_alt()})\b"
    r"(?:\s+số\s*(?:Không số|(?P<filler>Thông tư|liên tịch|TT)?\s*['\"]?" + _NUM_A + r")"
    r"|\s+(?=\d+/)" + _NUM_B + r")?(?P<rest>.*)$"
), re.IGNORECASE)
UNTIL_RE = re.compile(r"^có hiệu lực(?: thi hành)? đến ngày (\d{1,2})/(\d{1,2})/(\d{4})")
INLINE_NOTE_RE = doctypes.Pattern(lambda: (
    rf"\((?:[Kk]hoản \d+ )?Điều \d+[a-zđ]? (?:{_type_alt()})\b[^()]*?có hiệu lực[^()]*\)"
))
EFFECTIVE_RE = re.compile(
    r",?\s*có hiệu lực(?: thi hành)? (?:kể )?từ ngày (\d{1,2})/(\d{1,2})/(\d{4})"
)
ISSUED_RE = re.compile(
    r"^(?P<title>.*)\s*\bngày (?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})(?:\s+của\s+(?P<issuer>.+))?$"
)
FIRST_DATE_RE = re.compile(r"^ngày (?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})\s*(?P<rest>.*)$")
DOC_NUMBER_RE = re.compile(
    r"(?<![\d/])(\d+[a-zđ]?(?:/\d{4})?[/-][A-ZĐÐ][A-ZĐÐa-zđ0-9&_]*(?:[-/.][A-ZĐÐa-zđ0-9&_]+)*)"
)
RELATED_RE = re.compile(r"\((Điều|Chương|Mục|Phần|Tiểu mục) này có nội dung liên quan đến\s*")
# Where a glued label or heading may start (lookahead only: every candidate is seen).
GLUED_RE = re.compile(rf"(?={_DOTTED}(?:\s|$))|(?<=\S)(?=(?:Mục \d+|Chương [IVXLC]+)$)")
CHAPTER_RE = re.compile(r"^Chương ([IVXLC]+)\b\.?\s*(.*)$")
SECTION_RE = re.compile(r"^Mục (\d+)\b\.?\s*(.*)$")
INDEX_ID_RE = re.compile(r"^\d{15,}$")
INDEX_START = ("danh sách điều khoản", "danh sách đề mục")
MD_LINK_RE = re.compile(r"\[([^\]]*)\]\([^)]*\)")
SENTENCE_RE = re.compile(r"\bnày\b|^Ban hành kèm theo")
REPEAL_TITLE_RE = re.compile(r"^\(?\**\s*(?:được|bị) bãi bỏ\s*\**\)?\.?$", re.IGNORECASE)


@dataclass(slots=True)
class PhapdienArticle:
    """One article (điều) of a Pháp điển topic and the source it was compiled from."""

    label: str  # "Điều 7.5.NĐ.1" (the compilation's own label, not a citable address)
    title: str  # "Phạm vi và đối tượng"
    chapter: str | None = None  # "Chương I QUY ĐỊNH CHUNG"
    section: str | None = None  # "Mục 2 QUYỀN VÀ NGHĨA VỤ …"
    source_number: str | None = None  # số hiệu of the source ("45/2012/NĐ-CP"), NFC, no spaces
    source_type: str | None = None  # loại văn bản: "Nghị định", "Luật", "Thông tư liên tịch" …
    source_article: int | None = None  # the real Điều number in the source document
    source_article_suffix: str = ""  # "a" for "Điều 5a"
    source_clause: int | None = None  # "Khoản 2 Điều 5 …"
    source_title: str | None = None  # trích yếu ("Về khuyến công"), absent in the short form
    source_issuer: str | None = None  # cơ quan ban hành ("Chính phủ"), when the note says "của …"
    issued: date | None = None  # ngày ban hành
    effective: date | None = None  # "có hiệu lực thi hành kể từ ngày …"
    expires: date | None = None  # "có hiệu lực thi hành đến ngày …" (temporary provisions)
    source_note: str = ""  # the note exactly as read
    change_note: str = (
        ""  # the note's tail after the effective date ("có nội dung được sửa đổi bởi …")
    )
    amended_by: list[str] = field(default_factory=list)  # số hiệu that sửa đổi / bổ sung it
    repealed_by: list[str] = field(
        default_factory=list
    )  # số hiệu that bãi bỏ it (wholly or in part)
    repealed: bool = False  # the whole article is repealed (bị bãi bỏ)
    body_lines: list[str] = field(default_factory=list)
    related: list[str] = field(
        default_factory=list
    )  # "Điều 7.5.NĐ.4. Nội dung hoạt động khuyến công"
    line_no: int = 0  # index of the label in the input lines

    @property
    def source_citation(self) -> Citation | None:
        """The address to cite (the source document's own article); None without a source."""
        if self.source_article is None:
            return None
        return Citation(
            doc=self.source_number, article=self.source_article, clause=self.source_clause
        )

    @property
    def source_article_label(self) -> str | None:
        """ "Điều 5a" / "khoản 2 Điều 5", as the source document numbers it."""
        if self.source_article is None:
            return None
        art = f"Điều {self.source_article}{self.source_article_suffix}"
        return f"khoản {self.source_clause} {art}" if self.source_clause is not None else art


@dataclass(slots=True)
class PhapdienTopic:
    """A parsed topic (đề mục): its title, articles in order, notes on containers, warnings."""

    title: str | None
    articles: list[PhapdienArticle] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    container_related: dict[str, list[str]] = field(default_factory=dict)  # "(Chương này có …)"

    def source_numbers(self) -> list[str]:
        """Distinct source documents (số hiệu), in order of first appearance."""
        return list(dict.fromkeys(a.source_number for a in self.articles if a.source_number))


# ---------------------------------------------------------------------------------------------
# Line cleaning and detection


def clean_line(line: str) -> str:
    """Strip Markdown emphasis/heading marks and odd spaces; NFC. Idempotent."""
    text = line.replace("\xa0", " ").replace("**", "").strip()
    if text.startswith("#"):
        text = text.lstrip("#").strip()
    if not text.isascii():
        text = nfc(text)
    return text


def _next_nonblank(lines: list[str], start: int) -> int:
    i = start
    while i < len(lines) and not lines[i]:
        i += 1
    return i


def _is_note(text: str) -> bool:
    return bool(NOTE_START_RE.match(text))


def _count_labelled(lines: list[str], pattern: re.Pattern[str]) -> tuple[int, int]:
    """(labels, labels followed by a source note) for one label pattern."""
    labels = with_note = 0
    for i, raw in enumerate(lines):
        if not raw.lstrip("#* ").startswith("Điều "):
            continue
        if not pattern.match(clean_line(raw)):
            continue
        labels += 1
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j < len(lines) and _is_note(clean_line(lines[j])):
            with_note += 1
    return labels, with_note


def is_phapdien(lines: list[str]) -> bool:
    """True when the text is a Pháp điển compilation: articles each followed by a source note.

    Dotted labels ("Điều 7.5.NĐ.1.") with a note suffice. A few topic pages renumber their
    articles plainly ("Điều 11.") while each note cites the real article: they count too when
    most plain labels carry a note. Index pages (labels without notes) are not compilations.
    """
    _, dotted = _count_labelled(lines, LABEL_RE)
    if dotted:
        return True
    plain, plain_noted = _count_labelled(lines, PLAIN_LABEL_RE)
    return plain_noted >= 3 and plain_noted * 2 >= plain


def is_phapdien_index(lines: list[str]) -> bool:
    """True for a Pháp điển index page ("Danh sách điều khoản"): dotted labels, no notes."""
    labels, with_note = _count_labelled(lines, LABEL_RE)
    return labels > 0 and with_note == 0


# ---------------------------------------------------------------------------------------------
# Source notes


def _to_date(day: str, month: str, year: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _doc_numbers(text: str) -> list[str]:
    """Distinct số hiệu in a text, in order ("51/2018/NĐ-CP", "21-LCT/HDNN8")."""
    found = (m.group(1) for m in DOC_NUMBER_RE.finditer(text))
    return list(dict.fromkeys(n.rstrip(".") for n in found))


def _apply_head(article: PhapdienArticle, head: str) -> bool:
    """Fill the source fields from the note's head (before "có hiệu lực"). False if unparseable."""
    m = NOTE_HEAD_RE.match(head)
    if not m:
        return False
    article.source_article = int(m["art"]) if m["art"] else None
    article.source_article_suffix = m["suf"] or ""
    article.source_clause = int(m["clause"]) if m["clause"] else None
    doc_type = m["type"] + (" liên tịch" if m["filler"] == "liên tịch" else "")
    article.source_type = doc_type[0].upper() + doc_type[1:].lower()
    number = m["num"] or m["num2"]
    if number:
        number = re.sub(r"\s+", "", number).rstrip(".")
        article.source_number = number[:-3] if number.endswith("V/v") else number
    _apply_rest(article, m["rest"].strip(" ,)"))
    return True


def _apply_rest(article: PhapdienArticle, rest: str) -> None:
    """Trích yếu, ngày ban hành and cơ quan ban hành: "Về khuyến công ngày 21/05/2012 của Chính phủ"."""
    first = FIRST_DATE_RE.match(rest)
    if first:  # "số 89-TC/TCT ngày 09/11/1993 của Bộ Tài chính hướng dẫn …": no clean issuer
        article.issued = _to_date(first["d"], first["m"], first["y"])
        article.source_title = first["rest"].strip() or None
        return
    m = ISSUED_RE.match(rest)
    if not m:
        article.source_title = rest or None
        return
    article.issued = _to_date(m["d"], m["m"], m["y"])
    title, issuer = m["title"].strip(), (m["issuer"] or "").strip()
    if not title and issuer:  # "số 89-TC/TCT ngày 09/11/1993 của Bộ Tài chính hướng dẫn …"
        article.source_title = issuer
        return
    article.source_title = title or None
    article.source_issuer = issuer.rstrip(" .") or None


def _apply_tail(article: PhapdienArticle, tail: str) -> None:
    """Amendments and repeals after the effective date."""
    tail = tail.strip(" ,;.)")
    article.change_note = tail
    if not tail:
        return
    until = UNTIL_RE.search(tail)
    if until:
        article.expires = _to_date(until.group(1), until.group(2), until.group(3))
    numbers = _doc_numbers(tail)
    low = tail.lower()
    if "sửa đổi" in low or "bổ sung" in low:
        article.amended_by = numbers
    if "bãi bỏ" in low or "hủy bỏ" in low:
        article.repealed_by = numbers
        if re.match(r"^(?:được bổ sung, )?(?:bị|được) (?:bãi|hủy) bỏ", low):
            article.repealed = True


def parse_source_note(article: PhapdienArticle, note: str) -> bool:
    """Read a source note into `article`; False when the note cannot be understood."""
    article.source_note = note
    text = MD_LINK_RE.sub(r"\1", note)
    eff = EFFECTIVE_RE.search(text)
    head = text[: eff.start()] if eff else text.rstrip(" )")
    if eff:
        article.effective = _to_date(eff.group(1), eff.group(2), eff.group(3))
        _apply_tail(article, text[eff.end() :])
    ok = _apply_head(article, head)
    if article.source_number:
        article.source_number = nfc(article.source_number.replace(" ", ""))
    return ok and eff is not None and article.source_article is not None


# ---------------------------------------------------------------------------------------------
# Splitting glued lines


def _paren_depths(text: str) -> list[int]:
    """Parenthesis depth at each character (0 = outside any parenthesis)."""
    depth, out = 0, []
    for ch in text:
        if ch == ")":
            depth = max(depth - 1, 0)
        out.append(depth)
        if ch == "(":
            depth += 1
    return out


def _split_glued_heading(text: str, note_follows: bool) -> tuple[str, str | None]:
    """Split "…có liên quan.Điều 34.2.NĐ.1.1. Phạm vi" / "…của Luật này.Mục 5" at depth 0.

    A glued article label is taken only when the next line is a source note (the labels listed
    inside a broken "(Điều này có nội dung liên quan đến …" are not articles), and only the
    last one on the line (a label's title runs to the end of the line).
    """
    if "Điều " not in text and "Mục " not in text and "Chương " not in text:
        return text, None
    starts = [m.start() for m in GLUED_RE.finditer(text) if m.start() > 0]
    if not starts:
        return text, None
    depths = _paren_depths(text)
    for start in reversed(starts):
        if not text.startswith("Điều ", start):
            if depths[start] == 0:
                return text[:start].rstrip(), text[start:].strip()
            continue
        # An unbalanced "(" earlier in the line ("(mẫu CN-PNTE (PA) do …") must not hide the
        # label: with a note below, a label followed by no ")" is still taken.
        if note_follows and (depths[start] == 0 or ")" not in text[start:]):
            return text[:start].rstrip(), text[start:].strip()
        break
    return text, None


def _split_related(text: str) -> tuple[str, str | None, str | None]:
    """Split off a trailing "(Điều này có nội dung liên quan đến …)": (rest, scope, content)."""
    m = RELATED_RE.search(text)
    if not m:
        return text, None, None
    inner = text[m.end() :]
    depth, end = 1, len(inner)
    for i, ch in enumerate(inner):
        depth += (ch == "(") - (ch == ")")
        if depth == 0:
            end = i
            break
    rest = (text[: m.start()] + inner[end + 1 :]).strip()
    return rest, m.group(1), inner[:end].strip()


def _related_items(content: str) -> list[str]:
    """Split related-article content into items: "Điều 7.5.NĐ.4. Nội dung …; Điều 7.5.NĐ.5. …"."""
    parts = re.split(r";\s*(?=(?:Điều|Chương|Mục|Phần|Tiểu mục) )", content)
    return [p.strip(" ;") for p in parts if p.strip(" ;")]


def _explode(line: str, note_follows: bool) -> list[str]:
    """One cleaned line → logical lines: body text, related notes ("\x00scope\x00content"), glued heading."""
    text, glued = _split_glued_heading(line, note_follows)
    notes: list[str] = []
    rest, scope, content = _split_related(text)
    while scope is not None:
        notes.append(f"\x00{scope}\x00{content}")
        rest, scope, content = _split_related(rest)
    out = [rest] if rest else []
    out.extend(notes)
    if glued:
        out.extend(_explode(glued, note_follows))
    return out


# ---------------------------------------------------------------------------------------------
# The splitter


@dataclass(slots=True)
class _State:
    topic: PhapdienTopic
    plain_labels: bool
    chapter: str | None = None
    section: str | None = None
    container: str | None = None  # the heading last seen, for "(Chương này …)" notes
    article: PhapdienArticle | None = None
    expect_note: bool = False
    expect_title: str | None = None  # "chapter"/"section" waiting for its title line


def _body_range(lines: list[str]) -> tuple[int, int, str | None]:
    """(start, end, title): skip front matter and metadata table; stop at the index."""
    start, title = 0, None
    if lines and lines[0] == "---":
        end_fm = next((i for i in range(1, len(lines)) if lines[i] == "---"), 0)
        for line in lines[1:end_fm]:
            if line.startswith("title:"):
                title = line[6:].strip().strip("\"'") or None
        start = end_fm + 1
    for i in range(start, min(len(lines), start + 60)):
        if lines[i].upper() == "VĂN BẢN":
            j = _next_nonblank(lines, i + 1)
            if j < len(lines) and not _is_heading_or_label(lines[j]):
                title = lines[j]
                j += 1
            start = j
            break
    end = next((i for i in range(start, len(lines)) if lines[i].lower() in INDEX_START), len(lines))
    return start, end, title


def _is_heading_or_label(text: str) -> bool:
    return bool(LABEL_RE.match(text) or CHAPTER_RE.match(text) or SECTION_RE.match(text))


def _start_article(st: _State, label: str, title: str, line_no: int) -> None:
    article = PhapdienArticle(label=label, title=title.strip(), line_no=line_no)
    article.chapter, article.section = st.chapter, st.section
    if REPEAL_TITLE_RE.match(article.title):
        article.repealed = True
    st.topic.articles.append(article)
    st.article, st.expect_note, st.expect_title, st.container = article, True, None, None


def _gather_note(lines: list[str], i: int, end: int) -> tuple[str, str, int]:
    """A source note from lines[i], continued on following lines until its parenthesis closes.

    Returns (note, text glued after the note's ")", index of the next unread line).
    """
    text, j = lines[i], i + 1
    while _close_at(text) < 0 and j < min(end, i + 8):
        if lines[j]:
            text = f"{text} {lines[j]}"
        j += 1
    close = _close_at(text)
    if close < 0:
        return text, "", j
    return text[: close + 1], text[close + 1 :].strip(), j


def _join_open_related(lines: list[str], i: int, end: int) -> tuple[str, int]:
    """A line whose "(Điều này có nội dung liên quan đến …" goes on over the next lines, joined."""
    text, j = lines[i], i + 1
    while j < min(end, i + 12) and _close_at(text[RELATED_RE.search(text).start() :]) < 0:
        if lines[j]:
            text = f"{text} {lines[j]}"
        j += 1
    return text, j


def _close_at(text: str) -> int:
    """Index of the ")" that closes the "(" opening `text`, or -1."""
    depth = 0
    for k, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return k
    return -1


def _take_note(st: _State, note: str) -> None:
    """The source note after a label."""
    article = st.article
    st.expect_note = False
    if article is None:
        return
    if not parse_source_note(article, note):
        st.topic.warnings.append(f"{article.label}: không đọc được chú thích nguồn: {note[:120]}")


def _take_inline_note(st: _State, text: str) -> str:
    """A source note glued after the article's first body line ("…thời điểm:(Điều 12 Thông tư …)")."""
    m = INLINE_NOTE_RE.search(text)
    if not m:
        return text
    _take_note(st, m.group(0))
    return (text[: m.start()] + text[m.end() :]).strip()


def _take_heading(st: _State, text: str) -> bool:
    """Chương / Mục headings (title on the same line or on the next one)."""
    m = CHAPTER_RE.match(text)
    if m and (not m.group(2) or m.group(2).isupper()):
        st.chapter, st.section, st.container = text, None, text
        st.article, st.expect_title = None, None if m.group(2) else "chapter"
        return True
    m = SECTION_RE.match(text)
    if m and (not m.group(2) or m.group(2).isupper()):
        st.section, st.container = text, text
        st.article, st.expect_title = None, None if m.group(2) else "section"
        return True
    return False


def _take_title(st: _State, text: str) -> bool:
    """The uppercase title line under a bare "Chương II" / "Mục 5"."""
    kind, st.expect_title = st.expect_title, None
    if not text.isupper():
        return False
    if kind == "chapter" and st.chapter:
        st.chapter = st.container = f"{st.chapter} {text}"
    elif kind == "section" and st.section:
        st.section = st.container = f"{st.section} {text}"
    return True


def _take_related(st: _State, scope: str, content: str) -> None:
    items = _related_items(content)
    if scope == "Điều" and st.article is not None:
        st.article.related.extend(items)
    elif st.container:
        st.topic.container_related.setdefault(st.container, []).extend(items)


def _take_line(st: _State, text: str, line_no: int) -> None:
    if text.startswith("\x00"):
        _, scope, content = text.split("\x00", 2)
        _take_related(st, scope, content)
        return
    m = LABEL_RE.match(text) or (PLAIN_LABEL_RE.match(text) if st.plain_labels else None)
    if m:
        _start_article(st, m.group(1), m.group(2) or "", line_no)
        return
    st.expect_note = False
    if st.article is not None and not st.article.source_note and len(st.article.body_lines) < 3:
        text = _take_inline_note(st, text)
        if not text:
            return
    if st.expect_title and _take_title(st, text):
        return
    if _take_heading(st, text) or INDEX_ID_RE.match(text):
        return
    if st.article is not None:
        st.article.body_lines.append(text)


def _title_as_body(article: PhapdienArticle) -> None:
    """An untitled source article prints its text on the label line ("Điều 7.7.TT.12.2. Thông tư
    này có hiệu lực …"): with no body, such a sentence is the body, not a title."""
    title = article.title
    if article.body_lines or article.repealed or not title:
        return
    if len(title) >= 100 or SENTENCE_RE.search(title):
        article.body_lines, article.title = [title], ""


def split_phapdien(lines: list[str], title: str | None = None) -> PhapdienTopic:
    """Split a Pháp điển topic (đề mục) into articles with their source documents.

    `lines` may be raw Markdown lines or a reader's normalised lines. Articles without a
    readable source note are kept with source_number None and a warning naming the label.
    """
    cleaned = [clean_line(line) for line in lines]
    start, end, found_title = _body_range(cleaned)
    plain = not any(LABEL_RE.match(t) for t in cleaned[start:end] if t.startswith("Điều "))
    st = _State(PhapdienTopic(title=title or found_title), plain_labels=plain)
    i = start
    while i < end:
        text, i_next = cleaned[i], i + 1
        if text and st.expect_note and _is_note(text):
            note, text, i_next = _gather_note(cleaned, i, end)
            _take_note(st, note)
        elif text and RELATED_RE.search(text):
            text, i_next = _join_open_related(cleaned, i, end)
        if text:
            k = _next_nonblank(cleaned, i_next)
            for piece in _explode(text, k < end and _is_note(cleaned[k])):
                _take_line(st, piece, i)
        i = i_next
    for article in st.topic.articles:
        _title_as_body(article)
    st.topic.warnings.extend(
        f"{a.label}: thiếu chú thích nguồn" for a in st.topic.articles if not a.source_note
    )
    return st.topic
