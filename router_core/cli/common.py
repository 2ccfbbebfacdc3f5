"""Option types and helpers shared by the CLI commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from router_core.errors import ModelSATError

console = Console()

DataOption = Annotated[
    Path, typer.Option("--data", help="MMLU-Pro outputs folder, wide .csv or long .jsonl of outcomes.")
]
ModelsOption = Annotated[
    str | None, typer.Option("--models", help="Comma-separated model names (default: all).")
]


def split_names(value: str | None) -> list[str] | None:
    return [name.strip() for name in value.split(",") if name.strip()] if value else None


def fail(error: ModelSATError) -> typer.Exit:
    """Print a typed error as one red line and exit 2, instead of a traceback."""
    console.print(f"[bold red]error:[/] {escape(str(error))}", soft_wrap=True)  # one line, however narrow
    return typer.Exit(code=2)
