"""How far do capability cards alone go? Route by each card's aptitude accuracy on the tasks of
the instruction's MMLU-Pro category (no instruction model at all), and compare with the best
single model and the card-mean rule, on the benchmark's held-out test questions.

A task's category is the majority category of its 20 aptitude items. This is the information a
router can read from the cards; a learned router has to beat it with what it learns from the
instructions. The last routed column is a ceiling for routing by category: the same rule fed
with every model's true accuracy on the ~7,000 training questions of the category instead of
its card (knowledge no router has about a new model).

    .venv/bin/python benchmarks/card_lookup.py --data ../shared/data/mmlu-pro
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from router_core.cards.aptitude import load_aptitude_test
from router_core.cards.card import CapabilityCard, load_cards
from router_core.data import load_outcomes
from router_core.data.outcomes import OutcomeMatrix
from router_core.evaluation.metrics import route
from router_core.evaluation.splits import split_questions
from router_core.evaluation.zoos import load_zoo_file


def category_accuracy(card: CapabilityCard, task_category: dict[str, str]) -> dict[str, float]:
    per_category: dict[str, list[float]] = defaultdict(list)
    for score in card.scores:
        per_category[task_category[score.task]].append(score.accuracy)
    return {category: float(np.mean(values)) for category, values in per_category.items()}


def routed_accuracy(test: OutcomeMatrix, preference: np.ndarray) -> float:
    """Each question goes to its most preferred model that answered it (the benchmark's rule for
    missing cells); `preference` holds one score per (question, model)."""
    choices = route(preference, test.observed).choices
    return float(test.scores[np.arange(len(choices)), choices].mean())


def outcome_accuracy(train: OutcomeMatrix) -> dict[str, np.ndarray]:
    """Each model's true accuracy per category on training questions (observed cells only)."""
    categories = np.array([ins.category for ins in train.instructions])
    return {
        category: train.scores[rows].sum(0) / np.maximum(train.observed[rows].sum(0), 1)
        for category in set(categories)
        for rows in [categories == category]
    }


def main(data: Annotated[Path, typer.Option(help="MMLU-Pro outputs folder.")]) -> None:
    outcomes = load_outcomes(data)
    aptitude, cards = load_aptitude_test(), load_cards()
    task_category = aptitude.task_categories(outcomes)
    split = split_questions(outcomes, aptitude)
    test_ids = split.test
    table = Table(title=f"card-only routing, test split ({len(test_ids)} questions), accuracy %")
    columns = (
        "zoo",
        "best single model",
        "card mean",
        "card accuracy on the category",
        "training-outcome accuracy on the category (ceiling)",
        "oracle",
    )
    for column in columns:
        table.add_column(column)
    zoos = load_zoo_file()
    for zoo in ("small", "mixed", "large", "all"):
        models = zoos.resolve(zoo, outcomes.models)
        test = outcomes.select(models=models, instruction_ids=test_ids)
        by_category = [category_accuracy(cards[m], task_category) for m in models]
        means = np.array([cards[m].mean_accuracy for m in models])
        lookup = np.array(
            [
                [acc.get(ins.category, mean) for acc, mean in zip(by_category, means, strict=True)]
                for ins in test.instructions
            ]
        )
        trained = outcome_accuracy(outcomes.select(models=models, instruction_ids=split.train))
        ceiling = np.array([trained[ins.category] for ins in test.instructions])
        single = test.scores.sum(0) / np.maximum(test.observed.sum(0), 1)
        table.add_row(
            zoo,
            f"{100 * single.max():.1f} ({models[int(single.argmax())]})",
            f"{100 * routed_accuracy(test, np.tile(means, (len(lookup), 1))):.1f}",
            f"{100 * routed_accuracy(test, lookup):.1f}",
            f"{100 * routed_accuracy(test, ceiling):.1f}",
            f"{100 * test.scores.max(1).mean():.1f}",
        )
    Console().print(table)


if __name__ == "__main__":
    typer.run(main)
