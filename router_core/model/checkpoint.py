"""Router checkpoints: network config JSON + safetensors connector + peft adapter, base weights referenced.

A manifest records the sha256 of every file; loading refuses a checkpoint whose files do not
match it, and any pickle-based weight file (.bin/.pt/.pth/.pkl/.ckpt), also in a backbone folder
it points to. A file that matches its manifest but cannot be read (a router config of the wrong
types, a corrupted safetensors file) is a `CheckpointError` naming it; `check_checkpoint` checks
what can be checked without loading a model (for a fast start-up check). The manifest only proves
the files are the ones their author saved, so the author's config cannot enable remote code: a
checkpoint asking for `trust_remote_code` is refused unless the caller allows it
(`allow_remote_code`), and base weights from outside the checkpoint are named in a warning.
See docs/security.md.
"""

from __future__ import annotations

import hashlib
import json
import logging
from importlib import resources
from pathlib import Path
from typing import Any

import torch
from peft import PeftModel
from pydantic import ValidationError
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from router_core.errors import CheckpointError, validation_summary
from router_core.model.backbones import PICKLE_SUFFIXES
from router_core.model.config import NetworkConfig
from router_core.model.network import ModelSATModel

log = logging.getLogger("router_core.model")

FORMAT = "modelsat-checkpoint/2"
OLD_FORMAT = "modelsat-checkpoint/1"
"""Before the network config was renamed (router_config.json); scripts/migrate_checkpoint.py upgrades it."""
CONFIG_FILE, MANIFEST_FILE, CONNECTOR_FILE, PRIOR_FILE, ADAPTER_DIR = (
    "network_config.json",
    "manifest.json",
    "connector.safetensors",
    "category_prior.safetensors",
    "adapter",
)
TRAINING_RECORD = "training.json"
DEFAULT_CHECKPOINT = resources.files("router_core") / "checkpoints" / "default"


def save_checkpoint(model: ModelSATModel, folder: str | Path, record: dict[str, Any] | None = None) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / CONFIG_FILE).write_text(model.config.model_dump_json(indent=1) + "\n", encoding="utf-8")
    save_file(_capability_state(model), folder / CONNECTOR_FILE)
    (folder / PRIOR_FILE).unlink(missing_ok=True)
    if model.prior is not None:
        save_file(
            {k: v.detach().contiguous() for k, v in model.prior.state_dict().items()}, folder / PRIOR_FILE
        )
    model.llm.save_pretrained(folder / ADAPTER_DIR, safe_serialization=True)
    _reference_base_model(folder / ADAPTER_DIR, model.config.llm)
    if record is not None:
        (folder / TRAINING_RECORD).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    write_manifest(folder)
    return folder


def write_manifest(folder: Path) -> None:
    """Sign the folder's files as they are now: the sha256 of each, under the current format."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST_FILE)
    manifest = {"format": FORMAT, "files": {str(p.relative_to(folder)): file_sha256(p) for p in files}}
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


def load_checkpoint(
    folder: str | Path | None = None,
    device: str | torch.device | None = None,
    trainable: bool = False,
    allow_remote_code: bool = False,
) -> ModelSATModel:
    """Load a router; no argument loads the shipped default checkpoint. `trainable` is for resuming.
    `allow_remote_code` is the caller's own consent to run backbone code the checkpoint asks for."""
    folder = Path(str(DEFAULT_CHECKPOINT)) if folder is None else Path(folder)
    config = check_checkpoint(folder, allow_remote_code=allow_remote_code)
    _warn_external_backbones(folder, config)
    model = ModelSATModel.build(
        config, device=device, lora=False, trust_remote_code=config.trust_remote_code and allow_remote_code
    )
    try:
        model.llm = PeftModel.from_pretrained(model.llm, folder / ADAPTER_DIR, is_trainable=trainable).to(
            model.device
        )
    except (SafetensorError, OSError, ValueError, RuntimeError) as exc:
        raise CheckpointError(
            f"{folder / ADAPTER_DIR}: the adapter cannot be loaded ({_one_line(exc)})"
        ) from exc
    state = _read_weights(folder / CONNECTOR_FILE, model.device)
    try:
        missing, unexpected = model.capability.load_state_dict(state, strict=False)
    except RuntimeError as exc:  # a tensor of the wrong shape
        raise CheckpointError(
            f"{folder / CONNECTOR_FILE}: does not fit the config ({_one_line(exc)})"
        ) from exc
    expected = set(_capability_state(model))
    if unexpected or expected - set(state):
        raise CheckpointError(
            f"{folder / CONNECTOR_FILE}: does not fit the config "
            f"(missing {sorted(expected - set(state))}, unexpected {unexpected})"
        )
    if model.prior is not None:
        if not (folder / PRIOR_FILE).is_file():
            raise CheckpointError(f"{folder}: the config has a category prior but {PRIOR_FILE} is missing")
        try:
            model.prior.load_state_dict(_read_weights(folder / PRIOR_FILE, model.device))
        except RuntimeError as exc:
            raise CheckpointError(
                f"{folder / PRIOR_FILE}: does not fit the config ({_one_line(exc)})"
            ) from exc
    model.aptitude_version = training_record(folder).get("data", {}).get("aptitude_version")
    return model.train(trainable)


