"""MLP method: one network from the instruction embedding to every training model's chance of success."""

from __future__ import annotations

import numpy as np
from pydantic import Field
from sklearn.neural_network import MLPRegressor

from router_core.methods.base import MethodOptions
from router_core.methods.learned import PerModelMethod, column_means


class MLPOptions(MethodOptions):
    hidden: int = Field(default=64, ge=1, description="Width of the hidden layer.")
    alpha: float = Field(default=1.0, ge=0, description="L2 penalty.")
    max_iter: int = Field(default=200, ge=1)
    seed: int = 0


class MLPMethod(PerModelMethod):
    """Multi-output regression; a missing cell gets the model's mean, pulling toward its prior."""

    name = "mlp"
    Options = MLPOptions
    options: MLPOptions

    def _fit(self, x: np.ndarray, scores: np.ndarray, observed: np.ndarray) -> None:
        targets = np.where(observed, scores, column_means(scores, observed))
        self._net = MLPRegressor(
            hidden_layer_sizes=(self.options.hidden,),
            alpha=self.options.alpha,
            max_iter=self.options.max_iter,
            early_stopping=True,
            random_state=self.options.seed,
        ).fit(x, targets)

    def _predict(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self._net.predict(x)).reshape(len(x), -1)
