"""Review workflow: drafts with versions, reviewers' comments, users, roles, API tokens, audit.

    draft ──submit──▶ in_review ──approve──▶ approved ──▶ ingested as a past letter, indexed
      ▲                   │
      └──edit (new v.)── returned ◀──return (with comments per paragraph)

Roles: `specialist` creates drafts and edits and submits their own; `reviewer` comments,
returns and approves; `curator` changes the knowledge base (ingest, withdraw, confirm documents);
`admin` manages users and tokens and may do everything but approve a draft they
wrote (nobody does); the last active admin cannot be deactivated or demoted. A draft is read by
its author, reviewers and admins (`read_all`). A role without the right gets `Forbidden` (HTTP
403), recorded in the audit log as `denied` (one row per user and action a minute, counted); an
action the draft's state does not allow gets `Conflict` (409). Every action writes its audit row (who,
when, what, which version) in the same transaction as the change it records.

The tables live in the knowledge base's database (the kb Store's engine), created by the
review's own ordered, named migrations (schema.py; recorded in kb's `_migrations`). Each
version keeps its spec (JSON), its rendered DOCX (bytes), the DOCX's paragraphs (what comments point
to, by index) and the checker's report when drafting.checker exists.

On approval the final letter is rendered without "DỰ THẢO", saved under $CCN_HOME/approved/
and handed to the store's publisher: the API's (api/review.py `publish_letter`) ingests it
through the normal pipeline and updates the search indexes, so later searches and answers find
it. Drafting itself imports neither ingest nor the index builder.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drafting.review.models import DraftSummary, User
    from drafting.review.records import DraftRow


class Role(StrEnum):
    """A user's role (vai trò); what each may do: PERMISSIONS."""

    SPECIALIST = "specialist"
    REVIEWER = "reviewer"
    CURATOR = "curator"
    ADMIN = "admin"


