"""Amending texts (kind `sua_doi`): a draft "Nghị định sửa đổi, bổ sung một số điều của Nghị định
số …" (or "Quyết định sửa đổi, bổ sung một số điều của Quy chế … ban hành kèm theo Quyết định
số …") and its bảng so sánh, thuyết minh.

The structure is that of the real amending texts of the corpus (NĐ 236/2026/NĐ-CP, NĐ 238/2026 …):
- the căn cứ lines, "Theo đề nghị của …;" and "Chính phủ ban hành Nghị định sửa đổi, bổ sung một
  số điều của <the amended text in full>.";
- "Điều 1. Sửa đổi, bổ sung một số điều của …": numbered items "1. Sửa đổi, bổ sung khoản 1 Điều 2
  như sau:" and "2. Bổ sung khoản 5 vào sau khoản 4 Điều 8 như sau:", each followed by the new
  wording in quotes, “…”.;
- "Điều 2. Thay thế, bãi bỏ một số cụm từ, quy định của …": "1. Thay thế cụm từ “…” bằng cụm từ
  “…” tại khoản 2 Điều 13." and "2. Bãi bỏ điểm c khoản 1 Điều 8.";
- Điều khoản chuyển tiếp (when the spec gives one), Hiệu lực thi hành, Trách nhiệm thi hành.
This is also what ingestion reads back (ingest.relations): ingesting the draft gives the store
exactly the new versions the spec describes (tests/test_drafting_amend.py, the round trip).

The bảng so sánh has one row per change: the provision in force at the draft's date, quoted
verbatim from the knowledge base; the draft's wording; the thuyết minh of the spec.
"""

from __future__ import annotations

import re

from drafting.assemble import (
    AssembledDraft,
    Cell,
    ComparisonTable,
    Para,
    Run,
    _Assembler,
    text_lines,
    vn_date,
)
from drafting.severity import Severity
from drafting.spec import KIND_LABELS, Change
from kb import citations
from kb.model import Citation, Status
from kb.validity import added_versions, version_at
from kb.wording import replace_words

TYPE_CODES = {"Nghị định": "NĐ", "Quyết định": "QĐ", "Thông tư": "TT", "Nghị quyết": "NQ"}
RESPONSIBLE = {
    "Nghị định": "Bộ trưởng, Thủ trưởng cơ quan ngang bộ, Thủ trưởng cơ quan thuộc Chính phủ, Chủ tịch "
                 "Ủy ban nhân dân tỉnh, thành phố trực thuộc trung ương và các cơ quan, tổ chức, cá nhân "
                 "có liên quan chịu trách nhiệm thi hành Nghị định này",
}
ARTICLE_LABEL_RE = re.compile(r"^Điều \d+[a-z]?\.")
NONE_YET = "(Chưa quy định)"


def _bare(c: Citation) -> str:
    """"khoản 1 Điều 2": the provision as the amending text names it inside its article."""
    return citations.render(Citation(None, None, c.annex, c.article, c.clause, c.point), with_doc=False)


def _label(c: Citation) -> str:
    """The label the provision's own text starts with: "1. ", "c) ", "Điều 8. "."""
    if c.point:
        return f"{c.point}) "
    if c.clause is not None:
        return f"{c.clause}. "
    return f"Điều {c.article}. "


def _labelled(c: Citation, paragraphs: list[str]) -> list[str]:
    """The new wording with its label ("1. …"), as the text of a provision starts."""
    first = paragraphs[0]
    label = _label(c)
    if first.startswith(label.strip()) or (c.clause is None and c.point is None and ARTICLE_LABEL_RE.match(first)):
        return paragraphs
    return [label + first, *paragraphs[1:]]


def _previous(c: Citation) -> Citation | None:
    """The provision numbered just before `c` (khoản 4 before khoản 5, điểm d before điểm đ)."""
    if c.point:
        letters = "abcdđeghiklmnopqrstuvxy"
        i = letters.find(c.point)
        return Citation(c.doc, c.part, c.annex, c.article, c.clause, letters[i - 1]) if i > 0 else None
    if c.clause is not None and c.clause > 1:
        return Citation(c.doc, c.part, c.annex, c.article, c.clause - 1)
    return None


