"""The state of one check: the knowledge base (cached), the letter, the documents met so far and
the evidence of each number's identity gathered from the whole letter."""

from __future__ import annotations

from dataclasses import dataclass, field

from drafting.checker.kbcache import KbCache
from drafting.checker.letter import Letter
from drafting.checker.mentions import Found
from drafting.checker.report import CitationCheck
from kb import doctypes
from kb.citations import DocRef

NAMED_TYPES = doctypes.NAMED


@dataclass(slots=True)
class Seen:
    """A document mention met so far (for bare references and evidence of identity)."""

    paragraph: int
    start: int
    number: str
    doc_type: str | None


@dataclass
class Run:
    kb: KbCache
    letter: Letter
    seen: list[Seen] = field(default_factory=list)
    evidence: dict[str, list[DocRef]] = field(default_factory=dict)
    identified: set[str] = field(default_factory=set)  # numbers the letter identifies somewhere
    declared: frozenset[str] = frozenset()  # numbers the drafter declared outside the knowledge base


def gather_evidence(run: Run, found: list[Found]) -> None:
    """Every mention of each number: a later short mention is backed by an earlier full one."""
    for item in found:
        ref = item.mention.doc_ref
        if item.law_number:
            run.identified.add(item.law_number)
        if ref is not None and ref.number and ref.complete:
            run.evidence.setdefault(ref.number, []).append(ref)
            if item.identified or _identifies(ref):
                run.identified.add(ref.number)


def _identifies(ref: DocRef) -> bool:
    """The letter says which document it is: date, issuer or trích yếu (a law: its name)."""
    return bool(ref.issued or ref.issuer or ref.title or (ref.doc_type in NAMED_TYPES and ref.name))


def clone(base: CitationCheck) -> CitationCheck:
    return CitationCheck(text=base.text, start=base.start, end=base.end, paragraph=base.paragraph)
