"""Text normalisation applied to every block a reader produces (Block.text = normalize(original)).

What it does, in order:
- Unicode NFC;
- drops invisible characters (BOM, zero-width spaces/joiners, soft hyphens, other format chars);
- turns every space-like character (tab, non-breaking and typographic spaces) into a plain space;
- repairs legacy-font artefacts of Vietnamese PDFs: "ƣ"/"Ƣ" → "ư"/"Ư", and "õa"/"ÕA" → "òa"/"ÒA"
  in syllables where "õa" is no Vietnamese word ("HÕA" → "HÒA"; "xõa", "lõa", "cõi", "mõ" stay);
- converts words that are clearly TCVN3 (ABC) text read as Latin-1 ("Céng hoµ" → "Cộng hoà"),
  only when a word holds a character no Unicode Vietnamese text uses;
- collapses spaces inside a line: a run of 3+ spaces becomes exactly 3 spaces (a column gap the
  header parser splits on), 2 spaces become 1; strips each line. A gap that is a blank to fill
  in, not a column ("Số:      /BC-SCT", "ngày     tháng    năm 2026" of an unsigned letter),
  becomes one space.

Quotes and dashes are kept as they are. Lines (\n) are normalised one by one and kept.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize", "COLUMN_GAP", "fix_tcvn3_word"]

COLUMN_GAP = "   "  # what a wide gap between two columns of one line becomes

_DELETE = (
    "\ufeff\u200b\u200c\u200d\u2060\u00ad\u180e\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2061\u2062\u2063\u2064\ufffe\x00\x0b\x0c\r"
)
_SPACES = "\t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"

_TABLE: dict[int, str | None] = {ord(c): None for c in _DELETE}
_TABLE.update({ord(c): " " for c in _SPACES})
_TABLE.update({ord("ƣ"): "ư", ord("Ƣ"): "Ư", ord("\u2028"): "\n", ord("\u2029"): "\n"})

_SPACE_RUN = re.compile(r" {2,}")
_ETH_AS_D = re.compile(r"(?<=[A-Z/])Ð(?=[A-Z\-])|(?<=[A-Z])Ð\b")
_BLANK_FIELD = re.compile(
    r"(?<=\bSố:)   (?=/)|(?<=\bSố)   (?=/)|(?<=\bngày)   (?=tháng\b)|(?<=\btháng)   (?=năm\b)",
    re.IGNORECASE,
)
_LINE_EDGES = re.compile(r"^ +| +$", re.M)

# "õa" as the glyph of "òa" in broken legacy fonts. Real words "xõa", "lõa" are excluded, and
# only open syllables ("hõa", "KHÕA": nothing follows the "a") are touched.
_OA_ONSETS = "h|kh|th|t|tr|ch|đ|d|g|gi|n|nh|ng|s|r|v|b|m|ph|qu|c|k"
_O_TILDE_ARTEFACT = re.compile(rf"(?<![^\W\d_])({_OA_ONSETS})(õ|Õ)(a|A)(?![^\W\d_])", re.IGNORECASE)

# TCVN3 (TCVN 5712:1993, ".VnTime" fonts) code points read as Latin-1 → Unicode.
_TCVN3 = dict(
    zip(
        "¡¢£¤¥¦§¨©ª«¬®µ¶·¸¹»¼½¾ÆÇÈÉÊËÌÎÏÐÑÒÓÔÕÖ×ØÜÝÞßáâãäåæçèéêëìíîïñòóôõö÷øùúûüýþ",
        "ĂÂÊÔƠƯĐăâêôơđàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ",
        strict=True,
    )
)
_TCVN3_TABLE = str.maketrans(_TCVN3)
# Characters of the TCVN3 range that no Unicode Vietnamese word holds: their presence inside a
# word is what marks it as TCVN3.
_VIETNAMESE_LATIN1 = "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý"
_TCVN3_MARKERS = "".join(c for c in _TCVN3 if c not in _VIETNAMESE_LATIN1)
_TCVN3_MARKER = re.compile(f"[{re.escape(_TCVN3_MARKERS)}]")
_TCVN3_WORD = re.compile(f"[A-Za-z{re.escape(''.join(_TCVN3))}]+")


def _vowels() -> str:
    tones = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
    return "".join(unicodedata.normalize("NFC", v + t) for v in "aăâeêioôơuưy" for t in tones)


_VOWEL = _vowels()
_SYLLABLE = re.compile(
    rf"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?[{_VOWEL}]{{1,3}}"
    r"(?:ch|ng|nh|[cmnpt])?",
    re.IGNORECASE,
)


_UNIT_PREFIX = re.compile(r"µ[a-zA-Z]{1,2}")  # µm, µg, µs: micro, not TCVN3 "à"


def fix_tcvn3_word(word: str, force: bool = False) -> str:
    """Convert one TCVN3-as-Latin-1 word to Unicode when it is clearly TCVN3, else return it.

    A word qualifies when it holds a TCVN3-only character and an ASCII letter (or `force`: its
    line is clearly TCVN3) and its conversion is a well-formed Vietnamese syllable.
    """
    if word.isascii() or _UNIT_PREFIX.fullmatch(word):
        return word
    if not force and not (_TCVN3_MARKER.search(word) and any(c.isascii() for c in word)):
        return word
    fixed = word.translate(_TCVN3_TABLE)
    if not _SYLLABLE.fullmatch(fixed):
        return word
    letters = [c for c in word if c.isascii()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        fixed = fixed.upper()  # .VnTimeH: capitals drawn from lowercase codes
    return fixed


def _line_is_tcvn3(text: str, words: list[str]) -> bool:
    """Several words convert and no letter lies beyond Latin-1: the whole line is TCVN3."""
    converted = sum(1 for w in words if fix_tcvn3_word(w) != w)
    return converted >= 2 and not any(c > "\u00ff" and c.isalpha() for c in text)


def _fix_tcvn3(text: str) -> str:
    words = _TCVN3_WORD.findall(text)
    force = _line_is_tcvn3(text, words)
    return _TCVN3_WORD.sub(lambda m: fix_tcvn3_word(m.group(0), force), text)


def _fix_o_tilde(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        onset, o, a = m.groups()
        return onset + ("Ò" if o == "Õ" else "ò") + a

    return _O_TILDE_ARTEFACT.sub(repl, text)


def _collapse(match: re.Match[str]) -> str:
    return COLUMN_GAP if len(match.group(0)) >= 3 else " "


def normalize(text: str) -> str:
    """Normalise one block (or several lines) of text; see the module docstring."""
    if not text:
        return ""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = text.translate(_TABLE)
    if "Ð" in text:  # Icelandic Eth typed for Đ in numbers ("89/2015/NÐ-CP"), not TCVN3
        text = _ETH_AS_D.sub("Đ", text)
    if "õ" in text or "Õ" in text:
        text = _fix_o_tilde(text)
    if _TCVN3_MARKER.search(text):
        text = _fix_tcvn3(text)
    if "  " in text:
        text = _SPACE_RUN.sub(_collapse, text)
        if COLUMN_GAP in text:
            text = _BLANK_FIELD.sub(" ", text)
    if "\n" in text:
        return _LINE_EDGES.sub("", text).strip("\n")
    return text.strip(" ")
