"""The Vietnamese labels of the server's vocabularies: GET /api/labels.

The pages (api/static/*.js) show a status, a severity, a draft's state, a role, why a provision
is attached, a document's source, a job's or an uploaded file's state, a comparison's kind and
basis, an audit row's details or what may be done to a draft with these texts, read once when the page loads (dom.js `loadLabels`), never with
copies of their own: a value the server adds shows with its label, and a value it never sends has
none.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from answers.answer import ATTACHED_TEXT, AttachedKind
from api.deps import ERRORS, single_query_values
from api.jobs import JOB_STATE_TEXT, JobState
from api.routes_ingest import UPLOAD_RESULT_TEXT, UploadResult
from api.schemas import Model
from drafting.review import (
    DETAIL_LABELS,
    DRAFT_ACTION_TEXT,
    ROLE_LABELS,
    STATE_LABELS,
    DetailKey,
    DraftAction,
    DraftState,
    Role,
)
from drafting.severity import (
    AS_OF_SOURCE_TEXT,
    CHECK_STATUS_TEXT,
    SEVERITY_TEXT,
    AsOfSource,
    CheckStatus,
    Severity,
)
from kb.catalog import SOURCE_TEXT, SourceKind
from kb.model import RELATION_TEXT, STATUS_TEXT, RelationKind, Status
from retrieval.compare import PAIR_BASIS_TEXT, PAIR_KIND_TEXT, PairBasis, PairKind

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
    source: dict[SourceKind, str]  # nguồn biết đến một văn bản (toàn văn, thông báo, dẫn chiếu)
    job_state: dict[JobState, str]  # trạng thái công việc chạy nền (nạp, lập chỉ mục)
    upload_result: dict[UploadResult, str]  # kết quả nạp một tệp tải lên
    pair_kind: dict[PairKind, str]  # loại so sánh (giữa các văn bản, qua các thời kỳ …)
    pair_basis: dict[PairBasis, str]  # căn cứ ghép cặp quy định khi so sánh
    audit_detail: dict[DetailKey, str]  # các mục chi tiết của một dòng nhật ký duyệt
    draft_action: dict[DraftAction, str]  # việc làm được với một dự thảo (nút trên trang duyệt)
    as_of_source: dict[AsOfSource, str]  # ngày xét hiệu lực khi kiểm tra lấy từ đâu


LABELS = Labels(status=STATUS_TEXT, severity=SEVERITY_TEXT, check_status=CHECK_STATUS_TEXT,
                draft_state=STATE_LABELS, role=ROLE_LABELS, attached=ATTACHED_TEXT,
                relation=RELATION_TEXT, source=SOURCE_TEXT, job_state=JOB_STATE_TEXT,
                upload_result=UPLOAD_RESULT_TEXT, pair_kind=PAIR_KIND_TEXT, pair_basis=PAIR_BASIS_TEXT,
                audit_detail=DETAIL_LABELS, draft_action=DRAFT_ACTION_TEXT,
                as_of_source=AS_OF_SOURCE_TEXT)


@router.get("/labels", response_model=Labels, summary="Nhãn tiếng Việt của các giá trị (hiệu lực, mức độ, "
            "trạng thái dự thảo, vai trò, nguồn văn bản, công việc, so sánh, nhật ký)")
def labels() -> Labels:
    return LABELS
