"""The lead line of an answer (câu trả lời ngắn): the one sentence of a quoted provision that
answers, taken verbatim, chosen by the kind of question.

    "ai / cơ quan nào quyết định …"   who     the sentence where a body does the asked act
                                              ("Ủy ban nhân dân cấp tỉnh xem xét, quyết định
                                              việc thành lập …"); the body is its focus
    "bao nhiêu ngày / thời hạn / tối đa" number the sentence with a number in the asked unit
                                              ("Trong thời hạn 25 ngày …"); the number its focus
    "điều kiện gì / hồ sơ gồm …"      list    the list's opening ("… phải đáp ứng các điều kiện
                                              sau:") and its points, each clipped
    anything else                      other   the first provision's sentence sharing the most
                                              words with the question

Nothing is written: the lead is a piece of the quote (or, for a list, its pieces joined), so
its citation is that provision's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from retrieval.analysis import analyze, analyze_query, fold
from retrieval.search import BODY, WHO_RE

# A sentence or point: up to a "." or ";" that ends it (one followed by a space or line end,
# not a number's "1.");
# a line break inside a sentence (next line in lower case, not a point "a)") does not end it.
PIECE_RE = re.compile(r"(?:[^\n.;]|[.;](?=[^\s])|(?<=\d)\.|\n(?![a-zđ]{1,2}\))(?=[a-zà-ỹđ]))+[.;]?")

NUMBER_Q_RE = re.compile(  # folded, lower-cased question
    r"(?<!\w)(?:bao nhieu|bao lau|thoi han|may ngay|may thang|may lan|toi da|toi thieu|it nhat)(?!\w)")
LIST_Q_RE = re.compile(
    r"(?<!\w)(?:dieu kien|ho so|gom nhung|nhung gi|nhung noi dung|bao gom|thanh phan|nhung yeu cau)(?!\w)")
LIST_NOUNS = ("dieu kien", "ho so", "noi dung", "yeu cau", "thanh phan")
AUTHORITY_RE = re.compile(  # "thẩm quyền thành lập …" asks who, as "ai thành lập …" does
    r"(?<!\w)tham quyen\s+(?:quyet dinh\s+)?(?P<verb>(?!cua\b|ve\b|cap\b)\w+\s+\w+)")
NUMBER_WORDS = r"mot|hai|ba|bon|sau|bay|tam|chin|muoi"  # "không quá một lần" (not "năm": the year)
_TIME_UNITS = r"ngay lam viec|ngay|thang|nam|gio"
UNITS = {  # the unit a number question asks for (folded) → the units that answer it
    "time": _TIME_UNITS,
    "share": r"%",
    "area": r"ha|m2",
    "times": r"lan",
    "any": rf"{_TIME_UNITS}|%|ha|m2|ty dong|trieu dong|lan",
}
# a body (retrieval.search.BODY) but not "hồ sơ …", "bộ hồ sơ", "bổ sung", "bộ phận"
LEAD_BODY = rf"(?<!ho )(?!bo ho so|bo sung|bo phan){BODY}"
_POINT_RE = re.compile(r"^\s*[a-zđ]{1,2}\)\s", re.MULTILINE)
POINT_CHARS = 90  # a list item is clipped to this in the lead
MAX_POINTS = 6


@dataclass
class Lead:
    """The answering sentence: `text` as shown, its spans in the provision's quote (`spans`),
    and in `text` the part that answers (`focus`: the body, the number …)."""

    index: int  # which candidate provision it comes from
    kind: str  # who | number | list | other
    text: str
    spans: list[tuple[int, int]]
    focus: tuple[int, int] | None = None
    points: list[str] = field(default_factory=list)


def question_kind(question: str) -> str:
    """who / number / list / other, from the question's words (without diacritics too)."""
    folded = fold(question).lower()
    if WHO_RE.search(folded) or AUTHORITY_RE.search(folded):
        return "who"
    if NUMBER_Q_RE.search(folded):
        return "number"
    if LIST_Q_RE.search(folded):
        return "list"
    return "other"


def pieces(text: str) -> list[tuple[int, int]]:
    """The sentences and points of a text, as spans without surrounding blanks."""
    return [_strip_span(text, m.start(), m.end()) for m in PIECE_RE.finditer(text) if len(m.group().strip()) > 3]


