"""`modelsat data ...`: inspect outcome data."""

from __future__ import annotations

import typer
from rich.table import Table

from router_core.cli.common import DataOption, console, fail
from router_core.data import load_outcomes
from router_core.errors import ModelSATError

app = typer.Typer(help="Inspect outcome data (who answered what correctly).", no_args_is_help=True)


@app.command("info")
def info(data: DataOption) -> None:
    """Models, questions, categories, accuracy per model and missing cells."""
    try:
        outcomes = load_outcomes(data)
    except ModelSATError as exc:
        raise fail(exc) from exc
    report = outcomes.report
    console.print(
        f"[bold]{len(outcomes.models)} models[/], [bold]{len(outcomes.instructions)} questions[/] "
        f"from {report.files} file(s), {report.records} outcome records"
    )
    console.print(
        f"skipped stray entries: {report.stray_entries}; "
        f"unparsed predictions counted wrong: {report.unparsed_predictions}"
    )
    for note in report.notes:
        console.print(f"note: {note}", soft_wrap=True)
    categories = Table(title="Questions per category")
    categories.add_column("category")
    categories.add_column("questions", justify="right")
    for name, count in outcomes.categories().items():
        categories.add_row(name, str(count))
    console.print(categories)
    models = Table(title="Accuracy per model (missing cells masked, not counted wrong)")
    for column in ("model", "accuracy", "answered", "missing"):
        models.add_column(column, justify="left" if column == "model" else "right", no_wrap=column == "model")
    missing = outcomes.missing()
    for name, acc in sorted(outcomes.accuracy().items(), key=lambda kv: -kv[1]):
        answered = len(outcomes.instructions) - missing[name]
        models.add_row(name, f"{acc:.3f}", str(answered), str(missing[name]))
    console.print(models)
