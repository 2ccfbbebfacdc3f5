"""`modelsat eval` and `modelsat score` end to end on the synthetic zoo, with the weight-free encoder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from synthetic_zoo import HELD_OUT, MODELS
from typer.testing import CliRunner

from router_core.cli.app import app
from router_core.cli.eval_cmd import method_options
from router_core.methods import BASELINES

runner = CliRunner()


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODELSAT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("COLUMNS", "250")


def _invoke(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def _eval(data: Path, cards: Path, *args: str | Path) -> tuple[int, str]:
    return _invoke("eval", "--data", data, "--cards", cards, *args)


@pytest.mark.slow  # every baseline end to end: test_evaluate.py covers them, other tests the CLI
def test_eval_runs_every_baseline_and_writes_json_markdown_and_plot(
    data_files: tuple[Path, Path], tmp_path: Path
) -> None:
    data, cards = data_files
    code, output = _eval(
        data,
        cards,
        "--method",
        "all",
        "--zoo",
        "all",
        "--split",
        "all",
        "--encoder",
        "hashing",
        "--json",
        tmp_path / "r.json",
        "--plot",
        tmp_path / "r.png",
        "--markdown",
        tmp_path / "r.md",
        "--categories",
    )
    assert code == 0, output
    for name in BASELINES:
        assert name in output
    assert "split test" in output and "split models" in output
    assert f"cannot route to {HELD_OUT}" in output
    assert "accuracy per category" in output
    result = json.loads((tmp_path / "r.json").read_text())
    assert len(result["evaluations"]) == 2 * len(BASELINES)
    assert {e["zoo"] for e in result["evaluations"]} == {"all"}
    knn = next(e for e in result["evaluations"] if (e["split"], e["method"]) == ("test", "knn"))
    assert knn["overall"]["routed"] > knn["overall"]["best_single"]
    assert (tmp_path / "r.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    markdown = (tmp_path / "r.md").read_text().splitlines()
    headings = [line.split(":")[0] for line in markdown if line.startswith("#### ")]
    assert headings == ["#### split test", "#### split models"]
    table_rows = [line for line in markdown if line.startswith("| all | ")]
    assert len(table_rows) == 2 * len(BASELINES)
    knn_row = next(line for line in table_rows if line.startswith("| all | knn | "))
    assert knn_row.split(" | ")[2] == f"{knn['overall']['routed'] * 100:.1f}"


def test_eval_with_a_custom_zoo(data_files: tuple[Path, Path]) -> None:
    data, cards = data_files
    code, output = _eval(
        data,
        cards,
        "--method",
        "best-single,oracle",
        "--models",
        "law-whiz,bio-whiz",
        "--split",
        "test",
    )
    assert code == 0, output
    assert "custom" in output and "upper bound" in output
    assert "split models" not in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--method", "nope"), "unknown method 'nope'"),
        (("--method", ","), "--method ',' names nothing"),
        (("--zoo", "nope"), "unknown zoo 'nope'"),
        (("--zoo", "small"), "zoo 'small' names models without data"),
        (("--models", "weak,ghost"), "unknown model 'ghost'"),
        (("--zoo", "all", "--models", "weak"), "give --zoo or --models, not both"),
        (("--split", "train"), "unknown split 'train'"),
        (("--questions", "train"), "unknown questions 'train'"),
        (
            ("--method", "knn", "--checkpoint", "x.pt"),
            "--checkpoint given, but none of the methods ['knn'] takes it",
        ),
        (
            ("--method", "knn", "--perturbations", "2"),
            "--perturbations given, but none of the methods ['knn'] takes it",
        ),
        (("--method", "knn", "--device", "cpu"), "--device given, but none of the methods ['knn'] takes it"),
    ],
)
def test_eval_errors_are_one_line(data_files: tuple[Path, Path], args: tuple[str, ...], message: str) -> None:
    data, cards = data_files
    code, output = _eval(data, cards, "--encoder", "hashing", *args)
    assert code == 2
    assert message in output


def test_method_options_go_only_to_methods_that_declare_them() -> None:
    options = method_options(
        ["modelsat", "matrix-factorization", "knn"], 3, checkpoint=Path("ckpt"), perturbations=2
    )
    assert options == {
        "modelsat": {"checkpoint": "ckpt", "perturbations": 2},
        "matrix-factorization": {"seed": 3},
        "knn": {},
    }
    assert method_options(["knn"], 0, checkpoint=None, perturbations=None) == {"knn": {}}
    assert method_options(["modelsat", "knn"], 0, instruction_tokens=64) == {
        "modelsat": {"instruction_tokens": 64},
        "knn": {},
    }


def test_eval_without_cards_for_the_zoo(data_files: tuple[Path, Path]) -> None:
    code, output = _invoke("eval", "--data", data_files[0], "--method", "random", "--zoo", "all")
    assert code == 2
    assert "no capability card for" in output


def _write_instructions(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_score_round_trip(data_files: tuple[Path, Path], tmp_path: Path) -> None:
    data, cards = data_files
    instructions = _write_instructions(
        tmp_path / "in.jsonl",
        [
            json.dumps({"id": "m", "text": "integral derivative polynomial theorem equation algebra?"}),
            "",
            json.dumps({"id": 7, "text": "court statute plaintiff contract tort appeal?"}),
        ],
    )
    out = tmp_path / "scores.jsonl"
    code, output = _invoke(
        "score",
        "--cards",
        cards,
        "--instructions",
        instructions,
        "--out",
        out,
        "--method",
        "knn",
        "--data",
        data,
        "--encoder",
        "hashing",
    )
    assert code == 0, output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["m", "7"]
    for line in lines:
        assert set(line["scores"]) == set(MODELS)
        assert line["choice"] == line["ranking"][0]
        assert line["scores"][line["choice"]] == max(s for s in line["scores"].values() if s is not None)
    assert lines[0]["choice"] in (HELD_OUT, "stem-whiz")
    assert lines[1]["choice"] == "law-whiz"


def test_score_with_the_default_router_needs_no_data(data_files: tuple[Path, Path], tmp_path: Path) -> None:
    instructions = _write_instructions(tmp_path / "in.jsonl", [json.dumps({"id": "a", "text": "anything"})])
    code, output = _invoke(
        "score", "--cards", data_files[1], "--instructions", instructions, "--out", tmp_path / "o.jsonl"
    )
    assert code == 0, output
    assert json.loads((tmp_path / "o.jsonl").read_text())["choice"] == "generalist"


@pytest.mark.parametrize(
    ("lines", "extra", "message"),
    [
        (['{"id": "a", "text": "x"}', '{"id": "b"}'], (), "line 2"),
        (['{"id": "a", "text": "x"}', "not json"], (), "line 2"),
        (['{"id": "a", "text": "x"}', '{"id": "a", "text": "y"}'], (), "duplicate id 'a'"),
        ([""], (), "no instructions"),
        (['{"id": "a", "text": "x"}'], ("--method", "oracle"), "cannot score new instructions"),
        (['{"id": "a", "text": "x"}'], ("--method", "knn"), "pass --data"),
        (['{"id": "a", "text": "x"}'], ("--method", "nope"), "unknown method 'nope'"),
    ],
)
def test_score_errors(
    data_files: tuple[Path, Path], tmp_path: Path, lines: list[str], extra: tuple[str, ...], message: str
) -> None:
    instructions = _write_instructions(tmp_path / "in.jsonl", lines)
    code, output = _invoke(
        "score",
        "--cards",
        data_files[1],
        "--instructions",
        instructions,
        "--out",
        tmp_path / "o.jsonl",
        *extra,
    )
    assert code == 2
    assert message in output


def test_score_on_instructions_that_are_not_utf8_is_one_line(
    data_files: tuple[Path, Path], tmp_path: Path
) -> None:
    instructions = tmp_path / "in.jsonl"
    instructions.write_bytes(b'{"id": "a", "text": "caf\xe9"}\n')
    code, output = _invoke(
        "score", "--cards", data_files[1], "--instructions", instructions, "--out", tmp_path / "o.jsonl"
    )
    assert code == 2 and output.count("\n") == 1, output
    assert output.startswith("error: ") and "in.jsonl (line 1): not UTF-8 text" in output


@pytest.mark.parametrize("where", ["folder", "missing folder"])
def test_score_checks_its_output_path_before_any_work(
    data_files: tuple[Path, Path], tmp_path: Path, where: str
) -> None:
    instructions = _write_instructions(tmp_path / "in.jsonl", [json.dumps({"id": "a", "text": "x"})])
    out = tmp_path if where == "folder" else tmp_path / "nowhere" / "o.jsonl"
    code, output = _invoke("score", "--cards", data_files[1], "--instructions", instructions, "--out", out)
    assert code == 2 and output.count("\n") == 1, output
    assert ("is a folder" if where == "folder" else "does not exist") in output
    assert "scored" not in output


@pytest.mark.parametrize("option", ["--json", "--markdown", "--plot"])
@pytest.mark.parametrize("where", ["folder", "missing folder"])
def test_eval_checks_its_output_paths_before_any_work(
    data_files: tuple[Path, Path], tmp_path: Path, option: str, where: str
) -> None:
    data, cards = data_files
    out = tmp_path if where == "folder" else tmp_path / "nowhere" / "r.out"
    code, output = _eval(data, cards, "--method", "best-single", "--split", "test", option, out)
    assert code == 2 and output.count("\n") == 1, output
    assert ("is a folder" if where == "folder" else "does not exist") in output
    assert "routed" not in output  # no method ran


@pytest.mark.parametrize(("option", "value"), [("--models", ",,"), ("--zoo", ","), ("--method", ",,")])
def test_eval_options_naming_nothing_are_errors(
    data_files: tuple[Path, Path], option: str, value: str
) -> None:
    data, cards = data_files
    code, output = _eval(data, cards, option, value)
    assert code == 2 and output.count("\n") == 1, output
    assert f"{option} {value!r} names nothing" in output
