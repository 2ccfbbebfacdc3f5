"""Tiny randomly initialised backbones saved to local folders, so router tests run in seconds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from router_core.cards.card import CapabilityCard
from router_core.model.config import LoraSettings, NetworkConfig
from tests.router_core.builders import make_card


def smollm2_tokenizer() -> Path:
    """SmolLM2's tokenizer as a plain folder, read out of the packaged GGUF once (~5 s) and kept in
    the user cache: every later test session loads it in a fraction of a second."""
    import os

    from transformers import AutoTokenizer

    from router_core.model.weights import SMOLLM2_GGUF, _package_dir, cache_dir

    folder = cache_dir() / "smollm2-tokenizer"
    if not (folder / "tokenizer.json").is_file():
        partial = folder.with_name(f"{folder.name}.partial-{os.getpid()}")
        AutoTokenizer.from_pretrained(
            _package_dir("builtin:smollm2"), gguf_file=SMOLLM2_GGUF
        ).save_pretrained(partial)
        if not folder.exists():  # another process may have finished first
            partial.rename(folder)
    return folder


def trimmed_smollm2_tokenizer(folder: Path, keep: tuple[str, ...] = (" Yes", " No")):
    """SmolLM2's tokenizer cut to its first tokens, up to the last of `keep` (~9k of 49k).

    Byte-level BPE numbers tokens in merge order, so the parts of every kept token are kept too and
    the text still tokenizes, only into shorter pieces. A tiny router builds in tens of
    milliseconds instead of ~0.2 s, which is most of the model tests' time."""
    import json

    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(smollm2_tokenizer())
    data = json.loads(tokenizer.backend_tokenizer.to_str())
    vocab = data["model"]["vocab"]
    size = 1 + max(tokenizer.convert_tokens_to_ids(tokenizer.tokenize(text))[0] for text in keep)
    data["model"]["vocab"] = {token: i for token, i in vocab.items() if i < size}
    data["model"]["merges"] = [pair for pair in data["model"]["merges"] if vocab["".join(pair)] < size]
    folder.mkdir(parents=True)
    tokenizer.save_pretrained(folder)
    (folder / "tokenizer.json").write_text(json.dumps(data))
    return AutoTokenizer.from_pretrained(folder)


@pytest.fixture(scope="session")
def tiny_backbones(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(llm folder, encoder folder): 2-layer Llama with trimmed SmolLM2 tokens, 2-layer BERT with MiniLM's."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertModel, LlamaConfig, LlamaForCausalLM

    from router_core.model.weights import MINILM, resolve_backbone

    root = tmp_path_factory.mktemp("backbones")
    torch.manual_seed(0)
    llm_tokenizer = trimmed_smollm2_tokenizer(root / "llm")
    llm = LlamaForCausalLM(
        LlamaConfig(
            vocab_size=len(llm_tokenizer),
            hidden_size=64,
            intermediate_size=128,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
            tie_word_embeddings=True,
        )
    )
    llm.save_pretrained(root / "llm")
    llm_tokenizer.save_pretrained(root / "llm")
    encoder_tokenizer = AutoTokenizer.from_pretrained(resolve_backbone(MINILM))
    encoder = BertModel(
        BertConfig(
            vocab_size=encoder_tokenizer.vocab_size,
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=2,
        )
    )
    encoder.save_pretrained(root / "encoder")
    encoder_tokenizer.save_pretrained(root / "encoder")
    return root / "llm", root / "encoder"


@pytest.fixture
def tiny_config(tiny_backbones: tuple[Path, Path]) -> NetworkConfig:
    llm, encoder = tiny_backbones
    return NetworkConfig(
        llm=str(llm),
        encoder=str(encoder),
        llm_layers=None,
        instruction_tokens=32,
        lora=LoraSettings(r=4, alpha=8, dropout=0.0),
    )


@pytest.fixture
def cards() -> list[CapabilityCard]:
    return [
        make_card("math-model", [0.9, 0.2, 0.3]),
        make_card("law-model", [0.2, 0.9, 0.4]),
        make_card("weak-model", [0.1, 0.1, 0.1]),
    ]


@pytest.fixture
def remote_code_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """transformers copies and imports a backbone's custom code from its modules cache: keep that in
    tmp_path, and drop the imported modules afterwards, so a test that runs it leaves nothing behind."""
    import sys

    from transformers import dynamic_module_utils

    cache = tmp_path / "hf-modules"
    monkeypatch.setattr(dynamic_module_utils, "HF_MODULES_CACHE", str(cache))
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = set(sys.modules)
    yield cache
    for name in set(sys.modules) - before:
        if name.startswith("transformers_modules"):
            del sys.modules[name]
