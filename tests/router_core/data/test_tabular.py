"""Wide CSV and long JSONL outcome files, and the load_outcomes dispatcher."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from router_core.data import load_long_jsonl, load_outcomes, load_wide_csv
from router_core.errors import DataFormatError

WIDE = """question_id,text,category,source,m1,m2
q1,"What is 2+2, really?",math,src-a,1,0
q2,"Line one
line two",,src-b,0.5,
q3,Capital of France?,geography,,,1
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _jsonl(tmp_path: Path, *records: object) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    return _write(tmp_path, "outcomes.jsonl", "\n".join(lines) + "\n")


def _error(loader, path: Path) -> DataFormatError:
    with pytest.raises(DataFormatError) as info:
        loader(path)
    assert info.value.path == str(path)
    return info.value


# ---------------------------------------------------------------- wide CSV


def test_wide_csv_values_missing_cells_and_fields(tmp_path: Path) -> None:
    outcomes = load_wide_csv(_write(tmp_path, "outcomes.csv", WIDE))

    assert outcomes.models == ["m1", "m2"]
    assert outcomes.ids == ["q1", "q2", "q3"]
    np.testing.assert_array_equal(outcomes.observed, [[True, True], [True, False], [False, True]])
    np.testing.assert_array_equal(outcomes.scores, [[1.0, 0.0], [0.5, 0.0], [0.0, 1.0]])
    assert outcomes.accuracy() == {"m1": 0.75, "m2": 0.5}
    assert outcomes.missing() == {"m1": 1, "m2": 1}
    q1, q2, q3 = outcomes.instructions
    assert q1.text == "What is 2+2, really?"
    assert q2.text == "Line one\nline two"
    assert (q1.category, q2.category, q3.category) == ("math", None, "geography")
    assert (q1.source, q2.source, q3.source) == ("src-a", "src-b", None)
    assert outcomes.categories() == {"(none)": 1, "geography": 1, "math": 1}
    assert outcomes.report.files == 1
    assert outcomes.report.records == 4


def test_wide_csv_without_source_column(tmp_path: Path) -> None:
    outcomes = load_wide_csv(_write(tmp_path, "o.csv", "question_id,text,category,gpt\n1,hi,chat,0.25\n"))

    assert outcomes.models == ["gpt"]
    assert outcomes.instructions[0].source is None
    assert outcomes.scores.tolist() == [[0.25]]


