"""Fit the card category prior of a trained router (see `router_core/model/category_prior.py`).

Runs after capability instruction tuning, on the same data the trainer may see. The prior's
categories are the aptitude test's tasks: the instruction classifier learns which task an
instruction resembles from the test's own items (shipped with the test, so a task whose family
no training question covers is learned too: a card's evidence about it stays usable) and from the
training questions of each task's source. Classes are weighted evenly, since users' traffic has
its own mix of tasks, not the training data's. The prior's weight is the one with the best routed
accuracy on the validation questions (0 turns the prior off).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from tqdm import tqdm

from router_core.cards.aptitude import AptitudeTest
from router_core.cards.task_examples import task_examples, task_labels
from router_core.data.outcomes import OutcomeMatrix
from router_core.errors import ConfigError
from router_core.evaluation.metrics import route, routed_accuracy
from router_core.model.category_prior import CategoryPrior
from router_core.model.config import CategoryPriorSettings
from router_core.model.network import ModelSATModel

WEIGHTS = (0.5, 1.0, 2.0, 4.0)
CLASSIFIER_C = 10.0  # psi encodings are unit vectors: a weak penalty lets the classes separate


def encode_instructions(model: ModelSATModel, texts: Sequence[str], batch_size: int = 64) -> torch.Tensor:
    """psi encodings of many instructions, with a progress bar."""
    chunks = []
    with torch.inference_mode():
        for start in tqdm(range(0, len(texts), batch_size), desc="encoding instructions", leave=False):
            chunks.append(model.encoder.encode_instructions(list(texts[start : start + batch_size])))
    return torch.cat(chunks)


def softmax_head(classifier: LogisticRegression) -> dict[str, torch.Tensor]:
    """The classifier as a linear layer whose softmax gives its class probabilities (a binary
    classifier has one row, for the second class: the first class's row is then zero)."""
    weight, bias = classifier.coef_, classifier.intercept_
    if len(classifier.classes_) == 2:
        weight, bias = np.vstack([np.zeros_like(weight), weight]), np.concatenate([[0.0], bias])
    return {
        "head.weight": torch.tensor(weight, dtype=torch.float32),
        "head.bias": torch.tensor(bias, dtype=torch.float32),
    }


def fit_classifier(
    model: ModelSATModel, train: OutcomeMatrix, aptitude: AptitudeTest
) -> tuple[CategoryPriorSettings, dict[str, torch.Tensor]]:
    """The instruction classifier over the aptitude tasks, and the prior's settings at weight 1."""
    texts, tasks = task_examples(train, aptitude)
    if len(set(tasks)) < 2:
        raise ConfigError("the category prior needs items or training questions of two aptitude tasks")
    model.eval()
    classifier = LogisticRegression(C=CLASSIFIER_C, max_iter=3000, class_weight="balanced").fit(
        encode_instructions(model, texts).float().numpy(), tasks
    )
    classes = [str(c) for c in classifier.classes_]
    settings = CategoryPriorSettings(weight=1.0, categories=classes, task_categories={t: t for t in classes})
    return settings, softmax_head(classifier)


def pick_weight(
    model: ModelSATModel,
    settings: CategoryPriorSettings,
    head: dict[str, torch.Tensor],
    validation: OutcomeMatrix,
    cards: dict[str, Any],
    aptitude: AptitudeTest,
    weights: Sequence[float] = WEIGHTS,
) -> dict[str, Any]:
    """Install the prior at the weight with the best validation routed accuracy (0: none) and
    return what was measured."""
    model.eval()
    model.set_category_prior(None, {})
    texts = [ins.routing_text for ins in validation.instructions]
    valid_cards = [cards[m] for m in validation.models]
    base = model.score_logits(texts, [model.card_state(card) for card in valid_cards], progress=True)
    unit = CategoryPrior(settings.model_copy(update={"weight": 1.0}), head["head.weight"].shape[1])
    unit.load_state_dict(head)
    vectors = encode_instructions(model, texts).float()
    with torch.inference_mode():
        offsets = unit(vectors, torch.stack([unit.card_accuracy(card) for card in valid_cards]))
        predicted = unit.category_probabilities(vectors).argmax(1).tolist()
    measured = {
        weight: routed_accuracy(
            validation.scores, route((base + weight * offsets).numpy(), validation.observed)
        )
        for weight in (0.0, *weights)
    }
    best = max(measured, key=lambda w: (measured[w], -w))  # a tie keeps the smaller prior
    model.set_category_prior(settings.model_copy(update={"weight": best}) if best else None, head)
    labels = task_labels(validation, aptitude)
    hits = [
        settings.categories[k] == labels[ins.id]
        for k, ins in zip(predicted, validation.instructions, strict=True)
        if ins.id in labels
    ]
    return {
        "weight": best,
        "validation_routed_accuracy": {str(w): round(a, 4) for w, a in measured.items()},
        "validation_questions": len(texts),
        "classifier_validation_accuracy": round(float(np.mean(hits)), 4) if hits else None,
    }


def fit_category_prior(
    model: ModelSATModel,
    train: OutcomeMatrix,
    validation: OutcomeMatrix,
    cards: dict[str, Any],
    aptitude: AptitudeTest,
    weights: Sequence[float] = WEIGHTS,
) -> dict[str, Any]:
    """Fit the classifier on `train`, pick the weight on `validation` (both: the training models'
    outcomes), install the prior in `model`, and return what was measured."""
    settings, head = fit_classifier(model, train, aptitude)
    return pick_weight(model, settings, head, validation, cards, aptitude, weights)