def find_lead(question: str, quotes: list[str]) -> Lead | None:
    """The lead among the quotes (in rank order): by the question's kind, falling back to the
    first quote's best sentence."""
    if not quotes:
        return None
    kind = question_kind(question)
    wanted = set(analyze_query(question))
    finder = {"who": _who, "number": _number, "list": _list}.get(kind)
    lead = finder(question, quotes, wanted) if finder else None
    return lead or _other(quotes, wanted)


# ------------------------------------------------------------------ kinds
def _who(question: str, quotes: list[str], wanted: set[str]) -> Lead | None:
    """A body doing the asked act on its object ("quyết định việc thành lập" for "ai quyết
    định thành lập"; "… quyết định việc thành lập" for "ai có thẩm quyền thành lập"), else a
    body doing the act at all; the first in rank order."""
    folded_q = fold(question).lower()
    m = WHO_RE.search(folded_q) or AUTHORITY_RE.search(folded_q)
    if m is None:
        return None
    verb = re.escape(m["verb"])
    # the verb's first use after the body is the act ("quyết định việc điều chỉnh … Quyết
    # định thành lập" is another act)
    body = rf"(?<!\w){LEAD_BODY}(?:(?!{verb})[^.;:\n]){{0,60}}?(?<!\w)"
    after = re.findall(r"\w+", folded_q[m.end("verb"):])[:2]  # the act's object: "thành lập" …
    obj = r"\s+".join(map(re.escape, after))
    strong = re.compile(rf"{body}(?:{verb}(?!\w)[\s,]*(?:viec\s+|cac\s+)?{obj}|quyet dinh[\s,]*(?:viec\s+)?{verb})"
                        r"(?!\w)") if after else None
    weak = re.compile(rf"{body}{verb}(?!\w)")
    for pattern in (strong, weak):
        if pattern is None:
            continue
        for i, quote in enumerate(quotes):
            folded = _fold_same_length(quote)
            for start, end in pieces(quote):
                hit = pattern.search(folded, start, end)
                if hit:
                    focus = (_body_start(folded, hit, m["verb"]) - start, hit.end() - start)
                    return Lead(i, "who", _clean(quote, start, end)[0], [(start, end)],
                                _shift(focus, quote, start, end))
    return None


def _number(question: str, quotes: list[str], wanted: set[str]) -> Lead | None:
    """The sentence with a number in the unit asked ("bao nhiêu ngày" → days, "tỷ lệ" → %)
    sharing the most words with the question, then with the most of its provision's words."""
    units = UNITS[_asked_unit(fold(question).lower())]
    number = re.compile(rf"(?<!\w)(?:\d+(?:[.,]\d+)?|{NUMBER_WORDS})\s*(?:{units})(?!\w)")
    best: tuple | None = None
    for i, quote in enumerate(quotes):
        folded = _fold_same_length(quote)
        whole = _shared(wanted, quote)
        intro: tuple[int, int] | None = None  # a point's list opening is its context
        for start, end in pieces(quote):
            piece = quote[start:end]
            if piece.endswith(":"):
                intro = (start, end)
            elif not _POINT_RE.match(piece + " ") and quote[:start].rstrip(" ").endswith("\n"):
                intro = None  # a new line that is not a point ends the list
            hit = number.search(folded, start, end)
            if hit is None:
                continue
            context = quote[intro[0]:intro[1]] + "\n" if intro else ""
            score = (_shared(wanted, context + piece), whole, -i)
            if best is None or score > best[0]:
                best = (score, i, start, end, hit.span(), intro)
    if best is None:
        return None
    _, i, start, end, span, intro = best
    quote = quotes[i]
    text = _clean(quote, start, end)[0]
    focus = _shift((span[0] - start, span[1] - start), quote, start, end)
    if intro is None:
        return Lead(i, "number", text, [(start, end)], focus)
    prefix = f"{_clean(quote, *intro)[0]} … {_label(quote[start:end])}"
    focus = (focus[0] + len(prefix), focus[1] + len(prefix)) if focus else None
    return Lead(i, "number", prefix + text, [intro, (start, end)], focus)


