"""Deterministic splits: held-out questions, held-out models and held-out task types.

Questions: hashed by id within each category, so the split never depends on file order or
on which models are loaded; aptitude items always stay out of the test set (they define the
cards). Models: the held-out models of zoos.yaml never enter training and reach a router
only through their cards, as a newly released model would. Task types: under the `families`
split, the held-out families of zoos.yaml never enter training; a router meets their skills
only through the cards' tasks.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from router_core.cards.aptitude import AptitudeTest
from router_core.data.outcomes import OutcomeMatrix
from router_core.zoos.catalog import load_zoo_file


@dataclass(frozen=True)
class QuestionSplit:
    train: list[str]
    validation: list[str]
    test: list[str]


def _rank(question_id: str, seed: int) -> str:
    return hashlib.sha256(f"{seed}:{question_id}".encode()).hexdigest()


def split_questions(
    outcomes: OutcomeMatrix,
    aptitude: AptitudeTest,
    *,
    test_fraction: float = 0.2,
    validation_fraction: float = 0.1,
    seed: int = 0,
) -> QuestionSplit:
    """~20% test and ~10% validation per category; aptitude items are always in train."""
    aptitude_ids = aptitude.question_ids
    by_category: dict[str, list[str]] = defaultdict(list)
    for ins in outcomes.instructions:
        if ins.id not in aptitude_ids:
            by_category[ins.category or ""].append(ins.id)
    train, validation, test = [i for i in outcomes.ids if i in aptitude_ids], [], []
    for ids in by_category.values():
        ordered = sorted(ids, key=lambda q: _rank(q, seed))
        n_test, n_val = round(len(ordered) * test_fraction), round(len(ordered) * validation_fraction)
        test += ordered[:n_test]
        validation += ordered[n_test : n_test + n_val]
        train += ordered[n_test + n_val :]
    order = {q: i for i, q in enumerate(outcomes.ids)}
    return QuestionSplit(*(sorted(part, key=order.__getitem__) for part in (train, validation, test)))


def held_out_models() -> list[str]:
    return list(load_zoo_file().held_out_models)


def held_out_families() -> list[str]:
    return list(load_zoo_file().held_out_families)


def split_by_family(
    outcomes: OutcomeMatrix, ids: list[str], families: list[str]
) -> tuple[list[str], list[str]]:
    """`ids` parted into the questions of other families and those of `families`, order kept."""
    held = {ins.id for ins in outcomes.instructions if ins.family in set(families)}
    return [i for i in ids if i not in held], [i for i in ids if i in held]


def training_models(outcomes: OutcomeMatrix) -> list[str]:
    """The models a router may learn from under the held-out-models split."""
    held = set(held_out_models())
    return [m for m in outcomes.models if m not in held]
