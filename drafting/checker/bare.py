"""References without a document: a bare "Điều 11" resolved to the document named just before
(or "… này": this very letter), and a legal text's own addresses and amending items."""

from __future__ import annotations

import re

from drafting.checker.context import Run, clone
from drafting.checker.judge import holds, in_parts, judge
from drafting.checker.letter import ANNEX_MARK, Letter
from drafting.checker.report import CitationCheck, Issue
from kb.citations import CitationMention, DocRef, render, render_short, resolve_relative
from kb.model import Citation

LETTERED_ARTICLE_RE = re.compile(r"\s+Điều\s+\d+[a-zđ]\b")


LOOKBACK_PARAGRAPHS = 2  # a bare "Điều 11" refers to a document named this far back at most


def own_text(run: Run, index: int, mention: CitationMention, base: CitationCheck) -> list[CitationCheck]:
    """A legal text being checked: "khoản 2 Điều này", "Điều 5" are its own provisions, except a
    bare list closed later in the sentence by a document ("khoản 1 Điều 34; … Nghị định số …")."""
    letter = run.letter
    context = letter.contexts[index] if index < len(letter.contexts) else Citation(letter.own_number)
    post = mention.postcedent
    out = []
    for target, level, absolute in zip(mention.targets, mention.relatives,
                                       resolve_relative(mention, context), strict=True):
        check = clone(base)
        if context.annex == ANNEX_MARK and mention.doc_ref is None:
            check.citation = target
            check.issues.append(Issue("cannot_verify_provision", "info",
                                      "dẫn chiếu trong phụ lục, biểu mẫu: không đối chiếu"))
        elif level == "article" and LETTERED_ARTICLE_RE.match(letter.paragraphs[index], mention.span[1]):
            check.citation = target
            check.issues.append(Issue("cannot_verify_provision", "info",
                                      "khoản của một điều đánh số có chữ (Điều 31a): chưa đọc được"))
        elif mention.doc_ref is None and (amended := letter.amends.get((context.article, context.clause))):
            _amending_item(run, check, target, level, amended, index, base.start)
        elif level == "document" and mention.doc_ref is None and post is not None and post.complete:
            how = f"hiểu là của {render_short(post.number, post.doc_type)}, văn bản nêu sau trong câu"
            judge(run, check, target.with_doc(post.number), None, index, base.start, inferred=how)
        else:
            _own_address(run, check, absolute)
        out.append(check)
    return out


def _amending_item(run: Run, check: CitationCheck, target: Citation, level: str, amended: Citation,
                   index: int, start: int) -> None:
    """An item of an amending text ("2. Bổ sung khoản 3 vào sau khoản 2 Điều 8 như sau:"): its
    bare provisions are the amended document's; a bare "khoản 3" there is the provision added."""
    if level != "document":
        check.citation = target
        check.issues.append(Issue("cannot_verify_provision", "info",
                                  f"trong nội dung sửa đổi, bổ sung {render_short(amended.doc)}: không đối chiếu"))
        return
    placed = Citation(amended.doc, target.part or amended.part, target.annex, target.article, target.clause,
                      target.point)
    judge(run, check, placed, None, index, start,
          inferred=f"quy định của {render_short(amended.doc)}, văn bản được sửa đổi")


def _own_address(run: Run, check: CitationCheck, target: Citation) -> None:
    """An address in the text itself: its parsed provisions, else the store's copy of it (an
    annex kept in a separate file)."""
    letter = run.letter
    check.citation = target
    check.canonical = render(target, with_doc=False) + " (văn bản này)"
    key = (target.part, target.annex, target.article, target.clause, target.point)
    own = letter.own_addresses or set()
    stored = bool(target.doc) and holds(run.kb, target)
    if (target.article is None and target.annex is None) or key in own or stored:
        check.issues.append(Issue("self_reference", "ok", "quy định của chính văn bản này"))
    elif target.annex is not None and not any(k[1] for k in own):
        check.issues.append(Issue("cannot_verify_provision", "info",
                                  "văn bản không kèm phụ lục trong tệp này: không đối chiếu"))
    else:
        check.issues.append(Issue("no_such_provision", "error",
                                  f"văn bản này không có {render(target, with_doc=False)}"))