def _list(question: str, quotes: list[str], wanted: set[str]) -> Lead | None:
    """A list's opening sentence ending in ":" followed by points a), b) …, naming what the
    question asks for (điều kiện, hồ sơ …) and sharing the most words with it."""
    folded_q = fold(question).lower()
    nouns = [n for n in LIST_NOUNS if n in folded_q]
    best: tuple | None = None
    for i, quote in enumerate(quotes):
        spans = pieces(quote)
        folded = _fold_same_length(quote)
        for j, (start, end) in enumerate(spans):
            intro = folded[start:end]
            if not intro.endswith(":") or (nouns and not any(n in intro for n in nouns)):
                continue
            points = [s for s in spans[j + 1:] if _POINT_RE.match(quote[s[0]:s[1]] + " ")][:MAX_POINTS]
            if not points:
                continue
            score = (_shared(wanted, quote[start:end]), -i)
            if best is None or score > best[0]:
                best = (score, i, (start, end), points)
    if best is None:
        return None
    _, i, intro, points = best
    quote = quotes[i]
    head = _clean(quote, *intro)[0]
    items = [_clip(quote[s:e].strip(), POINT_CHARS) for s, e in points]
    return Lead(i, "list", " ".join([head, *items]), [intro, *points], points=items)


def _other(quotes: list[str], wanted: set[str]) -> Lead | None:
    """The first quote's sentence sharing the most words with the question."""
    quote = quotes[0]
    spans = pieces(quote)
    if not spans:
        return None
    start, end = max(spans, key=lambda s: (_shared(wanted, quote[s[0]:s[1]]), -s[0]))
    return Lead(0, "other", _clean(quote, start, end)[0], [(start, end)])


# ----------------------------------------------------------------- helpers
def _asked_unit(folded_question: str) -> str:
    if re.search(r"(?<!\w)(?:lan|bao nhieu lan|may lan)(?!\w)", folded_question):
        return "times"
    if re.search(r"(?<!\w)(?:ngay|thang|bao lau|thoi han|thoi gian|nam)(?!\w)", folded_question):
        return "time"
    if re.search(r"(?<!\w)(?:ty le|phan tram)(?!\w)|%", folded_question):
        return "share"
    if re.search(r"(?<!\w)(?:dien tich|ha|hecta)(?!\w)", folded_question):
        return "area"
    return "any"


_LABEL_RE = re.compile(r"^\s*(?:\d+[.)]|[a-zđ]{1,2}\)|[-–•])\s+")


def _clean(text: str, start: int, end: int) -> tuple[str, int]:
    """The piece without its clause number or point label ("4. ", "a) "), and how many
    characters were dropped at its start."""
    piece = text[start:end]
    label = _LABEL_RE.match(piece)
    cut = label.end() if label else 0
    return " ".join(piece[cut:].split()), cut


def _label(piece: str) -> str:
    """A point's label with its space ("c) "), empty for a sentence."""
    label = _LABEL_RE.match(piece)
    return label.group().strip() + " " if label else ""


def _shift(focus: tuple[int, int], text: str, start: int, end: int) -> tuple[int, int] | None:
    """A focus span within the piece, moved into the cleaned text (its label cut, its blanks
    squeezed: each original position counts the cleaned characters before it)."""
    cleaned, cut = _clean(text, start, end)
    original = text[start + cut:end]
    s, e = focus[0] - cut, focus[1] - cut
    if s < 0 or e > len(original):
        return None
    at, blank, positions = 0, False, []
    for ch in original.lstrip():
        positions.append(at)
        if ch.isspace():
            at += 0 if blank else 1
            blank = True
        else:
            at, blank = at + 1, False
    positions.append(at)
    lead = len(original) - len(original.lstrip())
    if s < lead:
        return None
    span = (positions[s - lead], positions[e - lead])
    return span if " ".join(original[s:e].split()) == cleaned[span[0]:span[1]] else None


_BODY_RE = re.compile(rf"(?<!\w){LEAD_BODY}")


def _body_start(folded: str, hit: re.Match, verb: str) -> int:
    """Where the body doing the act starts: the last one named before the verb ("… của Sở
    Công Thương, Ủy ban nhân dân cấp tỉnh xem xét, quyết định" → Ủy ban nhân dân cấp tỉnh)."""
    at = folded.rfind(verb, hit.start(), hit.end())
    starts = [b.start() for b in _BODY_RE.finditer(folded, hit.start(), at if at >= 0 else hit.end())]
    return starts[-1] if starts else hit.start()


def _fold_same_length(text: str) -> str:
    """The text folded and lower-cased, position for position (a text whose folding changes
    its length, not NFC, is matched with no position: blank)."""
    folded = fold(text).lower()
    return folded if len(folded) == len(text) else " " * len(text)


def _shared(wanted: set[str], text: str) -> int:
    return len(wanted & set(analyze(text)))


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"
