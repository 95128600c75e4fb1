"""Review workflow: drafts with versions, reviewers' comments, users, roles, API tokens, audit.

    policy.py   the state diagram, who may do what, the refusals (ReviewError and its kinds)
    schema.py   the tables and their migrations (review_001 frozen)
    models.py   the records (pydantic) and ReviewSettings
    store.py    ReviewStore: the persistence, each action with its audit row
    parts.py    the replaceable renderer, validator and checker (and their defaults)

Its wiring into the HTTP API (routes, authentication, publishing) lives in api/review.py.
"""

from drafting.review.models import (
    AuditEntry,
    CommentIn,
    DraftDetail,
    DraftSummary,
    IssuedToken,
    ReviewSettings,
    TokenInfo,
    User,
)
from drafting.review.parts import check_spec, documents_of_file, render_spec, validate_spec
from drafting.review.policy import (
    DETAIL_LABELS,
    DRAFT_ACTION_TEXT,
    PERMISSIONS,
    ROLE_LABELS,
    STATE_LABELS,
    Conflict,
    DetailKey,
    DraftAction,
    DraftState,
    Forbidden,
    Invalid,
    ReviewError,
    Role,
)
from drafting.review.store import ReviewStore, hash_token

__all__ = [
    "DETAIL_LABELS", "DRAFT_ACTION_TEXT", "PERMISSIONS", "ROLE_LABELS", "STATE_LABELS", "AuditEntry", "DetailKey", "DraftAction", "DraftState", "CommentIn", "Conflict", "DraftDetail", "DraftSummary", "Forbidden",
    "Invalid", "IssuedToken", "ReviewError", "ReviewSettings", "ReviewStore", "Role", "TokenInfo",
    "User", "check_spec", "documents_of_file", "hash_token", "render_spec", "validate_spec",
]
