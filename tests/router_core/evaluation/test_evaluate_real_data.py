"""The reference routers on the shared MMLU-Pro outcomes: the bars every router is read against."""

from __future__ import annotations

import pytest

from router_core.cards import load_aptitude_test, load_cards
from router_core.data.outcomes import OutcomeMatrix
from router_core.evaluation.evaluate import EvaluationSpec, evaluate_methods
from router_core.zoos.catalog import load_zoo_file
from router_core.zoos.splits import split_questions


@pytest.mark.slow
def test_reference_methods_on_the_shared_data(real_outcomes: OutcomeMatrix) -> None:
    zoos = {name: load_zoo_file().resolve(name, real_outcomes.models) for name in ("small", "large")}
    spec = EvaluationSpec(methods=["random", "best-single", "oracle"], zoos=zoos, splits=["test"])
    result = evaluate_methods(real_outcomes, load_cards(), spec)
    found = {(e.zoo, e.method): e for e in result.evaluations}

    test_ids = set(split_questions(real_outcomes, load_aptitude_test()).test)
    assert result.splits[0].test_questions == len(test_ids) > 1500
    assert not test_ids & load_aptitude_test().question_ids
    for zoo in zoos:
        bars = found[zoo, "oracle"].overall
        assert bars.random < bars.best_single < bars.oracle == pytest.approx(bars.routed)
        assert found[zoo, "random"].overall.routed == pytest.approx(bars.random, abs=0.03)
        assert found[zoo, "best-single"].overall.routed <= bars.best_single
    assert found["large", "oracle"].overall.best_single_model == "gemini-1.5-pro-002"
    # DeepSeek-Coder-V2 misses ~14% of the questions: a uniform choice lands there and falls back
    assert found["large", "random"].overall.fallbacks > 0
    assert found["large", "random"].overall.questions == len(test_ids)
