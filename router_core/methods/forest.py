"""Random-forest method on (instruction embedding, capability card) pairs: the paper's strongest baseline.

Because a candidate enters only through its card's aptitude scores, the forest can score a model
it never saw in training, as Model-SAT does. The instruction embedding is reduced by PCA first, so
that the card's features are not drowned among hundreds of embedding dimensions when trees pick
the features to split on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from pydantic import Field
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestRegressor

from router_core.cards.card import CapabilityCard
from router_core.data.outcomes import OutcomeMatrix
from router_core.errors import CardError
from router_core.methods.base import MethodOptions
from router_core.methods.embeddings import Embedder
from router_core.methods.learned import EmbeddingMethod, card_features, card_tasks


class ForestOptions(MethodOptions):
    trees: int = Field(default=100, ge=1)
    components: int = Field(default=32, ge=1, description="PCA components kept of the instruction embedding.")
    min_samples_leaf: int = Field(default=10, ge=1)
    max_features: float = Field(default=0.3, gt=0, le=1, description="Share of features tried per split.")
    pairs_per_tree: int = Field(default=20000, ge=1, description="Training pairs drawn for each tree.")
    jobs: int = Field(default=-1, description="Parallel jobs (-1: all cores).")
    seed: int = 0


class RandomForestMethod(EmbeddingMethod):
    """Regresses the outcome of every observed (training question, training model) pair."""

    name = "random-forest"
    Options = ForestOptions
    options: ForestOptions

    def __init__(self, options: MethodOptions | None = None, *, embedder: Embedder | None = None) -> None:
        super().__init__(options, embedder=embedder)
        self.tasks: list[str] = []

    def fit(self, train: OutcomeMatrix, cards: Mapping[str, CapabilityCard]) -> None:
        without = [m for m in train.models if m not in cards]
        if without:
            raise CardError(f"random-forest needs a card for every training model; none for {without}")
        self.tasks = card_tasks([cards[m] for m in train.models])
        x = self.embed(self.training_texts(train))
        o = self.options
        self._pca = PCA(n_components=min(o.components, *x.shape), random_state=o.seed).fit(x)
        models = card_features([cards[m] for m in train.models], self.tasks)
        rows, cols = np.nonzero(train.observed)
        self._forest = RandomForestRegressor(
            n_estimators=o.trees,
            min_samples_leaf=o.min_samples_leaf,
            max_features=o.max_features,
            max_samples=min(1.0, o.pairs_per_tree / len(rows)),
            n_jobs=o.jobs,
            random_state=o.seed,
        ).fit(_pairs(self._pca.transform(x), models, rows, cols), train.scores[rows, cols])

    def supports(self, card: CapabilityCard) -> bool:
        self._require_fit(bool(self.tasks))
        return set(self.tasks) <= {s.task for s in card.scores}

    def _score(self, instructions: Sequence[str], cards: Sequence[CapabilityCard]) -> np.ndarray:
        x = self._pca.transform(self.embed(instructions))
        rows, cols = np.divmod(np.arange(len(instructions) * len(cards)), len(cards))
        pairs = _pairs(x, card_features(cards, self.tasks), rows, cols)
        return self._forest.predict(pairs).reshape(len(instructions), len(cards))


def _pairs(x: np.ndarray, models: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    return np.hstack([x[rows], models[cols]]).astype(np.float32)
