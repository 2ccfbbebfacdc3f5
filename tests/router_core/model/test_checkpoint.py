from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from router_core.errors import CheckpointError
from router_core.model.checkpoint import load_checkpoint
from router_core.model.inference import ModelSATScorer

INSTRUCTIONS = ["Solve the integral of x squared from 0 to 1.", "Is a verbal contract binding?"]


def test_save_then_load_gives_identical_scores(saved, cards):
    model, folder = saved
    loaded = load_checkpoint(folder, device="cpu")
    np.testing.assert_array_equal(
        ModelSATScorer(model).score(INSTRUCTIONS, cards), ModelSATScorer(loaded).score(INSTRUCTIONS, cards)
    )
    assert loaded.config == model.config
    assert json.loads((folder / "training.json").read_text()) == {"note": "test"}


def test_checkpoint_holds_no_base_weights(saved):
    _, folder = saved
    assert sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) < 2_000_000


def test_tampered_weights_are_refused(saved):
    _, folder = saved
    with (folder / "connector.safetensors").open("r+b") as handle:
        handle.seek(-4, 2)
        handle.write(b"\x00\x01\x02\x03")
    with pytest.raises(CheckpointError, match="connector.safetensors does not match its checksum"):
        load_checkpoint(folder, device="cpu")


def test_pickled_weights_are_refused(saved):
    _, folder = saved
    torch.save({"weight": torch.zeros(1)}, folder / "adapter" / "adapter_model.bin")
    with pytest.raises(CheckpointError, match="refusing pickle-based weight files"):
        load_checkpoint(folder, device="cpu")


def test_unlisted_and_missing_files_are_refused(saved):
    _, folder = saved
    (folder / "extra.safetensors").write_bytes(b"x")
    with pytest.raises(CheckpointError, match="not in the manifest"):
        load_checkpoint(folder, device="cpu")
    (folder / "extra.safetensors").unlink()
    (folder / "connector.safetensors").unlink()
    with pytest.raises(CheckpointError, match="missing"):
        load_checkpoint(folder, device="cpu")


def test_missing_folder_is_a_clear_error(tmp_path: Path):
    with pytest.raises(CheckpointError, match="no such checkpoint folder"):
        load_checkpoint(tmp_path / "nope")
