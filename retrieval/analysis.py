"""Vietnamese text analysis for the lexical index (bm25s) and its queries.

    analyze("Cụm công nghiệp (CCN) theo Nghị định số 32/2024/NĐ-CP")
    analyze_query("cum cong nghiep nd 32/2024")    # no diacritics: folded tokens only

Steps, identical for documents and queries:
1. lower case; NFC per whitespace chunk (each distinct chunk is analysed once and cached, so
   decomposed input costs nothing extra).
2. syllables: split on white space, then inside a chunk into document numbers
   ("32/2024/nđ-cp", kept whole plus "32/2024", "32", "2024", "nđ", "cp"), numbers ("75%" gives
   "75%" and "75"; "1.000" also "1000"), words and punctuation. Punctuation and line ends cut the
   syllable chain.
3. normalisation: tone mark on the first vowel of a final "oa", "oe", "uy" ("hoá" → "hóa",
   "uỷ" → "ủy", "thuỷ" → "thủy": the corpus' majority, 41k against 2.7k for "hóa") and a few
   spellings ("qui" → "quy", "tỉ" → "tỷ", "kĩ" → "kỹ", "sỹ" → "sĩ", …).
4. abbreviations (`retrieval.abbreviations`): the abbreviation is kept as a token and its words
   are put in the chain in its place ("CCN" → "ccn", "cụm", "công", "nghiệp").
5. compounds: adjacent syllables give a bigram "cụm_công", "công_nghiệp". Word segmentation
   was measured and rejected for speed: pyvi 0.19 MB/s and underthesea 0.05 MB/s on
   ND-32-2024 (13 and 50 minutes for the 148 MB wide corpus on one core), against ~6 MB/s here;
   pyvi also segments inconsistently ("Cụm công_nghiệp", "đầu_tư_sản_xuất").
6. stop words: `STOPWORDS` are pure function syllables; they are dropped as unigrams only and
   still form bigrams ("hoạch_và", "và_đầu"); a bigram of two stop words is dropped.
7. folding: every token with a letter is also emitted accent-folded with the prefix "~"
   ("~cum", "~cum_cong", "~32/2024/nd-cp"); tokens without letters ("32", "2024", "32/2024")
   are emitted once, shared by both namespaces. `analyze_query` keeps the accented namespace
   for a query with any Vietnamese diacritic and the folded one otherwise.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

from retrieval.abbreviations import ABBREVIATIONS, BEFORE_NUMBER

FOLD_PREFIX = "~"
BIGRAM_JOIN = "_"

# Function syllables without legal meaning of their own: conjunctions, prepositions,
# determiners, demonstratives, aspect markers. Deliberately kept: "được", "không", "phải",
# "có", "theo", "trừ", "chỉ", "nếu", "quy", "định" (deontic or legal meaning: "không được",
# "theo quy định", "trừ trường hợp"). Paragraph DF in the wide corpus: của .33, và .31,
# các .24, từ .17, tại .17, với .17, trong .16, này .16, về .14, hoặc .11, cho .10.
_STOPWORD_TEXT = (
    "của và các những là với cho để này đó ấy thì mà về tại trong từ đến hoặc bởi vào rằng "
    "cũng đã sẽ đang nhưng hay vì nên lại còn như"
)
STOPWORDS: frozenset[str] = frozenset(_STOPWORD_TEXT.split())

_SPELLING: dict[str, str] = {
    "qui": "quy",
    "quí": "quý",
    "tỉ": "tỷ",
    "kĩ": "kỹ",
    "lí": "lý",
    "kí": "ký",
    "mĩ": "mỹ",
    "sỹ": "sĩ",
}
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_MOVABLE_NUCLEI = frozenset({"oa", "oe", "uy"})
_DIACRITIC_CHARS = "".join(
    ch
    for ch in map(chr, range(0xC0, 0x1EFF + 1))
    if ch.isalpha() and unicodedata.normalize("NFD", ch)[0].isascii() and not ch.isascii()
)
_DIACRITIC_RE = re.compile(f"[{_DIACRITIC_CHARS}đĐ\u0300-\u036f]")
_COMBINING_RE = re.compile("[\u0300-\u036f]")
_LETTER_RE = re.compile(r"[^\W\d_]")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Remove tone and vowel marks and turn đ into d: "Cụm Công nghiệp" → "Cum Cong nghiep"."""
    bare = _COMBINING_RE.sub("", unicodedata.normalize("NFD", text))
    return nfc(bare.replace("đ", "d").replace("Đ", "D"))


