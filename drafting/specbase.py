"""The base of every spec model (drafting/spec.py, drafting/procspec.py): unknown fields are
refused (a misspelt field is an error, not silently ignored) and every string is NFC and trimmed,
so a spec typed on any keyboard compares equal to the knowledge base's text."""

from __future__ import annotations

import unicodedata
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


def nfc_value(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    if isinstance(value, list):
        return [nfc_value(v) for v in value]
    if isinstance(value, dict):
        return {k: nfc_value(v) for k, v in value.items()}
    return value


class SpecModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        return nfc_value(data)
