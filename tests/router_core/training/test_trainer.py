from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from router_core.data.outcomes import OutcomeMatrix
from router_core.model.network import ModelSATModel
from router_core.training.config import TrainConfig
from router_core.training.groups import GroupSampler
from router_core.training.trainer import TrainingData, group_loss
from tests.router_core.builders import make_card, small_aptitude, small_cards, small_matrix, tiny_train_config


def make_sampler(outcomes: OutcomeMatrix, group_size: int) -> GroupSampler:
    return GroupSampler(
        outcomes,
        group_size=group_size,
        instruction_group_share=0.5,
        model_weight_power=1.0,
        item_weight_floor=0.05,
        seed=0,
    )


def test_sampled_groups_hold_one_positive_and_respect_outcomes():
    outcomes = small_matrix()
    sampler = make_sampler(outcomes, group_size=4)
    groups = sampler.sample(step=3, count=20)
    assert groups == sampler.sample(step=3, count=20)  # a pure function of (seed, step): resumable
    for group in groups:
        labels = [
            outcomes.scores[outcomes.row(i), outcomes.model_index(m)]
            for m, i in zip(group.models, group.instruction_ids, strict=True)
        ]
        assert labels[group.positive] == 1.0
        assert sum(labels) == 1.0


def test_a_tiny_router_learns_a_small_matrix(tiny_config):
    torch.manual_seed(0)
    outcomes = small_matrix()
    cards = small_cards()
    data = TrainingData(train=outcomes, validation=outcomes, cards=cards)
    config = TrainConfig(network=tiny_config, group_size=2, groups_per_step=6, shuffle_tasks=0.0)
    model = ModelSATModel.build(tiny_config, device="cpu")
    sampler = make_sampler(outcomes, group_size=2)
    groups = sampler.sample(step=0, count=6)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=1e-2)
    losses = []
    for _ in range(25):
        model.train()
        loss = group_loss(model, groups, data, config, random.Random(0))
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    assert losses[-1] < 0.7 * losses[0], losses


def test_within_model_auc_separates_instruction_knowledge_from_model_strength():
    import numpy as np

    from router_core.training.trainer import within_model_auc

    correct = np.array([[1, 1], [0, 1], [1, 0], [0, 0]], dtype=bool)
    observed = np.ones_like(correct)
    strength_only = np.array([[0.4, 0.6]] * 4)  # one constant per model
    assert within_model_auc(strength_only, correct, observed) == 0.5
    perfect = np.where(correct, 0.9, 0.1)
    assert within_model_auc(perfect, correct, observed) == 1.0
    observed[0, 0] = observed[2, 0] = False  # model 0 then has only wrong answers: no AUC for it
    assert within_model_auc(perfect, correct, observed) == 1.0


def test_resampled_cards_redraw_scores_as_another_sitting_would():
    from router_core.training.trainer import resampled_card

    card = make_card("m", [0.0, 1.0, 0.5])
    rng = random.Random(0)
    draws = [resampled_card(card, rng) for _ in range(400)]

    assert all(d.model == "m" and [s.task for s in d.scores] == [s.task for s in card.scores] for d in draws)
    middle = np.array([d.scores[2].accuracy for d in draws])
    assert {d.scores[0].accuracy for d in draws} == {0.0} and {d.scores[1].accuracy for d in draws} == {1.0}
    n = card.scores[2].n_items
    assert np.allclose(middle * n, np.round(middle * n))  # k right answers out of n
    assert abs(middle.mean() - 0.5) < 0.02
    assert abs(middle.std() - (0.25 / n) ** 0.5) < 0.02  # binomial spread
    assert card.scores[2].accuracy == 0.5  # the original is untouched


def test_validation_questions_spread_over_the_whole_list_not_a_prefix():
    from router_core.training.trainer import spread

    ids = [f"{category}-{i}" for category in "abcd" for i in range(10)]  # grouped by category
    picked = spread(ids, 8)

    assert len(picked) == len(set(picked)) == 8
    assert {p[0] for p in picked} == set("abcd")  # every category, two questions each
    assert spread(ids, None) == ids and spread(ids, 100) == ids


@pytest.mark.slow  # end to end with the prior fit; the train and fit-prior CLI tests cover both quickly
def test_a_training_run_writes_a_loadable_router_with_its_record(tiny_config, tmp_path):
    from router_core.model.checkpoint import load_checkpoint, training_record
    from router_core.training.trainer import train

    outcomes = small_matrix()
    cards = small_cards()
    config = tiny_train_config(tiny_config, stage2_steps=2)

    record = train(outcomes, cards, config, tmp_path / "run", log=lambda _: None)

    assert record["steps"] == 3 and [h["step"] for h in record["history"]] == [2, 3]
    assert record["data"]["training_models"] == ["math-model", "law-model"]
    assert set(record["category_prior"]) >= {"weight", "validation_routed_accuracy"}
    assert training_record(tmp_path / "run" / "best") == record
    router = load_checkpoint(tmp_path / "run" / "best", device="cpu")
    assert (router.prior is None) == (record["category_prior"]["weight"] == 0)


def test_a_joint_prior_trains_with_the_llm_part_and_is_kept(tiny_config, tmp_path):
    from router_core.model.checkpoint import load_checkpoint
    from router_core.training.prior import fit_classifier
    from router_core.training.trainer import train

    outcomes = small_matrix()
    cards = small_cards()
    config = tiny_train_config(tiny_config, joint_prior_weight=1.0)
    model = ModelSATModel.build(tiny_config, device="cpu")
    data = TrainingData(train=outcomes, validation=outcomes, cards=cards)
    groups = make_sampler(outcomes, group_size=2).sample(step=0, count=4)
    without = group_loss(model, groups, data, config, random.Random(0)).item()
    settings, head = fit_classifier(model, outcomes, small_aptitude())
    model.set_category_prior(settings, head)
    assert group_loss(model, groups, data, config, random.Random(0)).item() != without

    record = train(outcomes, cards, config, tmp_path / "run", log=lambda _: None)
    assert record["config"]["joint_prior_weight"] == 1.0
    assert load_checkpoint(tmp_path / "run" / "last", device="cpu").prior is not None  # trained with it


def test_training_data_can_leave_whole_task_families_out() -> None:
    from router_core.data.outcomes import Instruction, OutcomeMatrix
    from router_core.training.trainer import TrainingData

    base = small_matrix()
    instructions = [
        Instruction(
            id=ins.id, text=ins.text, category=ins.category, family="code" if ins.category == "math" else "qa"
        )
        for ins in base.instructions
    ]
    outcomes = OutcomeMatrix(instructions, base.models, base.scores, base.observed)

    data = TrainingData.from_outcomes(outcomes, small_cards(), None, ["code"])

    assert {ins.family for ins in data.train.instructions} == {"qa"}
    assert {ins.family for ins in data.validation.instructions} <= {"qa"}
