"""Fit the calibration of Pr(Yes) (`router_core.model.calibration.Calibration`) on validation pairs.

`fit_calibration` minimises the binary cross-entropy of sigmoid(scale * z + bias) against the
graded outcomes (soft labels in [0, 1]) with L-BFGS, scale kept positive (fitted as log scale) so
the candidates' order never changes. A weak pull toward the identity map keeps the fit finite
when the validation pairs are separable. `calibration_pairs` collects the pairs: each dataset's
questions against the models that dataset measured, observed cells only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from router_core.cards.card import CapabilityCard
from router_core.data.outcomes import OutcomeMatrix
from router_core.errors import ConfigError
from router_core.evaluation.calibration import (
    ReliabilityBin,
    ece_by_group,
    expected_calibration_error,
    reliability_bins,
)
from router_core.model.calibration import Calibration
from router_core.model.inference import ModelSATScorer

__all__ = [
    "CalibrationPairs",
    "ReliabilityBin",
    "calibration_pairs",
    "ece_by_group",
    "expected_calibration_error",
    "fit_calibration",
    "reliability_bins",
]


def fit_calibration(
    logits: object, targets: object, weights: object | None = None, l2: float = 1e-4
) -> Calibration:
    """The Platt map (scale, bias) minimising the (weighted) mean BCE of sigmoid(scale * z + bias)
    against `targets` in [0, 1], plus `l2` * (log(scale)^2 + bias^2)."""
    with torch.inference_mode(False), torch.enable_grad():  # callers may score under inference_mode
        log_scale, bias = _fit(logits, targets, weights, l2)
    return Calibration(scale=float(log_scale.detach().exp()), bias=float(bias.detach()))


def _fit(
    logits: object, targets: object, weights: object | None, l2: float
) -> tuple[torch.Tensor, torch.Tensor]:
    z = torch.as_tensor(np.asarray(logits, dtype=np.float64).ravel())
    y = torch.as_tensor(np.asarray(targets, dtype=np.float64).ravel())
    w = torch.ones_like(z) if weights is None else torch.as_tensor(np.asarray(weights, np.float64).ravel())
    if not (z.shape == y.shape == w.shape):
        raise ValueError(f"logits {tuple(z.shape)}, targets {tuple(y.shape)}, weights {tuple(w.shape)}")
    if not z.numel():
        raise ValueError("no pairs to fit a calibration on")
    if not torch.isfinite(z).all():
        raise ValueError("logits must be finite")
    if torch.isnan(y).any() or y.min() < 0 or y.max() > 1:
        raise ValueError("targets must lie in [0, 1]")
    if torch.isnan(w).any() or w.min() < 0 or w.sum() <= 0:
        raise ValueError("weights must be non-negative with a positive sum")
    w = w / w.sum()
    log_scale = torch.zeros((), dtype=torch.float64, requires_grad=True)
    bias = torch.zeros((), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS(
        [log_scale, bias],
        lr=1.0,
        max_iter=500,
        tolerance_grad=1e-12,
        tolerance_change=1e-15,
        line_search_fn="strong_wolfe",
    )

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        bce = torch.nn.functional.binary_cross_entropy_with_logits(
            z * log_scale.exp() + bias, y, reduction="none"
        )
        loss = (w * bce).sum() + l2 * (log_scale**2 + bias**2)
        loss.backward()
        return loss

    optimizer.step(closure)
    return log_scale, bias


@dataclass
class CalibrationPairs:
    """Observed (instruction, model) pairs: raw logit, graded outcome, and the instruction's
    dataset and family."""

    logits: np.ndarray
    targets: np.ndarray
    datasets: list[str]
    families: list[str]
    models: list[str]

    def __len__(self) -> int:
        return len(self.logits)


def calibration_pairs(
    scorer: ModelSATScorer,
    outcomes: OutcomeMatrix,
    cards: dict[str, CapabilityCard],
    progress: bool = True,
    log: Callable[[str], None] | None = None,
) -> CalibrationPairs:
    """Score each dataset's instructions against the models it observed (and that have cards) and
    keep the observed cells. Unperturbed card order; raw logits, whatever calibration the router has."""
    logits, targets, datasets, families, models = [], [], [], [], []
    by_dataset: dict[str, list[int]] = {}
    for i, ins in enumerate(outcomes.instructions):
        by_dataset.setdefault(ins.dataset or "", []).append(i)
    for name, rows in by_dataset.items():
        observed = outcomes.observed[rows]
        cols = [j for j in np.flatnonzero(observed.any(0)) if outcomes.models[j] in cards]
        if not cols:
            continue
        texts = [outcomes.instructions[r].routing_text for r in rows]
        if log is not None:
            log(f"scoring {name or '(none)'}: {len(rows)} questions x {len(cols)} models")
        scored = scorer.logits(texts, [cards[outcomes.models[j]] for j in cols], progress=progress)
        seen = observed[:, cols]
        r, c = np.nonzero(seen)
        logits.append(scored.float().cpu().numpy()[r, c])
        targets.append(outcomes.scores[np.ix_(np.asarray(rows), np.asarray(cols))][r, c])
        datasets += [name or "(none)"] * len(r)
        families += [outcomes.instructions[rows[k]].family or "(none)" for k in r]
        models += [outcomes.models[cols[k]] for k in c]
    if not logits:
        raise ConfigError("no observed (instruction, model) pair has a model with a card")
    return CalibrationPairs(
        np.concatenate(logits).astype(np.float64),
        np.concatenate(targets).astype(np.float64),
        datasets,
        families,
        models,
    )
