"""Reorganisations of state bodies (sáp nhập, đổi tên, bỏ cấp huyện): data, not code.

Notice files of kind `institutions` (../shared/corpus/notices/institutions-2025.yaml) say which
names older texts use and what replaced them from which day. Two uses:
- a quote naming an old body carries a "nay là …" note from the change's date;
- a provision giving a task to an abolished body is followed to the later provisions that cite
  it and say who does it now (NĐ 139/2025 for cấp huyện): `kb.lookup.reassigning_provisions`.
The next reorganisation is one more notice file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.engine import Connection

from kb import citations, schema
from kb.model import nfc
from kb.store import counts


@dataclass(frozen=True, slots=True)
class InstitutionChange:
    old: str
    new: str
    since: date | None  # first day the old name no longer applies
    since_text: str = ""
    how: str = ""
    level: str = ""
    note: str = ""

    @property
    def competence_texts(self) -> frozenset[str]:
        """The documents the notice names as saying who took over ("for the Bộ Công Thương
        field see Nghị định 139/2025/NĐ-CP"): only their provisions are followed."""
        return frozenset(m.doc_ref.number for m in citations.find_citations(f"{self.new} {self.note}")
                         if m.doc_ref is not None and m.doc_ref.complete and m.doc_ref.number)

    def applies(self, at: date) -> bool:
        return self.since is not None and at >= self.since

    def named_in(self, text: str) -> bool:
        """The old name appears in the text (whole words, case-insensitive)."""
        return _pattern(self.old).search(text) is not None

    def new_named_in(self, text: str) -> bool:
        return _pattern(_plain_new(self.new)).search(text) is not None

    def note_text(self) -> str:
        """"Sở Kế hoạch và Đầu tư nay là Sở Tài chính (từ 01/3/2025)"."""
        new = _plain_new(self.new)
        when = _when(self)
        if self.how == "abolished":
            return f"Từ {when} không còn {self.old}; nay là {new}"
        return f"{self.old} nay là {new} (từ {when})"

    def first_in(self, text: str) -> re.Match | None:
        """The first mention of the old name in a text (whole words, case-insensitive)."""
        return _pattern(self.old).search(text)

    def editor_note(self) -> str:
        """The bracketed note an editor puts after the old name inside a quote: "nay là Sở Tài
        chính"; for an abolished level, from when it is gone (who does its tasks now is the
        competence texts' business, cited by the drafter)."""
        if self.how != "abolished":
            return f"nay là {_plain_new(self.new)}"
        return f"từ {_when(self)} không còn {self.old}"


def _plain_new(new: str) -> str:
    """The new name without the file's English explanations in parentheses."""
    return re.sub(r"\s*\((?:or|e\.g\.|see)\b[^)]*\)", "", new).strip()


def _when(change: InstitutionChange) -> str:
    if change.since is None:
        return change.since_text
    if change.since_text and re.fullmatch(r"\d{4}", change.since_text):
        return f"năm {change.since_text}"
    return short_date(change.since)


def short_date(when: date) -> str:
    """01/7/2025: the day padded, the month not, as Vietnamese texts write it."""
    return f"{when.day:02d}/{when.month}/{when.year}"


_PATTERNS: dict[str, re.Pattern] = {}


def _pattern(name: str) -> re.Pattern:
    if name not in _PATTERNS:
        _PATTERNS[name] = re.compile(rf"(?<!\w){re.escape(nfc(name))}(?!\w)", re.IGNORECASE)
    return _PATTERNS[name]


def parse_since(value: object) -> tuple[date | None, str]:
    """A change's date as the file gives it: a date, or a year alone (then the change is taken to
    be complete by the end of that year: notes from 01/01 of the next)."""
    if isinstance(value, date):
        return value, value.isoformat()
    text = str(value or "").strip()
    if re.fullmatch(r"\d{4}", text):
        return date(int(text) + 1, 1, 1), text
    try:
        return date.fromisoformat(text), text
    except ValueError:
        return None, text


def save(conn: Connection, source_id: int, changes: list[InstitutionChange]) -> None:
    """Store one file's changes (inside the file's transaction)."""
    if not changes:
        return
    conn.execute(schema.institution_changes.insert(), [
        {"source_id": source_id, "old": c.old, "new": c.new, "since": c.since, "since_text": c.since_text,
         "how": c.how, "level": c.level, "note": c.note} for c in changes])


def institution_changes(store) -> list[InstitutionChange]:
    """Every change stated by a current notice file, in file order."""
    t, s = schema.institution_changes, schema.sources
    query = select(t).join(s, s.c.id == t.c.source_id).where(counts(s)).order_by(t.c.id)
    with store.engine.connect() as conn:
        rows = list(conn.execute(query).mappings())
    seen: dict[str, InstitutionChange] = {}
    for r in rows:
        seen[r["old"]] = InstitutionChange(r["old"], r["new"], r["since"], r["since_text"] or "",
                                           r["how"] or "", r["level"] or "", r["note"] or "")
    return list(seen.values())


def institution_notes(changes: list[InstitutionChange], text: str, at: date,
                      written: date | None) -> list[str]:
    """"nay là …" notes for the old bodies a text names, when the text predates the change
    (`written`: its effective date) and `at` is on or after it."""
    notes = []
    for change in changes:
        if not change.applies(at) or (written is not None and change.since is not None and written >= change.since):
            continue
        if change.named_in(text):
            notes.append(change.note_text())
    return notes
