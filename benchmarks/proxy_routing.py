"""The shipped proxy example, measured: how its requests spread over the deployments, and what the
first request after start-up costs with and without the warm-up.

Runs the proxy's own code path in-process (the `model_list` and `modelsat_settings` of
integrations/proxy/config.yaml, a litellm Router, `proxy_handler.ensure_installed()`), offline:
the deployments answer with their `mock_response`.

    python benchmarks/proxy_routing.py spread --data ../shared/data/mmlu-pro --requests 100
    python benchmarks/proxy_routing.py first-request          # each variant in a fresh process
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Annotated

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import typer  # noqa: E402
import yaml  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

CONFIG = Path(__file__).resolve().parents[1] / "integrations" / "proxy" / "config.yaml"
VARIANTS = {
    "none": "no warm-up: the router loads on the first request",
    "model": "model only: the router loaded at start-up, cards encoded on the first request",
    "full": "warm-up (shipped): router loaded and every card encoded at start-up",
}
app = typer.Typer(add_completion=False)
console = Console()


async def _installed_router(warmup: str) -> object:
    """The proxy's Router with Model-SAT installed the way the proxy hook installs it."""
    import litellm
    from litellm import Router
    from litellm.proxy import proxy_server
    from litellm_modelsat.proxy import SETTINGS_KEY, proxy_handler

    config = yaml.safe_load(CONFIG.read_text())
    settings = {**config["litellm_settings"].get(SETTINGS_KEY, {}), "warmup": warmup == "full"}
    setattr(litellm, SETTINGS_KEY, settings)
    router = Router(model_list=config["model_list"])
    proxy_server.llm_router = router
    strategy = await proxy_handler.ensure_installed()
    if warmup == "model":
        strategy.engine.warmup()
    return router


@app.command()
def spread(
    data: Annotated[Path, typer.Option(help="MMLU-Pro outputs folder")],
    requests: Annotated[int, typer.Option(help="Test questions to send, spread over the categories")] = 100,
    group: Annotated[str, typer.Option(help="Model group of the config to send them to")] = "chat",
) -> None:
    """Send test-split questions across every category to one group; count the deployments chosen."""
    from router_core.cards.aptitude import load_aptitude_test
    from router_core.data import load_outcomes
    from router_core.zoos.splits import split_questions

    outcomes = load_outcomes(data)
    test_ids = set(split_questions(outcomes, load_aptitude_test()).test)
    by_category: dict[str, list[str]] = {}
    for ins in outcomes.instructions:
        if ins.id in test_ids:
            by_category.setdefault(ins.category or "", []).append(ins.routing_text)
    texts = [_round_robin(by_category, i) for i in range(requests)]

    async def run() -> Counter:
        router = await _installed_router("full")
        chosen: Counter = Counter()
        for text in texts:
            response = await router.acompletion(model=group, messages=[{"role": "user", "content": text}])
            chosen[response._hidden_params["model_id"]] += 1
        return chosen

    chosen = asyncio.run(run())
    table = Table(title=f"{requests} test questions ({len(by_category)} categories) to group {group!r}")
    table.add_column("deployment")
    table.add_column("requests", justify="right")
    for deployment, count in chosen.most_common():
        table.add_row(deployment, str(count))
    console.print(table)


def _round_robin(by_category: dict[str, list[str]], i: int) -> str:
    categories = sorted(by_category)
    items = by_category[categories[i % len(categories)]]
    return items[(i // len(categories)) % len(items)]


@app.command("first-request")
def first_request(
    variant: Annotated[str | None, typer.Option(help=f"Run one variant here: {', '.join(VARIANTS)}")] = None,
) -> None:
    """Start-up time and first-request latency per warm-up variant, each in a fresh process."""
    if variant is not None:
        asyncio.run(_measure(variant))
        return
    table = Table(title="First request after proxy start-up (group 'chat', shipped router, this CPU)")
    for column in ("start-up", "start-up s", "first request ms", "second request ms"):
        table.add_column(column)
    for name, label in VARIANTS.items():
        out = subprocess.run(
            [sys.executable, __file__, "first-request", "--variant", name],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()[-3:]
        table.add_row(label, *out)
    console.print(table)


async def _measure(variant: str) -> None:
    started = time.perf_counter()
    router = await _installed_router(variant)
    startup = time.perf_counter() - started
    latencies = []
    for text in ("Evaluate the integral of x^2 from 0 to 3.", "Is a promise to make a gift enforceable?"):
        started = time.perf_counter()
        await router.acompletion(model="chat", messages=[{"role": "user", "content": text}])
        latencies.append((time.perf_counter() - started) * 1000)
    print(f"{startup:.2f} {latencies[0]:.0f} {latencies[1]:.0f}")


if __name__ == "__main__":
    app()
