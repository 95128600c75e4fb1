"""Answer composer (answers/answer.py) and the grounded language model (answers/grounding.py)
on the real ccn corpus. The language model is a deterministic stand-in (no model can run here):
it is named as such and only replays scripted replies."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest
from llama_index.core.llms import CompletionResponse, CustomLLM, LLMMetadata
from llama_index.core.llms.callbacks import llm_completion_callback

from answers.answer import NOT_FOUND, Answerer, evidence_key, mark_answer
from answers.grounding import GroundedWriter, verify, writer_from_env
from retrieval.build import open_searcher

ND32 = "32/2024/NĐ-CP"
ND139 = "139/2025/NĐ-CP"


@pytest.fixture(scope="module")
def answerer(institutions_searcher):
    """The ccn corpus with the 2025 reorganisation of state bodies (cấp huyện …) ingested."""
    return Answerer(institutions_searcher.store, institutions_searcher)


def _addresses(answer) -> list[tuple]:
    return [(p.hit.citation.doc, p.hit.citation.article, p.hit.citation.clause) for p in answer.provisions]


def test_filling_rate_for_expansion_quotes_both_clauses_of_article_8(answerer) -> None:
    answer = answerer.ask("CCN muốn mở rộng thì tỷ lệ lấp đầy phải bao nhiêu?", as_of=date(2026, 11, 1))
    assert answer.answered
    assert (ND32, 8, 2) in _addresses(answer)[:3]
    clause2 = next(p for p in answer.provisions if p.hit.citation.clause == 2 and p.hit.citation.article == 8)
    marked = [clause2.quote[s:e] for s, e in clause2.marks]
    assert any(m.startswith("c) Đạt tỷ lệ lấp đầy ít nhất 60%") for m in marked)
    assert clause2.hit.status.value == "in_force"
    assert "khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP" in answer.answer
    assert "60%" in answer.answer


def test_quote_is_verbatim_from_the_knowledge_base(answerer, search_home) -> None:
    store, _ = search_home
    answer = answerer.ask("Tỷ lệ lấp đầy của cụm công nghiệp được hiểu là gì?")
    definition = next(p for p in answer.provisions if (p.hit.citation.article, p.hit.citation.clause) == (2, 7))
    assert definition.quote == store.provision_by_pid(definition.hit.uid).text
    assert definition.quote.startswith("7. Tỷ lệ lấp đầy của cụm công nghiệp là tỷ lệ %")


def test_district_level_task_is_linked_to_nd139_after_the_reform(answerer) -> None:
    after = answerer.ask("CCN muốn mở rộng thì tỷ lệ lấp đầy phải bao nhiêu?", as_of=date(2026, 11, 1))
    clause1 = next(p for p in after.provisions if (p.hit.citation.article, p.hit.citation.clause) == (8, 1))
    linked = [(c.kind, c.citation.doc, c.citation.article) for c in clause1.changes]
    assert linked == [("district_level", ND139, 12)]
    assert "Từ 01/7/2025 không còn cấp huyện" in after.answer
    before = answerer.ask("CCN muốn mở rộng thì tỷ lệ lấp đầy phải bao nhiêu?", as_of=date(2025, 3, 1))
    assert all(c.kind != "district_level" for p in before.provisions for c in p.changes)


def test_question_on_nd68_is_answered_from_nd32_with_the_replacement_stated(answerer) -> None:
    answer = answerer.ask("Hồ sơ thành lập cụm công nghiệp theo Nghị định 68/2017 gồm những gì?")
    assert answer.answered
    assert (ND32, 9, 1) in _addresses(answer)
    assert all(doc != "68/2017/NĐ-CP" for doc, _, _ in _addresses(answer))
    lead, premise = answer.answer.split("\n")[:2]  # the lead line, then the question's premise corrected
    assert lead.startswith("Theo khoản 1 Điều 9 Nghị định số 32/2024/NĐ-CP: “Hồ sơ đề nghị thành lập, mở rộng")
    assert premise.startswith("Lưu ý: 68/2017/NĐ-CP đã hết hiệu lực: bị thay thế bởi 32/2024/NĐ-CP")


def test_relative_cross_references_are_followed(answerer) -> None:
    answer = answerer.ask("Ngân sách địa phương đảm bảo kinh phí hoạt động phát triển cụm công nghiệp gồm những gì?")
    clause = next(p for p in answer.provisions if (p.hit.citation.article, p.hit.citation.clause) == (27, 2))
    refs = {(r.citation.article, r.citation.clause, r.citation.point) for r in clause.references}
    assert {(27, 1, "a"), (27, 1, "b")} <= refs
    assert all(r.kind == "reference" and r.quote for r in clause.references)


def test_unanswerable_question_says_so_and_lists_the_nearest(answerer) -> None:
    answer = answerer.ask("Cụm công nghiệp Hưng Nhân ở tỉnh Hưng Yên có tổng vốn đầu tư bao nhiêu?")
    assert not answer.answered
    assert answer.answer.startswith(NOT_FOUND)
    assert answer.provisions and answer.confidence < answerer.searcher.threshold
    assert all(p.hit.citation_text in answer.answer for p in answer.provisions)


def test_missing_amending_decree_is_not_answered(answerer) -> None:
    answer = answerer.ask("Nghị định 303/2026/NĐ-CP sửa đổi Điều 8 Nghị định 32/2024/NĐ-CP như thế nào?")
    assert not answer.answered
    assert any("chưa có toàn văn 303/2026/NĐ-CP" in w for w in answer.warnings)


def test_past_letters_citing_the_provision_are_listed_once(answerer) -> None:
    answer = answerer.ask("CCN muốn mở rộng thì tỷ lệ lấp đầy phải bao nhiêu?")
    docs = [letter.doc for letter in answer.prior_letters]
    assert "1178/ĐCK-CTT" in docs
    assert len({(letter.title, letter.issued) for letter in answer.prior_letters}) == len(docs)
    cv = next(letter for letter in answer.prior_letters if letter.doc == "1178/ĐCK-CTT")
    assert cv.issued == date(2025, 7, 9)


def test_answer_json_has_the_documented_fields(answerer) -> None:
    data = answerer.ask("Sở Công Thương thẩm định hồ sơ thành lập cụm công nghiệp trong bao lâu?").model_dump(mode="json")
    assert {"answered", "answer", "provisions", "confidence", "warnings", "prior_letters"} <= set(data)
    first = data["provisions"][0]
    assert first["citation"] == {"doc": ND32, "part": None, "annex": None, "article": 10, "clause": 3, "point": None}
    assert first["citation_text"] == "khoản 3 Điều 10 Nghị định số 32/2024/NĐ-CP"
    assert {"quote", "status", "marks", "references", "changes", "key"} <= set(first)
    assert 0 <= data["confidence"] <= 1
    json.dumps(data, ensure_ascii=False)


def test_mark_answer_marks_the_sentence_that_answers() -> None:
    text = "1. Thời hạn thẩm định là 25 ngày. Hồ sơ gửi Sở Công Thương.\na) Tờ trình;\nb) Báo cáo."
    spans = mark_answer(text, "thẩm định trong bao nhiêu ngày?")
    assert [text[s:e] for s, e in spans] == ["1. Thời hạn thẩm định là 25 ngày."]
    assert mark_answer(text, "???") == []


# ------------------------------------------------------------------ language model (stand-in)
class DeterministicStandInLLM(CustomLLM):
    """A stand-in for a remote language model (none can run in tests): returns `reply`, with
    {KEY0}, {KEY1} … replaced by the evidence keys found in the prompt, in order."""

    reply: str = ""
    fail: bool = False
    prompts: list[str] = []

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="deterministic-stand-in")

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs) -> CompletionResponse:
        import re

        if self.fail:
            raise ConnectionError("máy chủ mô hình không phản hồi")
        self.prompts.append(prompt)
        keys = list(dict.fromkeys(re.findall(r"\[(ev-[0-9a-f]{6})\]", prompt)))
        text = self.reply
        for i, key in enumerate(keys):
            text = text.replace(f"{{KEY{i}}}", key)
        return CompletionResponse(text=text)

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs):
        raise NotImplementedError


def test_model_answer_keeps_retrieved_keys_drops_others_flags_uncited(search_home) -> None:
    store, home = search_home
    llm = DeterministicStandInLLM(reply=(
        "Mở rộng cụm công nghiệp cần tỷ lệ lấp đầy ít nhất 60% [{KEY0}]. "
        "Theo Nghị định 999/2024/NĐ-CP thì chỉ cần 30% [ev-999999]. "
        "Ngoài ra cần xin ý kiến Bộ Xây dựng."
    ))
    answerer = Answerer(store, open_searcher(store, home), llm=GroundedWriter(llm, "stand-in"))
    answer = answerer.ask("CCN muốn mở rộng thì tỷ lệ lấp đầy phải bao nhiêu?")
    first = answer.provisions[0]
    assert answer.model == "stand-in"
    assert f"[{first.key}]" in llm.prompts[-1] and first.quote in llm.prompts[-1]
    assert f"60% ({first.hit.citation_text})." in answer.answer
    assert "ev-" not in answer.answer and not any("ev-" in w for w in answer.warnings)  # keys stay internal
    assert "Đã loại 1 trích dẫn của mô hình không có trong kết quả tìm kiếm." in answer.warnings
    assert answer.answer.startswith(f"Theo {first.hit.citation_text}: “")  # the lead line still first
    flagged = [w for w in answer.warnings if w.startswith("Câu không có căn cứ")]
    assert len(flagged) == 2 and "Bộ Xây dựng" in flagged[1]
    assert len(answer.provisions) >= 2  # the quoted provisions stay attached


def test_model_failure_keeps_the_extractive_answer(search_home) -> None:
    store, home = search_home
    writer = GroundedWriter(DeterministicStandInLLM(fail=True), "stand-in")
    answer = Answerer(store, open_searcher(store, home), llm=writer).ask("CCN muốn mở rộng thì tỷ lệ lấp đầy phải bao nhiêu?")
    assert answer.model is None and answer.answer.startswith("Theo khoản")
    assert any("không trả lời" in w for w in answer.warnings)


def test_verify_removes_unknown_keys() -> None:
    checked = verify("Câu một [ev-aaaaaa]. Câu hai [ev-bbbbbb]. Câu ba.", {"ev-aaaaaa": "Điều 8 Nghị định số 32/2024/NĐ-CP"})
    assert checked.text == "Câu một (Điều 8 Nghị định số 32/2024/NĐ-CP). Câu hai. Câu ba."
    assert checked.removed_keys == ["ev-bbbbbb"] and checked.unsupported == ["Câu hai.", "Câu ba."]


def test_evidence_keys_are_opaque_and_stable() -> None:
    assert evidence_key("abc") == evidence_key("abc") != evidence_key("abd")
    assert evidence_key("abc").startswith("ev-") and "abc" not in evidence_key("abc")


def test_model_configuration_from_environment() -> None:
    assert writer_from_env({}) is None
    with pytest.raises(ValueError, match="CCN_LLM_BASE_URL"):
        writer_from_env({"CCN_LLM": "openai:qwen2.5"})
    with pytest.raises(ValueError, match="không hỗ trợ"):
        writer_from_env({"CCN_LLM": "gemini:x"})
    writer = writer_from_env({"CCN_LLM": "openai:qwen2.5", "CCN_LLM_BASE_URL": "http://127.0.0.1:9/v1"})
    assert writer is not None and writer.name == "openai:qwen2.5"
    assert writer_from_env({"CCN_LLM": "ollama:llama3"}).llm.base_url == "http://127.0.0.1:11434"


def test_cli_ask_json(search_home) -> None:
    _, home = search_home
    out = subprocess.run([sys.executable, "-m", "api.cli", "--home", str(home), "ask",
                          "Sở Công Thương thẩm định hồ sơ thành lập cụm công nghiệp trong bao lâu?", "--json"],
                         capture_output=True, text=True, check=True, timeout=300)
    data = json.loads(out.stdout)
    assert data["answered"] is True
    assert data["provisions"][0]["citation_text"] == "khoản 3 Điều 10 Nghị định số 32/2024/NĐ-CP"


# ------------------------------------------------------------------ answer shape (issue 12)
WHO = "ai quyết định thành lập cụm công nghiệp"
LAOCAI = "16/2026/QĐ-UBND"


def _focus(answer) -> str:
    start, end = answer.lead.lead.focus
    return answer.lead.lead.text[start:end]


def test_who_question_leads_with_the_body_that_decides(answerer) -> None:
    """Khoản 4 Điều 10 NĐ 32/2024 says "Ủy ban nhân dân cấp tỉnh xem xét, quyết định việc thành
    lập" (the body, not "Chủ tịch Ủy ban nhân dân cấp tỉnh"): quoted first, its sentence the lead."""
    answer = answerer.ask(WHO, as_of=date(2026, 12, 6))
    assert answer.answered
    assert _addresses(answer)[0] == (ND32, 10, 4)
    lead = answer.lead
    assert lead.lead.kind == "who" and lead.provision is answer.provisions[0]
    assert lead.model_dump(mode="json")["citation_text"] == "khoản 4 Điều 10 Nghị định số 32/2024/NĐ-CP"
    assert _focus(answer) == "Ủy ban nhân dân cấp tỉnh xem xét, quyết định việc thành lập"
    assert lead.lead.text.startswith("Trong thời hạn 07 ngày làm việc")
    assert lead.lead.text in " ".join(answer.provisions[0].quote.split())  # verbatim, never written
    assert answer.answer.split("\n")[0] == f"Theo khoản 4 Điều 10 Nghị định số 32/2024/NĐ-CP: “{lead.lead.text}”"
    first = answer.provisions[0]
    assert [first.quote[s:e] for s, e in first.marks] == [first.quote[slice(*lead.lead.spans[0])]]
    assert first.quote[slice(*first.marks[0])].startswith("4. Trong thời hạn 07 ngày")
    assert all(doc != LAOCAI for doc, _, _ in _addresses(answer))  # Lào Cai not named


