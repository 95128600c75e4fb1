"""The wording rule: hedges in a sentence that states the law (`speculative_wording`) and a
personal opinion anywhere in an agency's letter."""

from __future__ import annotations

import re
from collections.abc import Iterator

from drafting.checker.letter import SENTENCE_RE, Letter
from drafting.checker.report import Finding
from kb.citations import CitationMention

# Hedges that have no place in a statement of the law. "khoảng" is left out on purpose: real
# reports write "khoảng 20 ha", "khoảng 4.056 tỷ đồng" for figures, never for the law.
SPECULATIVE_RE = re.compile(
    r"(?<!\w)(?:dự kiến|có thể là|có lẽ|dường như|hình như|chắc là|có vẻ|nhiều khả năng|gần như"
    r"|khả năng cao|ước chừng)(?!\w)", re.IGNORECASE
)
# A personal opinion has no place anywhere in an agency's letter, law or not.
PERSONAL_RE = re.compile(r"(?<!\w)(?:theo tôi|tôi nghĩ|tôi cho rằng)(?!\w)", re.IGNORECASE)
LEGAL_CLAIM_RE = re.compile(r"(?<!\w)(?:quy định|hiệu lực|pháp luật)(?!\w)", re.IGNORECASE)


def speculative_findings(letter: Letter, mentions: list[tuple[int, CitationMention]]) -> Iterator[Finding]:
    """Hedges in a sentence that states the law (it cites, or speaks of quy định / hiệu lực):
    "có vẻ", "nhiều khả năng", "gần như" …; a personal opinion ("theo tôi", "tôi cho rằng") in
    any sentence."""
    cited = {}
    for index, mention in mentions:
        cited.setdefault(index, []).append(mention.span)
    if letter.own_addresses is not None:
        return  # a legal text: "dự kiến" is a term there ("giá trị dự kiến")
    for index, text in enumerate(letter.paragraphs):
        for sentence in SENTENCE_RE.finditer(text):
            spans = [s for s in cited.get(index, []) if sentence.start() <= s[0] < sentence.end()]
            legal = bool(spans) or bool(LEGAL_CLAIM_RE.search(sentence.group(0)))
            hedges = [*SPECULATIVE_RE.finditer(text, sentence.start(), sentence.end())] if legal else []
            hedges += PERSONAL_RE.finditer(text, sentence.start(), sentence.end())
            for hedge in sorted(hedges, key=lambda m: m.start()):
                start = letter.offsets[index] + hedge.start()
                message = (f"ý kiến cá nhân «{hedge.group(0)}» trong văn bản của cơ quan: nêu ý kiến của "
                           "cơ quan, không phỏng đoán" if hedge.re is PERSONAL_RE else
                           f"cách viết phỏng đoán «{hedge.group(0)}» khi nêu quy định: văn bản trả lời phải "
                           "nêu chắc chắn quy định nào áp dụng")
                yield Finding(severity="warning", code="speculative_wording", message=message,
                              text=hedge.group(0), paragraph=index, start=start, end=start + len(hedge.group(0)))
