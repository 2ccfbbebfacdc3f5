"""A burst of concurrent requests through a LiteLLM Router, with and without Model-SAT routing.

Fires `--requests` (default 100) concurrent `acompletion` calls at a Router over 10 offline mock
deployments (litellm `mock_response`, so no network and no model time), once with LiteLLM's own
routing and once with `ModelSATRoutingStrategy` on the shipped checkpoint, and prints each
request's p50/p99 latency and the burst's wall time. The difference is the routing cost a request
pays under a burst. Every request is a distinct ~150-token instruction (no score-cache hits).

    python benchmarks/proxy_burst.py                       # engine defaults
    python benchmarks/proxy_burst.py --precision fp32 --max-batch-size 64   # the engine before issue 15
    python benchmarks/proxy_burst.py --instruction-tokens 64               # the shorter window
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time

import numpy as np

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import litellm_modelsat as lm  # noqa: E402  (keeps litellm offline; imported before litellm)
from litellm import Router  # noqa: E402

from router_core.engine import EngineConfig, LocalEngine  # noqa: E402
from router_core.engine.bench import candidates, instruction  # noqa: E402

GROUP = "auto"


def model_list(count: int) -> list[dict]:
    return [
        {
            "model_name": GROUP,
            "litellm_params": {"model": f"openai/{name}", "api_key": "not-used", "mock_response": "ok"},
            "model_info": {"id": name, lm.CARD_KEY: card.model_dump(mode="json")},
        }
        for name, card in candidates(count).items()
    ]


async def burst(router: Router, requests: int, offset: int) -> tuple[list[float], float]:
    async def one(i: int) -> float:
        started = time.perf_counter()
        await router.acompletion(model=GROUP, messages=[{"role": "user", "content": instruction(offset + i)}])
        return (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    times = await asyncio.gather(*(one(i) for i in range(requests)))
    return list(times), time.perf_counter() - started


def report(label: str, times: list[float], wall: float) -> None:
    p50, p99 = np.percentile(times, 50), np.percentile(times, 99)
    print(f"| {label} | {len(times)} | {p50:.0f} | {p99:.0f} | {wall:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--deployments", type=int, default=10)
    parser.add_argument("--precision", default="auto", choices=["auto", "fp32", "bf16", "int8"])
    parser.add_argument("--max-batch-size", type=int, default=None)
    parser.add_argument("--instruction-tokens", type=int, default=None)
    args = parser.parse_args()
    deployments = model_list(args.deployments)
    plain = Router(model_list=deployments)
    routed = Router(model_list=deployments)
    config = EngineConfig(
        precision=args.precision,
        max_batch_size=args.max_batch_size,
        instruction_tokens=args.instruction_tokens,
        timeout_s=None,
    )
    engine = LocalEngine(config).warmup()
    lm.ModelSATRoutingStrategy.install(routed, engine=engine)
    asyncio.run(burst(plain, 8, -1000))  # warm LiteLLM's own first-call paths
    asyncio.run(burst(routed, 4, -2000))
    print(f"engine: {engine.precision}, batches of <= {engine.max_batch_size}")
    print("| routing | requests | p50 ms | p99 ms | burst wall s |")
    print("| --- | --- | --- | --- | --- |")
    report("LiteLLM simple-shuffle", *asyncio.run(burst(plain, args.requests, 0)))
    passes = engine.forward_passes
    report("Model-SAT", *asyncio.run(burst(routed, args.requests, args.requests)))
    print(f"Model-SAT forward passes in the burst: {engine.forward_passes - passes}")
    engine.close()


if __name__ == "__main__":
    main()
