"""Aptitude items: what a model is asked during the test and how its reply is graded.

A test's items ship inside the package (`definitions/aptitude-<version>-items.jsonl`), so a
user can onboard a model without any outcome data: each item holds the prompt as a user would
send it and everything its grader needs (the answer key, unit tests or a reference answer).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from router_core.cards.aptitude import DEFINITIONS
from router_core.errors import ConfigError, validation_summary

GraderKind = Literal["choice", "number", "math", "f1", "coverage", "code", "judge"]
"""How a reply is scored, in [0, 1]:
- choice: the option letter the reply settles on equals `answer` (multiple choice);
- number: the reply's final number equals `answer` (math word problems);
- math: the reply's final answer (its last \\boxed{...}) equals `answer` after normalisation;
- f1: token F1 between the reply and `answer` (short-answer QA);
- coverage: the share of the comma-separated concepts in `answer` that the reply uses;
- code: the reply's Python code passes `tests` (opt-in: model-written code runs in a subprocess);
- judge: a judge model prefers the reply to `reference` (pairwise, as AlpacaEval grades).
"""

_NEEDS: dict[str, tuple[str, ...]] = {
    "choice": ("answer", "choices"),
    "number": ("answer",),
    "math": ("answer",),
    "f1": ("answer",),
    "coverage": ("answer",),
    "code": ("tests",),
    "judge": ("reference",),
}


class AptitudeItem(BaseModel):
    """One aptitude question with its grading key."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    task: str = Field(min_length=1, description="The aptitude task the item belongs to")
    grader: GraderKind
    prompt: str = Field(min_length=1, description="The instruction as a user sends it (no options)")
    choices: tuple[str, ...] | None = Field(default=None, description="choice: the options, in order")
    answer: str | None = Field(default=None, description="The gold answer the grader compares with")
    tests: str | None = Field(
        default=None, description="code: Python asserts, or a check(candidate) function (HumanEval)"
    )
    entry_point: str | None = Field(default=None, description="code: the function check() is called on")
    reference: str | None = Field(default=None, description="judge: the reference answer to compare with")

    @model_validator(mode="after")
    def _has_its_key(self) -> AptitudeItem:
        absent = [name for name in _NEEDS[self.grader] if not getattr(self, name)]
        if absent:
            raise ValueError(f"a {self.grader!r} item needs {', '.join(absent)}")
        return self


def save_items(items: Iterable[AptitudeItem], path: str | Path) -> None:
    """One item per line, as `load_aptitude_items` reads them."""
    lines = (item.model_dump_json(exclude_none=True) + "\n" for item in items)
    Path(path).write_text("".join(lines), encoding="utf-8")


def items_path(test_file: str | Path) -> Path:
    """Where a test definition's items are: `<test>-items.jsonl` beside it."""
    path = Path(test_file)
    return path.with_name(f"{path.stem}-items.jsonl")


def shipped_items_path(version: str) -> Path:
    """Where the shipped test `version` keeps its items (a test before v3 has none there)."""
    return Path(str(DEFINITIONS / f"aptitude-{version}-items.jsonl"))


def load_aptitude_items(version: str) -> dict[str, AptitudeItem]:
    """A shipped test's items by id; ConfigError if the test ships none (tests before v3)."""
    return dict(_shipped_items(version))


def shipped_items(version: str) -> list[AptitudeItem]:
    """A shipped test's items, in file order ([] for a test that ships none: tests before v3)."""
    return list(load_aptitude_items(version).values()) if shipped_items_path(version).is_file() else []


@cache
def _shipped_items(version: str) -> tuple[tuple[str, AptitudeItem], ...]:
    resource = shipped_items_path(version)
    if not resource.is_file():
        raise ConfigError(f"aptitude test {version!r} ships no items")
    return tuple(load_items(resource).items())


def load_items(path: str | Path) -> dict[str, AptitudeItem]:
    """Items by id from a JSONL file; a bad line is a ConfigError naming the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read aptitude items ({exc})") from exc
    items: dict[str, AptitudeItem] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            item = AptitudeItem.model_validate(json.loads(line))
        except (json.JSONDecodeError, ValidationError) as exc:
            problem = validation_summary(exc) if isinstance(exc, ValidationError) else str(exc)
            raise ConfigError(f"{path.name} (line {number}): {problem}") from exc
        items[item.id] = item
    return items
