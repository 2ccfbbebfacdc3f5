"""Load a router to score with: the one path the engine and the benchmark router share."""

from __future__ import annotations

from typing import Any

from router_core.model.checkpoint import load_checkpoint
from router_core.model.config import ScorerSettings
from router_core.model.network import ModelSATModel
from router_core.model.precision import apply_precision


def load_for_inference(settings: ScorerSettings | None = None, /, **fields: Any) -> ModelSATModel:
    """The settings' checkpoint in eval mode, in their precision, reading at most
    `instruction_tokens` tokens of each instruction (None: the checkpoint's window);
    `allow_remote_code` as in `load_checkpoint`. `fields` build the settings when none are given
    (`load_for_inference(checkpoint=folder, device="cpu")`)."""
    s = settings if settings is not None else ScorerSettings(**fields)
    model = load_checkpoint(s.checkpoint, device=s.device, allow_remote_code=s.allow_remote_code).eval()
    if s.instruction_tokens is not None:
        model.set_instruction_tokens(s.instruction_tokens)
    return apply_precision(model, s.precision)
