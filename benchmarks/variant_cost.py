"""What one scoring call and one training step cost for the encoder (default) and the text-only
variant of the router, on this machine: the measurement behind "the text-only variant does not
train on this CPU" in docs/benchmarks.md (Reference: the MMLU-Pro-only router, issue 4).

Both variants are freshly built from the default configuration (weights do not change the cost).
Scoring: 8 MMLU-Pro questions x the 5 cards of the `small` zoo. Training: one step of the default
8 groups x 8 pairs, without the frozen-prefix cache, so that both variants run the same sequence.

    .venv/bin/python benchmarks/variant_cost.py --data ../shared/data/mmlu-pro
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Annotated

import torch
import typer

from router_core.cards.card import load_cards
from router_core.data import load_outcomes
from router_core.model.config import NetworkConfig
from router_core.model.inference import ModelSATScorer
from router_core.model.network import ModelSATModel
from router_core.training.config import TrainConfig
from router_core.training.groups import GroupSampler
from router_core.training.trainer import TrainingData, group_loss
from router_core.zoos.catalog import load_zoo_file
from router_core.zoos.splits import training_models


def main(data: Annotated[Path, typer.Option(help="MMLU-Pro outputs folder.")]) -> None:
    torch.manual_seed(0)
    outcomes, cards = load_outcomes(data), load_cards()
    questions = [ins.routing_text for ins in outcomes.instructions[:8]]
    zoo = [cards[m] for m in load_zoo_file().resolve("small", outcomes.models)]
    train = outcomes.select(models=training_models(outcomes), instruction_ids=outcomes.ids[:400])
    sampler = GroupSampler.from_config(train, TrainConfig())
    for name, router in (("encoder (default)", NetworkConfig()), ("text-only", NetworkConfig(encoder=None))):
        model = ModelSATModel.build(router, device="cpu")
        scorer = ModelSATScorer(model)
        scorer.score(questions[:1], zoo[:1])  # warm-up
        started = time.perf_counter()
        scorer.score(questions, zoo)
        per_pair = (time.perf_counter() - started) / (len(questions) * len(zoo))
        print(f"{name}: scoring: {1000 * per_pair:.0f} ms per pair")

        config = TrainConfig(network=router)
        batch = TrainingData(train=train, validation=train, cards=cards)
        optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
        model.train()
        started = time.perf_counter()
        loss = group_loss(model, sampler.sample(step=0, count=8), batch, config, random.Random(0))
        loss.backward()
        optimizer.step()
        print(f"{name}: one training step (64 pairs): {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    typer.run(main)
