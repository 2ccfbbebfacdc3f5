"""Onboarding a new model: ask it the aptitude items and grade its replies into a CapabilityCard.

A model without outcome data takes the test the way users will query it: one chat prompt per
item, through any `async (prompt) -> reply` callable, in a template that asks for the answer
format the item's grader reads (`router_core.cards.grading`). Calls run concurrently up to a
limit, each under a timeout, and failed calls are retried with exponential backoff and jitter.
An item that still fails is never scored as wrong (that would understate the model): the run
raises AptitudeRunError naming it, or with `allow_failures` leaves it out of its task's accuracy
and reports it. Code items run the model's code and open-ended items need a judge model: a test
that has them and no opt-in or judge fails before anything is asked. Each answered item is
appended to an optional JSONL progress file as soon as it is graded, so an interrupted run
resumes where it stopped and a failed item is asked again.
"""

from __future__ import annotations

import asyncio
import os
import reprlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import IO, Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator
from tenacity import AsyncRetrying, RetryError, retry_if_exception
from tqdm import tqdm

from router_core.cards.answers import extract_choice
from router_core.cards.aptitude import AptitudeTask, AptitudeTest
from router_core.cards.card import CapabilityCard, TaskScore
from router_core.cards.grading import final_math_answer, final_number, grade_answer, grade_code, grade_judge
from router_core.cards.grading.code import DEFAULT_TIMEOUT_S
from router_core.cards.grading.judge import read_verdict
from router_core.cards.items import AptitudeItem
from router_core.data.jsonl import jsonl_records
from router_core.data.outcomes import OPTION_LETTERS, Instruction, OutcomeMatrix, format_multiple_choice
from router_core.errors import (
    AptitudeRunError,
    CardError,
    CodeExecutionNotAllowedError,
    ConfigError,
    DataFormatError,
    UnusableReplyError,
)
from router_core.retry import RetrySettings

Ask = Callable[[str], Awaitable[str]]

PROMPT_TEMPLATE = (
    "Answer the following multiple-choice question. Think it through, then finish your reply with "
    '"The answer is (X)", where X is the letter of the correct option.\n\n{question}'
)
PROMPTS: dict[str, str] = {
    "number": "Solve the following problem. Think it through, then finish your reply with the final "
    'number alone, as "The answer is N" or \\boxed{N}.\n\n{question}',
    "math": "Solve the following problem. Think it through, then finish your reply with the final "
    'answer in \\boxed{}, as "The answer is \\boxed{X}".\n\n{question}',
    "f1": "Answer the following question with a short answer of a few words, and nothing else.\n\n{question}",
    "coverage": "Write one sentence that uses every one of the following concepts (a short paragraph "
    "if one sentence cannot hold them all). Reply with the text only.\n\nConcepts: {question}",
    "code": "Solve the following Python programming task. Reply with one ```python code block that "
    "holds the complete code, imports included.\n\n{question}",
    "judge": "{question}",
}
"""The prompt of each non-choice grader kind; {question} marks the item's prompt. A choice item
uses `AptitudeRunConfig.prompt_template` (default PROMPT_TEMPLATE) with its options."""


APTITUDE_RETRY = RetrySettings(attempts=4, initial_wait_s=1.0, max_wait_s=60.0)
"""A hosted chat API's patience: four calls per item, backing off up to a minute."""


class AptitudeRunConfig(BaseModel):
    """How the items are put to the model; the defaults suit a hosted chat API."""

    model_config = ConfigDict(frozen=True)

    concurrency: int = Field(default=8, ge=1, description="Calls in flight at once")
    timeout_s: float = Field(default=120.0, gt=0, description="Limit on one call; a slower one is retried")
    retry: RetrySettings = Field(
        default=APTITUDE_RETRY,
        description="Calls per question before the item fails, and the backoff between them",
    )
    circle_rotations: int = Field(default=0, ge=0, description="Rotated option orders asked too (0 = off)")
    allow_failures: bool = Field(default=False, description="Score tasks on answered items, do not raise")
    prompt_template: str = Field(
        default=PROMPT_TEMPLATE, description="The multiple-choice prompt; {question} marks the question"
    )
    allow_code_execution: bool = Field(
        default=False, description="Grade code items by running the model's code on this machine"
    )
    code_timeout_s: float = Field(
        default=DEFAULT_TIMEOUT_S, gt=0, description="Wall-clock limit on running one code item's tests"
    )
    families: frozenset[str] | None = Field(
        default=None, min_length=1, description="Take only the tasks of these families (a partial card)"
    )
    progress_bar: bool = True

    @field_validator("prompt_template")
    @classmethod
    def _has_question_slot(cls, template: str) -> str:
        if "{question}" not in template:
            raise ValueError("prompt_template must contain {question}")
        return template


