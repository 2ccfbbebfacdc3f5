"""`modelsat cards ...`: build and inspect capability cards, and pick the aptitude test."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from router_core.cards.aptitude import DEFAULT_VERSION, AptitudeTest, load_aptitude_test, select_aptitude_test
from router_core.cards.build import build_cards
from router_core.cards.card import load_cards, save_cards
from router_core.cli.common import DataOption, ModelsOption, console, fail, split_names
from router_core.data import load_outcomes
from router_core.errors import ModelSATError

app = typer.Typer(help="Capability cards: each model's aptitude-test results.", no_args_is_help=True)

TestOption = Annotated[
    Path | None, typer.Option("--test", help=f"Aptitude test definition file (default: shipped {DEFAULT_VERSION}).")
]


@app.command("build")
def build(
    data: DataOption,
    out: Annotated[Path, typer.Option("--out", help="Where to write the cards (.json or .yaml).")],
    models: ModelsOption = None,
    test: TestOption = None,
) -> None:
    """Compute cards from outcome data, using only the aptitude items."""
    try:
        outcomes = load_outcomes(data)
        aptitude = AptitudeTest.from_file(test) if test else load_aptitude_test()
        cards = build_cards(outcomes, aptitude, split_names(models))
    except ModelSATError as exc:
        raise fail(exc) from exc
    save_cards(cards, out)
    console.print(f"wrote {len(cards)} cards of {len(aptitude.tasks)} tasks ({aptitude.version}) to {out}")


@app.command("show")
def show(
    cards: Annotated[Path | None, typer.Option("--cards", help="Card file (default: the shipped cards).")] = None,
    model: Annotated[str | None, typer.Argument(help="Print this model's card text.")] = None,
) -> None:
    """List cards by mean aptitude accuracy, or print one card as the router reads it."""
    try:
        found = load_cards(cards)
    except ModelSATError as exc:
        raise fail(exc) from exc
    if model:
        if model not in found:
            raise fail(ModelSATError(f"no card for {model!r}; known: {', '.join(sorted(found))}"))
        console.print(found[model].to_text())
        return
    table = Table(title=f"{len(found)} capability cards")
    for column in ("model", "mean accuracy", "tasks", "price $/1M", "aptitude test"):
        table.add_column(column)
    for card in sorted(found.values(), key=lambda c: -c.mean_accuracy):
        price = f"{card.price:.2f}" if card.price is not None else "-"
        table.add_row(card.model, f"{card.mean_accuracy:.3f}", str(len(card.scores)), price, card.aptitude_version)
    console.print(table)


@app.command("select-test")
def select_test(
    data: DataOption,
    out: Annotated[Path, typer.Option("--out", help="Where to write the aptitude test definition (.json).")],
    zoo: Annotated[str | None, typer.Option("--zoo", help="Comma-separated models that pick the items "
                                            "(default: every model but the held-out ones).")] = None,
    version: Annotated[str, typer.Option(help="Version name stored in the definition.")] = DEFAULT_VERSION,
    tasks: Annotated[int, typer.Option(help="Number of tasks.")] = 50,
    items: Annotated[int, typer.Option(help="Items per task.")] = 20,
) -> None:
    """Pick the aptitude test: the most distinguishing MMLU items of the training zoo."""
    from router_core.evaluation.zoos import load_zoo_file

    try:
        outcomes = load_outcomes(data)
        held_out = set(load_zoo_file().held_out_models)
        chosen = split_names(zoo) or [m for m in outcomes.models if m not in held_out]
        aptitude = select_aptitude_test(outcomes, chosen, version=version, n_tasks=tasks, items_per_task=items)
    except ModelSATError as exc:
        raise fail(exc) from exc
    aptitude.save(out)
    console.print(f"wrote {len(aptitude.tasks)} tasks x {items} items ({version}), picked on "
                  f"{len(chosen)} models, to {out}")
