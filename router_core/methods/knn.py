"""k-nearest-neighbour method: a model's score is its smoothed accuracy on the nearest training questions."""

from __future__ import annotations

import numpy as np
from pydantic import Field
from sklearn.neighbors import NearestNeighbors

from router_core.methods.base import MethodOptions
from router_core.methods.learned import PerModelMethod, column_means


class KNNOptions(MethodOptions):
    k: int = Field(default=100, ge=1, description="Neighbours per instruction.")
    prior_weight: float = Field(default=1.0, ge=0, description="Pseudo-count of the overall accuracy.")


class KNNMethod(PerModelMethod):
    """Cosine neighbours among the training questions; missing cells are skipped, the prior fills gaps."""

    name = "knn"
    Options = KNNOptions
    options: KNNOptions

    def _fit(self, x: np.ndarray, scores: np.ndarray, observed: np.ndarray) -> None:
        self._index = NearestNeighbors(
            n_neighbors=min(self.options.k, len(x)), metric="cosine", algorithm="brute"
        ).fit(x)
        self._scores, self._observed = scores * observed, observed.astype(np.float32)
        self._prior = column_means(scores, observed)

    def _predict(self, x: np.ndarray) -> np.ndarray:
        neighbours = self._index.kneighbors(x, return_distance=False)
        hits = self._scores[neighbours].sum(axis=1)
        seen = self._observed[neighbours].sum(axis=1)
        w = self.options.prior_weight
        return (hits + w * self._prior) / np.maximum(seen + w, 1e-9)
