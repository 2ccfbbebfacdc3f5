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
