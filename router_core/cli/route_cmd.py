"""`modelsat route`: rank candidate models for one instruction through the routing engine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from router_core.cards.card import load_cards
from router_core.cli.common import ModelsOption, console, fail, split_names
from router_core.errors import ModelSATError


def route_command(
    instruction: Annotated[str, typer.Argument(help="The instruction to route.")],
    cards: Annotated[
        Path | None, typer.Option("--cards", help="Card file (default: the shipped cards).")
    ] = None,
    models: ModelsOption = None,
    checkpoint: Annotated[
        Path | None, typer.Option(help="Router checkpoint (default: the shipped one).")
    ] = None,
    perturbations: Annotated[int, typer.Option(min=0, help="Average over N shuffled task orders.")] = 0,
    policy: Annotated[
        str, typer.Option(help="best, cost-aware:LAMBDA, cost-aware:quality=Q or threshold:T.")
    ] = "best",
) -> None:
    """Print the ranking (the order to try candidates in) with each candidate's Pr(Yes)."""
    from router_core.engine import EngineConfig, RouterEngine, resolve_candidates

    engine = RouterEngine(
        EngineConfig(
            checkpoint=None if checkpoint is None else str(checkpoint),
            perturbations=perturbations,
            degrade=False,
            timeout_s=None,
        )
    )
    try:
        available = load_cards(cards)
        candidates = resolve_candidates(split_names(models) or list(available), available.values())
        decision = engine.route(instruction, candidates, policy)
    except ModelSATError as exc:
        raise fail(exc) from exc
    finally:
        engine.close()
    table = Table(title=f"Model-SAT ranking ({decision.policy})")
    for column in ("rank", "model", "Pr(Yes)", "price $/1M"):
        table.add_column(column)
    for rank, candidate in enumerate(decision.ranking, start=1):
        price = "-" if candidate.price is None else f"{candidate.price:.2f}"
        table.add_row(str(rank), candidate.name, f"{candidate.probability:.3f}", price)
    console.print(table)
