"""Entry point of the `modelsat` command."""

from __future__ import annotations

import typer

from router_core.cli import (
    bench_cmd,
    calibrate_cmd,
    cards_cmd,
    data_cmd,
    eval_cmd,
    route_cmd,
    serve_cmd,
    train_cmd,
)

app = typer.Typer(
    name="modelsat",
    help="Model-SAT routing: capability cards, routing benchmark, training and routing.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(data_cmd.app, name="data")
app.add_typer(cards_cmd.app, name="cards")
eval_cmd.register(app)
app.command("train")(train_cmd.train_command)
app.command("fit-prior")(train_cmd.fit_prior_command)
app.command("calibrate")(calibrate_cmd.calibrate_command)
app.command("route")(route_cmd.route_command)
app.command("bench")(bench_cmd.bench_command)
app.command("serve")(serve_cmd.serve_command)


def main() -> None:
    app()
