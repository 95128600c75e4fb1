"""The review's persistence: users, tokens, drafts, versions, comments and the audit log, each
action and its audit row in one transaction, over the knowledge base's database."""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from drafting.review.models import (
    AuditEntry,
    Comment,
    CommentIn,
    DraftDetail,
    DraftSummary,
    IssuedToken,
    ReviewSettings,
    TokenInfo,
    User,
    VersionInfo,
)
from drafting.review.parts import Checker, Publisher, Renderer, Validator, default_components
from drafting.review.policy import (
    ACTION_LABELS,
    ACTION_VERBS,
    ALLOWED_FROM,
    OWN_DRAFTS_ONLY,
    PERMISSIONS,
    ROLE_LABELS,
    STATE_LABELS,
    STATES,
    Conflict,
    DetailKey,
    DraftAction,
    DraftState,
    Forbidden,
    Invalid,
    NotFound,
    ReviewError,
    Role,
    allowed_actions,
    check_role,
    require_role,
    transition_message,
)
from drafting.review.records import (
    AuditRow,
    CommentRow,
    DraftListRow,
    DraftRow,
    TokenHolder,
    TokenRow,
    UserRow,
    VersionListRow,
    VersionRow,
)
from drafting.review.schema import (
    api_tokens,
    audit_log,
    draft_versions,
    drafts,
    migrate,
    review_comments,
    users,
)
from kb.records import fetch
from kb.store import Store

SYSTEM_NAME = "(hệ thống)"  # the audit's "who" for actions without a user (CLI bootstrap)


DENIED_WINDOW_S = 60  # refusals of one user and action within it are one `denied` row, counted


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # stored naive, always UTC


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def docx_paragraphs(data: bytes) -> list[str]:
    """The non-empty paragraphs of a DOCX in document order (tables cell by cell)."""
    from docx import Document as open_docx
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    document = open_docx(io.BytesIO(data))
    out: list[str] = []

    def add(text: str) -> None:
        text = " ".join(text.split())
        if text:
            out.append(text)

    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            add(block.text)
        elif isinstance(block, DocxTable):
            for row in block.rows:
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) not in seen:  # merged cells repeat
                        seen.add(id(cell._tc))
                        for para in cell.paragraphs:
                            add(para.text)
    return out


def slug(text: str, limit: int = 60) -> str:
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(text) > limit:  # cut at a word boundary
        text = text[: limit + 1].rsplit("-", 1)[0]
    return text or "van-ban"


def spec_title(spec: dict[str, Any]) -> str:
    """A draft's title from its spec: trích yếu / V/v, else its kind."""
    for key in ("subject", "title", "trich_yeu", "summary", "vv"):
        value = spec.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    kind = spec.get("kind") or spec.get("doc_type") or "văn bản"
    return f"Dự thảo {kind}"


