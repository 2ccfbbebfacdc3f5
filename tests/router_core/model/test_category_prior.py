from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from pydantic import ValidationError

from router_core.model.category_prior import CategoryPrior
from router_core.model.checkpoint import load_checkpoint, save_checkpoint
from router_core.model.config import CategoryPriorSettings, NetworkConfig
from router_core.model.inference import ModelSATScorer
from router_core.model.network import ModelSATModel
from tests.router_core.builders import make_card

SETTINGS = CategoryPriorSettings(
    weight=1.0, categories=["law", "math"], task_categories={"task0": "math", "task1": "law", "task2": "math"}
)


def prior_towards(settings: CategoryPriorSettings, width: int, category: int) -> CategoryPrior:
    """A prior whose classifier puts (almost) all mass on one category for any instruction."""
    prior = CategoryPrior(settings, width)
    with torch.no_grad():
        prior.head.weight.zero_()
        prior.head.bias.copy_(torch.tensor([20.0 if c == category else 0.0 for c in range(2)]))
    return prior


def test_card_accuracy_averages_the_tasks_of_each_category_and_is_unknown_where_unmeasured():
    prior = CategoryPrior(SETTINGS, 4)
    assert prior.card_accuracy(make_card("m", [0.9, 0.2, 0.5])).tolist() == pytest.approx([0.2, 0.7])

    other_test = make_card("m", [0.4, 0.8]).model_copy(
        update={
            "scores": [
                s.model_copy(update={"task": f"other{i}"})
                for i, s in enumerate(make_card("m", [0.4, 0.8]).scores)
            ]
        }
    )
    assert prior.card_accuracy(other_test).isnan().all()  # never measured there
    partial = make_card("m", [0.9]).model_copy(update={"scores": make_card("m", [0.9]).scores[:1]})
    accuracy = prior.card_accuracy(partial)  # task0 only: category math
    assert accuracy.isnan().tolist() == [True, False] and accuracy[1].item() == pytest.approx(0.9)


@torch.no_grad()
def test_the_prior_prefers_the_card_that_is_strong_on_the_instructions_category():
    math_card, law_card = make_card("math", [0.9, 0.2, 0.9]), make_card("law", [0.2, 0.9, 0.2])
    vectors = torch.randn(3, 4)
    for category, winner in ((1, 0), (0, 1)):  # categories are ["law", "math"]
        prior = prior_towards(SETTINGS, 4, category)
        offsets = prior(vectors, torch.stack([prior.card_accuracy(math_card), prior.card_accuracy(law_card)]))
        assert offsets.shape == (3, 2)
        assert (offsets.argmax(1) == winner).all()
        assert offsets[0, winner].item() == pytest.approx(np.log(0.9 / 0.1), abs=1e-3)  # its 0.9 there

    doubled = prior_towards(SETTINGS.model_copy(update={"weight": 2.0}), 4, 1)
    single = prior_towards(SETTINGS, 4, 1)
    accuracy = torch.stack([single.card_accuracy(math_card)])
    torch.testing.assert_close(doubled(vectors, accuracy), 2 * single(vectors, accuracy))


@torch.no_grad()
def test_a_card_that_never_measured_the_instructions_kind_falls_far_behind_whatever_the_weight():
    weak_but_measured = make_card("math", [0.2, 0.3, 0.3])
    partial = make_card("law", [0.9, 0.9]).model_copy(
        update={"scores": make_card("law", [0.9, 0.9]).scores[1:2]}
    )
    vectors = torch.randn(2, 4)
    prior = prior_towards(SETTINGS.model_copy(update={"weight": 0.5}), 4, 1)  # every instruction: math

    offsets = prior(
        vectors, torch.stack([prior.card_accuracy(weak_but_measured), prior.card_accuracy(partial)])
    )

    assert (offsets[:, 0] - offsets[:, 1] > 3.0).all()  # log(0.01) apart, not scaled down by the weight
    pairs = prior.pair_offsets(vectors, torch.stack([prior.card_accuracy(partial)] * 2))
    torch.testing.assert_close(pairs, offsets[:, 1])


def test_settings_refuse_a_task_category_that_is_not_a_class():
    with pytest.raises(ValidationError, match="not in categories"):
        CategoryPriorSettings(weight=1.0, categories=["law", "math"], task_categories={"task0": "physics"})


def test_the_text_only_router_cannot_have_a_category_prior():
    with pytest.raises(ValidationError, match="needs an encoder"):
        NetworkConfig(encoder=None, category_prior=SETTINGS)


def test_a_router_with_a_prior_scores_the_prior_on_top_and_round_trips(tiny_config, cards, tmp_path: Path):
    torch.manual_seed(0)
    model = ModelSATModel.build(tiny_config, device="cpu")
    texts = ["Solve the integral of x squared.", "Is a verbal contract binding?"]
    plain = ModelSATScorer(model).score(texts, cards)
    head = prior_towards(SETTINGS, model.capability.encoder.config.hidden_size, 1).state_dict()
    model.set_category_prior(SETTINGS, head)
    assert model.config.category_prior == SETTINGS

    states = [model.card_state(card) for card in cards]
    with torch.no_grad():
        llm_only = torch.logit(torch.tensor(plain, dtype=torch.float64)).float()
        offsets = model.prior(
            model.capability.encode_instructions(texts), torch.stack([s.category_accuracy for s in states])
        )
    with_prior = model.score_logits(texts, states)
    torch.testing.assert_close(with_prior, llm_only + offsets, atol=1e-4, rtol=1e-4)

    folder = save_checkpoint(model, tmp_path / "ckpt")
    loaded = load_checkpoint(folder, device="cpu")
    assert loaded.config == model.config
    np.testing.assert_array_equal(
        ModelSATScorer(model).score(texts, cards), ModelSATScorer(loaded).score(texts, cards)
    )

    model.set_category_prior(None, {})
    np.testing.assert_array_equal(ModelSATScorer(model).score(texts, cards), plain)
    assert not (save_checkpoint(model, folder) / "category_prior.safetensors").exists()
