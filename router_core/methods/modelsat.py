"""The Model-SAT method in the evaluation: scores are Pr(Yes) from a trained checkpoint.

It needs no outcomes at evaluation time; a model enters only through its card, so it can route
to models it never trained on.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import Field

from router_core.cards.card import CapabilityCard
from router_core.methods.base import MethodOptions, RoutingMethod
from router_core.model.config import ScorerSettings


class ModelSATOptions(ScorerSettings, MethodOptions):
    """The engine's scorer settings, and how many instructions one forward pass scores."""

    batch_size: int = Field(default=16, ge=1)


class ModelSATMethod(RoutingMethod):
    name = "modelsat"
    kind = "learned"
    Options = ModelSATOptions
    options: ModelSATOptions

    def __init__(self, options: ModelSATOptions | None = None) -> None:
        super().__init__(options)
        from router_core.model.inference import ModelSATScorer
        from router_core.model.serving import load_for_inference

        o = self.options
        self.scorer = ModelSATScorer(
            load_for_inference(o), perturbations=o.perturbations, batch_size=o.batch_size
        )

        self._memo: dict[tuple[str, str], float] = {}

    def _score(self, instructions: Sequence[str], cards: Sequence[CapabilityCard]) -> np.ndarray:
        """Pr(Yes) per pair is independent of the zoo, so pairs scored for one zoo are reused by
        the next (evaluate the largest zoo first)."""
        keys = [card.fingerprint for card in cards]
        todo = list(dict.fromkeys(t for t in instructions if any((t, k) not in self._memo for k in keys)))
        if todo:
            scores = self.scorer.score(todo, list(cards))
            for text, row in zip(todo, scores, strict=True):
                self._memo.update({(text, k): float(p) for k, p in zip(keys, row, strict=True)})
        return np.array([[self._memo[(t, k)] for k in keys] for t in instructions]).reshape(
            len(instructions), len(keys)
        )
