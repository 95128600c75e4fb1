"""The citation rules: each mention dispatched (an explicit document, an administrative paper,
a reference without a document), explicit documents identified, and the errors and warnings
gathered once per mention. Judging: judge.py, unknown.py; bare references: bare.py."""

from __future__ import annotations

import re
from collections.abc import Iterator

from drafting.checker.bare import bare_reference, own_text
from drafting.checker.context import Run, Seen, clone
from drafting.checker.judge import holds, in_parts, judge
from drafting.checker.report import CitationCheck, Finding, Issue
from drafting.severity import Severity
from kb import doctypes
from kb.citations import (
    CitationMention,
    DocRef,
    find_citations,
    match_partial,
    render,
    render_short,
)
from kb.model import Citation

ABBREVIATED_RE = doctypes.Pattern(lambda: rf"(?:{doctypes.code_alternation(lambda t: t.short)})(?![\w])")


def citation_findings(checks: list[CitationCheck]) -> Iterator[Finding]:
    """Errors and warnings, once per mention (its addresses may share a problem of its form)."""
    seen: set[tuple] = set()
    for check in checks:
        for issue in check.issues:
            key = (issue.code, issue.message, check.start, check.end)
            if issue.severity in (Severity.ERROR, Severity.WARNING) and key not in seen:
                seen.add(key)
                yield Finding(severity=issue.severity, code=issue.code, message=issue.message,
                              text=check.text, paragraph=check.paragraph, start=check.start, end=check.end)


def check_mention(run: Run, index: int, mention: CitationMention) -> list[CitationCheck]:
    ref = mention.doc_ref
    if not mention.targets and (ref is None or ref.this_document):
        return []  # "Quy định này không …": a pronoun, nothing to check
    offset = run.letter.offsets[index]
    base = CitationCheck(text=mention.raw, start=offset + mention.span[0], end=offset + mention.span[1],
                         paragraph=index)
    if ref is not None and not ref.this_document:
        return _explicit(run, index, mention, base)
    if ref is None and (held := _held_paper(run.letter.paragraphs[index], mention)) is not None:
        return [_paper_check(base, target, held) for target in _targets(mention)]
    if run.letter.own_addresses is not None:
        return own_text(run, index, mention, base)
    return bare_reference(run, index, mention, base)


# "khoản 1, Điều 2, Giấy phép vận chuyển … số 371/GP-UBND": an address in an administrative
# paper (a licence, a certificate, a contract) named right after it, not in a legal text
HELD_PAPER_RE = re.compile(
    r"\s*,?\s*(?:của\s+)?(?P<type>Giấy phép|Giấy chứng nhận|Hợp đồng|Biên bản|Công văn|Văn bản)"
    r"(?![\w])[^.;]{0,150}?(?<!\w)số\s*(?P<number>\d+[\w/-]*)"
)


def _held_paper(paragraph: str, mention: CitationMention) -> tuple[str, str] | None:
    m = HELD_PAPER_RE.match(paragraph, mention.span[1])
    return (m["type"], m["number"]) if m else None


def _paper_check(base: CitationCheck, target: Citation, paper: tuple[str, str]) -> CitationCheck:
    check = clone(base)
    check.citation = target
    check.issues.append(Issue("correspondence", "info",
                              f"{render(target, with_doc=False)} của {paper[0]} số {paper[1]}: "
                              "văn bản hành chính, không đối chiếu"))
    return check


def _targets(mention: CitationMention) -> list[Citation]:
    return mention.targets or [Citation(None, mention.part)]


# --- explicit documents -------------------------------------------------------------------


def _explicit(run: Run, index: int, mention: CitationMention, base: CitationCheck) -> list[CitationCheck]:
    ref = mention.doc_ref
    assert ref is not None
    number, form_issues = _identify(run, ref)
    if number:
        run.seen.append(Seen(index, base.start, number, run.kb.doc_type(number)))
    out = []
    for target in _targets(mention):
        check = clone(base)
        check.issues.extend(form_issues)
        if number is None:
            check.citation = target.with_doc(ref.number) if ref.number else None
            if not form_issues:
                check.issues.append(_unidentified(ref))
        elif mention.attached == "parenthetical" and (other := _holder_elsewhere(run, index, mention, target, number)):
            how = (f"hiểu là của {render_short(other.doc, run.kb.doc_type(other.doc))}, văn bản nêu trước "
                   f"trong đoạn; {render_short(number, run.kb.doc_type(number))} không có điều, khoản này")
            judge(run, check, other, None, index, base.start, inferred=how)
        else:
            judge(run, check, target.with_doc(number), ref, index, base.start)
        out.append(check)
    return out


def _holder_elsewhere(run: Run, index: int, mention: CitationMention, target: Citation,
                      number: str) -> Citation | None:
    """ "… khác với Nghị định số 32/2024/NĐ-CP (khoản 5 Điều 16)" in a comparison with a Quy
    chế: a parenthesis the grammar gives the document just before it, when that document has no
    such provision and one named before in the paragraph has (its Quy chế included)."""
    if target.article is None or any(holds(run.kb, t) for t in in_parts(run.kb, target.with_doc(number))):
        return None
    paragraph = run.letter.paragraphs[index]
    named = [m.doc_ref.number for m in find_citations(paragraph[: mention.span[0]])
             if m.doc_ref is not None and m.doc_ref.complete and m.doc_ref.number]
    for other in dict.fromkeys(reversed(named)):
        if other == number:
            continue
        held = [t for t in in_parts(run.kb, target.with_doc(other)) if holds(run.kb, t)]
        if held:
            return held[0]
    return None


def _identify(run: Run, ref: DocRef) -> tuple[str | None, list[Issue]]:
    """The complete số hiệu a reference means, and the problems of its form."""
    if ref.number is None:
        return None, []
    abbreviated = ABBREVIATED_RE.match(ref.raw) is not None
    if ref.complete and not abbreviated:
        return ref.number, []
    if ref.complete:  # the number identifies it; only the type is abbreviated
        full = render_short(ref.number, ref.doc_type)
        return ref.number, [Issue("abbreviated_type", "warning",
                                  f"viết tắt tên loại văn bản «{ref.raw}»: ghi đầy đủ «{full}»")]
    candidates = match_partial(ref.raw, run.kb.known_numbers())
    if len(candidates) == 1:
        full = render_short(candidates[0], run.kb.doc_type(candidates[0]))
        return candidates[0], [Issue("informal_short_form", "error",
                                     f"trích dẫn không đầy đủ «{ref.raw}»: ghi đầy đủ «{full}»")]
    if candidates:
        names = ", ".join(sorted(candidates))
        return None, [Issue("informal_short_form", "error",
                            f"trích dẫn không đầy đủ «{ref.raw}», có thể là: {names}; "
                            "ghi đầy đủ số, ký hiệu văn bản")]
    return None, [Issue("informal_short_form", "error",
                        f"trích dẫn không đầy đủ «{ref.raw}»: không xác định được văn bản; "
                        "ghi đầy đủ số, ký hiệu văn bản")]


def _unidentified(ref: DocRef) -> Issue:
    what = ref.raw.strip()
    return Issue("unidentified_document", "info",
                 f"«{what}»: văn bản không có trong cơ sở tri thức (không nêu số hiệu)")
