"""Card lookup: the rule a learned method must beat to show that it reads cards.

A classifier learns each instruction's aptitude task (or task family) from its embedding, on
the examples the card prior learns from (the test's items and the training questions of each
task's source, `router_core/cards/task_examples.py`); a candidate's score is its card's
accuracy on the predicted task (or the family's mean), read straight off the card. Nothing is
learned about any model: a new model is routed by its card alone, as Model-SAT routes it. A
candidate whose card does not cover the predicted family (a partial card) ranks below every
candidate that does, by its card mean.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
from pydantic import Field
from sklearn.linear_model import LogisticRegression

from router_core.cards.aptitude import AptitudeTest, load_aptitude_test
from router_core.cards.card import CapabilityCard
from router_core.cards.task_examples import task_examples
from router_core.data.outcomes import OutcomeMatrix
from router_core.errors import ConfigError
from router_core.methods.base import MethodOptions
from router_core.methods.learned import EmbeddingMethod

UNCOVERED = -1.0
"""Added to a card's mean when it does not cover the instruction's family: below any covered card."""


class CardLookupOptions(MethodOptions):
    level: Literal["family", "task"] = Field(
        default="family", description="Read the card's mean on the predicted family, or on the predicted task"
    )


class CardLookupMethod(EmbeddingMethod):
    """Predicted task family (or task) of the instruction -> the card's score there."""

    name = "card-lookup"
    Options = CardLookupOptions
    options: CardLookupOptions

    def fit(self, train: OutcomeMatrix, cards: Mapping[str, CapabilityCard]) -> None:
        test = _test_of(cards)
        self._groups = _task_groups(test, self.options.level)
        texts, tasks = task_examples(train, test)
        family = {task.id: task.family or "" for task in test.tasks}
        labels = tasks if self.options.level == "task" else [family[t] for t in tasks]
        known = [i for i, label in enumerate(labels) if label in self._groups]
        if len({labels[i] for i in known}) < 2:
            raise ConfigError(
                "card-lookup needs training instructions of two tasks of the cards' test at least"
            )
        self._classifier = LogisticRegression(max_iter=1000).fit(
            self.embed([texts[i] for i in known]), [labels[i] for i in known]
        )

    def _score(self, instructions: Sequence[str], cards: Sequence[CapabilityCard]) -> np.ndarray:
        self._require_fit(hasattr(self, "_classifier"))
        predicted = self._classifier.predict(self.embed(instructions))
        table = {
            label: np.array([_accuracy_on(card, tasks) for card in cards])
            for label, tasks in self._groups.items()
        }
        return np.stack([table[label] for label in predicted])


def _test_of(cards: Mapping[str, CapabilityCard]) -> AptitudeTest:
    versions = {card.aptitude_version for card in cards.values()}
    if len(versions) != 1:
        raise ConfigError(f"card-lookup reads cards of one aptitude test, got {sorted(versions)}")
    return load_aptitude_test(versions.pop())


def _task_groups(test: AptitudeTest, level: str) -> dict[str, list[str]]:
    if level == "task" or not test.families:
        return {task.id: [task.id] for task in test.tasks}
    return test.families


def _accuracy_on(card: CapabilityCard, tasks: list[str]) -> float:
    by_task = {s.task: s.accuracy for s in card.scores}
    covered = [by_task[t] for t in tasks if t in by_task]
    return float(np.mean(covered)) if covered else card.mean_accuracy + UNCOVERED
