"""Documents the knowledge base does not know: possibly invented (`unknown_document`), not
identified (`unverified_document`), or outside it (`outside_kb`), by the catalogue of what
other texts cite, the serial ranges and the form of the number."""

from __future__ import annotations

import re
from datetime import date

from drafting.checker.context import Run
from drafting.checker.kbcache import KbCache
from drafting.checker.report import Issue, vn_date
from kb import catalog, doctypes
from kb.citations import DocRef, doc_type_from_number, issuer_from_number, render_short

PARTY_NUMBER_RE = re.compile(r"^\d+[a-z]?-[A-ZĐ]+/")


ADMIN_TYPES, NORM_TYPES = doctypes.ADMINISTRATIVE, doctypes.NORMATIVE


def unknown_document(run: Run, number: str, ref: DocRef | None) -> Issue:
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
    if (contradiction := against_catalogue(run, number, ref)) is not None:
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


def against_catalogue(run: Run, number: str, ref: DocRef | None) -> Issue | None:
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
