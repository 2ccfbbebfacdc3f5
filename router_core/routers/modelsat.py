"""The Model-SAT router in the benchmark: scores are Pr(Yes) from a trained checkpoint.

It needs no outcomes at evaluation time; a model enters only through its card, so it can route
to models it never trained on.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import Field

from router_core.cards.card import CapabilityCard
from router_core.model.config import Precision
from router_core.routers.base import Router, RouterOptions


class ModelSATOptions(RouterOptions):
    checkpoint: str | None = Field(
        default=None, description="Checkpoint folder (default: the shipped router)"
    )
    perturbations: int = Field(default=0, ge=0, description="Average over this many shuffled task orders")
    batch_size: int = Field(default=16, ge=1)
    device: str | None = None
    precision: Precision = Field(
        default="auto", description="auto (bf16 on CUDA, else fp32), fp32, bf16 or int8 (CPU)"
    )
    instruction_tokens: int | None = Field(
        default=None, ge=8, description="Instruction tokens read (None: the checkpoint's window)"
    )
    allow_remote_code: bool = Field(
        default=False, description="Let a checkpoint that asks for trust_remote_code run backbone code"
    )


class ModelSATBenchmarkRouter(Router):
    name = "modelsat"
    kind = "learned"
    Options = ModelSATOptions
    options: ModelSATOptions

    def __init__(self, options: ModelSATOptions | None = None) -> None:
        super().__init__(options)
        from router_core.model.inference import ModelSATScorer
        from router_core.model.serving import load_for_inference

        o = self.options
        model = load_for_inference(
            o.checkpoint, o.device, o.precision, o.instruction_tokens, allow_remote_code=o.allow_remote_code
        )
        self.scorer = ModelSATScorer(
            model, perturbations=self.options.perturbations, batch_size=self.options.batch_size
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
