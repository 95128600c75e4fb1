"""Checking a letter: read it, find its citations, judge each, gather the findings."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

from drafting.checker.context import Run, gather_evidence
from drafting.checker.kbcache import KbCache
from drafting.checker.letter import as_of_date, read_letter
from drafting.checker.mentions import find_mentions
from drafting.checker.report import CheckReport
from drafting.checker.rules import check_mention, citation_findings
from drafting.checker.wording import speculative_findings
from ingest.readers import read
from ingest.readers.text import read_text
from ingest.types import RawText
from kb.citations import normalize_number
from kb.model import nfc
from kb.store import Store


def check_text(store: Store, text: str, *, as_of: date | None = None, source: str = "",
               declared: Iterable[str] = ()) -> CheckReport:
    """Check a letter given as plain text (one paragraph a line, or hard-wrapped lines).
    `declared`: numbers of documents the drafter declared outside the knowledge base (a draft
    spec's `documents`): reported as outside it, not as unverified."""
    raw = read_text(Path(source or "văn bản"), nfc(text))
    return _check_raw(store, raw, as_of, source or "văn bản", declared)


def check_file(store: Store, path: Path | str, *, as_of: date | None = None,
               declared: Iterable[str] = ()) -> CheckReport:
    """Check a DOCX, PDF, TXT or Markdown file (ReadError when it cannot be read)."""
    path = Path(path)
    return _check_raw(store, read(path), as_of, str(path), declared)


def _check_raw(store: Store, raw: RawText, as_of: date | None, source: str,
               declared: Iterable[str] = ()) -> CheckReport:
    letter = read_letter(raw)
    at, how, notes = as_of_date(letter, as_of, date.today())
    report = CheckReport(file=source, as_of=at, as_of_source=how, notes=notes)
    run = Run(KbCache(store, at), letter, declared=frozenset(normalize_number(n) for n in declared))
    found = [f for i, text in enumerate(letter.paragraphs) for f in find_mentions(i, text)]
    gather_evidence(run, found)
    for item in found:
        checks = check_mention(run, item.paragraph, item.mention)
        for check in checks:
            check.issues[:0] = item.typos
        report.citations.extend(checks)
    mentions = [(f.paragraph, f.mention) for f in found]
    report.findings.extend(citation_findings(report.citations))
    report.findings.extend(speculative_findings(letter, mentions))
    report.findings.sort(key=lambda f: (f.start, f.end))
    return report