class Presentation(BaseModel):
    """One asking of an item (a choice item's options rotated left by `shift`) and its grade."""

    shift: int = 0
    expected: str | None = Field(
        default=None, description="The key: the letter right under this order, or the answer"
    )
    reply: str
    extracted: str | None = Field(
        default=None, description="What the grader read: the letter, the final number or answer"
    )
    score: float = Field(ge=0.0, le=1.0)


class ItemRecord(BaseModel):
    """One answered aptitude item: a line of the progress file, stamped with the run it belongs to."""

    model: str
    aptitude_version: str
    circle_rotations: int
    item_id: str
    presentations: list[Presentation] = Field(min_length=1)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def score(self) -> float:
        """The item's grade; a choice item is right only if right under every order asked (asking
        stops at the first wrong one)."""
        return min(p.score for p in self.presentations)


class AptitudeRunResult(BaseModel):
    card: CapabilityCard
    records: list[ItemRecord] = Field(description="Every answered item, in test order")
    failures: dict[str, str] = Field(description="Item id -> last error, for items that failed every attempt")
    resumed: int = Field(description="Answered items read back from the progress file rather than asked")


def render_prompt(item: AptitudeItem, shift: int = 0, template: str = PROMPT_TEMPLATE) -> str:
    """The chat prompt for an item: a choice item in `template` with its options rotated left by
    `shift` places; any other in its grader's PROMPTS template (a code item with MBPP-style tests
    shows the first test, so the model knows the function's name and signature)."""
    if item.grader == "choice":
        choices = list(item.choices or ())
        rotated = choices[shift:] + choices[:shift]
        return template.replace("{question}", format_multiple_choice(item.prompt, rotated))
    question = _code_task(item) if item.grader == "code" else item.prompt
    return PROMPTS[item.grader].replace("{question}", question)


def rotation_shifts(n_choices: int, circle_rotations: int) -> range:
    """The original order, then up to `circle_rotations` distinct rotations (at most n_choices - 1 exist)."""
    return range(min(circle_rotations, n_choices - 1) + 1)


def choice_item(instruction: Instruction, task: str) -> AptitudeItem:
    """A multiple-choice Instruction (an MMLU-Pro question from outcome data) as an item of `task`,
    so that tests without shipped items are asked and graded like any other."""
    if not _valid_key(instruction.choices, instruction.answer):
        raise CardError(_not_multiple_choice(instruction.id))
    return AptitudeItem(
        id=instruction.id,
        task=task,
        grader="choice",
        prompt=instruction.text,
        choices=instruction.choices,
        answer=instruction.answer,
    )


async def run_aptitude_test(
    ask: Ask,
    *,
    model_name: str,
    test: AptitudeTest,
    items: Mapping[str, AptitudeItem] | None = None,
    questions: OutcomeMatrix | Sequence[Instruction] | None = None,
    judge: Ask | None = None,
    config: AptitudeRunConfig | None = None,
    progress_path: str | Path | None = None,
    fatal_errors: tuple[type[Exception], ...] = (),
) -> AptitudeRunResult:
    """Ask `ask` every item of `test` (of `config.families` only, if set) and grade the replies
    into the card of `model_name`.

    The items come from `items` (a test's shipped items, `load_aptitude_items`) or, for a
    multiple-choice test that ships none, from `questions` holding every item with its options
    and answer key (MMLU-Pro outcomes do). `judge` (async, prompt -> reply) grades open-ended
    items. With `progress_path`, items already recorded there are not asked again, and each newly
    answered item is appended at once. An exception of a type in `fatal_errors` (an
    authentication error, say) is not retried: it stops the run, answered items kept.
    """
    config = config or AptitudeRunConfig()
    if not model_name.strip():
        raise ConfigError("the model name must not be empty")
    tasks = _chosen_tasks(test, config.families)
    chosen = _chosen_items(test.version, tasks, items, questions)
    _check_gradable(test.version, tasks, chosen, judge, config)
    stamp = {
        "model": model_name,
        "aptitude_version": test.version,
        "circle_rotations": config.circle_rotations,
    }
    path = Path(progress_path) if progress_path is not None else None
    records = _load_progress(path, stamp, test.question_ids, chosen) if path else {}
    resumed = len(records)
    failures: dict[str, str] = {}
    grader = _Grader(ask, judge, config, fatal_errors, stamp)
    with ExitStack() as stack:
        log = stack.enter_context(path.open("a", encoding="utf-8")) if path else None
        bar = stack.enter_context(
            tqdm(
                total=len(chosen),
                initial=resumed,
                unit="item",
                desc=f"aptitude test of {model_name}",
                disable=not config.progress_bar,
            )
        )
        jobs = [
            asyncio.ensure_future(grader.take(item))
            for item_id, item in chosen.items()
            if item_id not in records
        ]
        try:
            for next_job in asyncio.as_completed(jobs):
                outcome = await next_job
                if isinstance(outcome, _Failed):
                    failures[outcome.item_id] = outcome.error
                else:
                    records[outcome.item_id] = outcome
                    if log:
                        _append(log, outcome)
                bar.update()
        finally:
            for job in jobs:
                job.cancel()
            await asyncio.gather(*jobs, return_exceptions=True)
    if failures and not config.allow_failures:
        raise AptitudeRunError(_failure_message(failures, config, path), failures)
    return AptitudeRunResult(
        card=_card(model_name, test, tasks, records, failures),
        records=[records[i] for i in chosen if i in records],
        failures=failures,
        resumed=resumed,
    )


