"""The citation rules: each address cited judged against the knowledge base at the letter's
date (exists, in force, amended, repealed, identified), explicit documents, documents the
knowledge base does not know, and references without a document (bare "Điều 11", "… này",
a legal text's own addresses)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from drafting.checker.kbcache import KbCache
from drafting.checker.letter import ANNEX_MARK, SENTENCE_RE, Letter
from drafting.checker.mentions import Found
from drafting.checker.report import CitationCheck, Finding, Issue, vn_date
from kb import catalog, doctypes
from kb.citations import (
    CitationMention,
    DocRef,
    doc_type_from_number,
    find_citations,
    issuer_from_number,
    match_partial,
    render,
    render_short,
    resolve_relative,
)
from kb.model import Citation, Status
from kb.validity import Validity, provision_validity, relation_date, upcoming_expiry

# a sentence that itself says the document ended or changed: naming it is no mistake
HISTORICAL_RE = re.compile(
    r"(?<!\w)(?:thay thế|hết hiệu lực|bãi bỏ|trước đây|đã được sửa đổi|căn cứ pháp lý đã)(?!\w)",
    re.IGNORECASE,
)
FUTURE_RE = re.compile(r"(?<!\w)(?:có hiệu lực (?:thi hành )?(?:kể )?từ|sẽ có hiệu lực)(?!\w)")
ABBREVIATED_RE = doctypes.Pattern(lambda: rf"(?:{doctypes.code_alternation(lambda t: t.short)})(?![\w])")
PARTY_NUMBER_RE = re.compile(r"^\d+[a-z]?-[A-ZĐ]+/")
LETTERED_ARTICLE_RE = re.compile(r"\s+Điều\s+\d+[a-zđ]\b")
ADMIN_TYPES, NORM_TYPES, NAMED_TYPES = doctypes.ADMINISTRATIVE, doctypes.NORMATIVE, doctypes.NAMED
LOOKBACK_PARAGRAPHS = 2  # a bare "Điều 11" refers to a document named this far back at most


@dataclass(slots=True)
class Seen:
    """A document mention met so far (for bare references and evidence of identity)."""

    paragraph: int
    start: int
    number: str
    doc_type: str | None


@dataclass
class Run:
    kb: KbCache
    letter: Letter
    seen: list[Seen] = field(default_factory=list)
    evidence: dict[str, list[DocRef]] = field(default_factory=dict)
    identified: set[str] = field(default_factory=set)  # numbers the letter identifies somewhere
    declared: frozenset[str] = frozenset()  # numbers the drafter declared outside the knowledge base


def gather_evidence(run: Run, found: list[Found]) -> None:
    """Every mention of each number: a later short mention is backed by an earlier full one."""
    for item in found:
        ref = item.mention.doc_ref
        if item.law_number:
            run.identified.add(item.law_number)
        if ref is not None and ref.number and ref.complete:
            run.evidence.setdefault(ref.number, []).append(ref)
            if item.identified or _identifies(ref):
                run.identified.add(ref.number)


def citation_findings(checks: list[CitationCheck]) -> Iterator[Finding]:
    """Errors and warnings, once per mention (its addresses may share a problem of its form)."""
    seen: set[tuple] = set()
    for check in checks:
        for issue in check.issues:
            key = (issue.code, issue.message, check.start, check.end)
            if issue.severity in ("error", "warning") and key not in seen:
                seen.add(key)
                yield Finding(issue.severity, issue.code, issue.message, check.text,
                              check.paragraph, check.start, check.end)


def check_mention(run: Run, index: int, mention: CitationMention) -> list[CitationCheck]:
    ref = mention.doc_ref
    if not mention.targets and (ref is None or ref.this_document):
        return []  # "Quy định này không …": a pronoun, nothing to check
    offset = run.letter.offsets[index]
    base = CitationCheck(mention.raw, offset + mention.span[0], offset + mention.span[1], index)
    if ref is not None and not ref.this_document:
        return _explicit(run, index, mention, base)
    if ref is None and (held := _held_paper(run.letter.paragraphs[index], mention)) is not None:
        return [_paper_check(base, target, held) for target in _targets(mention)]
    if run.letter.own_addresses is not None:
        return _own_text(run, index, mention, base)
    return _bare(run, index, mention, base)


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
    check = _clone(base)
    check.citation = target
    check.issues.append(Issue("correspondence", "info",
                              f"{render(target, with_doc=False)} của {paper[0]} số {paper[1]}: "
                              "văn bản hành chính, không đối chiếu"))
    return check


def _clone(base: CitationCheck) -> CitationCheck:
    return CitationCheck(base.text, base.start, base.end, base.paragraph)


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
        check = _clone(base)
        check.issues.extend(form_issues)
        if number is None:
            check.citation = target.with_doc(ref.number) if ref.number else None
            if not form_issues:
                check.issues.append(_unidentified(ref))
        elif mention.attached == "parenthetical" and (other := _holder_elsewhere(run, index, mention, target, number)):
            how = (f"hiểu là của {render_short(other.doc, run.kb.doc_type(other.doc))}, văn bản nêu trước "
                   f"trong đoạn; {render_short(number, run.kb.doc_type(number))} không có điều, khoản này")
            _judge(run, check, other, None, index, base.start, inferred=how)
        else:
            _judge(run, check, target.with_doc(number), ref, index, base.start)
        out.append(check)
    return out


def _holder_elsewhere(run: Run, index: int, mention: CitationMention, target: Citation,
                      number: str) -> Citation | None:
    """ "… khác với Nghị định số 32/2024/NĐ-CP (khoản 5 Điều 16)" in a comparison with a Quy
    chế: a parenthesis the grammar gives the document just before it, when that document has no
    such provision and one named before in the paragraph has (its Quy chế included)."""
    if target.article is None or any(_holds(run.kb, t) for t in _in_parts(run.kb, target.with_doc(number))):
        return None
    paragraph = run.letter.paragraphs[index]
    named = [m.doc_ref.number for m in find_citations(paragraph[: mention.span[0]])
             if m.doc_ref is not None and m.doc_ref.complete and m.doc_ref.number]
    for other in dict.fromkeys(reversed(named)):
        if other == number:
            continue
        held = [t for t in _in_parts(run.kb, target.with_doc(other)) if _holds(run.kb, t)]
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


# --- judging one address --------------------------------------------------------------------


def _judge(run: Run, check: CitationCheck, target: Citation, ref: DocRef | None,
           index: int, start: int, inferred: str = "") -> None:
    """Resolve `target` (a complete document) against the knowledge base at the letter's date."""
    kb, number = run.kb, target.doc
    assert number is not None
    check.citation = target
    check.canonical = render(target, kb.doc_type(number))
    if number == run.letter.own_number:
        check.issues.append(Issue("self_reference", "ok", "chính văn bản này"))
        return
    doc = kb.document(number)
    if doc is None and inferred:
        check.issues.append(Issue("outside_kb", "info",
                                  f"{inferred}: văn bản không có trong cơ sở tri thức"))
        return
    if doc is None:
        check.issues.append(_unknown(run, number, ref))
        return
    sentence = _sentence(run.letter.paragraphs[index], start - run.letter.offsets[index])
    if _ended(run, check, number, sentence):
        return
    if doc["is_stub"]:
        check.issues.append(_against_catalogue(run, number, ref) or _stub_issue(kb, number, target))
        return
    if ref is not None:
        check.issues.extend(_metadata(kb, doc, ref))
    addressed = target.article is not None or target.annex is not None
    if addressed and not _provision(run, check, target, inferred):
        return
    check.issues.append(_ok(kb, number, target, inferred))


