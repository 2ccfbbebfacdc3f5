"""The benchmark on the synthetic zoo: every learned baseline must beat random and the best single model."""

from __future__ import annotations

import pytest
from synthetic_zoo import HELD_OUT, MODELS

from router_core.cards.aptitude import load_aptitude_test
from router_core.cards.card import CapabilityCard
from router_core.data.outcomes import OutcomeMatrix
from router_core.errors import ConfigError
from router_core.evaluation.evaluate import Evaluation, EvaluationResult, EvaluationSpec, evaluate_methods
from router_core.methods import BASELINES
from router_core.methods.embeddings import HashingEmbedder
from router_core.zoos.splits import split_questions

LEARNED = ("knn", "mlp", "random-forest", "matrix-factorization")
PER_MODEL = ("knn", "mlp", "matrix-factorization")


@pytest.fixture(scope="module")
def result(outcomes: OutcomeMatrix, cards: dict[str, CapabilityCard]) -> EvaluationResult:
    spec = EvaluationSpec(
        methods=list(BASELINES),
        zoos={"all": list(MODELS), "pair": ["law-whiz", HELD_OUT]},
        splits=["test", "models"],
    )
    return evaluate_methods(outcomes, cards, spec, embedder=HashingEmbedder())


def _get(result: EvaluationResult, split: str, zoo: str, method: str) -> Evaluation:
    return next(e for e in result.evaluations if (e.split, e.zoo, e.method) == (split, zoo, method))


def test_every_split_zoo_and_router_is_evaluated(result: EvaluationResult) -> None:
    assert len(result.evaluations) == 2 * 2 * len(BASELINES)
    test_info, models_info = result.splits
    assert test_info.training_models == list(MODELS) and test_info.held_out_models == []
    assert HELD_OUT not in models_info.training_models and models_info.held_out_models == [HELD_OUT]
    assert test_info.test_questions == 80  # 20% of each category's 100 questions


@pytest.mark.parametrize("method", LEARNED)
def test_learned_baselines_route_by_category(result: EvaluationResult, method: str) -> None:
    evaluation = _get(result, "test", "all", method)
    metrics = evaluation.overall
    # the right expert per category is right ~95% of the time; the best single model ~55%
    assert metrics.routed > metrics.best_single + 0.15
    assert metrics.routed > metrics.random + 0.3
    assert metrics.gap_closed is not None and metrics.gap_closed > 0.3
    assert evaluation.unsupported == []
    assert evaluation.aiq is not None and 0 < evaluation.aiq <= 1


def test_reference_routers(result: EvaluationResult) -> None:
    oracle = _get(result, "test", "all", "oracle")
    assert oracle.kind == "upper bound"
    assert oracle.overall.routed == pytest.approx(oracle.overall.oracle)
    best = _get(result, "test", "all", "best-single")
    assert best.overall.choice_share == {"generalist": 1.0}  # the highest mean on the cards
    random = _get(result, "test", "all", "random")
    assert abs(random.overall.routed - random.overall.random) < 0.12
    assert len(random.overall.choice_share) == len(MODELS)


@pytest.mark.parametrize("method", PER_MODEL)
def test_per_model_baselines_cannot_route_to_a_held_out_model(result: EvaluationResult, method: str) -> None:
    evaluation = _get(result, "models", "all", method)
    assert evaluation.unsupported == [HELD_OUT]
    assert HELD_OUT not in evaluation.overall.choice_share
    pair = _get(result, "models", "pair", method)
    assert pair.overall.choice_share == {"law-whiz": 1.0}  # the only model it knows
    assert _get(result, "test", "pair", method).unsupported == []


def test_random_forest_routes_to_a_held_out_model_through_its_card(result: EvaluationResult) -> None:
    evaluation = _get(result, "models", "all", "random-forest")
    assert evaluation.unsupported == []
    math_share = evaluation.categories["math"].choice_share
    assert math_share.get(HELD_OUT, 0) + math_share.get("stem-whiz", 0) > 0.8
    pair = _get(result, "models", "pair", "random-forest")
    assert pair.categories["math"].choice_share.get(HELD_OUT, 0) > 0.8  # math goes to the unseen expert
    assert pair.overall.routed > pair.overall.best_single


def test_category_metrics_partition_the_questions(result: EvaluationResult) -> None:
    evaluation = _get(result, "test", "all", "knn")
    assert list(evaluation.categories) == ["biology", "history", "law", "math"]
    assert sum(m.questions for m in evaluation.categories.values()) == evaluation.overall.questions
    right = sum(m.routed * m.questions for m in evaluation.categories.values())
    routed = right / evaluation.overall.questions
    assert routed == pytest.approx(evaluation.overall.routed)


def test_family_and_dataset_metrics_partition_the_questions(result: EvaluationResult) -> None:
    evaluation = _get(result, "test", "all", "knn")
    assert list(evaluation.families) == ["humanities", "stem"]
    assert list(evaluation.datasets) == ["(none)"]
    assert sum(m.questions for m in evaluation.families.values()) == evaluation.overall.questions
    overall = evaluation.overall
    assert overall.best_single <= overall.best_per_task <= overall.oracle


