"""Agency profiles: who issues a draft, read from YAML (drafting/profiles/*.yaml or $CCN_HOME/profiles).

Nothing about an agency is hard-coded: its names (cơ quan chủ quản, cơ quan ban hành and how
the header breaks them), the codes that build the ký hiệu (issuer, drafting unit), the địa danh,
the signers (quyền hạn TM./KT./TL./TUQ./Q., chức vụ, name) and the default Nơi nhận. The
ministry's cluster unit was renamed in 2025; a rename is an edit of its YAML file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from drafting.resources import ResourceError, resolve

PROFILE_DIR = Path(__file__).resolve().parent / "profiles"

Authority = Literal["TM.", "KT.", "TL.", "TUQ.", "Q."]


class ProfileError(ValueError):
    """A profile that cannot be found or read; the message is Vietnamese and names the file."""


class Signer(BaseModel):
    """A person who signs: "KT. CỤC TRƯỞNG / PHÓ CỤC TRƯỞNG / Nguyễn Văn Thịnh"."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str = Field(min_length=2)
    title: str = Field(min_length=2)  # chức vụ, upper case: "PHÓ CỤC TRƯỞNG"
    authority: Authority | None = None  # quyền hạn
    on_behalf_of: str | None = None  # after KT./TL./TM./TUQ.: "CỤC TRƯỞNG", "ỦY BAN NHÂN DÂN"

    @field_validator("title", "on_behalf_of")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value else value

    @model_validator(mode="after")
    def _authority_needs_head(self) -> Signer:
        if self.authority in ("KT.", "TL.", "TM.", "TUQ.") and not self.on_behalf_of:
            raise ValueError(f"người ký «{self.id}»: quyền hạn {self.authority} cần on_behalf_of "
                             "(ví dụ CỤC TRƯỞNG)")
        return self

    def block_lines(self) -> list[str]:
        """The upper-case lines above the signature: quyền hạn then chức vụ."""
        if self.authority == "Q.":
            return [f"Q. {self.title}"]
        if self.authority:
            return [f"{self.authority} {self.on_behalf_of}", self.title]
        return [self.title]


class AgencyProfile(BaseModel):
    """One issuing agency, as its letters print it."""

    model_config = ConfigDict(extra="forbid")

    id: str
    parent_agency: str | None = None  # cơ quan chủ quản, in words: "Bộ Công Thương"
    parent_header: str | None = None  # as the header prints it: "BỘ CÔNG THƯƠNG", "UBND TỈNH LÀO CAI"
    agency: str  # cơ quan ban hành, in words: "Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công"
    agency_header: list[str] = Field(min_length=1)  # its header lines, upper case
    short_name: str  # in the body after the first mention: "Cục ĐCK", "Sở Công Thương"
    issuer_code: str  # ký hiệu of the issuer: "ĐCK", "SCT"
    unit_code: str  # ký hiệu of the drafting unit: "CTT", "CN"
    unit_name: str | None = None
    place: str  # địa danh: "Hà Nội", "Lào Cai"
    head_title: str  # the head, as Nơi nhận names him: "Cục trưởng", "Giám đốc Sở"
    signers: list[Signer] = Field(min_length=1)
    default_signer: str
    distribution: list[str] = Field(default_factory=list)  # Nơi nhận after "Như trên"
    archive: str  # the "Lưu:" line: "VT, CTT"
    note: str = ""

    @field_validator("agency_header")
    @classmethod
    def _header_upper(cls, lines: list[str]) -> list[str]:
        return [line.upper() for line in lines]

    @field_validator("issuer_code", "unit_code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not value or any(ch.isspace() or ch in "/-" for ch in value):
            raise ValueError(f"mã ký hiệu «{value}» không được có khoảng trắng, «/» hay «-»")
        return value

    @model_validator(mode="after")
    def _default_signer_known(self) -> AgencyProfile:
        self.signer(self.default_signer)
        return self

    def signer(self, signer_id: str | None) -> Signer:
        wanted = signer_id or self.default_signer
        for signer in self.signers:
            if signer.id == wanted:
                return signer
        known = ", ".join(s.id for s in self.signers)
        raise ValueError(f"hồ sơ «{self.id}» không có người ký «{wanted}» (có: {known})")

    def cong_van_code(self) -> str:
        """Ký hiệu of a công văn: issuer - drafting unit ("ĐCK-CTT")."""
        return f"{self.issuer_code}-{self.unit_code}"

    def typed_code(self, type_code: str) -> str:
        """Ký hiệu of a typed document: type - issuer ("BC-SCT", "TTr-ĐCK")."""
        return f"{type_code}-{self.issuer_code}"


def shipped_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.yaml"))


def load_profile(ref: str, home: Path | None = None) -> AgencyProfile:
    """A profile by name: $CCN_HOME/profiles/<name>.yaml (admin-managed; `home` overrides
    $CCN_HOME) or a shipped drafting/profiles/<name>.yaml. Never a path (drafting.resources):
    messages name the profile, not a server file."""
    try:
        path = resolve(ref, "profile", home)
    except ResourceError as exc:
        raise ProfileError(str(exc)) from None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ProfileError(f"không đọc được hồ sơ cơ quan «{ref}» ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise ProfileError(f"hồ sơ cơ quan «{ref}» phải là một bảng YAML (khóa: giá trị)")
    try:
        return AgencyProfile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(gốc)"
        raise ProfileError(f"hồ sơ cơ quan «{ref}», trường «{where}»: {first['msg']}") from None
