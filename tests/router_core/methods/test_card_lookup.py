from __future__ import annotations

import numpy as np
import pytest

from router_core.cards.aptitude import load_aptitude_test
from router_core.cards.card import CapabilityCard, TaskScore
from router_core.data.outcomes import Instruction, OutcomeMatrix
from router_core.errors import ConfigError
from router_core.methods import make_method
from router_core.methods.embeddings import HashingEmbedder

TEST = load_aptitude_test("v3")
CODE = ["Write a Python function that reverses a list.", "Implement binary search in Python code."]
MATH = ["Tom has 3 apples and buys 4 more. How many apples?", "A train goes 60 miles in 2 hours. Speed?"]


def _card(model: str, strong: str, families: list[str]) -> CapabilityCard:
    scores = [
        TaskScore(task=task.id, description=task.description, accuracy=0.9 if task.family == strong else 0.3)
        for task in TEST.tasks
        if task.family in families
    ]
    return CapabilityCard(model=model, aptitude_version="v3", families=families, scores=scores)


def _train() -> OutcomeMatrix:
    texts = CODE * 5 + MATH * 5
    families = ["code"] * 10 + ["math-word-problems"] * 10
    instructions = [
        Instruction(id=str(i), text=text, family=family, source="mbpp" if family == "code" else "gsm8k")
        for i, (text, family) in enumerate(zip(texts, families, strict=True))
    ]
    return OutcomeMatrix(instructions, ["coder"], np.ones((20, 1)), np.ones((20, 1), bool))


BOTH = ["code", "math-word-problems"]


def test_each_instruction_goes_to_the_card_best_on_its_predicted_family() -> None:
    cards = {"coder": _card("coder", "code", BOTH), "mathy": _card("mathy", "math-word-problems", BOTH)}
    method = make_method("card-lookup", embedder=HashingEmbedder())
    method.fit(_train(), cards)

    scores = method.score([CODE[0], MATH[1]], [cards["coder"], cards["mathy"]])

    assert scores.argmax(axis=1).tolist() == [0, 1]
    assert np.isclose(scores[0, 0], 0.9)


def test_a_card_without_the_family_ranks_below_every_card_with_it() -> None:
    cards = {
        "coder": _card("coder", "code", BOTH),
        "chat-only": _card("chat-only", "open-ended", ["open-ended"]),
    }
    method = make_method("card-lookup", embedder=HashingEmbedder())
    method.fit(_train(), cards)

    scores = method.score([MATH[0]], [cards["coder"], cards["chat-only"]])

    assert scores[0, 0] > scores[0, 1]


def test_cards_of_two_tests_are_refused() -> None:
    other = _card("coder", "code", BOTH).model_copy(update={"aptitude_version": "mmlu-pro-v2"})
    method = make_method("card-lookup", embedder=HashingEmbedder())

    with pytest.raises(ConfigError, match="reads cards of one aptitude test"):
        method.fit(_train(), {"a": _card("a", "code", BOTH), "b": other})


def test_a_family_no_training_question_covers_is_recognised_from_the_tests_items() -> None:
    cards = {"coder": _card("coder", "code", BOTH), "mathy": _card("mathy", "math-word-problems", BOTH)}
    math_only = _train().select(instruction_ids=[str(i) for i in range(10, 20)])
    method = make_method("card-lookup", embedder=HashingEmbedder())
    method.fit(math_only, cards)

    scores = method.score(CODE, [cards["coder"], cards["mathy"]])

    assert scores.argmax(axis=1).tolist() == [0, 0]
