"""Scripted stand-ins for a model taking the aptitude test: what they answer is known in advance.

`ScriptedModel` recognises each item (and the rotation of its options) in the prompt the runner
renders, so it can answer right or wrong on purpose under any option order. `always_a` is the
lucky guesser: importable by name, as the CLI's --callable needs.
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from router_core.cards.runner import PROMPT_TEMPLATE
from router_core.data.outcomes import OPTION_LETTERS, Instruction, format_multiple_choice

HANG_S = 3600.0
GARBLED = "I am not sure about this one."


class ModelDown(Exception):
    """The model is gone for good (in a real run: a revoked key, say)."""


async def always_a(prompt: str) -> str:
    return "The answer is (A)."


class ScriptedModel:
    """Answers each item as `script` says: 'right' (the default), 'wrong' (the next option) or 'garbled'.

    `flaky[id]` calls of an item raise ConnectionError first, `hang[id]` calls of it never return,
    and once `crash_after` items were answered every call raises ModelDown. Every call is counted
    per item in `calls`, and `max_in_flight` is the most calls that were open at once.
    """

    def __init__(
        self,
        questions: Iterable[Instruction],
        script: Mapping[str, str] | None = None,
        *,
        flaky: Mapping[str, int] | None = None,
        hang: Mapping[str, int] | None = None,
        crash_after: int | None = None,
        delay_s: float = 0.0,
    ) -> None:
        self._by_text: dict[str, list[Instruction]] = defaultdict(list)
        for ins in questions:
            self._by_text[ins.text].append(ins)
        self.script = dict(script or {})
        self.flaky = dict(flaky or {})
        self.hang = dict(hang or {})
        self.crash_after = crash_after
        self.delay_s = delay_s
        self.calls: Counter[str] = Counter()
        self.answered = 0
        self.in_flight = 0
        self.max_in_flight = 0

    async def __call__(self, prompt: str) -> str:
        item, correct = self.locate(prompt)
        self.calls[item.id] += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay_s)
            if self.crash_after is not None and self.answered >= self.crash_after:
                raise ModelDown("the model is gone")
            if self.calls[item.id] <= self.flaky.get(item.id, 0):
                raise ConnectionError("flaky")
            if self.calls[item.id] <= self.flaky.get(item.id, 0) + self.hang.get(item.id, 0):
                await asyncio.sleep(HANG_S)
            self.answered += 1
            return self._reply(self.script.get(item.id, "right"), correct, len(item.choices or ()))
        finally:
            self.in_flight -= 1

    def locate(self, prompt: str) -> tuple[Instruction, int]:
        """The item in `prompt` and the index of its right option in the order shown."""
        prefix, suffix = PROMPT_TEMPLATE.split("{question}")
        assert prompt.startswith(prefix) and prompt.endswith(suffix), prompt
        body = prompt[len(prefix) : len(prompt) - len(suffix)]
        question = body.rpartition("\nOptions:\n")[0]
        for ins in self._by_text[question]:
            choices = list(ins.choices or ())
            for shift in range(len(choices)):
                if format_multiple_choice(ins.text, choices[shift:] + choices[:shift]) == body:
                    return ins, (OPTION_LETTERS.index(str(ins.answer)) - shift) % len(choices)
        raise AssertionError(f"not an item of this model's script: {prompt!r}")

    @staticmethod
    def _reply(behaviour: str, correct: int, n_choices: int) -> str:
        if behaviour == "garbled":
            return GARBLED
        index = correct if behaviour == "right" else (correct + 1) % n_choices
        return f"Let me think it through.\nThe answer is ({OPTION_LETTERS[index]})."
