"""`modelsat serve` checks its settings before it starts Ray (the service: tests/router_core/service)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from router_core.cli.app import app

pytest.importorskip("ray.serve", reason="the serve extra: bash scripts/install.sh dev,hf,serve")


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--replicas", "3", "--max-replicas", "2"], "max_replicas 2 is below replicas 3"),
        (["--policy", "cheapest"], "unknown policy 'cheapest'"),
    ],
)
def test_bad_settings_fail_with_one_line_before_ray_starts(args: list[str], named: str) -> None:
    result = CliRunner().invoke(app, ["serve", *args])
    assert result.exit_code == 2 and named in result.output, result.output
