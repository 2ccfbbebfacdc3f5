"""Learned baselines on a tiny matrix: what they support before and after fitting, and missing cells."""

from __future__ import annotations

import numpy as np
import pytest
from methods_helpers import card, matrix

from router_core.errors import CardError
from router_core.methods import make_method
from router_core.methods.embeddings import HashingEmbedder

PER_MODEL = {"knn": {"k": 5}, "mlp": {}, "matrix-factorization": {}}
TEXTS = ["integral derivative algebra"] * 10 + ["court statute contract"] * 10
# a is right on the maths half, b on the law half; b never answered the last law question
TRAIN = matrix(TEXTS, ["a", "b"], [[1, 0]] * 10 + [[0, 1]] * 10, [[True, True]] * 19 + [[True, False]])
CARDS = {"a": card("a", 0.9, 0.1), "b": card("b", 0.1, 0.9), "new": card("new", 0.5, 0.5)}


@pytest.mark.parametrize("name", PER_MODEL)
def test_per_model_routers_know_only_their_training_models(name: str) -> None:
    method = make_method(name, embedder=HashingEmbedder(), **PER_MODEL[name])
    with pytest.raises(RuntimeError, match="must be fit"):
        method.score(["x"], list(CARDS.values()))
    method.fit(TRAIN, CARDS)
    assert [method.supports(c) for c in CARDS.values()] == [True, True, False]
    scores = method.score(["derivative algebra integral", "contract court statute"], list(CARDS.values()))
    assert np.isneginf(scores[:, 2]).all()
    assert scores[:, :2].argmax(axis=1).tolist() == [0, 1]


def test_random_forest_scores_any_card_with_its_tasks() -> None:
    method = make_method("random-forest", embedder=HashingEmbedder(), trees=20, min_samples_leaf=1)
    method.fit(TRAIN, CARDS)
    assert method.supports(CARDS["new"])
    assert not method.supports(card("short", 0.5))  # lacks task t1
    scores = method.score(["derivative algebra integral", "contract court statute"], list(CARDS.values()))
    assert np.isfinite(scores).all()
    assert scores[:, :2].argmax(axis=1).tolist() == [0, 1]


def test_random_forest_needs_the_training_models_cards() -> None:
    method = make_method("random-forest", embedder=HashingEmbedder())
    with pytest.raises(CardError, match=r"none for \['b'\]"):
        method.fit(TRAIN, {"a": CARDS["a"]})


def test_knn_skips_missing_cells_and_shrinks_to_the_prior() -> None:
    method = make_method("knn", embedder=HashingEmbedder(), k=10, prior_weight=1.0)
    method.fit(TRAIN, CARDS)
    scores = method.score(["court statute contract"], [CARDS["a"], CARDS["b"]])
    # 10 law neighbours; b answered 9 (all right), prior 9/19; a answered all 10 wrong, prior 10/20
    assert scores[0].tolist() == pytest.approx([(0 + 0.5) / 11, (9 + 9 / 19) / 10])
