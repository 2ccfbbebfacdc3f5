"""`modelsat route`: rank candidate models for one instruction with a Model-SAT checkpoint."""

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
) -> None:
    """Print every candidate's Pr(Yes), best first."""
    from router_core.model.checkpoint import load_checkpoint

    try:
        found = load_cards(cards)
        names = split_names(models) or list(found)
        unknown = [n for n in names if n not in found]
        if unknown:
            raise ModelSATError(f"no card for {unknown}; known: {', '.join(sorted(found))}")
        candidates = [found[n] for n in names]
        probs = load_checkpoint(checkpoint).score([instruction], candidates, perturbations=perturbations)[0]
    except ModelSATError as exc:
        raise fail(exc) from exc
    table = Table(title="Model-SAT ranking")
    for column in ("rank", "model", "Pr(Yes)", "price $/1M"):
        table.add_column(column)
    for rank, j in enumerate(probs.argsort()[::-1], start=1):
        price = candidates[j].price
        table.add_row(
            str(rank), candidates[j].model, f"{probs[j]:.3f}", "-" if price is None else f"{price:.2f}"
        )
    console.print(table)
