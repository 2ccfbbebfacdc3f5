from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from router_core.data import load_outcomes
from router_core.data.llmrouter import (
    load_llmrouter,
    load_llmrouter_queries,
)
from router_core.errors import DataFormatError
from tests.router_core.data.source_folders import write_llmrouter


def test_scores_join_queries_and_keep_graded_outcomes(tmp_path: Path) -> None:
    outcomes = load_outcomes(write_llmrouter(tmp_path / "llmrouter"))

    # one name per model everywhere: LLMRouter's llama-3.1-8b-instruct is MMLU-Pro's
    assert outcomes.models == ["big-70b", "Meta-Llama-3_1-8B-Instruct", "small-7b"]
    assert load_llmrouter(tmp_path / "llmrouter").models[1] == "llama-3.1-8b-instruct"
    assert len(outcomes.instructions) == 6
    trivia = next(ins for ins in outcomes.instructions if ins.category == "trivia_qa")
    assert "\u2028" in trivia.text  # split on "\n" only: the U+2028 stays inside its query
    row = outcomes.row(trivia.id)
    assert outcomes.scores[row].tolist() == [1.0, 0.25, 0.5]
    human_eval = next(ins for ins in outcomes.instructions if ins.category == "human_eval")
    assert not outcomes.observed[outcomes.row(human_eval.id), 1]  # unscored: masked, not wrong
    assert {ins.dataset for ins in outcomes.instructions} == {"llmrouter"}
    assert {ins.category: ins.family for ins in outcomes.instructions} == {
        "gsm8k": "math-word-problems",
        "math": "competition-math",
        "arc_challenge": "multiple-choice-qa",
        "mbpp": "code",
        "human_eval": "code",
        "trivia_qa": "short-answer-qa",
    }


def test_multiple_choice_items_carry_their_options_and_letter(tmp_path: Path) -> None:
    outcomes = load_llmrouter(write_llmrouter(tmp_path))
    arc = next(ins for ins in outcomes.instructions if ins.category == "arc_challenge")

    assert arc.choices == ("Sun", "Mars", "Moon")
    assert arc.answer == "B"
    assert arc.routing_text.endswith("C. Moon")


def test_queries_hold_each_graders_key(tmp_path: Path) -> None:
    queries = {q.task: q for q in load_llmrouter_queries(write_llmrouter(tmp_path)).values()}

    assert queries["gsm8k"].answer == "7"
    assert queries["math"].answer == "1"
    assert queries["trivia_qa"].answer == "paris"
    assert queries["mbpp"].tests == "assert add(1, 2) == 3\nassert add(0, 0) == 0"
    assert queries["human_eval"].entry_point == "inc"  # the last function the prompt defines
    assert queries["human_eval"].tests.startswith("def check(candidate):")


def test_a_question_scored_twice_keeps_its_first_scores(tmp_path: Path) -> None:
    outcomes = load_llmrouter(write_llmrouter(tmp_path, duplicate=True))
    arc = next(ins for ins in outcomes.instructions if ins.category == "arc_challenge")

    assert outcomes.scores[outcomes.row(arc.id), outcomes.model_index("small-7b")] == 1.0
    assert outcomes.report.stray_entries == 1
    assert "1 questions scored twice" in outcomes.report.notes[0]


def test_a_score_outside_the_unit_interval_names_its_record(tmp_path: Path) -> None:
    folder = write_llmrouter(tmp_path)
    records = json.loads((folder / "dcrouter_test.json").read_text())
    records[1]["scores"]["big-70b"] = 3
    (folder / "dcrouter_test.json").write_text(json.dumps(records))

    with pytest.raises(DataFormatError, match=r"dcrouter_test.json \(record 1\): score of 'big-70b' is 3"):
        load_llmrouter(folder)


def test_a_scored_question_without_a_query_is_an_error(tmp_path: Path) -> None:
    folder = write_llmrouter(tmp_path)
    (folder / "dcrouter_test.json").write_text(json.dumps([{"question": "Unknown?", "scores": {"a": 1}}]))

    with pytest.raises(DataFormatError, match="no query record to join"):
        load_llmrouter(folder)


def test_non_utf8_query_file_is_a_data_error(tmp_path: Path) -> None:
    folder = write_llmrouter(tmp_path)
    (folder / "default_query_train.jsonl").write_bytes(b"\xff\xfe{}")

    with pytest.raises(DataFormatError, match="not UTF-8"):
        load_llmrouter(folder)


def test_shared_copy_reports_nine_models(shared_data: Path) -> None:
    outcomes = load_llmrouter(shared_data / "llmrouter")

    assert len(outcomes.models) == 9
    assert outcomes.observed.all()
    assert len({ins.category for ins in outcomes.instructions}) == 14
    assert np.isclose(outcomes.accuracy()["llama-3.1-nemotron-51b-instruct"], 0.618, atol=0.001)
