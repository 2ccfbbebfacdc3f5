"""`modelsat train`: capability instruction tuning of a Model-SAT router."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from router_core.cards.card import cards_aptitude_test, load_cards
from router_core.cli.common import CardsOption, DataOption, DeviceOption, RemoteCodeOption, console, fail
from router_core.data import load_outcomes
from router_core.errors import ModelSATError
from router_core.training.config import TrainConfig
from router_core.zoos.splits import held_out_families


def train_command(
    data: DataOption,
    out: Annotated[
        Path, typer.Option("--out", help="Run folder: best/ (the router), last/, trainer_state/.")
    ],
    config: Annotated[
        Path | None, typer.Option("--config", help="TrainConfig YAML/JSON (default: the CPU default).")
    ] = None,
    cards: CardsOption = None,
    resume: Annotated[bool, typer.Option(help="Continue from out/last and its optimizer state.")] = False,
    max_minutes: Annotated[float | None, typer.Option(help="Stop and save after this many minutes.")] = None,
    device: DeviceOption = None,
) -> None:
    """Train a router on the training questions and training models of the benchmark's splits."""
    from router_core.training.trainer import BEST, train  # torch and peft load only when training

    try:
        settings = TrainConfig.from_file(config) if config else TrainConfig()
        if max_minutes is not None:
            settings = settings.model_copy(update={"max_minutes": max_minutes})
        record = train(
            load_outcomes(data),
            load_cards(cards),
            settings,
            out,
            resume=resume,
            device=device,
            command=shlex.join(["modelsat", *sys.argv[1:]]),
            log=console.print,
        )
    except ModelSATError as exc:
        raise fail(exc) from exc
    console.print(f"best validation {record['best_validation']} -> router saved in {out / BEST}")


def fit_prior_command(
    data: DataOption,
    checkpoint: Annotated[Path, typer.Option("--checkpoint", help="A trained router folder.")],
    out: Annotated[Path, typer.Option("--out", help="Where to save the router with its prior.")],
    cards: CardsOption = None,
    device: DeviceOption = None,
    trust_remote_code: RemoteCodeOption = False,
) -> None:
    """Fit the card category prior of a trained router (training does this itself at the end),
    on the questions it was trained on: a router trained without the held-out task families
    gets a prior fitted without their questions too."""
    from router_core.model.checkpoint import load_checkpoint, save_checkpoint, training_record
    from router_core.training.prior import fit_category_prior
    from router_core.training.trainer import TrainingData

    try:
        trained = training_record(checkpoint)
        held = held_out_families() if trained.get("config", {}).get("hold_out_families") else []
        all_cards = load_cards(cards)
        training_data = TrainingData.from_outcomes(load_outcomes(data), all_cards, None, held)
        model = load_checkpoint(checkpoint, device=device, allow_remote_code=trust_remote_code)
        report = fit_category_prior(
            model,
            training_data.train,
            training_data.validation,
            training_data.cards,
            cards_aptitude_test(list(all_cards.values())),
        )
        record = trained | {"category_prior": report | {"command": shlex.join(["modelsat", *sys.argv[1:]])}}
        save_checkpoint(model, out, record)
    except ModelSATError as exc:
        raise fail(exc) from exc
    console.print(f"category prior {report} -> router saved in {out}")
