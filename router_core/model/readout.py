"""Run the last decoder layer's MLP for the read-out position only.

The router reads one hidden state per sequence: the last position's, for the Yes/No logits. The
instruction prefix is read only for its key/value cache, which the last layer fills before its
MLP. So the last layer's MLP (about three quarters of a layer's weights) is only needed at the
last position: a forward pre-hook hands it that position alone, and the residual add broadcasts
its output back. The last position's hidden state is unchanged; the others are left meaningless
after the last layer, which is why nothing in the router may read them.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.hooks import RemovableHandle

from router_core.model.backbones import PretrainedModule


def _last_position(_module: nn.Module, args: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, ...]:
    return (args[0][:, -1:], *args[1:])


def read_out_last_position_only(llm: PretrainedModule) -> RemovableHandle | None:
    """Hook the last decoder layer's MLP of a causal LM; None when the layer has no `mlp` (then
    every position runs it, with the same result)."""
    layers = getattr(llm.get_decoder(), "layers", None)
    mlp = getattr(layers[-1], "mlp", None) if layers else None
    if not isinstance(mlp, nn.Module):
        return None
    return mlp.register_forward_pre_hook(_last_position)
