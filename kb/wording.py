"""The wording an amending text gives a provision: the quoted new text after "… như sau:" and
word replacements ("Thay thế cụm từ “A” bằng cụm từ “B” tại khoản 2 Điều 13").

Ingestion reads these phrases (ingest.relations) and stores them on AMENDS relations; kb.validity
builds a provision's versions from them. Both sides use this module so that what is read and
what is applied cannot drift apart.
"""

from __future__ import annotations

import re

_Q_OPEN, _Q_CLOSE = "[“\"]", "[”\"]"
# "Thay thế cụm từ “A” bằng cụm từ “B” tại …" and "Thay thế cụm từ “A” tại … bằng (thành) cụm từ “B”"
WORDS_RE = re.compile(
    rf"[Tt]hay(?: thế)? cụm từ\s*{_Q_OPEN}(?P<old>[^”\"]{{1,300}}){_Q_CLOSE}\s*"
    rf"(?:(?:bằng|thành) cụm từ\s*{_Q_OPEN}(?P<new>[^”\"]{{0,300}}){_Q_CLOSE}\s*tại\s+(?P<where>[^.;]{{3,300}})"
    rf"|tại\s+(?P<where2>[^“\"]{{3,300}}?)\s*(?:bằng|thành) cụm từ\s*{_Q_OPEN}(?P<new2>[^”\"]{{0,300}}){_Q_CLOSE})")
CLOSING_QUOTE_RE = re.compile(r"\s*[”\"]\s*[.;,]?\s*$")
OPENING_QUOTE_RE = re.compile(r"^\s*[“\"]\s*")


def word_replacement(text: str) -> tuple[str, str, str] | None:
    """(old words, new words, where) of the first "thay thế cụm từ" phrase in `text`, or None."""
    match = WORDS_RE.search(text)
    if match is None:
        return None
    if match.group("old") is None:
        return None
    if match.group("where") is not None:
        return match.group("old"), match.group("new"), match.group("where").strip()
    return match.group("old"), match.group("new2"), match.group("where2").strip()


def replace_words(text: str, old: str, new: str) -> str:
    """`text` with every whole-word occurrence of `old` replaced by `new`."""
    return re.sub(rf"(?<!\w){re.escape(old)}(?!\w)", lambda _m: new, text)


def quoted_wording(tail: str) -> str | None:
    """The new wording quoted after "như sau:": “…”. (the closing quote and the sentence's
    own full stop or semicolon after it are not part of the provision)."""
    text = OPENING_QUOTE_RE.sub("", tail, count=1)
    text = CLOSING_QUOTE_RE.sub("", text, count=1).strip()
    return text or None
