from __future__ import annotations

import torch

from router_core.model.capability import AttentionPooling
from router_core.model.config import NetworkConfig
from router_core.model.network import ModelSATModel
from tests.router_core.builders import make_card


def test_precomputed_pooling_equals_the_attention_forward_pass() -> None:
    torch.manual_seed(0)
    pooling = AttentionPooling(torch.nn.Linear(6, 16), tokens=4, width=16, relevance=True, heads=4).eval()
    keys, relevance = torch.randn(9, 16), torch.rand(9)
    pre = pooling.precompute(keys)
    assert torch.allclose(pooling.pool(pre, relevance), pooling(keys, relevance), atol=1e-5)
    assert torch.allclose(pooling.pool(pre), pooling(keys), atol=1e-5)
    assert not torch.allclose(pooling.pool(pre, relevance), pooling.pool(pre), atol=1e-3)


def test_a_zoo_renders_in_one_batch_as_card_by_card(tiny_config: NetworkConfig) -> None:
    torch.manual_seed(0)
    model = ModelSATModel.build(tiny_config, device="cpu").eval()
    cards = [make_card("a", [0.9, 0.2, 0.3]), make_card("b", [0.1]), make_card("c", [0.5, 0.6], price=2.0)]
    states = [model.card_state(card).capability for card in cards]
    instruction = model.instruction_vectors(["Solve the integral of x squared."])[0]
    with torch.no_grad():
        batched = model.capability.render_many(states, instruction)
        one_by_one = [model.capability.render(state, instruction) for state in states]
    assert len({state.sentences.shape[0] for state in states}) == 3  # padding is exercised
    for got, want in zip(batched, one_by_one, strict=True):
        torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)