@lru_cache(maxsize=1 << 16)
def _fold_token(token: str) -> str:
    return fold(token)


def has_diacritics(text: str) -> bool:
    """Whether `text` has any Vietnamese letter with a mark (ă â đ ê ô ơ ư or a tone)."""
    return _DIACRITIC_RE.search(text) is not None


def _move_tone(first: str, second: str) -> str:
    """Put the tone mark of `second` on `first`: ("o", "à") → "òa"."""
    decomposed = unicodedata.normalize("NFD", second)
    tone = "".join(ch for ch in decomposed if ch in _TONES)
    if not tone:
        return first + second
    bare = "".join(ch for ch in decomposed if ch not in _TONES)
    return nfc(first + tone + bare)


def normalize_syllable(syllable: str) -> str:
    """One spelling per syllable (lower case NFC in): old tone placement, common variants."""
    syllable = _SPELLING.get(syllable, syllable)
    if len(syllable) >= 2 and fold(syllable[-2:]) in _MOVABLE_NUCLEI:
        head, first, second = syllable[:-2], syllable[-2], syllable[-1]
        if not head.endswith("q") and first in "ou":
            return head + _move_tone(first, second)
    if (
        len(syllable) >= 3
        and syllable[0] == "q"
        and syllable[1] != "u"
        and fold(syllable[1]) == "u"
    ):
        marks = unicodedata.normalize("NFD", syllable[1])[1:]
        return "qu" + nfc(syllable[2] + marks) + syllable[3:]
    return syllable


def _is_number(token: str) -> bool:
    """A token without letters: "32", "2024", "32/2024", "75%"."""
    return _LETTER_RE.search(token) is None


def _compound_keys() -> list[str]:
    keys = [k for k in (*ABBREVIATIONS, *BEFORE_NUMBER) if not k.isalnum()]
    keys += [fold(k) for k in keys]
    return sorted(set(keys), key=len, reverse=True)


_PIECE_RE = re.compile(
    r"(?<![^\W_])(?:" + "|".join(map(re.escape, _compound_keys())) + r")(?![^\W_])"
    r"|\d++[^\W_]*+(?:/[^\W_]++(?:[-.&][^\W_]++)*+)++"  # document numbers: 32/2024/nđ-cp
    r"|\d+(?:[.,]\d+)*%?"  # numbers: 75, 75%, 1.000.000, 2,5
    r"|[^\W_]+"  # syllables (and codes such as qh15)
    r"|[^\w\s]|_"  # punctuation: cuts the chain
)
_CODE_SPLIT_RE = re.compile(r"[/\-.&]")


def _folded_table(table: dict[str, str]) -> dict[str, str]:
    """Abbreviations typed without diacritics ("hdnd"), unless two keys fold alike."""
    folded: dict[str, list[str]] = {}
    for key, words in table.items():
        folded.setdefault(fold(key), []).append(words)
    return {k: v[0] for k, v in folded.items() if len(set(v)) == 1 and k not in table}


def _number_follows(chunks: list[str], i: int) -> bool:
    """Whether chunk i is followed by a number, or by "số" and a number."""
    rest = chunks[i + 1 : i + 3]
    if rest and rest[0] == "số":
        rest = rest[1:]
    return bool(rest) and rest[0][:1].isdigit()


class _Unit:
    """A syllable or number of the chain, shared by every chunk that contains it."""

    __slots__ = ("text", "folded", "stop", "unigrams", "nexts")

    def __init__(self, text: str, folded: str, stop: bool, unigrams: tuple[str, ...]) -> None:
        self.text = text
        self.folded = folded
        self.stop = stop
        self.unigrams = unigrams
        self.nexts: dict[str, tuple[str, ...]] = {}  # bigram tokens by next unit's text