def _sentence(paragraph: str, pos: int) -> str:
    for m in SENTENCE_RE.finditer(paragraph):
        if m.start() <= pos < max(m.end(), m.start() + 1):
            return m.group(0)
    return paragraph


def _ended(run: Run, check: CitationCheck, number: str, sentence: str) -> bool:
    """A repealed or not yet effective document: an error, unless the sentence says so."""
    validity = run.kb.validity(number)
    name = render_short(number, run.kb.doc_type(number))
    if validity.status == Status.REPEALED:
        if HISTORICAL_RE.search(sentence):
            check.issues.append(Issue("historical_reference", "info",
                                      f"{name} đã hết hiệu lực ({validity.note}); câu văn nêu "
                                      "việc này"))
            return True
        check.issues.append(Issue("repealed_document", "error", _repealed_message(run, name, validity)))
        return True
    if validity.status == Status.NOT_YET and not FUTURE_RE.search(sentence):
        check.issues.append(Issue("not_in_force_at_date", "error",
                                  f"{name} chưa có hiệu lực tại ngày {vn_date(run.kb.at)} "
                                  f"({validity.note})"))
        return True
    return False


def _repealed_message(run: Run, name: str, validity: Validity) -> str:
    by = [render_short(n, run.kb.doc_type(n)) for n in validity.replaced_by]
    text = f"{name} đã hết hiệu lực từ ngày {vn_date(validity.since)}"
    if by:
        text += f", được thay thế bởi {', '.join(by)}: dẫn chiếu văn bản thay thế"
    return text


