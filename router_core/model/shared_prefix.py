"""Attention over one cached instruction prefix shared by every candidate's suffix.

Scoring m candidates for an instruction runs m short capability suffixes after the same prefix.
Copying the prefix's keys and values m times (and their key/value heads out to every query head)
cost more than the suffixes' own matrix work at 40 candidates. Here each suffix attends to the
prefix in place: every candidate's queries are stacked into one product with the prefix keys,
and one softmax spans the prefix and the candidate's own causal suffix. It is the same attention,
so scores match the copying path up to float rounding.

It plugs into transformers' `AttentionInterface` under `ATTENTION`: a decoder call that passes
`shared_prefix=SharedPrefix(...)` gets it, and every other call gets the usual SDPA attention.
"""

from __future__ import annotations

from typing import Any, NamedTuple, cast

import torch
from torch import nn
from transformers import AttentionInterface
from transformers.integrations.sdpa_attention import sdpa_attention_forward
from transformers.masking_utils import AttentionMaskInterface, sdpa_mask

from router_core.errors import ConfigError

ATTENTION = "modelsat-shared-prefix"
UNSUPPORTED = ("sliding_window", "softcap", "s_aux")
"""Attention variants some LLMs ask for (transformers passes them as keyword arguments) that this
function does not compute: a call that needs one fails instead of scoring wrongly."""


class SharedPrefix(NamedTuple):
    """The n prefixes' key/value states per layer, each (n, kv_heads, prefix_len, head_dim); their
    (n, prefix_len) mask; the (n * per_prefix, suffix_len) suffix mask, suffixes grouped by prefix."""

    layers: list[tuple[torch.Tensor, torch.Tensor]]
    prefix_mask: torch.Tensor
    suffix_mask: torch.Tensor
    per_prefix: int


def _bias(allowed: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    return torch.zeros(allowed.shape, dtype=dtype, device=allowed.device).masked_fill(
        ~allowed, torch.finfo(dtype).min
    )


def shared_prefix_attention(
    module: nn.Module,
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    attention_mask: torch.Tensor | None,
    scaling: float | None = None,
    dropout: float = 0.0,
    shared_prefix: SharedPrefix | None = None,
    **kwargs: Any,
) -> tuple[torch.Tensor, None]:
    """`query` (n*m, heads, s, d) and the suffix's own `key`/`value` (n*m, kv_heads, s, d); returns
    (n*m, s, heads, d) like every transformers attention function."""
    if shared_prefix is None:
        return sdpa_attention_forward(
            module, query, key, value, attention_mask, dropout=dropout, scaling=scaling, **kwargs
        )
    asked = [name for name in UNSUPPORTED if kwargs.get(name) is not None]
    if asked:
        raise ConfigError(
            f"this LLM's attention uses {', '.join(asked)}, which scoring over a shared prefix does not "
            "support; use a Llama-style LLM (the shipped SmolLM2) or layout='capability-first'"
        )
    prefix_keys, prefix_values = shared_prefix.layers[cast(int, module.layer_idx)]
    n, kv_heads, _, d = prefix_keys.shape
    m, (batch, heads, s, _) = shared_prefix.per_prefix, query.shape
    group = heads // kv_heads  # query heads per key/value head (grouped-query attention)
    scale = d**-0.5 if scaling is None else scaling
    # (n*m, heads, s, d) -> (n, kv_heads, m * group * s, d): one product per prefix and kv head
    stacked = query.reshape(n, m, kv_heads, group, s, d).permute(0, 2, 1, 3, 4, 5).reshape(n, kv_heads, -1, d)
    on_prefix = (stacked @ prefix_keys.transpose(-1, -2)) * scale
    on_prefix = on_prefix + _bias(shared_prefix.prefix_mask.bool(), on_prefix.dtype)[:, None, None, :]
    own = (query.reshape(batch, kv_heads, group * s, d) @ key.transpose(-1, -2)) * scale
    causal = torch.ones(s, s, dtype=torch.bool, device=query.device).tril()
    allowed = causal[None] & shared_prefix.suffix_mask.bool()[:, None, :]  # (n*m, s, s)
    own = own.view(batch, kv_heads, group, s, s) + _bias(allowed, own.dtype)[:, None, None]
    # both parts as (n, kv_heads, m, group, s, keys), one softmax over prefix + own keys
    on_prefix = on_prefix.view(n, kv_heads, m, group, s, -1)
    own = own.view(n, m, kv_heads, group, s, s).transpose(1, 2)
    weights = torch.softmax(torch.cat([on_prefix, own], -1), dim=-1, dtype=torch.float32).to(query.dtype)
    weights = nn.functional.dropout(weights, p=dropout, training=module.training)
    prefix_len = on_prefix.shape[-1]
    from_prefix = weights[..., :prefix_len].reshape(n, kv_heads, -1, prefix_len) @ prefix_values
    from_own = weights[..., prefix_len:].transpose(1, 2).reshape(batch, kv_heads, group * s, s) @ value
    out = from_prefix.view(n, kv_heads, m, group, s, d).transpose(1, 2).reshape(batch, kv_heads, group, s, d)
    out = out + from_own.view(batch, kv_heads, group, s, d)
    return out.reshape(batch, heads, s, d).transpose(1, 2).contiguous(), None


AttentionInterface.register(ATTENTION, shared_prefix_attention)
AttentionMaskInterface.register(ATTENTION, sdpa_mask)  # calls without a shared prefix mask as SDPA
