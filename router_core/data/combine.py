"""Several outcome sources as one matrix: the union of models, each source's questions.

A model that two sources name differently (LLMRouter's `llama-3.1-8b-instruct` is MMLU-Pro's
`Meta-Llama-3_1-8B-Instruct`) becomes one column under its canonical name, so it gets one
card. A cell no source observed stays masked: a model is never counted wrong on a source
that did not test it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np

from router_core.data.outcomes import ImportReport, OutcomeMatrix
from router_core.errors import ConfigError

MODEL_ALIASES: Mapping[str, str] = MappingProxyType({"llama-3.1-8b-instruct": "Meta-Llama-3_1-8B-Instruct"})
"""Another source's name of a model -> its canonical name (the name its shipped card has)."""


def canonical_model(name: str) -> str:
    return MODEL_ALIASES.get(name, name)


def aliases_of(name: str) -> list[str]:
    """The other names the canonical model `name` has in the shipped sources."""
    return sorted(alias for alias, canonical in MODEL_ALIASES.items() if canonical == name)


def combine_outcomes(matrices: Sequence[OutcomeMatrix]) -> OutcomeMatrix:
    """One matrix over all sources' questions and the union of their (canonical) models."""
    if len(matrices) == 1 and not set(matrices[0].models) & set(MODEL_ALIASES):
        return matrices[0]
    models: list[str] = list(dict.fromkeys(canonical_model(m) for matrix in matrices for m in matrix.models))
    column = {m: j for j, m in enumerate(models)}
    seen: set[str] = set()
    for matrix in matrices:
        twice = seen & set(matrix.ids)
        if twice:
            raise ConfigError(f"two sources hold the same question ids, e.g. {sorted(twice)[:3]}")
        seen |= set(matrix.ids)
    rows = sum(len(matrix.instructions) for matrix in matrices)
    scores = np.zeros((rows, len(models)), dtype=np.float32)
    observed = np.zeros((rows, len(models)), dtype=bool)
    report = ImportReport()
    start = 0
    for matrix in matrices:
        stop = start + len(matrix.instructions)
        columns = [column[canonical_model(m)] for m in matrix.models]
        scores[start:stop, columns] = matrix.scores
        observed[start:stop, columns] = matrix.observed
        for name in ("files", "records", "stray_entries", "unparsed_predictions"):
            setattr(report, name, getattr(report, name) + getattr(matrix.report, name))
        report.notes += matrix.report.notes
        start = stop
    renamed = sorted({m for matrix in matrices for m in matrix.models if canonical_model(m) != m})
    report.notes += [
        f"{alias} is the same model as {canonical_model(alias)}: one column" for alias in renamed
    ]
    return OutcomeMatrix(
        instructions=[ins for matrix in matrices for ins in matrix.instructions],
        models=models,
        scores=scores,
        observed=observed,
        report=report,
    )