def _stub_issue(kb: KbCache, number: str, target: Citation) -> Issue:
    name = render_short(number, kb.doc_type(number))
    what = "không kiểm tra được điều, khoản" if target.article or target.annex else (
        "không kiểm tra được nội dung")
    entry = kb.catalogue(number)
    where = f"; {entry.cited_at()}" if entry else ""
    return Issue("outside_kb", "info",
                 f"{name}: văn bản không có trong cơ sở tri thức (chỉ được các văn bản khác dẫn "
                 f"chiếu{where}), {what}")


def _metadata(kb: KbCache, doc, ref: DocRef) -> list[Issue]:
    """The date and type the letter writes against the knowledge base's record."""
    issues = []
    name = render_short(doc["number"], doc["doc_type"])
    if ref.issued and doc["issued"] and ref.issued != doc["issued"]:
        issues.append(Issue("wrong_date", "error",
                            f"{name} ban hành ngày {vn_date(doc['issued'])}, không phải ngày "
                            f"{vn_date(ref.issued)}"))
    if ref.issuer and doc["issuer"] and not catalog.same_issuer(ref.issuer, doc["issuer"]):
        issues.append(Issue("wrong_issuer", "error",
                            f"{name} do {doc['issuer']} ban hành, không phải «{ref.issuer}»"))
    if (ref.doc_type in NORM_TYPES and doc["doc_type"] in NORM_TYPES
            and ref.doc_type != doc["doc_type"]):
        issues.append(Issue("wrong_document_type", "error",
                            f"văn bản số {doc['number']} là {doc['doc_type']}, không phải "
                            f"{ref.doc_type}"))
    return issues


def _provision(run: Run, check: CitationCheck, target: Citation, inferred: str) -> bool:
    """The address exists and is in force (amended: a warning). False when a problem ends it."""
    kb, number = run.kb, target.doc
    rows = kb.rows(number)
    row = rows.get((target.part, target.annex, target.article, target.clause, target.point))
    if row is None:
        check.issues.append(_missing(kb, target, rows, inferred))
        return False
    validity, current, versions = provision_validity(kb.store, row, kb.at)
    label = render(target, kb.doc_type(number))
    if validity.status == Status.REPEALED:
        check.issues.append(Issue("not_in_force_at_date", "error",
                                  f"{label} không còn hiệu lực tại ngày {vn_date(kb.at)} "
                                  f"({validity.note})"))
        return False
    if current.text_missing:  # amended by a text known only from a notice: the wording cited is the old one
        stated = validity.note.split(" — ")[0]
        check.issues.append(Issue("amended_provision", "warning", f"{label}: {stated}; câu văn trích dẫn theo "
                                  "nội dung trước khi sửa đổi, cần đối chiếu văn bản sửa đổi"))
    elif len(versions) > 1 and current is not versions[0]:
        check.issues.append(Issue("amended_provision", "warning",
                                  f"{label} đã được sửa đổi, bổ sung bởi "
                                  f"{render_short(current.source_doc)} từ ngày "
                                  f"{vn_date(current.valid_from)}: trích theo nội dung đã sửa đổi"))
    elif changed := _changed_parts(kb, target):
        check.issues.append(Issue("amended_provision", "warning",
                                  f"{label} có {'; '.join(changed)}: trích theo nội dung đã sửa "
                                  "đổi"))
    if expiry := upcoming_expiry(kb.store, number, kb.at):
        check.issues.append(Issue("expiring_document", "info", f"{expiry} (văn bản đề ngày {vn_date(kb.at)})"))
    return True


def _changed_parts(kb: KbCache, target: Citation) -> list[str]:
    """Amendments and repeals in force at the date aimed below the cited address ("khoản 2
    Điều 8" cited whole, its điểm c amended)."""
    out = []
    for rel in kb.relations_to(target.doc):
        if rel["kind"] not in ("amends", "repeals") or rel["to_article"] != target.article:
            continue
        if (rel["to_part"], rel["to_annex"]) != (target.part, target.annex):
            continue
        below = Citation(target.doc, rel["to_part"], rel["to_annex"], rel["to_article"],
                         rel["to_clause"], rel["to_point"])
        deeper = (target.clause is None and below.clause is not None) or (
            target.clause == below.clause and target.point is None and below.point is not None)
        when = relation_date(kb.store, rel)
        if deeper and when is not None and when <= kb.at:
            verb = "được sửa đổi, bổ sung" if rel["kind"] == "amends" else "bị bãi bỏ"
            out.append(f"{render(below, with_doc=False)} {verb} bởi "
                       f"{render_short(rel['from_doc'])} từ ngày {vn_date(when)}")
    return out


