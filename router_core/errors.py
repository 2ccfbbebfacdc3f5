"""Typed errors: every failure names what went wrong and where, so users can fix their input."""

from __future__ import annotations

from pathlib import Path


class ModelSATError(Exception):
    """Base class of every error raised on purpose by langchain-modelsat."""


class DataFormatError(ModelSATError, ValueError):
    """A data file is malformed; names the file, the record or line, and the problem."""

    def __init__(self, path: str | Path, problem: str, *, location: str | None = None) -> None:
        self.path = str(path)
        self.location = location
        self.problem = problem
        where = f"{self.path} ({location})" if location else self.path
        super().__init__(f"{where}: {problem}")


class CardError(ModelSATError, ValueError):
    """A capability card is missing, malformed or does not fit the aptitude test it claims."""


class ConfigError(ModelSATError, ValueError):
    """A configuration (zoo, router, split...) asks for something that does not exist."""
