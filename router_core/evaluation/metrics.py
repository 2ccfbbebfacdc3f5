"""Routing metrics on a block of questions x candidates; pure numpy, so small hand-made cases test them.

Rules (see docs/evaluation.md):
- `available[i, j]` is False where candidate j has no outcome for question i. Such a candidate
  is skipped when routing question i: the router's next-ranked candidate is used instead, as a
  deployment falls back along the ranking. Those questions are counted as `fallbacks`.
- A question where the router supports no available candidate is `unrouted` and counts as wrong.
- Best single, oracle and random read only available cells: a model's accuracy is over the
  questions it answered, the oracle is right when any available model is, random is the mean
  over the available models.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel


@dataclass(frozen=True)
class Routing:
    """Which candidate each question went to (-1: none could be), and whether it fell back."""

    choices: np.ndarray
    fell_back: np.ndarray

    def take(self, rows: np.ndarray) -> Routing:
        return Routing(self.choices[rows], self.fell_back[rows])


def route(
    scores: np.ndarray, available: np.ndarray, prices: np.ndarray | None = None, price_weight: float = 0.0
) -> Routing:
    """Argmax of `scores - price_weight * price` over the available candidates (-inf: unsupported).

    With `price_weight=inf` the choice is the cheapest supported candidate, ties broken by score.
    """
    scores = np.asarray(scores, dtype=float)
    if price_weight and prices is not None:
        prices = np.asarray(prices, dtype=float)
        if math.isinf(price_weight):
            candidates = (scores > -np.inf) & available
            cheapest = np.where(candidates, prices, np.inf).min(axis=1, keepdims=True)
            scores = np.where(prices == cheapest, scores, -np.inf)
        else:
            scores = scores - price_weight * prices
    top = scores.argmax(axis=1)
    usable = np.where(available, scores, -np.inf)
    choices = np.where((usable > -np.inf).any(axis=1), usable.argmax(axis=1), -1)
    rows = np.arange(len(scores))
    fell_back = (scores[rows, top] > -np.inf) & ~available[rows, top] & (choices >= 0)
    return Routing(choices, fell_back)


def routed_accuracy(truth: np.ndarray, routing: Routing) -> float:
    """Share of questions whose chosen candidate answered correctly; an unrouted question counts
    as wrong."""
    rows = np.flatnonzero(routing.choices >= 0)
    return float(np.asarray(truth, dtype=float)[rows, routing.choices[rows]].sum() / len(truth))


class RoutingMetrics(BaseModel):
    """Accuracy of a routing on some questions, with the bars it is read against."""

    questions: int
    routed: float
    best_single: float
    best_single_model: str
    oracle: float
    best_per_task: float | None = None  # each task's best model, picked with hindsight on these questions
    random: float
    gap_closed: float | None  # share of the best-single -> oracle gap closed; None when there is no gap
    fallbacks: int
    unrouted: int
    choice_share: dict[str, float]
    cost: float | None  # mean price of the chosen models, USD per 1M tokens


def routing_metrics(
    truth: np.ndarray,
    available: np.ndarray,
    routing: Routing,
    models: Sequence[str],
    prices: np.ndarray | None = None,
    tasks: Sequence[str] | None = None,
) -> RoutingMetrics:
    """Metrics of `routing` against outcomes `truth` (questions x candidates) where `available`;
    with each question's task, also the best-model-per-task rule with hindsight."""
    n = len(truth)
    if n == 0 or not available.any(axis=1).all():
        raise ValueError("every evaluated question needs at least one available outcome")
    truth = np.where(available, np.asarray(truth, dtype=float), 0.0)
    counts = available.sum(axis=0)
    per_model = np.divide(truth.sum(axis=0), counts, out=np.full(len(models), -np.inf), where=counts > 0)
    best = int(per_model.argmax())
    routed_rows = routing.choices >= 0
    chosen = routing.choices[routed_rows]
    routed = routed_accuracy(truth, routing)
    oracle = float(np.where(available, truth, -np.inf).max(axis=1).mean())
    gap = oracle - float(per_model[best])
    share = np.bincount(chosen, minlength=len(models)) / n
    return RoutingMetrics(
        questions=n,
        routed=routed,
        best_single=float(per_model[best]),
        best_single_model=models[best],
        oracle=oracle,
        best_per_task=None if tasks is None else best_per_task(truth, available, tasks),
        random=float((truth.sum(axis=1) / available.sum(axis=1)).mean()),
        gap_closed=(routed - float(per_model[best])) / gap if gap > 1e-9 else None,
        fallbacks=int(routing.fell_back.sum()),
        unrouted=int(n - routed_rows.sum()),
        choice_share={m: float(s) for m, s in zip(models, share, strict=True) if s > 0},
        cost=float(np.asarray(prices, float)[chosen].mean()) if prices is not None and chosen.size else None,
    )


