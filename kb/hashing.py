"""Content hashes of source files and folders: what the store, the catalogue and the caches
key a source by (an unchanged one is skipped)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_of(path: Path) -> str:
    """A file's sha256, read a megabyte at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def content_sha256(path: Path) -> str:
    """A file's sha256; a folder's: of its files' relative names and sha256s."""
    if path.is_file():
        return sha256_of(path)
    digest = hashlib.sha256()
    for child in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(f"{child.relative_to(path)}\0{sha256_of(child)}\n".encode())
    return digest.hexdigest()
