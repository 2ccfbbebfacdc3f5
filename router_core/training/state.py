"""Resumable trainer state, stored as safetensors + JSON (never pickle)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

TENSORS, META = "optimizer.safetensors", "trainer_state.json"


def save_trainer_state(folder: Path, optimizer: torch.optim.Optimizer, meta: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    state = optimizer.state_dict()
    tensors = {
        f"{index}.{name}": value.contiguous()
        for index, slots in state["state"].items()
        for name, value in slots.items()
        if isinstance(value, torch.Tensor)
    }
    save_file(tensors, folder / TENSORS)
    groups = [{k: v for k, v in group.items()} for group in state["param_groups"]]
    (folder / META).write_text(json.dumps({**meta, "param_groups": groups}, indent=1), encoding="utf-8")


def load_trainer_state(folder: Path, optimizer: torch.optim.Optimizer) -> dict[str, Any]:
    meta = json.loads((folder / META).read_text(encoding="utf-8"))
    slots: dict[int, dict[str, torch.Tensor]] = {}
    for key, value in load_file(folder / TENSORS).items():
        index, name = key.split(".", 1)
        slots.setdefault(int(index), {})[name] = value
    optimizer.load_state_dict({"state": slots, "param_groups": meta.pop("param_groups")})
    return meta
