from __future__ import annotations

import numpy as np
import pytest
import torch

from router_core.model.inference import ModelSATScorer
from router_core.model.network import ModelSATModel
from router_core.model.precision import apply_precision, resolve_precision

CPU, CUDA = torch.device("cpu"), torch.device("cuda")


@pytest.mark.parametrize(
    ("asked", "device", "resolved"),
    [
        ("auto", CPU, "fp32"),
        ("auto", CUDA, "bf16"),
        ("auto", torch.device("mps"), "fp32"),
        ("bf16", CPU, "bf16"),
        ("fp32", CUDA, "fp32"),
        ("int8", CPU, "int8"),
    ],
)
def test_auto_is_the_format_validated_on_each_device(asked, device, resolved):
    assert resolve_precision(asked, device) == resolved


def test_bf16_converts_every_part_and_scores_close_to_fp32(tiny_config, cards) -> None:
    torch.manual_seed(0)
    model = ModelSATModel.build(tiny_config, device="cpu").eval()
    texts = ["Solve x^2 = 4 for x.", "Is this contract binding?"]
    fp32 = ModelSATScorer(model).score(texts, cards)
    apply_precision(model, "bf16")
    assert {p.dtype for p in model.parameters()} == {torch.bfloat16}
    bf16 = ModelSATScorer(model).score(texts, cards)
    assert bf16.dtype == np.float32 and bf16.shape == fp32.shape
    assert not (bf16 == fp32).all() and abs(bf16 - fp32).max() < 0.05


def test_int8_goes_through_quantization(tiny_config) -> None:
    model = apply_precision(ModelSATModel.build(tiny_config, device="cpu").eval(), "int8")
    assert any(isinstance(m, torch.ao.nn.quantized.dynamic.Linear) for m in model.modules())
