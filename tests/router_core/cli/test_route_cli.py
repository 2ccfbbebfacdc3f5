from __future__ import annotations

from pathlib import Path

import torch
from typer.testing import CliRunner

from router_core.cards.card import save_cards
from router_core.cli.app import app
from router_core.model.checkpoint import save_checkpoint
from router_core.model.network import ModelSATModel

runner = CliRunner()


def test_route_prints_the_ranking_with_probabilities(tmp_path: Path, tiny_config, cards) -> None:
    torch.manual_seed(0)
    save_checkpoint(ModelSATModel.build(tiny_config, device="cpu"), tmp_path / "ckpt")
    save_cards(cards, tmp_path / "cards.json")
    args = [
        "route",
        "Solve x^2 = 4",
        "--checkpoint",
        str(tmp_path / "ckpt"),
        "--cards",
        str(tmp_path / "cards.json"),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "ranking (best)" in result.output
    assert all(card.model in result.output for card in cards)
    result = runner.invoke(app, [*args, "--models", "math-model,nobody"])
    assert result.exit_code == 2 and "nobody" in result.output
    result = runner.invoke(app, [*args, "--policy", "cheapest"])
    assert result.exit_code == 2 and "unknown policy" in result.output
