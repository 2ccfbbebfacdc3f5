"""Routing metrics on hand-made matrices whose right answers are worked out in the comments."""

from __future__ import annotations

import math

import numpy as np
import pytest

from router_core.evaluation.metrics import (
    CurvePoint,
    aiq,
    cost_curve,
    pareto_front,
    price_weights,
    route,
    routing_metrics,
)

INF = np.inf
MODELS = ["a", "b", "c"]
# 4 questions x 3 models; a is right on q0,q1 (50%), b on q2 (25%), c on q0,q3 (50%)
TRUTH = np.array([[1, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=float)
ALL = np.ones_like(TRUTH, dtype=bool)


def _points(*pairs: tuple[float, float]) -> list[CurvePoint]:
    return [CurvePoint(price_weight=None, cost=c, accuracy=a) for c, a in pairs]


def test_route_takes_the_argmax_and_never_an_unsupported_candidate() -> None:
    scores = np.array([[0.1, 0.9, 0.5], [-INF, -INF, 0.2], [INF, 0.0, 0.0]])
    routing = route(scores, np.ones((3, 3), dtype=bool))
    assert routing.choices.tolist() == [1, 2, 0]
    assert not routing.fell_back.any()


def test_route_falls_back_along_the_ranking_when_the_choice_has_no_outcome() -> None:
    scores = np.array([[0.9, 0.5, 0.1], [0.9, 0.5, 0.1]])
    available = np.array([[False, True, True], [True, True, True]])
    routing = route(scores, available)
    assert routing.choices.tolist() == [1, 0]
    assert routing.fell_back.tolist() == [True, False]


def test_route_leaves_a_question_unrouted_when_no_supported_candidate_has_an_outcome() -> None:
    routing = route(np.array([[0.9, -INF]]), np.array([[False, True]]))
    assert routing.choices.tolist() == [-1]
    assert routing.fell_back.tolist() == [False]


def test_route_with_a_price_penalty() -> None:
    scores = np.array([[0.9, 0.8, 0.1]])
    prices = np.array([10.0, 1.0, 0.1])
    assert route(scores, ALL[:1], prices, 0.0).choices.tolist() == [0]
    assert route(scores, ALL[:1], prices, 0.05).choices.tolist() == [1]  # 0.9-0.5 < 0.8-0.05
    assert route(scores, ALL[:1], prices, math.inf).choices.tolist() == [2]
    # infinite weight: the cheapest candidate that is supported and has an outcome
    assert route(np.array([[0.9, 0.8, -INF]]), ALL[:1], prices, math.inf).choices.tolist() == [1]
    assert route(scores, np.array([[True, True, False]]), prices, math.inf).choices.tolist() == [1]


def test_routing_metrics_on_a_full_matrix() -> None:
    scores = np.array([[0.9, 0.0, 0.1], [0.9, 0.0, 0.1], [0.0, 0.9, 0.1], [0.0, 0.9, 0.1]])
    # choices a, a, b, b: right, right, right, wrong -> 3/4
    metrics = routing_metrics(TRUTH, ALL, route(scores, ALL), MODELS, np.array([2.0, 1.0, 0.5]))
    assert metrics.questions == 4
    assert metrics.routed == pytest.approx(0.75)
    assert metrics.best_single == pytest.approx(0.5)
    assert metrics.best_single_model == "a"  # ties go to the first model
    assert metrics.oracle == pytest.approx(1.0)  # every question has a right model
    assert metrics.random == pytest.approx((2 / 3 + 1 / 3 + 1 / 3 + 1 / 3) / 4)
    assert metrics.gap_closed == pytest.approx((0.75 - 0.5) / (1.0 - 0.5))
    assert metrics.choice_share == {"a": 0.5, "b": 0.5}
    assert metrics.cost == pytest.approx(1.5)  # (2 + 2 + 1 + 1) / 4
    assert metrics.fallbacks == metrics.unrouted == 0


def test_routing_metrics_ignore_missing_cells_and_count_fallbacks() -> None:
    available = ALL.copy()
    available[1, 0] = available[3, 2] = False  # a never answered q1, c never answered q3
    scores = np.tile([0.9, 0.1, 0.5], (4, 1))  # always a, else c
    metrics = routing_metrics(TRUTH, available, route(scores, available), MODELS)
    # q0 a right, q1 falls back to c (wrong), q2 a wrong, q3 a wrong -> 1/4
    assert metrics.routed == pytest.approx(0.25)
    assert metrics.fallbacks == 1
    # a: 1 right of its 3 answered; b: 1 of 4; c: 1 of 3 -> best single a (tie with c, first wins)
    assert metrics.best_single == pytest.approx(1 / 3)
    # oracle: q0 yes, q1 (b, c wrong) no, q2 yes, q3 (a, b wrong) no
    assert metrics.oracle == pytest.approx(0.5)
    # random over the answered models: q0 2/3, q1 0/2, q2 1/3, q3 0/2
    assert metrics.random == pytest.approx((2 / 3 + 0 + 1 / 3 + 0) / 4)
    assert metrics.choice_share == {"a": 0.75, "c": 0.25}
    assert metrics.cost is None


def test_unrouted_questions_count_as_wrong_and_no_gap_gives_none() -> None:
    truth = np.array([[1.0, 1.0], [1.0, 0.0]])
    scores = np.array([[-INF, -INF], [0.5, 0.1]])
    metrics = routing_metrics(
        truth, np.ones((2, 2), dtype=bool), route(scores, np.ones((2, 2), dtype=bool)), ["x", "y"]
    )
    assert metrics.unrouted == 1
    assert metrics.routed == pytest.approx(0.5)
    assert metrics.best_single == metrics.oracle == pytest.approx(1.0)
    assert metrics.gap_closed is None


def test_routing_metrics_reject_a_question_without_any_outcome() -> None:
    available = ALL.copy()
    available[0] = False
    with pytest.raises(ValueError, match="at least one available outcome"):
        routing_metrics(TRUTH, available, route(np.zeros((4, 3)), available), MODELS)


def test_pareto_front_keeps_only_points_better_than_every_cheaper_one() -> None:
    points = _points((3, 0.6), (1, 0.5), (2, 0.7), (2, 0.4), (4, 0.7))
    assert pareto_front(points) == [(1, 0.5), (2, 0.7)]


def test_aiq_on_a_hand_computed_curve() -> None:
    points = _points((1, 0.5), (2, 0.7), (3, 0.6))
    # from 1 to 2 the line rises 0.5 -> 0.7 (area 0.6), from 2 to 3 it stays at 0.7 (area 0.7)
    assert aiq(points, 1.0, 3.0) == pytest.approx((0.6 + 0.7) / 2)
    # budgets below the cheapest point reach nothing: 0 on [0, 1], then as above
    assert aiq(points, 0.0, 3.0) == pytest.approx((0 + 0.6 + 0.7) / 3)
    assert aiq(_points((2, 0.6)), 1.0, 3.0) == pytest.approx(0.3)
    assert aiq(points, 2.0, 2.0) is None


def test_price_weights_run_from_zero_to_infinity() -> None:
    weights = price_weights(np.array([[0.2, 0.9, -INF]]), np.array([1.0, 3.0, 5.0]), points=11)
    assert len(weights) == 11
    assert weights[0] == 0.0 and math.isinf(weights[-1])
    assert all(a < b for a, b in zip(weights, weights[1:], strict=False))


def test_cost_curve_spans_the_plain_routing_and_the_cheapest_choice() -> None:
    prices = np.array([2.0, 1.0, 0.5])
    scores = np.array([[0.9, 0.0, 0.1], [0.9, 0.0, 0.1], [0.0, 0.9, 0.1], [0.0, 0.9, 0.1]])
    curve = cost_curve(scores, TRUTH, ALL, prices, points=9)
    assert len(curve) == 9
    assert (curve[0].cost, curve[0].accuracy) == (pytest.approx(1.5), pytest.approx(0.75))
    assert curve[-1].price_weight is None
    assert (curve[-1].cost, curve[-1].accuracy) == (pytest.approx(0.5), pytest.approx(0.5))  # always c


def test_best_per_task_picks_each_tasks_best_model_with_hindsight() -> None:
    from router_core.evaluation.metrics import best_per_task

    truth = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.5]])
    available = np.array([[True, True], [True, True], [True, True], [True, False]])

    # task a -> model 0 (2/2); task b -> model 1 (1/1 observed); row 3 lacks model 1: its best answer, 0
    assert best_per_task(truth, available, ["a", "a", "b", "b"]) == pytest.approx((1 + 1 + 1 + 0) / 4)
    assert best_per_task(truth, available, ["a"] * 4) == pytest.approx(0.5)