def test_missing_cells_fall_back_and_are_reported(
    outcomes: OutcomeMatrix, cards: dict[str, CapabilityCard]
) -> None:
    observed = outcomes.observed.copy()
    observed[:200, MODELS.index("stem-whiz")] = False  # no math or law outcomes for stem-whiz
    observed[300:, MODELS.index(HELD_OUT)] = False  # the math expert misses some questions
    holey = OutcomeMatrix(outcomes.instructions, outcomes.models, outcomes.scores, observed)
    spec = EvaluationSpec(methods=["oracle", "knn"], zoos={"all": list(MODELS)}, splits=["test"])
    result = evaluate_methods(holey, cards, spec, embedder=HashingEmbedder())
    oracle, knn = result.evaluations
    assert oracle.overall.fallbacks == 0  # the oracle scores a missing cell below every outcome
    assert knn.overall.unrouted == 0 and knn.overall.questions == 80
    assert knn.overall.routed <= knn.overall.oracle


def test_a_question_only_one_zoo_model_answered_leaves_the_evaluation(
    outcomes: OutcomeMatrix, cards: dict[str, CapabilityCard]
) -> None:
    observed = outcomes.observed.copy()
    observed[:200, MODELS.index("stem-whiz")] = False  # as if stem-whiz came from another source
    holey = OutcomeMatrix(outcomes.instructions, outcomes.models, outcomes.scores, observed)
    spec = EvaluationSpec(methods=["best-single"], zoos={"pair": ["weak", "stem-whiz"]}, splits=["test"])
    evaluation = evaluate_methods(holey, cards, spec).evaluations[0]
    test_rows = [outcomes.row(q) for q in split_questions(outcomes, load_aptitude_test()).test]
    both = sum(1 for row in test_rows if row >= 200)
    assert 0 < both < len(test_rows)
    assert evaluation.overall.questions == both and evaluation.overall.fallbacks == 0


def test_spec_errors_are_caught_before_any_work(
    outcomes: OutcomeMatrix, cards: dict[str, CapabilityCard]
) -> None:
    with pytest.raises(ConfigError, match="unknown method 'nope'"):
        evaluate_methods(outcomes, cards, EvaluationSpec(methods=["nope"], zoos={"z": ["weak"]}))
    with pytest.raises(ConfigError, match="unknown model 'ghost'"):
        evaluate_methods(outcomes, cards, EvaluationSpec(methods=["random"], zoos={"z": ["ghost"]}))
    without = {k: v for k, v in cards.items() if k != "weak"}
    with pytest.raises(ConfigError, match=r"no capability card for \['weak'\]"):
        evaluate_methods(
            outcomes, without, EvaluationSpec(methods=["random"], zoos={"z": ["weak", "law-whiz"]})
        )


def test_a_one_model_zoo_has_no_gap_and_no_cost_range(
    outcomes: OutcomeMatrix, cards: dict[str, CapabilityCard]
) -> None:
    spec = EvaluationSpec(methods=["random"], zoos={"z": ["weak"]}, splits=["test"])
    metrics = evaluate_methods(outcomes, cards, spec).evaluations[0]
    assert metrics.overall.routed == metrics.overall.best_single == metrics.overall.oracle
    assert metrics.overall.gap_closed is None
    assert metrics.aiq is None and metrics.curve is not None


def test_validation_questions_are_routed_instead_of_test_ones_when_asked(
    outcomes: OutcomeMatrix, cards: dict[str, CapabilityCard]
) -> None:
    questions = split_questions(outcomes, load_aptitude_test())
    for which, expected in (("test", questions.test), ("validation", questions.validation)):
        spec = EvaluationSpec(methods=["random"], zoos={"z": ["weak"]}, splits=["test"], questions=which)
        result = evaluate_methods(outcomes, cards, spec)
        assert result.splits[0].questions == which
        assert result.splits[0].test_questions == len(expected) > 0


def test_the_families_split_trains_without_the_held_out_families_and_routes_only_them(
    outcomes: OutcomeMatrix, cards: dict[str, CapabilityCard], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("router_core.evaluation.evaluate.held_out_families", lambda: ["stem"])
    spec = EvaluationSpec(
        methods=["best-single", "knn"], zoos={"all": list(MODELS)}, splits=["test", "families"]
    )

    result = evaluate_methods(outcomes, cards, spec, embedder=HashingEmbedder())

    test_split, families_split = result.splits
    stem = sum(1 for ins in outcomes.instructions if ins.family == "stem")
    assert families_split.train_questions < test_split.train_questions
    assert (
        test_split.train_questions - families_split.train_questions < stem
    )  # the stem training questions only
    knn = _get(result, "families", "all", "knn")
    assert list(knn.families) == ["stem"]
    assert knn.overall.questions < _get(result, "test", "all", "knn").overall.questions