class _Failed(NamedTuple):
    item_id: str
    error: str


class _Caller:
    """Puts one prompt to a callable: under the concurrency limit and the timeout, retried with
    backoff. A reply that `check` cannot read (it raises) is asked again like a failed call."""

    def __init__(
        self,
        ask: Ask,
        role: str,
        config: AptitudeRunConfig,
        fatal_errors: tuple[type[Exception], ...],
        check: Callable[[str], object] | None = None,
    ) -> None:
        self._ask = ask
        self._role = role
        self._config = config
        self._fatal_errors = fatal_errors
        self._check = check
        self._slots = asyncio.Semaphore(config.concurrency)

    async def __call__(self, prompt: str, item_id: str) -> str:
        settings = self._config.retry
        retrying = AsyncRetrying(
            stop=settings.stop(), wait=settings.wait(), retry=retry_if_exception(self._retryable)
        )
        reply: Any = await retrying(self._once, prompt)
        if not isinstance(reply, str):  # a bug in the callable, not a transient failure: stop the run
            raise UnusableReplyError(
                f"aptitude item {item_id!r}: the {self._role} callable returned "
                f"{reprlib.repr(reply)} ({type(reply).__name__}), not the reply text (a str)"
            )
        return reply

    async def _once(self, prompt: str) -> Any:
        async with self._slots:  # held for the call only, not while backing off
            reply: Any = await asyncio.wait_for(self._ask(prompt), self._config.timeout_s)
        if self._check is not None and isinstance(reply, str):
            self._check(reply)
        return reply

    def _retryable(self, exc: BaseException) -> bool:
        # Cancellation and interrupts are BaseExceptions and must go through.
        return isinstance(exc, Exception) and not isinstance(exc, self._fatal_errors)


class _Grader:
    """Asks each item in its grader's prompt and grades the reply into an ItemRecord."""

    def __init__(
        self,
        ask: Ask,
        judge: Ask | None,
        config: AptitudeRunConfig,
        fatal_errors: tuple[type[Exception], ...],
        stamp: dict[str, Any],
    ) -> None:
        self._ask = _Caller(ask, "model", config, fatal_errors)
        self._judge = _Caller(judge, "judge", config, fatal_errors, read_verdict) if judge else None
        self._config = config
        self._stamp = stamp
        self._code_slots = asyncio.Semaphore(os.cpu_count() or 1)  # test runs are CPU-bound

    async def take(self, item: AptitudeItem) -> ItemRecord | _Failed:
        try:
            presentations = await self._choice(item) if item.grader == "choice" else [await self._once(item)]
        except RetryError as exc:
            return _Failed(item.id, _describe(exc.last_attempt.exception()))
        return ItemRecord(**self._stamp, item_id=item.id, presentations=presentations)

    async def _choice(self, item: AptitudeItem) -> list[Presentation]:
        """Each order in turn, stopping at the first wrong answer (the item is wrong then)."""
        choices = item.choices or ()
        answer = OPTION_LETTERS.index(str(item.answer))  # checked by _chosen_items
        presentations: list[Presentation] = []
        for shift in rotation_shifts(len(choices), self._config.circle_rotations):
            reply = await self._ask(render_prompt(item, shift, self._config.prompt_template), item.id)
            expected = OPTION_LETTERS[(answer - shift) % len(choices)]
            extracted = extract_choice(reply, len(choices))
            presentations.append(
                Presentation(
                    shift=shift,
                    expected=expected,
                    reply=reply,
                    extracted=extracted,
                    score=float(extracted == expected),
                )
            )
            if extracted != expected:
                break
        return presentations

    async def _once(self, item: AptitudeItem) -> Presentation:
        reply = await self._ask(render_prompt(item), item.id)
        if item.grader == "judge":
            assert self._judge is not None  # checked before anything was asked: _check_gradable
            judge = partial(self._judge, item_id=item.id)
            score = await grade_judge(judge, item.prompt, reply, str(item.reference))
        elif item.grader == "code":
            async with self._code_slots:
                score = await asyncio.to_thread(
                    grade_code,
                    reply,
                    str(item.tests),
                    item.entry_point,
                    allow_execution=self._config.allow_code_execution,
                    timeout_s=self._config.code_timeout_s,
                )
        else:
            score = grade_answer(item, reply)
        reader = _READERS.get(item.grader)
        return Presentation(
            expected=item.answer, reply=reply, extracted=reader(reply) if reader else None, score=score
        )


