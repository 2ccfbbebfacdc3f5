"""What the engine itself adds to a routed call: a scorer that does no work, behind each batch window.

Everything but the forward pass is timed: validating the call, fingerprinting the zoo, the score
cache, the hand-off to the worker thread and back, the batch window, and the policy's ranking.
The windows take turns so that a machine slowing down mid-run slows each alike.

    python benchmarks/engine_overhead.py --windows 3,0 --calls 300 --candidates 10
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import numpy as np

from router_core.cards.card import CapabilityCard
from router_core.engine.bench import candidates, instruction, percentile
from router_core.engine.engine import EngineConfig, LocalEngine


class NoWork:
    """A scorer that returns at once: the engine's own cost is all that is left."""

    def score(self, instructions: Sequence[str], cards: Sequence[CapabilityCard]) -> np.ndarray:
        return np.zeros((len(instructions), len(cards)))


def overhead_ms(window_ms: float, zoo: dict[str, CapabilityCard], calls: int, offset: int) -> list[float]:
    engine = LocalEngine(
        EngineConfig(batch_window_ms=window_ms, timeout_s=None), scorer_factory=NoWork
    ).warmup()
    times = []
    try:
        for i in range(calls):
            started = time.perf_counter()
            engine.route(instruction(offset + i), zoo)
            times.append((time.perf_counter() - started) * 1000)
    finally:
        engine.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", default="3,0", help="batch windows in ms, compared in turn")
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--candidates", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    zoo = candidates(args.candidates)
    windows = [float(w) for w in args.windows.split(",")]
    times: dict[float, list[float]] = {w: [] for w in windows}
    for round_ in range(args.rounds):
        for k, window in enumerate(windows):
            times[window] += overhead_ms(window, zoo, args.calls, (round_ * len(windows) + k) * args.calls)
    print(f"{args.candidates} candidates, {args.calls * args.rounds} calls per window\n")
    print("| batch window ms | p50 ms | p99 ms |")
    print("| --- | --- | --- |")
    for window, values in times.items():
        print(f"| {window:g} | {percentile(values, 50):.2f} | {percentile(values, 99):.2f} |")


if __name__ == "__main__":
    main()
