"""`modelsat cards build | show | select-test`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from router_core.cards import AptitudeTest, load_aptitude_test, load_cards, save_cards, select_aptitude_test
from router_core.cli.app import app
from router_core.data import load_outcomes

runner = CliRunner()


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.output.startswith("error: ")
    assert result.output.count("\n") == 1, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output


def _build(folder: Path, test: Path, out: Path, *extra: str):
    return runner.invoke(
        app, ["cards", "build", "--data", str(folder), "--test", str(test), "--out", str(out), *extra]
    )


# ---------------------------------------------------------------- build


@pytest.mark.parametrize("name", ["cards.json", "cards.yaml"])
def test_build_writes_one_card_per_model(
    cli_folder: Path, cli_test_file: Path, tmp_path: Path, name: str
) -> None:
    out = tmp_path / name

    result = _build(cli_folder, cli_test_file, out)

    assert result.exit_code == 0, result.output
    assert result.output == f"wrote 3 cards of 2 tasks (cli-v1) to {out}\n"
    cards = load_cards(out)
    assert list(cards) == ["alpha", "beta", "gamma"]
    assert [(s.accuracy, s.n_items) for s in cards["alpha"].scores] == [(2 / 3, 3), (2 / 3, 3)]
    assert [(s.accuracy, s.n_items) for s in cards["beta"].scores] == [
        (0.5, 2),
        (2 / 3, 3),
    ]  # skipped question 2
    assert [(s.accuracy, s.n_items) for s in cards["gamma"].scores] == [(2 / 3, 3), (1 / 3, 3)]
    assert cards["alpha"].aptitude_version == "cli-v1"


def test_build_some_models(cli_folder: Path, cli_test_file: Path, tmp_path: Path) -> None:
    result = _build(cli_folder, cli_test_file, tmp_path / "cards.json", "--models", "gamma, alpha")

    assert result.exit_code == 0, result.output
    assert list(load_cards(tmp_path / "cards.json")) == ["gamma", "alpha"]


def test_build_unknown_model(cli_folder: Path, cli_test_file: Path, tmp_path: Path) -> None:
    result = _build(cli_folder, cli_test_file, tmp_path / "cards.json", "--models", "alpha,omega")

    assert_one_line_error(result, "unknown model 'omega'")
    assert not (tmp_path / "cards.json").exists()


def test_build_with_the_shipped_test_on_data_without_its_items(cli_folder: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["cards", "build", "--data", str(cli_folder), "--out", str(tmp_path / "c.json")]
    )

    assert_one_line_error(result, "the outcome data holds no item of aptitude test v3")


def test_build_with_a_missing_test_file(cli_folder: Path, tmp_path: Path) -> None:
    result = _build(cli_folder, tmp_path / "absent.json", tmp_path / "cards.json")

    assert_one_line_error(result, f"{tmp_path / 'absent.json'}: cannot read aptitude test")


def test_build_with_a_malformed_test_file(cli_folder: Path, tmp_path: Path) -> None:
    bad = tmp_path / "aptitude.json"
    bad.write_text(json.dumps({"version": "v", "tasks": [{"id": "anatomy", "question_ids": ["1"]}]}))

    result = _build(cli_folder, bad, tmp_path / "cards.json")

    assert_one_line_error(
        result, "not a valid aptitude test definition", "tasks.0.description: Field required"
    )


def test_build_when_a_model_answered_none_of_a_task(cli_folder: Path, tmp_path: Path) -> None:
    test = tmp_path / "aptitude.json"
    AptitudeTest.model_validate(
        {"version": "v", "tasks": [{"id": "skipped", "description": "D", "question_ids": ["2"]}]}
    ).save(test)

    result = _build(cli_folder, test, tmp_path / "cards.json")

    assert_one_line_error(result, "model 'beta' answered none of the items of task 'skipped'")


def test_build_into_a_missing_folder(cli_folder: Path, cli_test_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "no" / "such" / "folder" / "cards.json"

    result = _build(cli_folder, cli_test_file, out)

    assert_one_line_error(result, f"{out}: its folder {out.parent} does not exist")


def test_select_test_on_several_sources_writes_its_items_beside_it(tmp_path: Path, monkeypatch) -> None:
    from router_core.cards.items import items_path, load_items
    from tests.router_core.data.source_folders import write_alpaca_eval, write_llmrouter

    monkeypatch.setattr("router_core.cards.aptitude.MIN_ITEMS", 1)
    folders = [write_llmrouter(tmp_path / "llmrouter"), write_alpaca_eval(tmp_path / "alpaca")]
    out = tmp_path / "mine.json"

    result = runner.invoke(
        app,
        ["cards", "select-test", "--out", str(out), "--version", "mine", "--tasks", "5", "--items", "2"]
        + [arg for folder in folders for arg in ("--data", str(folder))],
    )

    assert result.exit_code == 0, result.output
    test = AptitudeTest.from_file(out)
    items = load_items(items_path(out))
    assert {task.family for task in test.tasks} == {
        "competition-math",
        "multiple-choice-qa",
        "code",
        "short-answer-qa",
        "open-ended",
    }
    assert set(items) == test.question_ids
    assert f"and its items to {items_path(out)}" in result.output


def test_select_test_into_a_missing_folder_fails_before_any_work(tmp_path: Path) -> None:
    out = tmp_path / "missing" / "test.json"

    result = runner.invoke(
        app, ["cards", "select-test", "--data", str(tmp_path / "nowhere"), "--out", str(out)]
    )

    assert_one_line_error(result, f"{out}: its folder {out.parent} does not exist")


# ---------------------------------------------------------------- show


def test_show_lists_the_cards(cli_folder: Path, cli_test_file: Path, tmp_path: Path) -> None:
    _build(cli_folder, cli_test_file, tmp_path / "cards.json")

    result = runner.invoke(app, ["cards", "show", "--cards", str(tmp_path / "cards.json")])

    assert result.exit_code == 0, result.output
    assert "3 capability cards" in result.output
    # by mean accuracy: alpha 0.667, beta 0.583, gamma 0.500
    assert result.output.index("alpha") < result.output.index("beta") < result.output.index("gamma")
    assert "0.583" in result.output


def test_show_prints_one_card_as_the_router_reads_it(tmp_path: Path) -> None:
    shipped = load_cards()["Meta-Llama-3_1-70B-Instruct"]

    result = runner.invoke(app, ["cards", "show", "Meta-Llama-3_1-70B-Instruct"])

    assert result.exit_code == 0, result.output
    assert result.output == shipped.to_text() + "\n"
    assert result.output.startswith("The model achieves ")


def test_show_finds_a_card_by_another_name_of_its_model() -> None:
    from router_core.cards.card import shipped_cards

    result = runner.invoke(
        app,
        ["cards", "show", "--cards", "router_core/cards/definitions/cards-v3.json", "llama-3.1-8b-instruct"],
    )

    assert result.exit_code == 0, result.output
    assert result.output == shipped_cards("v3")["Meta-Llama-3_1-8B-Instruct"].to_text() + "\n"


def test_show_the_shipped_cards() -> None:
    result = runner.invoke(app, ["cards", "show"])

    assert result.exit_code == 0, result.output
    assert "76 capability cards" in result.output  # all three sources, aptitude test v3
    assert "open-ended" in result.output and "knowledge" in result.output  # partial cards say so
    for model in load_cards():
        assert model in result.output  # whole names, never cut to fit the terminal


def test_show_a_card_with_markup_like_text(tmp_path: Path) -> None:
    card = load_cards()["Yi-6B"]
    card = card.model_copy(
        update={"facts": card.facts.model_copy(update={"notes": "Use [bold]care[/bold]."})}
    )
    save_cards([card], tmp_path / "cards.yaml")

    result = runner.invoke(app, ["cards", "show", "--cards", str(tmp_path / "cards.yaml"), "Yi-6B"])

    assert result.output.endswith("Use [bold]care[/bold].\n")


def test_show_an_unknown_model() -> None:
    result = runner.invoke(app, ["cards", "show", "GPT-17"])

    assert_one_line_error(result, "no card for 'GPT-17'; known: DeepSeek-Coder-V2, ")


def test_show_a_missing_card_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["cards", "show", "--cards", str(tmp_path / "absent.json")])

    assert_one_line_error(result, "no such card file")


def test_show_a_malformed_card_file(tmp_path: Path) -> None:
    path = tmp_path / "cards.json"
    path.write_text(json.dumps({"cards": [{"model": "x", "aptitude_version": "v", "scores": []}]}))

    result = runner.invoke(app, ["cards", "show", "--cards", str(path)])

    assert_one_line_error(result, f"{path} (card 0): scores: Tuple should have at least 1 item")


# ---------------------------------------------------------------- select-test


def _select_test(folder: Path, out: Path, *extra: str):
    return runner.invoke(app, ["cards", "select-test", "--data", str(folder), "--out", str(out), *extra])


def test_select_test_writes_the_selection(cli_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "aptitude.json"

    result = _select_test(cli_folder, out, "--tasks", "2", "--items", "2", "--version", "mine-v1")

    assert result.exit_code == 0, result.output
    assert "wrote 2 tasks x up to 2 items (mine-v1), picked on 3 models" in result.output
    written = AptitudeTest.from_file(out)
    expected = select_aptitude_test(
        load_outcomes(cli_folder), ["alpha", "beta", "gamma"], version="mine-v1", n_tasks=2, items_per_task=2
    )
    assert written == expected
    assert written.task("anatomy").question_ids == ["1", "3"]  # beta skipped 2: not answered by the whole zoo
    # and the written test builds cards
    assert _build(cli_folder, out, tmp_path / "cards.json").exit_code == 0


def test_select_test_on_a_named_zoo(cli_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "aptitude.json"

    result = _select_test(cli_folder, out, "--tasks", "1", "--items", "3", "--zoo", "alpha,gamma")

    assert result.exit_code == 0, result.output
    written = AptitudeTest.from_file(out)
    assert written.selected_on == ["alpha", "gamma"]
    # alpha and gamma disagree on 1..3 only where one is right: anatomy 2 and 3 split them, 1 does not
    assert [(t.id, t.question_ids) for t in written.tasks] == [("astronomy", ["4", "5", "6"])]


def test_select_test_asking_for_too_many_tasks(cli_folder: Path, tmp_path: Path) -> None:
    result = _select_test(cli_folder, tmp_path / "a.json", "--tasks", "3", "--items", "2")

    assert_one_line_error(result, "only 2 sources have 2 items answered by every model", "3 are needed")


# ---------------------------------------------------------------- the real folder


@pytest.mark.slow
def test_build_on_the_real_folders(shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "cards.json"
    sources = [
        arg
        for name in ("mmlu-pro", "llmrouter", "alpaca-eval")
        for arg in ("--data", str(shared_data / name))
    ]

    result = runner.invoke(app, ["cards", "build", *sources, "--out", str(out)])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("wrote 76 cards of 50 tasks (v3)")
    cards = load_cards(out)
    assert cards == load_cards()
    assert load_aptitude_test().version == "v3"


# ---------------------------------------------------------------- run, on a test that ships its items

CARDS_TESTS = Path(__file__).resolve().parents[1] / "cards"  # scripted_model.py, importable by name


@pytest.fixture
def v3_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The scripted test of every grader kind, its items beside its definition file."""
    from router_core.cards.items import items_path, save_items

    monkeypatch.syspath_prepend(str(CARDS_TESTS))
    from scripted_model import V3_ITEMS, V3_TEST

    V3_TEST.save(tmp_path / "test.json")
    save_items(V3_ITEMS.values(), items_path(tmp_path / "test.json"))
    return {
        "--test": str(tmp_path / "test.json"),
        "--out": str(tmp_path / "card.json"),
        "--name": "new-model",
    }


