from __future__ import annotations

import numpy as np
import torch

from router_core.model.inference import ModelSATScorer
from router_core.model.network import ModelSATModel
from router_core.training.prior import fit_category_prior
from tests.router_core.builders import make_card, small_aptitude, small_cards, small_matrix

APTITUDE = small_aptitude()


def test_a_fitted_prior_routes_an_untrained_router_by_the_cards(tiny_config):
    torch.manual_seed(0)
    outcomes = small_matrix()  # math-model is right on math, law-model on law
    cards = small_cards()
    model = ModelSATModel.build(tiny_config, device="cpu")  # its LLM knows nothing yet

    report = fit_category_prior(model, outcomes, outcomes, cards, APTITUDE)

    assert report["weight"] > 0 and model.config.category_prior.weight == report["weight"]
    assert report["validation_routed_accuracy"][str(report["weight"])] == 1.0
    assert report["classifier_validation_accuracy"] == 1.0
    texts = [ins.routing_text for ins in outcomes.instructions]
    chosen = ModelSATScorer(model).score(texts, list(cards.values())).argmax(1)
    assert (chosen == np.array([0 if ins.category == "math" else 1 for ins in outcomes.instructions])).all()


def test_a_prior_that_does_not_help_on_validation_is_left_out(tiny_config):
    torch.manual_seed(0)
    outcomes = small_matrix()
    misleading = {  # the cards say the opposite of the outcomes
        "math-model": make_card("math-model", [0.1, 0.9]),
        "law-model": make_card("law-model", [0.9, 0.1]),
    }
    model = ModelSATModel.build(tiny_config, device="cpu")

    report = fit_category_prior(model, outcomes, outcomes, misleading, APTITUDE)

    assert report["weight"] == 0.0
    assert model.prior is None and model.config.category_prior is None


COOKING = [
    "How long should I roast a whole chicken at 200 C?",
    "What can I use instead of eggs when baking a cake?",
    "How do I keep pasta from sticking together while it boils?",
    "Give me a recipe for a quick tomato soup.",
]


def test_the_prior_learns_a_task_no_training_question_covers_from_the_tests_items(tiny_config, monkeypatch):
    """A held-out task type: no training question is about cooking, but the test's shipped items
    are, so a cooking request goes to the model whose card is strong on the cooking task."""
    from router_core.cards.aptitude import AptitudeTask, AptitudeTest
    from router_core.cards.items import AptitudeItem

    aptitude = AptitudeTest(
        version="test-v1",
        tasks=[
            *APTITUDE.tasks,
            AptitudeTask(id="task2", description="Cooking", question_ids=[f"c{i}" for i in range(4)]),
        ],
    )
    items = [
        AptitudeItem(id=f"c{i}", task="task2", grader="f1", prompt=text, answer="-")
        for i, text in enumerate(COOKING)
    ]
    monkeypatch.setattr("router_core.cards.task_examples.shipped_items", lambda version: items)
    torch.manual_seed(0)
    cards = {
        "math-model": make_card("math-model", [0.9, 0.1, 0.1]),
        "law-model": make_card("law-model", [0.1, 0.9, 0.1]),
        "chef-model": make_card("chef-model", [0.1, 0.1, 0.9]),
    }
    model = ModelSATModel.build(tiny_config, device="cpu")

    report = fit_category_prior(model, small_matrix(), small_matrix(), cards, aptitude)

    assert report["weight"] > 0 and "task2" in model.config.category_prior.categories
    scores = ModelSATScorer(model).score(["Which herbs go well in a roast chicken?"], list(cards.values()))
    assert list(cards)[int(scores.argmax())] == "chef-model"
