"""`modelsat route`: rank candidate models for one instruction through the routing engine."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from router_core.cards.card import load_cards
from router_core.cli.common import (
    CardsOption,
    CheckpointOption,
    InstructionTokensOption,
    ModelsOption,
    PerturbationsOption,
    PolicyOption,
    PrecisionOption,
    RemoteCodeOption,
    console,
    fail,
    split_names,
)
from router_core.errors import ModelSATError


def route_command(
    instruction: Annotated[str, typer.Argument(help="The instruction to route.")],
    cards: CardsOption = None,
    models: ModelsOption = None,
    checkpoint: CheckpointOption = None,
    perturbations: PerturbationsOption = None,
    policy: PolicyOption = None,
    precision: PrecisionOption = None,
    instruction_tokens: InstructionTokensOption = None,
    trust_remote_code: RemoteCodeOption = False,
) -> None:
    """Print the ranking (the order to try candidates in) with each candidate's Pr(Yes)."""
    from router_core.engine import EngineConfig, LocalEngine, resolve_candidates

    given: dict[str, Any] = {
        "checkpoint": None if checkpoint is None else str(checkpoint),
        "perturbations": perturbations,
        "precision": precision,
        "instruction_tokens": instruction_tokens,
        "allow_remote_code": trust_remote_code,
    }
    engine = LocalEngine(
        EngineConfig(**{k: v for k, v in given.items() if v is not None}, degrade=False, timeout_s=None)
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
