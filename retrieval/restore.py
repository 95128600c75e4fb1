"""Tone marks for a query typed without them, learned from the indexed texts themselves.

The embedding model reads unaccented Vietnamese poorly ("cum cong nghiep" is not "cụm công
nghiệp" to it), and the lexical index's accent-folded twins match every syllable that folds alike,
so a query without diacritics is restored before it is embedded and searched by its words: each
syllable takes the accented form that most often follows the previous (restored) syllable in the
corpus, else its most frequent form. A search without vectors has no restorer and matches the
folded twins.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

from retrieval.analysis import fold

WORD_RE = re.compile(r"\w+|\W+")


class DiacriticRestorer:
    def __init__(self, token_lists: Iterable[str]):
        """`token_lists`: analysed texts (space-joined tokens; bigrams are "a_b")."""
        self.forms: dict[str, Counter] = {}
        self.bigrams: Counter = Counter()
        for tokens in token_lists:
            for token in tokens.split():
                if "_" not in token or token.startswith("~"):
                    continue
                first, _, second = token.partition("_")
                if not (first.isalpha() and second.isalpha()):
                    continue
                self.bigrams[token] += 1
                for syllable in (first, second):
                    self.forms.setdefault(fold(syllable), Counter())[syllable] += 1

    def restore(self, text: str) -> str:
        """Each run of words restored by the likeliest sequence of forms (Viterbi over syllable
        bigrams of the corpus); words the corpus does not know are kept as typed."""
        pieces = WORD_RE.findall(text)
        out = list(pieces)
        run: list[int] = []
        for i, piece in enumerate(pieces + [" "]):
            known = piece[:1].isalnum() and fold(piece).lower() in self.forms
            if known:
                run.append(i)
            elif piece.strip() or not piece[:1].isspace():
                self._restore_run(pieces, run, out)
                run = []
        self._restore_run(pieces, run, out)
        return "".join(out)

    def _restore_run(self, pieces: list[str], run: list[int], out: list[str]) -> None:
        if not run:
            return
        options = [[f for f, _ in self.forms[fold(pieces[i]).lower()].most_common(6)] for i in run]
        scores = [{f: math.log(self.forms[fold(f)][f]) for f in options[0]}]
        back: list[dict[str, str]] = [{}]
        for column in options[1:]:
            previous = scores[-1]
            current, pointers = {}, {}
            for form in column:
                best = max(previous, key=lambda p, form=form: previous[p] + self._link(p, form))
                current[form] = previous[best] + self._link(best, form) + 0.2 * math.log(self.forms[fold(form)][form])
                pointers[form] = best
            scores.append(current)
            back.append(pointers)
        form = max(scores[-1], key=scores[-1].get)
        for position in range(len(run) - 1, -1, -1):
            i = run[position]
            out[i] = form.capitalize() if pieces[i][:1].isupper() else form
            form = back[position].get(form, form)

    def _link(self, first: str, second: str) -> float:
        return 3 * math.log1p(self.bigrams[f"{first}_{second}"])
