"""How far do capability cards alone go? Route by each card's aptitude accuracy on the tasks of
the instruction's MMLU-Pro category (no instruction model at all), and compare with the best
single model and the card-mean rule, on the benchmark's held-out questions.

A task's category is the majority category of its 20 aptitude items. This is the information a
router can read from the cards; a learned router has to beat it with what it learns from the
instructions. Two finer columns use the item's own aptitude task (its MMLU subject or source)
where the card has it. The ceiling columns use the same rules fed with every model's true
accuracy on the training questions of the category (or task) instead of its card: knowledge no
router has about a new model, and an upper bound for what better cards could give these rules.
A second table sets each card's mean beside the model's accuracy on the training questions.

    .venv/bin/python benchmarks/card_lookup.py --data ../shared/data/mmlu-pro [--questions validation]
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from router_core.cards.aptitude import load_aptitude_test, task_id
from router_core.cards.card import CapabilityCard, load_cards
from router_core.data import load_outcomes
from router_core.data.outcomes import OutcomeMatrix
from router_core.errors import ConfigError
from router_core.evaluation.metrics import route, routed_accuracy
from router_core.zoos.catalog import load_zoo_file
from router_core.zoos.splits import split_questions

MIN_TASK_ANSWERS = 10  # fewer training answers than this in a task: use the category's accuracy


def category_accuracy(card: CapabilityCard, task_category: dict[str, str]) -> dict[str, float]:
    per_category: dict[str, list[float]] = defaultdict(list)
    for score in card.scores:
        per_category[task_category[score.task]].append(score.accuracy)
    return {category: float(np.mean(values)) for category, values in per_category.items()}


def lookup_accuracy(questions: OutcomeMatrix, preference: np.ndarray) -> float:
    """Each question goes to its most preferred model that answered it (the benchmark's rule for
    missing cells); `preference` holds one score per (question, model)."""
    return routed_accuracy(questions.scores, route(preference, questions.observed))


def outcome_accuracy(train: OutcomeMatrix, groups: list[str], min_answers: int = 1) -> dict[str, np.ndarray]:
    """Each model's true accuracy per group of training questions (observed cells only); NaN where
    a model answered fewer than `min_answers` of the group."""
    labels = np.array(groups)
    out = {}
    for group in set(groups):
        rows = labels == group
        answered = train.observed[rows].sum(0)
        accuracy = train.scores[rows].sum(0) / np.maximum(answered, 1)
        out[group] = np.where(answered >= min_answers, accuracy, np.nan)
    return out


def main(
    data: Annotated[Path, typer.Option(help="MMLU-Pro outputs folder.")],
    questions: Annotated[str, typer.Option(help="test, or validation.")] = "test",
) -> None:
    outcomes = load_outcomes(data)
    aptitude, cards = load_aptitude_test(), load_cards()
    task_category = aptitude.task_categories(outcomes)
    split = split_questions(outcomes, aptitude)
    if questions not in ("test", "validation"):
        raise ConfigError(f"unknown questions {questions!r}; choose test or validation")
    routed_ids = split.test if questions == "test" else split.validation
    table = Table(title=f"card-only routing, {questions} questions ({len(routed_ids)}), accuracy %")
    columns = (
        "zoo",
        "best single model",
        "card mean",
        "card accuracy on the category",
        "card accuracy on the task",
        "training-outcome accuracy on the category (ceiling)",
        "training-outcome accuracy on the task (ceiling)",
        "oracle",
    )
    for column in columns:
        table.add_column(column)
    zoos = load_zoo_file()
    for zoo in ("small", "mixed", "large", "all"):
        models = zoos.resolve(zoo, outcomes.models)
        routed = outcomes.select(models=models, instruction_ids=routed_ids)
        train = outcomes.select(models=models, instruction_ids=split.train)
        by_category = [category_accuracy(cards[m], task_category) for m in models]
        by_task = [{s.task: s.accuracy for s in cards[m].scores} for m in models]
        means = np.array([cards[m].mean_accuracy for m in models])
        card_category = np.array(
            [
                [acc.get(ins.category, mean) for acc, mean in zip(by_category, means, strict=True)]
                for ins in routed.instructions
            ]
        )
        card_task = np.array(
            [
                [tasks.get(task_id(ins.source), row[k]) for k, tasks in enumerate(by_task)]
                for ins, row in zip(routed.instructions, card_category, strict=True)
            ]
        )
        true_category = outcome_accuracy(train, [ins.category for ins in train.instructions])
        true_task = outcome_accuracy(
            train, [task_id(ins.source) for ins in train.instructions], MIN_TASK_ANSWERS
        )
        ceiling_category = np.array([true_category[ins.category] for ins in routed.instructions])
        ceiling_task = np.array(
            [true_task.get(task_id(ins.source), np.full(len(models), np.nan)) for ins in routed.instructions]
        )
        ceiling_task = np.where(np.isnan(ceiling_task), ceiling_category, ceiling_task)
        single = routed.scores.sum(0) / np.maximum(routed.observed.sum(0), 1)
        table.add_row(
            zoo,
            f"{100 * single.max():.1f} ({models[int(single.argmax())]})",
            *(
                f"{100 * lookup_accuracy(routed, preference):.1f}"
                for preference in (
                    np.tile(means, (len(routed_ids), 1)),
                    card_category,
                    card_task,
                    ceiling_category,
                    ceiling_task,
                )
            ),
            f"{100 * routed.scores.max(1).mean():.1f}",
        )
    Console().print(table)
    Console().print(card_mean_table(outcomes, cards, split.train))


def card_mean_table(outcomes: OutcomeMatrix, cards: dict[str, CapabilityCard], train_ids: list[str]) -> Table:
    """How well each card's mean (1,000 aptitude items) tracks the model's accuracy on all training
    questions: the card-mean rule can only be as right as this ranking."""
    train = outcomes.select(instruction_ids=train_ids)
    true = train.scores.sum(0) / np.maximum(train.observed.sum(0), 1)
    table = Table(title=f"card mean vs accuracy on the {len(train_ids)} training questions")
    for column in ("model", "card mean", "training accuracy", "card - training"):
        table.add_column(column)
    for j in np.argsort(-true):
        card = cards[outcomes.models[j]].mean_accuracy
        table.add_row(outcomes.models[j], f"{card:.3f}", f"{true[j]:.3f}", f"{card - true[j]:+.3f}")
    return table


if __name__ == "__main__":
    typer.run(main)