def _run(files: dict[str, str], *extra: str):
    arguments = [part for option, value in files.items() for part in (option, value)]
    return runner.invoke(app, ["cards", "run", *arguments, "--timeout", "5", *extra])


def _written_scores(files: dict[str, str]) -> dict[str, float]:
    (card,) = json.loads(Path(files["--out"]).read_text())["cards"]
    return {score["task"]: score["accuracy"] for score in card["scores"]}


def test_run_grades_every_family_of_a_test_that_ships_its_items(v3_run: dict[str, str]) -> None:
    result = _run(
        v3_run,
        "--callable",
        "scripted_model:right_model",
        "--judge-callable",
        "scripted_model:fair_judge",
        "--allow-code-execution",
        "--code-timeout",
        "5",
    )

    assert result.exit_code == 0, result.output
    assert _written_scores(v3_run) == dict.fromkeys(
        ["mcqa", "gsm", "math", "qa", "writing", "code", "open"], 1.0
    )
    assert "new-model: mean accuracy 1.000 on 7 tasks" in result.output


def test_run_families_writes_a_card_of_those_tasks_only(v3_run: dict[str, str]) -> None:
    result = _run(
        v3_run,
        "--callable",
        "scripted_model:wrong_model",
        "--families",
        "short-answer-qa, math-word-problems",
    )

    assert result.exit_code == 0, result.output
    assert _written_scores(v3_run) == {"gsm": 0.0, "qa": 0.0}


