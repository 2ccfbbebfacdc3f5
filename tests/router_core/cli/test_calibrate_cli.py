"""`modelsat calibrate` on a tiny router and the small matrix."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from router_core.cards.card import save_cards
from router_core.cli.app import app
from router_core.data.outcomes import OutcomeMatrix
from router_core.evaluation.calibration import expected_calibration_error
from router_core.model.calibration import Calibration
from router_core.model.checkpoint import CONFIG_FILE, load_checkpoint, save_checkpoint, training_record
from router_core.model.inference import ModelSATScorer
from router_core.model.network import ModelSATModel
from tests.router_core.builders import make_card, small_cards, small_matrix
from tests.router_core.cli.test_train_cli import inputs, write_long_jsonl

runner = CliRunner()


def tiny_checkpoint(tiny_config, folder: Path) -> Path:
    torch.manual_seed(0)
    model = ModelSATModel.build(tiny_config, device="cpu")
    with torch.no_grad():  # spread the logits (LoRA B starts at zero)
        for param in model.parameters():
            if param.requires_grad:
                param.add_(torch.randn_like(param) * 0.5)
    return save_checkpoint(model, folder, {"steps": 2, "note": "trained"})


def with_held_out_model(tmp_path: Path) -> tuple[Path, Path]:
    """The small matrix plus Yi-34B, a held-out model of zoos.yaml, with a card."""
    matrix = small_matrix()
    scores = np.c_[matrix.scores, np.ones(len(matrix.instructions))]
    outcomes = OutcomeMatrix(
        matrix.instructions, [*matrix.models, "Yi-34B"], scores, np.ones_like(scores, bool)
    )
    data = write_long_jsonl(outcomes, tmp_path / "outcomes.jsonl")
    cards = tmp_path / "cards.json"
    save_cards([*small_cards().values(), make_card("Yi-34B", [0.5, 0.5])], cards)
    return data, cards


def test_calibrate_saves_the_router_with_the_fit_and_its_ece(tiny_config, tmp_path: Path) -> None:
    data, cards = with_held_out_model(tmp_path)
    checkpoint = tiny_checkpoint(tiny_config, tmp_path / "ckpt")
    out = tmp_path / "calibrated"
    args = ["calibrate", "--data", str(data), "--checkpoint", str(checkpoint), "--out", str(out)]
    result = runner.invoke(app, [*args, "--cards", str(cards), "--device", "cpu"])
    assert result.exit_code == 0, result.output
    assert "ECE before" in result.output and "router saved in" in result.output
    record = training_record(out)
    assert record["steps"] == 2 and record["note"] == "trained"  # the training record is kept
    fit = record["calibration"]
    # validation questions 9 and 10 of the small matrix, against the training models only
    assert fit["questions"] == 2 and fit["pairs"] == 4 and fit["models"] == ["math-model", "law-model"]
    assert fit["previous"] is None and fit["command"].startswith("modelsat")
    assert set(fit["ece"]) == {"(all)", "(none)"}  # the small matrix has no dataset names
    overall = fit["ece"]["(all)"]
    assert overall["mean_score"] == 0.5 and 0 <= overall["ece_after"] <= 1
    assert overall["ece_before"] != overall["ece_after"]
    assert f"{overall['ece_after']:.3f}" in result.output
    router = load_checkpoint(out, device="cpu")
    assert router.config.calibration == Calibration(scale=fit["scale"], bias=fit["bias"])
    assert json.loads((checkpoint / CONFIG_FILE).read_text())["calibration"] is None  # source untouched


def test_calibrate_limits_the_questions_per_dataset_and_replaces_an_old_fit(
    tiny_config, tmp_path: Path
) -> None:
    data, cards = inputs(tmp_path)
    checkpoint = tiny_checkpoint(tiny_config, tmp_path / "ckpt")
    base = ["calibrate", "--data", str(data), "--cards", str(cards), "--device", "cpu"]
    first = tmp_path / "first"
    result = runner.invoke(app, [*base, "--checkpoint", str(checkpoint), "--out", str(first)])
    assert result.exit_code == 0, result.output
    again = tmp_path / "again"
    args = ["--checkpoint", str(first), "--out", str(again), "--questions", "1", "--balance-sources"]
    result = runner.invoke(app, [*base, *args])
    assert result.exit_code == 0, result.output
    old, new = training_record(first)["calibration"], training_record(again)["calibration"]
    assert new["questions"] == 1 and new["pairs"] == 2 and new["balance_sources"] is True
    assert new["previous"] == {"scale": old["scale"], "bias": old["bias"]}
    assert abs(old["scale"] - 1) + abs(old["bias"]) > 0.1  # far from the raw sigmoid
    # "before" is what the router said as loaded (the first fit's Pr(Yes)) on question 9 (law)
    said = ModelSATScorer(load_checkpoint(first, device="cpu")).score(
        [small_matrix().instructions[9].text], [small_cards()[m] for m in ("math-model", "law-model")]
    )[0]
    assert new["ece"]["(all)"]["ece_before"] == pytest.approx(expected_calibration_error(said, [0.0, 1.0]))
    assert load_checkpoint(again, device="cpu").config.calibration == Calibration(
        scale=new["scale"], bias=new["bias"]
    )


def test_calibrate_reports_missing_data_as_one_line(tmp_path: Path) -> None:
    args = ["calibrate", "--data", str(tmp_path / "nowhere"), "--checkpoint", str(tmp_path), "--out", "x"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "error:" in result.output
