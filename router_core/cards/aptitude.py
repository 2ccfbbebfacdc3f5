"""The aptitude test: 50 tasks x 20 questions of graded difficulty that every model takes.

A test is a versioned list of question ids per task plus a keyword description; it never
holds question texts (those stay in the dataset). Selection is deterministic: the same
outcomes and zoo always give the same items.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import numpy as np
import yaml
from pydantic import BaseModel, Field, ValidationError

from router_core.data.outcomes import OutcomeMatrix
from router_core.errors import ConfigError, validation_summary

MMLU_SOURCE_PREFIX = "ori_mmlu-"
MMLU_PRO_DATASET, KNOWLEDGE = "mmlu-pro", "knowledge"
MIN_ITEMS = 5
"""A task needs this many informative items to be measured at all."""
DEFAULT_VERSION = "v3"
MMLU_PRO_VERSION = "mmlu-pro-v2"
"""The last test of MMLU-Pro alone (no task families): what `select_aptitude_test` names its tests."""
DEFINITIONS = resources.files("router_core.cards") / "definitions"
FAMILIES: dict[str, str] = {
    "knowledge": "multiple-choice knowledge questions by subject (MMLU-Pro)",
    "multiple-choice-qa": "science, commonsense and general multiple-choice questions",
    "logic-puzzles": "logic grid puzzles, answered by choice",
    "math-word-problems": "grade-school math word problems, graded on the final number",
    "competition-math": "competition mathematics, graded on the final answer",
    "short-answer-qa": "open-domain questions with short answers, graded by token F1",
    "code": "Python programming, graded by unit tests",
    "constrained-writing": "writing that must use given concepts, graded by their coverage",
    "open-ended": "open-ended requests (advice, writing, explanation), judged against a reference",
}
"""The task families of aptitude test v3, each measured by the tasks of one source."""


class AptitudeTask(BaseModel):
    id: str
    description: str = Field(description="About five keywords, e.g. 'Mathematics, Algebra, ...'")
    family: str | None = Field(
        default=None, description="The task family (one of FAMILIES); a card covers whole families"
    )
    question_ids: list[str]


class AptitudeTest(BaseModel):
    version: str
    selected_on: list[str] = Field(
        default_factory=list, description="The zoo whose outcomes picked the items"
    )
    tasks: list[AptitudeTask]

    @property
    def question_ids(self) -> set[str]:
        return {q for task in self.tasks for q in task.question_ids}

    @property
    def families(self) -> dict[str, list[str]]:
        """Each task family's task ids ({} for a test without families)."""
        out: dict[str, list[str]] = defaultdict(list)
        for task in self.tasks:
            if task.family is not None:
                out[task.family].append(task.id)
        known = list(FAMILIES)
        return dict(
            sorted(out.items(), key=lambda kv: (known.index(kv[0]) if kv[0] in known else len(known), kv[0]))
        )

    def families_of(self, task_ids: Sequence[str]) -> list[str]:
        """The families that `task_ids` touch, in the test's order."""
        touched = {task.family for task in self.tasks if task.id in set(task_ids)}
        return [family for family in self.families if family in touched]

    def task(self, task_id: str) -> AptitudeTask:
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise ConfigError(f"aptitude test {self.version} has no task {task_id!r}")

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.model_dump_json(indent=1, exclude_none=True) + "\n", encoding="utf-8")

    @classmethod
    def from_file(cls, path: str | Path) -> AptitudeTest:
        try:
            return cls.model_validate_json(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read aptitude test ({exc.strerror or exc})") from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{path}: not a valid aptitude test definition ({exc})") from exc
        except ValidationError as exc:
            problems = validation_summary(exc)
            raise ConfigError(f"{path}: not a valid aptitude test definition ({problems})") from exc


def shipped_versions() -> list[str]:
    """The versions of the aptitude tests this installation ships."""
    names = (p.name for p in DEFINITIONS.iterdir())
    return sorted(
        n[len("aptitude-") : -len(".json")]
        for n in names
        if n.startswith("aptitude-") and n.endswith(".json")
    )


