"""`modelsat data info`."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from router_core.cli.app import app

runner = CliRunner()


def _row(output: str, *cells: str) -> bool:
    """Whether a table row holds these cells, in this order."""
    return re.search(r"\s*│\s*".join(re.escape(c) for c in cells), output) is not None


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.output.startswith("error: ")
    assert result.output.count("\n") == 1, result.output  # one line, however long the path
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output


def test_info_on_an_upstream_folder(cli_folder: Path) -> None:
    result = runner.invoke(app, ["data", "info", "--data", str(cli_folder)])

    assert result.exit_code == 0, result.output
    out = result.output
    assert "3 models, 7 questions from 3 file(s), 20 outcome records" in out
    assert "skipped stray entries: 1; unparsed predictions counted wrong: 1" in out
    assert "note: 1 missing cells masked (a model did not answer some questions)" in out
    assert _row(out, "anatomy", "3") and _row(out, "astronomy", "3") and _row(out, "physics", "1")
    # model, accuracy over answered items, answered, missing
    assert _row(out, "alpha", "0.714", "7", "0")
    assert _row(out, "beta", "0.500", "6", "1")
    assert _row(out, "gamma", "0.429", "7", "0")
    assert out.index("alpha") < out.index("beta") < out.index("gamma")  # by accuracy


def test_info_on_a_csv(tmp_path: Path) -> None:
    path = tmp_path / "outcomes.csv"
    path.write_text("question_id,text,category,m1,m2\nq1,a,math,1,\nq2,b,law,0,1\n")

    result = runner.invoke(app, ["data", "info", "--data", str(path)])

    assert result.exit_code == 0, result.output
    assert "2 models, 2 questions from 1 file(s), 3 outcome records" in result.output
    assert _row(result.output, "m2", "1.000", "1", "1")


def test_missing_data_path(tmp_path: Path) -> None:
    missing = tmp_path / ("a-rather-long-folder-name-so-that-the-message-exceeds-eighty-columns" * 2)

    result = runner.invoke(app, ["data", "info", "--data", str(missing)])

    assert_one_line_error(result, f"{missing}: no such file or folder")


def test_malformed_file_in_the_folder(cli_folder: Path) -> None:
    bad = cli_folder / "model_outputs_delta_5shots.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("x.json", '[{"question_id": 1}, "total", 5]')

    result = runner.invoke(app, ["data", "info", "--data", str(cli_folder)])

    assert_one_line_error(result, f"{bad} (record 0): field 'question' missing or not str")


def test_markup_in_a_message_is_printed_literally(tmp_path: Path) -> None:
    path = tmp_path / "[bold]outcomes.csv"
    path.write_text("question_id,text,m1\n")

    result = runner.invoke(app, ["data", "info", "--data", str(path)])

    assert_one_line_error(result, "[bold]outcomes.csv (line 1): missing columns ['category']")


@pytest.mark.slow
def test_info_on_the_real_folder(shared_mmlu_pro: Path) -> None:
    result = runner.invoke(app, ["data", "info", "--data", str(shared_mmlu_pro)])

    assert result.exit_code == 0, result.output
    assert "24 models" in result.output
    assert "9633 questions" in result.output
    assert "note: 1364 missing cells masked" in result.output
    assert _row(result.output, "DeepSeek-Coder-V2", "0.636", "8278", "1355")
    assert _row(result.output, "gemini-1.5-pro-002", "0.702", "9624", "9")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("outcomes.csv", b"question_id,text,category,m\nq1,caf\xe9 au lait,food,1\n"),
        (
            "outcomes.jsonl",
            b'{"question_id": "q1", "text": "ok", "model": "m", "score": 1}\n{"text": "\xff"}\n',
        ),
    ],
)
def test_info_on_a_file_that_is_not_utf8_is_one_line_naming_the_line(
    tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = runner.invoke(app, ["data", "info", "--data", str(path)])
    assert_one_line_error(result, name, "(line 2)", "not UTF-8 text", "save the file as UTF-8")
