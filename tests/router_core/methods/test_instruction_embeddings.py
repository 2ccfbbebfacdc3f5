"""Instruction embeddings: the disk cache, the weight-free embedder, and MiniLM itself (slow)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from router_core.methods.embeddings import CachedEmbedder, HashingEmbedder, TransformerEmbedder, make_embedder


class _Counting:
    """A deterministic fake encoder that records what it was asked to embed."""

    def __init__(self, identity: str = "fake|v1") -> None:
        self.identity = identity
        self.calls: list[list[str]] = []

    def embed(self, texts: Sequence[str], *, progress: bool = True) -> np.ndarray:
        self.calls.append(list(texts))
        vectors = np.array([[len(t), t.count("a"), 1.0] for t in texts], dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_cache_embeds_each_text_once_and_survives_a_restart(tmp_path: Path) -> None:
    inner = _Counting()
    cached = CachedEmbedder(inner, tmp_path, chunk=2)
    first = cached.embed(["banana", "apple", "kiwi", "banana"])
    assert sorted(t for call in inner.calls for t in call) == ["apple", "banana", "kiwi"]
    assert np.array_equal(first[0], first[3])
    assert np.allclose(first, inner.embed(["banana", "apple", "kiwi", "banana"]))

    inner.calls.clear()
    cached.embed(["kiwi"])
    assert inner.calls == []  # in memory
    restarted_inner = _Counting()
    again = CachedEmbedder(restarted_inner, tmp_path).embed(["kiwi", "apple", "cherry"])
    assert restarted_inner.calls == [["cherry"]]  # read back from disk
    assert np.allclose(again[:2], first[[2, 1]])


def test_cache_is_keyed_by_encoder_identity(tmp_path: Path) -> None:
    CachedEmbedder(_Counting("fake|v1"), tmp_path).embed(["apple"])
    other = _Counting("fake|v2")
    CachedEmbedder(other, tmp_path).embed(["apple"])
    assert other.calls == [["apple"]]
    assert len(list(tmp_path.glob("*.sqlite"))) == 2


def test_hashing_embedder_is_deterministic_and_normalised() -> None:
    vectors = HashingEmbedder().embed(["court statute", "court statute", "integral derivative"])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert np.array_equal(vectors[0], vectors[1]) and vectors[0] @ vectors[2] == 0.0
    assert isinstance(make_embedder("hashing"), HashingEmbedder)


def test_building_an_embedder_loads_nothing() -> None:
    embedder = make_embedder()
    assert isinstance(embedder, CachedEmbedder) and isinstance(embedder.inner, TransformerEmbedder)
    assert "_encoder" not in vars(embedder.inner)


@pytest.mark.slow
def test_minilm_embeddings(tmp_path: Path) -> None:
    encoder = TransformerEmbedder()
    texts = [
        "What is the derivative of x squared?",
        "Differentiate x^2 with respect to x.",
        "Who may sue for breach of contract?",
        "a " * 600,
    ]
    vectors = CachedEmbedder(encoder, tmp_path).embed(texts)
    assert vectors.shape == (4, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
    assert encoder.identity.startswith("builtin:minilm|max_length=256|mean-pool-l2|")
    # batched and one at a time agree (padding does not leak into the mean)
    assert np.allclose(encoder.embed(texts[:1], progress=False), vectors[:1], atol=1e-5)
