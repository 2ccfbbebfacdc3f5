"""Matrix-factorisation method (RouteLLM / EmbedLLM style): learned model vectors x projected instructions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch
from pydantic import Field
from torch import nn

from router_core.methods.base import MethodOptions
from router_core.methods.learned import PerModelMethod


class MFOptions(MethodOptions):
    dim: int = Field(default=16, ge=1, description="Width of the shared model/instruction space.")
    epochs: int = Field(default=150, ge=1, description="Full-batch Adam steps.")
    lr: float = Field(default=1e-2, gt=0)
    weight_decay: float = Field(default=1e-4, ge=0)
    seed: int = 0


class _Factorisation(nn.Module):
    def __init__(self, in_dim: int, n_models: int, dim: int) -> None:
        super().__init__()
        self.project = nn.Linear(in_dim, dim)
        self.models = nn.Embedding(n_models, dim)
        self.bias = nn.Parameter(torch.zeros(n_models))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.project(x) @ self.models.weight.T + self.bias


@contextmanager
def _one_thread() -> Iterator[None]:
    """The factorisation is too small to gain from intra-op threads; on a busy CPU they slow it down 5x."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


class MatrixFactorizationMethod(PerModelMethod):
    """Logit(model m answers x) = <W e_x, v_m> + b_m, fit by masked binary cross-entropy on observed cells.

    A model's vector v_m exists only if m has outcomes, so unseen models cannot be routed to.
    """

    name = "matrix-factorization"
    Options = MFOptions
    options: MFOptions

    def _fit(self, x: np.ndarray, scores: np.ndarray, observed: np.ndarray) -> None:
        torch.manual_seed(self.options.seed)
        self._net = _Factorisation(x.shape[1], scores.shape[1], self.options.dim)
        inputs, targets = torch.from_numpy(x), torch.from_numpy(scores.astype(np.float32))
        mask = torch.from_numpy(observed.astype(np.float32))
        optimiser = torch.optim.Adam(
            self._net.parameters(), lr=self.options.lr, weight_decay=self.options.weight_decay
        )
        loss_fn = nn.BCEWithLogitsLoss(reduction="none")
        self._net.train()
        with _one_thread():
            for _ in range(self.options.epochs):
                optimiser.zero_grad()
                loss = (loss_fn(self._net(inputs), targets) * mask).sum() / mask.sum().clamp(min=1)
                loss.backward()
                optimiser.step()
        self._net.eval()

    def _predict(self, x: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            inputs = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
            return torch.sigmoid(self._net(inputs)).numpy()
