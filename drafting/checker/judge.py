"""Judging one address against the knowledge base at the letter's date: the document (in force,
repealed, its date and type) and the provision (exists, in force, amended)."""

from __future__ import annotations

import dataclasses
import re

from drafting.checker.context import Run
from drafting.checker.kbcache import KbCache
from drafting.checker.letter import SENTENCE_RE
from drafting.checker.report import CitationCheck, Issue, vn_date
from drafting.checker.unknown import against_catalogue, unknown_document
from kb import catalog, doctypes
from kb.citations import DocRef, render, render_short, stored_annex_item
from kb.model import Citation, Status
from kb.validity import Validity, provision_validity, relation_date, upcoming_expiry

# a sentence that itself says the document ended or changed: naming it is no mistake
HISTORICAL_RE = re.compile(
    r"(?<!\w)(?:thay thế|hết hiệu lực|bãi bỏ|trước đây|đã được sửa đổi|căn cứ pháp lý đã)(?!\w)",
    re.IGNORECASE,
)
FUTURE_RE = re.compile(r"(?<!\w)(?:có hiệu lực (?:thi hành )?(?:kể )?từ|sẽ có hiệu lực)(?!\w)")


NORM_TYPES = doctypes.NORMATIVE


def judge(run: Run, check: CitationCheck, target: Citation, ref: DocRef | None,
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
        check.issues.append(unknown_document(run, number, ref))
        return
    sentence = _sentence(run.letter.paragraphs[index], start - run.letter.offsets[index])
    if _ended(run, check, number, sentence):
        return
    if doc.is_stub:
        check.issues.append(against_catalogue(run, number, ref) or _stub_issue(kb, number, target))
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
    name = render_short(doc.number, doc.doc_type)
    if ref.issued and doc.issued and ref.issued != doc.issued:
        issues.append(Issue("wrong_date", "error",
                            f"{name} ban hành ngày {vn_date(doc.issued)}, không phải ngày "
                            f"{vn_date(ref.issued)}"))
    if ref.issuer and doc.issuer and not catalog.same_issuer(ref.issuer, doc.issuer):
        issues.append(Issue("wrong_issuer", "error",
                            f"{name} do {doc.issuer} ban hành, không phải «{ref.issuer}»"))
    if (ref.doc_type in NORM_TYPES and doc.doc_type in NORM_TYPES
            and ref.doc_type != doc.doc_type):
        issues.append(Issue("wrong_document_type", "error",
                            f"văn bản số {doc.number} là {doc.doc_type}, không phải "
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
    if target.annex_item and target.article is None:  # "Mẫu số 02 Phụ lục II …": that form
        row = kb.store.provision(target)
        if row is None:
            check.issues.append(_missing_item(kb, target))
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
        if rel.kind not in ("amends", "repeals") or rel.to_article != target.article:
            continue
        if (rel.to_part, rel.to_annex) != (target.part, target.annex):
            continue
        below = Citation(target.doc, rel.to_part, rel.to_annex, rel.to_article,
                         rel.to_clause, rel.to_point)
        deeper = (target.clause is None and below.clause is not None) or (
            target.clause == below.clause and target.point is None and below.point is not None)
        when = relation_date(kb.store, rel)
        if deeper and when is not None and when <= kb.at:
            verb = "được sửa đổi, bổ sung" if rel.kind == "amends" else "bị bãi bỏ"
            out.append(f"{render(below, with_doc=False)} {verb} bởi "
                       f"{render_short(rel.from_doc)} từ ngày {vn_date(when)}")
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


def _missing_item(kb: KbCache, target: Citation) -> Issue:
    """No such form in the Phụ lục: say which ones it has ("Phụ lục II có Mẫu số 01, …")."""
    kind = target.annex_item.split(" ")[0]
    held = [item for r in kb.store.provisions(target.doc) if r.annex == target.annex
            and (item := stored_annex_item(r.annex, r.kind, r.label)) and item.split(" ")[0] == kind]
    detail = f"; Phụ lục {target.annex} có {', '.join(dict.fromkeys(held))}" if held else ""
    return Issue("no_such_provision", "error", f"không có {render(target, kb.doc_type(target.doc))}{detail}")


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


def in_parts(kb: KbCache, target: Citation) -> list[Citation]:
    """The address in the document's main text, then in the regulation it attaches ("khoản 5
    Điều 16" of a decision: of its Quy chế)."""
    if target.part is not None or target.article is None:
        return [target]
    parts = sorted({k[0] for k in kb.rows(target.doc) if k[0] is not None}) if kb.document(target.doc) else []
    return [target, *(dataclasses.replace(target, part=p) for p in parts)]


def holds(kb: KbCache, target: Citation) -> bool:
    key = (target.part, target.annex, target.article, target.clause, target.point)
    doc = kb.document(target.doc)
    return doc is not None and not doc.is_stub and key in kb.rows(target.doc)
