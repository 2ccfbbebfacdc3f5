"""`modelsat train` and `modelsat fit-prior` on the tiny backbones and the small matrix."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from typer.testing import CliRunner

from router_core.cards.card import save_cards
from router_core.cli.app import app
from router_core.data.outcomes import OutcomeMatrix
from router_core.model.checkpoint import load_checkpoint, save_checkpoint, training_record
from router_core.model.network import ModelSATModel
from tests.router_core.builders import small_cards, small_matrix, tiny_train_config

runner = CliRunner()


def write_long_jsonl(outcomes: OutcomeMatrix, path: Path) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for i, ins in enumerate(outcomes.instructions):
            for j, model in enumerate(outcomes.models):
                record = {"question_id": ins.id, "text": ins.text, "category": ins.category}
                handle.write(
                    json.dumps(record | {"model": model, "score": float(outcomes.scores[i, j])}) + "\n"
                )
    return path


def inputs(tmp_path: Path) -> tuple[Path, Path]:
    data = write_long_jsonl(small_matrix(), tmp_path / "outcomes.jsonl")
    cards = tmp_path / "cards.json"
    save_cards(small_cards().values(), cards)
    return data, cards


def test_train_writes_a_loadable_router_with_its_record(tiny_config, tmp_path: Path) -> None:
    data, cards = inputs(tmp_path)
    config = tiny_train_config(tiny_config, category_prior=False)  # the prior fit is fit-prior's test
    config_file = tmp_path / "train.json"
    config_file.write_text(config.model_dump_json(), encoding="utf-8")
    run = tmp_path / "run"
    args = ["train", "--data", str(data), "--out", str(run), "--config", str(config_file)]
    result = runner.invoke(app, [*args, "--cards", str(cards), "--device", "cpu"])
    assert result.exit_code == 0, result.output
    assert "router saved in" in result.output
    record = training_record(run / "best")
    assert record["steps"] == 2 and record["command"].startswith("modelsat")
    assert record["data"]["training_models"] == ["math-model", "law-model"]
    load_checkpoint(run / "best", device="cpu")


def test_fit_prior_saves_the_router_with_the_measured_prior(tiny_config, tmp_path: Path) -> None:
    data, cards = inputs(tmp_path)
    torch.manual_seed(0)
    checkpoint = save_checkpoint(ModelSATModel.build(tiny_config, device="cpu"), tmp_path / "ckpt")
    out = tmp_path / "with-prior"
    args = ["fit-prior", "--data", str(data), "--checkpoint", str(checkpoint), "--out", str(out)]
    result = runner.invoke(app, [*args, "--cards", str(cards), "--device", "cpu"])
    assert result.exit_code == 0, result.output
    report = training_record(out)["category_prior"]
    assert set(report) >= {"weight", "validation_routed_accuracy", "command"}
    router = load_checkpoint(out, device="cpu")
    assert (router.prior is None) == (report["weight"] == 0)


def test_train_reports_a_bad_config_as_one_line(tmp_path: Path) -> None:
    data, cards = inputs(tmp_path)
    config_file = tmp_path / "train.yaml"
    config_file.write_text("stage1_steps: many\n", encoding="utf-8")
    args = ["train", "--data", str(data), "--out", str(tmp_path / "run"), "--config", str(config_file)]
    result = runner.invoke(app, [*args, "--cards", str(cards)])
    assert result.exit_code == 2, result.output
    assert "not a valid training config (stage1_steps: Input should be a valid integer" in result.output
