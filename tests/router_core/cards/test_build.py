"""build_cards: per-task accuracy over answered aptitude items; the shipped cards against the raw files."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from router_core.cards import (
    AptitudeTask,
    AptitudeTest,
    ModelFacts,
    build_cards,
    load_aptitude_test,
)
from router_core.cards.card import shipped_cards
from router_core.data import Instruction, OutcomeMatrix
from router_core.errors import CardError, ConfigError

_ = None  # a missing cell
# questions 1..7 x models m1, m2, m3; question 7 is not in the aptitude test
RESULTS = {
    "1": [1, 1, _],
    "2": [0, _, _],
    "3": [1, 0, 1],
    "4": [1, 0, _],
    "5": [1, 0, _],
    "6": [1, 1, _],
    "7": [0, 1, 1],
}
TEST = AptitudeTest(
    version="tiny-v1",
    tasks=[
        AptitudeTask(id="t1", description="First, Task", question_ids=["1", "2", "3"]),
        AptitudeTask(id="t2", description="Second, Task", question_ids=["4", "5", "6"]),
    ],
)


def _outcomes() -> OutcomeMatrix:
    rows = list(RESULTS.values())
    return OutcomeMatrix(
        instructions=[Instruction(id=q, text=f"question {q}") for q in RESULTS],
        models=["m1", "m2", "m3"],
        scores=np.array([[0 if v is None else v for v in row] for row in rows]),
        observed=np.array([[v is not None for v in row] for row in rows]),
    )


def test_accuracy_over_answered_aptitude_items_only() -> None:
    m1, m2 = build_cards(_outcomes(), TEST, ["m1", "m2"], facts={})

    assert [(s.task, s.accuracy, s.n_items) for s in m1.scores] == [("t1", 2 / 3, 3), ("t2", 1.0, 3)]
    # m2 did not answer question 2: t1 is 1 right of 2 answered, not 1 of 3
    assert [(s.task, s.accuracy, s.n_items) for s in m2.scores] == [("t1", 0.5, 2), ("t2", 1 / 3, 3)]
    assert [s.description for s in m1.scores] == ["First, Task", "Second, Task"]
    assert m1.aptitude_version == "tiny-v1"


def test_items_outside_the_test_do_not_count() -> None:
    (m2,) = build_cards(_outcomes(), TEST.model_copy(update={"tasks": TEST.tasks[:1]}), ["m2"], facts={})

    assert m2.scores[0].accuracy == 0.5  # question 7, right, is not an aptitude item


def test_model_that_answered_none_of_a_task() -> None:
    with pytest.raises(CardError, match="model 'm3' answered none of the items of task 't2'"):
        build_cards(_outcomes(), TEST, facts={})


def test_aptitude_items_missing_from_the_data() -> None:
    test = AptitudeTest(
        version="v", tasks=[AptitudeTask(id="t9", description="D", question_ids=["1", "98", "99"])]
    )

    with pytest.raises(
        CardError, match=r"aptitude task 't9' items \['98', '99'\] are not in the outcome data"
    ):
        build_cards(_outcomes(), test, ["m1"], facts={})


def test_unknown_model() -> None:
    with pytest.raises(ConfigError, match="unknown model 'm7'"):
        build_cards(_outcomes(), TEST, ["m7"], facts={})


def test_models_in_the_order_given_with_their_facts() -> None:
    facts = {"m2": ModelFacts(context_length=4096, input_price=1.0)}

    cards = build_cards(_outcomes(), TEST, ["m2", "m1"], facts=facts)

    assert [c.model for c in cards] == ["m2", "m1"]
    assert cards[0].facts == facts["m2"]
    assert cards[1].facts == ModelFacts()


def test_shipped_facts_by_default() -> None:
    base = _outcomes()
    outcomes = OutcomeMatrix(
        base.instructions, ["Yi-6B", "gemma-7b", "my-own-model"], base.scores, base.observed
    )

    yi, gemma = build_cards(outcomes, TEST, ["Yi-6B", "gemma-7b"])
    (mine,) = build_cards(outcomes, TEST.model_copy(update={"tasks": TEST.tasks[:1]}), ["my-own-model"])

    assert yi.facts.context_length == 4096
    assert gemma.price == 0.2
    assert mine.facts == ModelFacts()


# ---------------------------------------------------------------- the real data


def _answers(folder: Path, model: str) -> dict[str, bool]:
    """question id -> pred == answer, read straight from the model's upstream zip."""
    with zipfile.ZipFile(folder / f"model_outputs_{model}_5shots.zip") as archive:
        (name,) = archive.namelist()
        records = json.loads(archive.read(name))
    return {str(r["question_id"]): r["pred"] == r["answer"] for r in records if isinstance(r, dict)}


@pytest.mark.slow
def test_shipped_cards_equal_a_fresh_build(real_outcomes) -> None:
    fresh = build_cards(real_outcomes, load_aptitude_test("mmlu-pro-v2"))

    assert len(fresh) == 24
    assert {card.model: card for card in fresh} == shipped_cards("mmlu-pro-v2")


@pytest.mark.slow
@pytest.mark.parametrize("model", ["DeepSeek-Coder-V2", "Meta-Llama-3_1-8B-Instruct"])
def test_hand_check_of_a_few_tasks(shared_mmlu_pro: Path, model: str) -> None:
    answers = _answers(shared_mmlu_pro, model)
    card = shipped_cards("mmlu-pro-v2")[model]
    test = load_aptitude_test("mmlu-pro-v2")

    for task_id in ("abstract_algebra", "professional_law", "stemez-Chemistry", "theoremQA-Math"):
        answered = [q for q in test.task(task_id).question_ids if q in answers]
        right = sum(answers[q] for q in answered)
        (score,) = [s for s in card.scores if s.task == task_id]
        assert (score.n_items, score.accuracy) == (len(answered), right / len(answered)), task_id
