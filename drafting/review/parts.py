"""The store's replaceable parts (renderer, validator, checker, publisher) and the project's
defaults for the first three; publishing belongs to the API layer (api/review.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from drafting.review.models import ReviewSettings
from kb import schema as kb_schema
from kb.store import Store

# A spec (dict) and whether it is the approved, final text → the DOCX bytes.
Renderer = Callable[[dict[str, Any], bool], bytes]
# A spec as given → the validated spec (dict); raises ValueError with a Vietnamese message.
Validator = Callable[[dict[str, Any]], dict[str, Any]]
# The approved file → what was published (ingested documents, index report), for the audit row.
Publisher = Callable[[Path], dict[str, Any]]
# A spec → the citation checker's report on its letter (JSON-able), or None.
Checker = Callable[[dict[str, Any]], dict[str, Any] | None]


def default_components(store: Store, home: Path, settings: ReviewSettings) -> dict[str, Any]:
    """The project's renderer (drafting.render), spec validator (drafting.spec) and citation
    checker (drafting.checker). Publishing (ingest, then update the indexes) belongs to the
    layer that may import ingest: api/review.py."""
    return {
        "render": lambda spec, approved: render_spec(store, spec, approved, home),
        "validate": lambda spec: validate_spec(spec, home),
        "check": lambda spec: check_spec(store, spec, home),
    }


def documents_of_file(store: Store, path: Path) -> list[str]:
    """The knowledge-base documents the current version of this file holds."""
    s, p = kb_schema.sources, kb_schema.provisions
    with store.engine.connect() as conn:
        query = (select(p.c.doc_key).join(s, s.c.id == p.c.source_id)
                 .where(s.c.path == str(path.resolve()), s.c.current.is_(True)).distinct())
        return sorted(r.doc_key for r in conn.execute(query))


def render_spec(store: Store, spec: dict[str, Any], approved: bool, home: Path | None = None) -> bytes:
    """The DOCX of a spec: a draft ("DỰ THẢO", reviewer's appendix) or the approved letter;
    its profile and template names are looked up in `home` first (drafting.resources)."""
    from drafting.render import render_bytes

    return render_bytes(spec, approved, store=store, home=home)


def check_spec(store: Store, spec: dict[str, Any], home: Path | None = None) -> dict[str, Any] | None:
    """drafting.checker's report on the letter as it will be sent (without the appendix), as the
    JSON a draft version keeps."""
    from drafting.assemble import assemble
    from drafting.pipeline import check_letter
    from drafting.render import template_for
    from drafting.spec import parse_spec

    parsed = parse_spec(spec, "dự thảo", home)
    report = check_letter(store, assemble(parsed, store), template_for(parsed.kind, parsed), False)
    return report.model_dump(mode="json")


def validate_spec(spec: dict[str, Any], home: Path | None = None) -> dict[str, Any]:
    """The spec checked by drafting.spec (SpecError, a ValueError, names the field; a profile or
    template given as a path is refused there), as JSON."""
    from drafting.spec import parse_spec

    return parse_spec(spec, "dự thảo", home).model_dump(mode="json", exclude_defaults=True)
