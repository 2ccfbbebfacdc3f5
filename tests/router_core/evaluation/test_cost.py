"""Cost-quality sweep metrics on a hand-made zoo whose answers are worked out in the comments."""

from __future__ import annotations

import numpy as np
import pytest

from router_core.engine.policies import CostAwarePolicy
from router_core.evaluation.cost import (
    SweepPoint,
    by_setting,
    cost_save,
    cost_summary,
    curve_at,
    mixing_gain,
    policy_choices,
    recommend,
    sweep,
    sweep_policies,
)

MODELS = ["cheap", "mid", "dear"]
PRICES = np.array([1.0, 2.0, 4.0])
# cheap is right on q0 (25%), mid on q0,q1 (50%), dear on q1,q2,q3 (75%): dear is the best single model
TRUTH = np.array([[1, 1, 0], [0, 1, 1], [0, 0, 1], [0, 0, 1]], dtype=float)
ALL = np.ones_like(TRUTH, dtype=bool)
# a router that knows the answers: 0.95 where right, 0.05 where wrong
SCORES = 0.05 + 0.9 * TRUTH
# lam=0: q0 -> cheap (tie with mid, first wins), q1 -> mid, q2, q3 -> dear: 100%, mean price 11/4.
# dear beats cheap on q2/q3 while 0.9 > 3 lam; mid beats cheap on q1 while 0.9 > lam. So
# lam=0.5: only q1 leaves cheap -> 50% at 5/4; lam=2: all cheap -> 25% at 1.
POLICIES = [CostAwarePolicy(lam=0.0), CostAwarePolicy(lam=0.5), CostAwarePolicy(lam=2.0)]
EXPECTED = [(2.75, 1.0), (1.25, 0.5), (1.0, 0.25)]


def test_sweep_gives_mean_price_and_accuracy_of_each_setting() -> None:
    points = sweep(SCORES, TRUTH, ALL, PRICES, POLICIES)
    assert [(p.cost, p.accuracy) for p in points] == EXPECTED  # exact: quarters
    assert [p.policy for p in points] == ["cost-aware(lam=0.0)", "cost-aware(lam=0.5)", "cost-aware(lam=2.0)"]


def test_target_quality_takes_the_cheapest_candidate_near_the_best() -> None:
    # quality 0.9: only the 0.95 candidates qualify; on q0 the cheaper of cheap and mid
    choices = policy_choices(CostAwarePolicy(target_quality=0.9), SCORES, ALL, PRICES)
    assert choices.tolist() == [0, 1, 2, 2]


def test_choices_are_the_engine_policy_first_choice() -> None:
    scores = np.random.default_rng(0).random((50, 3))
    for policy in sweep_policies():
        expected = [policy.order(row, PRICES.tolist())[0] for row in scores]
        assert policy_choices(policy, scores, np.ones_like(scores, bool), PRICES).tolist() == expected


def test_missing_outcomes_fall_back_and_unsupported_candidates_are_never_chosen() -> None:
    available = ALL.copy()
    available[1, 1] = False  # mid has no answer on q1: lam=0 falls back to dear (0.95)
    scores = SCORES.copy()
    scores[0, 0] = -np.inf  # the router cannot route q0 to cheap: mid instead
    scores[3] = -np.inf  # nothing supported on q3: unrouted, wrong and free
    choices = policy_choices(CostAwarePolicy(lam=0.0), scores, available, PRICES)
    assert choices.tolist() == [1, 2, 2, -1]
    (point,) = sweep(scores, TRUTH, available, PRICES, [CostAwarePolicy(lam=0.0)])
    assert (point.cost, point.accuracy) == pytest.approx(((2 + 4 + 4) / 4, 3 / 4))


def _points(pairs: list[tuple[float, float]]) -> list[SweepPoint]:
    return [SweepPoint(policy=str(i), cost=c, accuracy=a) for i, (c, a) in enumerate(pairs)]


