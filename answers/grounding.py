"""An optional language model that words an answer, held to the retrieved provisions.

Off by default. A site turns it on through the environment:

    CCN_LLM=openai:<model>   an OpenAI-compatible endpoint (vLLM, LM Studio, a gateway …);
                             CCN_LLM_BASE_URL (required), CCN_LLM_API_KEY (optional)
    CCN_LLM=ollama:<model>   an Ollama server; CCN_LLM_BASE_URL (default http://127.0.0.1:11434)

The model sees only the question and the quoted provisions, each under an opaque key
("ev-3fa2c1"), and must cite by key. Afterwards (`verify`): keys that were not retrieved are
removed, sentences left with no valid key are flagged in the answer's warnings, valid keys are
replaced by the provisions' canonical citations, and the quoted provisions stay attached to the
answer whatever the model wrote. Any llama-index LLM works (`GroundedWriter(llm, name)`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kb.settings import AnswerSettings, get_settings, load_settings

if TYPE_CHECKING:
    from answers.answer import Answer

KEY_RE = re.compile(r"\[([^\[\]\n]{1,40})\]")
_SENTENCE_RE = re.compile(r"[^\n]+?(?:[.!?](?=\s|$)|$)", re.MULTILINE)

PROMPT = """Bạn là chuyên viên pháp chế về cụm công nghiệp. Trả lời câu hỏi bằng tiếng Việt, \
CHỈ dựa trên các trích đoạn dưới đây. Mỗi câu trả lời phải kết thúc bằng khóa của trích đoạn \
làm căn cứ, trong ngoặc vuông, ví dụ [{example}]. Không dùng khóa nào khác, không nêu số hiệu \
văn bản nào không có trong trích đoạn. Nếu trích đoạn không đủ để trả lời, nói rõ như vậy.

Câu hỏi: {question}

Trích đoạn:
{evidence}

Trả lời:"""


@dataclass
class Verified:
    text: str
    used_keys: list[str] = field(default_factory=list)
    removed_keys: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)  # sentences with no valid key


def verify(text: str, citations_by_key: dict[str, str]) -> Verified:
    """Keep only retrieved keys (rendered as citations); flag sentences that cite nothing valid."""
    out = Verified("")
    sentences = []
    for match in _SENTENCE_RE.finditer(text):
        sentence = match.group().strip()
        if not sentence:
            continue
        keys = KEY_RE.findall(sentence)
        valid = [k.strip() for k in keys if k.strip() in citations_by_key]
        out.removed_keys += [k.strip() for k in keys if k.strip() not in citations_by_key]
        out.used_keys += [k for k in valid if k not in out.used_keys]
        body = KEY_RE.sub(lambda m: _render_key(m.group(1).strip(), citations_by_key), sentence)
        body = re.sub(r"\s+([.,;:])", r"\1", re.sub(r" {2,}", " ", body)).strip()
        if not valid:
            out.unsupported.append(body)
        sentences.append(body)
    out.text = " ".join(sentences)
    return out


def _render_key(key: str, citations_by_key: dict[str, str]) -> str:
    return f"({citations_by_key[key]})" if key in citations_by_key else ""


class GroundedWriter:
    """Rewrites an Answer's text with a llama-index LLM, then verifies what it cites."""

    def __init__(self, llm: Any, name: str):
        if not hasattr(llm, "complete"):
            raise TypeError("llm phải là một LLM của llama-index (có phương thức complete)")
        self.llm = llm
        self.name = name

    def prompt(self, answer: Answer) -> str:
        evidence = "\n\n".join(
            f"[{p.key}] {p.hit.citation_text} ({p.hit.validity.text.lower()}):\n{p.quote}" for p in answer.provisions
        )
        example = answer.provisions[0].key if answer.provisions else "ev-000000"
        return PROMPT.format(question=answer.question, evidence=evidence, example=example)

    def rewrite(self, answer: Answer) -> None:
        if not answer.provisions:
            return
        try:
            reply = self.llm.complete(self.prompt(answer)).text
        except Exception as exc:  # the endpoint is down: keep the extractive answer
            answer.warnings.append(f"Mô hình ngôn ngữ {self.name} không trả lời ({exc}); giữ câu trả lời trích dẫn.")
            return
        checked = verify(reply, {p.key: p.hit.citation_text for p in answer.provisions})
        if not checked.used_keys:
            answer.warnings.append(f"Câu trả lời của mô hình {self.name} không dẫn căn cứ hợp lệ nào; giữ câu trả "
                                   "lời trích dẫn.")
            return
        answer.answer = checked.text
        answer.model = self.name
        if checked.removed_keys:
            removed = len(set(checked.removed_keys))  # counted, never shown: keys are internal
            answer.warnings.append(f"Đã loại {removed} trích dẫn của mô hình không có trong kết quả tìm kiếm.")
        answer.warnings += [f"Câu không có căn cứ trích dẫn, cần kiểm tra: «{s}»" for s in checked.unsupported]


def writer_from_env(environ: Mapping[str, str] | None = None) -> GroundedWriter | None:
    """The configured model (CCN_LLM, in `environ` when given, else the process environment's
    settings), or None when none is set."""
    settings = get_settings() if environ is None else load_settings(environ)
    return writer_from_settings(settings.answer)


def writer_from_settings(answer: AnswerSettings) -> GroundedWriter | None:
    """The model of the `answer` section of the settings (kb/settings.py), or None."""
    spec = (answer.llm or "").strip()
    if not spec:
        return None
    provider, _, model = spec.partition(":")
    if not model:
        raise ValueError(f"CCN_LLM={spec!r}: cần dạng 'openai:<model>' hoặc 'ollama:<model>'")
    if provider == "openai":
        return GroundedWriter(_openai_like(model, answer), spec)
    if provider == "ollama":
        from llama_index.llms.ollama import Ollama

        base = answer.llm_base_url or "http://127.0.0.1:11434"
        return GroundedWriter(Ollama(model=model, base_url=base, request_timeout=120.0, temperature=0.0), spec)
    raise ValueError(f"CCN_LLM={spec!r}: nhà cung cấp «{provider}» không hỗ trợ (openai, ollama)")


def _openai_like(model: str, answer: AnswerSettings) -> Any:
    base = answer.llm_base_url
    if not base:
        raise ValueError("CCN_LLM=openai:… cần CCN_LLM_BASE_URL (địa chỉ máy chủ tương thích OpenAI)")
    from llama_index.llms.openai_like import OpenAILike

    return OpenAILike(model=model, api_base=base, api_key=answer.llm_api_key or "none",
                      is_chat_model=True, temperature=0.0, timeout=120.0)
