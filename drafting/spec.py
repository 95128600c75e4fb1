"""Draft specifications: what a specialist asks for, as JSON or YAML (the same for the CLI, the
API and the UI).

A spec names the document kind, the agency profile and signer, the date, the incoming letter it
answers, the recipients, and the substance: points of opinion (công văn góp ý), questions and
answers (công văn trả lời), sections and a table of comparable provisions (báo cáo rà soát, tờ
trình). Each point lists the provisions it rests on, as citation strings ("điểm c khoản 1 Điều
8 Nghị định số 32/2024/NĐ-CP", "NĐ 32" forms too) or provision ids, or a part of one ("đoạn 2
khoản 2 Điều 13 …", or {ref, match | paragraph | sentence}); it may ask for suggestions from
search and record which were accepted or dropped. `documents` declares real documents the
knowledge base does not hold (number, type, date, issuer, title).

Errors are Vietnamese and name the file and the field ("gop_y.yaml, trường «points[0].text»:
thiếu trường bắt buộc").
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from drafting.procspec import Procedure
from drafting.resources import check_name
from drafting.specbase import SpecModel

PROCEDURE_KINDS = ("tham_dinh", "to_trinh_ccn", "de_nghi_cdt", "qd_thanh_lap", "qd_quy_che",
                   "qd_quy_che_dv", "qd_hoi_dong", "phieu_cham_diem", "bien_ban_hoi_dong")
DocKind = Literal["gop_y", "tra_loi", "bao_cao_ra_soat", "to_trinh", "tham_dinh", "to_trinh_ccn",
                  "de_nghi_cdt", "qd_thanh_lap", "qd_quy_che", "qd_quy_che_dv", "qd_hoi_dong",
                  "phieu_cham_diem", "bien_ban_hoi_dong", "sua_doi"]

KIND_LABELS: dict[str, str] = {
    "gop_y": "Công văn góp ý",
    "tra_loi": "Công văn trả lời, hướng dẫn vướng mắc",
    "bao_cao_ra_soat": "Báo cáo rà soát",
    "to_trinh": "Tờ trình",
    "tham_dinh": "Báo cáo thẩm định thành lập, mở rộng cụm công nghiệp",
    "to_trinh_ccn": "Tờ trình đề nghị thành lập, mở rộng cụm công nghiệp",
    "de_nghi_cdt": "Văn bản đề nghị làm chủ đầu tư (Mẫu số 01 TT 14/2024)",
    "qd_thanh_lap": "Quyết định thành lập, mở rộng cụm công nghiệp (Mẫu số 02 TT 14/2024)",
    "qd_quy_che": "Quyết định ban hành Quy chế quản lý cụm công nghiệp (Mẫu số 03 TT 14/2024)",
    "qd_quy_che_dv": "Quyết định ban hành Quy chế quản lý dịch vụ công cộng, tiện ích (Mẫu số 04 TT 14/2024)",
    "qd_hoi_dong": "Quyết định thành lập Hội đồng đánh giá lựa chọn chủ đầu tư",
    "phieu_cham_diem": "Phiếu chấm điểm lựa chọn chủ đầu tư",
    "bien_ban_hoi_dong": "Biên bản họp Hội đồng đánh giá lựa chọn chủ đầu tư",
    "sua_doi": "Văn bản sửa đổi, bổ sung (dự thảo văn bản quy phạm pháp luật) và bảng so sánh",
}

# what each procedure kind needs in `procedure:` (beyond the kind's own defaults)
PROCEDURE_NEEDS: dict[str, tuple[str, ...]] = {
    "tham_dinh": ("cluster",), "to_trinh_ccn": ("cluster",), "de_nghi_cdt": ("cluster", "investor"),
    "qd_thanh_lap": ("cluster", "investor"), "qd_quy_che": (), "qd_quy_che_dv": ("cluster",),
    "qd_hoi_dong": ("cluster", "council"), "phieu_cham_diem": ("cluster", "council"),
    "bien_ban_hoi_dong": ("cluster", "council"),
}


class SpecError(ValueError):
    """A spec that cannot be read or is invalid; the message names the file and the field."""




def _paragraphs(value: str | list[str]) -> list[str]:
    items = value if isinstance(value, list) else value.split("\n\n")
    return [" ".join(p.split()) for p in items if p and p.strip()]


class IncomingDoc(SpecModel):
    """The letter being answered: "Văn bản số 2815/SCT-CN ngày … của … về việc …"."""

    number: str = Field(min_length=3)  # số/ký hiệu: "2815/SCT-CN"
    date: date
    agency: str = Field(min_length=2)  # "Sở Công Thương tỉnh Lào Cai"
    subject: str = Field(min_length=2)  # trích yếu: "đề nghị hướng dẫn …"
    kind: str = "Văn bản"  # "Văn bản", "Công văn", "Tờ trình", "Báo cáo"
    received: date | None = None  # ngày nhận, when the opening should state it


SELECTOR_RE = re.compile(r"^(?:câu\s+(?P<sentence>\d+)\s+)?(?:đoạn\s+(?P<paragraph>\d+)\s+)?(?P<ref>.+)$",
                         re.IGNORECASE | re.DOTALL)


class ProvisionRef(SpecModel):
    """A provision or a part of it: "đoạn 2" (a paragraph of the khoản as the text lays it out),
    "câu 1" (a sentence of the đoạn, or of the whole text), or the đoạn that holds `match`
    (words copied verbatim from the text: "Ủy ban nhân dân cấp tỉnh thành lập Hội đồng")."""

    ref: str = Field(min_length=2)  # the provision: "khoản 2 Điều 13 Nghị định số 32/2024/NĐ-CP"
    paragraph: int | None = Field(default=None, ge=1)  # đoạn
    sentence: int | None = Field(default=None, ge=1)  # câu
    match: str | None = Field(default=None, min_length=3)  # verbatim words of the đoạn

    @property
    def selects(self) -> bool:
        return bool(self.paragraph or self.sentence or self.match)


def provision_ref(item: str | ProvisionRef) -> ProvisionRef:
    """A spec's provision entry as a ProvisionRef: "đoạn 2 khoản 2 Điều 13 NĐ 32/2024" and
    "câu 1 đoạn 2 khoản …" are read as selectors of the khoản."""
    if isinstance(item, ProvisionRef):
        return item
    m = SELECTOR_RE.match(item)
    assert m is not None
    return ProvisionRef(ref=m["ref"], paragraph=int(m["paragraph"]) if m["paragraph"] else None,
                        sentence=int(m["sentence"]) if m["sentence"] else None)


class DeclaredDocument(SpecModel):
    """A real document the knowledge base does not hold, declared by the drafter: cited in full
    form with these data, marked as not verified in the knowledge base (not an error)."""

    number: str = Field(min_length=3)  # số hiệu: "05/2025/TT-BCT"
    type: str = Field(min_length=2)  # "Thông tư", "Quyết định", "Công văn"
    date: date  # ngày ban hành
    issuer: str = Field(min_length=2)  # "Bộ trưởng Bộ Công Thương", as the full form names it
    title: str = Field(min_length=2)  # trích yếu: "quy định …" / "về …"


class Point(SpecModel):
    """One point of opinion: a title, its text and the provisions it rests on."""

    title: str | None = None  # "Về điều kiện thành lập cụm công nghiệp"
    text: str | list[str] = Field(min_length=1)  # paragraphs (a list, or blank-line separated)
    provisions: list[str | ProvisionRef] = Field(default_factory=list)  # citations, ids or selectors
    quote: bool = False  # quote the provisions in the body ("Tại … quy định: “…”")
    suggest: bool | None = None  # ask search for provisions (None: the spec's `suggest`)
    accept: list[str] = Field(default_factory=list)  # suggestions accepted
    drop: list[str] = Field(default_factory=list)  # suggestions dropped

    def paragraphs(self) -> list[str]:
        return _paragraphs(self.text)


class Question(Point):
    """A question of the incoming letter and its answer (`text`)."""

    question: str = Field(min_length=2)
    quote: bool = True


class Section(SpecModel):
    """A section of a báo cáo / tờ trình: "I. KẾT QUẢ RÀ SOÁT" and its points."""

    title: str = Field(min_length=2)
    intro: str | list[str] = Field(default_factory=list)
    points: list[Point] = Field(default_factory=list)

    def intro_paragraphs(self) -> list[str]:
        return _paragraphs(self.intro) if self.intro else []


class ComparisonRow(SpecModel):
    topic: str = Field(min_length=2)
    provisions: list[str | ProvisionRef] = Field(min_length=1)
    comment: str = ""


class Comparison(SpecModel):
    """A table of comparable provisions: one row per topic, one column per document."""

    title: str = Field(min_length=2)
    documents: list[str] = Field(min_length=2)  # số hiệu (or "NĐ 32" forms), the columns
    rows: list[ComparisonRow] = Field(min_length=1)


class Change(SpecModel):
    """One change of an amending text, its provision written within the amended document
    ("khoản 1 Điều 2", "điểm c khoản 2 Điều 8"): `amend` (new wording), `add` (a new khoản or
    điểm, after `after`, by default the one numbered before it), `repeal`, `replace_words`
    ("thay thế cụm từ `old` bằng cụm từ `new`"). `reason` is its thuyết minh."""

    action: Literal["amend", "add", "repeal", "replace_words"]
    provision: str = Field(min_length=3)
    text: str | list[str] | None = None  # amend, add: the new wording (paragraphs)
    old: str | None = None  # replace_words
    new: str | None = None
    after: str | None = None  # add: the provision it follows
    reason: str | list[str] = ""  # thuyết minh

    @model_validator(mode="after")
    def _fields_for_action(self) -> Change:
        if self.action in ("amend", "add") and not self.paragraphs():
            raise ValueError(f"thay đổi «{self.action}» cần trường «text» (nội dung mới)")
        if self.action == "replace_words" and not (self.old and self.new):
            raise ValueError("thay đổi «replace_words» cần trường «old» và «new» (cụm từ cũ, cụm từ mới)")
        if self.action != "replace_words" and (self.old or self.new):
            raise ValueError("trường «old», «new» chỉ dùng cho thay đổi «replace_words»")
        return self

    def paragraphs(self) -> list[str]:
        return _paragraphs(self.text) if self.text else []

    def reasons(self) -> list[str]:
        return _paragraphs(self.reason) if self.reason else []


class Amendment(SpecModel):
    """The substance of an amending text (kind `sua_doi`): which document it amends, from when,
    on which bases, and the changes in order."""

    document: str = Field(min_length=3)  # "32/2024/NĐ-CP", "Quy chế ban hành kèm theo Quyết định số 16/2026/QĐ-UBND"
    effective: date  # hiệu lực of the amending text: the round trip checks the new wording from it
    bases: list[str] = Field(default_factory=list)  # căn cứ, without "Căn cứ" and ";"
    proposer: str | None = None  # "Bộ trưởng Bộ Công Thương": "Theo đề nghị của …;"
    changes: list[Change] = Field(min_length=1)
    transition: str | list[str] = Field(default_factory=list)  # Điều khoản chuyển tiếp
    responsibility: str | None = None  # Trách nhiệm thi hành (default: by the type of text)

    def transition_paragraphs(self) -> list[str]:
        return _paragraphs(self.transition) if self.transition else []


class DraftSpec(SpecModel):
    """Everything needed to assemble one draft."""

    kind: DocKind
    profile: str = Field(min_length=2)  # a profile's name ($CCN_HOME/profiles, drafting/profiles)
    signer: str | None = None  # a signer id of the profile (default: the profile's)
    date: date  # the letter's date: citations are checked as of this date
    number: int | None = Field(default=None, ge=1)  # số, given by the văn thư after signing
    subject: str = Field(min_length=2)  # V/v (công văn) or trích yếu (báo cáo, tờ trình; sua_doi: generated)
    recipients: list[str] = Field(default_factory=list)  # Kính gửi
    addressee: str | None = None  # how the closing sentence names the recipient
    incoming: IncomingDoc | None = None
    opening: str | list[str] | None = None  # replaces the generated opening
    points: list[Point] = Field(default_factory=list)
    questions: list[Question] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)
    comparison: Comparison | None = None
    documents: list[DeclaredDocument] = Field(default_factory=list)  # real documents outside the KB
    procedure: Procedure | None = None  # the procedure documents' facts (drafting/procspec.py)
    amendment: Amendment | None = None  # sua_doi: the changes
    closing: str | None = None  # replaces the generated closing sentence
    distribution: list[str] | None = None  # Nơi nhận (default: the profile's)
    extra_distribution: list[str] = Field(default_factory=list)  # added to the profile's
    drafter: str | None = None  # the drafter's name for the "Lưu" line: "Lưu: VT, CN(Trung)."
    suggest: bool = False  # ask search for provisions on every point
    template: str | None = None  # a Word template's name ($CCN_HOME/templates, drafting/templates)
    _home: Path | None = PrivateAttr(default=None)  # the data folder names are looked up in

    @model_validator(mode="before")
    @classmethod
    def _amending_subject(cls, data: Any) -> Any:
        """An amending text's trích yếu follows from the amended document (drafting.amend)."""
        if isinstance(data, dict) and data.get("kind") == "sua_doi" and not data.get("subject"):
            return {**data, "subject": "Sửa đổi, bổ sung một số điều"}
        return data

    @field_validator("profile")
    @classmethod
    def _profile_name(cls, value: str) -> str:
        return check_name(value, "profile")

    @field_validator("template")
    @classmethod
    def _template_name(cls, value: str | None) -> str | None:
        return check_name(value, "template") if value else None

    @field_validator("subject")
    @classmethod
    def _no_vv(cls, value: str) -> str:
        return value[4:].strip() if value.lower().startswith("v/v ") else value

    @field_validator("recipients", "distribution", "extra_distribution")
    @classmethod
    def _clean_items(cls, items: list[str] | None) -> list[str] | None:
        if items is None:
            return None
        return [item.lstrip("-– ").rstrip(";.,").strip() for item in items if item.strip()]

    @model_validator(mode="after")
    def _content_for_kind(self) -> DraftSpec:
        if self.kind in PROCEDURE_KINDS:
            return self._procedure_content()
        needs = {
            "gop_y": ("points", "incoming"),
            "tra_loi": ("questions", "incoming"),
            "bao_cao_ra_soat": ("sections", "comparison"),
            "to_trinh": ("sections", "comparison"),
            "sua_doi": ("amendment",),
        }[self.kind]
        for name in needs:
            if not getattr(self, name):
                raise ValueError(f"loại «{self.kind}» cần trường «{name}»")
        if self.kind in ("gop_y", "tra_loi") and not self.recipients:
            raise ValueError("công văn cần ít nhất một nơi nhận ở trường «recipients» (Kính gửi)")
        return self

    def _procedure_content(self) -> DraftSpec:
        if self.procedure is None:
            raise ValueError(f"loại «{self.kind}» cần trường «procedure»")
        for name in PROCEDURE_NEEDS[self.kind]:
            if not getattr(self.procedure, name):
                raise ValueError(f"loại «{self.kind}» cần trường «procedure.{name}»")
        if self.kind in ("tham_dinh", "to_trinh_ccn", "de_nghi_cdt") and not self.recipients:
            raise ValueError(f"loại «{self.kind}» cần ít nhất một nơi nhận ở trường «recipients» (Kính gửi)")
        return self

    def opening_paragraphs(self) -> list[str]:
        return _paragraphs(self.opening) if self.opening else []