def _missing(kb: KbCache, target: Citation, rows: dict[tuple, object], inferred: str) -> Issue:
    """No such provision: say what the document does have at the nearest level."""
    label = render(target, kb.doc_type(target.doc))
    articles = {k for k in rows if k[2] is not None and (k[0], k[1]) == (target.part, target.annex)}
    if not articles and target.article is not None:
        return Issue("cannot_verify_provision", "info",
                     f"{label}: cơ sở tri thức không có các điều của văn bản này để đối chiếu")
    if kb.compiled(target.doc):
        return Issue("cannot_verify_provision", "info",
                     f"{label}: cơ sở tri thức chỉ có các điều của văn bản này được hệ thống hóa "
                     "trong Bộ pháp điển, không có điều, khoản này để đối chiếu")
    detail = _what_exists(kb, target, rows)
    if inferred:
        return Issue("unresolved_reference", "warning",
                     f"không có {label} ({inferred}){detail}; ghi rõ tên văn bản được dẫn chiếu")
    return Issue("no_such_provision", "error", f"không có {label}{detail}")


def _what_exists(kb: KbCache, target: Citation, rows: dict[tuple, object]) -> str:
    scope = (target.part, target.annex)
    parent = target.parent()
    while parent is not None and (scope + (parent.article, parent.clause, parent.point)) not in rows:
        parent = parent.parent()
    if parent is None:
        count = len({k[2] for k in rows if k[:2] == scope and k[2] is not None})
        return f": văn bản có {count} điều"
    name = render(parent, kb.doc_type(target.doc))
    key = scope + (parent.article, parent.clause, parent.point)
    if parent.clause is None:
        count = len({k[3] for k in rows if k[:3] == key[:3] and k[3] is not None})
        return f": {name} có {count} khoản" if count else f": {name} không chia khoản"
    count = len({k[4] for k in rows if k[:4] == key[:4] and k[4] is not None})
    return f": {name} có {count} điểm" if count else f": {name} không chia điểm"


def _ok(kb: KbCache, number: str, target: Citation, inferred: str) -> Issue:
    validity = kb.validity(number)
    label = render(target, kb.doc_type(number))
    where = f" ({inferred})" if inferred else ""
    if validity.status == Status.NOT_NORMATIVE:
        return Issue("ok", "ok", f"{label}{where}: văn bản hành chính có trong cơ sở tri thức")
    note = f" — {validity.note}" if validity.note else ""
    return Issue("ok", "ok", f"{label}{where}: {validity.text.lower()} tại ngày {vn_date(kb.at)}{note}")


# --- documents the knowledge base does not know ---------------------------------------------


def _unknown(run: Run, number: str, ref: DocRef | None) -> Issue:
    doc_type = (ref.doc_type if ref else None) or doc_type_from_number(number)
    name = render_short(number, doc_type)
    if PARTY_NUMBER_RE.match(number):
        return Issue("party_document", "info",
                     f"{name}: văn bản của tổ chức Đảng, ngoài phạm vi cơ sở tri thức")
    if doc_type in ADMIN_TYPES or doc_type_from_number(number) in ADMIN_TYPES:
        return Issue("correspondence", "info",
                     f"{name}: văn bản hành chính (công văn, báo cáo …), không có trong cơ sở tri "
                     "thức, không đối chiếu")
    if number in run.declared:
        return Issue("outside_kb", "info",
                     f"{name}: văn bản do người soạn khai báo, ngoài cơ sở tri thức: chưa kiểm chứng "
                     "nội dung, hiệu lực")
    refs = run.evidence.get(number, [])
    problem = _implausible(number, refs, run.kb.at)
    if problem:
        return Issue("unknown_document", "error",
                     f"{name} không có trong cơ sở tri thức và {problem}: có thể là số hiệu không "
                     "có thật")
    if (contradiction := _against_catalogue(run, number, ref)) is not None:
        return contradiction
    entry = run.kb.catalogue(number)
    if entry is not None:
        return Issue("outside_kb", "info",
                     f"{name}: văn bản không có toàn văn trong cơ sở tri thức, {entry.cited_at()}; "
                     "không kiểm tra được nội dung, hiệu lực")
    if number in run.identified and not re.search(r"/\d{4}/", number):
        return Issue("outside_kb", "info",
                     f"{name}: văn bản không có trong cơ sở tri thức (văn bản nêu ngày, cơ quan ban "
                     "hành hoặc trích yếu), không kiểm tra được nội dung, hiệu lực")
    if beyond := _beyond_range(run.kb, number):
        return Issue("unknown_document", "error",
                     f"{name} không có trong cơ sở tri thức và {beyond}: có thể là số hiệu không có thật")
    if not re.search(r"/\d{4}/", number):  # no year: a decision on a case, not a legal norm
        return Issue("unverified_document", "warning",
                     f"{name}: văn bản không có trong cơ sở tri thức, văn bản cũng không nêu ngày "
                     "ban hành, cơ quan ban hành: không xác minh được; ghi đầy đủ ở lần nêu đầu tiên")
    said = " (văn bản có nêu ngày, cơ quan ban hành hoặc trích yếu)" if number in run.identified else ""
    return Issue("unverified_document", "warning",
                 f"{name}: không xác minh được số hiệu — đề nghị kiểm tra: không có trong cơ sở tri "
                 f"thức và không văn bản nào đã nạp dẫn chiếu{said}")


