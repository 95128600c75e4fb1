"""The searcher as a llama-index retriever, so llama-index query engines can use it.

Each result is a NodeWithScore whose TextNode carries the provision's text, its stable id and
its metadata: the citation object, canonical citation text, validity at the query date.
"""

from __future__ import annotations

from datetime import date

from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from retrieval.search import Filters, Searcher, SearchHit


class ProvisionRetriever(BaseRetriever):
    """llama-index BaseRetriever over the hybrid, validity-aware search."""

    def __init__(self, searcher: Searcher, k: int = 10, as_of: date | None = None, **kwargs):
        super().__init__(**kwargs)
        self.searcher = searcher
        self.k = k
        self.as_of = as_of

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        result = self.searcher.search(query_bundle.query_str, k=self.k, filters=Filters(as_of=self.as_of))
        return [NodeWithScore(node=to_node(hit), score=hit.score) for hit in result.hits]


def to_node(hit: SearchHit) -> TextNode:
    c = hit.citation
    metadata = {
        "doc": c.doc, "part": c.part, "annex": c.annex, "article": c.article, "clause": c.clause,
        "point": c.point, "citation_text": hit.citation_text, "title": hit.title,
        "status": hit.status.value, "validity_note": hit.validity.note,
    }
    return TextNode(id_=hit.uid, text=hit.text, metadata=metadata,
                    excluded_embed_metadata_keys=list(metadata), excluded_llm_metadata_keys=["status"])