class _Entry:
    """What one whitespace chunk contributes: its tokens and its ends for bigrams."""

    __slots__ = ("tokens", "first", "last", "context")

    def __init__(self, tokens: tuple[str, ...], first: _Unit | None, last: _Unit | None) -> None:
        self.tokens = tokens
        self.first = first  # None when the chunk starts with punctuation
        self.last = last  # None when it ends with punctuation
        self.context: _Entry | None = None  # the entry to use when a number follows


class Analyzer:
    """Tokens for bm25s. Caches per chunk and per syllable: reuse one instance."""

    def __init__(
        self,
        *,
        stopwords: frozenset[str] = STOPWORDS,
        bigrams: bool = True,
        folded: bool = True,
        cache_limit: int = 2_000_000,
    ) -> None:
        self.stopwords = stopwords
        self.bigrams = bigrams
        self.folded = folded
        self.cache_limit = cache_limit
        self._abbreviations = ABBREVIATIONS | _folded_table(ABBREVIATIONS)
        self._context = BEFORE_NUMBER | _folded_table(BEFORE_NUMBER)
        self._units: dict[str, _Unit] = {}
        self._entries: dict[str, _Entry] = {}
        self._fallback: Analyzer | None = None

    # -- public -----------------------------------------------------------------------------

    def analyze(self, text: str) -> list[str]:
        """Tokens of a document: unigrams, bigrams, their folded forms, in text order."""
        out: list[str] = []
        extend = out.extend
        entries = self._entries
        for line in text.lower().split("\n"):
            prev: _Unit | None = None
            chunks = line.split()
            for i, chunk in enumerate(chunks):
                entry = entries.get(chunk) or self._entry(chunk)
                if entry.context is not None and _number_follows(chunks, i):
                    entry = entry.context
                first = entry.first
                if prev is not None and first is not None:
                    pair = prev.nexts.get(first.text)
                    extend(self._bigram(prev, first) if pair is None else pair)
                extend(entry.tokens)
                prev = entry.last
        return out

    def analyze_query(self, text: str) -> list[str]:
        """Tokens of a query: accented ones, or folded ones when it has no diacritics."""
        tokens = self.analyze(text)
        if self.folded:
            keep = _is_accented if has_diacritics(text) else _is_folded
            tokens = [t for t in tokens if keep(t)]
        if tokens or not self.stopwords:
            return tokens
        return self._without_stopwords().analyze_query(text)

    # -- chunks -----------------------------------------------------------------------------

    def _entry(self, chunk: str) -> _Entry:
        if len(self._entries) >= self.cache_limit:
            self._entries.clear()
        entry = self._build(nfc(chunk), self._abbreviations)
        key = normalize_syllable(nfc(chunk))
        if key in self._context:
            entry.context = self._build(key, self._abbreviations | self._context)
        self._entries[chunk] = entry
        return entry

    def _build(self, chunk: str, abbreviations: dict[str, str]) -> _Entry:
        tokens: list[str] = []
        chain: list[_Unit | None] = []  # None: a cut
        for piece in _PIECE_RE.findall(chunk):
            extra, units = self._piece(piece, abbreviations)
            tokens += extra
            for unit in units:
                tokens += unit.unigrams
            chain += units or [None]
        for a, b in zip(chain, chain[1:], strict=False):
            if a is not None and b is not None:
                tokens += self._bigram(a, b)
        first, last = (chain[0], chain[-1]) if chain else (None, None)
        return _Entry(tuple(dict.fromkeys(tokens)), first, last)

    def _piece(self, piece: str, abbreviations: dict[str, str]) -> tuple[list[str], list[_Unit]]:
        """Extra tokens and chain units of one piece; no unit means a cut."""
        if piece[0].isdigit():
            if "/" in piece:
                return self._document_number(piece), []
            return self._number(piece)
        if not (piece[0].isalnum() or piece[0] in "&-"):
            return [], []
        syllable = normalize_syllable(piece)
        words = abbreviations.get(syllable)
        if words is None:
            return [], [self._unit(syllable)]
        return list(self._render(syllable)), [self._unit(w) for w in words.split()]

    def _document_number(self, number: str) -> list[str]:
        """ "32/2024/nđ-cp" → itself, "32/2024", and its parts "32", "2024", "nđ", "cp"."""
        parts = [p for p in _CODE_SPLIT_RE.split(number) if p]
        tokens = list(self._render(number))
        if len(parts) > 2 and parts[0].isdigit() and parts[1].isdigit():
            tokens.append(f"{parts[0]}/{parts[1]}")
        for part in parts:
            tokens += self._render(part)
        return tokens

    def _number(self, number: str) -> tuple[list[str], list[_Unit]]:
        """ "75%" → "75%" and unit "75"; "1.000.000" → itself and unit "1000000"."""
        value = number.rstrip("%")
        groups = value.split(".")
        if len(groups) > 1 and all(len(g) == 3 for g in groups[1:]):
            value = "".join(groups)
        extra = [number] if value != number else []
        return extra, [self._unit(value)]

    # -- syllables and bigrams ------------------------------------------------------------------

    def _render(self, token: str) -> tuple[str, ...]:
        """A unigram and its folded twin; nothing for a stop word, no twin without letters."""
        if token in self.stopwords:
            return ()
        if not self.folded or _is_number(token):
            return (token,)
        return (token, FOLD_PREFIX + _fold_token(token))

    def _unit(self, text: str) -> _Unit:
        unit = self._units.get(text)
        if unit is None:
            unit = _Unit(text, _fold_token(text), text in self.stopwords, self._render(text))
            self._units[text] = unit
        return unit

    def _bigram(self, a: _Unit, b: _Unit) -> tuple[str, ...]:
        pair: tuple[str, ...] = ()
        if self.bigrams and not (a.stop and b.stop):
            text = a.text + BIGRAM_JOIN + b.text
            pair = self._render(text) if text not in self.stopwords else ()
            if len(pair) == 2:
                pair = (text, FOLD_PREFIX + a.folded + BIGRAM_JOIN + b.folded)
        a.nexts[b.text] = pair
        return pair

    def _without_stopwords(self) -> Analyzer:
        if self._fallback is None:
            self._fallback = Analyzer(
                stopwords=frozenset(), bigrams=self.bigrams, folded=self.folded
            )
        return self._fallback


