"""Outcome data: who answered what correctly, from upstream MMLU-Pro files or your own logs."""

from __future__ import annotations

from pathlib import Path

from router_core.data.mmlu_pro import is_mmlu_pro_folder, load_mmlu_pro_outputs, load_mmlu_pro_questions
from router_core.data.outcomes import ImportReport, Instruction, OutcomeMatrix, format_multiple_choice
from router_core.data.tabular import load_long_jsonl, load_wide_csv
from router_core.errors import DataFormatError

__all__ = [
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


def load_outcomes(path: str | Path) -> OutcomeMatrix:
    """Load outcomes from an MMLU-Pro folder, a wide .csv or a long .jsonl, chosen by what `path` is."""
    path = Path(path)
    if not path.exists():
        raise DataFormatError(path, "no such file or folder")
    if path.is_dir():
        if is_mmlu_pro_folder(path):
            return load_mmlu_pro_outputs(path)
        raise DataFormatError(path, "folder holds no model_outputs_<MODEL>_5shots.zip files")
    if path.suffix == ".csv":
        return load_wide_csv(path)
    if path.suffix == ".jsonl":
        return load_long_jsonl(path)
    raise DataFormatError(path, "unknown format: expected an MMLU-Pro folder, a .csv or a .jsonl file")
