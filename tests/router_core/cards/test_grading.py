"""The graders of aptitude replies: each reads the answer a prompt asked for and scores it in [0, 1]."""

from __future__ import annotations

import pytest

from router_core.cards.grading import (
    extract_code,
    final_math_answer,
    final_number,
    grade_answer,
    grade_choice,
    grade_code,
    grade_coverage,
    grade_f1,
    grade_judge,
    grade_math,
    grade_number,
    judge_prompt,
    normalise_math,
    read_verdict,
)
from router_core.cards.items import AptitudeItem
from router_core.errors import CodeExecutionNotAllowedError, ConfigError, UnreadableVerdictError


@pytest.mark.parametrize(
    ("reply", "number"),
    [
        ("3 + 4 = 7 apples, then 7 * 2 = 14.", "14"),
        ("So the total is $1,250.50 in all.", "1250.50"),
        ("10 - 3 = 7\n#### 7", "7"),
        ("The answer is 20,000 bolts, from 10 crates.", "20000"),
        ("First \\boxed{5}; no wait, the answer is 6 after 2 more steps.", "6"),
        ("The answer is 6. Checking: \\boxed{7} is what 3 + 4 gives.", "7"),
        ("It drops to -3.5 degrees.", "-3.5"),
        ("The answer is unclear, but 12 is likely.", "12"),
        ("No numbers here.", None),
    ],
)
def test_final_number(reply: str, number: str | None) -> None:
    assert final_number(reply) == number


@pytest.mark.parametrize(
    ("reply", "answer", "score"),
    [
        ("The answer is 20,000.", "20000", 1.0),
        ("The answer is 20000.0", "20000", 1.0),
        ("The answer is 19,999.", "20000", 0.0),
        ("I cannot tell.", "20000", 0.0),
        ("\\boxed{0.5}", "0.50", 1.0),
    ],
)
def test_grade_number(reply: str, answer: str, score: float) -> None:
    assert grade_number(reply, answer) == score


def test_a_number_item_without_a_number_key_is_a_data_error() -> None:
    with pytest.raises(ValueError, match="must be a number"):
        grade_number("The answer is 3.", "three")


@pytest.mark.parametrize(
    ("reply", "answer"),
    [
        ("so $x = \\boxed{\\frac{1}{2}}$.", "\\frac{1}{2}"),
        ("\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}", "(3,\\frac{\\pi}{2})"),
        (
            "First \\boxed{1}, then \\boxed{\\begin{pmatrix} 0 \\\\ 1 \\end{pmatrix}}",
            "\\begin{pmatrix}0\\\\1\\end{pmatrix}",
        ),
        ("The final answer is $2 \\sec x$.", "2\\secx"),
        ("The answer is \\boxed 5", "5"),
        ("Nothing final here.", None),
        ("An unbalanced \\boxed{\\frac{1}{2}", None),
    ],
)
def test_final_math_answer_takes_the_last_balanced_box(reply: str, answer: str | None) -> None:
    found = final_math_answer(reply)
    assert (normalise_math(found) if found is not None else None) == answer


@pytest.mark.parametrize(
    ("reply", "answer", "score"),
    [
        ("$\\boxed{\\dfrac{1}{2}}$", "\\frac{1}{2}", 1.0),
        ("\\boxed{0.5}", "\\frac{1}{2}", 1.0),
        ("\\boxed{1/2}", "\\dfrac{1}{2}", 1.0),
        ("The answer is \\boxed{494,550}.", "494550", 1.0),
        ("\\boxed{494{,}550}", "494550", 1.0),
        ("\\boxed{90^\\circ}", "90", 1.0),
        ("\\boxed{\\$1.06}", "\\$ 1.06", 1.0),
        ("\\boxed{5\\text{ cm}}", "5cm", 1.0),
        ("\\boxed{2 \\sec x}", "2 \\sec x", 1.0),
        ("\\boxed{\\frac{1}{3}}", "\\frac{1}{2}", 0.0),
        ("\\boxed{-1}", "1", 0.0),
        ("I give up.", "1", 0.0),
    ],
)
def test_grade_math(reply: str, answer: str, score: float) -> None:
    assert grade_math(reply, answer) == score


@pytest.mark.parametrize(
    ("reply", "answer", "score"),
    [
        ("Barry McGuigan.", "barry mcguigan", 1.0),
        ("The answer is: the North Caucasus!", "North Caucasus", 1.0),
        ("McGuigan", "barry mcguigan", 2 / 3),
        ("It was Barry McGuigan of Clones", "barry mcguigan", 0.5),  # precision 2/6, recall 1
        ("Muhammad Ali", "barry mcguigan", 0.0),
        ("", "barry mcguigan", 0.0),
    ],
)
def test_grade_f1(reply: str, answer: str, score: float) -> None:
    assert grade_f1(reply, answer) == pytest.approx(score)