def check_checkpoint(folder: str | Path | None = None, *, allow_remote_code: bool = False) -> NetworkConfig:
    """What can be checked without loading a model, in milliseconds: the files match the manifest
    and hold no pickle (`verify_checkpoint`), the network config is valid, and it asks for no remote
    code the caller did not allow. Returns the config; `CheckpointError` naming the file otherwise."""
    folder = Path(str(DEFAULT_CHECKPOINT)) if folder is None else Path(folder)
    verify_checkpoint(folder)
    config = read_config(folder)
    if config.trust_remote_code and not allow_remote_code:
        raise CheckpointError(
            f"{folder / CONFIG_FILE} asks for trust_remote_code, which would run Python files of its "
            f"backbones ({_backbones(config)}); refused, since a checkpoint cannot allow that itself: if "
            "you trust them, pass --trust-remote-code (allow_remote_code=True in Python and EngineConfig)"
        )
    return config


def read_config(folder: Path) -> NetworkConfig:
    """The checkpoint's `NetworkConfig`; a `CheckpointError` naming the file and each wrong field."""
    path = folder / CONFIG_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"{path}: unreadable ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise CheckpointError(f"{path}: not valid JSON ({exc})") from exc
    try:
        return NetworkConfig.model_validate(raw)
    except ValidationError as exc:
        raise CheckpointError(f"{path}: not a valid network config: {validation_summary(exc)}") from exc


def training_record(folder: str | Path) -> dict[str, Any]:
    """The checkpoint's record of how it was trained ({} when it has none)."""
    path = Path(folder) / TRAINING_RECORD
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def verify_checkpoint(folder: Path) -> dict[str, Any]:
    if not folder.is_dir():
        raise CheckpointError(f"{folder}: no such checkpoint folder")
    pickled = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.suffix in PICKLE_SUFFIXES)
    if pickled:
        raise CheckpointError(
            f"{folder}: refusing pickle-based weight files {pickled}; checkpoints must hold safetensors only"
        )
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"{folder}: missing or unreadable {MANIFEST_FILE} ({exc})") from exc
    if manifest.get("format") == OLD_FORMAT:
        raise CheckpointError(
            f"{folder}: saved in checkpoint format {OLD_FORMAT}, whose config file and fields were "
            f"renamed in {FORMAT}; upgrade it with python scripts/migrate_checkpoint.py {folder}"
        )
    if manifest.get("format") != FORMAT:
        raise CheckpointError(
            f"{folder}: unknown checkpoint format {manifest.get('format')!r}; expected {FORMAT}"
        )
    listed = manifest.get("files", {})
    present = {
        str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST_FILE
    }
    for name in sorted(present | set(listed)):
        if name not in listed:
            raise CheckpointError(f"{folder}: file {name} is not in the manifest (added after saving?)")
        if name not in present:
            raise CheckpointError(f"{folder}: file {name} listed in the manifest is missing")
        if file_sha256(folder / name) != listed[name]:
            raise CheckpointError(f"{folder}: {name} does not match its checksum (tampered or corrupted)")
    return manifest


def _read_weights(path: Path, device: torch.device) -> dict[str, torch.Tensor]:
    try:
        return load_file(path, device=str(device))
    except (SafetensorError, OSError) as exc:
        raise CheckpointError(f"{path}: not a readable safetensors file ({exc})") from exc


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())


def _backbones(config: NetworkConfig) -> str:
    return ", ".join(name for name in (config.llm, config.encoder) if name is not None)


def _warn_external_backbones(folder: Path, config: NetworkConfig) -> None:
    """Name every backbone that is not a builtin: its weights come from a folder or hub id the
    checkpoint's author chose, which the manifest does not cover."""
    for role, name in (("llm", config.llm), ("encoder", config.encoder)):
        if name is not None and not name.startswith("builtin:"):
            log.warning(
                "checkpoint %s: %s %r is outside the checkpoint; its weights and tokenizer load from "
                "there, unchecked by the manifest",
                folder,
                role,
                name,
            )


def _reference_base_model(adapter: Path, llm: str) -> None:
    """Name the base LLM as the config does (not this machine's cache path); drop peft's model card."""
    config_path = adapter / "adapter_config.json"
    adapter_config = json.loads(config_path.read_text(encoding="utf-8"))
    adapter_config["base_model_name_or_path"] = llm
    config_path.write_text(json.dumps(adapter_config, indent=1) + "\n", encoding="utf-8")
    (adapter / "README.md").unlink(missing_ok=True)


def _capability_state(model: ModelSATModel) -> dict[str, torch.Tensor]:
    """The router's own weights outside the adapter: connector (and encoder when it is trained)."""
    keep = ("connector.",) + (("encoder.",) if model.config.train_encoder else ())
    return {
        k: v.detach().contiguous() for k, v in model.capability.state_dict().items() if k.startswith(keep)
    }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
