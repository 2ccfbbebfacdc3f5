from __future__ import annotations

import hashlib
import json
import logging
import runpy
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from router_core.errors import CheckpointError, ConfigError
from router_core.model.checkpoint import load_checkpoint
from router_core.model.inference import ModelSATScorer
from router_core.model.serving import load_for_inference
from tests.router_core.builders import custom_code_checkpoint

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


def test_a_checkpoint_asking_for_remote_code_is_refused_before_any_code_runs(
    saved, tiny_backbones, tmp_path, remote_code_cache
):
    _, folder = saved
    marker = custom_code_checkpoint(folder, tiny_backbones[0], tmp_path)
    refusal = r"network_config.json asks for trust_remote_code.*custom-llm.*--trust-remote-code"
    with pytest.raises(CheckpointError, match=refusal):
        load_checkpoint(folder, device="cpu")
    with pytest.raises(CheckpointError, match=refusal):
        load_for_inference(
            checkpoint=str(folder), device="cpu"
        )  # the engine's and the benchmark router's load
    assert not marker.exists()


def test_the_callers_allow_lets_a_checkpoint_run_the_code_it_asks_for(
    saved, tiny_backbones, tmp_path, cards, remote_code_cache
):
    model, folder = saved
    marker = custom_code_checkpoint(folder, tiny_backbones[0], tmp_path)
    loaded = load_checkpoint(folder, device="cpu", allow_remote_code=True)
    assert marker.exists()
    assert type(loaded.llm.get_base_model()).__name__ == "CustomForCausalLM"
    np.testing.assert_allclose(
        ModelSATScorer(model.eval()).score(INSTRUCTIONS, cards),
        ModelSATScorer(loaded).score(INSTRUCTIONS, cards),
        atol=1e-6,
    )


def test_an_allow_without_the_checkpoint_asking_runs_no_code(
    saved, tiny_backbones, tmp_path, caplog, remote_code_cache
):
    _, folder = saved
    marker = custom_code_checkpoint(folder, tiny_backbones[0], tmp_path, ask=False)
    with (
        caplog.at_level(logging.WARNING, logger="router_core.model"),
        pytest.raises(ConfigError, match=r"backbone .*custom-llm.* holds custom code"),
    ):
        load_checkpoint(folder, device="cpu", allow_remote_code=True)
    assert not marker.exists()
    assert "custom-llm' is outside the checkpoint" in caplog.text


def test_backbones_outside_the_checkpoint_are_named_at_load(saved, caplog):
    _, folder = saved
    with caplog.at_level(logging.WARNING, logger="router_core.model"):
        loaded = load_checkpoint(folder, device="cpu")
    warnings = [r.getMessage() for r in caplog.records if r.name == "router_core.model"]
    for role, name in (("llm", loaded.config.llm), ("encoder", loaded.config.encoder)):
        assert any(f"{role} {name!r} is outside the checkpoint" in w for w in warnings), warnings


def _rewrite_manifest(folder: Path) -> None:
    """Make the manifest match the folder again, as whoever edits a checkpoint can."""
    manifest = json.loads((folder / "manifest.json").read_text())
    for name in manifest["files"]:
        manifest["files"][name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize("damage", [b"not a safetensors file", b"\x02\x00\x00\x00\x00\x00\x00\x00{}"])
def test_a_corrupted_connector_with_a_matching_manifest_is_a_checkpoint_error_naming_it(saved, damage):
    _, folder = saved
    (folder / "connector.safetensors").write_bytes(damage)
    _rewrite_manifest(folder)
    with pytest.raises(
        CheckpointError, match=r"connector\.safetensors.*(not a readable safetensors|does not fit)"
    ):
        load_checkpoint(folder, device="cpu")


def test_connector_weights_of_the_wrong_shape_are_a_checkpoint_error(saved):
    from safetensors.torch import load_file, save_file

    _, folder = saved
    state = load_file(folder / "connector.safetensors")
    name = next(iter(state))
    state[name] = torch.zeros(3, 3)
    save_file(state, folder / "connector.safetensors")
    _rewrite_manifest(folder)
    with pytest.raises(
        CheckpointError, match=r"connector\.safetensors: does not fit the config.*size mismatch"
    ):
        load_checkpoint(folder, device="cpu")


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"llm_layers": "four"}, r"llm_layers: Input should be a valid integer"),
        ({"lora": {"r": "big"}}, r"lora\.r: Input should be a valid integer"),
        ({"layout": 3}, r"layout: Input should be"),
    ],
)
def test_wrong_types_in_router_config_are_a_checkpoint_error_naming_the_file_and_field(
    saved, change, problem
):
    from router_core.model.checkpoint import check_checkpoint

    _, folder = saved
    path = folder / "network_config.json"
    path.write_text(json.dumps(json.loads(path.read_text()) | change))
    _rewrite_manifest(folder)
    for load in (lambda: load_checkpoint(folder, device="cpu"), lambda: check_checkpoint(folder)):
        with pytest.raises(CheckpointError, match=rf"network_config\.json.*{problem}"):
            load()


