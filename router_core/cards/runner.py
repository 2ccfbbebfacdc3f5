"""Onboarding a new model: ask it the aptitude questions and score its answers into a CapabilityCard.

A model without outcome data takes the test the way users will query it: one chat prompt per
question, through any `async (prompt) -> reply` callable. Calls run concurrently up to a limit,
each under a timeout, and failed calls are retried with exponential backoff and jitter. An item
that still fails is never scored as wrong (that would understate the model): the run raises
AptitudeRunError naming it, or with `allow_failures` leaves it out of its task's accuracy and
reports it. Each answered item is appended to an optional JSONL progress file as soon as it is
scored, so an interrupted run resumes where it stopped and a failed item is asked again.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator
from tenacity import (
    AsyncRetrying,
    RetryError,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)
from tqdm import tqdm

from router_core.cards.answers import extract_choice
from router_core.cards.aptitude import AptitudeTest
from router_core.cards.card import CapabilityCard, TaskScore
from router_core.data.jsonl import jsonl_records
from router_core.data.outcomes import OPTION_LETTERS, Instruction, OutcomeMatrix, format_multiple_choice
from router_core.errors import AptitudeRunError, CardError, ConfigError, DataFormatError

Ask = Callable[[str], Awaitable[str]]

PROMPT_TEMPLATE = (
    "Answer the following multiple-choice question. Think it through, then finish your reply with "
    '"The answer is (X)", where X is the letter of the correct option.\n\n{question}'
)


class AptitudeRunConfig(BaseModel):
    """How the questions are put to the model; the defaults suit a hosted chat API."""

    model_config = ConfigDict(frozen=True)

    concurrency: int = Field(default=8, ge=1, description="Calls in flight at once")
    timeout_s: float = Field(default=120.0, gt=0, description="Limit on one call; a slower one is retried")
    max_attempts: int = Field(default=4, ge=1, description="Calls per question before the item fails")
    backoff_s: float = Field(default=1.0, ge=0, description="Scale of the jittered exponential backoff")
    backoff_max_s: float = Field(default=60.0, ge=0, description="Longest wait between two attempts")
    circle_rotations: int = Field(default=0, ge=0, description="Rotated option orders asked too (0 = off)")
    allow_failures: bool = Field(default=False, description="Score tasks on answered items, do not raise")
    prompt_template: str = Field(default=PROMPT_TEMPLATE, description="{question} marks the question")
    progress_bar: bool = True

    @field_validator("prompt_template")
    @classmethod
    def _has_question_slot(cls, template: str) -> str:
        if "{question}" not in template:
            raise ValueError("prompt_template must contain {question}")
        return template


class Presentation(BaseModel):
    """One asking of an item, its options rotated left by `shift` places, and what the model said."""

    shift: int
    expected: str
    reply: str
    extracted: str | None

    @property
    def correct(self) -> bool:
        return self.extracted == self.expected


class ItemRecord(BaseModel):
    """One answered aptitude item: a line of the progress file, stamped with the run it belongs to."""

    model: str
    aptitude_version: str
    circle_rotations: int
    item_id: str
    presentations: list[Presentation] = Field(min_length=1)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def correct(self) -> bool:
        """Right under every order asked (asking stops at the first wrong one)."""
        return all(p.correct for p in self.presentations)


class AptitudeRunResult(BaseModel):
    card: CapabilityCard
    records: list[ItemRecord] = Field(description="Every answered item, in test order")
    failures: dict[str, str] = Field(description="Item id -> last error, for items that failed every attempt")
    resumed: int = Field(description="Answered items read back from the progress file rather than asked")


def render_prompt(instruction: Instruction, shift: int = 0, template: str = PROMPT_TEMPLATE) -> str:
    """The chat prompt for an item, with its options rotated left by `shift` places."""
    choices = list(instruction.choices or ())
    rotated = choices[shift:] + choices[:shift]
    return template.replace("{question}", format_multiple_choice(instruction.text, rotated))


def rotation_shifts(n_choices: int, circle_rotations: int) -> range:
    """The original order, then up to `circle_rotations` distinct rotations (at most n_choices - 1 exist)."""
    return range(min(circle_rotations, n_choices - 1) + 1)


async def run_aptitude_test(
    ask: Ask,
    *,
    model_name: str,
    test: AptitudeTest,
    questions: OutcomeMatrix | Sequence[Instruction],
    config: AptitudeRunConfig | None = None,
    progress_path: str | Path | None = None,
    fatal_errors: tuple[type[Exception], ...] = (),
) -> AptitudeRunResult:
    """Ask `ask` every item of `test` and score the replies into the card of `model_name`.

    `questions` must hold every item with its options and answer key (MMLU-Pro outcomes do).
    With `progress_path`, items already recorded there are not asked again, and each newly
    answered item is appended at once. An exception of a type in `fatal_errors` (an
    authentication error, say) is not retried: it stops the run, answered items kept.
    """
    config = config or AptitudeRunConfig()
    if not model_name.strip():
        raise ConfigError("the model name must not be empty")
    items = _aptitude_items(test, questions)
    stamp = {
        "model": model_name,
        "aptitude_version": test.version,
        "circle_rotations": config.circle_rotations,
    }
    path = Path(progress_path) if progress_path is not None else None
    records = _load_progress(path, stamp, items) if path else {}
    resumed = len(records)
    failures: dict[str, str] = {}
    call = _Caller(ask, config, fatal_errors)
    with ExitStack() as stack:
        log = stack.enter_context(path.open("a", encoding="utf-8")) if path else None
        bar = stack.enter_context(
            tqdm(
                total=len(items),
                initial=resumed,
                unit="item",
                desc=f"aptitude test of {model_name}",
                disable=not config.progress_bar,
            )
        )
        jobs = [
            asyncio.ensure_future(_take_item(call, ins, stamp, config))
            for item_id, ins in items.items()
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
        card=_card(model_name, test, records, failures),
        records=[records[i] for i in items if i in records],
        failures=failures,
        resumed=resumed,
    )


class _Failed(NamedTuple):
    item_id: str
    error: str


class _Caller:
    """Puts one prompt to the model: under the concurrency limit and the timeout, retried with backoff."""

    def __init__(
        self, ask: Ask, config: AptitudeRunConfig, fatal_errors: tuple[type[Exception], ...]
    ) -> None:
        self._ask = ask
        self._config = config
        self._fatal_errors = fatal_errors
        self._slots = asyncio.Semaphore(config.concurrency)

    async def __call__(self, prompt: str) -> str:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._config.max_attempts),
            wait=wait_random_exponential(multiplier=self._config.backoff_s, max=self._config.backoff_max_s),
            retry=retry_if_exception(self._retryable),
        )
        reply = await retrying(self._once, prompt)
        if not isinstance(reply, str):  # a bug in the callable, not a transient failure: stop the run
            raise TypeError(f"the model callable must return a str, got {type(reply).__name__}")
        return reply

    async def _once(self, prompt: str) -> Any:
        async with self._slots:  # held for the call only, not while backing off
            return await asyncio.wait_for(self._ask(prompt), self._config.timeout_s)

    def _retryable(self, exc: BaseException) -> bool:
        # Cancellation and interrupts are BaseExceptions and must go through.
        return isinstance(exc, Exception) and not isinstance(exc, self._fatal_errors)


async def _take_item(
    call: _Caller, instruction: Instruction, stamp: dict[str, Any], config: AptitudeRunConfig
) -> ItemRecord | _Failed:
    """Ask the item in each order in turn, stopping at the first wrong answer (the item is wrong then)."""
    choices = instruction.choices or ()
    answer = OPTION_LETTERS.index(str(instruction.answer))  # checked by _aptitude_items
    presentations: list[Presentation] = []
    for shift in rotation_shifts(len(choices), config.circle_rotations):
        try:
            reply = await call(render_prompt(instruction, shift, config.prompt_template))
        except RetryError as exc:
            return _Failed(instruction.id, _describe(exc.last_attempt.exception()))
        expected = OPTION_LETTERS[(answer - shift) % len(choices)]
        presentations.append(
            Presentation(
                shift=shift, expected=expected, reply=reply, extracted=extract_choice(reply, len(choices))
            )
        )
        if not presentations[-1].correct:
            break
    return ItemRecord(**stamp, item_id=instruction.id, presentations=presentations)


def _aptitude_items(
    test: AptitudeTest, questions: OutcomeMatrix | Sequence[Instruction]
) -> dict[str, Instruction]:
    """The test's items by id in test order, each checked to be a multiple-choice item with a valid key."""
    pool = questions.instructions if isinstance(questions, OutcomeMatrix) else questions
    by_id = {ins.id: ins for ins in pool}
    wanted = list(dict.fromkeys(q for task in test.tasks for q in task.question_ids))
    missing = [q for q in wanted if q not in by_id]
    if missing:
        raise CardError(
            f"{len(missing)} items of aptitude test {test.version} are not among the given "
            f"questions, e.g. {missing[:5]}"
        )
    for item_id in wanted:
        ins = by_id[item_id]
        if not ins.choices or not ins.answer or ins.answer not in OPTION_LETTERS[: len(ins.choices)]:
            raise CardError(f"aptitude item {item_id!r} is not a multiple-choice question with a valid key")
    return {item_id: by_id[item_id] for item_id in wanted}


