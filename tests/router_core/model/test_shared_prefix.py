from __future__ import annotations

import pytest
import torch
from torch import nn

from router_core.errors import ConfigError
from router_core.model.shared_prefix import SharedPrefix, shared_prefix_attention


def copied_prefix_attention(q, k, v, prefix, prefix_mask, suffix_mask, per_prefix):
    """Reference: every suffix gets its own copy of its prefix's keys/values, one masked SDPA."""
    pk, pv = (t.repeat_interleave(per_prefix, 0) for t in prefix)
    group = q.shape[1] // k.shape[1]
    keys = torch.cat([pk, k], 2).repeat_interleave(group, 1)
    values = torch.cat([pv, v], 2).repeat_interleave(group, 1)
    s = q.shape[2]
    own = torch.ones(s, s, dtype=torch.bool).tril()[None] & suffix_mask.bool()[:, None, :]
    seen = prefix_mask.bool().repeat_interleave(per_prefix, 0)[:, None, :].expand(-1, s, -1)
    allowed = torch.cat([seen, own], -1)[:, None]
    return nn.functional.scaled_dot_product_attention(q, keys, values, attn_mask=allowed).transpose(1, 2)


@pytest.mark.parametrize(("n", "m"), [(1, 1), (1, 5), (3, 4)])
def test_attention_over_a_shared_prefix_equals_attention_over_copies(n: int, m: int) -> None:
    torch.manual_seed(0)
    heads, kv_heads, d, prefix_len, s = 6, 2, 8, 9, 4
    layer = nn.Module()
    layer.layer_idx, layer.training = 0, False
    prefix = (torch.randn(n, kv_heads, prefix_len, d), torch.randn(n, kv_heads, prefix_len, d))
    prefix_mask = torch.ones(n, prefix_len, dtype=torch.long)
    prefix_mask[0, :3] = 0  # a left-padded prefix
    suffix_mask = torch.ones(n * m, s, dtype=torch.long)
    suffix_mask[-1, :2] = 0  # a left-padded suffix
    q = torch.randn(n * m, heads, s, d)
    k, v = torch.randn(n * m, kv_heads, s, d), torch.randn(n * m, kv_heads, s, d)
    shared = SharedPrefix([prefix], prefix_mask, suffix_mask, m)

    out, _ = shared_prefix_attention(layer, q, k, v, None, scaling=d**-0.5, shared_prefix=shared)

    expected = copied_prefix_attention(q, k, v, prefix, prefix_mask, suffix_mask, m)
    assert out.shape == (n * m, s, heads, d)
    real = suffix_mask.bool()  # padded query rows are never read
    torch.testing.assert_close(out[real], expected[real], atol=1e-5, rtol=1e-5)


def test_without_a_shared_prefix_it_is_sdpa() -> None:
    torch.manual_seed(0)
    layer = nn.Module()
    layer.training, layer.num_key_value_groups, layer.is_causal = False, 1, True
    q, k, v = (torch.randn(2, 3, 5, 4) for _ in range(3))
    out, _ = shared_prefix_attention(layer, q, k, v, None, scaling=0.5)
    expected = nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.5)
    torch.testing.assert_close(out, expected.transpose(1, 2))


def test_an_attention_variant_it_does_not_compute_is_an_error_not_a_wrong_score() -> None:
    layer = nn.Module()
    layer.layer_idx, layer.training = 0, False
    q, k, v = torch.randn(2, 2, 3, 4), torch.randn(2, 1, 3, 4), torch.randn(2, 1, 3, 4)
    prefix = (torch.randn(1, 1, 5, 4), torch.randn(1, 1, 5, 4))
    shared = SharedPrefix([prefix], torch.ones(1, 5), torch.ones(2, 3), 2)
    with pytest.raises(ConfigError, match="sliding_window"):
        shared_prefix_attention(layer, q, k, v, None, shared_prefix=shared, sliding_window=4)


def test_an_llm_without_attention_functions_is_a_config_error(tiny_config, monkeypatch) -> None:
    from transformers import LlamaForCausalLM

    from router_core.model.network import ModelSATModel

    def refuse(self, implementation):
        raise ValueError("does not follow the functional approach based on AttentionInterface")

    monkeypatch.setattr(LlamaForCausalLM, "set_attn_implementation", refuse)
    with pytest.raises(ConfigError, match="capability-first"):
        ModelSATModel.build(tiny_config, device="cpu")
    capability_first = tiny_config.model_copy(update={"layout": "capability-first", "frozen_prefix": False})
    assert ModelSATModel.build(capability_first, device="cpu").config.layout == "capability-first"
