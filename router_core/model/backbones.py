"""Load the router's backbones from local weights: the causal LM (optionally truncated) and the encoder.

`trust_remote_code` is always passed as an explicit bool that the caller decided: a folder whose
config.json has an `auto_map` would otherwise run its own Python files on load.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn
from transformers import AutoModel, AutoModelForCausalLM, AutoTokenizer, PreTrainedTokenizerBase

from router_core.errors import ConfigError
from router_core.model.config import RouterConfig
from router_core.weights import resolve_backbone


def load_llm(
    config: RouterConfig, dtype: torch.dtype, *, trust_remote_code: bool = False
) -> tuple[nn.Module, PreTrainedTokenizerBase]:
    """The causal LM with only its first `llm_layers` decoder layers, and its tokenizer."""
    path = resolve_backbone(config.llm)
    with _refusing_remote_code(config.llm, path):
        tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=trust_remote_code)
        llm = AutoModelForCausalLM.from_pretrained(path, dtype=dtype, trust_remote_code=trust_remote_code)
    layers = llm.get_decoder().layers
    if config.llm_layers is not None:
        if config.llm_layers > len(layers):
            raise ConfigError(f"llm_layers={config.llm_layers} but {config.llm} has {len(layers)} layers")
        llm.get_decoder().layers = layers[: config.llm_layers]
        llm.config.num_hidden_layers = config.llm_layers
        if getattr(llm.config, "layer_types", None):
            llm.config.layer_types = llm.config.layer_types[: config.llm_layers]
    return llm, tokenizer


def load_encoder(
    config: RouterConfig, dtype: torch.dtype, *, trust_remote_code: bool = False
) -> tuple[nn.Module, PreTrainedTokenizerBase]:
    if config.encoder is None:
        raise ConfigError("the text-only variant has no capability encoder")
    path = resolve_backbone(config.encoder)
    with _refusing_remote_code(config.encoder, path):
        tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=trust_remote_code)
        encoder = AutoModel.from_pretrained(path, dtype=dtype, trust_remote_code=trust_remote_code)
    return encoder, tokenizer


@contextmanager
def _refusing_remote_code(name: str, path: str) -> Iterator[None]:
    """transformers' refusal to run a backbone's custom code (a ValueError) as a ConfigError that
    names the backbone, so the CLI prints one line instead of a traceback."""
    try:
        yield
    except ValueError as exc:
        if "trust_remote_code" not in str(exc):
            raise
        raise ConfigError(
            f"backbone {name} ({path}) holds custom code (config.json auto_map) that loading it would "
            "run; refused: remote code runs only when the caller allows it (--trust-remote-code, "
            "allow_remote_code=True) and the router config asks for it (trust_remote_code: true)"
        ) from exc


def token_id(tokenizer: PreTrainedTokenizerBase, text: str) -> int:
    """The single token that spells `text` (e.g. ' Yes'); the score is read from its logit."""
    ids = tokenizer(text, add_special_tokens=False).input_ids
    if len(ids) != 1:
        raise ConfigError(
            f"{text!r} is {len(ids)} tokens for this tokenizer; the answer tokens must be single"
        )
    return ids[0]