@pytest.mark.parametrize(("question", "address", "number"), [
    ("thời hạn Ủy ban nhân dân cấp tỉnh quyết định thành lập cụm công nghiệp là bao nhiêu ngày",
     (ND32, 10, 4), "07 ngày làm việc"),
    ("Sở Công Thương thẩm định hồ sơ thành lập cụm công nghiệp trong bao lâu?", (ND32, 10, 3), "25 ngày"),
    ("CCN muốn mở rộng thì tỷ lệ lấp đầy phải bao nhiêu?", (ND32, 8, 2), "60%"),
])
def test_how_many_days_question_leads_with_the_number(answerer, question, address, number) -> None:
    answer = answerer.ask(question, as_of=date(2026, 12, 6))
    assert answer.lead.lead.kind == "number"
    assert _addresses(answer)[0] == address
    assert _focus(answer) == number
    assert number in answer.answer.split("\n")[0]


def test_conditions_question_leads_with_the_list(answerer) -> None:
    answer = answerer.ask("điều kiện mở rộng cụm công nghiệp là gì", as_of=date(2026, 12, 6))
    lead = answer.lead.lead
    assert lead.kind == "list" and _addresses(answer)[0] == (ND32, 8, 2)
    assert lead.text.startswith("Mở rộng cụm công nghiệp phải đáp ứng các điều kiện sau: a) Tổng diện tích cụm")
    assert [p[:3] for p in lead.points] == ["a) ", "b) ", "c) ", "d) "]
    assert "c) Đạt tỷ lệ lấp đầy ít nhất 60%" in lead.text


