"""Calibration metrics of Pr(Yes) against graded outcomes (numpy only, no torch).

Targets are the outcome scores themselves, in [0, 1]: 0/1 for right or wrong, a token F1 or a
judge's preference for graded sources. A calibrated router's mean Pr(Yes) over the pairs of a bin
matches their mean score; the expected calibration error (ECE) is the pair-weighted mean gap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ReliabilityBin:
    """One equal-width bin [lower, upper) of Pr(Yes) (the last one includes 1): how many pairs
    fell in it and their mean Pr(Yes) and mean score (NaN for an empty bin)."""

    lower: float
    upper: float
    count: int
    mean_prob: float
    mean_target: float

    @property
    def gap(self) -> float:
        """|mean Pr(Yes) - mean score| (0 for an empty bin)."""
        return abs(self.mean_prob - self.mean_target) if self.count else 0.0


def _pairs(probs: object, targets: object) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(probs, dtype=np.float64).ravel()
    y = np.asarray(targets, dtype=np.float64).ravel()
    if p.shape != y.shape:
        raise ValueError(f"probabilities {p.shape} and targets {y.shape} differ in size")
    if not p.size:
        raise ValueError("no pairs to measure calibration on")
    for name, values in (("probabilities", p), ("targets", y)):
        if np.isnan(values).any() or values.min() < 0 or values.max() > 1:
            raise ValueError(f"{name} must lie in [0, 1]")
    return p, y


def reliability_bins(probs: object, targets: object, bins: int = 10) -> list[ReliabilityBin]:
    """`bins` equal-width bins of Pr(Yes) over [0, 1], empty ones included, in order."""
    if bins < 1:
        raise ValueError("bins must be at least 1")
    p, y = _pairs(probs, targets)
    index = np.minimum((p * bins).astype(int), bins - 1)
    counts = np.bincount(index, minlength=bins)
    prob_sums = np.bincount(index, weights=p, minlength=bins)
    target_sums = np.bincount(index, weights=y, minlength=bins)
    out = []
    for b in range(bins):
        n = int(counts[b])
        mean_prob, mean_target = (prob_sums[b] / n, target_sums[b] / n) if n else (np.nan, np.nan)
        out.append(ReliabilityBin(b / bins, (b + 1) / bins, n, float(mean_prob), float(mean_target)))
    return out


def expected_calibration_error(probs: object, targets: object, bins: int = 10) -> float:
    """Sum over equal-width bins of (share of pairs in the bin) x |mean Pr(Yes) - mean score|."""
    table = reliability_bins(probs, targets, bins)
    total = sum(b.count for b in table)
    return float(sum(b.count * b.gap for b in table) / total)


def ece_by_group(
    probs: object, targets: object, groups: Sequence[str], bins: int = 10, overall: str = "all"
) -> dict[str, float]:
    """ECE over all pairs (key `overall`) and over each group's pairs (groups in first-seen order)."""
    p, y = _pairs(probs, targets)
    labels = np.asarray(groups, dtype=object)
    if labels.shape != p.shape:
        raise ValueError(f"{labels.size} group labels for {p.size} pairs")
    out = {overall: expected_calibration_error(p, y, bins)}
    for name in dict.fromkeys(groups):
        mask = labels == name
        out[name] = expected_calibration_error(p[mask], y[mask], bins)
    return out
