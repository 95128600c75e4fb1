"""Dates of Vietnamese official documents: ngày ban hành, hiệu lực (Nghị định 30/2020/NĐ-CP).

- `parse_vn_date`: the first date of a text ("ngày 15 tháng 3 năm 2024", "15/3/2024",
  "25 / 02 /2026", "ngày 09/7/2025"); impossible dates ("31/02/2024") are rejected.
- `find_dates`: every date of a text, with its span.
- `effective_date`: the hiệu lực provision ("Nghị định này có hiệu lực thi hành từ ngày …",
  "… kể từ ngày ký", "… sau 10 ngày kể từ ngày ký ban hành", "… đến hết ngày …", "… hết hiệu lực
  kể từ ngày …") read into an `EffectiveClause`, with the sentence it was read from (audit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

# "ngày 15 tháng 3 năm 2024" (words) and "15/3/2024", "25 / 02 /2026", "15-3-2024", "15.3.2024".
_WORD_DATE = r"(?:ngày\s+)?(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s*,?\s*năm\s+(?P<y>\d{4})"
_NUM_DATE = (
    r"(?:ngày\s+)?(?<![\d/.\-])(?P<nd>\d{1,2})\s*(?P<sep>[/.\-])\s*(?P<nm>\d{1,2})"
    r"\s*(?P=sep)\s*(?P<ny>\d{4})(?![\d/])"
)
_DATE_RE = re.compile(rf"{_WORD_DATE}|{_NUM_DATE}", re.IGNORECASE)

MIN_YEAR, MAX_YEAR = 1900, 2100


@dataclass(frozen=True, slots=True)
class DateMatch:
    """One date found in a text: its value and where it stands (text[start:end])."""

    value: date
    start: int
    end: int
    text: str


@dataclass(slots=True)
class EffectiveClause:
    """A hiệu lực provision read from the text.

    `start`: first day in force (ngày có hiệu lực), None when unknown.
    `end`: last day in force when the text limits it ("đến hết ngày 28 tháng 02 năm 2027";
    "hết hiệu lực kể từ ngày 01/3/2027" gives 2027-02-28), else None.
    `sentence`: the sentence(s) the dates were read from, for audit ("" when none found).
    `days_after_signing`: N of "có hiệu lực sau N ngày kể từ ngày ký" (0 for "kể từ ngày ký"),
    so that a caller can compute `start` later when the signing date was unknown.
    """

    start: date | None = None
    end: date | None = None
    sentence: str = ""
    days_after_signing: int | None = None


def _match_date(match: re.Match[str]) -> date | None:
    """The date of a `_DATE_RE` match, whichever of its two forms matched."""
    if match["d"] is not None:
        return _to_date(match["d"], match["m"], match["y"])
    return _to_date(match["nd"], match["nm"], match["ny"])


def _to_date(day: str, month: str, year: str) -> date | None:
    """A real calendar date, or None (ngày 31 tháng 2, tháng 13, năm 0024 …)."""
    y, m, d = int(year), int(month), int(day)
    if not MIN_YEAR <= y <= MAX_YEAR:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def find_dates(text: str) -> list[DateMatch]:
    """Every valid date of `text`, in order, with spans (the span includes a leading "ngày")."""
    found: list[DateMatch] = []
    for match in _DATE_RE.finditer(text or ""):
        value = _match_date(match)
        if value is not None:
            found.append(DateMatch(value, match.start(), match.end(), match.group(0)))
    return found


def parse_vn_date(text: str) -> date | None:
    """The first valid date written in `text` (ngày … tháng … năm …, or d/m/yyyy), else None."""
    dates = find_dates(text)
    return dates[0].value if dates else None


# --- hiệu lực -------------------------------------------------------------------------------

_IN_FORCE = r"có\s+hiệu\s+lực(?:\s+th[iị]\s+hành)?\s*,?\s*"
_SIGNING = r"(?:ngày\s+)?(?:ký|ban\s+hành)(?:\s+ban\s+hành)?"
_FROM = r"(?:(?:kể\s+)?từ|vào)\s+"
_AFTER_DAYS_RE = re.compile(
    _IN_FORCE + rf"(?:sau|kể\s+từ\s+sau)\s+(?P<n>\d+)\s+ngày\s*,?\s*(?:kể\s+)?từ\s+{_SIGNING}",
    re.IGNORECASE,
)
_FROM_SIGNING_RE = re.compile(_IN_FORCE + _FROM + _SIGNING + r"\b(?:\s*\((?P<when>[^)]{6,40})\))?", re.I)
_FROM_DATE_RE = re.compile(_IN_FORCE + _FROM + r"(?=ngày\s+\d|\d)", re.IGNORECASE)
_UNTIL_RE = re.compile(r"đến\s+(?P<incl>hết\s+)?ngày\s+", re.IGNORECASE)
_CEASES_RE = re.compile(
    r"này\s+hết\s+hiệu\s+lực(?:\s+th[iị]\s+hành)?\s*,?\s*(?:(?:kể\s+)?từ|vào)\s+(?=ngày\s+\d|\d)",
    re.IGNORECASE,
)
# "Nghị định này có hiệu lực …", "Quyết định này …", "Thông tư liên tịch này …": the document's own.
_OWN_CLAUSE_RE = re.compile(r"\bnày\s+có\s+hiệu\s+lực", re.IGNORECASE)


def _sentences(text: str) -> list[str]:
    """Lines of `text` re-joined when wrapped (a line starting in lower case, or following a line
    without final punctuation and not opening a new unit, continues the previous one), then split
    after a full stop; markdown emphasis removed."""
    merged: list[str] = []
    for raw in (text or "").replace("**", "").replace("__", "").splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        wrapped = not _starts_clause(line) and (
            line[0].islower() or (bool(merged) and not merged[-1].endswith((".", ":", ";")))
        )
        if merged and wrapped:
            merged[-1] += " " + line
        else:
            merged.append(line)
    out: list[str] = []
    for line in merged:
        out.extend(s for s in re.split(r"(?<=\.)\s+(?=[A-ZĐÀ-Ỹ])", line) if s)
    return out


def _starts_clause(line: str) -> bool:
    """A line that opens a new unit: "1.", "a)", "-", "Điều 5.", "Chương II" …"""
    return bool(re.match(r"^(?:\d+[.)]|[a-zđ]\)|[-+•]|Điều\s+\d|Chương\s|Mục\s|Phần\s)", line))


def _date_at(sentence: str, pos: int) -> date | None:
    """The date written right at `pos` (allowing a leading "ngày")."""
    match = _DATE_RE.match(sentence, pos)
    return _match_date(match) if match else None


def _read_start(sentence: str, issued: date | None) -> EffectiveClause | None:
    """The clause's first day in force, or None when the sentence states no usable rule."""
    if match := _AFTER_DAYS_RE.search(sentence):
        days = int(match["n"])
        start = issued + timedelta(days=days) if issued else None
        return EffectiveClause(start, None, sentence, days)
    if match := _FROM_DATE_RE.search(sentence):
        start = _date_at(sentence, match.end())
        if start is not None:
            return EffectiveClause(start, None, sentence)
    if match := _FROM_SIGNING_RE.search(sentence):
        stated = parse_vn_date(match["when"] or "")  # "từ ngày ký (15/01/2026)"
        return EffectiveClause(issued or stated, None, sentence, 0)
    return None


