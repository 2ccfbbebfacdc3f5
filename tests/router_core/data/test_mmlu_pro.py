"""The upstream MMLU-Pro importer: exact scores on small zips, every malformed case, and the real folder."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from router_core.data import load_mmlu_pro_outputs, load_outcomes
from router_core.errors import DataFormatError

# ---------------------------------------------------------------- small, well-formed data


def test_small_folder_scores_observed_and_models(small_mmlu_folder: Path) -> None:
    outcomes = load_mmlu_pro_outputs(small_mmlu_folder)

    assert outcomes.models == ["alpha", "beta", "gamma"]
    assert outcomes.ids == ["10", "11", "12", "13"]
    np.testing.assert_array_equal(
        outcomes.scores,
        [
            [1, 0, 1],
            [0, 1, 1],
            [0, 0, 0],
            [1, 1, 0],
        ],
    )
    np.testing.assert_array_equal(
        outcomes.observed,
        [
            [True, True, True],
            [True, True, True],
            [True, False, True],
            [True, True, True],
        ],
    )


def test_small_folder_missing_is_masked_not_wrong(small_mmlu_folder: Path) -> None:
    outcomes = load_mmlu_pro_outputs(small_mmlu_folder)

    assert outcomes.missing() == {"alpha": 0, "beta": 1, "gamma": 0}
    accuracy = outcomes.accuracy()
    assert accuracy["alpha"] == 0.5
    assert accuracy["beta"] == pytest.approx(2 / 3)  # over its 3 answered questions, not 2/4
    assert accuracy["gamma"] == 0.5


def test_small_folder_report(small_mmlu_folder: Path) -> None:
    report = load_mmlu_pro_outputs(small_mmlu_folder).report

    assert report.files == 3
    assert report.records == 11
    assert report.stray_entries == 2
    assert report.unparsed_predictions == 2
    assert len(report.notes) == 2
    assert report.notes[0].startswith("1 questions have a revised answer key")
    assert report.notes[1] == "1 missing cells masked (a model did not answer some questions)"


def test_instructions_keep_text_options_and_majority_key(small_mmlu_folder: Path) -> None:
    outcomes = load_mmlu_pro_outputs(small_mmlu_folder)
    by_id = {ins.id: ins for ins in outcomes.instructions}

    q10 = by_id["10"]
    assert q10.text == "Question number 10?"
    assert q10.choices == ("option A of 10", "option B of 10", "option C of 10", "option D of 10")
    assert q10.category == "math"
    assert q10.source == "ori_mmlu-college_mathematics"
    # two files say B, gamma's file says C: the instruction keeps B, gamma is still scored against C
    assert by_id["11"].answer == "B"
    assert outcomes.scores[outcomes.row("11"), outcomes.model_index("gamma")] == 1
    assert by_id["12"].category == "law"
    assert by_id["13"].source == "stemez-Physics"
    assert outcomes.categories() == {"law": 1, "math": 2, "physics": 1}


def test_models_argument_selects_and_orders(small_mmlu_folder: Path) -> None:
    outcomes = load_mmlu_pro_outputs(small_mmlu_folder, models=["gamma", "alpha"])

    assert outcomes.models == ["gamma", "alpha"]
    assert outcomes.report.files == 2
    assert outcomes.observed.all()
    assert outcomes.report.notes == [  # nothing missing without beta; question 11 still has two keys
        "1 questions have a revised answer key in some files; each model is scored against its own file's key"
    ]
    assert outcomes.scores[:, 0].tolist() == [1, 1, 0, 0]


def test_question_seen_only_in_loaded_files(small_mmlu_folder: Path) -> None:
    outcomes = load_mmlu_pro_outputs(small_mmlu_folder, models=["beta"])

    assert outcomes.ids == ["10", "11", "13"]  # question 12 is in no loaded file
    assert outcomes.observed.all()


def test_output_key_variants_score_the_same(tmp_path: Path, record, write_outputs) -> None:
    write_outputs(tmp_path, "one", [record(1, "A", "A"), record(2, "B", "C")])
    write_outputs(
        tmp_path,
        "two",
        [record(1, "A", "A", output_key="model_outputs"), record(2, "B", "C", output_key="model_outputs")],
    )

    outcomes = load_mmlu_pro_outputs(tmp_path)

    assert outcomes.scores[:, 0].tolist() == outcomes.scores[:, 1].tolist() == [1, 0]


def test_plain_json_file_is_read_too(tmp_path: Path, record) -> None:
    (tmp_path / "model_outputs_plain_5shots.json").write_text(json.dumps([record(5, "C", "C"), "total"]))

    outcomes = load_mmlu_pro_outputs(tmp_path)

    assert outcomes.models == ["plain"]
    assert outcomes.scores.tolist() == [[1.0]]
    assert outcomes.report.stray_entries == 1


def test_unrelated_files_in_folder_are_ignored(small_mmlu_folder: Path) -> None:
    (small_mmlu_folder / "README.md").write_text("notes")
    (small_mmlu_folder / "model_outputs_delta_0shots.zip").write_bytes(b"not this one")

    assert load_outcomes(small_mmlu_folder).models == ["alpha", "beta", "gamma"]


# ---------------------------------------------------------------- malformed input


def _error(folder: Path, **kwargs) -> DataFormatError:
    with pytest.raises(DataFormatError) as info:
        load_mmlu_pro_outputs(folder, **kwargs)
    return info.value


def test_not_a_zip(tmp_path: Path) -> None:
    bad = tmp_path / "model_outputs_broken_5shots.zip"
    bad.write_bytes(b"this is plain text, not an archive")

    error = _error(tmp_path)

    assert error.path == str(bad)
    assert str(error).startswith(f"{bad}: not a valid zip archive")


def test_zip_without_json(tmp_path: Path, write_outputs) -> None:
    bad = write_outputs(tmp_path, "empty", members={"readme.txt": b"nothing"})

    assert str(_error(tmp_path)) == f"{bad}: expected exactly one .json file inside, found []"


def test_zip_with_two_json_files(tmp_path: Path, write_outputs) -> None:
    bad = write_outputs(tmp_path, "double", members={"a.json": b"[]", "b.json": b"[]"})

    assert (
        str(_error(tmp_path)) == f"{bad}: expected exactly one .json file inside, found ['a.json', 'b.json']"
    )


def test_invalid_json_names_the_line(tmp_path: Path, write_outputs) -> None:
    bad = write_outputs(tmp_path, "garbled", members={"x.json": b'[\n {"question_id": 1},\n {oops}\n]'})

    error = _error(tmp_path)

    assert error.path == str(bad)
    assert error.location == "line 3"
    assert str(error).startswith(f"{bad} (line 3): invalid JSON:")


def test_json_that_is_not_utf8(tmp_path: Path, write_outputs) -> None:
    bad = write_outputs(tmp_path, "latin", members={"x.json": '["caf\u00e9"]'.encode("latin-1")})

    error = _error(tmp_path)

    assert error.path == str(bad)
    assert "invalid JSON: not UTF-8" in str(error)


def test_top_level_not_a_list(tmp_path: Path, write_outputs) -> None:
    bad = write_outputs(tmp_path, "object", {"records": []})

    assert str(_error(tmp_path)) == f"{bad}: expected a JSON list of records, got dict"


def test_record_missing_a_field(tmp_path: Path, record, write_outputs) -> None:
    incomplete = record(2, "A", "A")
    del incomplete["options"]
    bad = write_outputs(tmp_path, "partial", [record(1, "A", "A"), incomplete])

    error = _error(tmp_path)

    assert error.location == "record 1"
    assert str(error) == f"{bad} (record 1): field 'options' missing or not list"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("question_id", "70", "field 'question_id' missing or not int"),
        ("answer", 3, "field 'answer' missing or not str"),
        ("category", None, "field 'category' missing or not str"),
        ("options", "A, B, C", "field 'options' missing or not list"),
    ],
)
def test_record_field_of_wrong_type(tmp_path: Path, record, write_outputs, field, value, message) -> None:
    wrong = record(7, "A", "A")
    wrong[field] = value
    bad = write_outputs(tmp_path, "typed", ["total", record(6, "A", "B"), wrong])

    assert str(_error(tmp_path)) == f"{bad} (record 2): {message}"


def test_prediction_of_wrong_type(tmp_path: Path, record, write_outputs) -> None:
    bad = write_outputs(tmp_path, "numeric", [record(9, "A", "A"), {**record(8, "A", "A"), "pred": 0}])

    assert str(_error(tmp_path)) == f"{bad} (record 1, question_id 8): 'pred' must be a letter or null, got 0"


@pytest.mark.parametrize(("entry", "kind"), [(42, "int"), (None, "NoneType"), (["A"], "list")])
def test_entry_neither_record_nor_string(tmp_path: Path, record, write_outputs, entry, kind) -> None:
    bad = write_outputs(tmp_path, "odd", [record(1, "A", "A"), "total", entry])

    assert str(_error(tmp_path)) == f"{bad} (record 2): expected an object, got {kind}"


def test_duplicate_question_id_in_one_file(tmp_path: Path, record, write_outputs) -> None:
    bad = write_outputs(tmp_path, "twice", [record(4, "A", "A"), record(5, "B", "B"), record(4, "A", "C")])

    assert str(_error(tmp_path)) == f"{bad} (record 2, question_id 4): duplicate question_id in one file"


def test_the_bad_file_is_named_among_good_ones(small_mmlu_folder: Path, record, write_outputs) -> None:
    bad = write_outputs(small_mmlu_folder, "bad", [record(1, "A", "A"), 3.5])

    error = _error(small_mmlu_folder)

    assert error.path == str(bad)
    assert error.location == "record 1"


def test_empty_folder(tmp_path: Path) -> None:
    assert str(_error(tmp_path)) == f"{tmp_path}: no model_outputs_<MODEL>_5shots.zip files found"


def test_missing_folder(tmp_path: Path) -> None:
    assert str(_error(tmp_path / "nowhere")) == f"{tmp_path / 'nowhere'}: no such folder"


def test_unknown_model_requested(small_mmlu_folder: Path) -> None:
    error = _error(small_mmlu_folder, models=["alpha", "delta"])

    assert error.path == str(small_mmlu_folder)
    assert "no outputs for models ['delta']; found ['alpha', 'beta', 'gamma']" in str(error)


# ---------------------------------------------------------------- the real 24-model folder


def _raw_records(zip_path: Path) -> list:
    with zipfile.ZipFile(zip_path) as archive:
        (name,) = archive.namelist()
        return json.loads(archive.read(name))


@pytest.mark.slow
def test_real_folder(real_outcomes, shared_mmlu_pro: Path) -> None:
    assert len(real_outcomes.models) == 24
    assert len(real_outcomes.instructions) == 9633
    missing = real_outcomes.missing()
    assert missing["DeepSeek-Coder-V2"] == 1355
    assert missing["gemini-1.5-pro-002"] == 9
    assert sum(missing.values()) == 1355 + 9  # every other model answered every question

    # DeepSeek-Coder-V2, computed independently from its raw file: right answers over answered items only
    raw = _raw_records(shared_mmlu_pro / "model_outputs_DeepSeek-Coder-V2_5shots.zip")
    records = [entry for entry in raw if isinstance(entry, dict)]
    assert len(records) == 9633 - 1355
    right = sum(entry["pred"] == entry["answer"] for entry in records)
    accuracy = real_outcomes.accuracy()["DeepSeek-Coder-V2"]
    assert accuracy == pytest.approx(right / len(records), abs=1e-12)
    assert accuracy > right / 9633 + 0.05  # counting the missing items wrong would be far lower

    j = real_outcomes.model_index("DeepSeek-Coder-V2")
    answered = {str(entry["question_id"]) for entry in records}
    observed = {ins.id for i, ins in enumerate(real_outcomes.instructions) if real_outcomes.observed[i, j]}
    assert observed == answered
    assert real_outcomes.report.stray_entries == sum(isinstance(entry, str) for entry in raw) == 43
