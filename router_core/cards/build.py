"""Cards from outcome data: each model's accuracy on the aptitude items of each task."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources

import numpy as np
import yaml

from router_core.cards.aptitude import AptitudeTest
from router_core.cards.card import CapabilityCard, ModelFacts, TaskScore
from router_core.cards.validation import check_card
from router_core.data.combine import aliases_of
from router_core.data.outcomes import OutcomeMatrix
from router_core.errors import CardError


@cache
def shipped_model_facts() -> dict[str, ModelFacts]:
    """Indicative prices and context lengths of the 24 shared models."""
    resource = resources.files("router_core.cards") / "definitions" / "model_facts.yaml"
    raw = yaml.safe_load(resource.read_text(encoding="utf-8"))
    return {name: ModelFacts.model_validate(facts) for name, facts in raw.items()}


def build_cards(
    outcomes: OutcomeMatrix,
    test: AptitudeTest,
    models: Sequence[str] | None = None,
    facts: dict[str, ModelFacts] | None = None,
) -> list[CapabilityCard]:
    """One card per model; a task's accuracy counts only the items the model answered.

    With a test of task families, a model that a source never measured gets a partial card:
    the families it answered (each whole, `check_card`), without the others."""
    facts = shipped_model_facts() if facts is None else facts
    if not any(outcomes.has(q) for q in test.question_ids):
        raise CardError(
            f"the outcome data holds no item of aptitude test {test.version}: give the data its "
            "items come from, or another test (--test)"
        )
    cards = []
    for model in models or outcomes.models:
        j = outcomes.model_index(model)
        scores = []
        for task in test.tasks:
            absent = [q for q in task.question_ids if not outcomes.has(q)]
            if absent and test.families:
                continue  # a source not loaded: its families stay off every card
            if absent:
                raise CardError(f"aptitude task {task.id!r} items {absent[:5]} are not in the outcome data")
            rows = [outcomes.row(q) for q in task.question_ids]
            seen = outcomes.observed[rows, j]
            if not seen.any() and test.families:
                continue
            if not seen.any():
                raise CardError(f"model {model!r} answered none of the items of task {task.id!r}")
            # in float64: 14/20 is stored as 0.7, not float32's 0.699999988
            accuracy = float(outcomes.scores[rows, j][seen].mean(dtype=np.float64))
            scores.append(
                TaskScore(
                    task=task.id, description=task.description, accuracy=accuracy, n_items=int(seen.sum())
                )
            )
        if not scores:
            raise CardError(f"model {model!r} answered no item of aptitude test {test.version}")
        card = CapabilityCard(
            model=model,
            aliases=aliases_of(model),
            aptitude_version=test.version,
            families=test.families_of([s.task for s in scores]) if test.families else None,
            scores=scores,
            facts=facts.get(model, ModelFacts()),
        )
        cards.append(check_card(card, test))
    return cards
