"""Routing engine on a CUDA GPU: latency and throughput per batch size, fp32 against bf16.

For when a GPU is lent; the project never depends on it. Loads the shipped checkpoint once per
dtype and times `ModelSATScorer.score` for batches of 1..64 distinct ~150-token instructions
over 10 candidates (plus one call over 40), after a warm-up, with CUDA synchronised around each
call. Prints one Markdown table. Takes well under 5 minutes on any recent GPU.

    python benchmarks/gpu_engine.py [--repeats 10]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import torch

from router_core.engine.bench import candidates, instruction
from router_core.model.inference import ModelSATScorer
from router_core.model.serving import load_for_inference

BATCHES = (1, 4, 16, 64)


def timed(scorer: ModelSATScorer, texts: list[str], cards: list) -> float:
    torch.cuda.synchronize()
    started = time.perf_counter()
    scorer.score(texts, cards)
    torch.cuda.synchronize()
    return (time.perf_counter() - started) * 1000


def measure(precision: str, repeats: int) -> list[tuple[str, int, int, float, float]]:
    model = load_for_inference(device="cuda", precision=precision)
    scorer = ModelSATScorer(model, batch_size=max(BATCHES))
    rows, offset = [], 0
    for size, batches in ((10, BATCHES), (40, (1,))):
        cards = list(candidates(size).values())
        for batch in batches:
            timed(scorer, [instruction(-1 - i) for i in range(batch)], cards)  # warm-up
            times = []
            for _ in range(repeats):
                times.append(timed(scorer, [instruction(offset + i) for i in range(batch)], cards))
                offset += batch
            p50 = float(np.percentile(times, 50))
            rows.append((precision, size, batch, p50, batch / p50 * 1000))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    if not torch.cuda.is_available():
        sys.exit("no CUDA device: this benchmark needs a GPU (the CPU numbers come from `modelsat bench`)")
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}")
    print("| precision | candidates | batch | p50 ms per call | instructions/s |")
    print("| --- | --- | --- | --- | --- |")
    for precision in ("fp32", "bf16"):
        for row in measure(precision, args.repeats):
            print(f"| {row[0]} | {row[1]} | {row[2]} | {row[3]:.1f} | {row[4]:.0f} |")


if __name__ == "__main__":
    main()
