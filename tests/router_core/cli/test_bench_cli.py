from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from router_core.cli.app import app
from router_core.model.checkpoint import save_checkpoint
from router_core.model.network import ModelSATModel

runner = CliRunner()


@pytest.mark.slow  # the whole bench (4 zoo sizes, 3 caller counts); test_engine/test_bench.py cover its parts
def test_bench_measures_a_tiny_router_on_the_int8_cpu_path(tmp_path: Path, tiny_config) -> None:
    torch.manual_seed(0)
    save_checkpoint(ModelSATModel.build(tiny_config, device="cpu"), tmp_path / "ckpt")
    out = tmp_path / "bench.json"
    args = ["bench", "--checkpoint", str(tmp_path / "ckpt"), "--device", "cpu", "--calls", "2"]
    args += ["--precision", "int8"]
    result = runner.invoke(app, [*args, "--requests", "8", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "routing latency" in result.output and "int8" in result.output
    results = json.loads(out.read_text())
    assert results["precision"] == "int8"
    assert (results["max_batch_size"], results["batch_window_ms"]) == (4, 0.0)  # the CPU defaults
    assert set(results["latency"]) == {"5", "10", "20", "40"}
    assert set(results["throughput"]) == {"1", "8", "64"}
    assert all(row["p99_ms"] >= row["p50_ms"] > 0 for row in results["throughput"].values())


def test_bench_reports_a_missing_checkpoint_as_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["bench", "--checkpoint", str(tmp_path / "nowhere"), "--calls", "1"])
    assert result.exit_code != 0 and "nowhere" in result.output
