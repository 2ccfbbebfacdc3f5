from __future__ import annotations

import numpy as np

from router_core.cards.aptitude import AptitudeTask, AptitudeTest, load_aptitude_test
from router_core.cards.items import load_aptitude_items
from router_core.cards.task_examples import task_examples, task_labels
from router_core.data.outcomes import Instruction, OutcomeMatrix


def _matrix(instructions: list[Instruction]) -> OutcomeMatrix:
    n = len(instructions)
    return OutcomeMatrix(instructions, ["m"], np.ones((n, 1)), np.ones((n, 1), bool))


def test_questions_are_labelled_by_their_item_or_their_tasks_source() -> None:
    outcomes = _matrix(
        [
            Instruction(id="a", text="an item", source="ori_mmlu-jurisprudence"),
            Instruction(id="b", text="same subject", source="ori_mmlu-jurisprudence"),
            Instruction(id="c", text="a task's source", source="gsm8k"),
            Instruction(id="d", text="no task of the test", source="ori_mmlu-astronomy"),
        ]
    )
    aptitude = AptitudeTest(
        version="t",
        tasks=[
            AptitudeTask(id="jurisprudence", description="Law", question_ids=["a"]),
            AptitudeTask(id="gsm8k", description="Math", question_ids=[]),
        ],
    )

    assert task_labels(outcomes, aptitude) == {"a": "jurisprudence", "b": "jurisprudence", "c": "gsm8k"}


def test_every_task_of_the_shipped_test_has_examples_without_any_training_question() -> None:
    test = load_aptitude_test("v3")
    items = load_aptitude_items("v3")
    one_item = next(iter(items.values()))
    train = _matrix([Instruction(id=one_item.id, text="the item as a training question")])

    texts, tasks = task_examples(train, test)

    assert len(texts) == len(tasks) == len(items)  # the item in train is not added twice
    assert texts[0] == "the item as a training question" and tasks[0] == one_item.task
    assert set(tasks) == {task.id for task in test.tasks}
