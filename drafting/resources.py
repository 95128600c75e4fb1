"""Agency profiles and Word templates are named, never given as paths.

A spec's `profile` and `template` are names ("cuc-dck", "mau-cong-van"), looked up first in the
admin-managed folders of the data folder ($CCN_HOME/profiles, $CCN_HOME/templates; only whoever
administers the server writes there) and then in the shipped ones (drafting/profiles,
drafting/templates). A value that looks like a path (absolute, with «/», «\\» or «..») is refused
before the file system is touched, so that no request can make the server read a file of its
choosing (an uploaded DOCX as a template was remote code execution), and no message tells
whether a server file exists. The one check, `check_name`, is what DraftSpec's validators call,
so the CLI, the API (/api/draft, /api/drafts) and the review workflow all go through it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from kb.settings import home_dir

Kind = Literal["profile", "template"]

DRAFTING_DIR = Path(__file__).resolve().parent
SHIPPED = {"profile": DRAFTING_DIR / "profiles", "template": DRAFTING_DIR / "templates"}
ADMIN_FOLDER = {"profile": "profiles", "template": "templates"}  # under $CCN_HOME
SUFFIXES = {"profile": (".yaml", ".yml"), "template": (".docx",)}
LABELS = {"profile": "hồ sơ cơ quan", "template": "mẫu văn bản"}
EXAMPLES = {"profile": "cuc-dck", "template": "tra_loi"}
NAME = re.compile(r"[\w][\w.-]{0,99}")


class ResourceError(ValueError):
    """A profile or template name that is refused or unknown; the message is Vietnamese and
    names no server path."""


def check_name(value: str, kind: Kind) -> str:
    """`value` if it is a plain name (letters, digits, «.», «_», «-»; no path), else ResourceError."""
    value = value.strip()
    if not NAME.fullmatch(value) or ".." in value:
        raise ResourceError(
            f"chỉ được nêu tên {LABELS[kind]} (ví dụ «{EXAMPLES[kind]}»), không được nêu đường dẫn "
            f"tệp; {LABELS[kind]} riêng do quản trị đặt vào thư mục {ADMIN_FOLDER[kind]}/ của thư mục dữ liệu")
    return value


def default_home() -> Path:
    """The data folder when none is given: $CCN_HOME, else ./data (as the CLI)."""
    return home_dir()


def folders(kind: Kind, home: Path | None = None) -> list[Path]:
    """Where names are looked up, in order: the admin-managed folder, then the shipped one."""
    return [Path(home or default_home()) / ADMIN_FOLDER[kind], SHIPPED[kind]]


def available(kind: Kind, home: Path | None = None) -> list[str]:
    """The names that resolve (for messages and the UI)."""
    names = {p.stem for folder in folders(kind, home) if folder.is_dir()
             for p in folder.iterdir() if p.suffix in SUFFIXES[kind] and p.is_file()}
    return sorted(names)


def resolve(name: str, kind: Kind, home: Path | None = None) -> Path:
    """The file a name stands for: `<folder>/<name>` with one of the kind's suffixes (the name
    may carry it), admin folder first; ResourceError if it is not a name or is unknown."""
    name = check_name(name, kind)
    candidates = [name] if name.endswith(SUFFIXES[kind]) else [name + s for s in SUFFIXES[kind]]
    for folder in folders(kind, home):
        for candidate in candidates:
            path = folder / candidate
            if path.is_file():
                return path
    raise ResourceError(f"không có {LABELS[kind]} «{name}» (có sẵn: {', '.join(available(kind, home))})")
