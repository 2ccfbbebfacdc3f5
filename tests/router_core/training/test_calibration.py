"""Fitting the Platt calibration on synthetic logits, and collecting the pairs it is fitted on."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from router_core.data.outcomes import Instruction, OutcomeMatrix
from router_core.evaluation import calibration as metrics
from router_core.model.calibration import Calibration, pr_yes
from router_core.training import calibration
from router_core.training.calibration import calibration_pairs, expected_calibration_error, fit_calibration
from tests.router_core.builders import make_card

TRUE = Calibration(scale=0.5, bias=-0.8)


def synthetic(n: int, seed: int, true: Calibration = TRUE) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Logits, the true Pr(Yes) under `true`, and 0/1 outcomes drawn from it."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0.0, 2.5, n)
    probs = pr_yes(logits, true)
    return logits, probs, (rng.random(n) < probs).astype(float)


def test_the_fit_recovers_a_known_platt_map_from_soft_labels() -> None:
    logits, probs, _ = synthetic(5000, seed=0)
    fitted = fit_calibration(logits, probs)
    assert fitted.scale == pytest.approx(TRUE.scale, abs=2e-3)
    assert fitted.bias == pytest.approx(TRUE.bias, abs=2e-3)


def test_the_fit_recovers_a_known_platt_map_from_sampled_outcomes() -> None:
    logits, _, outcomes = synthetic(40_000, seed=1)
    fitted = fit_calibration(logits, outcomes)
    assert fitted.scale == pytest.approx(TRUE.scale, abs=0.03)
    assert fitted.bias == pytest.approx(TRUE.bias, abs=0.05)


def test_a_fitted_calibration_brings_held_out_ece_down() -> None:
    logits, _, outcomes = synthetic(5000, seed=2)
    fitted = fit_calibration(logits, outcomes)
    test_logits, _, test_outcomes = synthetic(20_000, seed=3)
    assert expected_calibration_error(pr_yes(test_logits, None), test_outcomes) > 0.1
    assert expected_calibration_error(pr_yes(test_logits, fitted), test_outcomes) < 0.03


def test_weights_choose_which_pairs_the_map_is_fitted_to() -> None:
    a_logits, a_probs, _ = synthetic(2000, seed=4)
    b_logits, b_probs, _ = synthetic(2000, seed=5, true=Calibration(scale=2.0, bias=1.0))
    logits, targets = np.concatenate([a_logits, b_logits]), np.concatenate([a_probs, b_probs])
    only_b = fit_calibration(logits, targets, weights=np.r_[np.zeros(2000), np.ones(2000)])
    assert only_b.scale == pytest.approx(2.0, abs=0.02) and only_b.bias == pytest.approx(1.0, abs=0.02)


def test_separable_pairs_still_give_a_finite_order_keeping_map() -> None:
    fitted = fit_calibration([-2.0, -1.0, 1.0, 2.0], [0.0, 0.0, 1.0, 1.0])
    assert 1.0 < fitted.scale < 1e3 and np.isfinite(fitted.bias)


def test_an_anticorrelated_score_cannot_reverse_the_order() -> None:
    logits, probs, _ = synthetic(2000, seed=6)
    assert fit_calibration(logits, 1 - probs).scale > 0


def test_the_fit_runs_under_inference_mode() -> None:
    logits, probs, _ = synthetic(500, seed=7)
    with torch.inference_mode():
        assert fit_calibration(logits, probs).scale == pytest.approx(TRUE.scale, abs=0.01)


@pytest.mark.parametrize(
    ("logits", "targets", "message"),
    [([0.0], [1.5], "targets must lie in"), ([], [], "no pairs"), ([np.inf], [1.0], "finite")],
)
def test_bad_pairs_are_refused(logits: list, targets: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fit_calibration(logits, targets)


def test_the_training_module_uses_the_evaluation_metrics() -> None:
    assert calibration.expected_calibration_error is metrics.expected_calibration_error
    assert calibration.reliability_bins is metrics.reliability_bins


class FakeScorer:
    """Logit = 10 * instruction number + model number; records what it was asked to score."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], list[str]]] = []

    def logits(self, texts, cards, seed=None, progress=None) -> torch.Tensor:
        self.calls.append((list(texts), [card.model for card in cards]))
        rows = [[10.0 * int(text[1:]) + int(card.model[1:]) for card in cards] for text in texts]
        return torch.tensor(rows)


def test_pairs_are_each_datasets_questions_against_the_models_it_observed() -> None:
    instructions = [
        Instruction(id="a", text="q1", dataset="mmlu-pro", family="knowledge"),
        Instruction(id="b", text="q2", dataset="alpaca-eval", family="chat"),
        Instruction(id="c", text="q3", dataset="mmlu-pro", family="math"),
    ]
    scores = np.array([[1.0, 0.0, 0.0], [0.0, 0.25, 0.75], [0.0, 0.0, 1.0]])
    observed = np.array([[True, False, False], [False, True, True], [True, False, True]])
    outcomes = OutcomeMatrix(instructions, ["m1", "m2", "m3"], scores, observed)
    cards = {name: make_card(name, [0.5]) for name in ("m1", "m2")}  # m3 has no card
    scorer = FakeScorer()
    pairs = calibration_pairs(scorer, outcomes, cards, progress=False)
    assert scorer.calls == [(["q1", "q3"], ["m1"]), (["q2"], ["m2"])]
    assert pairs.logits.tolist() == [11.0, 31.0, 22.0]
    assert pairs.targets.tolist() == [1.0, 0.0, 0.25]
    assert pairs.datasets == ["mmlu-pro", "mmlu-pro", "alpaca-eval"]
    assert pairs.families == ["knowledge", "math", "chat"]
    assert pairs.models == ["m1", "m1", "m2"]