@pytest.mark.parametrize(
    ("reply", "score"),
    [
        ("The farmer reported that wheelbarrows were scarce across the countries.", 1.0),
        ("Reporting on the country, she pushed a wheelbarrow.", 1.0),
        ("The country's report was late.", 2 / 3),
        ("Barrows and wheels are not a wheelbarrow... of a sort.", 1 / 3),
        ("I like cheese.", 0.0),
    ],
)
def test_grade_coverage_counts_concepts_in_any_simple_inflection(reply: str, score: float) -> None:
    assert grade_coverage(reply, "report, wheelbarrow, country") == pytest.approx(score)


def test_grade_choice_and_grade_answer_read_the_letter() -> None:
    item = AptitudeItem(id="q", task="t", grader="choice", prompt="Q?", choices=("x", "y", "z"), answer="B")
    assert grade_choice("The answer is (B).", "B", 3) == grade_answer(item, "Answer: B") == 1.0
    assert grade_answer(item, "The answer is (C).") == 0.0


def test_grade_answer_leaves_code_and_judge_items_to_their_graders() -> None:
    item = AptitudeItem(id="q", task="t", grader="code", prompt="Write f.", tests="assert f() == 1")
    with pytest.raises(ValueError, match="grade_code"):
        grade_answer(item, "def f(): return 1")


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        ("Sure:\n```python\ndef f():\n    return 1\n```\nDone.", "def f():\n    return 1\n"),
        ("```py\nx = 1\n```\nthen better:\n```Python\nx = 2\n```", "x = 2\n"),
        ("```\nx = 3\n```", "x = 3\n"),
        ("def f():\n    return 1", "def f():\n    return 1"),
    ],
)
def test_extract_code_takes_the_last_python_block(reply: str, code: str) -> None:
    assert extract_code(reply) == code


def test_code_is_never_run_without_the_opt_in(tmp_path) -> None:
    marker = tmp_path / "ran"
    with pytest.raises(CodeExecutionNotAllowedError, match="allow_execution=True"):
        grade_code(f"open({str(marker)!r}, 'w').close()", "")
    assert not marker.exists()
    assert isinstance(CodeExecutionNotAllowedError("x"), ConfigError)


def test_code_runs_isolated_without_secrets_or_the_project(monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret")
    program = (
        "import os, sys\n"
        "assert 'OPENAI_API_KEY' not in os.environ, 'the key leaked'\n"
        "assert sys.stdin is None or not sys.stdin.read(), 'stdin is open'\n"
        "try:\n    import router_core\nexcept ImportError:\n    pass\n"
        "else:\n    raise SystemExit('the project is importable')\n"
    )
    assert grade_code(program, "", allow_execution=True) == 1.0


def test_code_that_grabs_too_much_memory_fails() -> None:
    assert grade_code("buffer = bytearray(2 << 30)", "", allow_execution=True) == 0.0


@pytest.mark.parametrize(
    ("reply", "verdict"),
    [
        ("Output (a)", "a"),
        ("**Output (b)**", "b"),
        ("output b", "b"),
        ("(a)", "a"),
        ("B.", "b"),
        ("I prefer Output (b): it is clearer.", "b"),
    ],
)
def test_read_verdict(reply: str, verdict: str) -> None:
    assert read_verdict(reply) == verdict


@pytest.mark.parametrize("reply", ["Both are fine.", "Output (a) and Output (b) tie.", "", "about"])
def test_an_unreadable_verdict_is_an_error_not_a_loss(reply: str) -> None:
    with pytest.raises(UnreadableVerdictError, match="names neither output"):
        read_verdict(reply)


REPLY, REFERENCE = "Sleep at fixed times.", "Reference: a regular schedule."


def scripted_judge(prefers: str):
    """A judge that prefers the model's reply, the reference, or whatever it reads first."""
    prompts: list[str] = []

    async def judge(prompt: str) -> str:
        prompts.append(prompt)
        reply_first = prompt.index(REPLY) < prompt.index(REFERENCE)
        if prefers == "first":
            return "Output (a)"
        return "Output (a)" if reply_first == (prefers == "reply") else "Output (b)"

    judge.prompts = prompts  # type: ignore[attr-defined]
    return judge


@pytest.mark.parametrize(("prefers", "score"), [("reply", 1.0), ("reference", 0.0), ("first", 0.5)])
async def test_grade_judge_asks_in_both_orders(prefers: str, score: float) -> None:
    judge = scripted_judge(prefers)
    assert await grade_judge(judge, "How can I sleep better?", REPLY, REFERENCE) == score
    assert judge.prompts == [
        judge_prompt("How can I sleep better?", REPLY, REFERENCE),
        judge_prompt("How can I sleep better?", REFERENCE, REPLY),
    ]


def test_judge_prompt_keeps_braces_in_the_texts() -> None:
    prompt = judge_prompt("Fill {output_b} in", "{instruction}", "b")
    assert "Fill {output_b} in" in prompt and "## Output (a)\n\n{instruction}\n\n" in prompt
