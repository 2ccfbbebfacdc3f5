"""`modelsat calibrate`: fit the Platt calibration of a trained router's Pr(Yes) on validation data."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.table import Table

from router_core.cards.card import load_cards
from router_core.cli.common import CardsOption, DataOption, DeviceOption, RemoteCodeOption, console, fail
from router_core.data import load_outcomes
from router_core.data.outcomes import OutcomeMatrix
from router_core.errors import ConfigError, ModelSATError
from router_core.evaluation.calibration import ece_by_group

ALL = "(all)"


def calibrate_command(
    data: DataOption,
    checkpoint: Annotated[Path, typer.Option("--checkpoint", help="A trained router folder.")],
    out: Annotated[Path, typer.Option("--out", help="Where to save the calibrated router.")],
    cards: CardsOption = None,
    questions: Annotated[
        int | None,
        typer.Option(
            "--questions",
            min=1,
            help="At most N validation questions per dataset, spread evenly (default: all of them).",
        ),
    ] = None,
    balance_sources: Annotated[
        bool,
        typer.Option(
            help="Weight each dataset equally in the fit (default: each pair counts once, so the "
            "largest source weighs most)."
        ),
    ] = False,
    bins: Annotated[int, typer.Option("--bins", min=2, help="Equal-width bins of the ECE.")] = 10,
    device: DeviceOption = None,
    trust_remote_code: RemoteCodeOption = False,
) -> None:
    """Fit Pr(Yes) = sigmoid(scale * logit + bias) on the validation questions (training models only).

    Each dataset's questions are scored against the models it measured, against their graded
    outcomes; prints ECE before and after, overall and per dataset, and saves the router with the
    calibration in its config (the candidates' order is unchanged)."""
    from router_core.cards.card import cards_aptitude_test
    from router_core.model.calibration import pr_yes
    from router_core.model.checkpoint import load_checkpoint, save_checkpoint, training_record
    from router_core.model.inference import ModelSATScorer
    from router_core.training.calibration import calibration_pairs, fit_calibration
    from router_core.zoos.splits import split_questions, training_models

    try:
        outcomes, card_set = load_outcomes(data), load_cards(cards)
        split = split_questions(outcomes, cards_aptitude_test(list(card_set.values())))
        ids = spread_per_dataset(outcomes.select(instruction_ids=split.validation), questions)
        if not ids:
            raise ConfigError("the data has no validation questions to calibrate on")
        models = training_models(outcomes)
        without = [m for m in models if m not in card_set]
        if without:
            console.print(f"no capability card, not scored: {', '.join(without)}")
        valid = outcomes.select(models=[m for m in models if m in card_set], instruction_ids=ids)
        model = load_checkpoint(checkpoint, device=device, allow_remote_code=trust_remote_code)
        pairs = calibration_pairs(ModelSATScorer(model), valid, card_set, log=console.print)
        weights = source_weights(pairs.datasets) if balance_sources else None
        fitted, previous = fit_calibration(pairs.logits, pairs.targets, weights), model.config.calibration
        before = pr_yes(pairs.logits, previous)  # what the router says as loaded
        summary = summarise(before, pr_yes(pairs.logits, fitted), pairs.targets, pairs.datasets, bins)
        model.config = model.config.model_copy(update={"calibration": fitted})
        record = training_record(checkpoint) | {
            "calibration": {
                "scale": fitted.scale,
                "bias": fitted.bias,
                "fitted_on": "validation questions x training models (observed pairs)",
                "questions": len(ids),
                "pairs": len(pairs),
                "models": valid.models,
                "balance_sources": balance_sources,
                "bins": bins,
                "previous": None if previous is None else previous.model_dump(),
                "ece": summary,
                "command": shlex.join(["modelsat", *sys.argv[1:]]),
            }
        }
        save_checkpoint(model, out, record)
    except ModelSATError as exc:
        raise fail(exc) from exc
    console.print(report_table(summary, fitted.scale, fitted.bias))
    console.print(
        f"calibration scale={fitted.scale:.4f} bias={fitted.bias:+.4f} on {len(pairs)} validation pairs "
        f"(in-sample ECE; `benchmarks/calibration.py` measures the test questions) -> router saved in {out}"
    )


def spread_per_dataset(questions_of: OutcomeMatrix, questions: int | None) -> list[str]:
    """The ids of `questions_of`, at most `questions` per dataset spread evenly over its list."""
    from router_core.training.trainer import spread

    by_dataset: dict[str, list[str]] = {}
    for ins in questions_of.instructions:
        by_dataset.setdefault(ins.dataset or "", []).append(ins.id)
    return [i for ids in by_dataset.values() for i in spread(ids, questions)]


def source_weights(datasets: list[str]) -> np.ndarray:
    """A weight per pair such that each dataset's pairs sum to the same total."""
    _, index, counts = np.unique(np.asarray(datasets), return_inverse=True, return_counts=True)
    return 1.0 / counts[index]


def summarise(
    before: np.ndarray,
    after: np.ndarray,
    targets: np.ndarray,
    datasets: list[str],
    bins: int,
) -> dict[str, dict[str, float]]:
    """Overall (`ALL`) and per dataset: pairs, mean score, mean Pr(Yes) and ECE before and after."""
    ece_before = ece_by_group(before, targets, datasets, bins, overall=ALL)
    ece_after = ece_by_group(after, targets, datasets, bins, overall=ALL)
    labels = np.asarray(datasets)
    out = {}
    for name in ece_before:
        mask = np.ones(len(labels), bool) if name == ALL else labels == name
        out[name] = {
            "pairs": int(mask.sum()),
            "mean_score": float(targets[mask].mean()),
            "mean_pr_yes_before": float(before[mask].mean()),
            "mean_pr_yes_after": float(after[mask].mean()),
            "ece_before": ece_before[name],
            "ece_after": ece_after[name],
        }
    return out


def report_table(summary: dict[str, dict[str, float]], scale: float, bias: float) -> Table:
    table = Table(title=f"calibration on validation pairs: Pr(Yes) = sigmoid({scale:.3f} z {bias:+.3f})")
    for column in ("dataset", "pairs", "mean score", "mean Pr(Yes) before", "after", "ECE before", "after"):
        table.add_column(column, justify="left" if column == "dataset" else "right")
    for name, row in summary.items():
        table.add_row(
            name,
            str(row["pairs"]),
            f"{row['mean_score']:.3f}",
            f"{row['mean_pr_yes_before']:.3f}",
            f"{row['mean_pr_yes_after']:.3f}",
            f"{row['ece_before']:.3f}",
            f"{row['ece_after']:.3f}",
        )
    return table
