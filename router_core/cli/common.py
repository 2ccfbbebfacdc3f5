"""Option types and helpers shared by the CLI commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from router_core.errors import ConfigError, ModelSATError
from router_core.model.config import Precision

console = Console()

DataOption = Annotated[
    list[Path],
    typer.Option(
        "--data",
        help="Outcomes: an MMLU-Pro, LLMRouter or AlpacaEval folder, a wide .csv or a long .jsonl; "
        "repeat to combine sources.",
    ),
]
ModelsOption = Annotated[
    str | None, typer.Option("--models", help="Comma-separated model names (default: all).")
]
CardsOption = Annotated[
    Path | None, typer.Option("--cards", help="Capability card file (default: the shipped cards).")
]
CheckpointOption = Annotated[
    Path | None, typer.Option("--checkpoint", help="Model-SAT router checkpoint (default: the shipped one).")
]
RemoteCodeOption = Annotated[
    bool,
    typer.Option(
        "--trust-remote-code",
        help="Let a checkpoint that asks for trust_remote_code run its backbones' Python files "
        "(refused without this flag; see docs/security.md).",
    ),
]
DeviceOption = Annotated[
    str | None, typer.Option("--device", help="cuda, mps or cpu (default: the best available).")
]
PerturbationsOption = Annotated[
    int | None,
    typer.Option(
        "--perturbations",
        min=0,
        help="Average Pr(Yes) over this many shuffled task orders of each card (default 0; paper: 2).",
    ),
]
PrecisionOption = Annotated[
    Precision | None,
    typer.Option(
        "--precision",
        help="Router number format: auto (bf16 on CUDA, else fp32), fp32, bf16, int8 (CPU).",
    ),
]
InstructionTokensOption = Annotated[
    int | None,
    typer.Option(
        "--instruction-tokens",
        min=8,
        help="Read at most this many tokens of each instruction (default: the checkpoint's, 128).",
    ),
]
PolicyOption = Annotated[
    str | None,
    typer.Option(
        "--policy",
        help="best, cost-aware:LAMBDA, cost-aware:quality=Q or threshold:T (default: the engine's, best).",
    ),
]


def split_names(value: str | None, option: str = "--models") -> list[str] | None:
    """The comma-separated names given to `option`; None when it was not given. Given but naming
    nothing (`""`, `",,"`) is a `ConfigError`, never a silent "all"."""
    if value is None:
        return None
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names:
        raise ConfigError(
            f"{option} {value!r} names nothing; give comma-separated names, or leave it out for the default"
        )
    return names


def writable_file(path: Path) -> Path:
    """`path` if a file can be written there; checked before any work, so that no result is lost."""
    if path.is_dir():
        raise ModelSATError(f"{path}: is a folder; name a file to write")
    if not path.parent.is_dir():
        raise ModelSATError(f"{path}: its folder {path.parent} does not exist")
    return path


def fail(error: ModelSATError) -> typer.Exit:
    """Print a typed error as one red line and exit 2, instead of a traceback."""
    console.print(f"[bold red]error:[/] {escape(str(error))}", soft_wrap=True)  # one line, however narrow
    return typer.Exit(code=2)