def best_per_task(truth: np.ndarray, available: np.ndarray, tasks: Sequence[str]) -> float:
    """Mean score when each task's questions all go to the model best on that task (hindsight:
    chosen on the very questions it is scored on), a question's fallback being its best answerer."""
    labels = np.asarray(tasks)
    total = 0.0
    for task in set(tasks):
        rows = labels == task
        seen = available[rows]
        means = np.where(seen.sum(0) > 0, truth[rows].sum(0) / np.maximum(seen.sum(0), 1), -np.inf)
        best = int(means.argmax())
        best_of_row = np.where(seen, truth[rows], -np.inf).max(axis=1)
        total += float(np.where(seen[:, best], truth[rows, best], best_of_row).sum())
    return total / len(labels)


class CurvePoint(BaseModel):
    """One willingness-to-pay setting: `price_weight` None means 'always the cheapest supported'."""

    price_weight: float | None
    cost: float
    accuracy: float


def price_weights(scores: np.ndarray, prices: np.ndarray, points: int = 41) -> list[float]:
    """0, a geometric sweep scaled to the router's score spread over the price spread, then infinity."""
    finite = scores[np.isfinite(scores)]
    score_spread = float(finite.max() - finite.min()) if finite.size else 0.0
    price_spread = float(np.max(prices) - np.min(prices))
    scale = (score_spread or 1.0) / (price_spread or 1.0)
    return [0.0, *(scale * np.geomspace(1e-3, 1e3, max(points - 2, 1))).tolist(), math.inf]


def cost_curve(
    scores: np.ndarray, truth: np.ndarray, available: np.ndarray, prices: np.ndarray, points: int = 41
) -> list[CurvePoint]:
    """Accuracy and mean price of the chosen models as the price penalty grows."""
    prices = np.asarray(prices, dtype=float)
    curve = []
    for weight in price_weights(scores, prices, points):
        routing = route(scores, available, prices, weight)
        routed = np.flatnonzero(routing.choices >= 0)
        chosen = routing.choices[routed]
        curve.append(
            CurvePoint(
                price_weight=None if math.isinf(weight) else weight,
                cost=float(prices[chosen].mean()) if chosen.size else 0.0,
                accuracy=float(np.where(available, truth, 0.0)[routed, chosen].sum() / len(truth)),
            )
        )
    return curve


def pareto_front(points: Sequence[CurvePoint]) -> list[tuple[float, float]]:
    """(cost, accuracy) points, cheapest first, each more accurate than every cheaper one."""
    front: list[tuple[float, float]] = []
    for point in sorted(points, key=lambda p: (p.cost, -p.accuracy)):
        if not front or point.accuracy > front[-1][1]:
            front.append((point.cost, point.accuracy))
    return front


def aiq(points: Sequence[CurvePoint], low: float, high: float) -> float | None:
    """RouterBench's AIQ: mean over budgets in [low, high] of the non-decreasing accuracy-cost curve.

    The curve joins the Pareto points linearly (mixing two settings reaches any cost between
    them), stays flat after the most accurate point and is 0 below the cheapest one (no
    setting fits that budget). `low`/`high` are the zoo's cheapest and dearest prices.
    """
    front = pareto_front(points)
    if high <= low or not front:
        return None
    area = 0.0
    for (c0, a0), (c1, a1) in zip(front, [*front[1:], (math.inf, front[-1][1])], strict=True):
        u, v = max(c0, low), min(c1, high)
        if v > u:
            area += (_on_segment(u, c0, a0, c1, a1) + _on_segment(v, c0, a0, c1, a1)) / 2 * (v - u)
    return area / (high - low)


def _on_segment(c: float, c0: float, a0: float, c1: float, a1: float) -> float:
    return a0 if math.isinf(c1) else a0 + (a1 - a0) * (c - c0) / (c1 - c0)
