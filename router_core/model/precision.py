"""The number format a loaded router runs in: fp32, bf16 or int8 (`EngineConfig.precision`).

"auto" is the format the router was validated in on each device: bf16 on CUDA, fp32 elsewhere.
On a CPU with AMX tiles (Intel Sapphire Rapids and later) bf16 matrix products run about 5x
faster than fp32 through oneDNN, so `precision="bf16"` is the fast CPU path (41 ms instead of
68 ms per call over 10 candidates here); it moved validation accuracy by -0.35 / +0.23 points on
the small / mixed zoos, just over the 0.3-point bar for a default. int8
(`router_core.model.quantize`) is the other CPU opt-in. Figures in docs/benchmarks.md.
"""

from __future__ import annotations

from typing import Literal

import torch

from router_core.model.config import Precision
from router_core.model.network import ModelSATModel

DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16}


def resolve_precision(precision: Precision, device: torch.device) -> Literal["fp32", "bf16", "int8"]:
    """The concrete format "auto" means on `device`."""
    if precision != "auto":
        return precision
    return "bf16" if device.type == "cuda" else "fp32"


def apply_precision(model: ModelSATModel, precision: Precision) -> ModelSATModel:
    """Convert a loaded router (in eval mode) to `precision`, in place."""
    resolved = resolve_precision(precision, model.device)
    if resolved == "int8":
        from router_core.model.quantize import quantize_int8

        return quantize_int8(model.to(torch.float32))
    return model.to(DTYPES[resolved])
