"""Reference methods that read no instruction: random choice, the best card, and the oracle bound."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from router_core.cards.card import CapabilityCard
from router_core.data.outcomes import OutcomeMatrix
from router_core.methods.base import MethodOptions, RoutingMethod

_TIE_BREAK = 1e-6  # per USD / 1M tokens: far below any difference of outcomes


class SeedOptions(MethodOptions):
    seed: int = 0


class RandomMethod(RoutingMethod):
    """Independent uniform scores, so the argmax is a uniform choice among the supported candidates."""

    name = "random"
    kind = "reference"
    Options = SeedOptions
    options: SeedOptions

    def _score(self, instructions: Sequence[str], cards: Sequence[CapabilityCard]) -> np.ndarray:
        return np.random.default_rng(self.options.seed).random((len(instructions), len(cards)))


class BestSingleMethod(RoutingMethod):
    """Always the candidate whose capability card has the highest mean aptitude accuracy."""

    name = "best-single"
    kind = "reference"

    def _score(self, instructions: Sequence[str], cards: Sequence[CapabilityCard]) -> np.ndarray:
        return np.tile([card.mean_accuracy for card in cards], (len(instructions), 1))


class OracleMethod(RoutingMethod):
    """Reads the true outcomes it is shown: an upper bound, never a deployable method.

    Instructions are matched by text; the few questions that share a text get the mean of
    their outcomes. Ties go to the cheaper candidate, so the oracle's choices and cost are those
    of the cheapest model that would answer correctly.
    """

    name = "oracle"
    kind = "upper bound"

    def __init__(self, options: MethodOptions | None = None) -> None:
        super().__init__(options)
        self._truth: dict[str, dict[str, float]] = {}

    def reveal(self, outcomes: OutcomeMatrix) -> None:
        sums: dict[str, dict[str, list[float]]] = {}
        for i, ins in enumerate(outcomes.instructions):
            cells = sums.setdefault(ins.routing_text, {})
            for j in np.flatnonzero(outcomes.observed[i]):
                cells.setdefault(outcomes.models[j], []).append(float(outcomes.scores[i, j]))
        self._truth = {text: {m: float(np.mean(v)) for m, v in cells.items()} for text, cells in sums.items()}

    def _score(self, instructions: Sequence[str], cards: Sequence[CapabilityCard]) -> np.ndarray:
        unknown = [text[:60] for text in instructions if text not in self._truth]
        if unknown:
            raise ValueError(
                f"the oracle was not shown the outcomes of {len(unknown)} instructions, e.g. {unknown[0]!r}"
            )
        # a missing cell scores -1: below any outcome, above the -inf of unsupported candidates
        truth = np.array([[self._truth[text].get(c.model, -1.0) for c in cards] for text in instructions])
        return truth - _TIE_BREAK * np.array([c.price or 0.0 for c in cards])
