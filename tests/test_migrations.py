"""Migrations: a database made by any past prefix of the migration list upgrades to the same
schema as a fresh one, and that schema holds every column the live table definitions use."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, inspect

from drafting.review import schema as review_schema
from kb import schema

LISTS = {"kb": (schema.MIGRATIONS, schema.metadata), "review": (review_schema.MIGRATIONS, review_schema.metadata)}


def _columns(url: str) -> dict[str, list[str]]:
    insp = inspect(create_engine(url))
    return {t: sorted(c["name"] for c in insp.get_columns(t)) for t in insp.get_table_names()}


def _build(path: Path, steps: schema.Migrations) -> str:
    url = f"sqlite:///{path}"
    with create_engine(url).begin() as conn:
        schema.migrate(conn, steps)
    return url


@pytest.mark.parametrize("which", sorted(LISTS))
def test_every_past_prefix_upgrades_to_the_fresh_schema(which: str, tmp_path: Path):
    migrations, _ = LISTS[which]
    fresh = _columns(_build(tmp_path / "fresh.sqlite3", migrations))
    for k in range(1, len(migrations)):
        url = _build(tmp_path / f"past-{k}.sqlite3", migrations[:k])
        with create_engine(url).begin() as conn:
            applied = schema.migrate(conn, migrations)
        assert applied == [name for name, _ in migrations[k:]]
        assert _columns(url) == fresh, f"{which}: upgraded from {k} migrations"


@pytest.mark.parametrize("which", sorted(LISTS))
def test_migrated_schema_holds_the_live_tables(which: str, tmp_path: Path):
    """A column added to a live Table without a migration fails here, not on a user's database."""
    migrations, live = LISTS[which]
    migrated = _columns(_build(tmp_path / "db.sqlite3", migrations))
    for table in live.sorted_tables:
        if table.name == schema.migrations_table.name:
            continue
        assert table.name in migrated, f"{which}: no migration creates {table.name}"
        missing = {c.name for c in table.columns} - set(migrated[table.name])
        assert not missing, f"{which}: {table.name} lacks {sorted(missing)} after the migrations"


def test_first_migration_is_frozen_text_not_the_live_definitions():
    """001 runs its own DDL, so adding a live column cannot change what 001 creates."""
    extra = MetaData()
    assert "CREATE TABLE sources" in schema.M001_DDL and "CREATE TABLE users" in review_schema.M001_REVIEW_DDL
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        schema.migrate(conn, schema.MIGRATIONS[:1])
    extra.reflect(engine)
    assert sorted(extra.tables) == ["_migrations", "documents", "failures", "provisions", "relations", "sources"]
