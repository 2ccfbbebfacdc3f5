"""Graders of aptitude replies: each scores a reply in [0, 1] the way its item's `GraderKind` says.

`grade_answer` grades every kind that reads only the reply and the key; code items run the reply
(`grade_code`, opt-in) and open-ended items need a judge model (`grade_judge`, async).
"""

from __future__ import annotations

from router_core.cards.grading.code import extract_code, grade_code
from router_core.cards.grading.final_answer import (
    final_math_answer,
    final_number,
    grade_choice,
    grade_math,
    grade_number,
    normalise_math,
)
from router_core.cards.grading.judge import JUDGE_TEMPLATE, grade_judge, judge_prompt, read_verdict
from router_core.cards.grading.overlap import grade_coverage, grade_f1, normalise_answer
from router_core.cards.items import AptitudeItem


def grade_answer(item: AptitudeItem, reply: str) -> float:
    """The score of `reply` to a choice (options in their original order), number, math, f1 or
    coverage item; ValueError for code and judge items, which need `grade_code` or `grade_judge`."""
    key = item.answer or ""  # present: AptitudeItem checks each kind's key
    if item.grader == "choice":
        return grade_choice(reply, key, len(item.choices or ()))
    if item.grader == "number":
        return grade_number(reply, key)
    if item.grader == "math":
        return grade_math(reply, key)
    if item.grader == "f1":
        return grade_f1(reply, key)
    if item.grader == "coverage":
        return grade_coverage(reply, key)
    raise ValueError(f"a {item.grader!r} item is graded by grade_{item.grader}, not from its reply alone")


__all__ = [
    "JUDGE_TEMPLATE",
    "extract_code",
    "final_math_answer",
    "final_number",
    "grade_answer",
    "grade_choice",
    "grade_code",
    "grade_coverage",
    "grade_f1",
    "grade_judge",
    "grade_math",
    "grade_number",
    "judge_prompt",
    "normalise_answer",
    "normalise_math",
    "read_verdict",
]
