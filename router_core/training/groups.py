"""Training groups: k (card, instruction, label) pairs with exactly one positive.

Two kinds, as configured: the paper's homogeneous groups (one card, 1 instruction it answered
correctly + k-1 it got wrong) and instruction groups (one instruction, 1 model that got it right
+ k-1 that did not), which teach the comparison a router makes at inference. Models are drawn
with more weight on stronger ones, instructions with more weight on distinguishing items.
Sampling is a pure function of (seed, step), so a resumed run sees the same groups.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from router_core.data.outcomes import OutcomeMatrix
from router_core.training.config import TrainConfig


@dataclass(frozen=True)
class Group:
    models: list[str]
    instruction_ids: list[str]
    positive: int = 0


class GroupSampler:
    def __init__(
        self,
        outcomes: OutcomeMatrix,
        *,
        group_size: int,
        instruction_group_share: float,
        model_weight_power: float,
        item_weight_floor: float,
        seed: int,
    ) -> None:
        self.outcomes = outcomes
        self.k = group_size
        self.instruction_share = instruction_group_share
        self.seed = seed
        correct = (outcomes.scores >= 0.5) & outcomes.observed
        wrong = (outcomes.scores < 0.5) & outcomes.observed
        self._correct_rows = [np.flatnonzero(correct[:, j]) for j in range(len(outcomes.models))]
        self._wrong_rows = [np.flatnonzero(wrong[:, j]) for j in range(len(outcomes.models))]
        share = correct.sum(1) / np.maximum(outcomes.observed.sum(1), 1)
        self._item_weight = share * (1 - share) + item_weight_floor
        accuracy = np.array([outcomes.accuracy()[m] for m in outcomes.models])
        self._model_weight = _normalise(np.power(accuracy, model_weight_power))
        # instructions usable for instruction groups: some model right and some wrong
        self._mixed_rows = np.flatnonzero(correct.any(1) & wrong.any(1))
        self._correct, self._wrong = correct, wrong

    @classmethod
    def from_config(cls, outcomes: OutcomeMatrix, config: TrainConfig) -> GroupSampler:
        return cls(
            outcomes,
            group_size=config.group_size,
            instruction_group_share=config.instruction_group_share,
            model_weight_power=config.model_weight_power,
            item_weight_floor=config.item_weight_floor,
            seed=config.seed,
        )

    def sample(self, step: int, count: int) -> list[Group]:
        rng = np.random.default_rng([self.seed, step])
        return [
            self._instruction_group(rng) if rng.random() < self.instruction_share else self._card_group(rng)
            for _ in range(count)
        ]

    def _card_group(self, rng: np.random.Generator) -> Group:
        j = int(rng.choice(len(self.outcomes.models), p=self._model_weight))
        positive = self._pick(rng, self._correct_rows[j], 1)
        negatives = self._pick(rng, self._wrong_rows[j], self.k - 1)
        ids = [self.outcomes.instructions[r].id for r in np.concatenate([positive, negatives])]
        return Group(models=[self.outcomes.models[j]] * len(ids), instruction_ids=ids)

    def _instruction_group(self, rng: np.random.Generator) -> Group:
        weights = _normalise(self._item_weight[self._mixed_rows])
        row = int(rng.choice(self._mixed_rows, p=weights))
        right, wrong = np.flatnonzero(self._correct[row]), np.flatnonzero(self._wrong[row])
        positive = rng.choice(right, 1, p=_normalise(self._model_weight[right]))
        negatives = rng.choice(wrong, min(self.k - 1, len(wrong)), replace=False)
        models = [self.outcomes.models[j] for j in np.concatenate([positive, negatives])]
        return Group(models=models, instruction_ids=[self.outcomes.instructions[row].id] * len(models))

    def _pick(self, rng: np.random.Generator, rows: np.ndarray, count: int) -> np.ndarray:
        return rng.choice(rows, count, replace=len(rows) < count, p=_normalise(self._item_weight[rows]))


def _normalise(weights: np.ndarray) -> np.ndarray:
    return weights / weights.sum()
