"""The review workflow at store level (drafting.review): users, roles, tokens, the state machine,
versions, per-paragraph comments, the audit log, and publication of an approved letter.

Drafts are rendered by the real renderer against the shared ccn knowledge base (read only); the
review tables, approved letters and their search index live in a home of this module's own, so
that approving never changes the shared stores other tests count on.
"""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import pytest
import yaml
from docx import Document as open_docx
from sqlalchemy import inspect, select

from api.review import publish_letter  # publishing (ingest, index) is the API layer's
from drafting.review import (
    CommentIn,
    Conflict,
    DetailKey,
    Forbidden,
    Invalid,
    ReviewError,
    ReviewSettings,
    ReviewStore,
    User,
    check_spec,
    hash_token,
    render_spec,
    validate_spec,
)
from kb import schema as kb_schema
from kb.store import Store

EXAMPLES = Path(__file__).resolve().parents[1] / "drafting" / "examples"
PHRASE = "trạm quan trắc nước thải tự động đặt tại cửa xả Bản Phiệt"
_ids = itertools.count(1)


def docx_text(data: bytes) -> str:
    doc = open_docx(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    for section in doc.sections:  # "DỰ THẢO" stands in the first page's header
        for header in (section.header, section.first_page_header):
            parts += [p.text for p in header.paragraphs]
    return "\n".join(parts)


def example(name: str = "gop_y") -> dict:
    return yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("review-home")


@pytest.fixture(scope="module")
def review(home: Path, ccn_store: Store) -> ReviewStore:
    """Review tables, approved letters and their lexical index in `home`; drafts rendered and
    checked against the ccn knowledge base."""
    store = Store.at_home(home)
    settings = ReviewSettings.for_home(home, index_dense="none")

    def reindex():
        from retrieval.build import build_indexes

        return build_indexes(store, home, dense="none")

    return ReviewStore(
        store, settings,
        render=lambda spec, approved: render_spec(ccn_store, spec, approved),
        validate=validate_spec,
        check=lambda spec: check_spec(ccn_store, spec),
        publish=lambda path: publish_letter(store, path, reindex),
    )


class People:
    def __init__(self, review: ReviewStore):
        n = next(_ids)
        self.specialist = review.add_user(f"chuyenvien{n}", "specialist", display_name="Nguyễn Thị Chuyên")
        self.other = review.add_user(f"chuyenvienkhac{n}", "specialist")
        self.reviewer = review.add_user(f"truongphong{n}", "reviewer", display_name="Trần Văn Duyệt")
        self.admin = review.add_user(f"quantri{n}", "admin")


@pytest.fixture
def people(review: ReviewStore) -> People:
    return People(review)


def actions(review: ReviewStore, draft_id: int) -> list[tuple[str, str, int | None]]:
    return [(e.user, e.action, e.version) for e in review.draft(draft_id).audit]


# ----------------------------------------------------------------------------- schema
def test_tables_created_by_named_migrations(review: ReviewStore) -> None:
    with review.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        applied = {r.name for r in conn.execute(select(kb_schema.migrations_table.c.name))}
    assert {"users", "api_tokens", "drafts", "draft_versions", "review_comments", "audit_log"} <= tables
    assert {"001_initial", "review_001_initial"} <= applied
    again = ReviewStore(review.store, review.settings)  # reopening applies nothing twice
    assert again.users() == review.users()


# ----------------------------------------------------------------------------- users, tokens
def test_tokens_are_hashed_authenticate_and_can_be_revoked(review: ReviewStore, people: People) -> None:
    issued = review.issue_token(people.specialist.name, actor=people.admin, label="máy phòng CN")
    assert issued.token.startswith("ccn_") and len(issued.token) > 40
    with review.engine.connect() as conn:
        stored = {r.token_hash for r in conn.execute(select(review_tokens_table()))}
    assert hash_token(issued.token) in stored and issued.token not in stored
    holder = review.authenticate(issued.token)
    assert (holder.name, holder.id) == (people.specialist.name, people.specialist.id)  # the user's id, not the token's
    assert review.authenticate(f"Bearer {issued.token}") is None
    assert review.authenticate(issued.token + "x") is None
    assert review.authenticate("") is None

    review.revoke_token(issued.id, actor=people.admin)
    assert review.authenticate(issued.token) is None
    second = review.issue_token(people.specialist.name)  # the command line: no actor
    assert review.authenticate(second.token) is not None
    review.update_user(people.specialist.name, actor=people.admin, active=False)
    assert review.authenticate(second.token) is None  # a locked user's tokens stop working
    review.update_user(people.specialist.name, actor=people.admin, active=True)

    rows = [(e.user, e.action, e.detail.get("name")) for e in review.audit(action="token_revoke")]
    assert (people.admin.name, "token_revoke", people.specialist.name) in rows


def review_tokens_table():
    from drafting.review.schema import api_tokens

    return api_tokens


def test_only_admins_manage_users(review: ReviewStore, people: People) -> None:
    for actor in (people.specialist, people.reviewer):
        with pytest.raises(Forbidden, match="không có quyền quản lý người dùng"):
            review.add_user(f"ke-gian-{actor.name}", "admin", actor=actor)
        with pytest.raises(Forbidden):
            review.issue_token(people.admin.name, actor=actor)
    names = {u.name for u in review.users()}
    assert f"ke-gian-{people.specialist.name}" not in names
    denied = [e for e in review.audit(action="denied") if e.user == people.reviewer.name]
    assert denied and denied[-1].detail["attempted"] == "manage_users"
    with pytest.raises(Invalid, match="vai trò «boss» không hợp lệ"):
        review.add_user("sep", "boss", actor=people.admin)
    with pytest.raises(Conflict, match="đã có"):
        review.add_user(people.reviewer.name, "reviewer", actor=people.admin)


# ----------------------------------------------------------------------------- the cycle
def test_draft_returned_with_comments_then_approved_and_published(review: ReviewStore, people: People,
                                                                    home: Path) -> None:
    sp, rv = people.specialist, people.reviewer
    spec = example()
    draft = review.create(sp, spec, note="bản đầu")
    assert (draft.state, draft.version, draft.author) == ("draft", 1, sp.name)
    assert draft.title == spec["subject"]
    v1 = draft.versions[0]
    assert any(p.startswith("Kính gửi") for p in v1.paragraphs)
    assert v1.check is not None and v1.check["counts"]["errors"] == 0  # checker's report kept
    assert "DỰ THẢO" in docx_text(review.docx(draft.id, 1))

    draft = review.submit(sp, draft.id)
    assert draft.state == "in_review"
    point = next(i for i, p in enumerate(v1.paragraphs) if p.startswith("Đề nghị rà soát quy mô"))
    draft = review.return_draft(rv, draft.id, [
        CommentIn(paragraph=point, text="Nêu rõ trường hợp cụm công nghiệp làng nghề."),
        CommentIn(text="Rà soát lại toàn bộ căn cứ pháp lý."),
    ], note="cần sửa")
    assert draft.state == "returned"
    assert [(c.version, c.paragraph, c.author) for c in draft.comments] == [
        (1, point, rv.name), (1, None, rv.name)]

    spec["points"][1]["text"] += f" Đề nghị bổ sung {PHRASE}."
    draft = review.update(sp, draft.id, spec, note="sửa theo góp ý")
    assert (draft.state, draft.version) == ("draft", 2)
    assert PHRASE in " ".join(draft.versions[1].paragraphs)
    assert PHRASE not in docx_text(review.docx(draft.id, 1))  # v1 kept as it was
    draft = review.resolve_comment(sp, draft.id, draft.comments[0].id)
    assert draft.comments[0].resolved and draft.comments[0].resolved_by == sp.name
    review.submit(sp, draft.id)

    draft = review.approve(rv, draft.id, note="đồng ý")
    assert (draft.state, draft.approved_version) == ("approved", 2)
    final = docx_text(review.docx(draft.id, approved=True))
    assert "DỰ THẢO" not in final and PHRASE in final
    assert "TRÍCH DẪN CÁC QUY ĐỊNH" not in final  # the reviewer's appendix is not sent
    # shown relative to the data folder, never as the server's absolute path
    assert draft.approved_path.startswith("approved/") and (home / draft.approved_path).is_file()

    assert actions(review, draft.id) == [
        (sp.name, "create", 1), (sp.name, "submit", 1), (rv.name, "return", 1),
        (sp.name, "update", 2), (sp.name, "resolve", 2), (sp.name, "submit", 2),
        (rv.name, "approve", 2),
    ]
    audit = review.draft(draft.id).audit
    assert all(e.at.tzinfo is not None for e in audit)
    # every detail the log holds has its label (/api/labels audit_detail)
    keys = {key for e in review.audit() for key in e.detail}
    assert {"from_state", "comments", "path", "documents", "ingested", "index"} <= keys <= set(DetailKey)
    assert audit[2].detail["comments"] == [c.id for c in draft.comments]
    approve = audit[-1].detail
    assert approve["note"] == "đồng ý" and approve["documents"] == draft.published["documents"]

    # the approved letter is a document of the knowledge base, found by search
    (doc_key,) = draft.published["documents"]
    assert review.store.document(doc_key).doc_type == "Công văn"
    from retrieval.build import open_searcher
    from retrieval.settings import preset

    hits = open_searcher(review.store, home, preset("bm25")).search(PHRASE, k=3).hits
    assert hits and hits[0].citation.doc == doc_key and PHRASE in hits[0].text


# ----------------------------------------------------------------------------- refusals
def test_illegal_transitions_are_refused_in_vietnamese(review: ReviewStore, people: People) -> None:
    sp, rv = people.specialist, people.reviewer
    draft = review.create(sp, example("tra_loi"))
    with pytest.raises(Conflict, match="không thể phê duyệt dự thảo .*«Đang soạn».*«Đang xem xét»"):
        review.approve(rv, draft.id)
    with pytest.raises(Conflict, match="không thể trả lại dự thảo"):
        review.return_draft(rv, draft.id, [CommentIn(text="x")])
    with pytest.raises(Conflict, match="không thể góp ý dự thảo"):
        review.comment(rv, draft.id, [CommentIn(text="x")])
    review.submit(sp, draft.id)
    with pytest.raises(Conflict, match="không thể trình dự thảo .*«Đang xem xét»"):
        review.submit(sp, draft.id)
    with pytest.raises(Conflict, match="không thể sửa dự thảo"):
        review.update(sp, draft.id, example("tra_loi"))
    with pytest.raises(Invalid, match="cần ít nhất một góp ý"):
        review.return_draft(rv, draft.id, [])
    size = len(review.draft(draft.id).versions[0].paragraphs)
    with pytest.raises(Invalid, match=f"chỉ có {size} đoạn"):  # one bad comment: none stored
        review.comment(rv, draft.id, [CommentIn(paragraph=0, text="được"), CommentIn(paragraph=size, text="x")])
    assert review.draft(draft.id).comments == []
    review.comment(rv, draft.id, [CommentIn(paragraph=0, text="Ghi rõ tên cơ quan.")])
    review.return_draft(rv, draft.id)  # the open comment is enough
    with pytest.raises(Invalid, match="nội dung dự thảo không hợp lệ: .*«kind»"):
        review.update(sp, draft.id, example("tra_loi") | {"kind": "thu_tay"})
    after = review.draft(draft.id)
    assert after.state == "returned" and after.version == 1
    assert [a for _, a, _ in actions(review, draft.id)] == ["create", "submit", "comment", "return"]


def test_roles_and_ownership(review: ReviewStore, people: People) -> None:
    sp, other, rv, admin = people.specialist, people.other, people.reviewer, people.admin
    with pytest.raises(Forbidden, match="người duyệt .* không có quyền tạo dự thảo"):
        review.create(rv, example())
    draft = review.create(sp, example())
    with pytest.raises(Forbidden, match="chỉ người soạn"):
        review.submit(other, draft.id)
    with pytest.raises(Forbidden, match="chỉ người soạn"):
        review.update(other, draft.id, example())
    summary = review.drafts(author=sp.name)[0]
    assert review.allowed_actions(sp, summary) == ["edit", "submit", "resolve"]
    assert review.allowed_actions(other, summary) == []
    review.submit(sp, draft.id)
    summary = review.drafts(state="in_review", author=sp.name)[0]
    assert review.allowed_actions(rv, summary) == ["comment", "resolve", "return", "approve"]
    assert review.allowed_actions(sp, summary) == ["resolve"]

    with pytest.raises(Forbidden, match="chuyên viên .* không có quyền phê duyệt dự thảo"):
        review.approve(sp, draft.id)
    with pytest.raises(Forbidden):
        review.comment(sp, draft.id, [CommentIn(text="tự góp ý")])
    assert review.draft(draft.id).state == "in_review"
    denied = [(u, a, v) for u, a, v in actions(review, draft.id) if a == "denied"]
    assert denied == [(other.name, "denied", 1), (other.name, "denied", 1),
                      (sp.name, "denied", 1), (sp.name, "denied", 1)]
    reasons = [e.detail["attempted"] for e in review.draft(draft.id).audit if e.action == "denied"]
    assert reasons == ["submit", "edit", "approve", "comment"]

    with pytest.raises(Forbidden):  # the audit log as a whole is for reviewers and admins
        review.require(sp, "audit")
    review.require(rv, "audit")
    # an admin may do everything, a specialist's draft included
    review.return_draft(admin, draft.id, [CommentIn(text="Quản trị trả lại.")])
    review.update(admin, draft.id, example())
    assert review.draft(draft.id).versions[-1].author == admin.name


def test_failed_publication_leaves_the_draft_in_review(review: ReviewStore, people: People) -> None:
    def refuse(path: Path) -> dict:
        raise ReviewError("không nạp được văn bản đã duyệt vào kho dữ liệu: thử lỗi")

    failing = ReviewStore(review.store, review.settings, render=review._render,
                          validate=review._validate, publish=refuse)
    draft = failing.create(people.specialist, example())
    failing.submit(people.specialist, draft.id)
    with pytest.raises(ReviewError, match="không nạp được"):
        failing.approve(people.reviewer, draft.id)
    after = failing.draft(draft.id)
    assert after.state == "in_review" and after.approved_version is None
    assert [a for _, a, _ in actions(failing, draft.id)] == ["create", "submit"]
    with pytest.raises(ReviewError, match="chưa được phê duyệt"):
        failing.docx(draft.id, approved=True)


def test_cli_bootstraps_a_user_with_a_token(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from api.cli import main

    assert main(["--home", str(tmp_path), "users", "add", "admin1", "--role", "admin"]) == 0
    token = capsys.readouterr().out.strip()
    review = ReviewStore(Store.at_home(tmp_path), ReviewSettings.for_home(tmp_path))
    user = review.authenticate(token)
    assert isinstance(user, User) and (user.name, user.role) == ("admin1", "admin")
    assert main(["--home", str(tmp_path), "users", "add", "admin1"]) == 1
    assert "đã có" in capsys.readouterr().err
    assert main(["--home", str(tmp_path), "users", "list", "--json"]) == 0
    assert '"role": "admin"' in capsys.readouterr().out
    assert [e.action for e in review.audit()] == ["user_add", "token_issue"]


def test_cli_roles_are_the_role_vocabulary(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """`ccn users add --role` offers every Role (a curator too), and only those."""
    from api.cli import main

    with pytest.raises(SystemExit):
        main(["--home", str(tmp_path), "users", "add", "sep", "--role", "boss"])
    assert "(choose from 'specialist', 'reviewer', 'curator', 'admin')" in capsys.readouterr().err
    assert main(["--home", str(tmp_path), "users", "add", "kho1", "--role", "curator"]) == 0
    capsys.readouterr()
    assert main(["--home", str(tmp_path), "users", "list", "--json"]) == 0
    assert '"role": "curator"' in capsys.readouterr().out


def test_drafting_review_leaves_publishing_to_the_api() -> None:
    """Layers: drafting does not import ingest or the index builder; an approval's publishing
    (ingest, then index) is wired in api/review.py."""
    package = Path(__file__).resolve().parents[1] / "drafting" / "review"
    source = "\n".join(p.read_text(encoding="utf-8") for p in sorted(package.glob("*.py")))
    imports = [line.strip() for line in source.splitlines() if line.strip().startswith(("from ", "import "))]
    assert [line for line in imports if line.split()[1].startswith(("ingest", "retrieval.build", "api"))] == []
