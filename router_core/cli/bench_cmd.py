"""`modelsat bench`: measure the routing engine (latency, throughput, memory, cold start)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from router_core.cli.common import console, fail
from router_core.errors import ModelSATError

GOALS = "goals (CPU): p50 <= 100 ms at 10 candidates; 40 candidates <= 2x of 10; 64 callers >= 4x of 1"


def bench_command(
    checkpoint: Annotated[
        Path | None, typer.Option(help="Router checkpoint (default: the shipped one).")
    ] = None,
    device: Annotated[
        str | None, typer.Option(help="cuda, mps or cpu (default: the best available).")
    ] = None,
    calls: Annotated[int, typer.Option(min=1, help="Routed calls per latency measurement.")] = 30,
    requests: Annotated[int, typer.Option(min=1, help="Requests per throughput measurement.")] = 128,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the results here.")] = None,
) -> None:
    """Latency p50/p99 over 5/10/20/40 candidates, throughput with 1/8/64 async callers."""
    from router_core.engine.bench import run_benchmark
    from router_core.engine.engine import EngineConfig

    config = EngineConfig(checkpoint=None if checkpoint is None else str(checkpoint), device=device)
    try:
        results = run_benchmark(config, calls=calls, requests=requests, progress=console.log)
    except ModelSATError as exc:
        raise fail(exc) from exc
    latency = Table(
        title=f"routing latency, one caller ({results['device']}, {results['torch_threads']} threads)"
    )
    for column in ("candidates", "p50 ms", "p99 ms", "mean ms"):
        latency.add_column(column)
    for size, row in results["latency"].items():
        latency.add_row(str(size), f"{row['p50_ms']:.1f}", f"{row['p99_ms']:.1f}", f"{row['mean_ms']:.1f}")
    rate = Table(title=f"throughput, {results['throughput_candidates']} candidates")
    rate.add_column("async callers")
    rate.add_column("routed/s")
    rate.add_column("x one caller")
    one = results["throughput"][min(results["throughput"])]
    for callers, value in results["throughput"].items():
        rate.add_row(str(callers), f"{value:.1f}", f"{value / one:.1f}")
    console.print(latency, rate)
    console.print(
        f"cold start {results['cold_start_s']:.1f} s, peak RSS {results['peak_rss_mb']:.0f} MB, "
        f"{results['forward_passes']} forward passes\n{GOALS}"
    )
    if json_out:
        json_out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
