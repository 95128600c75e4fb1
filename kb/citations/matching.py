"""Partial số hiệu ("NĐ 32", "32/2024", "Nghị định 32/2024") matched against the known ones;
full numbers, types and issuers are read in kb.doctypes."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from kb import doctypes
from kb.citations.grammar import find_citations
from kb.citations.lexer import _S0, _abbr_alt, _type_alt
from kb.doctypes import FULL_NUMBER_RE, doc_type_from_number, normalize_number
from kb.model import nfc

_PARTIAL_RE = doctypes.Pattern(lambda: (
    rf"^(?:(?P<t>{_type_alt()}|{_abbr_alt()})(?:{_S0}|-))?(?:số{_S0})?"
    r"(?P<n>\d+)(?:\s*/\s*(?P<y>\d{4}))?(?:\s*/\s*(?P<suffix>\S+))?\s*$"
))


def _parse_partial(partial: str) -> tuple[str | None, int | None, int | None, str | None]:
    """("Nghị định", 32, 2024, None) from "NĐ 32/2024" or "Nghị định số 32/2024 ngày …"."""
    text = nfc(partial).strip()
    m = _PARTIAL_RE.match(text)
    if m:
        doc_type = doctypes.canonical_name(m["t"]) if m["t"] else None
        return doc_type, int(m["n"]), _int(m["y"]), _suffix(m["suffix"])
    ref = next((x.doc_ref for x in find_citations(text) if x.doc_ref and x.doc_ref.number), None)
    if ref is None or ref.number is None:
        return None, None, None, None
    n = re.match(r"(\d+)(?:/(\d{4}))?(?:/(.+))?$", ref.number)
    if not n:
        return ref.doc_type, None, None, None
    return ref.doc_type, int(n[1]), _int(n[2]), _suffix(n[3])


def _int(value: str | None) -> int | None:
    return int(value) if value else None


def _suffix(value: str | None) -> str | None:
    return normalize_number("0/" + value)[2:] if value else None


def match_partial(partial: str, known_numbers: Iterable[str]) -> list[str]:
    """Known số hiệu that a partial one may mean: "32/2024", "NĐ 32", "Nghị định 32/2024".

    Several candidates mean the reference is ambiguous (the caller should warn); [] none.
    A complete number matches itself (after normalisation).
    """
    doc_type, num, year, suffix = _parse_partial(partial)
    if num is None:
        return []
    out: list[str] = []
    for known in known_numbers:
        parts = _known_parts(known)
        if parts is None or known in out or parts[0] != num:
            continue
        if year is not None and parts[1] != year:
            continue
        if suffix is not None and parts[2] != suffix:
            continue
        if doc_type is not None and doc_type_from_number(known) != doc_type:  # the registry may change
            continue
        out.append(known)
    return out


@lru_cache(maxsize=100_000)
def _known_parts(known: str) -> tuple[int, int | None, str | None] | None:
    """A known số hiệu's number, year and suffix (read once: a search compares a short number
    with every số hiệu of the knowledge base)."""
    k = FULL_NUMBER_RE.match(normalize_number(known))
    if not k:
        return None
    return int(re.sub(r"\D", "", k["n"]) or -1), int(k["y"]) if k["y"] else None, k["suffix"]