@pytest.mark.parametrize("question", [
    WHO, "Hồ sơ thành lập cụm công nghiệp theo Nghị định 68/2017 gồm những gì?",
    "Ngân sách địa phương đảm bảo kinh phí hoạt động phát triển cụm công nghiệp gồm những gì?",
])
def test_at_most_three_quotes_marked_sparingly_the_rest_related(answerer, question) -> None:
    answer = answerer.ask(question, as_of=date(2026, 12, 6))
    assert 1 <= len(answer.provisions) <= 3
    assert all(len(p.marks) <= 2 for p in answer.provisions[1:])
    quoted = {p.hit.uid for p in answer.provisions}
    assert not quoted & {h.id for h in answer.related}
    data = answer.model_dump(mode="json")
    assert [r["citation_text"] for r in data["related"]] == [h.citation_text for h in answer.related]


def test_no_internal_key_reaches_the_user(answerer, search_home) -> None:
    """"[ev-…]" keys are for a language model only: not in the text, the lead, the warnings,
    not anywhere in the JSON shown (a model's stray key is counted, not named)."""
    store, home = search_home
    llm = DeterministicStandInLLM(reply="Ủy ban nhân dân cấp tỉnh quyết định [{KEY0}]. Hoặc Bộ [ev-123456].")
    with_model = Answerer(store, open_searcher(store, home), llm=GroundedWriter(llm, "stand-in"))
    for answer in (answerer.ask(WHO), answerer.ask("Cụm công nghiệp Hưng Nhân có tổng vốn đầu tư bao nhiêu?"),
                   with_model.ask(WHO)):
        assert "[ev-" not in json.dumps(answer.model_dump(mode="json"), ensure_ascii=False)
        assert "ev-" not in answer.answer and not any("ev-" in w for w in answer.warnings)
    assert with_model.ask(WHO).answer.split("\n")[0].startswith("Theo khoản 4 Điều 10")


