"""Labelled examples of each aptitude task: what an instruction of that task looks like.

Routers that read a card by the instruction's task (the card prior, the card-lookup baseline)
learn to recognise tasks from these: the test's own items, which ship with the test, and the
training questions of each task's source. The items make every task of the test recognisable,
even one whose family no training question covers (a held-out task type).
"""

from __future__ import annotations

from router_core.cards.aptitude import AptitudeTest, task_id
from router_core.cards.items import shipped_items
from router_core.data.outcomes import OutcomeMatrix, format_multiple_choice


def task_labels(questions: OutcomeMatrix, aptitude: AptitudeTest) -> dict[str, str]:
    """The aptitude task of each question that has one: an item of the task, or a question of
    the task's source (an MMLU-Pro subject, an LLMRouter task, an AlpacaEval dataset)."""
    item_task = {q: task.id for task in aptitude.tasks for q in task.question_ids}
    tasks = {task.id for task in aptitude.tasks}
    labels = {}
    for ins in questions.instructions:
        task = item_task.get(ins.id, task_id(ins.source))
        if task in tasks:
            labels[ins.id] = task
    return labels


def task_examples(train: OutcomeMatrix, aptitude: AptitudeTest) -> tuple[list[str], list[str]]:
    """(texts, task ids): the labelled training questions, and the test's shipped items that
    are not among them (those of held-out task families)."""
    labels = task_labels(train, aptitude)
    texts = [ins.routing_text for ins in train.instructions if ins.id in labels]
    tasks = [labels[ins.id] for ins in train.instructions if ins.id in labels]
    for item in shipped_items(aptitude.version):
        if item.id not in labels:
            texts.append(format_multiple_choice(item.prompt, item.choices) if item.choices else item.prompt)
            tasks.append(item.task)
    return texts, tasks
