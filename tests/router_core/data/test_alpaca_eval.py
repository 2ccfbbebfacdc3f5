from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from router_core.data import load_outcomes
from router_core.data.alpaca_eval import instruction_id, load_alpaca_eval, load_reference_answers
from router_core.errors import DataFormatError
from tests.router_core.data.source_folders import write_alpaca_eval


def test_preferences_are_graded_outcomes(tmp_path: Path) -> None:
    outcomes = load_outcomes(write_alpaca_eval(tmp_path))

    assert outcomes.models == ["chat-a", "chat-b"]  # the reference model is left out
    haiku = outcomes.row(instruction_id("vicuna", "Write a haiku."))
    advice = outcomes.row(instruction_id("oasst", "Give me advice."))
    assert np.allclose(outcomes.scores[haiku], [0.9, 0.1])
    assert np.isclose(outcomes.scores[advice, 0], 0.2)
    assert not outcomes.observed[advice, 1]  # a null preference is masked, not a loss
    assert {ins.family for ins in outcomes.instructions} == {"open-ended"}
    assert outcomes.instructions[haiku].category == "vicuna"
    assert any("ref-model is the reference" in note for note in outcomes.report.notes)


def test_reference_answers_by_instruction_id(tmp_path: Path) -> None:
    references = load_reference_answers(write_alpaca_eval(tmp_path))

    assert references[instruction_id("vicuna", "Write a haiku.")] == "Old pond..."


def test_a_preference_outside_one_to_two_names_its_record(tmp_path: Path) -> None:
    folder = write_alpaca_eval(tmp_path)
    path = folder / "results" / "chat-a" / "weighted_alpaca_eval_gpt4_turbo" / "annotations.json"
    records = json.loads(path.read_text())
    records[1]["preference"] = 7
    path.write_text(json.dumps(records))

    with pytest.raises(
        DataFormatError, match=r"annotations.json \(record 1\): preference 7 is not in \[1, 2\]"
    ):
        load_alpaca_eval(folder)


def test_shared_copy_reports_its_models(shared_data: Path) -> None:
    outcomes = load_alpaca_eval(shared_data / "alpaca-eval")

    assert len(outcomes.models) == 44
    assert len(outcomes.instructions) == 646
    assert "gpt4_1106_preview" not in outcomes.models
