"""Search settings: a validated model with named presets. Weights are tuned on the dev set only.

The model is the `search` section of the one settings object (kb/settings.py, below every layer);
this module keeps its old address for the callers."""

from __future__ import annotations

from kb.settings import PRESETS, SearchSettings, preset

__all__ = ["PRESETS", "SearchSettings", "preset"]
