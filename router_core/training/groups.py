"""Training groups: k (card, instruction, label) pairs with exactly one positive.

Two kinds, as configured: the paper's homogeneous groups (one card, 1 instruction it answered
correctly + k-1 it got wrong) and instruction groups (one instruction, 1 model that got it right
+ k-1 that did not), which teach the comparison a router makes at inference. Models are drawn
with more weight on stronger ones, instructions with more weight on distinguishing items.
Sampling is a pure function of (seed, step), so a resumed run sees the same groups.

Outcomes may be graded (token F1, a judge's preference): a positive is a pair that scored at
least `margin` above each of its group's negatives, so 0/1 outcomes give the paper's groups and
graded ones are never rounded. Instruction groups draw their instruction from each dataset in
proportion to the square root of its size, so a small source (a few hundred open-ended
instructions) is seen often enough without being memorised.
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
        margin: float = 0.5,
    ) -> None:
        self.outcomes = outcomes
        self.k = group_size
        self.instruction_share = instruction_group_share
        self.seed = seed
        self.margin = margin
        observed, scores = outcomes.observed, outcomes.scores
        correct = (scores >= margin) & observed
        wrong = (scores < margin) & observed
        self._correct_rows = [np.flatnonzero(correct[:, j]) for j in range(len(outcomes.models))]
        self._wrong_rows = [np.flatnonzero(wrong[:, j]) for j in range(len(outcomes.models))]
        share = scores.sum(1) / np.maximum(observed.sum(1), 1)
        self._item_weight = share * (1 - share) + item_weight_floor
        accuracy = np.array([outcomes.accuracy()[m] for m in outcomes.models])
        self._model_weight = _normalise(np.power(accuracy, model_weight_power))
        # instructions usable for instruction groups: two models at least `margin` apart
        low = np.where(observed, scores, np.inf).min(1)
        high = np.where(observed, scores, -np.inf).max(1)
        self._mixed_rows = (
            np.flatnonzero(observed.sum(1) >= 2) if margin <= 0 else np.flatnonzero(high - low >= margin)
        )
        self._row_weight = _normalise(
            self._item_weight[self._mixed_rows] * _dataset_balance(outcomes, self._mixed_rows)
        )

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
        row = int(rng.choice(self._mixed_rows, p=self._row_weight))
        seen = self.outcomes.observed[row]
        scores = np.where(seen, self.outcomes.scores[row], np.nan)
        right = np.flatnonzero(seen & (scores >= np.nanmin(scores) + self.margin))
        positive = int(rng.choice(right, p=_normalise(self._model_weight[right])))
        wrong = np.flatnonzero(seen & (scores <= scores[positive] - self.margin))
        negatives = rng.choice(wrong, min(self.k - 1, len(wrong)), replace=False)
        models = [self.outcomes.models[j] for j in np.concatenate([[positive], negatives])]
        return Group(models=models, instruction_ids=[self.outcomes.instructions[row].id] * len(models))

    def _pick(self, rng: np.random.Generator, rows: np.ndarray, count: int) -> np.ndarray:
        return rng.choice(rows, count, replace=len(rows) < count, p=_normalise(self._item_weight[rows]))


def _dataset_balance(outcomes: OutcomeMatrix, rows: np.ndarray) -> np.ndarray:
    """Per-row factor giving each dataset a share of draws proportional to sqrt(its rows)."""
    names = [outcomes.instructions[r].dataset or "" for r in rows]
    counts = {name: names.count(name) for name in set(names)}
    return np.array([np.sqrt(counts[name]) / counts[name] for name in names])


def _normalise(weights: np.ndarray) -> np.ndarray:
    return weights / weights.sum()
