"""The shipped checkpoint routes better than any single model on a fixed slice of held-out
LLMRouter questions (math, code, QA, reasoning, writing: where routing by skill pays).
A quality gate, not a benchmark (docs/benchmarks.md has the numbers): it fails if the
checkpoint or its cards break, e.g. a method that ignores the cards or reads them wrongly
ties the best single model at best."""

from __future__ import annotations

from pathlib import Path

import pytest

from router_core.cards.card import load_cards
from router_core.data import load_outcomes
from router_core.evaluation.evaluate import evaluate
from router_core.methods import make_method
from router_core.zoos.catalog import load_zoo_file
from router_core.zoos.splits import split_questions

SLICE = 150  # held-out questions per source, spread evenly over the split's order


@pytest.mark.slow
@pytest.mark.parametrize(
    ("source", "zoo"), [("llmrouter", "llmrouter")]
)  # see docs/benchmarks.md for MMLU-Pro
def test_the_shipped_router_beats_the_best_single_model(shared_data: Path, source: str, zoo: str) -> None:
    from router_core.cards.card import cards_aptitude_test

    outcomes = load_outcomes(shared_data / source)
    cards = load_cards()
    test_ids = split_questions(outcomes, cards_aptitude_test(list(cards.values()))).test
    picked = [test_ids[i * len(test_ids) // SLICE] for i in range(SLICE)]
    models = load_zoo_file().resolve(zoo, outcomes.models)

    evaluation = evaluate(
        make_method("modelsat"),
        outcomes.select(models=models, instruction_ids=picked),
        [cards[m] for m in models],
        split="test",
        zoo=zoo,
        name="modelsat",
    )

    assert evaluation.overall.routed > evaluation.overall.best_single