def test_cost_save_is_the_cheapest_setting_reaching_the_bar() -> None:
    points = _points(EXPECTED)
    assert cost_save(points, 0.75, 4.0).cost == 2.75  # type: ignore[union-attr]
    assert cost_save(points, 0.5, 4.0).cost == 1.25  # type: ignore[union-attr]
    assert cost_save(_points([(1.0, 0.3), (3.0, 0.7)]), 0.75, 4.0) is None


def test_curve_interpolates_between_pareto_points_and_is_flat_after_the_best() -> None:
    points = _points([*EXPECTED, (3.5, 0.9)])  # dominated by (2.75, 1.0): ignored
    assert curve_at(points, 2.0) == pytest.approx(0.75)  # halfway from (1.25, .5) to (2.75, 1)
    assert curve_at(points, 4.0) == pytest.approx(1.0)
    assert curve_at(points, 0.5) == 0.0  # below the cheapest setting


def test_mixing_gain_is_the_mean_area_above_the_line() -> None:
    # curve over [1, 4]: (.25+.5)/2*.25 + .75*1.5 + 1*1.25 = 2.46875, mean 0.8229; the mixing
    # line from (1, .25) to (4, .75) averages 0.5
    assert mixing_gain(_points(EXPECTED), (1.0, 0.25), (4.0, 0.75)) == pytest.approx(2.46875 / 3 - 0.5)
    # the two single models themselves lie on the line
    assert mixing_gain(_points([(1.0, 0.25), (4.0, 0.75)]), (1.0, 0.25), (4.0, 0.75)) == pytest.approx(0.0)
    assert mixing_gain(_points(EXPECTED), (4.0, 0.75), (4.0, 0.75)) is None


def test_cost_summary_of_the_hand_made_zoo() -> None:
    summary = cost_summary(SCORES, TRUTH, ALL, MODELS, PRICES, POLICIES)
    assert (summary.best_single_model, summary.cheapest_model) == ("dear", "cheap")
    assert summary.best_single_accuracy == pytest.approx(0.75)
    assert summary.perf_gain == pytest.approx(0.25)
    assert summary.best_policy == "cost-aware(lam=0.0)"
    assert summary.cost_save == pytest.approx(1 - 2.75 / 4)
    assert summary.cost_save_policy == "cost-aware(lam=0.0)"
    assert summary.accuracy_at_best_price == pytest.approx(1.0)
    assert summary.mixing_gain == pytest.approx(2.46875 / 3 - 0.5)


def test_a_router_that_only_picks_the_cheapest_saves_nothing() -> None:
    scores = np.tile([0.9, 0.1, 0.1], (4, 1))  # always cheap, whatever the price weight
    summary = cost_summary(scores, TRUTH, ALL, MODELS, PRICES, POLICIES)
    assert summary.perf_gain == pytest.approx(0.25 - 0.75)
    assert summary.cost_save is None and summary.cost_save_policy is None
    # flat at 25% while the line climbs from 25% to 75%: 0.25 below it on average
    assert summary.mixing_gain == pytest.approx(-0.25)


def test_settings_are_compared_across_zoos_and_the_safe_cheapest_is_recommended() -> None:
    summary = cost_summary(SCORES, TRUTH, ALL, MODELS, PRICES, POLICIES)
    settings = by_setting({"z": summary})
    assert [s.policy for s in settings] == [p.describe() for p in POLICIES]
    assert (settings[0].gain["z"], settings[0].saving["z"]) == pytest.approx((0.25, 1 - 2.75 / 4))
    assert (settings[1].gain["z"], settings[1].saving["z"]) == pytest.approx((-0.25, 1 - 1.25 / 4))
    assert recommend(settings).policy == "cost-aware(lam=0.0)"  # type: ignore[union-attr]
    # allowing a 25-point loss, lam=0.5 is the cheaper safe one
    assert recommend(settings, tolerance=0.25).policy == "cost-aware(lam=0.5)"  # type: ignore[union-attr]
    assert recommend(settings[1:]) is None
