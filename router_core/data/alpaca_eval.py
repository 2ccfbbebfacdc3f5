"""AlpacaEval judgments as upstream ships them: `results/<model>/<annotator>/annotations.json`.

Each record says how strongly the judge preferred the model's answer to the reference answer:
`preference` in [1, 2], so the outcome is the graded `preference - 1` (the judge's probability
that the model's answer is better), never rounded to a win or a loss. Models are joined on the
instruction text. The reference model (`generator_1`) is not a candidate: judged against
itself its outcome says nothing. A missing or null preference is a masked cell.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from router_core.data.outcomes import ImportReport, Instruction, OutcomeMatrix
from router_core.errors import DataFormatError

DATASET = "alpaca-eval"
FAMILY = "open-ended"
ANNOTATOR = "weighted_alpaca_eval_gpt4_turbo"
RESULTS = "results"
REFERENCE_OUTPUTS = "model_outputs.json"


def is_alpaca_eval_folder(path: Path) -> bool:
    return path.is_dir() and any((path / RESULTS).glob(f"*/{ANNOTATOR}/annotations.json"))


def instruction_id(dataset: str, text: str) -> str:
    """A stable id from the instruction's source dataset and text."""
    return f"{DATASET}/{dataset}/{hashlib.sha256(text.strip().encode('utf-8')).hexdigest()[:12]}"


def load_alpaca_eval(folder: str | Path) -> OutcomeMatrix:
    """Every judged model of the folder against the shared reference answers."""
    folder = Path(folder)
    files = sorted((folder / RESULTS).glob(f"*/{ANNOTATOR}/annotations.json"))
    if not files:
        raise DataFormatError(folder, f"no {RESULTS}/<model>/{ANNOTATOR}/annotations.json files")
    report = ImportReport(files=len(files))
    instructions: dict[str, Instruction] = {}
    outcomes: dict[str, dict[str, float]] = {}
    references: set[str] = set()
    for path in files:
        model = path.parent.parent.name
        for index, record in enumerate(_records(path)):
            where = f"record {index}"
            text, dataset = record.get("instruction"), record.get("dataset")
            if not isinstance(text, str) or not isinstance(dataset, str):
                raise DataFormatError(path, "needs text fields instruction and dataset", location=where)
            references.add(str(record.get("generator_1")))
            preference = record.get("preference")
            if preference is None:
                report.unparsed_predictions += 1
                continue
            if (
                isinstance(preference, bool)
                or not isinstance(preference, int | float)
                or not 1 <= preference <= 2
            ):
                raise DataFormatError(path, f"preference {preference!r} is not in [1, 2]", location=where)
            ins = instructions.setdefault(text.strip(), _instruction(dataset, text))
            outcomes.setdefault(model, {})[ins.id] = float(preference) - 1.0
            report.records += 1
    for reference in sorted(references & set(outcomes)):
        del outcomes[reference]
        report.notes.append(f"{reference} is the reference answer's model: left out (judged against itself)")
    if report.unparsed_predictions:
        report.notes.append(f"{report.unparsed_predictions} judgments without a preference: masked")
    models = sorted(outcomes)
    rows = list(instructions.values())
    row_of = {ins.id: i for i, ins in enumerate(rows)}
    scores = np.zeros((len(rows), len(models)), dtype=np.float32)
    observed = np.zeros_like(scores, dtype=bool)
    for j, model in enumerate(models):
        for ins_id, value in outcomes[model].items():
            scores[row_of[ins_id], j] = value
            observed[row_of[ins_id], j] = True
    return OutcomeMatrix(instructions=rows, models=models, scores=scores, observed=observed, report=report)


def load_reference_answers(folder: str | Path) -> dict[str, str]:
    """The reference answer of each instruction, by instruction id (what the judge compared with)."""
    folder = Path(folder)
    paths = sorted((folder / RESULTS).glob(f"*/{REFERENCE_OUTPUTS}"))
    if not paths:
        raise DataFormatError(
            folder, f"no {RESULTS}/<reference model>/{REFERENCE_OUTPUTS} with reference answers"
        )
    out: dict[str, str] = {}
    for path in paths:
        for index, record in enumerate(_records(path)):
            text, dataset, output = (record.get(k) for k in ("instruction", "dataset", "output"))
            if not all(isinstance(v, str) for v in (text, dataset, output)):
                raise DataFormatError(
                    path, "needs text fields instruction, dataset and output", location=f"record {index}"
                )
            out[instruction_id(str(dataset), str(text))] = str(output)
    return out


def _instruction(dataset: str, text: str) -> Instruction:
    return Instruction(
        id=instruction_id(dataset, text),
        text=text,
        category=dataset,
        source=dataset,
        dataset=DATASET,
        family=FAMILY,
    )


def _records(path: Path) -> list[dict[str, Any]]:
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise DataFormatError(path, f"not UTF-8 text ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise DataFormatError(path, f"not JSON ({exc.msg})") from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise DataFormatError(path, "expected a list of JSON objects")
    return records