_READERS: dict[str, Callable[[str], str | None]] = {"number": final_number, "math": final_math_answer}
"""The graders that read one final answer from a reply, recorded as `Presentation.extracted`."""


def _code_task(item: AptitudeItem) -> str:
    """A HumanEval item's prompt (a signature and docstring) as code; an MBPP item's task with its
    first test, which names the function the tests call."""
    if item.entry_point:
        code = item.prompt.strip("\n")
        return f"Complete this function:\n\n```python\n{code}\n```"
    first_test = next((line for line in str(item.tests).splitlines() if line.startswith("assert")), "")
    if not first_test or first_test in item.prompt:
        return item.prompt
    return f"{item.prompt}\n\nYour code should pass this test:\n{first_test}"


def _chosen_tasks(test: AptitudeTest, families: frozenset[str] | None) -> list[AptitudeTask]:
    """The test's tasks, or those of `families` only."""
    if families is None:
        return list(test.tasks)
    known = list(dict.fromkeys(task.family for task in test.tasks if task.family))
    unknown = sorted(families.difference(known))
    if unknown:
        listed = ", ".join(known) if known else "none: it does not group its tasks into families"
        raise ConfigError(
            f"aptitude test {test.version} has no task family {unknown}; its families: {listed}"
        )
    return [task for task in test.tasks if task.family in families]


def _chosen_items(
    version: str,
    tasks: list[AptitudeTask],
    items: Mapping[str, AptitudeItem] | None,
    questions: OutcomeMatrix | Sequence[Instruction] | None,
) -> dict[str, AptitudeItem]:
    """The chosen tasks' items by id in test order, each choice item checked to have a valid key."""
    if (items is None) == (questions is None):
        raise ConfigError(
            "give the test's items, or for a multiple-choice test that ships none, its questions (not both)"
        )
    wanted: dict[str, str] = {}  # item id -> the first task that has it, in test order
    for task in tasks:
        for item_id in task.question_ids:
            wanted.setdefault(item_id, task.id)
    if items is not None:
        _require_all(version, wanted, items, "items")
        chosen = {q: items[q] for q in wanted}
        for item in chosen.values():
            if item.grader == "choice" and not _valid_key(item.choices, item.answer):
                raise CardError(_not_multiple_choice(item.id))
        return chosen
    pool = questions.instructions if isinstance(questions, OutcomeMatrix) else questions
    by_id = {ins.id: ins for ins in pool or ()}
    _require_all(version, wanted, by_id, "questions")
    return {q: choice_item(by_id[q], task) for q, task in wanted.items()}


def _require_all(version: str, wanted: Mapping[str, str], available: Mapping[str, object], what: str) -> None:
    missing = [q for q in wanted if q not in available]
    if missing:
        raise CardError(
            f"{len(missing)} items of aptitude test {version} are not among the given {what}, "
            f"e.g. {missing[:5]}"
        )


def _valid_key(choices: Sequence[str] | None, answer: str | None) -> bool:
    return bool(choices) and answer is not None and answer in list(OPTION_LETTERS[: len(choices or ())])


def _not_multiple_choice(item_id: str) -> str:
    return f"aptitude item {item_id!r} is not a multiple-choice question with a valid key"


