"""LiteLLM's complexity router as a benchmark baseline: its tiers, the price maps, and a benchmark run."""

from __future__ import annotations

import sys

import litellm_modelsat  # noqa: F401  (keeps litellm offline before it is imported)
import numpy as np
import pytest
from litellm.router_strategy.complexity_router import ComplexityRouter, ComplexityTier
from litellm_modelsat.complexity_baseline import (
    TIERS,
    LiteLLMComplexityMethod,
    price_order,
    tier_positions,
)

from router_core.data.outcomes import Instruction, OutcomeMatrix
from router_core.errors import ConfigError
from router_core.evaluation.evaluate import evaluate
from router_core.methods import registry
from router_core.methods.registry import BASELINES, make_method, method_class
from tests.router_core.builders import make_card

GREETING = "Hello!"
PROOF = (
    "Prove that there are infinitely many primes. Work step by step and explain your reasoning: "
    "first assume there are finitely many, then build a number none of them divides."
)
CODE = (
    "Implement a distributed rate limiter in Python with async workers; "
    "optimize it for concurrency and low latency."
)


@pytest.fixture(scope="module")
def router() -> LiteLLMComplexityMethod:
    return LiteLLMComplexityMethod()


def test_tiers_of_obvious_instructions(router: LiteLLMComplexityMethod) -> None:
    assert TIERS == ("SIMPLE", "MEDIUM", "COMPLEX", "REASONING")
    assert router.classify(GREETING) == "SIMPLE"
    assert router.classify("What is the capital of France?") == "SIMPLE"
    assert router.classify(PROOF) == "REASONING"  # two reasoning markers and a multi-step pattern
    assert router.classify(CODE) == "COMPLEX"  # code keywords and technical terms


def test_the_tier_is_litellms(monkeypatch: pytest.MonkeyPatch, router: LiteLLMComplexityMethod) -> None:
    """The tier comes from LiteLLM's classify, not from a copy of its rules."""
    monkeypatch.setattr(
        ComplexityRouter,
        "classify",
        lambda self, prompt, system_prompt=None: (ComplexityTier.REASONING, 1.0, []),
    )
    assert router.classify(GREETING) == "REASONING"


def test_litellm_scorer_settings_reach_the_scorer() -> None:
    everything_hard = {
        "tier_boundaries": {"simple_medium": -3, "medium_complex": -2.5, "complex_reasoning": -2}
    }
    router = make_method("litellm-complexity", complexity_router_config=everything_hard)
    assert router.classify(GREETING) == "REASONING"


@pytest.mark.parametrize(
    "config",
    [
        {"tiers": {"SIMPLE": "gpt-4o-mini"}},
        {"classifier_type": "llm"},
        {"tier_boundaries": {"simple_medium": "high"}},
    ],
)
def test_settings_without_effect_or_invalid_are_refused(config: dict) -> None:
    with pytest.raises(ConfigError, match="complexity_router_config"):
        make_method("litellm-complexity", complexity_router_config=config)


@pytest.mark.parametrize(
    ("n", "spread", "cheap", "dear"),
    [
        (1, (0, 0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 0)),
        (2, (0, 0, 1, 1), (0, 0, 0, 1), (0, 1, 1, 1)),
        (3, (0, 1, 1, 2), (0, 0, 1, 2), (0, 1, 2, 2)),
        (4, (0, 1, 2, 3), (0, 0, 1, 3), (0, 2, 3, 3)),
        (5, (0, 1, 3, 4), (0, 0, 2, 4), (0, 2, 4, 4)),
    ],
)
def test_tier_positions(n: int, spread: tuple, cheap: tuple, dear: tuple) -> None:
    assert tier_positions(n, "spread") == spread
    assert tier_positions(n, "cheap") == cheap
    assert tier_positions(n, "dear") == dear


def _zoo(prices: dict[str, float | None], accuracy: dict[str, float] | None = None) -> list:
    accuracy = accuracy or {}
    return [make_card(model, [accuracy.get(model, 0.5)], price) for model, price in prices.items()]


# listed out of price order, so the mapping has to sort them
THREE = _zoo({"mid": 2.0, "dear": 10.0, "cheap": 0.5})
FIVE = _zoo({"p3": 3.0, "p1": 1.0, "p5": 5.0, "p2": 2.0, "p4": 4.0})


