"""The aptitude test: which items select_aptitude_test picks and why, and the shipped definition."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from router_core.cards import AptitudeTask, AptitudeTest, load_aptitude_test, select_aptitude_test
from router_core.cards.aptitude import DEFINITIONS, task_descriptions
from router_core.data import Instruction, OutcomeMatrix
from router_core.errors import ConfigError
from router_core.evaluation.zoos import load_zoo_file

ZOO = ["m1", "m2", "m3", "m4"]
_ = None  # a missing cell

# question id -> (source, results of m1..m4, result of an "outsider" model that is not in the zoo)
ITEMS: dict[str, tuple[str | None, list, int]] = {
    # alpha: "101" is the best item (p = .5); "15" and "120" tie (p = .75, .25) and "15" wins on numeric id
    "101": ("ori_mmlu-alpha", [1, 1, 0, 0], 1),
    "120": ("ori_mmlu-alpha", [1, 0, 0, 0], 1),
    "15": ("ori_mmlu-alpha", [1, 1, 1, 0], 1),
    "2": ("ori_mmlu-alpha", [1, 1, 1, 1], 0),  # everyone in the zoo right: never chosen
    "3": ("ori_mmlu-alpha", [0, 0, 0, 0], 1),  # everyone in the zoo wrong: never chosen
    # beta: two p = .5 items, the most informative subject
    "201": ("ori_mmlu-beta", [1, 0, 1, 0], 0),
    "202": ("ori_mmlu-beta", [0, 1, 0, 1], 0),
    "203": ("ori_mmlu-beta", [1, 1, 1, 1], 1),
    # gamma: two p = .25 items, the least informative subject
    "301": ("ori_mmlu-gamma", [1, 0, 0, 0], 1),
    "302": ("ori_mmlu-gamma", [0, 0, 0, 1], 1),
    # delta: one informative item only
    "401": ("ori_mmlu-delta", [1, 1, 0, 0], 0),
    "402": ("ori_mmlu-delta", [1, 1, 1, 1], 0),
    # epsilon: informative, but has no task description
    "501": ("ori_mmlu-epsilon", [1, 1, 0, 0], 0),
    "502": ("ori_mmlu-epsilon", [0, 0, 1, 1], 0),
    # zeta: its second item was not answered by every zoo model
    "601": ("ori_mmlu-zeta", [1, 1, 0, 0], 0),
    "602": ("ori_mmlu-zeta", [1, _, 0, 0], 0),
    # not original MMLU items: never chosen
    "701": ("stemez-Physics", [1, 1, 0, 0], 0),
    "702": ("stemez-Physics", [0, 0, 1, 1], 0),
    "801": (None, [1, 0, 1, 0], 0),
}
DESCRIPTIONS = {s: f"{s.title()}, Keywords" for s in ("alpha", "beta", "gamma", "delta", "zeta")}


def _outcomes(order: list[str] | None = None, with_outsider: bool = True) -> OutcomeMatrix:
    ids = order or list(ITEMS)
    models = ZOO + (["outsider"] if with_outsider else [])
    rows = [ITEMS[q][1] + ([ITEMS[q][2]] if with_outsider else []) for q in ids]
    return OutcomeMatrix(
        instructions=[Instruction(id=q, text=f"question {q}", source=ITEMS[q][0]) for q in ids],
        models=models,
        scores=np.array([[0 if v is None else v for v in row] for row in rows], dtype=np.float32),
        observed=np.array([[v is not None for v in row] for row in rows]),
    )


def _select(outcomes: OutcomeMatrix | None = None, zoo: list[str] = ZOO, **kwargs) -> AptitudeTest:
    kwargs = {"n_tasks": 2, "items_per_task": 2, "descriptions": DESCRIPTIONS, "version": "tiny-v1", **kwargs}
    return select_aptitude_test(outcomes or _outcomes(), zoo, **kwargs)


def _tasks(test: AptitudeTest) -> dict[str, list[str]]:
    return {task.id: task.question_ids for task in test.tasks}


# ---------------------------------------------------------------- selection on hand-made data


def test_picks_the_most_informative_subjects_and_items() -> None:
    test = _select()

    assert _tasks(test) == {"alpha": ["15", "101"], "beta": ["201", "202"]}
    assert test.version == "tiny-v1"
    assert test.selected_on == ZOO
    assert [t.description for t in test.tasks] == ["Alpha, Keywords", "Beta, Keywords"]
    assert test.question_ids == {"15", "101", "201", "202"}


def test_a_third_task_is_the_next_most_informative() -> None:
    assert _tasks(_select(n_tasks=3)) == {
        "alpha": ["15", "101"],
        "beta": ["201", "202"],
        "gamma": ["301", "302"],
    }


def test_items_by_p_times_one_minus_p() -> None:
    # one item per task: every subject's best item; ties in informativeness break by subject name
    assert _tasks(_select(items_per_task=1, n_tasks=5)) == {
        "alpha": ["101"],
        "beta": ["201"],
        "delta": ["401"],
        "gamma": ["301"],
        "zeta": ["601"],
    }
    assert _tasks(_select(items_per_task=1, n_tasks=3)) == {
        "alpha": ["101"],
        "beta": ["201"],
        "delta": ["401"],
    }


def test_items_everyone_gets_right_or_wrong_are_never_chosen() -> None:
    with pytest.raises(ConfigError):
        _select(items_per_task=4, n_tasks=1)  # alpha has only 3 informative items of its 5
    assert "2" not in _select(items_per_task=3, n_tasks=1).question_ids


def test_too_few_subjects() -> None:
    with pytest.raises(ConfigError) as info:
        _select(n_tasks=4)

    assert str(info.value) == (
        "only 3 MMLU subjects have 2 distinguishing items answered by every model of the zoo; 4 are needed"
    )


def test_only_the_zoo_counts() -> None:
    assert _select(_outcomes(), n_tasks=3) == _select(_outcomes(with_outsider=False), n_tasks=3)
    # with the outsider in the zoo, alpha's "2" (p = .8) and "3" (p = .2) tell models apart too
    assert _tasks(_select(zoo=[*ZOO, "outsider"], items_per_task=5, n_tasks=1)) == {
        "alpha": ["2", "3", "15", "101", "120"]
    }
    with pytest.raises(ConfigError):
        _select(items_per_task=5, n_tasks=1)


def test_unknown_zoo_model() -> None:
    with pytest.raises(ConfigError, match="unknown model 'm9'"):
        _select(zoo=["m1", "m9"])


def test_deterministic_whatever_the_order() -> None:
    first = _select(n_tasks=3)
    shuffled_ids = list(ITEMS)
    random.Random(7).shuffle(shuffled_ids)

    again = _select(_outcomes(shuffled_ids), zoo=list(reversed(ZOO)), n_tasks=3)

    assert again == first
    assert again.model_dump_json() == first.model_dump_json()


def test_default_descriptions_are_the_shipped_ones() -> None:
    ids = [str(i) for i in range(4)]
    outcomes = OutcomeMatrix(
        [Instruction(id=q, text=q, source="ori_mmlu-anatomy") for q in ids],
        ZOO,
        [[1, 0, 0, 0]] * 4,
        np.ones((4, 4), dtype=bool),
    )

    test = select_aptitude_test(outcomes, ZOO, n_tasks=1, items_per_task=4)

    assert test.tasks[0].description == task_descriptions()["anatomy"]
    assert test.version == "mmlu-pro-v1"


# ---------------------------------------------------------------- the definition file


def test_save_and_load_a_definition(tmp_path: Path) -> None:
    test = _select(n_tasks=3)

    test.save(tmp_path / "aptitude.json")

    assert AptitudeTest.from_file(tmp_path / "aptitude.json") == test
    assert test.task("gamma").question_ids == ["301", "302"]
    with pytest.raises(ConfigError, match="aptitude test tiny-v1 has no task 'omega'"):
        test.task("omega")


def test_unreadable_definition(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read aptitude test"):
        AptitudeTest.from_file(tmp_path / "absent.json")
    (tmp_path / "bad.json").write_text('{"version": "v", "tasks": [{"id": "a"}]}')
    with pytest.raises(ConfigError) as info:
        AptitudeTest.from_file(tmp_path / "bad.json")
    assert str(info.value).startswith(f"{tmp_path / 'bad.json'}: not a valid aptitude test definition")
    assert "tasks.0.description: Field required" in str(info.value)
    assert "\n" not in str(info.value)


def test_unknown_shipped_version() -> None:
    with pytest.raises(ConfigError, match="no shipped aptitude test 'mmlu-pro-v9'"):
        load_aptitude_test("mmlu-pro-v9")


# ---------------------------------------------------------------- the shipped test


def test_shipped_test_shape() -> None:
    test = load_aptitude_test()

    assert test.version == "mmlu-pro-v1"
    assert len(test.tasks) == 50
    assert len({t.id for t in test.tasks}) == 50
    assert [t.id for t in test.tasks] == sorted(t.id for t in test.tasks)
    for task in test.tasks:
        assert len(task.question_ids) == 20
        assert task.description == task_descriptions()[task.id]
        assert len(task.description.split(", ")) == 5
    assert len(test.question_ids) == 1000  # distinct across tasks too


def test_shipped_test_stores_ids_not_questions() -> None:
    raw = json.loads((DEFINITIONS / "aptitude-mmlu-pro-v1.json").read_text())

    assert set(raw) == {"version", "selected_on", "tasks"}
    assert all(set(task) == set(AptitudeTask.model_fields) for task in raw["tasks"])
    assert all(isinstance(q, str) and q.isdigit() for task in raw["tasks"] for q in task["question_ids"])


def test_shipped_test_was_selected_on_the_training_zoo() -> None:
    held_out = set(load_zoo_file().held_out_models)
    selected_on = set(load_aptitude_test().selected_on)

    assert len(selected_on) == 19
    assert not selected_on & held_out
    assert len(selected_on | held_out) == 24


@pytest.mark.slow
def test_shipped_test_is_reproduced_from_the_real_data(real_outcomes) -> None:
    shipped = load_aptitude_test()
    zoo = [m for m in real_outcomes.models if m not in set(load_zoo_file().held_out_models)]

    assert select_aptitude_test(real_outcomes, zoo) == shipped
    assert select_aptitude_test(real_outcomes, list(reversed(zoo))) == shipped


@pytest.mark.slow
def test_every_shipped_item_tells_the_zoo_apart(real_outcomes) -> None:
    shipped = load_aptitude_test()
    zoo = real_outcomes.select(models=shipped.selected_on)
    for task in shipped.tasks:
        for qid in task.question_ids:
            i = zoo.row(qid)
            assert zoo.observed[i].all(), qid
            assert 0 < zoo.scores[i].mean() < 1, qid
            assert zoo.instructions[i].source == f"ori_mmlu-{task.id}"
