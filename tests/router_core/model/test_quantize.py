from __future__ import annotations

import pytest
import torch

from router_core.errors import ConfigError
from router_core.model.inference import ModelSATScorer
from router_core.model.network import ModelSATModel
from router_core.model.quantize import frozen_linear_layers, quantize_int8


def test_int8_quantizes_only_the_llms_frozen_layers_and_scores_close_to_fp32(tiny_config, cards) -> None:
    torch.manual_seed(0)
    model = ModelSATModel.build(tiny_config, device="cpu").eval()
    texts = ["Solve x^2 = 4 for x.", "Is this contract binding?"]
    fp32 = ModelSATScorer(model).score(texts, cards)
    layers = frozen_linear_layers(model)
    assert layers and all(name.startswith("llm.") and "lora_" not in name for name in layers)
    quantize_int8(model)
    modules = dict(model.named_modules())
    assert all(type(modules[name]) is torch.ao.nn.quantized.dynamic.Linear for name in layers)
    assert not frozen_linear_layers(model)
    assert any(type(m) is torch.nn.Linear for m in model.capability.encoder.modules())  # psi: fp32
    int8 = ModelSATScorer(model).score(texts, cards)
    assert int8.shape == fp32.shape and not (int8 == fp32).all()
    assert abs(int8 - fp32).max() < 0.05


def test_int8_refuses_a_model_in_training_mode(tiny_config) -> None:
    model = ModelSATModel.build(tiny_config, device="cpu").train()
    with pytest.raises(ConfigError, match="inference"):
        quantize_int8(model)
