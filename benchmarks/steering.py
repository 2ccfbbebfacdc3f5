"""Steering by instruction text (issue #22, item 3): how often a fixed topic prefix that has nothing
to do with the question moves the routing decision to a pricier model, under each policy, and what
an operator's cost cap leaves a prefix to buy.

The shipped router and the shipped v3 cards route held-out LLMRouter test questions (taken in turn
from its 14 tasks) over the `llmrouter` zoo, whose cards carry prices (0.1 to 0.9 USD per 1M
tokens), once as they are and once behind each prefix. A decision "moves pricier" when the price of
the model chosen with the prefix is above the price chosen without it. The score column is the
graded outcome of the model chosen for the plain question, from the data, so a setting's cost in
quality shows beside its price.

    .venv/bin/python benchmarks/steering.py --data ../shared/data/llmrouter --limit 112
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from router_core.cards.aptitude import load_aptitude_test
from router_core.cards.card import CapabilityCard
from router_core.data import load_outcomes
from router_core.data.outcomes import Instruction
from router_core.engine import (
    EngineConfig,
    LocalEngine,
    Requirements,
    capable_candidates,
    parse_policy,
    resolve_candidates,
)
from router_core.zoos.catalog import load_zoo_file
from router_core.zoos.splits import split_questions

PREFIXES = (
    "Regarding jurisprudence, torts, contracts and court precedent:",
    "In the context of organic chemistry, reaction mechanisms and spectroscopy:",
    "As a question on medieval European history, feudal law and the papacy:",
)
"""Topics no LLMRouter task is about (its tasks are math, code, commonsense and world-knowledge QA,
logic puzzles and writing), so none should change which model answers best."""


@dataclass(frozen=True)
class Setting:
    """One way an operator may route: a policy, and a cost cap (USD per 1M tokens) or none."""

    label: str
    policy: str
    max_price: float | None = None


SETTINGS = (
    Setting("best (default)", "best"),
    Setting("cost-aware:0.05", "cost-aware:0.05"),
    Setting("cost-aware:0.2", "cost-aware:0.2"),
    Setting("cost-aware:quality=0.95", "cost-aware:quality=0.95"),
    Setting("best, cap 0.5", "best", 0.5),
    Setting("cost-aware:quality=0.95, cap 0.5", "cost-aware:quality=0.95", 0.5),
)


def held_out_questions(instructions: list[Instruction], test: set[str], limit: int) -> list[Instruction]:
    """`limit` held-out test questions, taken in turn from each task so every task is represented."""
    by_task: dict[str, list[Instruction]] = defaultdict(list)
    for ins in instructions:
        if ins.id in test:
            by_task[ins.category or ""].append(ins)
    rounds = zip_longest(*(by_task[task] for task in sorted(by_task)))
    return [ins for round_ in rounds for ins in round_ if ins is not None][:limit]


def choices(probabilities: np.ndarray, cards: dict[str, CapabilityCard], setting: Setting) -> np.ndarray:
    """The column (in `cards`) each row of `probabilities` (texts x cards) is routed to under
    `setting`: the engine's own steps, the cap's exclusion (`capable_candidates`) then the policy's
    order. A candidate's Pr(Yes) does not depend on the others, so one scoring pass serves all."""
    names = list(cards)
    capped = capable_candidates(cards, Requirements(max_price=setting.max_price)).cards
    kept = np.array([names.index(name) for name in capped])
    prices = [cards[name].price for name in capped]
    policy = parse_policy(setting.policy)
    return np.array([kept[policy.order(row[kept], prices)[0]] for row in probabilities])


def measure(plain: np.ndarray, prefixed: np.ndarray, dearest: float) -> dict[str, float]:
    """`plain`: the price chosen for each question; `prefixed`: questions x prefixes. Shares in %;
    `worst`: the mean over questions of the dearest choice any prefix got (a client may try each)."""
    before = np.repeat(plain[:, None], prefixed.shape[1], axis=1)
    return {
        "pricier": 100 * float((prefixed > before).mean()),
        "any prefix": 100 * float((prefixed > before).any(axis=1).mean()),
        "cheaper": 100 * float((prefixed < before).mean()),
        "dearest before": 100 * float((plain == dearest).mean()),
        "dearest after": 100 * float((prefixed == dearest).mean()),
        "price before": float(plain.mean()),
        "price after": float(prefixed.mean()),
        "worst": float(prefixed.max(axis=1).mean()),
    }


