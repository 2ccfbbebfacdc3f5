"""Reading JSONL files line by line, each problem located at its line."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from router_core.errors import DataFormatError, validation_summary

M = TypeVar("M", bound=BaseModel)


def numbered_lines(lines: Iterable[str]) -> Iterator[tuple[str, str]]:
    """The non-blank lines of a JSONL file, each with its location ('line 3', counted from 1)."""
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield f"line {number}", line


def jsonl_records(
    path: str | Path, lines: Iterable[str], model: type[M], problem: str, top: str = "(top)"
) -> Iterator[tuple[str, M]]:
    """Each non-blank line validated as `model`, with its location; a bad line is a
    `DataFormatError` whose message is `problem` with the pydantic summary in its `{}`."""
    for where, line in numbered_lines(lines):
        try:
            record = model.model_validate_json(line)
        except ValidationError as exc:
            raise DataFormatError(
                path, problem.format(validation_summary(exc, top)), location=where
            ) from None
        yield where, record