def _against_catalogue(run: Run, number: str, ref: DocRef | None) -> Issue | None:
    """An error when what the letter writes of a document contradicts what the texts citing it
    say: another date of issue, another issuer. Where the citing texts disagree among
    themselves, any of their dates or issuers is accepted. A type the number's own form
    contradicts ("Thông tư số 71/2018/NĐ-CP") is an error too."""
    if (wrong := _type_against_form(number, ref)) is not None:
        return wrong
    entry = run.kb.catalogue(number)
    if entry is None:
        return None
    name = render_short(number, entry.doc_type)
    written_refs = [r for r in run.evidence.get(number, []) if r is not ref] + [ref] if ref else []
    for written in written_refs:
        if written.issued and entry.dates and written.issued not in entry.dates:
            known = ", ".join(vn_date(d) for d, _n in entry.dates.most_common(2))
            return Issue("wrong_date", "error",
                         f"{name} ban hành ngày {known} (theo các văn bản dẫn chiếu: "
                         f"{entry.cited_at()}), không phải ngày {vn_date(written.issued)}")
        known_issuers = list(entry.issuers) or [i for i in [issuer_from_number(number)] if i]
        if written.issuer and known_issuers and not any(
                catalog.same_issuer(written.issuer, i) for i in known_issuers):
            return Issue("wrong_issuer", "error",
                         f"{name} do {known_issuers[0]} ban hành (theo các văn bản dẫn chiếu: "
                         f"{entry.cited_at()}), không phải «{written.issuer}»")
    return None


def _type_against_form(number: str, ref: DocRef | None) -> Issue | None:
    """ "Thông tư số 71/2018/NĐ-CP": the ký hiệu says Nghị định. (A /QH number may be a Luật or
    a Nghị quyết: not judged.)"""
    by_form = doc_type_from_number(number)
    if ref is None or ref.doc_type not in NORM_TYPES or by_form not in NORM_TYPES or "/QH" in number:
        return None
    if ref.doc_type == by_form:
        return None
    return Issue("wrong_document_type", "error",
                 f"số hiệu {number} là của một {by_form}, không phải {ref.doc_type}")


def _beyond_range(kb: KbCache, number: str) -> str | None:
    """A serial far beyond the highest that series is known to have reached in a past year
    (20 numbers known at least): "Nghị định 950/2020/NĐ-CP"."""
    m = catalog.SERIAL_RE.match(number)
    if m is None or int(m[2]) >= kb.at.year:
        return None
    count, top = kb.serial_ranges().get((m[3], int(m[2])), (0, 0))
    if count >= 20 and int(m[1]) > max(2 * top, top + 100):
        return (f"số thứ tự {m[1]} vượt xa số cao nhất đã biết của loại văn bản này năm {m[2]} "
                f"({top})")
    return None


def _identifies(ref: DocRef) -> bool:
    """The letter says which document it is: date, issuer or trích yếu (a law: its name)."""
    return bool(ref.issued or ref.issuer or ref.title or (ref.doc_type in NAMED_TYPES and ref.name))


