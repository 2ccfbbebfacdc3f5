"""Evaluation of routing methods: fit each once per split, then route the held-out questions of each zoo.

Splits (docs/evaluation.md):
- `test`: held-out questions; methods learn from the training questions of every model.
- `models`: held-out questions, and the held-out models (zoos.yaml) are removed from the training
  outcomes: they reach a method only through their capability cards.
- `families`: the held-out questions of the held-out task families (zoos.yaml); methods learn
  from the training questions of the other families only, and know the held-out families'
  skills only through the cards' tasks. The Model-SAT checkpoint to evaluate must have been
  trained so (`TrainConfig.hold_out_families`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field

from router_core.cards.aptitude import AptitudeTest
from router_core.cards.card import CapabilityCard, cards_aptitude_test
from router_core.data.outcomes import OutcomeMatrix
from router_core.errors import ConfigError
from router_core.evaluation.cost import CostSummary, cost_summary
from router_core.evaluation.metrics import CurvePoint, RoutingMetrics, aiq, cost_curve, route, routing_metrics
from router_core.methods.base import MethodKind, OutcomeAware, RoutingMethod
from router_core.methods.embeddings import Embedder
from router_core.methods.registry import make_method, method_class
from router_core.zoos.splits import held_out_families, split_by_family, split_questions, training_models

Split = Literal["test", "models", "families"]
SPLITS: tuple[Split, ...] = ("test", "models")
"""The splits of `--split all`; `families` needs its own Model-SAT checkpoint, so it is asked for by name."""
Questions = Literal["test", "validation"]
MIN_ANSWERED = 2
"""A question enters a zoo's evaluation when this many of the zoo's models answered it."""


class EvaluationSpec(BaseModel):
    """What to run: methods by name (with options), named zoos of models, and splits."""

    methods: list[str] = Field(min_length=1)
    zoos: dict[str, list[str]] = Field(min_length=1)
    splits: list[Split] = Field(default_factory=lambda: list(SPLITS), min_length=1)
    questions: Questions = Field(
        default="test",
        description="Route the test questions, or the validation ones (choosing a method without the test)",
    )
    method_options: dict[str, dict[str, Any]] = Field(default_factory=dict)
    curve_points: int = Field(default=41, ge=3)
    cost_sweep: bool = Field(default=False, description="Sweep the cost-aware policy (evaluation.cost)")


class Evaluation(BaseModel):
    """One method on one zoo under one split."""

    split: Split
    zoo: str
    method: str
    kind: MethodKind
    models: list[str]
    unsupported: list[str]  # zoo models the method cannot route to (scored -inf)
    overall: RoutingMetrics
    categories: dict[str, RoutingMetrics]
    families: dict[str, RoutingMetrics] = Field(default_factory=dict)  # by task family
    datasets: dict[str, RoutingMetrics] = Field(default_factory=dict)  # by outcome source
    curve: list[CurvePoint] | None  # None when a zoo model has no price on its card
    aiq: float | None
    cost: CostSummary | None = None  # with EvaluationSpec.cost_sweep and priced cards
    fit_seconds: float
    score_seconds: float


class SplitInfo(BaseModel):
    split: Split
    train_questions: int
    questions: Questions = "test"
    test_questions: int
    training_models: list[str]
    held_out_models: list[str]


class EvaluationResult(BaseModel):
    spec: EvaluationSpec
    splits: list[SplitInfo]
    evaluations: list[Evaluation]
    seconds: float


def check_spec(spec: EvaluationSpec, outcomes: OutcomeMatrix, cards: Mapping[str, CapabilityCard]) -> None:
    """Fails before any work when a method, model or card is missing."""
    for name in spec.methods:
        method_class(name)
    for zoo, models in spec.zoos.items():
        for model in models:
            outcomes.model_index(model)
        without = [m for m in models if m not in cards]
        if without:
            raise ConfigError(f"zoo {zoo!r}: no capability card for {without}; pass a card file")


def evaluate_methods(
    outcomes: OutcomeMatrix,
    cards: Mapping[str, CapabilityCard],
    spec: EvaluationSpec,
    *,
    embedder: Embedder | None = None,
    aptitude: AptitudeTest | None = None,
    on_result: Callable[[Evaluation], None] | None = None,
) -> EvaluationResult:
    """Runs every method of `spec` on every zoo and split; `on_result(evaluation)` hears each as it lands."""
    check_spec(spec, outcomes, cards)
    start = time.perf_counter()
    questions = split_questions(outcomes, aptitude or cards_aptitude_test(list(cards.values())))
    routed_ids = getattr(questions, spec.questions)
    infos, evaluations = [], []
    for split in spec.splits:
        learners = training_models(outcomes) if split == "models" else outcomes.models
        held = [m for m in outcomes.models if m not in learners]
        train_ids, test_ids = questions.train, routed_ids
        if split == "families":
            train_ids = split_by_family(outcomes, train_ids, held_out_families())[0]
            test_ids = split_by_family(outcomes, test_ids, held_out_families())[1]
        train = outcomes.select(models=learners, instruction_ids=train_ids)
        test = outcomes.select(instruction_ids=test_ids)
        infos.append(
            SplitInfo(
                split=split,
                train_questions=len(train.ids),
                questions=spec.questions,
                test_questions=len(test.ids),
                training_models=train.models,
                held_out_models=held,
            )
        )
        for name in spec.methods:
            method = make_method(name, embedder=embedder, **spec.method_options.get(name, {}))
            began = time.perf_counter()
            method.fit(train, cards)
            if isinstance(method, OutcomeAware):
                method.reveal(test)
            fit_seconds = time.perf_counter() - began
            for zoo, models in spec.zoos.items():
                evaluation = evaluate(
                    method,
                    test.select(models=models),
                    [cards[m] for m in models],
                    split=split,
                    zoo=zoo,
                    name=name,
                    fit_seconds=fit_seconds,
                    curve_points=spec.curve_points,
                    cost_sweep=spec.cost_sweep,
                )
                evaluations.append(evaluation)
                if on_result:
                    on_result(evaluation)
    seconds = time.perf_counter() - start
    return EvaluationResult(spec=spec, splits=infos, evaluations=evaluations, seconds=seconds)


def evaluate(
    method: RoutingMethod,
    outcomes: OutcomeMatrix,
    cards: Sequence[CapabilityCard],
    *,
    split: Split,
    zoo: str,
    name: str,
    fit_seconds: float = 0.0,
    curve_points: int = 41,
    cost_sweep: bool = False,
) -> Evaluation:
    """Routes the questions that at least two of the zoo's models answered (all of them for a
    one-model zoo), overall and per category. A question only one model answered leaves nothing
    to choose: in a zoo that spans sources (one model also measured on another source) it would
    dilute every method's score, and its cost curve, towards that model."""
    answered = outcomes.observed.sum(axis=1)
    rows = np.flatnonzero(answered >= min(MIN_ANSWERED, outcomes.observed.shape[1]))
    instructions = [outcomes.instructions[i] for i in rows]
    truth, available = outcomes.scores[rows], outcomes.observed[rows]
    models = [card.model for card in cards]
    prices = [card.price for card in cards]
    price_vector = np.array(prices, dtype=float) if None not in prices else None

    began = time.perf_counter()
    scores = method.score([ins.routing_text for ins in instructions], cards)
    score_seconds = time.perf_counter() - began
    routing = route(scores, available)

    tasks = [ins.category or "(none)" for ins in instructions]

    def breakdown(labels: Sequence[str | None]) -> dict[str, RoutingMetrics]:
        groups: dict[str, list[int]] = {}
        for i, label in enumerate(labels):
            groups.setdefault(label or "(none)", []).append(i)
        return {
            label: routing_metrics(
                truth[idx], available[idx], routing.take(idx), models, price_vector, [tasks[i] for i in idx]
            )
            for label, members in sorted(groups.items())
            for idx in [np.array(members)]
        }

    curve, area = None, None
    if price_vector is not None:
        curve = cost_curve(scores, truth, available, price_vector, curve_points)
        area = aiq(curve, float(price_vector.min()), float(price_vector.max()))
    return Evaluation(
        split=split,
        zoo=zoo,
        method=name,
        kind=method.kind,
        models=models,
        unsupported=[card.model for card in cards if not method.supports(card)],
        overall=routing_metrics(truth, available, routing, models, price_vector, tasks),
        categories=breakdown(tasks),
        families=breakdown([ins.family for ins in instructions]),
        datasets=breakdown([ins.dataset for ins in instructions]),
        curve=curve,
        aiq=area,
        cost=cost_summary(scores, truth, available, models, price_vector)
        if cost_sweep and price_vector is not None
        else None,
        fit_seconds=fit_seconds,
        score_seconds=score_seconds,
    )
