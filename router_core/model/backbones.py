"""Load the router's backbones from local weights: the causal LM (optionally truncated) and the encoder.

`trust_remote_code` is always passed as an explicit bool that the caller decided: a folder whose
config.json has an `auto_map` would otherwise run its own Python files on load. Weights load from
safetensors only (`use_safetensors=True`): a backbone folder holding nothing but pickle-based
weights (which unpickling could run code from) is refused with a `CheckpointError` naming the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModel, AutoModelForCausalLM, AutoTokenizer, PreTrainedTokenizerBase

from router_core.errors import CheckpointError, ConfigError
from router_core.model.config import NetworkConfig
from router_core.model.weights import resolve_backbone

PretrainedModule = Any
"""A transformers model, bare or wrapped by peft. torch types every attribute of a module as
`Tensor | Module`, which hides the transformers methods (`get_decoder`, `get_input_embeddings`,
`save_pretrained`...) from a type checker, so such a model is held untyped."""

PICKLE_SUFFIXES = {".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt"}
"""Suffixes of pickle-based weight files, refused in checkpoints and backbone folders."""


def load_llm(
    config: NetworkConfig, dtype: torch.dtype, *, trust_remote_code: bool = False
) -> tuple[PretrainedModule, PreTrainedTokenizerBase]:
    """The causal LM with only its first `llm_layers` decoder layers, and its tokenizer."""
    path = resolve_backbone(config.llm)
    _refuse_pickled_weights("llm", config.llm, path)
    with _refusing_remote_code(config.llm, path):
        tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=trust_remote_code)
        llm = AutoModelForCausalLM.from_pretrained(
            path, dtype=dtype, trust_remote_code=trust_remote_code, use_safetensors=True
        )
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
    config: NetworkConfig, dtype: torch.dtype, *, trust_remote_code: bool = False
) -> tuple[PretrainedModule, PreTrainedTokenizerBase]:
    if config.encoder is None:
        raise ConfigError("the text-only variant has no capability encoder")
    path = resolve_backbone(config.encoder)
    _refuse_pickled_weights("encoder", config.encoder, path)
    with _refusing_remote_code(config.encoder, path):
        tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=trust_remote_code)
        encoder = AutoModel.from_pretrained(
            path, dtype=dtype, trust_remote_code=trust_remote_code, use_safetensors=True
        )
    return encoder, tokenizer


def _refuse_pickled_weights(role: str, name: str, path: str) -> None:
    """A local backbone folder whose weights are pickle-based only: refused, naming the file (the
    checkpoint's manifest does not cover a folder outside it). Beside safetensors weights, pickle
    files are left unread (`use_safetensors=True`)."""
    folder = Path(path)
    if not folder.is_dir() or any(folder.glob("*.safetensors")):
        return
    pickled = sorted(p for p in folder.rglob("*") if p.suffix in PICKLE_SUFFIXES)
    if pickled:
        raise CheckpointError(
            f"{pickled[0]}: the {role} backbone {name!r} holds pickle-based weights (loading them "
            "could run code); refused: backbones must hold safetensors weights"
        )


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
