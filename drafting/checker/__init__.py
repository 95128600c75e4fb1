"""The citation checker (`ccn check`): every citation of a letter parsed, resolved and judged.

    check_file(store, path) ─▶ read (ingest readers: DOCX, PDF, TXT, MD) ─▶ paragraphs, header
        ─▶ find_citations per paragraph ─▶ resolve (partial numbers, bare "Điều 11", "… này")
        ─▶ judge each address against the knowledge base at the letter's date ─▶ CheckReport
    annotate_docx(src, report, dst): one Word comment per citation, anchored on its words.

What is an error (the letter is wrong): a provision that does not exist (`no_such_provision`), a
document number unknown to the knowledge base that the letter does not identify either, or that
cannot exist (`unknown_document`: possibly invented), a document or provision not in force at the
letter's date (`not_in_force_at_date`), a repealed document (`repealed_document`, naming the
replacement), an informal short form "NĐ 32" (`informal_short_form`), a date or type that
contradicts the knowledge base (`wrong_date`, `wrong_document_type`).
Warnings: an amended provision (`amended_provision`), a bare reference not found in the document
it most likely means (`unresolved_reference`), "… này" with nothing to refer to in a letter
(`no_antecedent`), speculative wording about the law (`speculative_wording`), the type written
"QĐ số 768/QĐ-TTg" (`abbreviated_type`), a number broken by a typo "525/QĐ- UBND"
(`malformed_number`), an unknown decision without year, not identified (`unverified_document`).
Not errors about the letter (status `outside_kb`, severity info): a document the knowledge base
holds only as cited, or not at all while the letter identifies it (số hiệu, ngày, cơ quan ban hành
agreeing), correspondence (công văn, báo cáo …) and Party documents.

A letter's own number ("Số: 1178/ĐCK-CTT") and dates are not citations (the grammar needs a
document type), the incoming letter it answers is correspondence, and a repealed document named
in a sentence that says so ("… đã được thay thế bằng …") is a historical mention."""

from drafting.checker.annotate import annotate_docx, read_comments
from drafting.checker.check import check_file, check_text
from drafting.checker.letter import letter_text
from drafting.checker.report import CheckReport, CitationCheck, Finding, Issue, format_report

__all__ = [
    "CheckReport",
    "CitationCheck",
    "Finding",
    "Issue",
    "check_text",
    "check_file",
    "annotate_docx",
    "read_comments",
    "format_report",
    "letter_text",
]