def test_wide_csv_round_trip_through_load_outcomes(tmp_path: Path) -> None:
    original = load_outcomes(_write(tmp_path, "outcomes.csv", WIDE))
    with (tmp_path / "again.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["question_id", "text", "category", "source", *original.models])
        for i, ins in enumerate(original.instructions):
            cells = [str(original.scores[i, j]) if original.observed[i, j] else "" for j in range(2)]
            writer.writerow([ins.id, ins.text, ins.category or "", ins.source or "", *cells])
    again = load_outcomes(tmp_path / "again.csv")

    assert again.instructions == original.instructions
    assert again.models == original.models
    np.testing.assert_array_equal(again.scores, original.scores)
    np.testing.assert_array_equal(again.observed, original.observed)


@pytest.mark.parametrize(
    ("text", "location", "problem"),
    [
        ("question_id,text,m1\n1,a,1\n", "line 1", "missing columns ['category']"),
        ("id,text,category,m1\n1,a,b,1\n", "line 1", "missing columns ['question_id']"),
        ("", "line 1", "missing columns ['question_id', 'text', 'category']"),
        ("question_id,text,category,source\n1,a,b,c\n", "line 1", "no model columns"),
        ("question_id,text,category,m1,m1\n1,a,b,1,0\n", "line 1", "duplicate columns ['m1']"),
        (
            "question_id,text,category,m1,m2\nq1,a,b,1,0\nq2,a,b,1,yes\n",
            "line 3, column 'm2'",
            "score 'yes' is not a number",
        ),
        ("question_id,text,category,m1\nq1,a,b,1.5\n", "line 2, column 'm1'", "score 1.5 is outside [0, 1]"),
        (
            "question_id,text,category,m1\nq1,a,b,-0.1\n",
            "line 2, column 'm1'",
            "score -0.1 is outside [0, 1]",
        ),
        ("question_id,text,category,m1\nq1,a,b,nan\n", "line 2, column 'm1'", "score nan is outside [0, 1]"),
        (
            "question_id,text,category,m1\nq1,a,b,1\nq2,c,d,0\nq1,e,f,1\n",
            "line 4",
            "duplicate question_id 'q1'",
        ),
        ("question_id,text,category,m1\n ,a,b,1\n", "line 2", "empty question_id"),
        (
            "question_id,text,category,m1\nq1,what is 1,2?,math,1\n",
            "line 2",
            "row has more fields than the header (unquoted comma in a text?)",
        ),
        ("question_id,text,category,m1,m2\nq1,a,math,1\n", "line 2", "row has fewer fields than the header"),
        ("question_id,text,category,m1\n", None, "no outcome rows after the header"),
    ],
)
def test_wide_csv_malformed(tmp_path: Path, text: str, location: str | None, problem: str) -> None:
    error = _error(load_wide_csv, _write(tmp_path, "bad.csv", text))

    assert error.location == location
    assert problem in error.problem


def test_wide_csv_line_numbers_count_multiline_texts(tmp_path: Path) -> None:
    text = 'question_id,text,category,m1\nq1,"one\ntwo\nthree",x,1\nq2,plain,x,2\n'

    error = _error(load_wide_csv, _write(tmp_path, "bad.csv", text))

    assert error.location == "line 5, column 'm1'"  # q2 sits on the 5th line of the file
    assert str(error) == f"{tmp_path / 'bad.csv'} (line 5, column 'm1'): score 2.0 is outside [0, 1]"


# ---------------------------------------------------------------- long JSONL


def test_long_jsonl_values_missing_cells_and_fields(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path,
        {"question_id": 1, "text": "t1", "model": "a", "score": 1, "category": "math", "source": "s1"},
        {"question_id": 1, "text": "t1", "model": "b", "score": 0},
        "",
        {"question_id": "q2", "text": "t2", "model": "b", "score": 0.25},
    )

    outcomes = load_long_jsonl(path)

    assert outcomes.ids == ["1", "q2"]
    assert outcomes.models == ["a", "b"]
    np.testing.assert_array_equal(outcomes.observed, [[True, True], [False, True]])
    np.testing.assert_array_equal(outcomes.scores, [[1.0, 0.0], [0.0, 0.25]])
    assert outcomes.accuracy() == {"a": 1.0, "b": 0.125}
    first, second = outcomes.instructions
    assert (first.text, first.category, first.source) == ("t1", "math", "s1")
    assert (second.text, second.category, second.source) == ("t2", None, None)
    assert outcomes.report.records == 3


def test_long_jsonl_round_trip(tmp_path: Path) -> None:
    original = load_wide_csv(_write(tmp_path, "outcomes.csv", WIDE))
    records = [
        {
            "question_id": ins.id,
            "text": ins.text,
            "model": model,
            "score": float(original.scores[i, j]),
            "category": ins.category,
            "source": ins.source,
        }
        for i, ins in enumerate(original.instructions)
        for j, model in enumerate(original.models)
        if original.observed[i, j]
    ]

    again = load_outcomes(_jsonl(tmp_path, *records))

    assert again.instructions == original.instructions
    assert again.models == original.models
    np.testing.assert_array_equal(again.scores, original.scores)
    np.testing.assert_array_equal(again.observed, original.observed)


GOOD = {"question_id": 1, "text": "t1", "model": "a", "score": 1}


@pytest.mark.parametrize(
    ("lines", "location", "problem"),
    [
        ([GOOD, '{"question_id": 2, "text": '], "line 2", "invalid JSON"),
        ([{"question_id": 1, "text": "t1", "model": "a"}], "line 1", "missing field 'score'"),
        ([GOOD, {"text": "t", "model": "a", "score": 1}], "line 2", "missing field 'question_id'"),
        ([GOOD, "[1, 2]"], "line 2", "expected a JSON object"),
        (
            [GOOD, {**GOOD, "model": "b", "text": "other"}],
            "line 2",
            "question_id '1' has two different texts",
        ),
        ([GOOD, GOOD], "line 2", "second score for question_id '1' and model 'a'"),
        ([{**GOOD, "score": "high"}], "line 1", "score 'high' is not a number"),
        ([{**GOOD, "score": None}], "line 1", "score None is not a number"),
        ([GOOD, {**GOOD, "model": "b", "score": 2}], "line 2", "score 2.0 is outside [0, 1]"),
        ([{**GOOD, "category": 5}], "line 1", "field 'category' must be a string or null"),
        ([], None, "no outcome records"),
    ],
)
def test_long_jsonl_malformed(tmp_path: Path, lines: list, location: str | None, problem: str) -> None:
    error = _error(load_long_jsonl, _jsonl(tmp_path, *lines))

    assert error.location == location
    assert problem in error.problem


def test_long_jsonl_line_numbers_count_blank_lines(tmp_path: Path) -> None:
    path = _jsonl(tmp_path, GOOD, "", "", "{not json}")

    assert _error(load_long_jsonl, path).location == "line 4"


# ---------------------------------------------------------------- load_outcomes dispatch


def test_dispatch_by_path(tmp_path: Path, small_mmlu_folder: Path) -> None:
    assert load_outcomes(small_mmlu_folder).models == ["alpha", "beta", "gamma"]
    assert load_outcomes(str(small_mmlu_folder)).ids == ["10", "11", "12", "13"]
    assert load_outcomes(_write(tmp_path, "o.csv", WIDE)).models == ["m1", "m2"]
    assert load_outcomes(_jsonl(tmp_path, GOOD)).models == ["a"]


def test_dispatch_unknown_suffix(tmp_path: Path) -> None:
    path = _write(tmp_path, "outcomes.tsv", WIDE.replace(",", "\t"))

    error = _error(load_outcomes, path)

    assert error.problem == (
        "unknown format: expected an MMLU-Pro, LLMRouter or AlpacaEval folder, a .csv or a .jsonl file"
    )


def test_dispatch_missing_path(tmp_path: Path) -> None:
    assert _error(load_outcomes, tmp_path / "absent.csv").problem == "no such file or folder"


def test_dispatch_folder_without_outputs(tmp_path: Path) -> None:
    _write(tmp_path, "outcomes.csv", WIDE)

    assert "not an outcome folder: expected MMLU-Pro model_outputs_<MODEL>_5shots.zip files" in str(
        _error(load_outcomes, tmp_path)
    )
