"""Cost-quality metrics of a router: sweep the engine's cost-aware policy over one score matrix.

The choices come from the same `CostAwarePolicy` objects the routing engine uses, so the curve
is what a user of `policy="cost-aware:..."` gets. One scoring pass per router and zoo, then one
cheap policy evaluation per setting. Pure numpy and pydantic, so hand-made cases test it.

- PerfGain (LLMRouterBench): best accuracy on the sweep minus the best single model's.
- CostSave: 1 - (cheapest mean price of a setting that reaches the best single model's
  accuracy) / (the best single model's price); None when no setting reaches it.
- Mixing line: a random mix of the cheapest and the best single model reaches, at mean price c
  between theirs, the linear interpolation of their accuracies. `mixing_gain` is the mean, over
  budgets in that interval, of the router's non-decreasing curve minus that line (AIQ style).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from pydantic import BaseModel

from router_core.engine.policies import CostAwarePolicy
from router_core.evaluation.metrics import aiq, pareto_front

LAMBDAS: tuple[float, ...] = (0.0, *np.geomspace(1e-3, 10.0, 17).round(6).tolist())
QUALITIES: tuple[float, ...] = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99, 1.0)


def sweep_policies(
    lambdas: Sequence[float] = LAMBDAS, qualities: Sequence[float] = QUALITIES
) -> list[CostAwarePolicy]:
    """The settings swept: every lambda, then every target quality."""
    return [CostAwarePolicy(lam=lam) for lam in lambdas] + [
        CostAwarePolicy(target_quality=q) for q in qualities
    ]


class SweepPoint(BaseModel):
    """One policy setting: mean price (USD per 1M tokens) of the chosen models and accuracy."""

    policy: str
    cost: float
    accuracy: float


class CostSummary(BaseModel):
    best_single_model: str
    best_single_accuracy: float
    best_single_price: float
    cheapest_model: str
    cheapest_accuracy: float
    cheapest_price: float
    best_accuracy: float  # the most accurate setting of the sweep
    best_policy: str
    perf_gain: float
    cost_save: float | None  # None: no setting reaches the best single model
    cost_save_policy: str | None
    accuracy_at_best_price: float  # the router's curve at the best single model's price
    mixing_gain: float | None  # None when the cheapest model is the best single one
    points: list[SweepPoint]


def policy_choices(
    policy: CostAwarePolicy, scores: np.ndarray, available: np.ndarray, prices: np.ndarray
) -> np.ndarray:
    """Per question, the first candidate of the policy's order that the router supports (finite
    score) and that has an outcome; -1 when none does. Falling back along the order is what a
    deployment does when the chosen model fails. A target quality reads the scores as Pr(Yes),
    so for it they are clipped to [0, 1] (the oracle's tie-break makes them slightly negative)."""
    if policy.target_quality is not None:
        scores = np.where(np.isfinite(scores), np.clip(scores, 0.0, 1.0), scores)
    choices = np.full(len(scores), -1)
    for row, (row_scores, row_available) in enumerate(zip(scores, available, strict=True)):
        supported = np.flatnonzero(np.isfinite(row_scores))
        if not supported.size:
            continue
        order = supported[policy.order(row_scores[supported], prices[supported].tolist())]
        usable = order[row_available[order]]
        if usable.size:
            choices[row] = usable[0]
    return choices


def sweep(
    scores: np.ndarray,
    truth: np.ndarray,
    available: np.ndarray,
    prices: np.ndarray,
    policies: Sequence[CostAwarePolicy],
) -> list[SweepPoint]:
    """(mean price, accuracy) of each policy; an unrouted question counts as wrong and costs 0."""
    prices = np.asarray(prices, dtype=float)
    outcome = np.where(available, truth, 0.0)
    points = []
    for policy in policies:
        choices = policy_choices(policy, scores, available, prices)
        rows = np.flatnonzero(choices >= 0)
        points.append(
            SweepPoint(
                policy=policy.describe(),
                cost=float(prices[choices[rows]].sum() / len(scores)),
                accuracy=float(outcome[rows, choices[rows]].sum() / len(scores)),
            )
        )
    return points


def curve_at(points: Sequence[SweepPoint], budget: float) -> float:
    """The non-decreasing curve through the Pareto points at a mean-price budget (mixing two
    settings reaches any price between them); 0 below the cheapest point."""
    front = pareto_front(points)  # type: ignore[arg-type]
    best = 0.0
    for (c0, a0), (c1, a1) in zip(front, front[1:], strict=False):
        if c0 <= budget <= c1:
            return a0 + (a1 - a0) * (budget - c0) / (c1 - c0)
    for cost, accuracy in front:
        if cost <= budget:
            best = accuracy
    return best


def perf_gain(points: Sequence[SweepPoint], best_single_accuracy: float) -> float:
    return max(p.accuracy for p in points) - best_single_accuracy


def cost_save(
    points: Sequence[SweepPoint], best_single_accuracy: float, best_single_price: float
) -> SweepPoint | None:
    """The cheapest setting that reaches the best single model's accuracy (None if none does)."""
    reaching = [p for p in points if p.accuracy >= best_single_accuracy - 1e-12]
    return min(reaching, key=lambda p: (p.cost, -p.accuracy)) if reaching else None


def mixing_gain(
    points: Sequence[SweepPoint], cheap: tuple[float, float], best: tuple[float, float]
) -> float | None:
    """Mean over budgets between the cheapest and the best single model's price of the router's
    curve minus the mixing line through (price, accuracy) of those two models."""
    (low, a_low), (high, a_high) = cheap, best
    area = aiq(points, low, high)  # type: ignore[arg-type]
    return None if area is None else area - (a_low + a_high) / 2


def cost_summary(
    scores: np.ndarray,
    truth: np.ndarray,
    available: np.ndarray,
    models: Sequence[str],
    prices: np.ndarray,
    policies: Sequence[CostAwarePolicy] | None = None,
) -> CostSummary:
    """Every cost metric of one router on one zoo, from its score matrix and the zoo's prices."""
    prices = np.asarray(prices, dtype=float)
    points = sweep(scores, truth, available, prices, policies or sweep_policies())
    answered = np.maximum(available.sum(axis=0), 1)
    per_model = np.where(available, truth, 0.0).sum(axis=0) / answered
    best = int(np.argmax(per_model))
    cheap = min(range(len(models)), key=lambda j: (prices[j], -per_model[j]))
    top = max(points, key=lambda p: (p.accuracy, -p.cost))
    saving = cost_save(points, float(per_model[best]), float(prices[best]))
    return CostSummary(
        best_single_model=models[best],
        best_single_accuracy=float(per_model[best]),
        best_single_price=float(prices[best]),
        cheapest_model=models[cheap],
        cheapest_accuracy=float(per_model[cheap]),
        cheapest_price=float(prices[cheap]),
        best_accuracy=top.accuracy,
        best_policy=top.policy,
        perf_gain=perf_gain(points, float(per_model[best])),
        cost_save=None if saving is None or prices[best] <= 0 else 1 - saving.cost / float(prices[best]),
        cost_save_policy=None if saving is None else saving.policy,
        accuracy_at_best_price=curve_at(points, float(prices[best])),
        mixing_gain=mixing_gain(
            points,
            (float(prices[cheap]), float(per_model[cheap])),
            (float(prices[best]), float(per_model[best])),
        ),
        points=points,
    )


class SettingResult(BaseModel):
    """One policy setting across zoos: accuracy minus the best single model's, in accuracy units,
    and the saving against the best single model's price (1 - mean price / its price)."""

    policy: str
    gain: dict[str, float]
    saving: dict[str, float]


def by_setting(summaries: Mapping[str, CostSummary]) -> list[SettingResult]:
    """Per zoo, each swept setting's gain and saving against that zoo's best single model."""
    policies = [p.policy for p in next(iter(summaries.values())).points]
    results = []
    for policy in policies:
        gain, saving = {}, {}
        for zoo, summary in summaries.items():
            point = next(p for p in summary.points if p.policy == policy)
            gain[zoo] = point.accuracy - summary.best_single_accuracy
            saving[zoo] = 1 - point.cost / summary.best_single_price
        results.append(SettingResult(policy=policy, gain=gain, saving=saving))
    return results


def recommend(settings: Sequence[SettingResult], tolerance: float = 0.0) -> SettingResult | None:
    """The setting with the largest smallest saving over the zoos among those that lose at most
    `tolerance` accuracy against the best single model on every zoo; None when none does."""
    keep = [s for s in settings if min(s.gain.values()) >= -tolerance - 1e-12]
    return max(keep, key=lambda s: (min(s.saving.values()), min(s.gain.values()))) if keep else None
