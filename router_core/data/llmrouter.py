"""LLMRouter outcomes as upstream ships them: query records joined with per-model scores.

`default_query_{train,test}.jsonl` hold the questions (task, ground truth, metric, choices);
`dcrouter_{train,test}.json` hold each model's score on each question, keyed by the query
text. Upstream quirks handled here, counted in the ImportReport:
- records are split on "\\n" only (some queries hold U+2028, which `splitlines` breaks on);
- the score files join on the stripped query text; a question scored twice keeps its first
  scores, and a query filed under two tasks keeps its first record;
- `choices` is a Python literal: a list of options, or {"text": [...], "label(s)": [...]}.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from router_core.data.latex import last_boxed
from router_core.data.outcomes import ImportReport, Instruction, OutcomeMatrix
from router_core.errors import DataFormatError

DATASET = "llmrouter"
QUERY_FILES = ("default_query_train.jsonl", "default_query_test.jsonl")
SCORE_FILES = ("dcrouter_train.json", "dcrouter_test.json")
TASK_FAMILIES: dict[str, str] = {
    "mmlu": "multiple-choice-qa",
    "gpqa": "multiple-choice-qa",
    "arc_challenge": "multiple-choice-qa",
    "openbook_qa": "multiple-choice-qa",
    "commonsense_qa": "multiple-choice-qa",
    "agentverse-logicgrid": "logic-puzzles",
    "gsm8k": "math-word-problems",
    "agentverse-mgsm": "math-word-problems",
    "math": "competition-math",
    "natural_qa": "short-answer-qa",
    "trivia_qa": "short-answer-qa",
    "human_eval": "code",
    "mbpp": "code",
    "commongen": "constrained-writing",
}
"""Each upstream task's family (see `router_core.cards.aptitude.FAMILIES`)."""

_ENTRY_POINT = re.compile(r"^def\s+([A-Za-z_]\w*)\s*\(", re.MULTILINE)


class LLMRouterQuery(BaseModel):
    """One upstream question with everything needed to grade an answer to it."""

    model_config = ConfigDict(frozen=True)

    id: str
    task: str
    metric: str
    text: str
    choices: tuple[str, ...] | None = None
    answer: str | None = None
    tests: str | None = None
    entry_point: str | None = None

    def instruction(self) -> Instruction:
        return Instruction(
            id=self.id,
            text=self.text,
            category=self.task,
            source=self.task,
            dataset=DATASET,
            family=TASK_FAMILIES.get(self.task),
            choices=self.choices,
            answer=self.answer if self.choices else None,
        )


def is_llmrouter_folder(path: Path) -> bool:
    return path.is_dir() and all((path / name).is_file() for name in QUERY_FILES[:1] + SCORE_FILES[:1])


def load_llmrouter_queries(folder: str | Path) -> dict[str, LLMRouterQuery]:
    """Every query record of the folder, keyed by its stripped text (first record wins)."""
    folder = Path(folder)
    queries: dict[str, LLMRouterQuery] = {}
    for name in QUERY_FILES:
        path = folder / name
        if not path.is_file():
            continue
        for number, line in enumerate(_read_text(path).split("\n"), start=1):
            if not line.strip():
                continue
            where = f"line {number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataFormatError(path, f"not JSON ({exc.msg})", location=where) from None
            query = _query(path, where, record)
            queries.setdefault(query.text.strip(), query)
    if not queries:
        raise DataFormatError(folder, f"no query records in {' or '.join(QUERY_FILES)}")
    return queries


