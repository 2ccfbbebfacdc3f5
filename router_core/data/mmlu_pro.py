"""MMLU-Pro outcomes exactly as upstream ships them (`model_outputs_<MODEL>_5shots.zip`).

Upstream quirks handled here, counted in the ImportReport:
- stray plain-string entries (e.g. "total") inside the record lists are skipped;
- `pred` is null when upstream could not parse an answer: counted as wrong;
- a model that did not answer a question has a missing (masked) cell, not a wrong one;
- upstream revised a few answer keys between evaluation runs: each model is scored against
  the key it was evaluated with (`pred == answer` in its own file), and the instruction keeps
  the key most files agree on.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from router_core.data.outcomes import ImportReport, Instruction, OutcomeMatrix
from router_core.errors import DataFormatError

DATASET, FAMILY = "mmlu-pro", "knowledge"
FILE_PATTERN = re.compile(r"^model_outputs_(?P<model>.+)_5shots\.(zip|json)$")
REQUIRED_FIELDS = {
    "question_id": int,
    "question": str,
    "options": list,
    "answer": str,
    "category": str,
    "src": str,
}


def is_mmlu_pro_folder(path: Path) -> bool:
    return path.is_dir() and any(FILE_PATTERN.match(p.name) for p in path.iterdir())


def load_mmlu_pro_outputs(folder: str | Path, models: list[str] | None = None) -> OutcomeMatrix:
    """Read every `model_outputs_<MODEL>_5shots.{zip,json}` in `folder` into one OutcomeMatrix."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataFormatError(folder, "no such folder")
    files = {m.group("model"): p for p in sorted(folder.iterdir()) if (m := FILE_PATTERN.match(p.name))}
    if not files:
        raise DataFormatError(folder, "no model_outputs_<MODEL>_5shots.zip files found")
    if models is not None:
        unknown = sorted(set(models) - set(files))
        if unknown:
            raise DataFormatError(folder, f"no outputs for models {unknown}; found {sorted(files)}")
        files = {m: files[m] for m in models}

    report = ImportReport(files=len(files))
    records: dict[int, dict[str, Any]] = {}
    keys: dict[int, Counter[str]] = {}
    correct: dict[str, dict[int, bool]] = {}
    for model, path in files.items():
        correct[model] = _read_model_file(path, records, keys, report)

    ids = sorted(records)
    revised = sum(len(keys[q]) > 1 for q in ids)
    if revised:
        report.notes.append(
            f"{revised} questions have a revised answer key in some files; "
            "each model is scored against its own file's key"
        )
    questions = {q: _instruction({**records[q], "answer": keys[q].most_common(1)[0][0]}) for q in ids}
    row = {qid: i for i, qid in enumerate(ids)}
    names = list(files)
    scores = np.zeros((len(ids), len(names)), dtype=np.float32)
    observed = np.zeros_like(scores, dtype=bool)
    for j, model in enumerate(names):
        for qid, ok in correct[model].items():
            scores[row[qid], j] = float(ok)
            observed[row[qid], j] = True
    missing = int((~observed).sum())
    if missing:
        report.notes.append(f"{missing} missing cells masked (a model did not answer some questions)")
    return OutcomeMatrix([questions[q] for q in ids], names, scores, observed, report)


def _read_model_file(
    path: Path, records: dict[int, dict[str, Any]], keys: dict[int, Counter[str]], report: ImportReport
) -> dict[int, bool]:
    entries = _read_json_list(path)
    outcomes: dict[int, bool] = {}
    for index, entry in enumerate(entries):
        if isinstance(entry, str):
            report.stray_entries += 1
            continue
        where = f"record {index}"
        if not isinstance(entry, dict):
            raise DataFormatError(path, f"expected an object, got {type(entry).__name__}", location=where)
        for name, kind in REQUIRED_FIELDS.items():
            if not isinstance(entry.get(name), kind):
                raise DataFormatError(path, f"field {name!r} missing or not {kind.__name__}", location=where)
        qid = entry["question_id"]
        where = f"record {index}, question_id {qid}"
        if qid in outcomes:
            raise DataFormatError(path, "duplicate question_id in one file", location=where)
        pred = entry.get("pred")
        if pred is not None and not isinstance(pred, str):
            raise DataFormatError(path, f"'pred' must be a letter or null, got {pred!r}", location=where)
        records.setdefault(qid, entry)
        keys.setdefault(qid, Counter())[entry["answer"]] += 1
        report.records += 1
        report.unparsed_predictions += pred is None
        outcomes[qid] = pred == entry["answer"]
    return outcomes


def _read_json_list(path: Path) -> list[Any]:
    try:
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                members = [n for n in archive.namelist() if n.endswith(".json")]
                if len(members) != 1:
                    raise DataFormatError(path, f"expected exactly one .json file inside, found {members}")
                raw = archive.read(members[0])
        else:
            raw = path.read_bytes()
        data = json.loads(raw)
    except zipfile.BadZipFile as exc:
        raise DataFormatError(path, f"not a valid zip archive ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise DataFormatError(path, f"invalid JSON: {exc.msg}", location=f"line {exc.lineno}") from exc
    except UnicodeDecodeError as exc:
        raise DataFormatError(
            path, f"invalid JSON: not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from exc
    if not isinstance(data, list):
        raise DataFormatError(path, f"expected a JSON list of records, got {type(data).__name__}")
    return data


def _instruction(record: dict[str, Any]) -> Instruction:
    return Instruction(
        id=str(record["question_id"]),
        text=record["question"],
        category=record["category"],
        source=record["src"],
        dataset=DATASET,
        family=FAMILY,
        choices=tuple(str(o) for o in record["options"]),
        answer=record["answer"],
    )


def load_mmlu_pro_questions(
    source: str | Path = "TIGER-Lab/MMLU-Pro", split: str = "test"
) -> list[Instruction]:
    """MMLU-Pro questions from the Hugging Face dataset, or a local copy of its files.

    Needs the `hf` extra (`datasets`); a hub id needs network, a local folder does not.
    """
    try:
        from datasets import load_dataset
    except ImportError as exc:
        raise ImportError(
            "loading MMLU-Pro from the hub needs: pip install 'langchain-modelsat[hf]'"
        ) from exc
    rows = load_dataset(str(source), split=split)
    missing = set(REQUIRED_FIELDS) - set(rows.column_names)
    if missing:
        raise DataFormatError(source, f"dataset lacks columns {sorted(missing)}")
    return [_instruction(row) for row in rows]
