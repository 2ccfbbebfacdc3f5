"""The Model-SAT router in the benchmark: scores are Pr(Yes) from a trained checkpoint.

It needs no outcomes at evaluation time; a model enters only through its card, so it can route
to models it never trained on.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import Field

from router_core.cards.card import CapabilityCard
from router_core.routers.base import Router, RouterOptions


class ModelSATOptions(RouterOptions):
    checkpoint: str | None = Field(
        default=None, description="Checkpoint folder (default: the shipped router)"
    )
    perturbations: int = Field(default=0, ge=0, description="Average over this many shuffled task orders")
    batch_size: int = Field(default=16, ge=1)
    device: str | None = None


class ModelSATRouter(Router):
    name = "modelsat"
    kind = "learned"
    Options = ModelSATOptions

    def __init__(self, options: ModelSATOptions | None = None) -> None:
        super().__init__(options)
        from router_core.model.checkpoint import load_checkpoint
        from router_core.model.inference import ModelSATScorer

        model = load_checkpoint(self.options.checkpoint, device=self.options.device)
        self.scorer = ModelSATScorer(
            model, perturbations=self.options.perturbations, batch_size=self.options.batch_size
        )

    def _score(self, instructions: Sequence[str], cards: Sequence[CapabilityCard]) -> np.ndarray:
        return self.scorer.score(list(instructions), list(cards))
