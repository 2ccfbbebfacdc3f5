"""The outcome matrix: which model answered which instruction correctly.

Everything downstream (aptitude test, cards, splits, routers, training) reads this one
structure, whatever file format the outcomes came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from router_core.errors import ConfigError

OPTION_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def format_multiple_choice(question: str, choices: Sequence[str]) -> str:
    """The question followed by lettered options, as a user would paste it into a chat."""
    lines = [question, "Options:"]
    lines += [f"{OPTION_LETTERS[i]}. {choice}" for i, choice in enumerate(choices)]
    return "\n".join(lines)


class Instruction(BaseModel):
    """One routable instruction; multiple-choice items also carry their options and answer."""

    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    category: str | None = None
    source: str | None = None
    dataset: str | None = Field(default=None, description="The outcome source, e.g. mmlu-pro, llmrouter")
    family: str | None = Field(default=None, description="The task family (math-word-problems, code...)")
    choices: tuple[str, ...] | None = None
    answer: str | None = None

    @property
    def routing_text(self) -> str:
        """What a router reads: the text, with the options when it is a multiple-choice item."""
        return format_multiple_choice(self.text, self.choices) if self.choices else self.text


@dataclass
class ImportReport:
    """What an importer skipped or masked, so nothing is dropped silently."""

    files: int = 0
    records: int = 0
    stray_entries: int = 0
    unparsed_predictions: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class OutcomeMatrix:
    """Scores in [0, 1] for instructions x models; `observed` is False where a cell is missing.

    A missing cell (the model never saw the instruction) is not a wrong answer: every
    statistic here ignores it.
    """

    instructions: list[Instruction]
    models: list[str]
    scores: np.ndarray
    observed: np.ndarray
    report: ImportReport = field(default_factory=ImportReport)

    def __post_init__(self) -> None:
        shape = (len(self.instructions), len(self.models))
        self.scores = np.asarray(self.scores, dtype=np.float32)
        self.observed = np.asarray(self.observed, dtype=bool)
        if self.scores.shape != shape or self.observed.shape != shape:
            raise ValueError(f"scores {self.scores.shape} and observed {self.observed.shape} must be {shape}")
        if len(set(self.models)) != len(self.models):
            raise ValueError("model names must be unique")
        ids = [ins.id for ins in self.instructions]
        if len(set(ids)) != len(ids):
            raise ValueError("instruction ids must be unique")
        values = self.scores[self.observed]
        if values.size and (values.min() < 0 or values.max() > 1 or np.isnan(values).any()):
            raise ValueError("observed scores must lie in [0, 1]")
        self.scores = np.where(self.observed, self.scores, 0.0).astype(np.float32)
        self._row = {ins_id: i for i, ins_id in enumerate(ids)}

    @property
    def ids(self) -> list[str]:
        return [ins.id for ins in self.instructions]

    def has(self, instruction_id: str) -> bool:
        return instruction_id in self._row

    def row(self, instruction_id: str) -> int:
        return self._row[instruction_id]

    def model_index(self, name: str) -> int:
        try:
            return self.models.index(name)
        except ValueError:
            raise ConfigError(f"unknown model {name!r}; known: {', '.join(self.models)}") from None

    def accuracy(self) -> dict[str, float]:
        """Mean score per model over its observed cells."""
        counts = self.observed.sum(axis=0)
        sums = self.scores.sum(axis=0)
        return {
            m: float(sums[j] / counts[j]) if counts[j] else float("nan") for j, m in enumerate(self.models)
        }

    def missing(self) -> dict[str, int]:
        return {m: int(n) for m, n in zip(self.models, (~self.observed).sum(axis=0), strict=True)}

    def categories(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for ins in self.instructions:
            key = ins.category or "(none)"
            out[key] = out.get(key, 0) + 1
        return dict(sorted(out.items()))

    def select(
        self, *, models: Sequence[str] | None = None, instruction_ids: Iterable[str] | None = None
    ) -> OutcomeMatrix:
        """A view restricted to some models and/or instructions, in the order given."""
        cols = [self.model_index(m) for m in models] if models is not None else list(range(len(self.models)))
        rows = (
            [self._row[i] for i in instruction_ids]
            if instruction_ids is not None
            else list(range(len(self.instructions)))
        )
        return OutcomeMatrix(
            instructions=[self.instructions[r] for r in rows],
            models=[self.models[c] for c in cols],
            scores=self.scores[np.ix_(rows, cols)],
            observed=self.observed[np.ix_(rows, cols)],
            report=self.report,
        )