@cache
def load_aptitude_test(version: str = DEFAULT_VERSION) -> AptitudeTest:
    """A shipped aptitude test by version."""
    resource = DEFINITIONS / f"aptitude-{version}.json"
    if not resource.is_file():
        raise ConfigError(f"no shipped aptitude test {version!r}")
    return AptitudeTest.model_validate(json.loads(resource.read_text(encoding="utf-8")))


@cache
def task_descriptions() -> dict[str, str]:
    """Keyword descriptions of the MMLU subjects, keyed by subject."""
    return yaml.safe_load((DEFINITIONS / "task_descriptions.yaml").read_text(encoding="utf-8"))


class _TaskPool(NamedTuple):
    category: str
    items: list[tuple[float, str]]  # (difficulty p on the zoo, question id)


def select_aptitude_test(
    outcomes: OutcomeMatrix,
    zoo: Sequence[str],
    *,
    version: str = MMLU_PRO_VERSION,
    n_tasks: int = 50,
    items_per_task: int = 20,
    descriptions: dict[str, str] | None = None,
) -> AptitudeTest:
    """Pick a test whose per-task scores estimate each model's accuracy on the whole dataset.

    A task is one item source (an MMLU subject, or a `stemez-*`/`theoremQA-*`/`scibench-*`
    source) with a keyword description. Tasks go to the dataset's categories in proportion to
    their sizes, so the test covers what users route, and inside a task the items spread over
    the whole range of difficulty. Only items answered by every model of the zoo count (a
    masked cell would bias difficulty). The result is deterministic: ties break by question id,
    source and category name.
    """
    descriptions = descriptions or task_descriptions()
    pools = _task_pools(outcomes.select(models=list(zoo)), descriptions, items_per_task)
    category_share = Counter(ins.category or "" for ins in outcomes.instructions)
    chosen = _allocate(pools, category_share, n_tasks)
    if len(chosen) < n_tasks:
        raise ConfigError(
            f"only {len(chosen)} sources have {items_per_task} items answered by every model of "
            f"the zoo and a task description; {n_tasks} are needed"
        )
    tasks = [
        AptitudeTask(
            id=task,
            description=descriptions[task],
            question_ids=sorted(_graded_items(pools[task].items, items_per_task), key=_id_key),
        )
        for task in sorted(chosen)
    ]
    return AptitudeTest(version=version, selected_on=sorted(zoo), tasks=tasks)


def select_multi_domain_test(
    outcomes: OutcomeMatrix,
    zoo: Sequence[str],
    *,
    version: str,
    n_tasks: int = 50,
    items_per_task: int = 20,
    descriptions: dict[str, str] | None = None,
) -> AptitudeTest:
    """Test v3: one task per source of every dataset but MMLU-Pro (an LLMRouter task, an
    AlpacaEval dataset), so the cards describe each task family that users send; MMLU-Pro
    subjects, picked as `select_aptitude_test` picks them, fill the test up to `n_tasks`.

    Each dataset's items are picked on the zoo models it measured. Items that every one of
    them scores alike (all right, all wrong) are dropped: they tell no model from another.
    The rest spread over the range of difficulty, as in `_graded_items`.
    """
    descriptions = descriptions or task_descriptions()
    parts = {}
    for dataset in sorted({ins.dataset or "" for ins in outcomes.instructions}):
        part = outcomes.select(
            instruction_ids=[ins.id for ins in outcomes.instructions if (ins.dataset or "") == dataset]
        )
        parts[dataset] = part.select(models=[m for m in zoo if part.observed[:, part.model_index(m)].any()])
    tasks = [
        task
        for dataset, part in parts.items()
        if dataset != MMLU_PRO_DATASET
        for task in _source_tasks(part, descriptions, items_per_task)
    ]
    if MMLU_PRO_DATASET in parts:
        part = parts[MMLU_PRO_DATASET]
        knowledge = select_aptitude_test(
            part,
            part.models,
            version=version,
            n_tasks=n_tasks - len(tasks),
            items_per_task=items_per_task,
            descriptions=descriptions,
        )
        tasks += [task.model_copy(update={"family": KNOWLEDGE}) for task in knowledge.tasks]
    unknown = sorted({task.family for task in tasks if task.family is not None} - set(FAMILIES))
    if unknown:
        raise ConfigError(f"tasks of unknown families {unknown}; known: {', '.join(FAMILIES)}")
    return AptitudeTest(version=version, selected_on=sorted(zoo), tasks=sorted(tasks, key=lambda t: t.id))