def _load_progress(path: Path, stamp: dict[str, Any], items: dict[str, Instruction]) -> dict[str, ItemRecord]:
    """The records a previous run with the same stamp left in `path`.

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
    for where, record in jsonl_records(path, lines, ItemRecord, "not an item record ({})"):
        run = {key: getattr(record, key) for key in stamp}
        if run != stamp:
            raise ConfigError(
                f"{path} ({where}) belongs to another run ({run}), not to this one ({stamp}); "
                "use another progress file"
            )
        if record.item_id not in items:
            raise ConfigError(
                f"{path} ({where}): item {record.item_id!r} is not in aptitude test "
                f"{stamp['aptitude_version']}"
            )
        if record.item_id in done:
            raise DataFormatError(path, f"item {record.item_id!r} is recorded twice", location=where)
        done[record.item_id] = record
    return done


def _append(handle: IO[str], record: ItemRecord) -> None:
    """One line per item, flushed and synced at once, so that a crash loses no answered item."""
    handle.write(record.model_dump_json() + "\n")
    handle.flush()
    os.fsync(handle.fileno())


def _card(
    model_name: str, test: AptitudeTest, records: dict[str, ItemRecord], failures: dict[str, str]
) -> CapabilityCard:
    """Per-task accuracy over the answered items (all of them unless failures are allowed)."""
    scores = []
    for task in test.tasks:
        answered = [records[q].correct for q in task.question_ids if q in records]
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
    return CapabilityCard(model=model_name, aptitude_version=test.version, scores=scores)


def _describe(error: BaseException | None) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _failure_message(failures: dict[str, str], config: AptitudeRunConfig, path: Path | None) -> str:
    shown = "; ".join(f"{item_id}: {error}" for item_id, error in list(failures.items())[:5])
    more = f" (and {len(failures) - 5} more)" if len(failures) > 5 else ""
    resume = f"; answered items are kept in {path}: re-run with it to ask only the others" if path else ""
    return (
        f"{len(failures)} aptitude items failed all {config.max_attempts} attempts: {shown}{more}{resume}"
        "; or allow failures to score each task on its answered items"
    )
