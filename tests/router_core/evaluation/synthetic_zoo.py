"""A synthetic zoo where the right model depends on the instruction's category.

Four categories with their own vocabulary, so the weight-free `HashingEmbedder` separates them;
each model is strong on some categories and weak on others, and its card says so. `mathstral-7B`
is one of the held-out models of zoos.yaml, so the `models` split keeps it out of training.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from router_core.cards.card import CapabilityCard, ModelFacts, TaskScore
from router_core.data.outcomes import Instruction, OutcomeMatrix

CATEGORIES = ("math", "law", "biology", "history")
VOCABULARY = {
    "math": "integral derivative matrix polynomial theorem equation algebra prime vector calculus",
    "law": "court statute plaintiff contract tort appeal judge verdict jurisdiction liability",
    "biology": "cell protein enzyme gene species membrane organism evolution mitochondria tissue",
    "history": "empire treaty dynasty revolution medieval colonial monarchy war century parliament",
}
# chance of a correct answer per category (math, law, biology, history), and price in USD / 1M tokens
PROFILES = {
    "mathstral-7B": ((0.95, 0.15, 0.25, 0.15), 0.3),  # held out in the `models` split
    "stem-whiz": ((0.8, 0.15, 0.8, 0.2), 0.4),
    "law-whiz": ((0.15, 0.95, 0.25, 0.5), 0.2),
    "bio-whiz": ((0.35, 0.2, 0.95, 0.3), 0.2),
    "generalist": ((0.55, 0.55, 0.55, 0.55), 1.0),
    "weak": ((0.1, 0.1, 0.1, 0.1), 0.1),
}
MODELS = tuple(PROFILES)
HELD_OUT = "mathstral-7B"


def synthetic_outcomes(per_category: int = 100, seed: int = 0) -> OutcomeMatrix:
    rng = np.random.default_rng(seed)
    instructions, scores = [], []
    for c, category in enumerate(CATEGORIES):
        words = VOCABULARY[category].split()
        for i in range(per_category):
            text = f"Question {i}: " + " ".join(rng.choice(words, size=8)) + "?"
            instructions.append(
                Instruction(
                    id=f"{category}-{i}",
                    text=text,
                    category=category,
                    family="stem" if category in ("biology", "math") else "humanities",
                )
            )
            scores.append([float(rng.random() < PROFILES[m][0][c]) for m in MODELS])
    scores_array = np.array(scores, dtype=np.float32)
    return OutcomeMatrix(instructions, list(MODELS), scores_array, np.ones_like(scores_array, dtype=bool))


def synthetic_cards() -> dict[str, CapabilityCard]:
    cards = {}
    for model, (accuracy, price) in PROFILES.items():
        scores = [
            TaskScore(
                task=category, description=f"{category.title()}, {VOCABULARY[category][:30]}", accuracy=a
            )
            for category, a in zip(CATEGORIES, accuracy, strict=True)
        ]
        cards[model] = CapabilityCard(
            model=model,
            aptitude_version="synthetic",
            scores=scores,
            facts=ModelFacts(input_price=price, output_price=price),
        )
    return cards


def write_wide_csv(outcomes: OutcomeMatrix, path: Path) -> Path:
    lines = [",".join(["question_id", "text", "category", *outcomes.models])]
    for i, ins in enumerate(outcomes.instructions):
        row = zip(outcomes.scores[i], outcomes.observed[i], strict=True)
        cells = [f"{s:g}" if seen else "" for s, seen in row]
        lines.append(",".join([ins.id, ins.text, ins.category or "", *cells]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