def test_a_router_config_that_is_not_json_is_a_checkpoint_error(saved):
    _, folder = saved
    (folder / "network_config.json").write_text("{llm: ")
    _rewrite_manifest(folder)
    with pytest.raises(CheckpointError, match=r"network_config\.json: not valid JSON"):
        load_checkpoint(folder, device="cpu")


@pytest.mark.parametrize("role", ["llm", "encoder"])
def test_a_pickle_weight_file_in_a_backbone_folder_the_checkpoint_names_is_refused(
    saved, tiny_backbones, tmp_path, role
):
    """The checkpoint's manifest cannot cover a backbone folder outside it; its pickle files are
    refused before anything loads them (transformers would unpickle a pytorch_model.bin)."""
    _, folder = saved
    source = tiny_backbones[0 if role == "llm" else 1]
    backbone = tmp_path / f"pickled-{role}"
    shutil.copytree(source, backbone)
    (backbone / "model.safetensors").unlink()
    torch.save({"weight": torch.zeros(1)}, backbone / "pytorch_model.bin")
    path = folder / "network_config.json"
    path.write_text(json.dumps(json.loads(path.read_text()) | {role: str(backbone)}))
    _rewrite_manifest(folder)
    with pytest.raises(CheckpointError, match=rf"pytorch_model\.bin.*{role}.*pickle"):
        load_checkpoint(folder, device="cpu")


def test_a_corrupted_adapter_with_a_matching_manifest_is_a_checkpoint_error_naming_it(saved):
    _, folder = saved
    (folder / "adapter" / "adapter_model.safetensors").write_bytes(b"garbage")
    _rewrite_manifest(folder)
    with pytest.raises(CheckpointError, match=r"adapter: the adapter cannot be loaded"):
        load_checkpoint(folder, device="cpu")


def _as_format_1(folder: Path) -> None:
    """Turn a saved checkpoint back into what format 1 wrote: router_config.json, the old field names."""
    config = json.loads((folder / "network_config.json").read_text())
    config["max_instruction_tokens"] = config.pop("instruction_tokens")
    config["max_card_tokens"] = config.pop("card_tokens")
    (folder / "router_config.json").write_text(json.dumps(config))
    (folder / "network_config.json").unlink()
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "manifest.json")
    manifest = {
        "format": "modelsat-checkpoint/1",
        "files": {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_a_format_1_checkpoint_names_the_upgrade_which_restores_its_scores(saved, cards):
    model, folder = saved
    _as_format_1(folder)
    with pytest.raises(CheckpointError, match="scripts/migrate_checkpoint.py"):
        load_checkpoint(folder, device="cpu")

    migrate = runpy.run_path(str(Path(__file__).parents[3] / "scripts" / "migrate_checkpoint.py"))["migrate"]
    migrate(folder)

    loaded = load_checkpoint(folder, device="cpu")
    assert loaded.config == model.config
    np.testing.assert_array_equal(
        ModelSATScorer(model).score(INSTRUCTIONS, cards), ModelSATScorer(loaded).score(INSTRUCTIONS, cards)
    )