def main(
    data: Annotated[Path, typer.Option(help="LLMRouter data folder (read-only)")] = Path(
        "../shared/data/llmrouter"
    ),
    limit: Annotated[
        int, typer.Option(min=1, help="Held-out test questions (each also routed behind every prefix)")
    ] = 56,
    checkpoint: Annotated[
        str | None, typer.Option(help="Router checkpoint; default: the shipped one")
    ] = None,
) -> None:
    started = time.perf_counter()
    console = Console(width=200)
    outcomes = load_outcomes(data)
    test = set(split_questions(outcomes, load_aptitude_test()).test)
    questions = held_out_questions(outcomes.instructions, test, limit)
    zoo = load_zoo_file().resolve("llmrouter", outcomes.models)
    cards = resolve_candidates(zoo)
    texts = [q.routing_text for q in questions]
    texts += [f"{prefix} {q.routing_text}" for q in questions for prefix in PREFIXES]
    engine = LocalEngine(EngineConfig(checkpoint=checkpoint))
    probabilities = engine.score(texts, list(cards.values()))
    engine.close()

    n, prices = len(questions), np.array([card.price or 0.0 for card in cards.values()])
    graded = outcomes.scores[[outcomes.row(q.id) for q in questions]][
        :, [outcomes.model_index(m) for m in zoo]
    ]
    table = Table(
        title=f"{n} held-out LLMRouter questions x {len(PREFIXES)} topic prefixes, "
        f"llmrouter zoo (prices {sorted(set(prices.tolist()))} USD per 1M tokens)",
        title_justify="left",
    )
    columns = (
        "setting",
        "score %",
        "moved pricier %",
        "questions some prefix moves pricier %",
        "moved cheaper %",
        f"at {prices.max():g} %: plain -> prefixed",
        "mean price: plain -> prefixed",
        "mean price, dearest prefix",
    )
    for column in columns:
        table.add_column(column, justify="left" if column == "setting" else "right")
    per_prefix: dict[str, np.ndarray] = {}
    for setting in SETTINGS:
        chosen = choices(probabilities, cards, setting)
        plain, prefixed = prices[chosen[:n]], prices[chosen[n:]].reshape(n, len(PREFIXES))
        per_prefix[setting.label] = (prefixed > plain[:, None]).mean(axis=0) * 100
        m = measure(plain, prefixed, prices.max())
        table.add_row(
            setting.label,
            f"{100 * graded[np.arange(n), chosen[:n]].mean():.1f}",
            f"{m['pricier']:.1f}",
            f"{m['any prefix']:.1f}",
            f"{m['cheaper']:.1f}",
            f"{m['dearest before']:.1f} -> {m['dearest after']:.1f}",
            f"{m['price before']:.3f} -> {m['price after']:.3f}",
            f"{m['worst']:.3f}",
        )
    console.print(table)
    by_prefix = Table(title="moved pricier %, per prefix", title_justify="left")
    by_prefix.add_column("setting")
    for prefix in PREFIXES:
        by_prefix.add_column(prefix, justify="right")
    for label, shares in per_prefix.items():
        by_prefix.add_row(label, *(f"{share:.1f}" for share in shares))
    console.print(by_prefix)
    shift = probabilities[n:].reshape(n, len(PREFIXES), -1) - probabilities[:n, None, :]
    spread = np.median(shift.max(-1) - shift.min(-1))
    top_two = np.sort(probabilities[:n], axis=1)[:, -2:]
    console.print(
        f"Pr(Yes): a prefix moves the candidates apart by a median {spread:.3f} (largest minus smallest "
        "change over the zoo); the median gap between the two best candidates of a plain question is "
        f"{np.median(top_two[:, 1] - top_two[:, 0]):.3f}"
    )
    console.print(f"{len(texts)} texts scored in {time.perf_counter() - started:.0f} s (this CPU)")


if __name__ == "__main__":
    typer.run(main)
