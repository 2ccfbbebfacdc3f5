"""The RoutingMethod interface and the reference methods: random, best-single, oracle."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from methods_helpers import card, matrix

from router_core.cards.card import CapabilityCard
from router_core.methods import OutcomeAware, RoutingMethod, make_method
from router_core.methods.reference import OracleMethod

CARDS = [card("a", 0.2, 0.4), card("b", 0.9, 0.7), card("c", 0.5, 0.5)]


class _Partial(RoutingMethod):
    """Knows only model 'b'; returns whatever `values` says for it."""

    name = "partial"

    def __init__(self, values: np.ndarray) -> None:
        super().__init__()
        self.values = values

    def supports(self, card: CapabilityCard) -> bool:
        return card.model == "b"

    def _score(self, instructions: Sequence[str], cards: Sequence[CapabilityCard]) -> np.ndarray:
        assert [c.model for c in cards] == ["b"]  # unsupported candidates never reach _score
        return self.values


def test_unsupported_candidates_score_minus_infinity() -> None:
    scores = _Partial(np.array([[0.3], [0.6]])).score(["x", "y"], CARDS)
    assert scores.shape == (2, 3)
    assert np.isneginf(scores[:, [0, 2]]).all()
    assert scores[:, 1].tolist() == [0.3, 0.6]


@pytest.mark.parametrize("values", [np.zeros((2, 2)), np.array([[np.nan], [0.1]])])
def test_a_router_returning_the_wrong_shape_or_nan_is_caught(values: np.ndarray) -> None:
    with pytest.raises(ValueError, match="partial"):
        _Partial(values).score(["x", "y"], CARDS)


def test_no_instructions_give_an_empty_score_matrix() -> None:
    assert make_method("best-single").score([], CARDS).shape == (0, 3)


def test_random_router_is_seeded_and_uniform() -> None:
    texts = [f"q{i}" for i in range(3000)]
    first = make_method("random", seed=1).score(texts, CARDS)
    assert np.array_equal(first, make_method("random", seed=1).score(texts, CARDS))
    assert not np.array_equal(first, make_method("random", seed=2).score(texts, CARDS))
    shares = np.bincount(first.argmax(axis=1), minlength=3) / len(texts)
    assert np.allclose(shares, 1 / 3, atol=0.04)


def test_best_single_router_picks_the_best_card_whatever_the_instruction() -> None:
    method = make_method("best-single")
    assert method.kind == "reference" and not method.needs_training
    scores = method.score(["math?", "law?"], CARDS)
    assert scores.argmax(axis=1).tolist() == [1, 1]
    assert scores[0].tolist() == pytest.approx([0.3, 0.8, 0.5])


def test_oracle_reads_the_outcomes_it_is_shown() -> None:
    method = make_method("oracle")
    assert isinstance(method, OutcomeAware) and method.kind == "upper bound"
    seen = [[True, True], [True, False], [True, True]]
    method.reveal(matrix(["x", "y", "y"], ["a", "c"], [[1, 0], [0, 1], [1, 1]], seen))
    scores = method.score(["x", "y"], CARDS)
    assert scores[0] == pytest.approx([1.0, -1.0, 0.0], abs=1e-5)  # b has no outcomes: below every outcome
    assert scores[1] == pytest.approx([0.5, -1.0, 1.0], abs=1e-5)  # "y" twice: a right 1 of 2, c 1 of 1
    with pytest.raises(ValueError, match="not shown the outcomes of 1 instructions"):
        method.score(["z"], CARDS)


def test_oracle_breaks_ties_by_price() -> None:
    method = make_method("oracle")
    method.reveal(matrix(["x"], ["a", "b", "c"], [[1, 1, 0]]))
    cheap_b = [card("a", 0.5, price=2.0), card("b", 0.5, price=0.5), card("c", 0.5, price=0.1)]
    assert method.score(["x"], cheap_b).argmax() == 1  # both a and b are right; b is cheaper


def test_oracle_knows_nothing_before_reveal() -> None:
    with pytest.raises(ValueError, match="not shown"):
        OracleMethod().score(["x"], CARDS)
