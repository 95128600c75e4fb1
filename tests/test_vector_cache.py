"""The machine's vector cache: a text is embedded once per model, whichever home asks."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from retrieval.vector_cache import VectorCache


class CountingModel:
    """A deterministic stand-in for an embedding model (not a real one): counts the texts it embeds."""

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.embedded += texts
        return np.array([[len(t), t.count("a"), 1.0] for t in texts], dtype=np.float32)


def test_each_text_is_embedded_once_per_model(tmp_path: Path):
    model = CountingModel()
    cache = VectorCache(tmp_path / "vectors.sqlite3")
    first, new = cache.embed("m:passage", ["khoản 1", "Điều 8", "khoản 1"], model)
    assert new == 2 and model.embedded == ["khoản 1", "Điều 8"]
    assert first.shape == (3, 3) and np.array_equal(first[0], first[2])
    again, new = VectorCache(tmp_path / "vectors.sqlite3").embed("m:passage", ["Điều 8", "Điều 9"], model)
    assert new == 1 and model.embedded[-1] == "Điều 9" and np.array_equal(again[0], first[1])
    _, new = cache.embed("other:passage", ["Điều 8"], model)  # another model: its own vectors
    assert new == 1
