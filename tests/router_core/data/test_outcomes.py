"""OutcomeMatrix: validation, masked statistics, selection; Instruction.routing_text."""

from __future__ import annotations

import numpy as np
import pytest

from router_core.data import ImportReport, Instruction, OutcomeMatrix, format_multiple_choice
from router_core.errors import ConfigError


def _instructions(*ids: str) -> list[Instruction]:
    return [Instruction(id=i, text=f"text {i}", category="c" if i != "z" else None) for i in ids]


def _matrix() -> OutcomeMatrix:
    return OutcomeMatrix(
        instructions=_instructions("a", "b", "c"),
        models=["m1", "m2"],
        scores=[[1.0, 0.0], [0.0, 0.7], [1.0, 0.9]],
        observed=[[True, True], [True, False], [False, True]],
        report=ImportReport(files=2, notes=["kept"]),
    )


def test_accuracy_and_missing_ignore_unobserved_cells() -> None:
    outcomes = _matrix()

    assert outcomes.accuracy()["m1"] == 0.5  # (1 + 0) / 2, the unobserved 1.0 does not count
    assert outcomes.accuracy()["m2"] == pytest.approx(
        0.45
    )  # (0 + 0.9) / 2, the unobserved 0.7 does not count
    assert outcomes.missing() == {"m1": 1, "m2": 1}


def test_unobserved_cells_are_zeroed() -> None:
    outcomes = _matrix()

    assert outcomes.scores[1, 1] == 0.0
    assert outcomes.scores[2, 0] == 0.0
    assert outcomes.scores.dtype == np.float32
    assert outcomes.observed.dtype == bool


def test_accuracy_of_a_model_with_no_answers_is_nan() -> None:
    outcomes = OutcomeMatrix(_instructions("a"), ["m"], [[0.0]], [[False]])

    assert np.isnan(outcomes.accuracy()["m"])


def test_lookup_helpers() -> None:
    outcomes = _matrix()

    assert outcomes.ids == ["a", "b", "c"]
    assert outcomes.has("b") and not outcomes.has("x")
    assert outcomes.row("c") == 2
    assert outcomes.model_index("m2") == 1
    with pytest.raises(ConfigError, match="unknown model 'm3'; known: m1, m2"):
        outcomes.model_index("m3")


def test_categories_counts_none_apart() -> None:
    outcomes = OutcomeMatrix(_instructions("a", "z", "b"), ["m"], np.zeros((3, 1)), np.ones((3, 1)))

    assert outcomes.categories() == {"(none)": 1, "c": 2}


def test_select_keeps_the_order_given() -> None:
    outcomes = _matrix()

    view = outcomes.select(models=["m2", "m1"], instruction_ids=["c", "a"])

    assert view.models == ["m2", "m1"]
    assert view.ids == ["c", "a"]
    np.testing.assert_array_equal(view.scores, np.array([[0.9, 0.0], [0.0, 1.0]], dtype=np.float32))
    np.testing.assert_array_equal(view.observed, [[True, False], [True, True]])
    assert view.row("a") == 1
    assert view.report is outcomes.report


def test_select_one_axis_keeps_the_other_whole() -> None:
    outcomes = _matrix()

    assert outcomes.select(models=["m2"]).ids == ["a", "b", "c"]
    assert outcomes.select(instruction_ids=["b"]).models == ["m1", "m2"]
    with pytest.raises(ConfigError):
        outcomes.select(models=["nope"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scores": np.zeros((2, 2))}, r"scores \(2, 2\) and observed \(3, 2\) must be \(3, 2\)"),
        ({"observed": np.ones((3, 3), dtype=bool)}, r"must be \(3, 2\)"),
        ({"models": ["m1", "m1"]}, "model names must be unique"),
        ({"instructions": _instructions("a", "b", "a")}, "instruction ids must be unique"),
        ({"scores": np.full((3, 2), 1.5)}, r"observed scores must lie in \[0, 1\]"),
        ({"scores": np.full((3, 2), -0.5)}, r"observed scores must lie in \[0, 1\]"),
        ({"scores": np.full((3, 2), np.nan)}, r"observed scores must lie in \[0, 1\]"),
    ],
)
def test_validation(kwargs: dict, message: str) -> None:
    args = {
        "instructions": _instructions("a", "b", "c"),
        "models": ["m1", "m2"],
        "scores": np.zeros((3, 2)),
        "observed": np.ones((3, 2), dtype=bool),
        **kwargs,
    }
    with pytest.raises(ValueError, match=message):
        OutcomeMatrix(**args)


def test_out_of_range_values_in_unobserved_cells_are_allowed() -> None:
    observed = np.array([[True, False]] * 3)
    outcomes = OutcomeMatrix(_instructions("a", "b", "c"), ["m1", "m2"], [[1.0, 9.0]] * 3, observed)

    assert outcomes.scores[:, 1].tolist() == [0.0, 0.0, 0.0]
    assert outcomes.accuracy()["m1"] == 1.0


def test_routing_text_with_and_without_choices() -> None:
    plain = Instruction(id="1", text="Write a haiku about rain.")
    mcq = Instruction(id="2", text="2 + 2 = ?", choices=("3", "4", "5"), answer="B")

    assert plain.routing_text == "Write a haiku about rain."
    assert mcq.routing_text == "2 + 2 = ?\nOptions:\nA. 3\nB. 4\nC. 5"
    assert format_multiple_choice("Q", ["x"] * 10).splitlines()[-1] == "J. x"


def test_instruction_is_frozen() -> None:
    ins = Instruction(id="1", text="t")
    with pytest.raises(ValueError):
        ins.text = "changed"  # type: ignore[misc]