def _is_accented(token: str) -> bool:
    return not token.startswith(FOLD_PREFIX)


def _is_folded(token: str) -> bool:
    return token.startswith(FOLD_PREFIX) or _is_number(token)


_DEFAULT = Analyzer()


def analyze(text: str) -> list[str]:
    """Tokens of a document (see the module's docstring)."""
    return _DEFAULT.analyze(text)


@lru_cache(maxsize=16_384)
def token_set(text: str) -> frozenset[str]:
    """The distinct tokens of a text (cached: the texts of the units a search weighs)."""
    return frozenset(analyze(text))


def analyze_query(text: str) -> list[str]:
    """Tokens of a query; folded only when the query has no Vietnamese diacritic."""
    return _DEFAULT.analyze_query(text)


def _analyze_joined(text: str) -> str:
    return " ".join(_DEFAULT.analyze(text))  # tokens never contain white space


def analyze_many(texts: Iterable[str], processes: int = 1) -> Iterator[list[str]]:
    """`analyze` over many documents, in order; in worker processes when `processes` > 1.

    Workers send each document's tokens back as one space-joined string: pickling 80 million
    small strings would cost more than the analysis itself.
    """
    if processes <= 1:
        yield from map(analyze, texts)
        return
    from multiprocessing import get_context

    with get_context("fork").Pool(processes) as pool:
        for joined in pool.imap(_analyze_joined, texts, chunksize=4):
            yield joined.split()


_ABBREV_RE = re.compile(r"(?<![\w/])(" + "|".join(sorted((re.escape(k) for k in ABBREVIATIONS if "&" not in k),
                                                       key=len, reverse=True)) + r")(?![\w/])", re.IGNORECASE)


def expand_abbreviations(text: str) -> str:
    """The text with the field's abbreviations written out ("CCN" → "cụm công nghiệp"), for the
    embedding model, which does not know them. Document numbers are left alone."""
    return _ABBREV_RE.sub(lambda m: ABBREVIATIONS[m.group(1).lower()], nfc(text))
