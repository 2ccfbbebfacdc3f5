"""What each part of the shipped router contributes: the LLM part alone (prior removed), the card
category prior alone (LLM removed), and both (the shipped score), routed on the validation and
the test questions of every named zoo, plus the validation routing among the training models.

The LLM logits are computed once with the prior removed and the prior's offsets separately, so
the three rows share every number they have in common.

    .venv/bin/python benchmarks/prior_ablation.py --data ../shared/data/mmlu-pro
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import torch
import typer
from rich.console import Console
from rich.table import Table

from router_core.cards.aptitude import load_aptitude_test
from router_core.cards.card import load_cards
from router_core.data import load_outcomes
from router_core.data.outcomes import OutcomeMatrix
from router_core.evaluation.metrics import route, routed_accuracy
from router_core.model.checkpoint import load_checkpoint
from router_core.training.prior import encode_instructions
from router_core.zoos.catalog import load_zoo_file
from router_core.zoos.splits import split_questions, training_models


def routed(questions: OutcomeMatrix, scores: np.ndarray, columns: list[int]) -> float:
    """Accuracy when each question goes to its best-scored model that answered it."""
    zoo = questions.scores[:, columns], questions.observed[:, columns]
    return 100 * routed_accuracy(zoo[0], route(scores[:, columns], zoo[1]))


def main(
    data: Annotated[Path, typer.Option(help="MMLU-Pro outputs folder.")],
    checkpoint: Annotated[Path | None, typer.Option(help="Router with a prior (default: shipped).")] = None,
) -> None:
    outcomes, cards = load_outcomes(data), load_cards()
    model = load_checkpoint(checkpoint)
    prior = model.prior
    if prior is None:
        raise typer.BadParameter("this checkpoint has no category prior", param_hint="--checkpoint")
    model.set_category_prior(None, {})
    split = split_questions(outcomes, load_aptitude_test())
    zoo_file = load_zoo_file()
    zoos = {name: zoo_file.resolve(name, outcomes.models) for name in ("small", "mixed", "large", "all")}
    zoos["training models"] = training_models(outcomes)
    table = Table(title="routed accuracy %, by part of the score")
    for column in ("questions", "score", *zoos):
        table.add_column(column)
    accuracy = torch.stack([prior.card_accuracy(cards[m]) for m in outcomes.models])
    states = [model.card_state(cards[m]) for m in outcomes.models]
    columns = {z: [outcomes.model_index(m) for m in models] for z, models in zoos.items()}
    for name, ids in (("validation", split.validation), ("test", split.test)):
        questions = outcomes.select(instruction_ids=ids)
        texts = [ins.routing_text for ins in questions.instructions]
        llm = model.score_logits(texts, states, progress=True).numpy()
        with torch.inference_mode():
            offsets = prior(encode_instructions(model, texts), accuracy).numpy()
        for label, scores in (("LLM part", llm), ("prior", offsets), ("both (shipped)", llm + offsets)):
            table.add_row(name, label, *(f"{routed(questions, scores, c):.1f}" for c in columns.values()))
    Console().print(table)


if __name__ == "__main__":
    typer.run(main)
