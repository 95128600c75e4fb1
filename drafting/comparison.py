"""A comparison of provisions (retrieval/compare.py) as the drafting comparison table's rows.

`comparison_rows` gives the rows of the spec's `comparison` (drafting/spec.py ComparisonRow:
topic, provisions, comment): one row per provision compared, its counterparts in the other
documents (and the provision now assigning a competence, NĐ 139/2025) in their columns, and a
comment saying how each was paired. The báo cáo rà soát's table or a bảng so sánh is then
assembled, quoted and checked by drafting/assemble.py like any written spec. `marked_runs`
gives a side's text as a cell's runs with the differing words in bold.
"""

from __future__ import annotations

from drafting.assemble import Run
from drafting.spec import Comparison, ComparisonRow
from retrieval.compare import CompareResult, Pair, PairBasis, PairKind, Segment

MAX_TOPIC = 200


def comparison_rows(result: CompareResult) -> list[ComparisonRow]:
    """Rows in the order of the anchors; pairs over time (versions) are not document columns
    and are left out."""
    rows: dict[str, ComparisonRow] = {}
    for pair in result.pairs:
        if pair.kind == PairKind.VERSIONS:
            continue
        anchor = pair.left.citation_text
        row = rows.get(anchor)
        if row is None:
            row = rows[anchor] = ComparisonRow(topic=_topic(pair), provisions=[anchor], comment="")
        if pair.right.citation_text not in row.provisions:
            row.provisions.append(pair.right.citation_text)
        note = _comment(pair)
        row.comment = f"{row.comment} {note}".strip() if note not in row.comment else row.comment
    return list(rows.values())


def comparison_spec(result: CompareResult, title: str) -> Comparison:
    """The spec's whole `comparison`: the documents of the rows, in the result's order."""
    rows = comparison_rows(result)
    documents = list(result.documents)
    for pair in result.pairs:
        if pair.kind == PairKind.COMPETENCE and pair.right.doc not in documents:
            documents.append(pair.right.doc)
    return Comparison(title=title, documents=documents, rows=rows)


def marked_runs(segments: list[Segment]) -> list[Run]:
    """A side's text as the runs of a table cell, the words that differ in bold (as a bảng so
    sánh shows what the draft changes)."""
    return [Run(text=s.text, bold=s.op != "equal") for s in segments]


def _topic(pair: Pair) -> str:
    """The article's title (the subject of the provision), else its citation."""
    clause = pair.left.citation.get("clause")
    title = f"{pair.left.title} (khoản {clause})" if pair.left.title and clause else \
        pair.left.title or pair.left.citation_text
    return title if len(title) <= MAX_TOPIC else title[: MAX_TOPIC - 1] + "…"


def _comment(pair: Pair) -> str:
    right = pair.right.citation_text
    if pair.kind == PairKind.COMPETENCE and pair.competence:
        return (f"Từ {_vn(pair.competence['since'])}: {pair.competence['after']} thực hiện thay "
                f"{pair.competence['before']} ({right}).")
    if pair.basis == PairBasis.REFERENCE:
        same = "nội dung thống nhất" if not pair.changed else "có điểm khác"
        return f"{right} dẫn chiếu quy định này; {same}."
    return f"{right}: quy định tương đồng (mức {pair.score:.2f}), cần đối chiếu."


def _vn(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{int(month)}/{year}"
