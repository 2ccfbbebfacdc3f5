from __future__ import annotations

import pytest
import torch

from router_core.model.config import NetworkConfig
from router_core.model.network import ModelSATModel
from router_core.model.readout import read_out_last_position_only
from tests.router_core.model.test_network import INSTRUCTIONS


def last_mlp(model: ModelSATModel) -> torch.nn.Module:
    return model.llm.get_decoder().layers[-1].mlp


@pytest.mark.parametrize("layout", ["instruction-first", "capability-first"])
def test_scores_are_those_of_the_full_last_layer(tiny_config: NetworkConfig, cards, layout) -> None:
    torch.manual_seed(0)
    config = tiny_config.model_copy(update={"layout": layout, "frozen_prefix": layout == "instruction-first"})
    model = ModelSATModel.build(config, device="cpu").eval()
    states = [model.card_state(card) for card in cards]
    rows: list[int] = []
    last_mlp(model).register_forward_hook(lambda _m, args, _out: rows.append(args[0].shape[1]))
    with torch.no_grad():
        fast = model.score_logits(INSTRUCTIONS, states)
        assert rows and set(rows) == {1}  # every pass ran the last MLP on one position per sequence
        last_mlp(model)._forward_pre_hooks.clear()
        full = model.score_logits(INSTRUCTIONS, states)
    torch.testing.assert_close(fast, full, atol=1e-5, rtol=1e-5)


def test_a_decoder_without_an_mlp_is_left_alone() -> None:
    class Layer(torch.nn.Module):
        pass

    class Decoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = torch.nn.ModuleList([Layer()])

    class LM(torch.nn.Module):
        def get_decoder(self) -> torch.nn.Module:
            return Decoder()

    assert read_out_last_position_only(LM()) is None
