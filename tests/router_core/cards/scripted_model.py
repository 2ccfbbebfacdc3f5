"""Scripted stand-ins for a model taking the aptitude test: what they answer is known in advance.

`ScriptedModel` recognises each item (and the rotation of its options) in the prompt the runner
renders, so it can answer right or wrong on purpose under any option order. `always_a` is the
lucky guesser: importable by name, as the CLI's --callable needs.

`V3_TEST` has a task for each grader kind; `ItemModel` answers it from a table (`RIGHT` earns full
marks, `WRONG` none), and the judges below grade its open-ended item.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from router_core.cards.aptitude import AptitudeTask, AptitudeTest
from router_core.cards.items import AptitudeItem
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


# ------------------------------------------------------------ a test of every grader kind

V3_ITEMS: dict[str, AptitudeItem] = {
    item.id: item
    for item in [
        AptitudeItem(
            id="mc-1",
            task="mcqa",
            grader="choice",
            prompt="Which gas do plants take in for photosynthesis?",
            choices=("oxygen", "nitrogen", "carbon dioxide", "helium"),
            answer="C",
        ),
        AptitudeItem(
            id="mc-2",
            task="mcqa",
            grader="choice",
            prompt="Which planet is closest to the sun?",
            choices=("Mercury", "Venus", "Earth"),
            answer="A",
        ),
        AptitudeItem(
            id="gsm-1",
            task="gsm",
            grader="number",
            prompt="A crate holds 2,000 bolts. How many bolts do 10 crates hold?",
            answer="20000",
        ),
        AptitudeItem(
            id="gsm-2",
            task="gsm",
            grader="number",
            prompt="Six boxes hold 7 eggs each. How many eggs?",
            answer="42",
        ),
        AptitudeItem(
            id="math-1",
            task="math",
            grader="math",
            prompt="A fair coin is tossed once. What is the probability of heads?",
            answer="\\frac{1}{2}",
        ),
        AptitudeItem(
            id="math-2", task="math", grader="math", prompt="Compute $550 \\times 899$.", answer="494550"
        ),
        AptitudeItem(
            id="qa-1",
            task="qa",
            grader="f1",
            prompt="Which boxer was known as the Clones Cyclone?",
            answer="barry mcguigan",
        ),
        AptitudeItem(
            id="qa-2",
            task="qa",
            grader="f1",
            prompt="In which region of Russia is the Chechen Republic?",
            answer="North Caucasus",
        ),
        AptitudeItem(
            id="writing-1",
            task="writing",
            grader="coverage",
            prompt="report, wheelbarrow, country",
            answer="report, wheelbarrow, country",
        ),
        AptitudeItem(
            id="mbpp-1",
            task="code",
            grader="code",
            prompt="Write a function to add two numbers.",
            tests="assert add(2, 3) == 5\nassert add(-1, 1) == 0",
        ),
        AptitudeItem(
            id="he-1",
            task="code",
            grader="code",
            prompt='\ndef double(x: int) -> int:\n    """Return twice x."""\n',
            tests="def check(candidate):\n    assert candidate(2) == 4\n    assert candidate(-3) == -6\n",
            entry_point="double",
        ),
        AptitudeItem(
            id="open-1",
            task="open",
            grader="judge",
            prompt="How can I sleep better?",
            reference="Reference: sleep and wake at regular times.",
        ),
    ]
}
V3_FAMILIES = {
    "mcqa": "multiple-choice-qa",
    "gsm": "math-word-problems",
    "math": "competition-math",
    "qa": "short-answer-qa",
    "writing": "constrained-writing",
    "code": "code",
    "open": "open-ended",
}
V3_TEST = AptitudeTest(
    version="unit-v3",
    tasks=[
        AptitudeTask(
            id=task,
            description=f"{family.title()}, Keywords",
            family=family,
            question_ids=[item.id for item in V3_ITEMS.values() if item.task == task],
        )
        for task, family in V3_FAMILIES.items()
    ],
)
RIGHT: dict[str, str | None] = {
    "mc-1": "right",
    "mc-2": "right",
    "gsm-1": "Each crate holds 2,000, so 10 crates hold 20,000.\nThe answer is 20,000.",
    "gsm-2": "6 * 7 = 42\n#### 42",
    "math-1": "Two equally likely sides, so $\\boxed{\\dfrac{1}{2}}$.",
    "math-2": "The answer is \\boxed{494,550}.",
    "qa-1": "Barry McGuigan",
    "qa-2": "The answer is: the North Caucasus.",
    "writing-1": "The farmer reported that wheelbarrows were scarce across the country.",
    "mbpp-1": "Here it is:\n```python\ndef add(a, b):\n    return a + b\n```\nIt adds.",
    "he-1": "```python\ndef double(x: int) -> int:\n    return 2 * x\n```",
    "open-1": "Keep the same bedtime, avoid screens late and keep the room cool.",
}
"""Replies that earn full marks ('right': the letter of the right option as shown)."""
WRONG: dict[str, str | None] = {
    "mc-1": "wrong",
    "mc-2": "wrong",
    "gsm-1": "The answer is 19,999.",
    "gsm-2": "#### 41",
    "math-1": "\\boxed{\\frac{1}{3}}",
    "math-2": "The answer is \\boxed{494,551}.",
    "qa-1": "Muhammad Ali",
    "qa-2": "Siberia",
    "writing-1": "I like cheese.",
    "mbpp-1": "```python\ndef add(a, b):\n    return a - b\n```",
    "he-1": "```python\ndef double(x: int) -> int:\n    return x\n```",
    "open-1": "No idea.",
}
"""Replies that earn nothing ('wrong': the letter of the next option)."""


class ItemModel:
    """Answers the items of V3_ITEMS from a table of replies by item id, found by the item's prompt
    inside the rendered one; records every prompt it was sent per item in `prompts`."""

    def __init__(self, replies: Mapping[str, str | None]) -> None:
        self.replies = dict(replies)
        self.calls: Counter[str] = Counter()
        self.prompts: dict[str, list[str]] = defaultdict(list)

    async def __call__(self, prompt: str) -> str | None:
        item = next(item for item in V3_ITEMS.values() if item.prompt.strip() in prompt)
        self.calls[item.id] += 1
        self.prompts[item.id].append(prompt)
        reply = self.replies[item.id]
        if item.grader == "choice" and reply in ("right", "wrong"):
            return f"The answer is ({_letter_shown(item, prompt, right=reply == 'right')})."
        return reply


def _letter_shown(item: AptitudeItem, prompt: str, *, right: bool) -> str:
    """The letter under which the prompt shows the item's right option (or another one)."""
    key = (item.choices or ())[OPTION_LETTERS.index(str(item.answer))]
    shown = re.findall(r"^([A-Z])\. (.*)$", prompt, re.MULTILINE)
    return next(letter for letter, text in shown if (text == key) == right)


