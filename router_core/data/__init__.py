"""Outcome data: who answered what correctly, from upstream MMLU-Pro files or your own logs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from router_core.data.alpaca_eval import is_alpaca_eval_folder, load_alpaca_eval
from router_core.data.combine import MODEL_ALIASES, canonical_model, combine_outcomes
from router_core.data.llmrouter import is_llmrouter_folder, load_llmrouter
from router_core.data.mmlu_pro import is_mmlu_pro_folder, load_mmlu_pro_outputs, load_mmlu_pro_questions
from router_core.data.outcomes import ImportReport, Instruction, OutcomeMatrix, format_multiple_choice
from router_core.data.tabular import load_long_jsonl, load_wide_csv
from router_core.errors import DataFormatError

__all__ = [
    "MODEL_ALIASES",
    "canonical_model",
    "combine_outcomes",
    "is_alpaca_eval_folder",
    "is_llmrouter_folder",
    "load_alpaca_eval",
    "load_llmrouter",
    "ImportReport",
    "Instruction",
    "OutcomeMatrix",
    "format_multiple_choice",
    "load_long_jsonl",
    "load_mmlu_pro_outputs",
    "load_mmlu_pro_questions",
    "load_outcomes",
    "load_wide_csv",
]


def load_outcomes(paths: str | Path | Sequence[str | Path]) -> OutcomeMatrix:
    """Load outcomes from one source or several combined (`combine_outcomes`, which also gives
    every model its canonical name): an MMLU-Pro, LLMRouter or AlpacaEval folder, a wide .csv or
    a long .jsonl, each chosen by what it is."""
    if isinstance(paths, str | Path):
        paths = [paths]
    if not paths:
        raise DataFormatError("--data", "no outcome source given")
    return combine_outcomes([_load_one(Path(path)) for path in paths])


def _load_one(path: Path) -> OutcomeMatrix:
    if not path.exists():
        raise DataFormatError(path, "no such file or folder")
    if path.is_dir():
        if is_mmlu_pro_folder(path):
            return load_mmlu_pro_outputs(path)
        if is_llmrouter_folder(path):
            return load_llmrouter(path)
        if is_alpaca_eval_folder(path):
            return load_alpaca_eval(path)
        raise DataFormatError(
            path,
            "not an outcome folder: expected MMLU-Pro model_outputs_<MODEL>_5shots.zip files, "
            "LLMRouter default_query_train.jsonl + dcrouter_train.json, or AlpacaEval results/",
        )
    if path.suffix == ".csv":
        return load_wide_csv(path)
    if path.suffix == ".jsonl":
        return load_long_jsonl(path)
    raise DataFormatError(
        path, "unknown format: expected an MMLU-Pro, LLMRouter or AlpacaEval folder, a .csv or a .jsonl file"
    )
