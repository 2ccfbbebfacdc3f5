from __future__ import annotations

import torch

from router_core.model.capability import AttentionPooling


def test_precomputed_pooling_equals_the_attention_forward_pass() -> None:
    torch.manual_seed(0)
    pooling = AttentionPooling(torch.nn.Linear(6, 16), tokens=4, width=16, relevance=True, heads=4).eval()
    keys, relevance = torch.randn(9, 16), torch.rand(9)
    pre = pooling.precompute(keys)
    assert torch.allclose(pooling.pool(pre, relevance), pooling(keys, relevance), atol=1e-5)
    assert torch.allclose(pooling.pool(pre), pooling(keys), atol=1e-5)
    assert not torch.allclose(pooling.pool(pre, relevance), pooling.pool(pre), atol=1e-3)
