"""Model-SAT against fixed methods at equal cost, from a `modelsat eval --json` result.

For each split and zoo, every other method is one (mean price, routed score) point. Model-SAT's
cost-aware policy traces a curve of such points (its accuracy-cost curve, `Evaluation.curve`);
this prints Model-SAT's score at each method's price (linear between the curve's points) and
the difference: the comparison a user of LiteLLM's complexity method cares about, since its
tiers spend a fixed budget. Run the eval with priced zoos so that the curves exist:

    modelsat eval --data ../shared/data/llmrouter --cards router_core/cards/definitions/cards-v3.json \\
        --method modelsat,best-single,card-lookup,litellm-complexity,litellm-complexity-dear \\
        --zoo llmrouter --split test --json runs/eval.json
    .venv/bin/python benchmarks/equal_cost.py runs/eval.json
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from router_core.evaluation.evaluate import Evaluation, EvaluationResult

MODELSAT = "modelsat"


def accuracy_at(curve_owner: Evaluation, cost: float) -> float | None:
    """The owner's curve read at `cost` (None outside the costs the curve spans)."""
    points = sorted((p.cost, p.accuracy) for p in curve_owner.curve or [])
    if not points or not points[0][0] <= cost <= points[-1][0]:
        return None
    costs, accuracies = zip(*points, strict=True)
    return float(np.interp(cost, costs, accuracies))


def main(result_json: Annotated[Path, typer.Argument(help="The JSON of `modelsat eval --json`.")]) -> None:
    result = EvaluationResult.model_validate_json(result_json.read_text(encoding="utf-8"))
    table = Table(title="Model-SAT at the price of each other method (scores in %)")
    for column in (
        "split",
        "zoo",
        "method",
        "its price $/1M",
        "its score",
        "Model-SAT at that price",
        "difference",
    ):
        table.add_column(column)
    for ours in (e for e in result.evaluations if e.method == MODELSAT):
        for other in result.evaluations:
            if (other.split, other.zoo) != (ours.split, ours.zoo) or other.method == MODELSAT:
                continue
            price = other.overall.cost
            mine = None if price is None else accuracy_at(ours, price)
            table.add_row(
                ours.split,
                ours.zoo,
                other.method,
                "-" if price is None else f"{price:.3f}",
                f"{other.overall.routed * 100:.1f}",
                "-" if mine is None else f"{mine * 100:.1f}",
                "-" if mine is None else f"{(mine - other.overall.routed) * 100:+.1f}",
            )
    Console(width=200).print(table)


if __name__ == "__main__":
    typer.run(main)