def load_llmrouter(folder: str | Path) -> OutcomeMatrix:
    """The scored questions of an LLMRouter folder; a model without a score on a question is masked."""
    folder = Path(folder)
    queries = load_llmrouter_queries(folder)
    report = ImportReport()
    scores: dict[str, dict[str, float]] = {}
    for name in SCORE_FILES:
        path = folder / name
        if not path.is_file():
            continue
        report.files += 1
        for index, record in enumerate(_score_records(path)):
            where = f"record {index}"
            text = str(record.get("question", "")).strip()
            if text not in queries:
                raise DataFormatError(path, "question has no query record to join", location=where)
            if text in scores:
                report.stray_entries += 1
                continue
            scores[text] = _model_scores(path, where, record.get("scores"))
            report.records += len(scores[text])
    if report.stray_entries:
        report.notes.append(f"{report.stray_entries} questions scored twice: the first scores kept")
    models = sorted({m for per_model in scores.values() for m in per_model})
    texts = list(scores)
    matrix = np.zeros((len(texts), len(models)), dtype=np.float32)
    observed = np.zeros_like(matrix, dtype=bool)
    column = {m: j for j, m in enumerate(models)}
    for i, text in enumerate(texts):
        for model, value in scores[text].items():
            matrix[i, column[model]] = value
            observed[i, column[model]] = True
    return OutcomeMatrix(
        instructions=[queries[t].instruction() for t in texts],
        models=models,
        scores=matrix,
        observed=observed,
        report=report,
    )


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataFormatError(path, f"not UTF-8 text ({exc.reason})") from None


def _score_records(path: Path) -> list[dict[str, Any]]:
    try:
        records = json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        raise DataFormatError(path, f"not JSON ({exc.msg})") from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise DataFormatError(path, 'expected a list of {"question", "scores"} records')
    return records


def _model_scores(path: Path, where: str, raw: object) -> dict[str, float]:
    if not isinstance(raw, dict) or not raw:
        raise DataFormatError(path, "scores must be a non-empty {model: score} object", location=where)
    out = {}
    for model, value in raw.items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise DataFormatError(path, f"score of {model!r} is {value!r}, not in [0, 1]", location=where)
        out[str(model)] = float(value)
    return out


def _query(path: Path, where: str, record: object) -> LLMRouterQuery:
    if not isinstance(record, dict):
        raise DataFormatError(path, "expected a JSON object", location=where)
    missing = [
        k for k in ("task_name", "query", "ground_truth", "metric") if not isinstance(record.get(k), str)
    ]
    if missing:
        raise DataFormatError(path, f"missing or non-text fields {missing}", location=where)
    task, text, truth, metric = (record[k] for k in ("task_name", "query", "ground_truth", "metric"))
    digest = hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:12]
    fields: dict[str, Any] = {
        "id": f"{DATASET}/{task}/{digest}",
        "task": task,
        "metric": metric,
        "text": text,
    }
    if metric == "em_mc":
        fields["choices"] = _choices(path, where, record.get("choices"))
        fields["answer"] = truth.strip()
    elif metric == "code_eval":
        fields.update(_code_tests(path, where, text, truth))
    elif task == "math":
        fields["answer"] = last_boxed(truth)[1].strip() or None
    elif metric in ("GSM8K", "MATH"):
        fields["answer"] = truth.rsplit("####", 1)[-1].strip().replace(",", "")
    else:
        fields["answer"] = truth.strip()
    return LLMRouterQuery(**fields)


def _choices(path: Path, where: str, raw: object) -> tuple[str, ...]:
    try:
        value = ast.literal_eval(raw) if isinstance(raw, str) else raw
    except (ValueError, SyntaxError):
        raise DataFormatError(
            path, f"choices {str(raw)[:60]!r} are not a list literal", location=where
        ) from None
    if isinstance(value, dict):
        value = value.get("text")
    if not isinstance(value, list | tuple) or not value:
        raise DataFormatError(path, "a multiple-choice record needs a list of choices", location=where)
    return tuple(str(choice) for choice in value)


def _code_tests(path: Path, where: str, prompt: str, truth: str) -> dict[str, Any]:
    """MBPP: a list literal of assert lines; HumanEval: a check(candidate) function whose entry
    point is the last function the prompt defines."""
    if "def check(" in truth:
        names = _ENTRY_POINT.findall(prompt)
        if not names:
            raise DataFormatError(path, "a HumanEval prompt defines no function", location=where)
        return {"tests": truth, "entry_point": names[-1]}
    try:
        asserts = ast.literal_eval(truth)
    except (ValueError, SyntaxError):
        raise DataFormatError(
            path, "code tests are neither a check() function nor a list", location=where
        ) from None
    return {"tests": "\n".join(str(line) for line in asserts)}
