"""Bring-your-own eval logs: a wide CSV or a long JSONL of per-instruction scores.

Wide CSV:  question_id,text,category[,source],<model 1>,<model 2>,...   (empty cell = missing)
Long JSONL: {"question_id": ..., "text": ..., "model": ..., "score": ...} one outcome per line
           (optional "category" and "source").
"""

from __future__ import annotations

import csv
import functools
import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

from router_core.data.jsonl import numbered_lines
from router_core.data.outcomes import ImportReport, Instruction, OutcomeMatrix
from router_core.errors import DataFormatError, not_utf8

WIDE_COLUMNS = ("question_id", "text", "category")
OPTIONAL_COLUMNS = ("source",)


def _utf8_only(load: Callable[[str | Path], OutcomeMatrix]) -> Callable[[str | Path], OutcomeMatrix]:
    """A file that is not UTF-8 is a `DataFormatError` at its first bad byte, not a traceback."""

    @functools.wraps(load)
    def checked(path: str | Path) -> OutcomeMatrix:
        try:
            return load(path)
        except UnicodeDecodeError:
            raise not_utf8(path) from None

    return checked


def _score(path: Path, raw: object, where: str) -> float:
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise DataFormatError(path, f"score {raw!r} is not a number", location=where) from None
    if math.isnan(value) or not 0.0 <= value <= 1.0:
        raise DataFormatError(path, f"score {value} is outside [0, 1]", location=where)
    return value


@_utf8_only
def load_wide_csv(path: str | Path) -> OutcomeMatrix:
    path = Path(path)
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        absent = [c for c in WIDE_COLUMNS if c not in header]
        if absent:
            raise DataFormatError(
                path,
                f"missing columns {absent}; expected {', '.join(WIDE_COLUMNS)},<model>...",
                location="line 1",
            )
        models = [c for c in header if c not in WIDE_COLUMNS + OPTIONAL_COLUMNS]
        twice = sorted({c for c in header if header.count(c) > 1})
        if twice:
            raise DataFormatError(path, f"duplicate columns {twice}", location="line 1")
        if not models:
            raise DataFormatError(path, "no model columns after question_id,text,category", location="line 1")
        instructions, rows, seen = [], [], set()
        for record in reader:
            line = reader.line_num  # physical line: quoted texts may span several lines
            if None in record or None in record.values():
                more = "more" if None in record else "fewer"
                raise DataFormatError(
                    path,
                    f"row has {more} fields than the header (unquoted comma in a text?)",
                    location=f"line {line}",
                )
            qid = (record["question_id"] or "").strip()
            if not qid:
                raise DataFormatError(path, "empty question_id", location=f"line {line}")
            if qid in seen:
                raise DataFormatError(path, f"duplicate question_id {qid!r}", location=f"line {line}")
            seen.add(qid)
            instructions.append(
                Instruction(
                    id=qid,
                    text=record["text"] or "",
                    category=record["category"] or None,
                    source=record.get("source") or None,
                )
            )
            rows.append(
                [
                    None
                    if (record[m] or "").strip() == ""
                    else _score(path, record[m], f"line {line}, column {m!r}")
                    for m in models
                ]
            )
    if not rows:
        raise DataFormatError(path, "no outcome rows after the header")
    scores = np.array([[0.0 if v is None else v for v in r] for r in rows], dtype=np.float32)
    observed = np.array([[v is not None for v in r] for r in rows], dtype=bool)
    report = ImportReport(files=1, records=int(observed.sum()))
    return OutcomeMatrix(instructions, models, scores, observed, report)


@_utf8_only
def load_long_jsonl(path: str | Path) -> OutcomeMatrix:
    path = Path(path)
    instructions: dict[str, Instruction] = {}
    cells: dict[tuple[str, str], float] = {}
    models: dict[str, None] = {}
    with path.open(encoding="utf-8") as handle:
        for where, line in numbered_lines(handle):
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataFormatError(path, f"invalid JSON: {exc.msg}", location=where) from None
            if not isinstance(record, dict):
                raise DataFormatError(path, "expected a JSON object", location=where)
            for key in ("question_id", "text", "model", "score"):
                if key not in record:
                    raise DataFormatError(path, f"missing field {key!r}", location=where)
            qid, model = str(record["question_id"]), str(record["model"])
            for key in ("category", "source"):
                if record.get(key) is not None and not isinstance(record[key], str):
                    raise DataFormatError(path, f"field {key!r} must be a string or null", location=where)
            instruction = Instruction(
                id=qid, text=str(record["text"]), category=record.get("category"), source=record.get("source")
            )
            known = instructions.setdefault(qid, instruction)
            if known.text != instruction.text:
                raise DataFormatError(path, f"question_id {qid!r} has two different texts", location=where)
            if (qid, model) in cells:
                raise DataFormatError(
                    path, f"second score for question_id {qid!r} and model {model!r}", location=where
                )
            cells[(qid, model)] = _score(path, record["score"], where)
            models[model] = None
    if not cells:
        raise DataFormatError(path, "no outcome records")
    ids, names = list(instructions), list(models)
    row, col = {q: i for i, q in enumerate(ids)}, {m: j for j, m in enumerate(names)}
    scores = np.zeros((len(ids), len(names)), dtype=np.float32)
    observed = np.zeros_like(scores, dtype=bool)
    for (qid, model), value in cells.items():
        scores[row[qid], col[model]] = value
        observed[row[qid], col[model]] = True
    return OutcomeMatrix(
        list(instructions.values()), names, scores, observed, ImportReport(files=1, records=len(cells))
    )
