"""The aptitude test: 50 MMLU subjects x 20 distinguishing questions that every model takes.

A test is a versioned list of question ids per task plus a keyword description; it never
holds question texts (those stay in the dataset). Selection is deterministic: the same
outcomes and zoo always give the same items.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, Field, ValidationError

from router_core.data.outcomes import OutcomeMatrix
from router_core.errors import ConfigError

MMLU_SOURCE_PREFIX = "ori_mmlu-"
DEFAULT_VERSION = "mmlu-pro-v1"
DEFINITIONS = resources.files("router_core.cards") / "definitions"


class AptitudeTask(BaseModel):
    id: str
    description: str = Field(description="About five keywords, e.g. 'Mathematics, Algebra, ...'")
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

    def task(self, task_id: str) -> AptitudeTask:
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise ConfigError(f"aptitude test {self.version} has no task {task_id!r}")

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.model_dump_json(indent=1) + "\n", encoding="utf-8")

    @classmethod
    def from_file(cls, path: str | Path) -> AptitudeTest:
        try:
            return cls.model_validate_json(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read aptitude test ({exc.strerror or exc})") from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{path}: not a valid aptitude test definition ({exc})") from exc
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or '(top)'}: {e['msg']}" for e in exc.errors()
            )
            raise ConfigError(f"{path}: not a valid aptitude test definition ({problems})") from exc


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


def select_aptitude_test(
    outcomes: OutcomeMatrix,
    zoo: Sequence[str],
    *,
    version: str = DEFAULT_VERSION,
    n_tasks: int = 50,
    items_per_task: int = 20,
    descriptions: dict[str, str] | None = None,
) -> AptitudeTest:
    """Pick the items that best tell the `zoo` apart.

    An item's informativeness is p(1-p), p being the share of the zoo that answers it
    correctly: items about half the zoo gets right score highest, items everyone gets right
    or wrong score zero and are never chosen. Each subject keeps its `items_per_task` most
    informative items; the `n_tasks` subjects whose items are most informative form the test.
    Ties break by question id, so the result is deterministic (p(1-p) is compared as a float, so
    items with p and 1-p do not always tie exactly; the shipped v1 keeps that rule).
    """
    descriptions = descriptions or task_descriptions()
    sub = outcomes.select(models=list(zoo))
    answered = sub.observed.sum(axis=1)
    share = np.divide(sub.scores.sum(axis=1), answered, out=np.zeros(len(sub.ids)), where=answered > 0)
    info = share * (1 - share)

    by_subject: dict[str, list[tuple[float, str]]] = {}
    for i, ins in enumerate(sub.instructions):
        mmlu = bool(ins.source and ins.source.startswith(MMLU_SOURCE_PREFIX))
        if mmlu and info[i] > 0 and answered[i] == len(zoo):
            by_subject.setdefault(ins.source[len(MMLU_SOURCE_PREFIX) :], []).append((-float(info[i]), ins.id))

    candidates = []
    for subject, items in by_subject.items():
        if len(items) < items_per_task or subject not in descriptions:
            continue
        best = sorted(items, key=lambda item: (item[0], _id_key(item[1])))[:items_per_task]
        candidates.append((sum(score for score, _ in best), subject, [qid for _, qid in best]))
    if len(candidates) < n_tasks:
        raise ConfigError(
            f"only {len(candidates)} MMLU subjects have {items_per_task} distinguishing items "
            f"answered by every model of the zoo; {n_tasks} are needed"
        )
    chosen = sorted(candidates)[:n_tasks]
    tasks = [
        AptitudeTask(id=subject, description=descriptions[subject], question_ids=sorted(ids, key=_id_key))
        for _, subject, ids in sorted(chosen, key=lambda c: c[1])
    ]
    return AptitudeTest(version=version, selected_on=sorted(zoo), tasks=tasks)


def _id_key(question_id: str) -> tuple[int, str]:
    return (int(question_id), question_id) if question_id.isdigit() else (0, question_id)