_MESSAGES = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường không được phép (sai tên trường?)",
    "date_from_datetime_parsing": "ngày không hợp lệ, cần dạng YYYY-MM-DD",
    "date_parsing": "ngày không hợp lệ, cần dạng YYYY-MM-DD",
    "date_type": "ngày không hợp lệ, cần dạng YYYY-MM-DD",
    "string_type": "cần một chuỗi văn bản",
    "list_type": "cần một danh sách",
    "bool_type": "cần true hoặc false",
    "int_type": "cần một số nguyên",
    "int_parsing": "cần một số nguyên",
    "model_type": "cần một bảng (khóa: giá trị)",
    "dict_type": "cần một bảng (khóa: giá trị)",
    "greater_than_equal": "phải lớn hơn hoặc bằng 1",
}


def _field_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("str", "list[str]", "function-after[_no_vv(), str]", "ProvisionRef"):
            continue  # pydantic's union-member labels
        else:
            out += ("." if out else "") + str(part)
    return out or "(gốc)"


def _message(error: dict) -> str:
    kind = error["type"]
    if kind in ("too_short", "string_too_short"):
        return "không được để trống" if error.get("input") in ("", [], None) else "quá ngắn"
    if kind == "literal_error":
        return f"giá trị «{error.get('input')}» không hợp lệ, phải là một trong: {error['ctx']['expected']}"
    if kind == "value_error":
        return str(error["ctx"]["error"])
    return _MESSAGES.get(kind, error["msg"])


