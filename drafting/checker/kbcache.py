"""Knowledge-base access for one check, cached: a long report cites the same documents
hundreds of times."""

from __future__ import annotations

from datetime import date

from kb import catalog
from kb.citations import doc_type_from_number
from kb.store import Store
from kb.validity import Validity, document_validity


class KbCache:
    def __init__(self, store: Store, at: date):
        self.store, self.at = store, at
        self._docs: dict[str, object] = {}
        self._validity: dict[str, Validity] = {}
        self._rows: dict[str, dict[tuple, object]] = {}
        self._known: set[str] | None = None
        self._relations: dict[str, list] = {}
        self._source_kinds: dict[int, str] | None = None
        self._catalogue: dict[str, catalog.Entry | None] = {}
        self._ranges: dict[tuple[str, int], tuple[int, int]] | None = None

    def document(self, number: str):
        if number not in self._docs:
            self._docs[number] = self.store.document(number)
        return self._docs[number]

    def validity(self, number: str) -> Validity:
        if number not in self._validity:
            self._validity[number] = document_validity(self.store, number, self.at)
        return self._validity[number]

    def rows(self, number: str) -> dict[tuple, object]:
        """The document's provisions by address (first in document order wins)."""
        if number not in self._rows:
            table: dict[tuple, object] = {}
            for row in self.store.provisions(number):
                key = (row.part, row.annex, row.article, row.clause, row.point)
                table.setdefault(key, row)
            self._rows[number] = table
        return self._rows[number]

    def compiled(self, number: str) -> bool:
        """Held only through Pháp điển topics: the articles of one đề mục, not the whole text."""
        if self._source_kinds is None:
            self._source_kinds = {r.id: r.kind for r in self.store.sources()}
        doc = self.document(number)
        source = doc.primary_source_id if doc is not None else None
        return self._source_kinds.get(source) == "compilation"

    def relations_to(self, number: str) -> list:
        if number not in self._relations:
            self._relations[number] = self.store.relations(to_doc=number)
        return self._relations[number]

    def catalogue(self, number: str) -> catalog.Entry | None:
        """What the texts citing `number` say of it (kb/catalog.py), or None."""
        if number not in self._catalogue:
            self._catalogue[number] = catalog.entry(self.store, number)
        return self._catalogue[number]

    def serial_ranges(self) -> dict[tuple[str, int], tuple[int, int]]:
        if self._ranges is None:
            self._ranges = catalog.serial_ranges(self.store)
        return self._ranges

    def known_numbers(self) -> set[str]:
        if self._known is None:
            self._known = self.store.known_numbers()
        return self._known

    def doc_type(self, number: str) -> str | None:
        doc = self.document(number)
        return (doc.doc_type if doc else None) or doc_type_from_number(number)
