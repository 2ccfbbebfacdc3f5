"""Load a router to score with: the one path the engine and the benchmark router share."""

from __future__ import annotations

from pathlib import Path

import torch

from router_core.model.checkpoint import load_checkpoint
from router_core.model.config import Precision
from router_core.model.network import ModelSATModel
from router_core.model.precision import apply_precision


def load_for_inference(
    checkpoint: str | Path | None = None,
    device: str | torch.device | None = None,
    precision: Precision = "auto",
    instruction_tokens: int | None = None,
    allow_remote_code: bool = False,
) -> ModelSATModel:
    """A checkpoint in eval mode, in `precision`, reading at most `instruction_tokens` tokens of each
    instruction (None: the checkpoint's window); `allow_remote_code` as in `load_checkpoint`."""
    model = load_checkpoint(checkpoint, device=device, allow_remote_code=allow_remote_code).eval()
    if instruction_tokens is not None:
        model.set_instruction_window(instruction_tokens)
    return apply_precision(model, precision)
