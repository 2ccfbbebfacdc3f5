from __future__ import annotations

import torch

from router_core.model.adapters import AdapterSwitch
from router_core.model.config import NetworkConfig
from router_core.model.network import ModelSATModel


def test_the_adapter_is_off_inside_the_block_and_as_it_was_after(tiny_config: NetworkConfig) -> None:
    torch.manual_seed(0)
    switch = AdapterSwitch(ModelSATModel.build(tiny_config, device="cpu").llm)
    assert switch.layers and not any(layer.disable_adapters for layer in switch.layers)
    switch.layers[0].enable_adapters(False)  # one layer was already off
    with switch.off():
        assert all(layer.disable_adapters for layer in switch.layers)
    assert switch.layers[0].disable_adapters
    assert not any(layer.disable_adapters for layer in switch.layers[1:])