def _source_tasks(part: OutcomeMatrix, descriptions: dict[str, str], count: int) -> list[AptitudeTask]:
    """One task per item source of a dataset, from its informative items answered by every model."""
    complete = np.asarray(part.observed.all(axis=1))
    low = np.where(part.observed, part.scores, np.inf).min(axis=1)
    high = np.where(part.observed, part.scores, -np.inf).max(axis=1)
    share = part.scores.sum(axis=1) / np.maximum(part.observed.sum(axis=1), 1)
    pools: dict[str, list[tuple[float, str]]] = defaultdict(list)
    families: dict[str, str | None] = {}
    for i, ins in enumerate(part.instructions):
        if complete[i] and high[i] > low[i] and ins.source in descriptions:
            pools[ins.source].append((float(share[i]), ins.id))
            families[ins.source] = ins.family
    return [
        AptitudeTask(
            id=source,
            description=descriptions[source],
            family=families[source],
            question_ids=sorted(_graded_items(items, min(count, len(items))), key=_id_key),
        )
        for source, items in sorted(pools.items())
        if len(items) >= MIN_ITEMS
    ]


def task_id(source: str | None) -> str:
    """The task an item belongs to: its MMLU subject, or its whole source for other items."""
    source = source or ""
    return source[len(MMLU_SOURCE_PREFIX) :] if source.startswith(MMLU_SOURCE_PREFIX) else source


def _task_pools(zoo: OutcomeMatrix, descriptions: dict[str, str], min_items: int) -> dict[str, _TaskPool]:
    """Usable items per described task, each with its difficulty; a task's category is its items' majority."""
    answered = zoo.observed.sum(axis=1)
    share = zoo.scores.sum(axis=1) / np.maximum(answered, 1)
    items: dict[str, list[tuple[float, str]]] = defaultdict(list)
    categories: dict[str, Counter[str]] = defaultdict(Counter)
    for i, ins in enumerate(zoo.instructions):
        task = task_id(ins.source)
        if task in descriptions and answered[i] == len(zoo.models):
            items[task].append((float(share[i]), ins.id))
            categories[task][ins.category or ""] += 1
    return {
        task: _TaskPool(categories[task].most_common(1)[0][0], found)
        for task, found in items.items()
        if len(found) >= min_items
    }


def _allocate(pools: dict[str, _TaskPool], category_share: Counter[str], n_tasks: int) -> list[str]:
    """Give each next task to the category furthest below its share of the dataset, taking
    its largest unused source (more items, a steadier difficulty estimate)."""
    queues: dict[str, list[str]] = defaultdict(list)
    for task in sorted(pools, key=lambda t: (-len(pools[t].items), t)):
        queues[pools[task].category].append(task)
    total = sum(category_share.values())
    taken: Counter[str] = Counter()
    chosen: list[str] = []
    while len(chosen) < n_tasks:
        open_categories = [c for c, queue in queues.items() if taken[c] < len(queue)]
        if not open_categories:
            break
        category = max(open_categories, key=lambda c: (n_tasks * category_share[c] / total - taken[c], c))
        chosen.append(queues[category][taken[category]])
        taken[category] += 1
    return chosen


def _graded_items(items: list[tuple[float, str]], count: int) -> list[str]:
    """One item from the middle of each of `count` equal difficulty bins.

    A spread of difficulties tells models apart at every level of ability. Items that about
    half the zoo gets right (the paper's rule, this project's first test) separate only models
    near the zoo's median: on them the strongest models all score near the ceiling, and cards
    could not tell the best model from the third best.
    """
    ordered = sorted(items, key=lambda item: (item[0], _id_key(item[1])))
    return [ordered[int((k + 0.5) * len(ordered) / count)][1] for k in range(count)]


def _id_key(question_id: str) -> tuple[int, str]:
    return (int(question_id), question_id) if question_id.isdigit() else (0, question_id)
