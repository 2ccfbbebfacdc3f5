"""The judge grader: a judge model compares the reply with a reference answer, as AlpacaEval does.

Open-ended requests have no answer key, so a judge model is asked which of two outputs is better,
the model's reply or the reference. Judges favour whichever output they read first (or second),
so the question is asked twice, with the outputs swapped: the score is the share of the two
askings the reply wins, 0, 0.5 or 1. A judge reply that names neither output is never read as a
loss: it raises UnreadableVerdictError, for the caller to ask again or fail the item.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Literal

from router_core.errors import UnreadableVerdictError

JUDGE_TEMPLATE = """You are a fair judge of AI assistants. Below are an instruction and two outputs
that answer it. Select the output that answers the instruction better: the more helpful,
accurate and relevant one. Do not let the order of the outputs or their length sway you.

## Instruction

{instruction}

## Output (a)

{output_a}

## Output (b)

{output_b}

## Which output is better, (a) or (b)?

Answer with exactly "Output (a)" or "Output (b)" and nothing else."""

_VERDICT = re.compile(r"\boutput\s*(?:\(([ab])\)|([ab])\b)", re.IGNORECASE)
_BARE_VERDICT = re.compile(r"\(?([ab])\)?", re.IGNORECASE)

Judge = Callable[[str], Awaitable[str]]


def judge_prompt(instruction: str, output_a: str, output_b: str) -> str:
    """The pairwise question put to the judge."""
    return JUDGE_TEMPLATE.format(instruction=instruction, output_a=output_a, output_b=output_b)


def read_verdict(reply: str) -> Literal["a", "b"]:
    """The output the judge's reply names as better; UnreadableVerdictError if it names neither
    or both ('Output (a)', 'output b' and a bare '(b)' all read)."""
    named = {(first or second).lower() for first, second in _VERDICT.findall(reply)}
    if not named:
        bare = _BARE_VERDICT.fullmatch(reply.strip().strip("*.` "))
        named = {bare[1].lower()} if bare else set()
    if named == {"a"}:
        return "a"
    if named == {"b"}:
        return "b"
    shown = reply if len(reply) <= 200 else reply[:200] + "..."
    raise UnreadableVerdictError(f"the judge's reply names neither output alone as better: {shown!r}")


async def grade_judge(judge: Judge, instruction: str, reply: str, reference: str) -> float:
    """The share of two askings (reply shown first, then second) in which `judge` prefers the
    reply to `reference`."""
    wins = 0
    for reply_first in (True, False):
        output_a, output_b = (reply, reference) if reply_first else (reference, reply)
        verdict = read_verdict(await judge(judge_prompt(instruction, output_a, output_b)))
        wins += verdict == ("a" if reply_first else "b")
    return wins / 2
