"""The aptitude test: which items select_aptitude_test picks and why, and the shipped definition."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from router_core.cards import AptitudeTask, AptitudeTest, load_aptitude_test, select_aptitude_test
from router_core.cards.aptitude import DEFINITIONS, task_descriptions, task_id
from router_core.data import Instruction, OutcomeMatrix
from router_core.errors import ConfigError
from router_core.zoos.catalog import load_zoo_file

ZOO = ["m1", "m2", "m3", "m4"]
_ = None  # a missing cell

# question id -> (source, category, results of m1..m4, result of an "outsider" model not in the zoo)
ITEMS: dict[str, tuple[str | None, str, list, int]] = {
    # alpha (math): five items from easy (p = 1) to hard (p = 0) for the zoo
    "2": ("ori_mmlu-alpha", "math", [1, 1, 1, 1], 0),
    "15": ("ori_mmlu-alpha", "math", [1, 1, 1, 0], 0),
    "101": ("ori_mmlu-alpha", "math", [1, 1, 0, 0], 0),
    "120": ("ori_mmlu-alpha", "math", [1, 0, 0, 0], 0),
    "3": ("ori_mmlu-alpha", "math", [0, 0, 0, 0], 0),
    # beta (math): smaller than alpha
    "201": ("ori_mmlu-beta", "math", [1, 0, 1, 0], 1),
    "202": ("ori_mmlu-beta", "math", [0, 1, 0, 1], 0),
    "203": ("ori_mmlu-beta", "math", [1, 1, 1, 1], 1),
    # a source that is not an MMLU subject is a task of its own, named by the whole source
    "701": ("stemez-Physics", "physics", [1, 1, 0, 0], 0),
    "702": ("stemez-Physics", "physics", [0, 0, 1, 1], 0),
    # delta (law): one item only
    "401": ("ori_mmlu-delta", "law", [1, 1, 0, 0], 0),
    # epsilon (law): no task description
    "501": ("ori_mmlu-epsilon", "law", [1, 1, 0, 0], 0),
    "502": ("ori_mmlu-epsilon", "law", [0, 0, 1, 1], 0),
    # zeta (law): its second item was not answered by every zoo model
    "601": ("ori_mmlu-zeta", "law", [1, 1, 0, 0], 0),
    "602": ("ori_mmlu-zeta", "law", [1, _, 0, 0], 0),
    # no source: never chosen
    "801": (None, "law", [1, 0, 1, 0], 0),
}
DESCRIPTIONS = {
    **{s: f"{s.title()}, Keywords" for s in ("alpha", "beta", "delta", "zeta")},
    "stemez-Physics": "Physics, Keywords",
}


def _outcomes(order: list[str] | None = None, with_outsider: bool = True) -> OutcomeMatrix:
    ids = order or list(ITEMS)
    models = ZOO + (["outsider"] if with_outsider else [])
    rows = [ITEMS[q][2] + ([ITEMS[q][3]] if with_outsider else []) for q in ids]
    return OutcomeMatrix(
        instructions=[
            Instruction(id=q, text=f"question {q}", source=ITEMS[q][0], category=ITEMS[q][1]) for q in ids
        ],
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


def test_tasks_follow_the_category_shares() -> None:
    # math holds 8 of the 16 items and physics 2: the first task goes to math (its largest
    # source, alpha), the second to physics, which is further below its share than math is
    test = _select()

    assert _tasks(test) == {"alpha": ["15", "120"], "stemez-Physics": ["701", "702"]}
    assert test.version == "tiny-v1"
    assert test.selected_on == ZOO
    assert [t.description for t in test.tasks] == ["Alpha, Keywords", "Physics, Keywords"]
    assert test.question_ids == {"15", "120", "701", "702"}
    assert list(_tasks(_select(n_tasks=3))) == ["alpha", "beta", "stemez-Physics"]


def test_items_spread_over_the_difficulty_range() -> None:
    # alpha's items by difficulty: "3" (p = 0), "120", "101", "15", "2" (p = 1); one per bin
    def alpha(items: int) -> list[str]:
        return _tasks(_select(items_per_task=items, n_tasks=1))["alpha"]

    assert alpha(1) == ["101"]
    assert alpha(2) == ["15", "120"]
    assert alpha(3) == ["2", "3", "101"]  # items the whole zoo gets right or wrong grade new models
    assert alpha(5) == ["2", "3", "15", "101", "120"]


def test_sources_without_enough_usable_items_are_left_out() -> None:
    # delta has one item, epsilon no description, zeta one item answered by the whole zoo
    assert set(_tasks(_select(items_per_task=1, n_tasks=5))) == {
        "alpha",
        "beta",
        "stemez-Physics",
        "delta",
        "zeta",
    }
    with pytest.raises(ConfigError) as info:
        _select(n_tasks=4)

    assert str(info.value) == (
        "only 3 sources have 2 items answered by every model of the zoo and a task description; 4 are needed"
    )


def test_only_the_zoo_counts() -> None:
    assert _select(_outcomes(), n_tasks=3) == _select(_outcomes(with_outsider=False), n_tasks=3)
    # beta's middle item by difficulty: "202" (tied with "201" at p = .5, later id) for the zoo;
    # with the outsider in it, "201" (p = .6, against .4 for "202")
    assert _tasks(_select(zoo=[*ZOO, "outsider"], items_per_task=1, n_tasks=3))["beta"] == ["201"]
    assert _tasks(_select(items_per_task=1, n_tasks=3))["beta"] == ["202"]


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
    assert test.version == "mmlu-pro-v2"


# ---------------------------------------------------------------- the definition file


def test_save_and_load_a_definition(tmp_path: Path) -> None:
    test = _select(n_tasks=3)

    test.save(tmp_path / "aptitude.json")

    assert AptitudeTest.from_file(tmp_path / "aptitude.json") == test
    assert test.task("stemez-Physics").question_ids == ["701", "702"]
    with pytest.raises(ConfigError, match="aptitude test tiny-v1 has no task 'omega'"):
        test.task("omega")


@pytest.mark.parametrize("version", ["mmlu-pro-v2", "v3"])
def test_a_shipped_definition_saves_byte_for_byte(version: str, tmp_path: Path) -> None:
    """docs/cards.md promises the shipped tests are reproducible: saving one writes its file."""
    load_aptitude_test(version).save(tmp_path / "aptitude.json")

    shipped = (DEFINITIONS / f"aptitude-{version}.json").read_bytes()
    assert (tmp_path / "aptitude.json").read_bytes() == shipped


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
    test = load_aptitude_test("mmlu-pro-v2")

    assert test.version == "mmlu-pro-v2"
    assert len(test.tasks) == 50
    assert len({t.id for t in test.tasks}) == 50
    assert [t.id for t in test.tasks] == sorted(t.id for t in test.tasks)
    for task in test.tasks:
        assert len(task.question_ids) == 20
        assert task.description == task_descriptions()[task.id]
        assert len(task.description.split(", ")) == 5
    assert len(test.question_ids) == 1000  # distinct across tasks too


def test_shipped_test_stores_ids_not_questions() -> None:
    raw = json.loads((DEFINITIONS / "aptitude-mmlu-pro-v2.json").read_text())

    assert set(raw) == {"version", "selected_on", "tasks"}
    assert all(set(task) <= set(AptitudeTask.model_fields) for task in raw["tasks"])
    assert all(isinstance(q, str) and q.isdigit() for task in raw["tasks"] for q in task["question_ids"])


def test_shipped_test_was_selected_on_the_training_zoo() -> None:
    held_out = set(load_zoo_file().held_out_models)
    selected_on = set(load_aptitude_test("mmlu-pro-v2").selected_on)

    assert len(selected_on) == 19
    assert not selected_on & held_out
    assert {"Meta-Llama-3_1-8B-Instruct", "mathstral-7B", "Yi-34B", "jamba-1.5-large"} <= held_out


@pytest.mark.slow
def test_shipped_test_is_reproduced_from_the_real_data(real_outcomes) -> None:
    shipped = load_aptitude_test("mmlu-pro-v2")
    zoo = [m for m in real_outcomes.models if m not in set(load_zoo_file().held_out_models)]

    assert select_aptitude_test(real_outcomes, zoo, version="mmlu-pro-v2") == shipped
    assert select_aptitude_test(real_outcomes, list(reversed(zoo)), version="mmlu-pro-v2") == shipped


@pytest.mark.slow
def test_shipped_tasks_are_graded_samples_of_their_sources(real_outcomes) -> None:
    """Each task's items come from its source, were answered by the whole zoo, and average the
    difficulty of the whole source: a card's score estimates the model's accuracy there."""
    shipped = load_aptitude_test("mmlu-pro-v2")
    zoo = real_outcomes.select(models=shipped.selected_on)
    difficulty = zoo.scores.mean(axis=1)
    for task in shipped.tasks:
        rows = [zoo.row(qid) for qid in task.question_ids]
        assert zoo.observed[rows].all(), task.id
        assert {task_id(zoo.instructions[i].source) for i in rows} == {task.id}
        source = [i for i, ins in enumerate(zoo.instructions) if task_id(ins.source) == task.id]
        source = [i for i in source if zoo.observed[i].all()]
        assert abs(difficulty[rows].mean() - difficulty[source].mean()) < 0.05, task.id


@pytest.mark.slow
def test_shipped_tasks_cover_the_categories(real_outcomes) -> None:
    by_id = {ins.id: ins for ins in real_outcomes.instructions}
    covered = {
        Counter(by_id[q].category for q in task.question_ids).most_common(1)[0][0]
        for task in load_aptitude_test("mmlu-pro-v2").tasks
    }

    assert covered == {ins.category for ins in real_outcomes.instructions}