def explain(exc: ValidationError, source: str) -> str:
    """Vietnamese messages, one per problem: "<source>, trường «points[0].text»: …"."""
    seen: list[str] = []
    for error in exc.errors():
        line = f"{source}, trường «{_field_path(error['loc'])}»: {_message(error)}"
        if line not in seen:
            seen.append(line)
    return "\n".join(seen[:10])


def parse_spec(data: Any, source: str = "spec", home: Path | None = None) -> DraftSpec:
    """A spec from already-parsed JSON/YAML data; its profile and template are looked up in
    `home` (the data folder; default $CCN_HOME) before the shipped ones."""
    if not isinstance(data, dict):
        raise SpecError(f"{source}: spec phải là một bảng (khóa: giá trị), không phải {type(data).__name__}")
    try:
        spec = DraftSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(explain(exc, source)) from None
    spec._home = home
    return spec


def load_spec(path: Path | str, home: Path | None = None) -> DraftSpec:
    """A spec from a .json, .yaml or .yml file (`home`: as for parse_spec)."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"không đọc được tệp spec {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw) if path.suffix.lower() == ".json" else yaml.safe_load(raw)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise SpecError(f"{path.name}: không đọc được {'JSON' if path.suffix.lower() == '.json' else 'YAML'}: {exc}") from None
    return parse_spec(data, path.name, home)


def spec_home(spec: DraftSpec) -> Path | None:
    """The data folder whose profiles/ and templates/ the spec's names are looked up in first
    (None: $CCN_HOME)."""
    return spec._home


def with_home(spec: DraftSpec, home: Path | None) -> DraftSpec:
    """The spec, its names to be looked up in `home` (for a spec parsed by FastAPI)."""
    spec._home = home
    return spec
