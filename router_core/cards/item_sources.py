"""The items of a multi-domain aptitude test, gathered from the outcome sources they came from.

An item needs more than its outcome row: its grading key. MMLU-Pro and LLMRouter multiple
choice carry options and answer letters in the outcome data; the other LLMRouter tasks carry
a gold answer or unit tests in their query records; AlpacaEval items carry the reference
answer their judge compared with.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from router_core.cards.aptitude import AptitudeTest
from router_core.cards.items import AptitudeItem, GraderKind
from router_core.data import OutcomeMatrix, is_alpaca_eval_folder, is_llmrouter_folder
from router_core.data.alpaca_eval import load_reference_answers
from router_core.data.llmrouter import LLMRouterQuery, load_llmrouter_queries
from router_core.errors import CardError

_METRIC_GRADERS: dict[str, GraderKind] = {
    "em_mc": "choice",
    "GSM8K": "number",
    "code_eval": "code",
    "f1_score": "f1",
    "commongen_coverage": "coverage",
}


def gather_items(test: AptitudeTest, outcomes: OutcomeMatrix, folders: Sequence[Path]) -> list[AptitudeItem]:
    """Every item of `test` with its grading key, in test order."""
    queries: dict[str, LLMRouterQuery] = {}
    references: dict[str, str] = {}
    for folder in map(Path, folders):
        if is_llmrouter_folder(folder):
            queries.update({q.id: q for q in load_llmrouter_queries(folder).values()})
        if is_alpaca_eval_folder(folder):
            references.update(load_reference_answers(folder))
    items = []
    for task in test.tasks:
        for item_id in task.question_ids:
            if not outcomes.has(item_id):
                raise CardError(f"aptitude item {item_id!r} of task {task.id!r} is not in the outcome data")
            ins = outcomes.instructions[outcomes.row(item_id)]
            if item_id in queries:
                items.append(_llmrouter_item(task.id, queries[item_id]))
            elif item_id in references:
                items.append(
                    AptitudeItem(
                        id=item_id,
                        task=task.id,
                        grader="judge",
                        prompt=ins.text,
                        reference=references[item_id],
                    )
                )
            elif ins.choices and ins.answer:
                items.append(
                    AptitudeItem(
                        id=item_id,
                        task=task.id,
                        grader="choice",
                        prompt=ins.text,
                        choices=ins.choices,
                        answer=ins.answer,
                    )
                )
            else:
                raise CardError(f"aptitude item {item_id!r} has no grading key in the given sources")
    return items


def _llmrouter_item(task: str, query: LLMRouterQuery) -> AptitudeItem:
    grader: GraderKind = "math" if query.task == "math" else _METRIC_GRADERS.get(query.metric, "number")
    return AptitudeItem(
        id=query.id,
        task=task,
        grader=grader,
        prompt=query.text,
        choices=query.choices,
        answer=query.answer,
        tests=query.tests,
        entry_point=query.entry_point,
    )
