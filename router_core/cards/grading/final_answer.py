"""Graders that read one final answer from a reply: an option letter, a number, a math expression.

A reply may reason at length; only its final answer counts, found where the prompt asked for it
(`\\boxed{...}`, "The answer is ...", GSM8K's "#### ..."), else, for numbers, its last number.
Where a reply marks an answer more than once, the last mark wins: a reply that corrects itself
counts with its correction.
"""

from __future__ import annotations

import math
import re

from router_core.cards.answers import extract_choice
from router_core.data.latex import last_boxed

_NUMBER = re.compile(r"-?(?:\d[\d,]*(?:\.\d+)?|\.\d+)")
_PLAIN_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)")
_GROUPED_NUMBER = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_FRACTION = re.compile(r"(-?)\\frac\{(-?[\d.]+)\}\{(-?[\d.]+)\}|(-?[\d.]+)/(-?[\d.]+)")
_ANSWER_IS = re.compile(r"answer\s+is\s*:?", re.IGNORECASE)
_HASHES = re.compile(r"####")
_TEXT_WRAPPER = re.compile(r"\\(?:text|textbf|textrm|mathrm|mbox)\{([^{}]*)\}")
_LEFT_RIGHT = re.compile(r"\\(?:left|right)(?![a-zA-Z])")
_LATEX_SPACING = re.compile(r"(?<!\\)\\[!,;: ]")  # not the line break \\
_DROPPED = ("^{\\circ}", "^\\circ", "\\$", "$", "\\%", "%")
_ABS_TOL = 1e-6
_REL_TOL = 1e-6


def grade_choice(reply: str, answer: str, n_choices: int) -> float:
    """1.0 when the option letter the reply settles on is `answer`."""
    return float(extract_choice(reply, n_choices) == answer)


def final_number(reply: str) -> str | None:
    """The reply's final number, commas stripped: the one after its last answer mark ('####',
    'answer is', a `\\boxed{}`), else its last number; None when it holds no number."""
    box_start, box_content = last_boxed(reply)
    marked = [(box_start, box_content)] if box_start >= 0 else []
    for pattern in (_HASHES, _ANSWER_IS):
        found = list(pattern.finditer(reply))
        if found:
            marked.append((found[-1].start(), reply[found[-1].end() :]))
    for _, text in sorted(marked, reverse=True):
        number = _NUMBER.search(text)
        if number:
            return _strip_commas(number.group())
    numbers = _NUMBER.findall(reply)
    return _strip_commas(numbers[-1]) if numbers else None


def grade_number(reply: str, answer: str) -> float:
    """1.0 when the reply's final number equals `answer` (within a tolerance of 1e-6)."""
    gold = _as_number(_strip_commas(answer.strip()))
    if gold is None:
        raise ValueError(f"a number item's answer must be a number, got {answer!r}")
    found = final_number(reply)
    got = _as_number(found) if found is not None else None
    return float(got is not None and math.isclose(got, gold, rel_tol=_REL_TOL, abs_tol=_ABS_TOL))


def final_math_answer(reply: str) -> str | None:
    """The reply's final answer as written: its last `\\boxed{...}`, else the rest of the line
    after its last 'answer is'; None when it has neither."""
    start, content = last_boxed(reply)
    if start >= 0:
        return content
    found = list(_ANSWER_IS.finditer(reply))
    if not found:
        return None
    line = reply[found[-1].end() :].split("\n", 1)[0].strip()
    return line or None


def normalise_math(answer: str) -> str:
    """Light LaTeX normalisation, so that notation alone never makes a right answer wrong:
    no spaces, `\\left`/`\\right`, spacing commands, `$`, degrees or percent signs, no `\\text{}`
    wrappers or trailing period; `\\dfrac` and `\\tfrac` read as `\\frac`; '1{,}000' as '1,000'."""
    text = answer.strip()
    while True:
        unwrapped = _TEXT_WRAPPER.sub(r"\1", text)
        if unwrapped == text:
            break
        text = unwrapped
    text = _LATEX_SPACING.sub("", _LEFT_RIGHT.sub("", text))
    text = text.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac").replace("{,}", ",")
    for dropped in _DROPPED:
        text = text.replace(dropped, "")
    return re.sub(r"\s+", "", text).rstrip(".")


def grade_math(reply: str, answer: str) -> float:
    """1.0 when the reply's final answer equals `answer` after `normalise_math`, or both read as
    the same number (so '0.5' matches '\\frac{1}{2}' and '494,550' matches '494550')."""
    found = final_math_answer(reply)
    if found is None:
        return 0.0
    got, gold = normalise_math(found), normalise_math(answer)
    if got == gold:
        return 1.0
    got_value, gold_value = _as_number(got), _as_number(gold)
    return float(
        got_value is not None
        and gold_value is not None
        and math.isclose(got_value, gold_value, rel_tol=_REL_TOL, abs_tol=_ABS_TOL)
    )


def _strip_commas(number: str) -> str:
    return number.replace(",", "")


def _as_number(text: str) -> float | None:
    """The value of a plain, comma-grouped or fractional number ('-3.5', '1,000', '\\frac{1}{2}', '1/2')."""
    if _GROUPED_NUMBER.fullmatch(text):
        text = _strip_commas(text)
    if _PLAIN_NUMBER.fullmatch(text):
        return float(text)
    fraction = _FRACTION.fullmatch(text)
    if fraction is None:
        return None
    sign, numerator, denominator = (
        (fraction[1], fraction[2], fraction[3]) if fraction[2] else ("", fraction[4], fraction[5])
    )
    try:
        value = float(numerator) / float(denominator)
    except (ValueError, ZeroDivisionError):
        return None
    return -value if sign else value
