"""What a reader hands to the parser: the text of one file as blocks, before legal parsing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class ReadError(Exception):
    """A file that cannot be read: the message names the file and the problem (in Vietnamese)."""

    def __init__(self, path: Path | str, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


@dataclass(slots=True)
class Block:
    """One paragraph (DOCX, HTML, Markdown) or one visual line (PDF, wrapped TXT).

    `text` is normalised (ingest.normalize); `original` is exactly what the file held.
    `origin` says where in the file it came from: "body", "table", "textbox", "header", "ocr".
    """

    text: str
    original: str
    origin: str = "body"
    page: int | None = None


@dataclass(slots=True)
class RawText:
    """A file's text as read, ready for the legal-structure parser."""

    path: Path
    fmt: str  # "docx" | "pdf" | "txt" | "md" | "html"
    blocks: list[Block]
    wrapped: bool = False  # True when blocks are visual lines that need reflowing into paragraphs
    front_matter: dict = field(default_factory=dict)  # YAML front matter / metadata table fields
    warnings: list[str] = field(default_factory=list)

    @property
    def original(self) -> str:
        return "\n".join(b.original for b in self.blocks)

    @property
    def lines(self) -> list[str]:
        return [b.text for b in self.blocks]
