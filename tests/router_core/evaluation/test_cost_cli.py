"""`modelsat eval --cost` end to end on the synthetic zoo, with the weight-free encoder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from router_core.cli.app import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODELSAT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("COLUMNS", "250")


def test_eval_cost_prints_and_writes_the_sweep(data_files: tuple[Path, Path], tmp_path: Path) -> None:
    data, cards = data_files
    args = ["eval", "--data", data, "--cards", cards, "--method", "oracle,knn", "--zoo", "all"]
    args += ["--split", "test", "--encoder", "hashing", "--cost"]
    args += ["--json", tmp_path / "r.json", "--markdown", tmp_path / "r.md", "--plot", tmp_path / "r.png"]
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    assert "cost-quality, split test" in result.output and "PerfGain" in result.output
    saved = json.loads((tmp_path / "r.json").read_text())
    oracle = next(e for e in saved["evaluations"] if e["method"] == "oracle")
    assert oracle["cost"]["perf_gain"] > 0  # the oracle beats the best single model
    assert oracle["cost"]["cost_save"] is not None
    assert "| all | oracle |" in (tmp_path / "r-cost.md").read_text()
    assert (tmp_path / "r-cost.png").stat().st_size > 0


def test_eval_without_cost_has_no_sweep(data_files: tuple[Path, Path], tmp_path: Path) -> None:
    data, cards = data_files
    args = ["eval", "--data", data, "--cards", cards, "--method", "oracle", "--zoo", "all", "--split", "test"]
    result = runner.invoke(app, [*map(str, args), "--json", str(tmp_path / "r.json")])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "r.json").read_text())["evaluations"][0]["cost"] is None
