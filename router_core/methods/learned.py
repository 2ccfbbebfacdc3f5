"""Shared machinery of the learned baselines: embedded instructions, card features, per-model outputs."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from router_core.cards.card import CapabilityCard
from router_core.data.outcomes import OutcomeMatrix
from router_core.errors import CardError
from router_core.methods.base import MethodOptions, RoutingMethod
from router_core.methods.embeddings import Embedder, make_embedder


class EmbeddingMethod(RoutingMethod):
    """A method reading instructions as sentence embeddings (MiniLM unless an embedder is injected)."""

    needs_training = True

    def __init__(self, options: MethodOptions | None = None, *, embedder: Embedder | None = None) -> None:
        super().__init__(options)
        self._embedder = embedder

    @classmethod
    def from_options(cls, options: Mapping[str, Any], *, embedder: Embedder | None = None) -> RoutingMethod:
        return cls(cls.Options.model_validate(dict(options)), embedder=embedder)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if self._embedder is None:  # created on first use, so building a method loads nothing
            self._embedder = make_embedder()
        return self._embedder.embed(texts)

    @staticmethod
    def training_texts(train: OutcomeMatrix) -> list[str]:
        return [ins.routing_text for ins in train.instructions]

    def _require_fit(self, fitted: bool) -> None:
        if not fitted:
            raise RuntimeError(f"method {self.name!r} must be fit before it can score")


class PerModelMethod(EmbeddingMethod):
    """Learns one output per training model, so it knows nothing of a model absent from training."""

    def __init__(self, options: MethodOptions | None = None, *, embedder: Embedder | None = None) -> None:
        super().__init__(options, embedder=embedder)
        self.known_models: list[str] = []

    def fit(self, train: OutcomeMatrix, cards: Mapping[str, CapabilityCard]) -> None:
        self.known_models = list(train.models)
        self._fit(self.embed(self.training_texts(train)), train.scores, train.observed)

    def supports(self, card: CapabilityCard) -> bool:
        self._require_fit(bool(self.known_models))
        return card.model in self.known_models

    def _score(self, instructions: Sequence[str], cards: Sequence[CapabilityCard]) -> np.ndarray:
        columns = [self.known_models.index(card.model) for card in cards]
        return self._predict(self.embed(instructions))[:, columns]

    @abstractmethod
    def _fit(self, x: np.ndarray, scores: np.ndarray, observed: np.ndarray) -> None:
        """x: (n, d) embeddings; scores, observed: (n, known models); missing cells must be ignored."""

    @abstractmethod
    def _predict(self, x: np.ndarray) -> np.ndarray:
        """(n, known models) predicted outcomes."""


def column_means(scores: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Each model's mean outcome over its observed cells (0.5 for a model with none)."""
    counts = observed.sum(axis=0)
    return np.divide(
        (scores * observed).sum(axis=0), counts, out=np.full(scores.shape[1], 0.5), where=counts > 0
    )


def card_tasks(cards: Sequence[CapabilityCard]) -> list[str]:
    """The aptitude tasks every given card scores, in the first card's order."""
    if not cards:
        raise CardError("no capability cards for the training models")
    shared = set.intersection(*({s.task for s in card.scores} for card in cards))
    return [s.task for s in cards[0].scores if s.task in shared]


def card_features(cards: Sequence[CapabilityCard], tasks: Sequence[str]) -> np.ndarray:
    """(cards, tasks + 1): per-task aptitude accuracy, then the mean."""
    rows = [card.accuracy_vector(tasks) for card in cards]
    return np.array([row + [float(np.mean(row))] for row in rows], dtype=np.float32)