def bare_reference(run: Run, index: int, mention: CitationMention, base: CitationCheck) -> list[CitationCheck]:
    """A letter's "Điều 11", "Phụ lục 2", "Điều 5 Nghị định này": find the document meant."""
    if _own_annex(run.letter, index, mention):
        check = clone(base)
        check.issues.append(Issue("own_annex", "info", "phụ lục của chính văn bản này"))
        return [check]
    candidates = _candidates(run, index, mention, base.start)
    out = []
    for target, level in zip(mention.targets, mention.relatives, strict=True):
        check = clone(base)
        if level in ("article", "clause"):  # "khoản 2 Điều này" quoted in a letter
            check.citation = target
            check.issues.append(Issue("cannot_verify_provision", "info",
                                      "dẫn chiếu «… này» của một đoạn trích: không đối chiếu"))
        elif _own_bare_annex(run, target, candidates, mention):
            check.citation = target
            check.issues.append(Issue("own_annex", "info", "phụ lục của chính văn bản này"))
        else:
            _resolve_bare(run, check, target, candidates, mention, index)
        out.append(check)
    return out


def _own_bare_annex(run: Run, target: Citation, candidates: list[str], mention: CitationMention) -> bool:
    """A letter's bare "Phụ lục 1" that no document named before holds: the letter's own annex
    (a report's "chi tiết tại Phụ lục 1"), not a decree's that has none."""
    if mention.doc_ref is not None or target.annex is None or target.article is not None:
        return False
    return not any(holds(run.kb, target.with_doc(n)) for n in candidates)


OWN_ANNEX_AFTER_RE = re.compile(
    r"\s*(?:gửi\s+kèm|kèm\s+theo)(?:\s+(?:văn bản|công văn|báo cáo|tờ trình|kế hoạch)\s+này)?"
    r"\s*(?:[).,;:]|$)"
)


def _own_annex(letter: Letter, index: int, mention: CitationMention) -> bool:
    """ "(chi tiết tại Phụ lục 1 gửi kèm)": the letter's own annex, not another document's."""
    if mention.doc_ref is not None or any(t.article is not None for t in mention.targets):
        return False
    return OWN_ANNEX_AFTER_RE.match(letter.paragraphs[index], mention.span[1]) is not None


def _candidates(run: Run, index: int, mention: CitationMention, start: int) -> list[str]:
    """Documents a bare reference may mean, most likely first: the one named earlier in the
    sentence, earlier in the paragraph, then in the paragraphs just before. "Nghị định này" in a
    letter: the last document of that type named before it, however far back."""
    wanted = mention.doc_ref.doc_type if mention.doc_ref is not None else None
    found: list[str] = []
    ante = mention.antecedent
    if ante is not None and ante.complete and ante.number and wanted is None:
        found.append(ante.number)
    for seen in reversed(run.seen):
        if seen.start >= start:
            continue
        if wanted is None and index - seen.paragraph <= LOOKBACK_PARAGRAPHS or wanted is not None and seen.doc_type == wanted:
            found.append(seen.number)
    return list(dict.fromkeys(found))


def _resolve_bare(run: Run, check: CitationCheck, target: Citation, candidates: list[str],
                  mention: CitationMention, index: int) -> None:
    """The first candidate holding the provision, else the nearest one; a document named later
    in the sentence only when it holds it ("khoản 1 Điều 34; … khoản 3 Điều 34 Nghị định số …")."""
    post = mention.postcedent
    later = [post.number] if post is not None and post.complete and post.number else []
    holding = [(n, t) for n in candidates + later for t in in_parts(run.kb, target.with_doc(n))
               if holds(run.kb, t)]
    if holding:
        target = holding[0][1].with_doc(None)
    chosen = next(iter([n for n, _t in holding] or candidates or later), None)
    if mention.doc_ref is not None:
        check.issues.append(_this_in_letter(run, mention.doc_ref, chosen, bool(holding)))
    if chosen is None:
        check.citation = target
        check.canonical = render(target, with_doc=False)
        if mention.doc_ref is None:
            check.issues.append(Issue("no_antecedent_info", "info",
                                      "không xác định được văn bản được dẫn chiếu (không có văn "
                                      "bản nào được nêu ngay trước)"))
        return
    where = "văn bản nêu gần nhất" if chosen in candidates else "văn bản nêu sau trong câu"
    how = f"hiểu là của {render_short(chosen, run.kb.doc_type(chosen))}, {where}"
    judge(run, check, target.with_doc(chosen), None, index, check.start, inferred=how)


def _this_in_letter(run: Run, ref: DocRef, chosen: str | None, found: bool) -> Issue:
    """ "Phụ lục V kèm theo Nghị định này" copied into a letter: "này" is the letter itself.
    When the last document of that type holds the provision, a quotation of it: information."""
    meant = (f"; hiểu là {render_short(chosen, run.kb.doc_type(chosen))}, văn bản cùng loại nêu "
             "gần nhất" if chosen else "")
    if found:
        return Issue("quoted_reference", "info", f"«{ref.raw}»{meant} (đoạn trích nguyên văn)")
    return Issue("no_antecedent", "warning",
                 f"«{ref.raw}» trong văn bản này không chỉ văn bản nào{meant}: ghi rõ số, ký hiệu "
                 "văn bản")
