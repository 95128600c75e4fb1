"""Everyday wording → the words the legal texts use, added to a question before it is searched.

A provincial officer writes "lập cụm mới", "nới rộng cụm", "doanh nghiệp làm hạ tầng", "đã cho
thuê được bao nhiêu đất"; NĐ 32/2024 says "thành lập", "mở rộng", "chủ đầu tư xây dựng hạ tầng
kỹ thuật", "tỷ lệ lấp đầy". The question keeps its own words (a provision may use them too);
the legal terms are appended, for the lexical index and the embedding alike. Keys are lower
case, NFC, matched on whole words, accented or not (the folded form of each key is matched too).
Written from the texts' own terms and the hỏi đáp pages' wording, measured on the tuning sets
(dev, dev2, calibration), never the holdout; entries that moved an answer down on dev or the
calibration split were left out ("giấy tờ" → "hồ sơ", "bao lâu" → "thời hạn", "lập cụm" →
"thành lập cụm", which also reads "đã lập cụm rồi", a cluster that exists; "làm hạ tầng" →
"chủ đầu tư xây dựng hạ tầng kỹ thuật").
"""

from __future__ import annotations

import re
from functools import lru_cache

from retrieval.analysis import fold, nfc

QUERY_SYNONYMS: dict[str, str] = {
    # establishing and expanding a cluster
    "lập mới": "thành lập",
    "mở cụm": "thành lập cụm",
    "cho ra đời": "thành lập",
    "nới rộng": "mở rộng",
    "mở thêm": "mở rộng",
    "phình": "mở rộng",
    # the infrastructure investor
    "đứng ra làm": "làm chủ đầu tư",
    # land and filling
    "cho thuê được": "tỷ lệ lấp đầy",
    "lấp kín": "tỷ lệ lấp đầy",
    "còn trống": "chưa cho thuê",
    "đất trống": "đất chưa cho thuê",
    # procedure
    "soi": "thẩm định",
    "xem xét hồ sơ": "thẩm định hồ sơ",
    "kho dữ liệu": "cơ sở dữ liệu",
    "tiền ngân sách": "ngân sách nhà nước",
    # format of documents (NĐ 30/2020)
    "font": "phông chữ",
    "font chữ": "phông chữ",
    "cỡ chữ": "cỡ chữ phông chữ",
    "ký thay": "ký thay KT. quyền hạn người ký",
}


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern:
    keys = set(QUERY_SYNONYMS) | {fold(k) for k in QUERY_SYNONYMS}
    alternatives = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


@lru_cache(maxsize=1)
def _canonical() -> dict[str, str]:
    return {**{fold(k): v for k, v in QUERY_SYNONYMS.items()}, **QUERY_SYNONYMS}


def with_legal_terms(query: str) -> str:
    """The question with the legal terms of its everyday words appended ("… ; thành lập")."""
    found = [_canonical()[m.group(0)] for m in _pattern().finditer(nfc(query).lower())]
    added = [t for t in dict.fromkeys(found) if t not in query.lower()]
    return f"{query} ; {' ; '.join(added)}" if added else query
