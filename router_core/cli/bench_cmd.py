"""`modelsat bench`: measure the routing engine (latency, throughput, memory, cold start)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from router_core.cli.common import (
    CheckpointOption,
    DeviceOption,
    InstructionTokensOption,
    PrecisionOption,
    RemoteCodeOption,
    console,
    fail,
)
from router_core.errors import ModelSATError

GOALS = "goals (CPU): p50 <= 50 ms at 10 candidates; 40 candidates <= 1.5x of 10"


def bench_command(
    checkpoint: CheckpointOption = None,
    device: DeviceOption = None,
    calls: Annotated[int, typer.Option(min=1, help="Routed calls per latency measurement.")] = 30,
    requests: Annotated[int, typer.Option(min=1, help="Requests per throughput measurement.")] = 128,
    precision: PrecisionOption = None,
    instruction_tokens: InstructionTokensOption = None,
    max_batch_size: Annotated[
        int | None, typer.Option(min=1, help="Instructions per forward pass (default: 4 on CPU, 64 else).")
    ] = None,
    batch_window_ms: Annotated[
        float | None,
        typer.Option(min=0, help="How long a batch waits for company (default: 0 on CPU, 3 ms else)."),
    ] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the results here.")] = None,
    trust_remote_code: RemoteCodeOption = False,
) -> None:
    """Latency p50/p99 over 5/10/20/40 candidates, throughput with 1/8/64 async callers."""
    from router_core.engine.bench import measure_engine
    from router_core.engine.engine import EngineConfig

    config = EngineConfig(
        checkpoint=None if checkpoint is None else str(checkpoint),
        device=device,
        precision=precision or "auto",
        instruction_tokens=instruction_tokens,
        max_batch_size=max_batch_size,
        batch_window_ms=batch_window_ms,
        allow_remote_code=trust_remote_code,
    )
    try:
        results = measure_engine(config, calls=calls, requests=requests, progress=console.log)
    except ModelSATError as exc:
        raise fail(exc) from exc
    latency = Table(
        title=f"routing latency, one caller ({results['device']}, {results['precision']}, "
        f"{results['torch_threads']} threads)"
    )
    for column in ("candidates", "p50 ms", "p99 ms", "mean ms"):
        latency.add_column(column)
    for size, row in results["latency"].items():
        latency.add_row(str(size), f"{row['p50_ms']:.1f}", f"{row['p99_ms']:.1f}", f"{row['mean_ms']:.1f}")
    rate = Table(
        title=f"throughput, {results['throughput_candidates']} candidates, "
        f"batches of <= {results['max_batch_size']} within {results['batch_window_ms']:g} ms"
    )
    for column in ("async callers", "routed/s", "x one caller", "p50 ms", "p99 ms"):
        rate.add_column(column)
    one = results["throughput"][min(results["throughput"])]["per_s"]
    for callers, row in results["throughput"].items():
        rate.add_row(
            str(callers),
            f"{row['per_s']:.1f}",
            f"{row['per_s'] / one:.1f}",
            f"{row['p50_ms']:.0f}",
            f"{row['p99_ms']:.0f}",
        )
    console.print(latency, rate)
    console.print(
        f"{results['machine']}\ncold start {results['cold_start_s']:.1f} s, peak RSS "
        f"{results['peak_rss_mb']:.0f} MB, {results['forward_passes']} forward passes\n{GOALS}"
    )
    if json_out:
        json_out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