def _check_gradable(
    version: str,
    tasks: list[AptitudeTask],
    items: dict[str, AptitudeItem],
    judge: Ask | None,
    config: AptitudeRunConfig,
) -> None:
    """Fail before asking anything when some items could not be graded: open-ended items without
    a judge, code items without the opt-in to run the model's code."""
    leave_out = "or leave them out with families (CLI: --families)"
    judged = _tasks_graded_by("judge", tasks, items)
    if judged and judge is None:
        raise ConfigError(
            f"aptitude test {version} has open-ended items ({judged}), graded by a judge model: pass "
            f"judge (CLI: --judge-callable or --judge-litellm-model), {leave_out}"
        )
    coded = _tasks_graded_by("code", tasks, items)
    if coded and not config.allow_code_execution:
        raise CodeExecutionNotAllowedError(
            f"aptitude test {version} has code items ({coded}), graded by running the model's code on "
            "this machine: opt in with allow_code_execution=True (CLI: --allow-code-execution), "
            f"{leave_out}"
        )


def _tasks_graded_by(kind: str, tasks: list[AptitudeTask], items: dict[str, AptitudeItem]) -> str:
    """The tasks with items of grader `kind` (and their families), as a phrase; '' if none."""
    found = [task for task in tasks if any(items[q].grader == kind for q in task.question_ids)]
    if not found:
        return ""
    families = sorted({task.family for task in found if task.family})
    named = f"tasks {', '.join(task.id for task in found)}"
    return f"{named} of family {', '.join(families)}" if families else named


def _load_progress(
    path: Path, stamp: dict[str, Any], test_items: set[str], chosen: Mapping[str, AptitudeItem]
) -> dict[str, ItemRecord]:
    """The records of chosen items that a previous run with the same stamp left in `path`
    (records of the test's other items, from a run of other families, are kept but not read).

    A crash can leave a torn last line: it is cut from the file, and its item is asked again.
    """
    if not path.exists():
        return {}
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    if end < len(data):
        with path.open("r+b") as handle:
            handle.truncate(end)
    try:
        lines = data[:end].decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise DataFormatError(path, f"not UTF-8 text ({exc.reason})") from exc
    done: dict[str, ItemRecord] = {}
    seen: set[str] = set()
    for where, record in jsonl_records(path, lines, ItemRecord, "not an item record ({})"):
        run = {key: getattr(record, key) for key in stamp}
        if run != stamp:
            raise ConfigError(
                f"{path} ({where}) belongs to another run ({run}), not to this one ({stamp}); "
                "use another progress file"
            )
        if record.item_id not in test_items:
            raise ConfigError(
                f"{path} ({where}): item {record.item_id!r} is not in aptitude test "
                f"{stamp['aptitude_version']}"
            )
        if record.item_id in seen:
            raise DataFormatError(path, f"item {record.item_id!r} is recorded twice", location=where)
        seen.add(record.item_id)
        if record.item_id in chosen:
            done[record.item_id] = record
    return done


def _append(handle: IO[str], record: ItemRecord) -> None:
    """One line per item, flushed and synced at once, so that a crash loses no answered item."""
    handle.write(record.model_dump_json() + "\n")
    handle.flush()
    os.fsync(handle.fileno())


def _card(
    model_name: str,
    test: AptitudeTest,
    tasks: list[AptitudeTask],
    records: dict[str, ItemRecord],
    failures: dict[str, str],
) -> CapabilityCard:
    """Per-task accuracy, the mean item score over the answered items (all of them unless
    failures are allowed); with families, the card names the ones it covers."""
    scores = []
    for task in tasks:
        answered = [records[q].score for q in task.question_ids if q in records]
        if not answered:
            raise AptitudeRunError(
                f"no item of aptitude task {task.id!r} was answered; it cannot be scored",
                {q: failures[q] for q in task.question_ids if q in failures},
            )
        scores.append(
            TaskScore(
                task=task.id,
                description=task.description,
                accuracy=sum(answered) / len(answered),
                n_items=len(answered),
            )
        )
    return CapabilityCard(
        model=model_name,
        aptitude_version=test.version,
        families=test.families_of([task.id for task in tasks]) if test.families else None,
        scores=scores,
    )


def _describe(error: BaseException | None) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _failure_message(failures: dict[str, str], config: AptitudeRunConfig, path: Path | None) -> str:
    shown = "; ".join(f"{item_id}: {error}" for item_id, error in list(failures.items())[:5])
    more = f" (and {len(failures) - 5} more)" if len(failures) > 5 else ""
    resume = f"; answered items are kept in {path}: re-run with it to ask only the others" if path else ""
    return (
        f"{len(failures)} aptitude items failed all {config.retry.attempts} attempts: {shown}{more}{resume}"
        "; or allow failures to score each task on its answered items"
    )