class AmendAssembler(_Assembler):
    """Spec (kind sua_doi) + store → the amending text and its bảng so sánh."""

    def build(self) -> AssembledDraft:
        spec, p = self.spec, self.profile
        amendment = spec.amendment
        assert amendment is not None
        target = self.amended(amendment.document)
        doc = self.citer.store.document(target.doc) if target and target.doc else None
        own_type = (doc.doc_type if doc else None) or "Nghị định"
        self.type_word = own_type
        full = self.amended_full(target, doc) if target else amendment.document
        self.short = self.amended_short(target, doc) if target else amendment.document
        if doc is not None and doc.doc_class == "admin":
            self.citer.issue(Severity.ERROR, "văn bản được sửa đổi", f"{self.short} không phải văn bản quy phạm pháp luật")
        if target and target.doc:
            self.citer.seen_docs.add(target.doc)
            self.citer.check_document(target.doc, "văn bản được sửa đổi")
        self.rows: list[list[Cell]] = []
        self.preamble(amendment.bases, amendment.proposer, full)
        article = 0
        edits = [c for c in amendment.changes if c.action in ("amend", "add")]
        others = [c for c in amendment.changes if c.action in ("replace_words", "repeal")]
        if edits:
            article += 1
            self.para(f"Điều {article}. Sửa đổi, bổ sung một số điều của {self.short}", "heading", bold=True)
            for i, change in enumerate(edits, 1):
                self.change(target, change, f"Điều {article}, khoản {i}", i)
        if others:
            article += 1
            self.para(f"Điều {article}. {self.others_title(others)} của {self.short}", "heading", bold=True)
            for i, change in enumerate(others, 1):
                self.change(target, change, f"Điều {article}, khoản {i}", i)
        transition = amendment.transition_paragraphs()
        if transition:
            article += 1
            self.para(f"Điều {article}. Điều khoản chuyển tiếp", "heading", bold=True)
            for text in transition:
                self.para(self.citer.normalise(text, f"Điều {article}"))
        self.para(f"Điều {article + 1}. Hiệu lực thi hành", "heading", bold=True)
        self.para(f"{own_type} này có hiệu lực thi hành từ {vn_date(amendment.effective)}.")
        if amendment.effective <= spec.date:
            self.citer.issue(Severity.WARNING, "hiệu lực", f"ngày có hiệu lực {vn_date(amendment.effective)} không sau "
                             f"ngày của dự thảo ({vn_date(spec.date)})")
        self.para(f"Điều {article + 2}. Trách nhiệm thi hành", "heading", bold=True)
        duty = amendment.responsibility or RESPONSIBLE.get(
            own_type, f"Các cơ quan, tổ chức, cá nhân có liên quan chịu trách nhiệm thi hành {own_type} này")
        self.para(self.citer.normalise(duty.rstrip(" ./"), "trách nhiệm thi hành") + "./.")
        subject = f"Sửa đổi, bổ sung một số điều của {full}"
        code = f"{TYPE_CODES.get(own_type, own_type[:2].upper())}-{p.issuer_code}"
        number = f" {spec.number:02d}" if spec.number else " " * 6
        signer = p.signer(spec.signer)
        comparison = ComparisonTable(
            title=f"BẢNG SO SÁNH, THUYẾT MINH DỰ THẢO {own_type.upper()} {subject.upper()}",
            reference=f"(Quy định hiện hành trích theo văn bản có hiệu lực {vn_date(self.at)})",
            headers=["TT", "Quy định hiện hành", f"Dự thảo {own_type}", "Thuyết minh"], rows=self.rows)
        return AssembledDraft(
            kind=spec.kind, kind_label=KIND_LABELS[spec.kind], as_of=self.at, profile=p,
            parent_header=p.parent_header, agency_header=p.agency_header,
            number_line=f"Số:{number}/{spec.date.year}/{code}", place_date=f"{p.place}, {vn_date(spec.date)}",
            type_name=own_type.upper(), subject=subject, recipients=[], body=self.body,
            signer_lines=signer.block_lines(), signer_name=signer.name, distribution=self.distribution(),
            comparison=comparison, citations=list(self.citer.cited.values()), suggestions=[],
            issues=self.issues,
        )

    # -- the amended document
    def amended(self, ref: str) -> Citation | None:
        """The amended document (and its attached part: "Quy chế ban hành kèm theo …")."""
        number = self.citer.document_ref(ref, "văn bản được sửa đổi")
        if number is None:
            self.citer.issue(Severity.ERROR, "văn bản được sửa đổi", f"không xác định được văn bản «{ref}» trong kho dữ liệu")
            return None
        parsed = citations.parse_one(ref)
        return Citation(number, parsed.part if parsed else None)

    def amended_full(self, target: Citation, doc) -> str:
        """"Nghị định số 32/2024/NĐ-CP ngày 15 tháng 3 năm 2024 của Chính phủ về …"; for a Quy chế,
        "Quy chế … ban hành kèm theo Quyết định số … ngày … của …"."""
        assert target.doc
        full = self.citer.full_form(target.doc)
        if not target.part:
            return full
        title = ((doc.title or doc.subject or "") if doc else "").strip()
        name = re.sub(r"^(?:về việc\s+)?ban hành\s+", "", title, flags=re.IGNORECASE)
        name = name if name.lower().startswith(target.part.lower()) else target.part
        issued = f" {vn_date(doc.issued)}" if doc and doc.issued else ""
        issuer = f" của {doc.issuer}" if doc and doc.issuer else ""
        return f"{name[:1].upper()}{name[1:]} ban hành kèm theo {citations.render_short(target.doc, 'Quyết định')}{issued}{issuer}"

    def amended_short(self, target: Citation, doc) -> str:
        assert target.doc
        short = citations.render_short(target.doc, doc.doc_type if doc else None)
        return f"{target.part} ban hành kèm theo {short}" if target.part else short

    # -- preamble
    def preamble(self, bases: list[str], proposer: str | None, full: str) -> None:
        for basis in bases:  # as written: a Luật is named by its name and number, not rewritten
            text = basis.strip().rstrip(";.")
            text = text[len("Căn cứ "):] if text.startswith("Căn cứ ") else text
            self.citer.normalise(text, "căn cứ")  # only to check what it cites
            self.para(f"Căn cứ {text};", italic=True)
        if proposer:
            self.para(f"Theo đề nghị của {proposer.strip().rstrip(';.')};", italic=True)
        self.para(f"{self.profile.agency} ban hành {self.type_word} sửa đổi, bổ sung một số điều của {full}.",
                  italic=True)

    @staticmethod
    def others_title(others: list[Change]) -> str:
        kinds = {c.action for c in others}
        if kinds == {"replace_words"}:
            return "Thay thế một số cụm từ"
        if kinds == {"repeal"}:
            return "Bãi bỏ một số quy định"
        return "Thay thế, bãi bỏ một số cụm từ, quy định"

    # -- changes
    def provision(self, target: Citation | None, ref: str, where: str) -> Citation | None:
        """A change's provision, written within the amended document ("khoản 1 Điều 2")."""
        parsed = citations.parse_one(ref)
        if target is None or parsed is None or parsed.article is None:
            self.citer.issue(Severity.ERROR, where, f"không hiểu quy định «{ref}»: cần ghi rõ điều, khoản, điểm "
                             "(«Điều Na» bổ sung chưa được hỗ trợ)")
            return None
        return Citation(target.doc, parsed.part or target.part, parsed.annex, parsed.article, parsed.clause,
                        parsed.point)

    def change(self, target: Citation | None, change: Change, where: str, i: int) -> None:
        c = self.provision(target, change.provision, where)
        if c is None:
            return
        reasons = [[Run(text=r)] for r in change.reasons()]
        if change.action == "add":
            self.added(c, change, where, i, reasons)
            return
        entry = self.citer.cite(c, ref=change.provision, origin="spec", where=where)
        current = text_lines(entry.text) if entry.found else []
        name = _bare(c)
        if change.action == "amend":
            wording = _labelled(c, change.paragraphs())
            self.para(f"{i}. Sửa đổi, bổ sung {name} như sau:")
            self.quoted(wording)
            draft = [[Run(text=f"Sửa đổi, bổ sung {name} như sau:", bold=True)], *[[Run(text=w)] for w in wording]]
        elif change.action == "repeal":
            self.para(f"{i}. Bãi bỏ {name}.")
            draft = [[Run(text=f"Bãi bỏ {name}.", bold=True)]]
        else:
            old, new = change.old or "", change.new or ""
            if entry.found and not re.search(rf"(?<!\w){re.escape(old)}(?!\w)", entry.text):
                self.citer.issue(Severity.ERROR, where, f"cụm từ «{old}» không có trong {entry.citation_text} tại "
                                 f"{vn_date(self.at)}")
            self.para(f"{i}. Thay thế cụm từ “{old}” bằng cụm từ “{new}” tại {name}.")
            draft = [[Run(text=f"Thay thế cụm từ “{old}” bằng cụm từ “{new}” tại {name}.", bold=True)],
                     *[[Run(text=line)] for line in text_lines(replace_words(entry.text, old, new))]]
        head = [[Run(text=f"{name[:1].upper()}{name[1:]}:", bold=True)]]
        now = [[Run(text=line)] for line in current] or [[Run(text="(không tìm thấy trong kho dữ liệu)", italic=True)]]
        if entry.status == Status.AMENDED_TEXT_MISSING.value:  # the notice of the currency issue, in the cell
            now.append([Run(text=f"({entry.validity_note})", italic=True)])
        self.row(head + now, draft, reasons)

    def added(self, c: Citation, change: Change, where: str, i: int, reasons: list[list[Run]]) -> None:
        """"Bổ sung khoản 5 vào sau khoản 4 Điều 8 như sau: “5. …”": the new provision must not
        exist at the date, the one it follows must."""
        name = _bare(c)
        anchor = self.provision(c, change.after, where) if change.after else _previous(c)
        if anchor is None:
            self.citer.issue(Severity.ERROR, where, f"{name}: cần trường «after» (quy định mà {name} được bổ sung "
                             "vào sau)")
            return
        if self.exists(c):
            self.citer.issue(Severity.ERROR, where, f"{citations.render(c)} đã có tại {vn_date(self.at)}: dùng "
                             "«amend» để sửa đổi, bổ sung")
        self.citer.cite(anchor, ref=citations.render(anchor), origin="spec", where=where)
        new_name = name.split(" Điều ")[0] if c.point is None else name.split(" khoản ")[0]
        anchor_name = _bare(anchor)
        wording = _labelled(c, change.paragraphs())
        self.para(f"{i}. Bổ sung {new_name} vào sau {anchor_name} như sau:")
        self.quoted(wording)
        draft = [[Run(text=f"Bổ sung {new_name} vào sau {anchor_name} như sau:", bold=True)],
                 *[[Run(text=w)] for w in wording]]
        head = [[Run(text=f"{name[:1].upper()}{name[1:]}:", bold=True)]]
        self.row(head + [[Run(text=NONE_YET, italic=True)]], draft, reasons)

    def exists(self, c: Citation) -> bool:
        """The provision is in the store at the date (its own row, or added by an earlier text)."""
        row = self.citer.store.provision(c)
        if row is not None and (row.article, row.clause, row.point) == (c.article, c.clause, c.point):
            return True
        versions = added_versions(self.citer.store, c)
        if not versions or (versions[0].valid_from and versions[0].valid_from > self.at):
            return False
        current = version_at(versions, self.at)
        return current.note != "bị bãi bỏ"

    def quoted(self, wording: list[str]) -> None:
        """The new wording between quotes, as the amending texts print it: “1. …”."""
        for j, line in enumerate(wording):
            text = ("“" if j == 0 else "") + line + ("”." if j == len(wording) - 1 else "")
            self.body.append(Para(kind="body", runs=[Run(text=text)]))

    def row(self, current: list[list[Run]], draft: list[list[Run]], reasons: list[list[Run]]) -> None:
        number = [[Run(text=str(len(self.rows) + 1))]]
        self.rows.append([Cell(paragraphs=number), Cell(paragraphs=current), Cell(paragraphs=draft),
                          Cell(paragraphs=reasons)])
