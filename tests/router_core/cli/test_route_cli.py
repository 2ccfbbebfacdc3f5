from __future__ import annotations

from pathlib import Path

import torch
from typer.testing import CliRunner

from router_core.cards.card import save_cards
from router_core.cli.app import app
from router_core.model.checkpoint import save_checkpoint
from router_core.model.network import ModelSATModel
from tests.router_core.builders import custom_code_checkpoint

runner = CliRunner()


def _route_args(folder: Path) -> list[str]:
    """`modelsat route` over the checkpoint and cards saved in `folder`."""
    return [
        "route",
        "Solve x^2 = 4",
        "--checkpoint",
        str(folder / "ckpt"),
        "--cards",
        str(folder / "cards.json"),
    ]


def test_route_prints_the_ranking_with_probabilities(tmp_path: Path, tiny_config, cards) -> None:
    torch.manual_seed(0)
    save_checkpoint(ModelSATModel.build(tiny_config, device="cpu"), tmp_path / "ckpt")
    save_cards(cards, tmp_path / "cards.json")
    args = _route_args(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "ranking (best)" in result.output
    assert all(card.model in result.output for card in cards)
    result = runner.invoke(app, [*args, "--models", "math-model,nobody"])
    assert result.exit_code == 2 and "nobody" in result.output
    result = runner.invoke(app, [*args, "--policy", "cheapest"])
    assert result.exit_code == 2 and "unknown policy" in result.output


def test_route_refuses_a_checkpoint_that_asks_for_remote_code_unless_the_caller_allows_it(
    tmp_path: Path, tiny_config, tiny_backbones, cards, remote_code_cache
) -> None:
    save_checkpoint(ModelSATModel.build(tiny_config, device="cpu"), tmp_path / "ckpt")
    marker = custom_code_checkpoint(tmp_path / "ckpt", tiny_backbones[0], tmp_path)
    save_cards(cards, tmp_path / "cards.json")
    args = _route_args(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: ") and len(result.output.strip().splitlines()) == 1
    assert "asks for trust_remote_code" in result.output and "--trust-remote-code" in result.output
    assert not marker.exists()
    result = runner.invoke(app, [*args, "--trust-remote-code"])
    assert result.exit_code == 0, result.output
    assert marker.exists()


def test_an_instruction_argument_that_is_not_utf8_is_one_line_exit_2(tmp_path: Path) -> None:
    """From a real shell: the byte 0xff reaches Python as the lone surrogate '\\udcff'."""
    import os
    import subprocess
    import sys

    modelsat = Path(sys.executable).with_name("modelsat")
    result = subprocess.run(
        [os.fsencode(modelsat), b"route", b"an integral \xff"], capture_output=True, timeout=120
    )
    assert result.returncode == 2, result.stderr.decode(errors="replace")
    lines = result.stdout.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: instruction is not valid UTF-8 text")
    assert b"Traceback" not in result.stderr


def test_models_naming_nothing_is_an_error_not_every_card(tmp_path: Path) -> None:
    for value in (",,", "", " , "):
        result = runner.invoke(app, ["route", "an integral", "--models", value])
        assert result.exit_code == 2, result.output
        assert result.output.startswith("error: --models") and "names nothing" in result.output
