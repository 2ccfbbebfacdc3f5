"""ECE and reliability bins of Pr(Yes) against graded outcomes."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from router_core.evaluation.calibration import ece_by_group, expected_calibration_error, reliability_bins


def bernoulli_sample(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Pr(Yes) uniform on [0, 1] and outcomes drawn right with exactly that probability."""
    rng = np.random.default_rng(seed)
    probs = rng.random(n)
    return probs, (rng.random(n) < probs).astype(float)


def test_a_perfectly_calibrated_sample_has_an_ece_near_zero() -> None:
    probs, outcomes = bernoulli_sample(200_000)
    assert expected_calibration_error(probs, outcomes) < 0.01
    assert expected_calibration_error(probs, probs) == pytest.approx(0.0, abs=1e-12)  # soft labels


def test_a_miscalibrated_sample_has_a_large_ece() -> None:
    probs, outcomes = bernoulli_sample(200_000)
    # the symptom: Pr(Yes) far below the success rate
    assert expected_calibration_error(probs**3, outcomes) > 0.15
    assert expected_calibration_error(np.full(1000, 0.18), np.full(1000, 0.40)) == pytest.approx(0.22)


def test_ece_is_the_pair_weighted_mean_gap_of_equal_width_bins() -> None:
    probs = [0.05, 0.15, 0.95, 0.95, 0.95]
    targets = [0.0, 1.0, 1.0, 0.0, 0.0]
    # bins: [0, .1) gap .05 (1 pair), [.1, .2) gap .85 (1 pair), [.9, 1] gap .95 - 1/3 (3 pairs)
    assert expected_calibration_error(probs, targets) == pytest.approx((0.05 + 0.85 + 3 * (0.95 - 1 / 3)) / 5)
    assert expected_calibration_error(probs, targets, bins=1) == pytest.approx(0.61 - 0.4)


def test_reliability_bins_list_every_bin_with_its_counts_and_means() -> None:
    table = reliability_bins([0.0, 0.05, 0.31, 0.39, 1.0], [0.0, 1.0, 0.5, 0.25, 1.0], bins=5)
    assert [b.lower for b in table] == pytest.approx([0.0, 0.2, 0.4, 0.6, 0.8])
    assert [b.upper for b in table] == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0])
    assert [b.count for b in table] == [2, 2, 0, 0, 1]  # 1.0 falls in the last bin
    assert table[0].mean_prob == pytest.approx(0.025) and table[0].mean_target == pytest.approx(0.5)
    assert table[1].mean_prob == pytest.approx(0.35) and table[1].mean_target == pytest.approx(0.375)
    assert np.isnan(table[2].mean_prob) and np.isnan(table[2].mean_target) and table[2].gap == 0
    assert table[4].mean_prob == 1.0 and table[4].mean_target == 1.0


def test_ece_by_group_measures_each_group_on_its_own_pairs() -> None:
    probs, outcomes = bernoulli_sample(100_000)
    groups = ["good"] * 50_000 + ["bad"] * 50_000
    reported = np.concatenate([probs[:50_000], 0.5 * probs[50_000:]])
    ece = ece_by_group(reported, outcomes, groups)
    assert list(ece) == ["all", "good", "bad"]
    assert ece["good"] < 0.01 and ece["bad"] > 0.2
    assert ece["all"] == pytest.approx(expected_calibration_error(reported, outcomes))


@pytest.mark.parametrize(
    ("probs", "targets", "message"),
    [
        ([0.5], [0.5, 0.5], "differ in size"),
        ([], [], "no pairs"),
        ([1.2], [1.0], "probabilities must lie in"),
        ([0.5], [-0.1], "targets must lie in"),
        ([np.nan], [1.0], "probabilities must lie in"),
    ],
)
def test_bad_inputs_are_refused(probs: list, targets: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        expected_calibration_error(probs, targets)


def test_the_metrics_import_without_torch() -> None:
    code = "import sys, router_core.evaluation.calibration; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