@pytest.mark.parametrize(
    ("extra", "fragments"),
    [
        (("--judge-callable", "scripted_model:fair_judge"), ("code items", "--allow-code-execution")),
        (("--allow-code-execution",), ("open-ended items", "--judge-callable or --judge-litellm-model")),
        (
            ("--judge-callable", "scripted_model:fair_judge", "--judge-litellm-model", "x"),
            ("at most one of --judge-callable and --judge-litellm-model",),
        ),
        (("--judge-callable", "scripted_model:nothing"), ("--judge-callable", "has no 'nothing'")),
        (("--families", "code,cooking"), ("no task family ['cooking']", "its families: multiple-choice-qa")),
        (("--data", "anywhere"), ("aptitude test unit-v3 ships its items: leave out --data",)),
    ],
)
def test_run_refuses_what_it_could_not_grade_before_asking(
    v3_run: dict[str, str], extra: tuple[str, ...], fragments: tuple[str, ...]
) -> None:
    from scripted_model import right_model

    right_model.calls.clear()
    result = _run(v3_run, "--callable", "scripted_model:right_model", *extra)

    assert_one_line_error(result, *fragments)
    assert not right_model.calls
    assert not Path(v3_run["--out"]).exists()


def test_run_needs_data_for_a_test_without_items(
    cli_test_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(CARDS_TESTS))
    result = runner.invoke(
        app,
        ["cards", "run", "--test", str(cli_test_file), "--name", "m", "--out", str(tmp_path / "c.json")]
        + ["--callable", "scripted_model:always_a"],
    )

    assert_one_line_error(result, "aptitude test cli-v1 ships no items: give --data")


def test_options_naming_nothing_are_one_line_errors(
    cli_folder: Path, cli_test_file: Path, tmp_path: Path, v3_run: dict[str, str]
) -> None:
    """An explicit empty list is a mistake, not "all models" (build) or "no family" (run)."""
    result = _build(cli_folder, cli_test_file, tmp_path / "cards.json", "--models", ",,")
    assert_one_line_error(result, "--models ',,' names nothing")
    assert not (tmp_path / "cards.json").exists()
    result = _run(v3_run, "--callable", "scripted_model:answer", "--families", " , ")
    assert_one_line_error(result, "--families ' , ' names nothing")
