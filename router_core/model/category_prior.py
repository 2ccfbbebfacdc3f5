"""Card category prior: the card's accuracy on the instruction's kind of task, as a logit offset.

The router LLM reads a card through a few pooled tokens. Trained on a zoo's cards it learns those
cards better than it learns to read cards, and on a new model's card it falls short of a plain
lookup of the card's accuracy on the instruction's kind of task. The prior adds that lookup to
the Yes-minus-No logit: a linear classifier on psi(instruction) gives Pr(c | x) over categories,
each aptitude task belongs to one category, and with C_m the categories m's card measured,

    coverage(x, m) = sum_{c in C_m} Pr(c | x)
    prior(x, m)    = weight * logit( sum_{c in C_m} Pr(c | x) * accuracy_m(c) / coverage(x, m) )
                     + log coverage(x, m)

The first term is the card's evidence where it has any; the second, never scaled by the tuned
weight, is the log-probability that the instruction is of a kind the card measured at all. So a
partial card (a chat model measured on open-ended requests only) falls far behind on a math
question: validation cannot tune this, since no source holds outcomes for what a model was
never measured on, so it is fixed by design, as the card-lookup baseline ranks such cards last.

The trainer fits one category per aptitude task (`router_core/training/prior.py`); routers
fitted before test v3 grouped tasks by MMLU-Pro category, which this module still reads. A model
still enters only through its card, so the router keeps scoring models it never saw.
"""

from __future__ import annotations

import math
from collections import defaultdict

import torch
from torch import nn

from router_core.cards.card import CapabilityCard
from router_core.model.config import CategoryPriorSettings

PROBABILITY_FLOOR = 0.01
"""Keeps the logs finite: a card with 0% or 100% on a category, an instruction of no kind a card measured."""


class CategoryPrior(nn.Module):
    def __init__(self, settings: CategoryPriorSettings, encoder_width: int) -> None:
        super().__init__()
        self.settings = settings
        self.head = nn.Linear(encoder_width, len(settings.categories))

    def card_accuracy(self, card: CapabilityCard) -> torch.Tensor:
        """Mean task accuracy per category; NaN where the card has no task of a category (a
        partial card: the model was never measured there, and its mean over other families
        would credit, say, a chat model's judged preference as skill at math)."""
        by_category: dict[str, list[float]] = defaultdict(list)
        for score in card.scores:
            category = self.settings.task_categories.get(score.task)
            if category is not None:
                by_category[category].append(score.accuracy)
        values = [
            sum(by_category[c]) / len(by_category[c]) if by_category[c] else math.nan
            for c in self.settings.categories
        ]
        return torch.tensor(values, device=self.head.weight.device)

    def category_probabilities(self, instruction_vectors: torch.Tensor) -> torch.Tensor:
        return self.head(instruction_vectors.to(self.head.weight.dtype)).softmax(-1)

    def forward(self, instruction_vectors: torch.Tensor, card_accuracy: torch.Tensor) -> torch.Tensor:
        """(n_instructions, n_cards) logit offsets from psi encodings (n, width) and the cards'
        `card_accuracy` rows (m, n_categories)."""
        probabilities = self.category_probabilities(instruction_vectors)
        accuracy, measured = _known(card_accuracy, probabilities.dtype)
        return self._offset(probabilities @ accuracy.T, probabilities @ measured.T)

    def pair_offsets(self, instruction_vectors: torch.Tensor, card_accuracy: torch.Tensor) -> torch.Tensor:
        """One offset per (instruction, card) pair, row i with row i (the training path)."""
        probabilities = self.category_probabilities(instruction_vectors)
        accuracy, measured = _known(card_accuracy, probabilities.dtype)
        return self._offset((probabilities * accuracy).sum(-1), (probabilities * measured).sum(-1))

    def _offset(self, credited: torch.Tensor, coverage: torch.Tensor) -> torch.Tensor:
        """weight * logit(evidence) + log coverage, from the probability mass times accuracy on
        measured categories (`credited`) and the mass on measured categories (`coverage`)."""
        coverage = coverage.clamp(PROBABILITY_FLOOR, 1.0)
        evidence = (credited / coverage).clamp(PROBABILITY_FLOOR, 1 - PROBABILITY_FLOOR)
        return (self.settings.weight * (evidence.log() - (-evidence).log1p()) + coverage.log()).float()


def _known(card_accuracy: torch.Tensor, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """The cards' accuracies with 0 where unmeasured, and 1 where measured, 0 where not."""
    accuracy = card_accuracy.to(dtype)
    return accuracy.nan_to_num(0.0), (~accuracy.isnan()).to(dtype)
