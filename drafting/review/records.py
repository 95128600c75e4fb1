"""The review tables' rows as the review store reads them (drafting/review/schema.py): frozen
records with the columns as fields (plus the names a query joins in), so that the store reads
`draft.current_version`, not `draft["current_version"]`. What the API serves is built from
them in drafting/review/models.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class UserRow:
    """A user of the review workflow (người dùng: chuyên viên, người duyệt, quản trị …)."""

    id: int
    name: str
    display_name: str
    role: str
    active: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TokenRow:
    """An API token (mã truy cập) and its holder's name; only the token's hash is stored."""

    id: int
    user_id: int
    token_hash: str
    prefix: str
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    user: str


@dataclass(frozen=True, slots=True)
class TokenHolder:
    """The active user holding a token (authentication), with the token's id and last use."""

    id: int
    name: str
    display_name: str
    role: str
    active: bool
    created_at: datetime
    token_id: int
    last_used_at: datetime | None

    @property
    def user(self) -> UserRow:
        return UserRow(self.id, self.name, self.display_name, self.role, self.active, self.created_at)


@dataclass(frozen=True, slots=True)
class DraftRow:
    """A draft letter under review (dự thảo) as stored, its final DOCX once approved."""

    id: int
    title: str
    author_id: int
    state: str
    current_version: int
    created_at: datetime
    updated_at: datetime
    approved_version: int | None
    approved_path: str | None
    approved_docx: bytes | None
    published: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class DraftListRow:
    """A draft as listed (without its DOCX), with its author's name."""

    id: int
    title: str
    state: str
    current_version: int
    created_at: datetime
    updated_at: datetime
    approved_version: int | None
    approved_path: str | None
    published: dict[str, Any] | None
    author: str


@dataclass(frozen=True, slots=True)
class VersionRow:
    """One version of a draft (phiên bản dự thảo): its spec, DOCX and paragraphs."""

    id: int
    draft_id: int
    number: int
    author_id: int
    created_at: datetime
    note: str
    spec: dict[str, Any]
    docx: bytes
    sha256: str
    paragraphs: list[str]
    check_report: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class VersionListRow:
    """A version as listed: without its DOCX, with its size and author's name."""

    number: int
    created_at: datetime
    note: str
    sha256: str
    paragraphs: list[str]
    check_report: dict[str, Any] | None
    size: int | None
    author: str


@dataclass(frozen=True, slots=True)
class CommentRow:
    """A reviewer's comment (góp ý) on a version, with its author's and resolver's names."""

    id: int
    draft_id: int
    version: int
    paragraph: int | None
    author_id: int
    text: str
    created_at: datetime
    resolved: bool
    resolved_by: int | None
    resolved_at: datetime | None
    author_name: str
    resolver_name: str | None


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One line of the review's audit log (nhật ký): who did what to which draft."""

    id: int
    at: datetime
    user_id: int | None
    user_name: str
    action: str
    draft_id: int | None
    version: int | None
    detail: dict[str, Any]
