"""`ccn settings [--json | --markdown]`: the settings in effect (kb/settings.py), one row per
variable: its section and field, value, default and meaning. --markdown prints the README's
"Configuration" table, from the same table the tests check the README against."""

from __future__ import annotations

import argparse
import json

from kb.settings import get_settings, markdown_table, settings_table


def settings_rows() -> list[dict]:
    """Each setting with its value now (None: unset; a secret shows only that it is set)."""
    settings = get_settings()
    rows = []
    for row in settings_table():
        value = getattr(getattr(settings, row.section), row.name)
        changed = value != row.default
        if row.extra.get("secret") and value is not None:
            value = "***"
        rows.append({"setting": f"{row.section}.{row.name}", "env": row.env, "changed": changed,
                     "value": value if value is None or isinstance(value, bool | int) else str(value),
                     "default": row.shown, "doc": row.doc})
    return rows


def cmd_settings(args: argparse.Namespace) -> int:
    if args.markdown:
        print(markdown_table())
        return 0
    rows = settings_rows()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        shown = row["default"] if row["value"] is None else row["value"]
        print(f"{row['env']:<28} {row['setting']:<32} = {shown}{'  (đã đặt)' if row['changed'] else ''}")
    return 0


def add_settings_parser(sub: argparse._SubParsersAction, common: list[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("settings", help="các cài đặt đang dùng (biến môi trường CCN_…)", parents=common)
    p.add_argument("--markdown", action="store_true", help="in bảng cài đặt của README")
    p.set_defaults(func=cmd_settings)
