"""Small objects that several test folders build."""

from __future__ import annotations

from router_core.cards.card import CapabilityCard, ModelFacts, TaskScore


def make_card(model: str, accuracies: list[float], price: float | None = None) -> CapabilityCard:
    """A card with one task per accuracy, named task0, task1, ..., and an optional price."""
    return CapabilityCard(
        model=model,
        aptitude_version="test-v1",
        scores=[
            TaskScore(task=f"task{i}", description=f"Subject {i}, Keywords", accuracy=a, n_items=20)
            for i, a in enumerate(accuracies)
        ],
        facts=ModelFacts(input_price=price, output_price=price),
    )
