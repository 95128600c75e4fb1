"""The review's records as the store returns them and the API serves them (pydantic), and its
settings."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from drafting.review.policy import Role


class User(BaseModel):
    id: int
    name: str
    display_name: str
    role: Role
    role_text: str
    active: bool
    created_at: datetime


class TokenInfo(BaseModel):
    id: int
    user: str
    prefix: str
    label: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class IssuedToken(BaseModel):
    """A new token: `token` is shown once, only its hash is stored."""

    id: int
    user: User
    token: str
    label: str


class CommentIn(BaseModel):
    paragraph: int | None = Field(None, ge=0, description="số thứ tự đoạn (từ 0); trống = cả văn bản")
    text: str = Field(min_length=1, max_length=5000, pattern=r"\S")


class Comment(BaseModel):
    id: int
    draft_id: int
    version: int
    paragraph: int | None
    author: str
    text: str
    created_at: datetime
    resolved: bool
    resolved_by: str | None = None
    resolved_at: datetime | None = None


class VersionInfo(BaseModel):
    number: int
    author: str
    created_at: datetime
    note: str
    sha256: str
    size: int
    paragraphs: list[str]
    check: dict[str, Any] | None = None


class AuditEntry(BaseModel):
    id: int
    at: datetime
    user: str
    action: str
    action_text: str
    draft_id: int | None
    version: int | None
    detail: dict[str, Any]


class DraftSummary(BaseModel):
    id: int
    title: str
    author: str
    state: str
    state_text: str
    version: int
    created_at: datetime
    updated_at: datetime
    approved_version: int | None = None


class DraftDetail(DraftSummary):
    spec: dict[str, Any]
    versions: list[VersionInfo]
    comments: list[Comment]
    audit: list[AuditEntry]
    approved_path: str | None = None
    published: dict[str, Any] | None = None


class ReviewSettings(BaseModel):
    """Where approved letters go, and the API tokens' length."""

    approved_dir: Path
    token_bytes: int = Field(32, ge=16, le=64)

    @classmethod
    def for_home(cls, home: Path, **overrides: Any) -> ReviewSettings:
        return cls(approved_dir=home / "approved", **overrides)