def _implausible(number: str, refs: list[DocRef], at: date) -> str | None:
    """Why a number unknown to the knowledge base cannot be a real document, or None."""
    m = re.match(r"(\d+)[a-z]?/(\d{4})/([A-ZĐ]+)", number)
    year = int(m[2]) if m else None
    if year is not None and year > at.year:
        return f"mang năm {year}, sau ngày của văn bản"
    if m and int(m[1]) > (doctypes.max_serial(m[3]) or 10**6):
        return f"số thứ tự {m[1]} vượt xa số văn bản loại này ban hành trong một năm"
    for ref in refs:
        if ref.issued and year is not None and ref.issued.year != year:
            return f"ngày ban hành {vn_date(ref.issued)} không khớp năm {year} trong số hiệu"
        if ref.issued and ref.issued > at:
            return f"ngày ban hành {vn_date(ref.issued)} sau ngày của văn bản"
        expected = issuer_from_number(number)
        if ref.issuer and expected and not catalog.same_issuer(ref.issuer, expected):
            return f"cơ quan ban hành «{ref.issuer}» không khớp ký hiệu {number}"
    return None


# --- references without a document ---------------------------------------------------------


def _own_text(run: Run, index: int, mention: CitationMention, base: CitationCheck) -> list[CitationCheck]:
    """A legal text being checked: "khoản 2 Điều này", "Điều 5" are its own provisions, except a
    bare list closed later in the sentence by a document ("khoản 1 Điều 34; … Nghị định số …")."""
    letter = run.letter
    context = letter.contexts[index] if index < len(letter.contexts) else Citation(letter.own_number)
    post = mention.postcedent
    out = []
    for target, level, absolute in zip(mention.targets, mention.relatives,
                                       resolve_relative(mention, context), strict=True):
        check = _clone(base)
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
            _judge(run, check, target.with_doc(post.number), None, index, base.start, inferred=how)
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
    _judge(run, check, placed, None, index, start,
           inferred=f"quy định của {render_short(amended.doc)}, văn bản được sửa đổi")


def _own_address(run: Run, check: CitationCheck, target: Citation) -> None:
    """An address in the text itself: its parsed provisions, else the store's copy of it (an
    annex kept in a separate file)."""
    letter = run.letter
    check.citation = target
    check.canonical = render(target, with_doc=False) + " (văn bản này)"
    key = (target.part, target.annex, target.article, target.clause, target.point)
    own = letter.own_addresses or set()
    stored = bool(target.doc) and _holds(run.kb, target)
    if (target.article is None and target.annex is None) or key in own or stored:
        check.issues.append(Issue("self_reference", "ok", "quy định của chính văn bản này"))
    elif target.annex is not None and not any(k[1] for k in own):
        check.issues.append(Issue("cannot_verify_provision", "info",
                                  "văn bản không kèm phụ lục trong tệp này: không đối chiếu"))
    else:
        check.issues.append(Issue("no_such_provision", "error",
                                  f"văn bản này không có {render(target, with_doc=False)}"))


def _bare(run: Run, index: int, mention: CitationMention, base: CitationCheck) -> list[CitationCheck]:
    """A letter's "Điều 11", "Phụ lục 2", "Điều 5 Nghị định này": find the document meant."""
    if _own_annex(run.letter, index, mention):
        check = _clone(base)
        check.issues.append(Issue("own_annex", "info", "phụ lục của chính văn bản này"))
        return [check]
    candidates = _candidates(run, index, mention, base.start)
    out = []
    for target, level in zip(mention.targets, mention.relatives, strict=True):
        check = _clone(base)
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
    return not any(_holds(run.kb, target.with_doc(n)) for n in candidates)


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
    holding = [(n, t) for n in candidates + later for t in _in_parts(run.kb, target.with_doc(n))
               if _holds(run.kb, t)]
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
    _judge(run, check, target.with_doc(chosen), None, index, check.start, inferred=how)


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


def _in_parts(kb: KbCache, target: Citation) -> list[Citation]:
    """The address in the document's main text, then in the regulation it attaches ("khoản 5
    Điều 16" of a decision: of its Quy chế)."""
    if target.part is not None or target.article is None:
        return [target]
    parts = sorted({k[0] for k in kb.rows(target.doc) if k[0] is not None}) if kb.document(target.doc) else []
    return [target, *(dataclasses.replace(target, part=p) for p in parts)]


def _holds(kb: KbCache, target: Citation) -> bool:
    key = (target.part, target.annex, target.article, target.clause, target.point)
    doc = kb.document(target.doc)
    return doc is not None and not doc["is_stub"] and key in kb.rows(target.doc)