right_model = ItemModel(RIGHT)
wrong_model = ItemModel(WRONG)


def judged_outputs(prompt: str) -> tuple[str, str]:
    """The two outputs a judge prompt compares, (a) and (b)."""
    pattern = r"## Output \(a\)\n\n(.*)\n\n## Output \(b\)\n\n(.*)\n\n## Which output"
    found = re.search(pattern, prompt, re.DOTALL)
    assert found, prompt
    return found[1], found[2]


def _reference_is_a(prompt: str) -> bool:
    return judged_outputs(prompt)[0] == V3_ITEMS["open-1"].reference


async def fair_judge(prompt: str) -> str:
    """Prefers the right reply to the reference, and the reference to any other reply."""
    a, b = judged_outputs(prompt)
    if RIGHT["open-1"] in (a, b):
        return "Output (a)" if a == RIGHT["open-1"] else "Output (b)"
    return "Output (a)" if _reference_is_a(prompt) else "Output (b)"


async def judge_prefers_model(prompt: str) -> str:
    return "**Output (b)**" if _reference_is_a(prompt) else "Output (a)."


async def judge_prefers_reference(prompt: str) -> str:
    return "(a)" if _reference_is_a(prompt) else "b"


async def judge_always_first(prompt: str) -> str:
    return "Output (a)"
