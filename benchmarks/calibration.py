"""Calibration of a router's Pr(Yes) on the TEST questions: ECE per dataset, per family and per
model group (training / held-out models), raw and calibrated, and one reliability diagram per
dataset. Every number printed is measured here; nothing is written in by hand.

Each dataset's test questions are scored against the models it measured (and that have a card),
observed pairs only, against their graded outcomes (scores in [0, 1]). "raw" is sigmoid of the
Yes-minus-No logit; "calibrated" goes through the checkpoint's `config.calibration` (the same as
raw for a router without one; fit one with `modelsat calibrate`).

    .venv/bin/python benchmarks/calibration.py --data ../shared/data/mmlu-pro \
        --data ../shared/data/llmrouter --data ../shared/data/alpaca-eval \
        --checkpoint runs/calibrated --out calibration.png [--questions 300]
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from router_core.cards.card import cards_aptitude_test, load_cards
from router_core.cli.calibrate_cmd import spread_per_dataset
from router_core.data import load_outcomes
from router_core.evaluation.calibration import expected_calibration_error, reliability_bins
from router_core.model.calibration import pr_yes
from router_core.model.checkpoint import load_checkpoint
from router_core.model.inference import ModelSATScorer
from router_core.training.calibration import CalibrationPairs, calibration_pairs
from router_core.zoos.splits import held_out_models, split_questions, training_models

console = Console()


def groups(pairs: CalibrationPairs) -> dict[str, np.ndarray]:
    """Masks over the pairs: all, each dataset, each family, training and held-out models."""
    out = {"(all)": np.ones(len(pairs), bool)}
    datasets, families, models = (np.asarray(x) for x in (pairs.datasets, pairs.families, pairs.models))
    out |= {f"dataset {name}": datasets == name for name in dict.fromkeys(pairs.datasets)}
    out |= {f"family {name}": families == name for name in sorted(set(pairs.families))}
    held = np.isin(models, held_out_models())
    out |= {"training models": ~held, "held-out models": held}
    return {name: mask for name, mask in out.items() if mask.any()}


def measure(raw: np.ndarray, calibrated: np.ndarray, targets: np.ndarray, bins: int) -> dict[str, dict]:
    return {
        "pairs": int(targets.size),
        "mean_score": float(targets.mean()),
        "mean_pr_yes_raw": float(raw.mean()),
        "mean_pr_yes_calibrated": float(calibrated.mean()),
        "ece_raw": expected_calibration_error(raw, targets, bins),
        "ece_calibrated": expected_calibration_error(calibrated, targets, bins),
    }


def plot(
    pairs: CalibrationPairs, raw: np.ndarray, calibrated: np.ndarray, bins: int, path: Path, title: str
) -> None:
    """One panel per dataset: mean score per bin of calibrated Pr(Yes) (bars, pair counts on top),
    raw Pr(Yes) as an outline, and the diagonal a calibrated router sits on."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(dict.fromkeys(pairs.datasets))
    fig, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 4.4), squeeze=False)
    datasets, targets = np.asarray(pairs.datasets), pairs.targets
    width = 1 / bins
    for ax, name in zip(axes[0], names, strict=True):
        mask = datasets == name
        for probs, style in (
            (raw[mask], dict(fill=False, edgecolor="tab:gray", linestyle="--", label="raw")),
            (calibrated[mask], dict(color="tab:blue", alpha=0.75, label="calibrated")),
        ):
            table = [b for b in reliability_bins(probs, targets[mask], bins) if b.count]
            lower, means = [b.lower for b in table], [b.mean_target for b in table]
            bars = ax.bar(lower, means, width, align="edge", **style)
            if style["label"] == "calibrated":
                ax.bar_label(bars, labels=[str(b.count) for b in table], fontsize=7, padding=1)
        ax.plot([0, 1], [0, 1], color="black", linewidth=1, label="perfect calibration")
        ece_raw = expected_calibration_error(raw[mask], targets[mask], bins)
        ece = expected_calibration_error(calibrated[mask], targets[mask], bins)
        ax.set_title(f"{name}: ECE {ece:.3f} (raw {ece_raw:.3f})\n{int(mask.sum())} pairs", fontsize=9)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.08)
        ax.set_xlabel("Pr(Yes)")
        ax.set_ylabel("mean score of the pairs in the bin")
    axes[0][0].legend(fontsize=7, loc="upper left")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main(
    data: Annotated[list[Path], typer.Option("--data", help="Outcome sources; repeat to combine.")],
    checkpoint: Annotated[Path | None, typer.Option(help="Router folder (default: the shipped one).")] = None,
    cards: Annotated[Path | None, typer.Option(help="Card file (default: the shipped cards).")] = None,
    out: Annotated[Path, typer.Option(help="Reliability diagram PNG; numbers next to it (.json).")] = Path(
        "calibration.png"
    ),
    questions: Annotated[
        int | None, typer.Option(min=1, help="At most N test questions per dataset, spread evenly.")
    ] = None,
    training_models_only: Annotated[bool, typer.Option(help="Score the training models only.")] = False,
    bins: Annotated[int, typer.Option(min=2)] = 10,
    device: Annotated[str | None, typer.Option(help="cuda, mps or cpu.")] = None,
    trust_remote_code: Annotated[bool, typer.Option("--trust-remote-code")] = False,
) -> None:
    outcomes, card_set = load_outcomes(data), load_cards(cards)
    split = split_questions(outcomes, cards_aptitude_test(list(card_set.values())))
    ids = spread_per_dataset(outcomes.select(instruction_ids=split.test), questions)
    models = training_models(outcomes) if training_models_only else outcomes.models
    test = outcomes.select(models=[m for m in models if m in card_set], instruction_ids=ids)
    model = load_checkpoint(checkpoint, device=device, allow_remote_code=trust_remote_code)
    pairs = calibration_pairs(ModelSATScorer(model), test, card_set, log=console.print)
    calibration = model.config.calibration
    raw, calibrated = pr_yes(pairs.logits, None), pr_yes(pairs.logits, calibration)
    results = {
        name: measure(raw[mask], calibrated[mask], pairs.targets[mask], bins)
        for name, mask in groups(pairs).items()
    }
    label = "none" if calibration is None else f"scale {calibration.scale:.3f}, bias {calibration.bias:+.3f}"
    table = Table(title=f"test questions, {len(ids)} of them; calibration: {label}", title_justify="left")
    columns = ("pairs of", "pairs", "mean score", "mean Pr(Yes) raw", "calibrated", "ECE raw", "calibrated")
    for column in columns:
        table.add_column(column, justify="left" if column == "pairs of" else "right")
    keys = ("mean_score", "mean_pr_yes_raw", "mean_pr_yes_calibrated", "ece_raw", "ece_calibrated")
    for name, row in results.items():
        table.add_row(name, str(row["pairs"]), *(f"{row[key]:.3f}" for key in keys))
    console.print(table)
    router = checkpoint.name if checkpoint else "shipped router"
    plot(pairs, raw, calibrated, bins, out, f"{router}, test questions\ncalibration: {label}")
    record = {
        "checkpoint": str(checkpoint) if checkpoint else "shipped",
        "calibration": None if calibration is None else calibration.model_dump(),
        "questions": len(ids),
        "bins": bins,
        "models": test.models,
        "groups": results,
    }
    out.with_suffix(".json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    console.print(f"reliability diagram -> {out}; numbers -> {out.with_suffix('.json')}")


if __name__ == "__main__":
    typer.run(main)