@pytest.mark.parametrize(
    ("name", "cards", "expected"),
    [
        ("litellm-complexity", THREE, ["cheap", "mid", "mid", "dear"]),
        ("litellm-complexity-cheap", THREE, ["cheap", "cheap", "mid", "dear"]),
        ("litellm-complexity-dear", THREE, ["cheap", "mid", "dear", "dear"]),
        ("litellm-complexity", FIVE, ["p1", "p2", "p4", "p5"]),
        ("litellm-complexity-cheap", FIVE, ["p1", "p1", "p3", "p5"]),
        ("litellm-complexity-dear", FIVE, ["p1", "p3", "p5", "p5"]),
    ],
)
def test_price_maps_of_the_presets(name: str, cards: list, expected: list[str]) -> None:
    router = make_method(name)
    assert router.tier_models(cards) == dict(zip(TIERS, expected, strict=True))
    assert make_method("litellm-complexity", map=router.options.map).tier_models(cards) == router.tier_models(
        cards
    )


def test_equal_prices_go_by_accuracy_and_no_price_goes_by_accuracy() -> None:
    tied = _zoo({"weak": 1.0, "strong": 1.0, "cheap": 0.1}, {"weak": 0.3, "strong": 0.9})
    assert [tied[i].model for i in price_order(tied)] == ["cheap", "weak", "strong"]
    unpriced = _zoo({"a": 1.0, "b": None, "c": 5.0}, {"a": 0.9, "b": 0.2, "c": 0.5})
    assert [unpriced[i].model for i in price_order(unpriced)] == ["b", "c", "a"]
    assert LiteLLMComplexityMethod().tier_models(unpriced)["REASONING"] == "a"


def test_scores_put_the_mapped_model_first_then_its_neighbours(router: LiteLLMComplexityMethod) -> None:
    scores = router.score([GREETING, CODE, PROOF], FIVE)  # FIVE in card order: p3 p1 p5 p2 p4
    models = [card.model for card in FIVE]
    assert [models[j] for j in scores.argmax(axis=1)] == ["p1", "p4", "p5"]
    by_rank = [[models[j] for j in np.argsort(-row, kind="stable")] for row in scores]
    assert by_rank[0] == ["p1", "p2", "p3", "p4", "p5"]
    assert by_rank[1] == ["p4", "p5", "p3", "p2", "p1"]  # at equal distance the dearer neighbour first
    assert np.isfinite(scores).all() and scores.max() == 0.0


def test_runs_through_the_benchmark() -> None:
    """Greetings go to the cheap model, reasoning to the dear one, code to the one between."""
    texts = {"chat": GREETING, "code": CODE, "proof": PROOF}
    right = {"chat": "cheap", "code": "mid", "proof": "dear"}  # the only model right on each category
    models = ["cheap", "mid", "dear"]
    instructions, scores = [], []
    for i in range(9):
        category = list(texts)[i % 3]
        instructions.append(Instruction(id=str(i), text=f"{texts[category]} ({i})", category=category))
        scores.append([float(m == right[category]) for m in models])
    outcomes = OutcomeMatrix(instructions, models, np.array(scores), np.ones((9, 3), bool))
    cards = _zoo({"mid": 2.0, "dear": 10.0, "cheap": 0.5})
    # cheap maps COMPLEX to "mid", dear maps it to "dear", which is wrong on code
    for name, routed in (("litellm-complexity-cheap", 1.0), ("litellm-complexity-dear", 2 / 3)):
        result = evaluate(
            make_method(name),
            outcomes.select(models=[c.model for c in cards]),
            cards,
            split="test",
            zoo="three",
            name=name,
        )
        assert result.kind == "reference" and result.unsupported == []
        assert result.overall.routed == pytest.approx(routed)
        assert result.curve is not None and result.aiq is not None
    spread = evaluate(LiteLLMComplexityMethod(), outcomes, cards, split="test", zoo="three", name="x")
    assert spread.categories["chat"].choice_share == {"cheap": 1.0}
    assert spread.categories["proof"].choice_share == {"dear": 1.0}
    assert spread.categories["code"].choice_share == {"mid": 1.0}


def test_registered_but_not_among_the_baselines_of_all() -> None:
    assert method_class("litellm-complexity") is LiteLLMComplexityMethod
    assert not any(name.startswith("litellm") for name in BASELINES)


def test_without_litellm_the_registry_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "litellm", None)  # import litellm now fails
    for module in [m for m in sys.modules if m.startswith("litellm_modelsat")]:
        monkeypatch.delitem(sys.modules, module)
    monkeypatch.setitem(
        registry._METHODS,
        "litellm-complexity",
        "litellm_modelsat.complexity_baseline:LiteLLMComplexityMethod",
    )
    with pytest.raises(ConfigError, match=r"litellm-complexity.*pip install 'langchain-modelsat\[litellm\]'"):
        make_method("litellm-complexity")
