"""Calibration of Pr(Yes): a Platt map on the Yes-minus-No logit, stored in the router's config.

The router's raw score is trained for ranking (group cross-entropy) more than for calibration, so
its Pr(Yes) can sit far from the rate at which candidates actually succeed. `Calibration` maps
the logit z to `scale * z + bias` before the sigmoid; it is fitted on validation questions by
`router_core.training.calibration.fit_calibration` (`modelsat calibrate`).

Why Platt scaling (temperature plus a bias) rather than isotonic regression:

- it is a strictly increasing map of the logit (`scale > 0`), so the order of the candidates for
  an instruction is unchanged: the best-scored candidate stays the best one, and only the
  policies that read Pr(Yes) as a probability (threshold, cost-aware) see different numbers;
- two parameters cannot overfit the few hundred validation pairs a source may have, where an
  isotonic fit is a step function with as many steps as the data allows, and ties candidates
  that fall on one step (which changes the ranking);
- it extends smoothly beyond the range of logits seen in validation.

`pr_yes` is the one place a calibration is applied; `ModelSATScorer.score` reads through it.
This module needs numpy and pydantic only: it applies to numpy arrays and torch tensors alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:  # torch is not imported to read a calibration
    import torch

Logits = TypeVar("Logits", float, np.ndarray, "torch.Tensor")


class Calibration(BaseModel):
    """Pr(Yes) = sigmoid(scale * (Yes-minus-No logit) + bias)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scale: float = Field(gt=0, allow_inf_nan=False, description="Inverse temperature; > 0 keeps the order")
    bias: float = Field(default=0.0, allow_inf_nan=False, description="Shift of the logit")

    def apply(self, logits: Logits) -> Logits:
        """The calibrated logit of a numpy array, a torch tensor or a float (same type back)."""
        return logits * self.scale + self.bias


def sigmoid(values: Any) -> Any:
    """The logistic function of a torch tensor (as torch) or of anything numpy reads (as numpy);
    tanh form, so large logits neither overflow nor warn."""
    if hasattr(values, "sigmoid") and not isinstance(values, np.ndarray):
        return values.sigmoid()  # a torch tensor
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(values, dtype=np.float64)))


def pr_yes(logits: Logits, calibration: Calibration | None) -> Logits:
    """Pr(Yes) from Yes-minus-No logits, through `calibration` when there is one."""
    return sigmoid(logits if calibration is None else calibration.apply(logits))