def test_unanswered_question_has_no_lead(answerer) -> None:
    answer = answerer.ask("Cụm công nghiệp Hưng Nhân ở tỉnh Hưng Yên có tổng vốn đầu tư bao nhiêu?")
    assert not answer.answered and answer.lead is None and answer.model_dump(mode="json")["lead"] is None


def test_authority_question_after_the_reform_leads_with_the_province(answerer) -> None:
    """"thẩm quyền thành lập … sau khi bỏ cấp huyện" asks who, as "ai thành lập" does: khoản 4
    Điều 10 NĐ 32/2024 first (it came 4th–5th by score alone), the body marked."""
    answer = answerer.ask("thẩm quyền thành lập cụm công nghiệp sau khi bỏ cấp huyện", as_of=date(2026, 12, 6))
    assert answer.lead.lead.kind == "who"
    assert _addresses(answer)[0] == (ND32, 10, 4)
    assert _focus(answer) == "Ủy ban nhân dân cấp tỉnh xem xét, quyết định việc thành lập"


def test_lead_focus_survives_line_breaks_in_the_sentence() -> None:
    from answers.lead import find_lead

    text = "3. Trách nhiệm của các cơ quan:\nỦy ban nhân dân cấp xã  chủ trì, trình Sở Công Thương quyết định việc thành lập."
    lead = find_lead("ai quyết định thành lập cụm công nghiệp", [text])
    assert lead.text.startswith("Trách nhiệm của các cơ quan: Ủy ban nhân dân cấp xã chủ trì")
    assert lead.text[slice(*lead.focus)] == "Sở Công Thương quyết định việc thành lập"
