"""Engine benchmark: routing latency, concurrent throughput, memory and cold start.

Measures the real engine (micro-batching, caches off for distinct instructions) on whatever
device it runs on; every instruction is new, so no score is served from the cache.
"""

from __future__ import annotations

import asyncio
import platform
import resource
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from router_core.cards.card import CapabilityCard, load_cards
from router_core.engine.engine import EngineConfig, LocalEngine, Scorer

# ~150 tokens, like a typical chat request; each call gets a distinct numbered copy
PASSAGE = (
    "A company runs a fleet of delivery vans. Each van drives on average 180 km per day at a fuel "
    "consumption of 9.5 litres per 100 km, and diesel costs 1.62 euros per litre. The company is "
    "considering replacing half of its 40 vans with electric vans that use 21 kWh per 100 km, with "
    "electricity at 0.28 euros per kWh. Maintenance costs 0.06 euros per km for diesel vans and 0.035 "
    "euros per km for electric vans. Estimate the yearly savings in running costs over 250 working "
    "days, explain each step of your calculation, and state which assumptions matter most for the "
    "decision. Finally, suggest one risk the company should consider before switching."
)


def instruction(i: int) -> str:
    return f"Request {i}. {PASSAGE}"


def candidates(count: int) -> dict[str, CapabilityCard]:
    """`count` candidates from the shipped cards, renamed copies once they run out."""
    shipped = list(load_cards().values())
    out = {}
    for i in range(count):
        card = shipped[i % len(shipped)]
        name = card.model if i < len(shipped) else f"{card.model}-copy{i // len(shipped)}"
        out[name] = card.model_copy(update={"model": name})
    return out


def cpu_name() -> str:
    """The CPU's model name and its bf16 matrix support: CPU figures are only comparable on one."""
    try:
        lines = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    except OSError:
        return f"{platform.machine()} {platform.processor()}".strip()
    fields = dict(line.split(":", 1) for line in reversed(lines) if ":" in line)
    fields = {key.strip(): value.strip() for key, value in fields.items()}
    bf16 = [flag for flag in ("amx_bf16", "avx512_bf16") if flag in fields.get("flags", "").split()]
    name = fields.get("model name") or platform.machine()
    return f"{name} ({', '.join(bf16) or 'no bf16 matrix units'})"


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def latency(
    engine: LocalEngine, zoos: Mapping[int, dict[str, CapabilityCard]], calls: int, offset: int
) -> dict[int, dict[str, float]]:
    """One caller, one instruction at a time: the latency a routed call pays, per zoo size. The
    sizes take turns, call by call, so a machine that slows down mid-run (a shared VM) slows
    every size alike and their ratios hold."""
    times: dict[int, list[float]] = {size: [] for size in zoos}
    for i in range(calls):
        for j, (size, zoo) in enumerate(zoos.items()):
            started = time.perf_counter()
            engine.route(instruction(offset + i * len(zoos) + j), zoo)
            times[size].append((time.perf_counter() - started) * 1000)
    return {
        size: {"p50_ms": percentile(t, 50), "p99_ms": percentile(t, 99), "mean_ms": float(np.mean(t))}
        for size, t in times.items()
    }


def throughput(
    engine: LocalEngine, zoo: dict[str, CapabilityCard], callers: int, requests: int, offset: int
) -> dict[str, float]:
    """Routed instructions per second with `callers` concurrent asyncio callers, and the p50/p99
    latency each call paid while they competed."""
    times: list[float] = []

    async def caller(ids: list[int]) -> None:
        for i in ids:
            started = time.perf_counter()
            await engine.aroute(instruction(offset + i), zoo)
            times.append((time.perf_counter() - started) * 1000)

    async def run() -> float:
        started = time.perf_counter()
        await asyncio.gather(*(caller(list(range(c, requests, callers))) for c in range(callers)))
        return requests / (time.perf_counter() - started)

    rate = asyncio.run(run())
    return {"per_s": rate, "p50_ms": percentile(times, 50), "p99_ms": percentile(times, 99)}


def measure_engine(
    config: EngineConfig,
    sizes: Sequence[int] = (5, 10, 20, 40),
    concurrency: Sequence[int] = (1, 8, 64),
    calls: int = 30,
    requests: int = 128,
    throughput_candidates: int = 10,
    progress: Callable[[str], None] = lambda _: None,
    scorer_factory: Callable[[], Scorer] | None = None,
) -> dict[str, Any]:
    """Measure a fresh engine built from `config` (or around `scorer_factory`, for tests)."""
    settings = config.model_copy(update={"timeout_s": None, "degrade": False})
    engine = LocalEngine(settings, scorer_factory=scorer_factory)
    try:
        started = time.perf_counter()
        engine.route(instruction(-1), candidates(min(sizes)))
        cold_start = time.perf_counter() - started
        progress(f"cold start {cold_start:.1f}s")
        zoos = {size: candidates(size) for size in sizes}
        latency(engine, zoos, 3, 10_000)  # warm every zoo's capability cache
        results: dict[str, Any] = {"latency": latency(engine, zoos, calls, 0), "throughput": {}}
        offset = calls * len(sizes)
        for size, row in results["latency"].items():
            progress(f"{size} candidates: p50 {row['p50_ms']:.1f} ms")
        zoo = candidates(throughput_candidates)
        for count in concurrency:
            results["throughput"][count] = throughput(engine, zoo, count, requests, offset)
            offset += requests
            row = results["throughput"][count]
            progress(f"{count} callers: {row['per_s']:.1f} req/s, p99 {row['p99_ms']:.0f} ms")
        passes = engine.forward_passes
    finally:
        engine.close()
    import torch  # loaded with the router by now; not at import, so the module stays cheap

    device = str(config.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    return {
        "device": device,
        "torch_threads": torch.get_num_threads(),
        "machine": cpu_name(),
        "checkpoint": config.checkpoint or "default",
        "cold_start_s": cold_start,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "forward_passes": passes,
        "max_batch_size": engine.max_batch_size,
        "batch_window_ms": engine.batch_window_ms,
        "precision": engine.precision,
        "throughput_candidates": throughput_candidates,
        **results,
    }