def _read_until(sentence: str, start_at: int = 0) -> date | None:
    """The last day in force stated as "đến (hết) ngày …" after `start_at`."""
    match = _UNTIL_RE.search(sentence, start_at)
    return _date_at(sentence, match.end()) if match else None


def _read_ceases(sentences: list[str]) -> tuple[date | None, str]:
    """"… này hết hiệu lực kể từ ngày X": last day in force is X - 1."""
    for sentence in sentences:
        if match := _CEASES_RE.search(sentence):
            first_day_out = _date_at(sentence, match.end())
            if first_day_out is not None:
                return first_day_out - timedelta(days=1), sentence
    return None, ""


def _candidates(sentences: list[str]) -> list[str]:
    """Sentences about the document's own hiệu lực first ("… này có hiệu lực"), then others."""
    own = [s for s in sentences if _OWN_CLAUSE_RE.search(s)]
    other = [s for s in sentences if s not in own and re.search(_IN_FORCE, s, re.I)]
    return own + other


def effective_date(text: str, issued: date | None) -> EffectiveClause:
    """Read the hiệu lực provision of `text` (an article, or the whole document).

    `issued` (ngày ký ban hành) resolves "kể từ ngày ký" and "sau N ngày kể từ ngày ký". Never
    raises: when no provision is found, returns an empty `EffectiveClause` (start None, sentence "").
    """
    sentences = _sentences(text)
    clause = EffectiveClause()
    for sentence in _candidates(sentences):
        found = _read_start(sentence, issued)
        if found is not None:
            clause = found
            break
    if clause.sentence:
        clause.end = _read_until(clause.sentence)
    if clause.end is None:
        end, why = _read_ceases(sentences)
        if end is not None:
            clause.end = end
            clause.sentence = f"{clause.sentence} {why}".strip()
    return clause
