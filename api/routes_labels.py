"""The Vietnamese labels of the server's vocabularies: GET /api/labels.

The pages (api/static/*.js) show a status, a severity, a draft's state, a role or why a provision
is attached with these texts, read once when the page loads (dom.js `loadLabels`), never with
copies of their own: a value the server adds shows with its label, and a value it never sends has
none.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from answers.answer import ATTACHED_TEXT, AttachedKind
from api.deps import ERRORS, single_query_values
from api.schemas import Model
from drafting.review import ROLE_LABELS, STATE_LABELS, DraftState, Role
from drafting.severity import CHECK_STATUS_TEXT, SEVERITY_TEXT, CheckStatus, Severity
from kb.model import RELATION_TEXT, STATUS_TEXT, RelationKind, Status

router = APIRouter(prefix="/api", tags=["tra cứu"], responses=ERRORS,
                   dependencies=[Depends(single_query_values)])


class Labels(Model):
    """Each vocabulary: value → Vietnamese text."""

    status: dict[Status, str]  # hiệu lực (kb.model)
    severity: dict[Severity, str]  # mức độ của một lỗi khi soạn, kiểm tra
    check_status: dict[CheckStatus, str]  # kết luận về một trích dẫn (ccn check)
    draft_state: dict[DraftState, str]  # trạng thái dự thảo (quy trình duyệt)
    role: dict[Role, str]  # vai trò người dùng
    attached: dict[AttachedKind, str]  # quy định kèm theo một quy định được trích
    relation: dict[RelationKind, str]  # quan hệ giữa các văn bản (thay thế, bãi bỏ …)


LABELS = Labels(status=STATUS_TEXT, severity=SEVERITY_TEXT, check_status=CHECK_STATUS_TEXT,
                draft_state=STATE_LABELS, role=ROLE_LABELS, attached=ATTACHED_TEXT,
                relation=RELATION_TEXT)


@router.get("/labels", response_model=Labels, summary="Nhãn tiếng Việt của các giá trị (hiệu lực, mức độ, "
            "trạng thái dự thảo, vai trò)")
def labels() -> Labels:
    return LABELS
