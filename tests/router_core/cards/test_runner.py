"""The aptitude-test runner: a new model takes the test through an async callable and gets its card."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from scripted_model import (
    GARBLED,
    RIGHT,
    V3_FAMILIES,
    V3_ITEMS,
    V3_TEST,
    WRONG,
    ItemModel,
    ModelDown,
    ScriptedModel,
    always_a,
    fair_judge,
    judge_always_first,
    judge_prefers_model,
    judge_prefers_reference,
)
from typer.testing import CliRunner

from router_core.cards import (
    AptitudeRunConfig,
    AptitudeTask,
    AptitudeTest,
    TaskScore,
    choice_item,
    extract_choice,
    load_aptitude_test,
    load_cards,
    render_prompt,
    run_aptitude_test,
)
from router_core.cli.app import app
from router_core.data.outcomes import OPTION_LETTERS, Instruction, OutcomeMatrix
from router_core.errors import (
    AptitudeRunError,
    CardError,
    CodeExecutionNotAllowedError,
    ConfigError,
    UnusableReplyError,
)
from router_core.retry import RetrySettings

HERE = Path(__file__).resolve().parent
TASKS = {"algebra": [101, 102, 103, 104], "biology": [201, 202, 203, 204], "chemistry": [300, 301, 302]}
# Right answers everywhere but: a wrong and an unparseable reply in algebra, a wrong one in biology,
# a wrong and an unparseable one in chemistry -> 2/4, 3/4 and 1/3.
SCRIPT = {"103": "wrong", "104": "garbled", "204": "wrong", "301": "garbled", "302": "wrong"}
EXPECTED = {"algebra": (0.5, 4), "biology": (0.75, 4), "chemistry": (1 / 3, 3)}


def make_item(qid: int, n_choices: int = 4) -> Instruction:
    """An item whose key cycles through the letters, so only some keys are 'A'."""
    return Instruction(
        id=str(qid),
        text=f"Question {qid}?",
        category="test",
        choices=tuple(f"option {k} of {qid}" for k in range(n_choices)),
        answer=OPTION_LETTERS[qid % n_choices],
    )


def share_keyed_a(ids: list[int]) -> float:
    """What always answering 'A' scores on these items."""
    return sum(make_item(q).answer == "A" for q in ids) / len(ids)


def fast(attempts: int = 4, **overrides: object) -> AptitudeRunConfig:
    """Settings that retry without waiting, with a short timeout and no progress bar."""
    retry = RetrySettings(attempts=attempts, initial_wait_s=0.0, jitter_s=0.0)
    return AptitudeRunConfig(**{"retry": retry, "timeout_s": 0.2, "progress_bar": False, **overrides})


def scores(result) -> dict[str, tuple[float, int]]:
    return {s.task: (s.accuracy, s.n_items) for s in result.card.scores}


@pytest.fixture
def test_def() -> AptitudeTest:
    return AptitudeTest(
        version="unit-v1",
        tasks=[
            AptitudeTask(id=task, description=f"{task.title()}, Keywords", question_ids=[str(q) for q in ids])
            for task, ids in TASKS.items()
        ],
    )


@pytest.fixture
def questions() -> list[Instruction]:
    """Every aptitude item, plus one the test does not use."""
    return [make_item(q) for ids in TASKS.values() for q in ids] + [make_item(999)]


async def run(model, test_def, questions, config=None, **kwargs):
    return await run_aptitude_test(
        model, model_name="new-model", test=test_def, questions=questions, config=config or fast(), **kwargs
    )


@pytest.mark.parametrize(
    ("reply", "n_choices", "letter"),
    [
        ("Step by step... The answer is (C).", 4, "C"),
        ("the answer is B", 4, "B"),
        ("The answer is: **(D)**", 4, "D"),
        ("So the answer is (A). Wait, no: the answer is (C).", 4, "C"),
        ("A looks tempting.\nAnswer: B", 4, "B"),
        ("Final answer:(d)", 4, None),
        ("(B)", 4, "B"),
        ("Reasoning first.\n\nC.", 4, "C"),
        ("I think it is the third one.", 10, None),
        ("The answer is (E).", 4, None),
        ("The answer is Approximately 4.", 4, None),
        ("", 4, None),
    ],
)
def test_extract_choice(reply: str, n_choices: int, letter: str | None) -> None:
    assert extract_choice(reply, n_choices) == letter


def test_prompt_shows_the_rotated_options_and_asks_for_the_answer_format() -> None:
    item = choice_item(make_item(7), "t")
    prompt = render_prompt(item, shift=1)
    assert "The answer is (X)" in prompt
    assert prompt.endswith(
        "Question 7?\nOptions:\nA. option 1 of 7\nB. option 2 of 7\nC. option 3 of 7\nD. option 0 of 7"
    )


async def test_card_is_exact_despite_retries_timeouts_and_garbled_replies(test_def, questions) -> None:
    model = ScriptedModel(questions, SCRIPT, flaky={"201": 2}, hang={"202": 1})
    matrix = OutcomeMatrix(questions, ["zoo"], np.zeros((len(questions), 1)), np.ones((len(questions), 1)))
    result = await run(model, test_def, matrix, fast(attempts=3, timeout_s=0.05))

    assert result.card.model == "new-model" and result.card.aptitude_version == "unit-v1"
    assert [s.task for s in result.card.scores] == list(TASKS)
    assert scores(result) == EXPECTED
    assert result.card.scores[0] == TaskScore(
        task="algebra", description="Algebra, Keywords", accuracy=0.5, n_items=4
    )
    assert result.failures == {} and result.resumed == 0
    assert model.calls["201"] == 3 and model.calls["202"] == 2 and "999" not in model.calls
    assert sum(model.calls.values()) == 11 + 2 + 1
    by_id = {r.item_id: r for r in result.records}
    assert [r.item_id for r in result.records] == [str(q) for ids in TASKS.values() for q in ids]
    assert by_id["104"].presentations[0].reply == GARBLED and by_id["104"].presentations[0].extracted is None
    assert by_id["103"].presentations[0].extracted != by_id["103"].presentations[0].expected == "D"


@pytest.mark.parametrize(
    ("failure", "error"), [("flaky", "ConnectionError: flaky"), ("hang", "TimeoutError")]
)
async def test_an_item_failing_every_attempt_is_reported_not_scored_wrong(
    test_def, questions, failure, error
) -> None:
    model = ScriptedModel(questions, **{failure: {"102": 99}})
    with pytest.raises(AptitudeRunError, match="1 aptitude items failed all 2 attempts: 102") as caught:
        await run(model, test_def, questions, fast(attempts=2, timeout_s=0.05))
    assert caught.value.failures == {"102": error}
    assert model.calls["102"] == 2


async def test_allowed_failures_leave_the_item_out_of_its_task(test_def, questions) -> None:
    model = ScriptedModel(questions, SCRIPT, flaky={"300": 99, "204": 99})
    result = await run(model, test_def, questions, fast(attempts=2, allow_failures=True))
    assert result.failures == {"300": "ConnectionError: flaky", "204": "ConnectionError: flaky"}
    assert scores(result) == {"algebra": (0.5, 4), "biology": (1.0, 3), "chemistry": (0.0, 2)}
    assert {r.item_id for r in result.records}.isdisjoint(result.failures)


async def test_a_task_with_no_answered_item_cannot_be_scored(test_def, questions) -> None:
    model = ScriptedModel(questions, flaky={q: 99 for q in ("300", "301", "302")})
    with pytest.raises(AptitudeRunError, match="chemistry") as caught:
        await run(model, test_def, questions, fast(attempts=1, allow_failures=True))
    assert set(caught.value.failures) == {"300", "301", "302"}


async def test_circle_test_removes_lucky_guesses_but_keeps_real_knowledge(test_def, questions) -> None:
    share_of_a = {task: (share_keyed_a(ids), len(ids)) for task, ids in TASKS.items()}
    assert scores(await run(always_a, test_def, questions)) == share_of_a
    assert all(v > 0 for v, _ in share_of_a.values())

    lucky = await run(always_a, test_def, questions, fast(circle_rotations=2))
    assert {acc for acc, _ in scores(lucky).values()} == {0.0}

    knowing = ScriptedModel(questions)
    result = await run(knowing, test_def, questions, fast(circle_rotations=2))
    assert {acc for acc, _ in scores(result).values()} == {1.0}
    assert set(knowing.calls.values()) == {3}
    assert [p.shift for p in result.records[0].presentations] == [0, 1, 2]

    scripted = await run(ScriptedModel(questions, SCRIPT), test_def, questions, fast(circle_rotations=2))
    assert scores(scripted) == EXPECTED


async def test_circle_test_asks_each_distinct_order_once_and_stops_at_a_wrong_answer(questions) -> None:
    items = [make_item(1, n_choices=3), make_item(4, n_choices=3)]  # keys B and B
    test_def = AptitudeTest(
        version="v", tasks=[AptitudeTask(id="t", description="T", question_ids=["1", "4"])]
    )
    model = ScriptedModel(items)
    result = await run(model, test_def, items, fast(circle_rotations=5))
    assert dict(model.calls) == {"1": 3, "4": 3}
    assert [p.expected for p in result.records[0].presentations] == ["B", "A", "C"]

    wrong_first = ScriptedModel(items, {"4": "wrong"})
    result = await run(wrong_first, test_def, items, fast(circle_rotations=5))
    assert dict(wrong_first.calls) == {"1": 3, "4": 1}
    assert scores(result) == {"t": (0.5, 2)}


@pytest.mark.parametrize("limit", [1, 3])
async def test_concurrency_limit_is_respected(test_def, questions, limit) -> None:
    model = ScriptedModel(questions, delay_s=0.01)
    await run(model, test_def, questions, fast(concurrency=limit))
    assert model.max_in_flight == limit


async def test_resume_after_a_crash_asks_only_the_remaining_items(tmp_path, test_def, questions) -> None:
    reference = await run(ScriptedModel(questions, SCRIPT), test_def, questions)
    progress = tmp_path / "progress.jsonl"

    with pytest.raises(ModelDown):
        await run(
            ScriptedModel(questions, SCRIPT, crash_after=5),
            test_def,
            questions,
            fast(concurrency=1),
            progress_path=progress,
            fatal_errors=(ModelDown,),
        )
    done = [json.loads(line)["item_id"] for line in progress.read_text().splitlines()]
    assert len(done) == 5

    model = ScriptedModel(questions, SCRIPT)
    result = await run(model, test_def, questions, progress_path=progress)
    assert result.resumed == 5
    assert set(model.calls).isdisjoint(done) and len(model.calls) == 11 - 5
    assert result.card == reference.card
    assert len(progress.read_text().splitlines()) == 11


async def test_resume_after_failures_retries_only_the_failed_items(tmp_path, test_def, questions) -> None:
    reference = await run(ScriptedModel(questions, SCRIPT), test_def, questions)
    progress = tmp_path / "progress.jsonl"
    with pytest.raises(AptitudeRunError, match="re-run with it"):
        await run(
            ScriptedModel(questions, SCRIPT, flaky={"101": 99, "302": 99}),
            test_def,
            questions,
            fast(attempts=2),
            progress_path=progress,
        )

    model = ScriptedModel(questions, SCRIPT)
    result = await run(model, test_def, questions, progress_path=progress)
    assert dict(model.calls) == {"101": 1, "302": 1}
    assert result.card == reference.card


async def test_resume_drops_a_torn_last_line(tmp_path, test_def, questions) -> None:
    progress = tmp_path / "progress.jsonl"
    reference = await run(ScriptedModel(questions, SCRIPT), test_def, questions, progress_path=progress)
    lines = progress.read_text().splitlines(keepends=True)
    torn_id = json.loads(lines[-1])["item_id"]
    progress.write_text("".join(lines[:-1]) + lines[-1][:40])

    model = ScriptedModel(questions, SCRIPT)
    result = await run(model, test_def, questions, progress_path=progress)
    assert dict(model.calls) == {torn_id: 1}
    assert result.card == reference.card
    ids = [json.loads(line)["item_id"] for line in progress.read_text().splitlines()]
    assert sorted(ids) == sorted(r.item_id for r in reference.records)


@pytest.mark.parametrize("change", [{"model_name": "other-model"}, {"config": fast(circle_rotations=1)}])
async def test_a_progress_file_of_another_run_is_refused(tmp_path, test_def, questions, change) -> None:
    progress = tmp_path / "progress.jsonl"
    await run(ScriptedModel(questions), test_def, questions, progress_path=progress)
    model = ScriptedModel(questions)
    arguments = {"model_name": "new-model", "config": fast(), **change}
    with pytest.raises(ConfigError, match="another run"):
        await run_aptitude_test(
            model, test=test_def, questions=questions, progress_path=progress, **arguments
        )
    assert not model.calls


async def test_missing_or_keyless_items_are_a_clear_error(test_def, questions) -> None:
    model = ScriptedModel(questions)
    with pytest.raises(CardError, match=r"1 items of aptitude test unit-v1 .*\['203'\]"):
        await run(model, test_def, [q for q in questions if q.id != "203"])
    keyless = [q.model_copy(update={"answer": None}) if q.id == "203" else q for q in questions]
    with pytest.raises(CardError, match="'203' is not a multiple-choice question"):
        await run(model, test_def, keyless)
    assert not model.calls


# ------------------------------------------------------------ every grader kind (test v3's items)


def v3(**overrides: object) -> AptitudeRunConfig:
    """Fast settings for V3_TEST; its code items may run."""
    return fast(**{"allow_code_execution": True, **overrides})


def only(*families: str) -> frozenset[str]:
    return frozenset(families)


async def run_v3(model, config=None, judge=fair_judge, **kwargs):
    return await run_aptitude_test(
        model,
        model_name="new-model",
        test=V3_TEST,
        items=V3_ITEMS,
        judge=judge,
        config=config or v3(),
        **kwargs,
    )


def every_task(accuracy: float) -> dict[str, tuple[float, int]]:
    return {task.id: (accuracy, len(task.question_ids)) for task in V3_TEST.tasks}


async def test_every_grader_gives_right_replies_full_marks_and_wrong_ones_none() -> None:
    right = ItemModel(RIGHT)
    result = await run_v3(right, v3(circle_rotations=1))
    assert scores(result) == every_task(1.0)
    assert [s.task for s in result.card.scores] == [task.id for task in V3_TEST.tasks]
    assert result.card.families == tuple(V3_TEST.families) and len(V3_TEST.families) == 7
    assert right.calls == {item_id: 2 if item_id.startswith("mc-") else 1 for item_id in V3_ITEMS}
    by_id = {r.item_id: r.presentations[-1] for r in result.records}
    assert (by_id["gsm-1"].extracted, by_id["gsm-1"].expected) == ("20000", "20000")
    assert by_id["math-1"].extracted == "\\dfrac{1}{2}"
    assert by_id["mc-2"].shift == 1 and by_id["mc-2"].expected == "C"

    wrong = await run_v3(ItemModel(WRONG))
    assert scores(wrong) == every_task(0.0)
    assert {r.score for r in wrong.records} == {0.0}


def test_each_grader_kind_asks_for_the_answer_its_grader_reads() -> None:
    prompts = {item_id: render_prompt(item) for item_id, item in V3_ITEMS.items()}
    assert "The answer is N" in prompts["gsm-1"] and prompts["gsm-1"].endswith(V3_ITEMS["gsm-1"].prompt)
    assert "\\boxed{}" in prompts["math-1"]
    assert "short answer" in prompts["qa-1"]
    assert prompts["writing-1"].endswith("Concepts: report, wheelbarrow, country")
    assert "```python" in prompts["mbpp-1"]
    assert prompts["mbpp-1"].endswith("Your code should pass this test:\nassert add(2, 3) == 5")
    assert 'def double(x: int) -> int:\n    """Return twice x."""\n```' in prompts["he-1"]
    assert prompts["open-1"] == V3_ITEMS["open-1"].prompt
    assert prompts["mc-1"].endswith("C. carbon dioxide\nD. helium")


async def test_a_task_scores_the_mean_of_its_partial_credits() -> None:
    model = ItemModel({**RIGHT, "qa-1": "McGuigan", "writing-1": "The country filed its report."})
    result = await run_v3(model, v3(families=only("short-answer-qa", "constrained-writing")))
    assert scores(result) == {"qa": (pytest.approx((2 / 3 + 1) / 2), 2), "writing": (pytest.approx(2 / 3), 1)}


async def test_code_that_never_ends_is_cut_at_the_time_limit_and_scores_zero() -> None:
    # it sleeps, so only the wall-clock limit can stop it (the CPU limit would wait forever)
    endless = "```python\nimport time\n\nwhile True:\n    time.sleep(0.1)\n```"
    model = ItemModel({**RIGHT, "mbpp-1": endless})
    started = time.monotonic()
    result = await run_v3(model, v3(families=only("code"), code_timeout_s=1.0))
    assert scores(result) == {"code": (0.5, 2)}
    assert time.monotonic() - started < 10


async def test_code_items_are_refused_without_the_opt_in_before_anything_is_asked() -> None:
    model = ItemModel(RIGHT)
    with pytest.raises(
        CodeExecutionNotAllowedError, match=r"code items \(tasks code of family code\).*--allow"
    ):
        await run_v3(model, fast())
    assert not model.calls

    result = await run_v3(model, fast(families=only(*V3_FAMILIES.values()) - {"code"}))
    assert "code" not in scores(result) and len(result.card.scores) == len(V3_TEST.tasks) - 1


async def test_open_ended_items_need_a_judge_before_anything_is_asked() -> None:
    model = ItemModel(RIGHT)
    with pytest.raises(ConfigError, match=r"open-ended items \(tasks open .*--judge-callable"):
        await run_v3(model, judge=None)
    assert not model.calls


@pytest.mark.parametrize(
    ("judge", "score"),
    [(judge_prefers_model, 1.0), (judge_prefers_reference, 0.0), (judge_always_first, 0.5)],
)
async def test_the_judge_is_asked_in_both_orders(judge, score) -> None:
    result = await run_v3(ItemModel(RIGHT), v3(families=only("open-ended")), judge=judge)
    assert scores(result) == {"open": (score, 1)}


async def test_an_unreadable_verdict_is_asked_again_and_never_scored_as_a_loss() -> None:
    verdicts = iter(["Both have merit.", "Output (a)", "Output (b)"])
    asked: list[str] = []

    async def hesitant(prompt: str) -> str:
        asked.append(prompt)
        return next(verdicts)

    result = await run_v3(ItemModel(RIGHT), v3(families=only("open-ended")), judge=hesitant)
    assert scores(result) == {"open": (1.0, 1)} and len(asked) == 3 and asked[0] == asked[1]

    async def rambling(prompt: str) -> str:
        return "Both have merit."

    with pytest.raises(AptitudeRunError, match="open-1: UnreadableVerdictError") as caught:
        await run_v3(ItemModel(RIGHT), v3(families=only("open-ended"), attempts=2), judge=rambling)
    assert list(caught.value.failures) == ["open-1"]


@pytest.mark.parametrize(("role", "reply"), [("model", None), ("judge", 42)])
async def test_a_reply_that_is_not_text_names_the_item_and_answers_so_far_are_kept(
    tmp_path, role, reply
) -> None:
    progress = tmp_path / "progress.jsonl"
    model = ItemModel({**RIGHT, "open-1": None} if role == "model" else RIGHT)

    async def judge(prompt: str):
        return reply

    message = rf"aptitude item 'open-1': the {role} callable returned {reply} \({type(reply).__name__}\)"
    with pytest.raises(UnusableReplyError, match=message):
        await run_v3(
            model,
            v3(families=only("short-answer-qa", "open-ended"), concurrency=1),
            judge=judge,
            progress_path=progress,
        )
    kept = [json.loads(line)["item_id"] for line in progress.read_text().splitlines()]
    assert kept == ["qa-1", "qa-2"]


async def test_families_give_a_partial_card_and_share_the_progress_file(tmp_path) -> None:
    progress = tmp_path / "progress.jsonl"
    first = await run_v3(ItemModel(RIGHT), v3(families=only("short-answer-qa")), progress_path=progress)
    assert scores(first) == {"qa": (1.0, 2)}

    model = ItemModel(RIGHT)
    both = only("short-answer-qa", "math-word-problems")
    second = await run_v3(model, v3(families=both), progress_path=progress)
    assert scores(second) == {"gsm": (1.0, 2), "qa": (1.0, 2)}
    assert second.card.families == ("math-word-problems", "short-answer-qa")
    assert second.resumed == 2 and set(model.calls) == {"gsm-1", "gsm-2"}

    narrower = await run_v3(ItemModel(RIGHT), v3(families=only("math-word-problems")), progress_path=progress)
    assert narrower.resumed == 2 and scores(narrower) == {"gsm": (1.0, 2)}


async def test_unknown_families_are_named(test_def, questions) -> None:
    with pytest.raises(ConfigError, match=r"no task family \['cooking'\]; its families: multiple-choice-qa"):
        await run_v3(ItemModel(RIGHT), v3(families=only("cooking", "code")))
    with pytest.raises(ConfigError, match="does not group its tasks into families"):
        await run(ScriptedModel(questions), test_def, questions, fast(families=only("code")))


async def test_items_or_questions_are_needed_and_shipped_choice_keys_are_checked() -> None:
    model = ItemModel(RIGHT)
    with pytest.raises(ConfigError, match="give the test's items"):
        await run_aptitude_test(model, model_name="m", test=V3_TEST, judge=fair_judge, config=v3())
    keyless = {**V3_ITEMS, "mc-2": V3_ITEMS["mc-2"].model_copy(update={"answer": "D"})}
    with pytest.raises(CardError, match="'mc-2' is not a multiple-choice question"):
        await run_aptitude_test(
            model, model_name="m", test=V3_TEST, items=keyless, judge=fair_judge, config=v3()
        )
    assert not model.calls


def write_mmlu_pro_folder(folder: Path, questions: list[Instruction]) -> Path:
    """The questions as an upstream MMLU-Pro outputs file of one model, as `--data` reads it."""
    folder.mkdir()
    records = [
        {
            "question_id": int(q.id),
            "question": q.text,
            "options": list(q.choices or ()),
            "answer": q.answer,
            "category": "test",
            "src": "ori_mmlu-test",
            "pred": q.answer,
        }
        for q in questions
    ]
    (folder / "model_outputs_zoo_5shots.json").write_text(json.dumps(records))
    return folder


@pytest.fixture
def cli_files(tmp_path, test_def, questions, monkeypatch) -> dict[str, str]:
    monkeypatch.syspath_prepend(str(HERE))
    test_def.save(tmp_path / "test.json")
    return {
        "--data": str(write_mmlu_pro_folder(tmp_path / "data", questions)),
        "--test": str(tmp_path / "test.json"),
        "--out": str(tmp_path / "card.json"),
        "--name": "new-model",
    }


def invoke(files: dict[str, str], *extra: str):
    arguments = [part for option, value in files.items() for part in (option, value)]
    return CliRunner().invoke(app, ["cards", "run", *arguments, *extra])


@pytest.mark.parametrize("circle", [0, 1])
def test_cli_run_writes_the_card(tmp_path, cli_files, circle) -> None:
    progress = tmp_path / "progress.jsonl"
    outcome = invoke(
        cli_files,
        "--callable",
        "scripted_model:always_a",
        "--progress",
        str(progress),
        "--circle",
        str(circle),
        "--concurrency",
        "2",
        "--timeout",
        "5",
        "--attempts",
        "2",
    )
    assert outcome.exit_code == 0, outcome.output
    card = load_cards(cli_files["--out"])["new-model"]
    expected = [0.0 if circle else share_keyed_a(ids) for ids in TASKS.values()]
    assert card.accuracy_vector(list(TASKS)) == expected
    assert card.aptitude_version == "unit-v1"
    assert len(progress.read_text().splitlines()) == 11
    assert "new-model: mean accuracy" in outcome.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ((), "exactly one of --callable and --litellm-model"),
        (("--callable", "scripted_model:always_a", "--litellm-model", "x"), "exactly one of"),
        (("--callable", "scripted_model"), "must look like package.module:function"),
        (("--callable", "no_such_module_here:ask"), "cannot import"),
        (("--callable", "scripted_model:missing"), "has no 'missing'"),
        (("--callable", "scripted_model:ScriptedModel"), "is not an async function"),
    ],
)
def test_cli_run_reports_bad_model_options(cli_files, extra, message) -> None:
    outcome = invoke(cli_files, *extra)
    assert outcome.exit_code == 2
    assert message in outcome.output


def test_core_never_imports_litellm() -> None:
    code = (
        "import sys, router_core.cards.runner, router_core.cli.cards_cmd; assert 'litellm' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.slow  # loading the real outcomes takes ~7 s
async def test_real_aptitude_test_with_a_model_that_knows_every_answer(real_outcomes) -> None:
    test_def = load_aptitude_test("mmlu-pro-v2")
    model = ScriptedModel(real_outcomes.instructions)
    result = await run_aptitude_test(
        model, model_name="oracle", test=test_def, questions=real_outcomes, config=fast(concurrency=64)
    )
    assert len(result.card.scores) == len(test_def.tasks) == 50
    assert {(s.accuracy, s.n_items) for s in result.card.scores} == {(1.0, 20)}
    assert sum(model.calls.values()) == len(test_def.question_ids)
