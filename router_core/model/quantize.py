"""Dynamic int8 quantization of the router LLM's frozen dense layers, for a fast CPU path.

On a 2-core CPU a routing call is dense fp32 matrix work, most of it in the LLM's frozen decoder
layers (the instruction prefix, and the base layers under the adapter). Those Linear layers are
quantized once at load time: weights to int8, activations quantized per forward pass with one
scale for the whole batch, so a score moves slightly with its batch-mates
(`torch.ao.quantization.quantize_dynamic`). The trained parts stay fp32: the LoRA adapter (its
A/B matrices; the frozen base layer under it is quantized), the connector, the category prior,
the output embedding the Yes/No logits are read from, and psi (MiniLM), whose instruction
encodings steer pooling through a cosine scaled by up to 20: quantizing psi too moved routing
twice as much (CHANGELOG.md, "Benchmark history", engine session 9). It changes the numerics,
so its accuracy is measured against fp32; it is a CPU path only.
"""

from __future__ import annotations

import warnings

import torch
from torch import nn

from router_core.errors import ConfigError
from router_core.model.network import ModelSATModel

KEPT_FP32 = ("lora_", "connector", "prior", "lm_head", "capability.")
"""Layers left in fp32: the trained parts, and psi (the capability encoder)."""


def frozen_linear_layers(model: ModelSATModel) -> list[str]:
    """Names of the Linear layers int8 quantizes: the LLM's frozen base layers."""
    return [
        name
        for name, module in model.named_modules()
        if type(module) is nn.Linear and not any(part in name for part in KEPT_FP32)
    ]


def quantize_int8(model: ModelSATModel) -> ModelSATModel:
    """Quantize the frozen Linear layers of an fp32 CPU router in place (inference only)."""
    if model.device.type != "cpu":
        raise ConfigError(f"int8 quantization is a CPU path; the router is on {model.device}")
    if model.training:
        raise ConfigError("int8 quantization is for inference; call model.eval() first")
    layers = frozen_linear_layers(model)
    if not layers:
        raise ConfigError("the router has no frozen Linear layers to quantize")
    spec = {name: torch.ao.quantization.default_dynamic_qconfig for name in layers}
    with warnings.catch_warnings():  # eager-mode quantization is deprecated in favour of torchao
        warnings.simplefilter("ignore")
        torch.ao.quantization.quantize_dynamic(model, spec, inplace=True)
    return model