class DraftState(StrEnum):
    """A draft's state in the workflow (the diagram above); the moves: ALLOWED_FROM, NEXT_STATE."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    RETURNED = "returned"
    APPROVED = "approved"


class DraftAction(StrEnum):
    """What a user may do to a draft (GET /api/drafts/{id} `actions`, the page's buttons); the
    states each is allowed from: ALLOWED_FROM."""

    EDIT = "edit"
    SUBMIT = "submit"
    COMMENT = "comment"
    RESOLVE = "resolve"
    RETURN = "return"
    APPROVE = "approve"


ROLES: tuple[Role, ...] = tuple(Role)
STATES: tuple[DraftState, ...] = tuple(DraftState)

ROLE_LABELS: dict[Role, str] = {Role.SPECIALIST: "Chuyên viên", Role.REVIEWER: "Người duyệt",
                                Role.CURATOR: "Người quản lý kho văn bản", Role.ADMIN: "Quản trị"}
STATE_LABELS: dict[DraftState, str] = {
    DraftState.DRAFT: "Đang soạn",
    DraftState.IN_REVIEW: "Đang xem xét",
    DraftState.RETURNED: "Bị trả lại",
    DraftState.APPROVED: "Đã phê duyệt",
}
DRAFT_ACTION_TEXT: dict[DraftAction, str] = {  # a button's text
    DraftAction.EDIT: "Sửa (phiên bản mới)",
    DraftAction.SUBMIT: "Trình xem xét",
    DraftAction.COMMENT: "Góp ý",
    DraftAction.RESOLVE: "Đã xử lý",
    DraftAction.RETURN: "Trả lại kèm góp ý",
    DraftAction.APPROVE: "Phê duyệt",
}
ACTION_LABELS = {
    "create": "Tạo dự thảo",
    "update": "Sửa dự thảo (phiên bản mới)",
    "submit": "Trình xem xét",
    "comment": "Góp ý",
    "resolve": "Đánh dấu góp ý đã xử lý",
    "return": "Trả lại",
    "approve": "Phê duyệt",
    "denied": "Bị từ chối (không đủ quyền)",
    "user_add": "Thêm người dùng",
    "user_update": "Sửa người dùng",
    "token_issue": "Cấp mã truy cập",
    "token_revoke": "Thu hồi mã truy cập",
}


class DetailKey(StrEnum):
    """A key of an audit row's `detail` (AuditEntry.detail): what the row records besides who,
    when, which action, draft and version."""

    NOTE = "note"
    TITLE = "title"
    FROM_STATE = "from_state"  # a DraftState
    COMMENTS = "comments"  # the comments' numbers
    COMMENT = "comment"  # a comment's number
    PARAGRAPH = "paragraph"
    ATTEMPTED = "attempted"  # the action refused (`denied`)
    REASON = "reason"
    COUNT = "count"  # refusals counted in one `denied` row
    LAST_AT = "last_at"
    LAST_DRAFT = "last_draft"
    PATH = "path"  # the approved letter's file
    DOCUMENTS = "documents"  # what publishing it stored
    INGESTED = "ingested"
    INDEX = "index"
    NAME = "name"  # a user's
    ROLE = "role"  # a Role
    ACTIVE = "active"
    DISPLAY_NAME = "display_name"
    TOKEN_ID = "token_id"
    PREFIX = "prefix"
    LABEL = "label"


DETAIL_LABELS: dict[DetailKey, str] = {
    DetailKey.NOTE: "ghi chú",
    DetailKey.TITLE: "tiêu đề",
    DetailKey.FROM_STATE: "từ trạng thái",
    DetailKey.COMMENTS: "góp ý số",
    DetailKey.COMMENT: "góp ý số",
    DetailKey.PARAGRAPH: "đoạn",
    DetailKey.ATTEMPTED: "việc",
    DetailKey.REASON: "lý do",
    DetailKey.COUNT: "số lần",
    DetailKey.LAST_AT: "lần gần nhất",
    DetailKey.LAST_DRAFT: "dự thảo lần gần nhất",
    DetailKey.PATH: "tệp",
    DetailKey.DOCUMENTS: "văn bản trong kho",
    DetailKey.INGESTED: "đã nạp",
    DetailKey.INDEX: "chỉ mục",
    DetailKey.NAME: "người dùng",
    DetailKey.ROLE: "vai trò",
    DetailKey.ACTIVE: "hoạt động",
    DetailKey.DISPLAY_NAME: "tên hiển thị",
    DetailKey.TOKEN_ID: "mã số",
    DetailKey.PREFIX: "mã",
    DetailKey.LABEL: "ghi chú mã",
}
ACTION_VERBS = {  # for messages: "không có quyền <verb>"
    "create": "tạo dự thảo",
    "edit": "sửa dự thảo",
    "submit": "trình dự thảo",
    "comment": "góp ý dự thảo",
    "resolve": "đánh dấu góp ý đã xử lý trên dự thảo",
    "return": "trả lại dự thảo",
    "approve": "phê duyệt dự thảo",
    "manage_users": "quản lý người dùng và mã truy cập",
    "audit": "xem toàn bộ nhật ký",
    "change_kb": "thay đổi cơ sở tri thức (nạp, rút, xác nhận văn bản)",
    "read_all": "xem dự thảo của người khác",
}

# Who may do what (by role), and in which states (draft actions only).
PERMISSIONS: dict[str, set[Role]] = {
    "create": {Role.SPECIALIST, Role.ADMIN},
    "edit": {Role.SPECIALIST, Role.ADMIN},
    "submit": {Role.SPECIALIST, Role.ADMIN},
    "comment": {Role.REVIEWER, Role.ADMIN},
    "resolve": {Role.SPECIALIST, Role.REVIEWER, Role.ADMIN},
    "return": {Role.REVIEWER, Role.ADMIN},
    "approve": {Role.REVIEWER, Role.ADMIN},
    "manage_users": {Role.ADMIN},
    "audit": {Role.REVIEWER, Role.ADMIN},
    "change_kb": {Role.CURATOR, Role.ADMIN},
    "read_all": {Role.REVIEWER, Role.ADMIN},  # every draft; others read their own drafts only
}
OWN_DRAFTS_ONLY = {DraftAction.EDIT, DraftAction.SUBMIT, DraftAction.RESOLVE}  # a specialist: own drafts only
ALLOWED_FROM: dict[DraftAction, set[DraftState]] = {
    DraftAction.EDIT: {DraftState.DRAFT, DraftState.RETURNED},
    DraftAction.SUBMIT: {DraftState.DRAFT},
    DraftAction.COMMENT: {DraftState.IN_REVIEW},
    DraftAction.RESOLVE: {DraftState.DRAFT, DraftState.IN_REVIEW, DraftState.RETURNED},
    DraftAction.RETURN: {DraftState.IN_REVIEW},
    DraftAction.APPROVE: {DraftState.IN_REVIEW},
}
NEXT_STATE: dict[DraftAction, DraftState] = {
    DraftAction.EDIT: DraftState.DRAFT, DraftAction.SUBMIT: DraftState.IN_REVIEW,
    DraftAction.RETURN: DraftState.RETURNED, DraftAction.APPROVE: DraftState.APPROVED}


# ----------------------------------------------------------------------------- errors
class ReviewError(Exception):
    """A refused request; `message` is Vietnamese, `status` the HTTP status it maps to."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(ReviewError):
    status = 404


class Forbidden(ReviewError):
    status = 403

    def __init__(self, message: str, actor: User | None, action: str,
                 draft_id: int | None = None, version: int | None = None):
        super().__init__(message)
        self.actor, self.action, self.draft_id, self.version = actor, action, draft_id, version


class Conflict(ReviewError):
    """The draft's state does not allow the action (an illegal transition)."""

    status = 409


class Invalid(ReviewError):
    status = 422


def check_role(role: str) -> None:
    if role not in ROLES:
        raise Invalid(f"vai trò «{role}» không hợp lệ (có: {', '.join(ROLES)})")


def require_role(actor: User, action: str, draft: DraftRow | None = None) -> None:
    if actor.role not in PERMISSIONS[action]:
        allowed = ", ".join(ROLE_LABELS[r].lower() for r in ROLES if r in PERMISSIONS[action])
        raise Forbidden(
            f"{ROLE_LABELS[actor.role].lower()} «{actor.name}» không có quyền {ACTION_VERBS[action]}"
            f" (chỉ {allowed})",
            actor, action, draft.id if draft else None,
            draft.current_version if draft else None,
        )


def allowed_actions(actor: User, draft: DraftSummary) -> list[DraftAction]:
    """What this user may do to the draft now (for the UI's buttons)."""
    out = []
    for action, states in ALLOWED_FROM.items():
        own = draft.author == actor.name
        if draft.state in states and actor.role in PERMISSIONS[action] and not (
            action in OWN_DRAFTS_ONLY and actor.role == Role.SPECIALIST and not own
        ) and not (action == DraftAction.APPROVE and own):
            out.append(action)
    return out


def transition_message(action: str, draft: DraftRow) -> str:
    allowed = " hoặc ".join(f"«{STATE_LABELS[s]}»" for s in STATES if s in ALLOWED_FROM[action])
    return (f"không thể {ACTION_VERBS[action]} số {draft.id}: dự thảo đang ở trạng thái "
            f"«{STATE_LABELS[draft.state]}», chỉ {ACTION_VERBS[action]} khi {allowed}")
