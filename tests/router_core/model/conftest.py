"""A tiny router saved as a checkpoint, for the tests that load one."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from router_core.model.checkpoint import save_checkpoint
from router_core.model.config import NetworkConfig
from router_core.model.network import ModelSATModel


@pytest.fixture
def saved(tiny_config: NetworkConfig, tmp_path: Path) -> tuple[ModelSATModel, Path]:
    torch.manual_seed(0)
    model = ModelSATModel.build(tiny_config, device="cpu")
    with torch.no_grad():  # make the adapter non-trivial (LoRA B starts at zero)
        for param in model.parameters():
            if param.requires_grad:
                param.add_(torch.randn_like(param) * 0.05)
    return model, save_checkpoint(model, tmp_path / "ckpt", {"note": "test"})
