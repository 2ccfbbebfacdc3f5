"""Is the multi-domain router as good on MMLU-Pro as the MMLU-Pro-only router it replaces?

Both routers route the same held-out MMLU-Pro questions: those in the test split of both
aptitude tests (each test keeps its own items in training), over each zoo, each reading the
cards of its own test. Prints routed accuracy, the best single model, and the difference
between the routers with a paired bootstrap 95% interval, the noise that decides "within noise".

    .venv/bin/python benchmarks/mmlu_pro_regression.py --data ../shared/data/mmlu-pro \\
        --old runs/v2-default --new router_core/checkpoints/default
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from router_core.cards.aptitude import load_aptitude_test
from router_core.cards.card import shipped_cards
from router_core.data import load_outcomes
from router_core.evaluation.metrics import route
from router_core.methods import make_method
from router_core.zoos.catalog import load_zoo_file
from router_core.zoos.splits import split_questions

BOOTSTRAP = 2000


def routed_scores(checkpoint: Path, version: str, outcomes, models: list[str]) -> np.ndarray:
    """Each question's score under the router's choice among `models` (0 where it chose no answerer)."""
    cards = shipped_cards(version)
    router = make_method("modelsat", checkpoint=str(checkpoint))
    scores = router.score([ins.routing_text for ins in outcomes.instructions], [cards[m] for m in models])
    choices = route(scores, outcomes.observed).choices
    return np.where(choices >= 0, outcomes.scores[np.arange(len(choices)), choices], 0.0)


def main(
    data: Annotated[Path, typer.Option(help="MMLU-Pro outputs folder.")],
    old: Annotated[Path, typer.Option(help="The router to compare with (reads --old-test cards).")],
    new: Annotated[Path, typer.Option(help="The multi-domain router (reads v3 cards).")],
    zoos: Annotated[str, typer.Option(help="Named zoos, comma-separated.")] = "small,mixed",
    old_test: Annotated[
        str, typer.Option(help="The aptitude test whose cards the old router reads (v3: two v3 routers).")
    ] = "mmlu-pro-v2",
) -> None:
    outcomes = load_outcomes(data)
    common = set(split_questions(outcomes, load_aptitude_test(old_test)).test) & set(
        split_questions(outcomes, load_aptitude_test("v3")).test
    )
    ids = [i for i in outcomes.ids if i in common]
    table = Table(title=f"MMLU-Pro, {len(ids)} held-out questions in both test splits (accuracy in %)")
    for column in ("zoo", "best single", "old router", "new router", "new - old", "95% interval"):
        table.add_column(column)
    rng = np.random.default_rng(0)
    for zoo in zoos.split(","):
        models = load_zoo_file().resolve(zoo, outcomes.models)
        part = outcomes.select(models=models, instruction_ids=ids)
        before = routed_scores(old, old_test, part, models)
        after = routed_scores(new, "v3", part, models)
        best = (part.scores.sum(0) / np.maximum(part.observed.sum(0), 1)).max()
        draws = rng.integers(0, len(ids), size=(BOOTSTRAP, len(ids)))
        differences = (after[draws] - before[draws]).mean(axis=1)
        low, high = np.percentile(differences, [2.5, 97.5])
        table.add_row(
            zoo,
            f"{best * 100:.1f}",
            f"{before.mean() * 100:.1f}",
            f"{after.mean() * 100:.1f}",
            f"{(after.mean() - before.mean()) * 100:+.1f}",
            f"[{low * 100:+.1f}, {high * 100:+.1f}]",
        )
    Console(width=160).print(table)


if __name__ == "__main__":
    typer.run(main)
