"""Tiny cards and outcome matrices for the method tests."""

from __future__ import annotations

import numpy as np

from router_core.cards.card import CapabilityCard, ModelFacts, TaskScore
from router_core.data.outcomes import Instruction, OutcomeMatrix


def card(model: str, *accuracies: float, price: float = 1.0) -> CapabilityCard:
    scores = [TaskScore(task=f"t{i}", description=f"Topic {i}", accuracy=a) for i, a in enumerate(accuracies)]
    return CapabilityCard(
        model=model,
        aptitude_version="test",
        scores=scores,
        facts=ModelFacts(input_price=price, output_price=price),
    )


def matrix(
    texts: list[str], models: list[str], scores: list[list[float]], observed: list[list[bool]] | None = None
) -> OutcomeMatrix:
    instructions = [Instruction(id=str(i), text=text, category="c") for i, text in enumerate(texts)]
    values = np.array(scores, dtype=np.float32)
    seen = np.ones_like(values, dtype=bool) if observed is None else np.array(observed, dtype=bool)
    return OutcomeMatrix(instructions, models, values, seen)
