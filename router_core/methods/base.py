"""The interface every method implements, the Model-SAT method included.

A method scores each (instruction, candidate card) pair; higher is better and the routing
choice is the argmax, unless a policy (e.g. a price penalty) says otherwise. Methods that
learn one output per training model cannot score a model they never saw: they say so through
`supports`, and `score` gives such candidates -inf so an argmax never picks them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

import numpy as np
from pydantic import BaseModel, ConfigDict

from router_core.cards.card import CapabilityCard
from router_core.data.outcomes import OutcomeMatrix
from router_core.methods.embeddings import Embedder

MethodKind = Literal["reference", "upper bound", "learned"]


class MethodOptions(BaseModel):
    """Options of a method, validated from `make_method(name, **options)`; unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class RoutingMethod(ABC):
    """Scores candidates for instructions: `fit` once on training outcomes, then `score` many times."""

    name: ClassVar[str]
    kind: ClassVar[MethodKind] = "learned"
    needs_training: ClassVar[bool] = False
    Options: ClassVar[type[MethodOptions]] = MethodOptions

    def __init__(self, options: MethodOptions | None = None) -> None:
        self.options = options if options is not None else self.Options()

    @classmethod
    def from_options(cls, options: Mapping[str, Any], *, embedder: Embedder | None = None) -> RoutingMethod:
        """Builds the method from raw options (validated here); methods that read embeddings override it."""
        return cls(cls.Options.model_validate(dict(options)))

    def fit(self, train: OutcomeMatrix, cards: Mapping[str, CapabilityCard]) -> None:  # noqa: B027
        """Learns from the training models' outcomes on training questions; reference methods need not."""

    def supports(self, card: CapabilityCard) -> bool:
        """Whether the method can score this candidate at all (per-model learners know only their models)."""
        return True

    def score(self, instructions: Sequence[str], cards: Sequence[CapabilityCard]) -> np.ndarray:
        """Scores of shape (len(instructions), len(cards)); -inf for the candidates it does not support."""
        supported = np.array([self.supports(card) for card in cards], dtype=bool)
        out = np.full((len(instructions), len(cards)), -np.inf)
        if len(instructions) and supported.any():
            known = [card for card, ok in zip(cards, supported, strict=True) if ok]
            scores = np.asarray(self._score(instructions, known), dtype=float)
            if scores.shape != (len(instructions), int(supported.sum())) or np.isnan(scores).any():
                raise ValueError(f"method {self.name!r} returned scores of shape {scores.shape} or NaN")
            out[:, supported] = scores
        return out

    @abstractmethod
    def _score(self, instructions: Sequence[str], cards: Sequence[CapabilityCard]) -> np.ndarray:
        """Finite scores for supported candidates only."""


@runtime_checkable
class OutcomeAware(Protocol):
    """A method that must be shown the true outcomes of the evaluated questions (the oracle)."""

    def reveal(self, outcomes: OutcomeMatrix) -> None: ...
