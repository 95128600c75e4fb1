"""A small LRU cache of computed responses (search results, answers), shared by the threads.

Keys hold everything an answer depends on besides the store: the normalised query, k, the
filters and the validity date (today's date when none is given, so entries age out daily).
The state empties it whenever a new searcher is installed (after an upload changes the store).
"""

from __future__ import annotations

import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


def normalize_query(text: str) -> str:
    """NFC, spaces collapsed: the same question typed twice is the same key."""
    return " ".join(unicodedata.normalize("NFC", text).split())


class ResultCache:
    def __init__(self, size: int = 2048):
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> tuple[Any, bool]:
        """(value, True when it came from the cache)."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key], True
            self.misses += 1
        value = compute()
        if self.size:
            with self._lock:
                self._items[key] = value
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return value, False

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