class ReviewStore:
    """Users, tokens, drafts and their review, over the knowledge base's database."""

    def __init__(
        self,
        store: Store,
        settings: ReviewSettings,
        *,
        render: Renderer | None = None,
        validate: Validator | None = None,
        publish: Publisher | None = None,
        check: Checker | None = None,
    ):
        self.store = store
        self.engine = store.engine
        self.settings = settings
        self._render = render
        self._validate = validate
        self._publish = publish
        self._check = check
        with self.engine.begin() as conn:
            migrate(conn)

    @classmethod
    def at_home(cls, store: Store, home: Path, **kwargs: Any) -> ReviewStore:
        """The store with the project's renderer, validator and checker (each may be replaced
        by a keyword argument); the publisher is the caller's (`publish=`, api/review.py)."""
        settings = kwargs.pop("settings", None) or ReviewSettings.for_home(home)
        parts = default_components(store, home, settings)
        return cls(store, settings, **(parts | kwargs))

    # ------------------------------------------------------------------ users, tokens
    def add_user(self, name: str, role: str, *, actor: User | None = None,
                 display_name: str | None = None) -> User:
        name = name.strip()
        if not re.fullmatch(r"[\w.@-]{1,100}", name):
            raise Invalid(f"tên đăng nhập «{name}» không hợp lệ (chữ, số, . _ - @; tối đa 100 ký tự)")
        check_role(role)
        with self._write() as conn:
            self._require_admin(conn, actor)
            if conn.execute(select(users.c.id).where(users.c.name == name)).first():
                raise Conflict(f"người dùng «{name}» đã có")
            user_id = conn.execute(users.insert().values(
                name=name, display_name=(display_name or name).strip(), role=role, active=True,
                created_at=_now())).inserted_primary_key[0]
            _audit(conn, actor, "user_add", detail={DetailKey.NAME: name, DetailKey.ROLE: role})
            return _user(_user_row(conn, user_id))

    def update_user(self, name: str, *, actor: User | None, role: str | None = None,
                    active: bool | None = None, display_name: str | None = None) -> User:
        changes: dict[str, Any] = {}
        if role is not None:
            check_role(role)
            changes["role"] = role
        if active is not None:
            changes["active"] = active
        if display_name:
            changes["display_name"] = display_name.strip()
        with self._write() as conn:
            self._require_admin(conn, actor)
            row = self._user_by_name(conn, name)
            _keep_an_admin(conn, row, changes)
            if changes:
                conn.execute(update(users).where(users.c.id == row.id).values(**changes))
                _audit(conn, actor, "user_update", detail={DetailKey.NAME: name, **changes})
            return _user(_user_row(conn, row.id))

    def issue_token(self, name: str, *, actor: User | None = None, label: str = "") -> IssuedToken:
        """A new API token for the user; only its SHA-256 is stored."""
        token = "ccn_" + secrets.token_urlsafe(self.settings.token_bytes)
        with self._write() as conn:
            self._require_admin(conn, actor)
            row = self._user_by_name(conn, name)
            token_id = conn.execute(api_tokens.insert().values(
                user_id=row.id, token_hash=hash_token(token), prefix=token[:10],
                label=label.strip(), created_at=_now())).inserted_primary_key[0]
            _audit(conn, actor, "token_issue",
                   detail={DetailKey.NAME: name, DetailKey.TOKEN_ID: token_id, DetailKey.PREFIX: token[:10],
                           DetailKey.LABEL: label})
            return IssuedToken(id=token_id, user=_user(row), token=token, label=label.strip())

    def revoke_token(self, token_id: int, *, actor: User | None) -> TokenInfo:
        with self._write() as conn:
            self._require_admin(conn, actor)
            found = self._token_rows(conn, token_id=token_id)
            if not found:
                raise NotFound(f"không có mã truy cập số {token_id}")
            if found[0].revoked_at is None:
                conn.execute(update(api_tokens).where(api_tokens.c.id == token_id)
                             .values(revoked_at=_now()))
                owner = found[0].user
                _audit(conn, actor, "token_revoke", detail={DetailKey.NAME: owner, DetailKey.TOKEN_ID: token_id})
            return self._tokens(conn, token_id=token_id)[0]

    def tokens(self, name: str | None = None) -> list[TokenInfo]:
        with self.engine.connect() as conn:
            user_id = self._user_by_name(conn, name).id if name else None
            return self._tokens(conn, user_id=user_id)

    def _tokens(self, conn: Connection, *, user_id: int | None = None,
                token_id: int | None = None) -> list[TokenInfo]:
        return [TokenInfo(id=r.id, user=r.user, prefix=r.prefix, label=r.label,
                          created_at=_utc(r.created_at), last_used_at=_utc(r.last_used_at),
                          revoked_at=_utc(r.revoked_at))
                for r in self._token_rows(conn, user_id=user_id, token_id=token_id)]

    @staticmethod
    def _token_rows(conn: Connection, *, user_id: int | None = None,
                    token_id: int | None = None) -> list[TokenRow]:
        query = (select(api_tokens, users.c.name.label("user"))
                 .join(users, users.c.id == api_tokens.c.user_id).order_by(api_tokens.c.id))
        if user_id is not None:
            query = query.where(api_tokens.c.user_id == user_id)
        if token_id is not None:
            query = query.where(api_tokens.c.id == token_id)
        return fetch(conn, TokenRow, query)

    def users(self) -> list[User]:
        with self.engine.connect() as conn:
            return [_user(r) for r in fetch(conn, UserRow, select(users).order_by(users.c.id))]

    def user(self, name: str) -> User:
        with self.engine.connect() as conn:
            return _user(self._user_by_name(conn, name))

    def authenticate(self, token: str | None) -> User | None:
        """The active user holding this (unrevoked) token, or None."""
        if not token:
            return None
        with self.engine.begin() as conn:
            found = fetch(conn, TokenHolder, (
                select(users, api_tokens.c.id.label("token_id"), api_tokens.c.last_used_at)
                .join(users, users.c.id == api_tokens.c.user_id)
                .where(api_tokens.c.token_hash == hash_token(token.strip()),
                       api_tokens.c.revoked_at.is_(None), users.c.active.is_(True))))
            if not found:
                return None
            holder, now = found[0], _now()
            if holder.last_used_at is None or (now - holder.last_used_at).total_seconds() > 60:
                conn.execute(update(api_tokens).where(api_tokens.c.id == holder.token_id)
                             .values(last_used_at=now))
            return _user(holder.user)

    # ------------------------------------------------------------------ drafts
    def create(self, actor: User, spec: dict[str, Any], *, note: str = "",
               title: str | None = None) -> DraftDetail:
        with self._write() as conn:
            require_role(actor, "create")
        spec = self._validated(spec)
        version = self._rendered(spec)
        with self._write() as conn:
            require_role(actor, "create")
            now = _now()
            draft_id = conn.execute(drafts.insert().values(
                title=(title or spec_title(spec)).strip(), author_id=actor.id, state=DraftState.DRAFT,
                current_version=1, created_at=now, updated_at=now)).inserted_primary_key[0]
            _insert_version(conn, draft_id, 1, actor, spec, version, note)
            _audit(conn, actor, "create", draft_id, 1, {DetailKey.TITLE: title or spec_title(spec), DetailKey.NOTE: note})
        return self.draft(draft_id)

    def update(self, actor: User, draft_id: int, spec: dict[str, Any], *, note: str = "") -> DraftDetail:
        """A new version (from `draft` or `returned`); the draft goes back to `draft`."""
        with self._write() as conn:
            self._allowed(conn, actor, DraftAction.EDIT, draft_id)
        spec = self._validated(spec)
        rendered = self._rendered(spec)
        with self._write() as conn:
            draft = self._allowed(conn, actor, DraftAction.EDIT, draft_id)
            number = draft.current_version + 1
            _insert_version(conn, draft_id, number, actor, spec, rendered, note)
            self._move(conn, draft, DraftState.DRAFT, current_version=number)
            detail = {DetailKey.FROM_STATE: draft.state, DetailKey.NOTE: note}
            title = spec_title(spec)
            if title != draft.title:
                conn.execute(update(drafts).where(drafts.c.id == draft_id).values(title=title))
                detail[DetailKey.TITLE] = title
            _audit(conn, actor, "update", draft_id, number, detail)
        return self.draft(draft_id)

    def submit(self, actor: User, draft_id: int, *, note: str = "") -> DraftDetail:
        with self._write() as conn:
            draft = self._allowed(conn, actor, DraftAction.SUBMIT, draft_id)
            self._move(conn, draft, DraftState.IN_REVIEW)
            _audit(conn, actor, "submit", draft_id, draft.current_version, {DetailKey.NOTE: note})
        return self.draft(draft_id)

    def comment(self, actor: User, draft_id: int, comments: list[CommentIn]) -> DraftDetail:
        if not comments:
            raise Invalid("cần ít nhất một góp ý")
        with self._write() as conn:
            draft = self._allowed(conn, actor, DraftAction.COMMENT, draft_id)
            self._add_comments(conn, actor, draft, comments)
        return self.draft(draft_id)

    def return_draft(self, actor: User, draft_id: int, comments: list[CommentIn] | None = None,
                     *, note: str = "") -> DraftDetail:
        """Back to the author, with comments (given now, or open ones on this version)."""
        with self._write() as conn:
            draft = self._allowed(conn, actor, DraftAction.RETURN, draft_id)
            added = self._add_comments(conn, actor, draft, comments or [], audit=False)
            if not added and not _open_comments(conn, draft_id, draft.current_version):
                raise Invalid("trả lại dự thảo cần ít nhất một góp ý cho người soạn")
            self._move(conn, draft, DraftState.RETURNED)
            _audit(conn, actor, "return", draft_id, draft.current_version,
                   {DetailKey.NOTE: note, DetailKey.COMMENTS: added})
        return self.draft(draft_id)

    def resolve_comment(self, actor: User, draft_id: int, comment_id: int) -> DraftDetail:
        with self._write() as conn:
            draft = self._allowed(conn, actor, DraftAction.RESOLVE, draft_id)
            row = conn.execute(select(review_comments).where(
                review_comments.c.id == comment_id, review_comments.c.draft_id == draft_id)).first()
            if row is None:
                raise NotFound(f"dự thảo số {draft_id} không có góp ý số {comment_id}")
            conn.execute(update(review_comments).where(review_comments.c.id == comment_id)
                         .values(resolved=True, resolved_by=actor.id, resolved_at=_now()))
            _audit(conn, actor, "resolve", draft_id, draft.current_version, {DetailKey.COMMENT: comment_id})
        return self.draft(draft_id)

    def approve(self, actor: User, draft_id: int, *, note: str = "") -> DraftDetail:
        """Approve the current version: render the final text (no "DỰ THẢO"), save it, ingest
        it into the knowledge base and update the search indexes, then record the approval."""
        with self._write() as conn:
            draft = self._allowed(conn, actor, DraftAction.APPROVE, draft_id)
            number = draft.current_version
            spec = _version_row(conn, draft_id, number).spec
        data = self._render_docx(spec, approved=True)
        path = self._save_approved(draft_id, draft.title, data)
        published = self._publish(path) if self._publish else {}
        with self._write() as conn:
            draft = self._allowed(conn, actor, DraftAction.APPROVE, draft_id)
            if draft.current_version != number:
                raise Conflict(f"dự thảo số {draft_id} vừa có phiên bản mới, hãy xem lại trước khi duyệt")
            self._move(conn, draft, DraftState.APPROVED, approved_version=number, approved_path=str(path),
                       approved_docx=data, published=published)
            _audit(conn, actor, "approve", draft_id, number,
                   {DetailKey.NOTE: note, DetailKey.PATH: _shown_path(str(path)), **published})
        return self.draft(draft_id)

    # ------------------------------------------------------------------ reading
    def drafts(self, *, state: str | None = None, author: str | None = None,
               viewer: User | None = None) -> list[DraftSummary]:
        """Drafts, newest first; a `viewer` without `read_all` (specialist, curator) sees only
        their own (None: everything, for the command line)."""
        if state is not None and state not in STATES:
            raise Invalid(f"trạng thái «{state}» không hợp lệ (có: {', '.join(STATES)})")
        query = _draft_query().order_by(drafts.c.updated_at.desc(), drafts.c.id.desc())
        if state:
            query = query.where(drafts.c.state == state)
        if author:
            query = query.where(users.c.name == author)
        if viewer is not None and viewer.role not in PERMISSIONS["read_all"]:
            query = query.where(drafts.c.author_id == viewer.id)
        with self.engine.connect() as conn:
            return [_summary(r) for r in fetch(conn, DraftListRow, query)]

    def draft(self, draft_id: int, *, viewer: User | None = None) -> DraftDetail:
        """One draft; Forbidden if `viewer` may not read it (`require_reader`)."""
        self.require_reader(viewer, draft_id)
        with self.engine.connect() as conn:
            found = fetch(conn, DraftListRow, _draft_query().where(drafts.c.id == draft_id))
            if not found:
                raise NotFound(f"không có dự thảo số {draft_id}")
            row = found[0]
            versions = _versions(conn, draft_id)
            return DraftDetail(
                **_summary(row).model_dump(),
                spec=_version_row(conn, draft_id, row.current_version).spec,
                versions=versions,
                comments=_comments(conn, draft_id),
                audit=self._audit_entries(conn, draft_id=draft_id),
                approved_path=_shown_path(row.approved_path),
                published=row.published,
            )

    def docx(self, draft_id: int, number: int | None = None, *, approved: bool = False,
             viewer: User | None = None) -> bytes:
        """A version's DOCX as reviewed, or (approved=True) the final approved letter."""
        self.require_reader(viewer, draft_id)
        with self.engine.connect() as conn:
            draft = _draft_row(conn, draft_id)
            if approved:
                if draft.approved_docx is None:
                    raise NotFound(f"dự thảo số {draft_id} chưa được phê duyệt")
                return draft.approved_docx
            return _version_row(conn, draft_id, number or draft.current_version).docx

    def audit(self, *, draft_id: int | None = None, user: str | None = None,
              action: str | None = None, limit: int = 200) -> list[AuditEntry]:
        with self.engine.connect() as conn:
            return self._audit_entries(conn, draft_id=draft_id, user=user, action=action, limit=limit)

    def require_reader(self, viewer: User | None, draft_id: int) -> None:
        """Who reads a draft: its author, reviewers and admins (None: the command line).
        NotFound first, so that an unknown id is a 404 for everyone."""
        if viewer is None or viewer.role in PERMISSIONS["read_all"]:
            return
        with self._write() as conn:
            draft = _draft_row(conn, draft_id)
            if draft.author_id != viewer.id:
                raise Forbidden(f"{ROLE_LABELS[viewer.role].lower()} «{viewer.name}» chỉ được xem dự thảo "
                                f"do mình soạn; dự thảo số {draft_id} là của người khác (người soạn, người "
                                "duyệt và quản trị mới được xem)", viewer, "read_all", draft_id,
                                draft.current_version)

    def require(self, actor: User, action: str) -> None:
        """Raise Forbidden (and record the refusal) unless the role may do this action."""
        with self._write():
            require_role(actor, action)

    def allowed_actions(self, actor: User, draft: DraftSummary) -> list[DraftAction]:
        """What this user may do to the draft now (for the UI's buttons)."""
        return allowed_actions(actor, draft)

    # ------------------------------------------------------------------ internals
    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One transaction; a refusal for lack of rights is recorded (after the rollback)."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except Forbidden as exc:
            with self.engine.begin() as conn:
                _audit_denied(conn, exc)
            raise

    def _require_admin(self, conn: Connection, actor: User | None) -> None:
        """None = the command line (whoever runs it owns the database)."""
        if actor is not None:
            require_role(actor, "manage_users")

    def _user_by_name(self, conn: Connection, name: str | None) -> UserRow:
        found = fetch(conn, UserRow, select(users).where(users.c.name == (name or "").strip()))
        if not found:
            raise NotFound(f"không có người dùng «{name}»")
        return found[0]

    def _allowed(self, conn: Connection, actor: User, action: DraftAction, draft_id: int) -> DraftRow:
        """The draft, if this user may do this action to it in its current state."""
        draft = _draft_row(conn, draft_id)
        require_role(actor, action, draft)
        if action == DraftAction.APPROVE and draft.author_id == actor.id:
            raise Forbidden(f"không ai được phê duyệt dự thảo do chính mình soạn (số {draft_id}): "
                            "cần một người duyệt khác", actor, action, draft_id, draft.current_version)
        if action in OWN_DRAFTS_ONLY and actor.role == Role.SPECIALIST and draft.author_id != actor.id:
            raise Forbidden(f"chỉ người soạn mới được {ACTION_VERBS[action]} số {draft_id}",
                            actor, action, draft_id, draft.current_version)
        if draft.state not in ALLOWED_FROM[action]:
            raise Conflict(transition_message(action, draft))
        return draft

    def _move(self, conn: Connection, draft: DraftRow, state: DraftState, **values: Any) -> None:
        """Change the state, only if nobody changed it meanwhile."""
        done = conn.execute(
            update(drafts).where(drafts.c.id == draft.id, drafts.c.state == draft.state)
            .values(state=state, updated_at=_now(), **values)
        ).rowcount
        if done != 1:
            raise Conflict(f"dự thảo số {draft.id} vừa được người khác thay đổi, hãy tải lại")

    def _add_comments(self, conn: Connection, actor: User, draft: DraftRow,
                      comments: list[CommentIn], *, audit: bool = True) -> list[int]:
        number = draft.current_version
        paragraphs = _version_row(conn, draft.id, number).paragraphs
        ids = []
        for item in comments:
            if item.paragraph is not None and item.paragraph >= len(paragraphs):
                raise Invalid(f"phiên bản {number} chỉ có {len(paragraphs)} đoạn (đánh số từ 0), "
                              f"không có đoạn {item.paragraph}")
            ids.append(conn.execute(review_comments.insert().values(
                draft_id=draft.id, version=number, paragraph=item.paragraph, author_id=actor.id,
                text=item.text.strip(), created_at=_now(), resolved=False)).inserted_primary_key[0])
            if audit:
                _audit(conn, actor, "comment", draft.id, number,
                       {DetailKey.COMMENT: ids[-1], DetailKey.PARAGRAPH: item.paragraph})
        return ids

    def _validated(self, spec: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(spec, dict) or not spec:
            raise Invalid("nội dung dự thảo (spec) phải là một đối tượng JSON không rỗng")
        if self._validate is None:
            return spec
        try:
            return self._validate(spec)
        except ValueError as exc:
            raise Invalid(f"nội dung dự thảo không hợp lệ: {exc}") from exc

    def _render_docx(self, spec: dict[str, Any], *, approved: bool) -> bytes:
        if self._render is None:
            raise ReviewError("chưa cấu hình bộ tạo tệp DOCX cho dự thảo")
        try:
            return self._render(spec, approved)
        except ReviewError:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise Invalid(f"không tạo được tệp DOCX từ dự thảo: {exc}") from exc

    def _rendered(self, spec: dict[str, Any]) -> dict[str, Any]:
        """The draft rendering of a spec: DOCX bytes, paragraphs, checker report."""
        data = self._render_docx(spec, approved=False)
        return {"docx": data, "paragraphs": docx_paragraphs(data), "check": self._check_report(spec)}

    def _check_report(self, spec: dict[str, Any]) -> dict[str, Any] | None:
        if self._check is None:
            return None
        try:
            return self._check(spec)
        except Exception as exc:  # the checker's failure must not block the workflow
            return {"error": f"không kiểm tra được trích dẫn: {type(exc).__name__}: {exc}"}

    def _save_approved(self, draft_id: int, title: str, data: bytes) -> Path:
        folder = self.settings.approved_dir
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"cong-van-da-duyet-{draft_id}-{slug(title)}.docx"
        path.write_bytes(data)
        return path.resolve()

    def _audit_entries(self, conn: Connection, *, draft_id: int | None = None,
                       user: str | None = None, action: str | None = None,
                       limit: int = 1000) -> list[AuditEntry]:
        query = select(audit_log).order_by(audit_log.c.id)
        if draft_id is not None:
            query = query.where(audit_log.c.draft_id == draft_id)
        if user:
            query = query.where(audit_log.c.user_name == user)
        if action:
            query = query.where(audit_log.c.action == action)
        if draft_id is None:  # the newest `limit` rows, oldest first
            query = query.order_by(None).order_by(audit_log.c.id.desc()).limit(limit)
        rows = sorted(fetch(conn, AuditRow, query), key=lambda r: r.id)
        return [AuditEntry(id=r.id, at=_utc(r.at), user=r.user_name, action=r.action,
                           action_text=ACTION_LABELS.get(r.action, r.action),
                           draft_id=r.draft_id, version=r.version, detail=r.detail or {})
                for r in rows]


def _audit(conn: Connection, actor: User | None, action: str, draft_id: int | None = None,
           version: int | None = None, detail: dict[str, Any] | None = None) -> None:
    conn.execute(audit_log.insert().values(
        at=_now(), user_id=actor.id if actor else None,
        user_name=actor.name if actor else SYSTEM_NAME, action=action, draft_id=draft_id,
        version=version, detail=detail or {}))


def _audit_denied(conn: Connection, exc: Forbidden) -> None:
    """A refusal: one `denied` row per user and attempted action within DENIED_WINDOW_S,
    its `count` raised by each repeat, so that a token holder cannot flood the log."""
    since = _now() - timedelta(seconds=DENIED_WINDOW_S)
    actor_id = exc.actor.id if exc.actor else None
    for row in conn.execute(select(audit_log.c.id, audit_log.c.detail).where(
            audit_log.c.action == "denied", audit_log.c.at >= since,
            audit_log.c.user_id.is_(None) if actor_id is None else audit_log.c.user_id == actor_id,
    ).order_by(audit_log.c.id.desc()).limit(20)).mappings():
        detail = dict(row.detail or {})
        if detail.get(DetailKey.ATTEMPTED) == exc.action:
            detail.update({DetailKey.COUNT: int(detail.get(DetailKey.COUNT, 1)) + 1,
                           DetailKey.LAST_AT: _now().isoformat(timespec="seconds"),
                           DetailKey.LAST_DRAFT: exc.draft_id})
            conn.execute(update(audit_log).where(audit_log.c.id == row.id).values(detail=detail))
            return
    _audit(conn, exc.actor, "denied", exc.draft_id, exc.version,
           {DetailKey.ATTEMPTED: exc.action, DetailKey.REASON: exc.message, DetailKey.COUNT: 1})


def _keep_an_admin(conn: Connection, row: UserRow, changes: dict[str, Any]) -> None:
    """The last active admin may not be demoted or deactivated (by themselves or anyone)."""
    stays = changes.get("role", row.role) == Role.ADMIN and changes.get("active", row.active)
    if row.role != Role.ADMIN or not row.active or stays:
        return
    others = conn.execute(select(func.count()).select_from(users).where(
        users.c.role == Role.ADMIN, users.c.active.is_(True), users.c.id != row.id)).scalar_one()
    if not others:
        raise Conflict(f"«{row.name}» là quản trị cuối cùng đang hoạt động: không thể khoá hay đổi "
                       "vai trò; hãy cấp quyền quản trị cho người khác trước")


def _shown_path(path: str | None) -> str | None:
    """A stored file as responses show it: relative to the data folder (approved/<tên tệp>),
    never the server's absolute path."""
    return f"approved/{Path(path).name}" if path else None


def _user(row: UserRow) -> User:
    return User(id=row.id, name=row.name, display_name=row.display_name, role=row.role,
                role_text=ROLE_LABELS[row.role], active=row.active, created_at=_utc(row.created_at))


def _user_row(conn: Connection, user_id: int) -> UserRow:
    (row,) = fetch(conn, UserRow, select(users).where(users.c.id == user_id))
    return row


def _draft_row(conn: Connection, draft_id: int) -> DraftRow:
    found = fetch(conn, DraftRow, select(drafts).where(drafts.c.id == draft_id))
    if not found:
        raise NotFound(f"không có dự thảo số {draft_id}")
    return found[0]


def _draft_query():
    return (select(drafts.c.id, drafts.c.title, drafts.c.state, drafts.c.current_version,
                   drafts.c.created_at, drafts.c.updated_at, drafts.c.approved_version,
                   drafts.c.approved_path, drafts.c.published, users.c.name.label("author"))
            .join(users, users.c.id == drafts.c.author_id))


def _summary(row: DraftListRow) -> DraftSummary:
    return DraftSummary(id=row.id, title=row.title, author=row.author, state=row.state,
                        state_text=STATE_LABELS[row.state], version=row.current_version,
                        created_at=_utc(row.created_at), updated_at=_utc(row.updated_at),
                        approved_version=row.approved_version)


def _version_row(conn: Connection, draft_id: int, number: int) -> VersionRow:
    found = fetch(conn, VersionRow, select(draft_versions).where(
        draft_versions.c.draft_id == draft_id, draft_versions.c.number == number))
    if not found:
        raise NotFound(f"dự thảo số {draft_id} không có phiên bản {number}")
    return found[0]


def _insert_version(conn: Connection, draft_id: int, number: int, actor: User,
                    spec: dict[str, Any], rendered: dict[str, Any], note: str) -> None:
    data = rendered["docx"]
    conn.execute(draft_versions.insert().values(
        draft_id=draft_id, number=number, author_id=actor.id, created_at=_now(), note=note,
        spec=spec, docx=data, sha256=hashlib.sha256(data).hexdigest(),
        paragraphs=rendered["paragraphs"], check_report=rendered["check"]))


def _versions(conn: Connection, draft_id: int) -> list[VersionInfo]:
    v = draft_versions
    query = (select(v.c.number, v.c.created_at, v.c.note, v.c.sha256, v.c.paragraphs,
                    v.c.check_report, func.length(v.c.docx).label("size"), users.c.name.label("author"))
             .join(users, users.c.id == v.c.author_id)
             .where(v.c.draft_id == draft_id).order_by(v.c.number))
    return [VersionInfo(number=r.number, author=r.author, created_at=_utc(r.created_at),
                        note=r.note or "", sha256=r.sha256, size=r.size or 0,
                        paragraphs=r.paragraphs, check=r.check_report)
            for r in fetch(conn, VersionListRow, query)]


def _comments(conn: Connection, draft_id: int) -> list[Comment]:
    c = review_comments
    author, resolver = users.alias("author"), users.alias("resolver")
    query = (select(c, author.c.name.label("author_name"), resolver.c.name.label("resolver_name"))
             .join(author, author.c.id == c.c.author_id)
             .outerjoin(resolver, resolver.c.id == c.c.resolved_by)
             .where(c.c.draft_id == draft_id).order_by(c.c.id))
    return [Comment(id=r.id, draft_id=r.draft_id, version=r.version,
                    paragraph=r.paragraph, author=r.author_name, text=r.text,
                    created_at=_utc(r.created_at), resolved=r.resolved,
                    resolved_by=r.resolver_name, resolved_at=_utc(r.resolved_at))
            for r in fetch(conn, CommentRow, query)]


def _open_comments(conn: Connection, draft_id: int, number: int) -> int:
    c = review_comments
    return conn.execute(select(func.count()).select_from(c).where(
        c.c.draft_id == draft_id, c.c.version == number, c.c.resolved.is_(False))).scalar_one()
