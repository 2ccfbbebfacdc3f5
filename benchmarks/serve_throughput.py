"""Routing in-process against routing through the service (`modelsat serve`) with 1 and 2 replicas.

Each setup gets `--requests` distinct ~150-token instructions over 10 shipped cards from 1, 8 and
64 concurrent asyncio callers (`router_core.engine.bench.throughput`, the loop `modelsat bench`
uses), and reports routed requests per second and the p50/p99 latency each call paid. Every router
runs torch on `--threads` threads (default 1): the in-process engine in this process, each replica
in its own Ray worker. The service runs on a local Ray instance that is started and stopped here.

    python benchmarks/serve_throughput.py                       # CPU: in-process, 1 and 2 replicas
    python benchmarks/serve_throughput.py --device cuda         # a GPU per replica (and in-process)
    python benchmarks/serve_throughput.py --replicas 1,2,4 --requests 256 --json serve.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
from pathlib import Path
from typing import Any

import torch
from rich.console import Console
from rich.table import Table

from router_core.engine import EngineConfig, LocalEngine
from router_core.engine.bench import candidates, cpu_name, instruction, throughput
from router_core.service import ServiceEngine

console = Console()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def measure(engine: Any, callers: list[int], requests: int, label: str) -> dict[int, dict[str, float]]:
    """Throughput and latency of `engine` (in-process or the service's client) per caller count,
    after a warm-up burst that loads every replica's card encodings."""
    zoo = candidates(10)
    asyncio.run(asyncio.wait_for(_warm(engine, zoo), timeout=600))
    rows, offset = {}, 100_000
    for count in callers:
        rows[count] = throughput(engine, zoo, count, requests, offset)
        offset += requests
        row = rows[count]
        console.log(
            f"{label}, {count} callers: {row['per_s']:.1f}/s, "
            f"p50 {row['p50_ms']:.0f} ms, p99 {row['p99_ms']:.0f} ms"
        )
    return rows


async def _warm(engine: Any, zoo: dict) -> None:
    await asyncio.gather(*(engine.aroute(instruction(-1 - i), zoo) for i in range(16)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=128, help="requests per caller count")
    parser.add_argument("--callers", default="1,8,64")
    parser.add_argument("--replicas", default="1,2", help="service replica counts to measure")
    parser.add_argument("--threads", type=int, default=1, help="torch threads of each router")
    parser.add_argument("--device", default=None, help="cpu or cuda (default: the best available)")
    parser.add_argument("--checkpoint", default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    callers = [int(c) for c in args.callers.split(",")]
    engine_config = EngineConfig(
        checkpoint=args.checkpoint, device=args.device, timeout_s=None, degrade=False
    )
    results: dict[str, Any] = {"machine": cpu_name(), "threads": args.threads, "setups": {}}

    torch.set_num_threads(args.threads)
    local = LocalEngine(engine_config)
    try:
        results["setups"]["in-process"] = measure(local, callers, args.requests, "in-process")
    finally:
        local.close()

    from router_core.service.app import ServiceSettings, start, stop

    for replicas in [int(r) for r in args.replicas.split(",")]:
        gpus = 1.0 if args.device == "cuda" else 0.0
        settings = ServiceSettings(engine=engine_config, replicas=replicas, threads=args.threads, gpus=gpus)
        label = f"service, {replicas} replica{'s' if replicas > 1 else ''}"
        with console.status(f"starting Ray and {replicas} replica(s)"):
            url = start(settings, port=free_port(), num_cpus=replicas * args.threads + 1)
        client = ServiceEngine(EngineConfig(service_url=url, timeout_s=None, degrade=False))
        try:
            results["setups"][label] = measure(client, callers, args.requests, label)
        finally:
            client.close()
            stop()

    table = Table(
        title=f"routing throughput, 10 candidates, {args.requests} requests per row, "
        f"{args.threads} torch thread(s) per router"
    )
    for column in ("setup", "callers", "routed/s", "p50 ms", "p99 ms"):
        table.add_column(column)
    for label, rows in results["setups"].items():
        for count, row in rows.items():
            table.add_row(
                label, str(count), f"{row['per_s']:.1f}", f"{row['p50_ms']:.0f}", f"{row['p99_ms']:.0f}"
            )
    console.print(table, results["machine"])
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
