"""Capability cards: a model's aptitude-test results, rendered as the text the router reads."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Mapping, Sequence
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from router_core.cards.aptitude import DEFAULT_VERSION, AptitudeTest, load_aptitude_test, shipped_versions
from router_core.cards.validation import check_card
from router_core.errors import CardError, validation_summary

DEFINITIONS = resources.files("router_core.cards") / "definitions"
MAX_CARD_TASKS = 200
"""Most tasks a card may hold, whatever its test (shipped tests have 45 to 50): a card's size is
routing time, and a card of a test this installation does not ship is not checked against it."""
MAX_TASK_DESCRIPTION_CHARS = 500
"""Longest task description (shipped ones are under 100 characters)."""
MAX_NOTES_CHARS = 2000
"""Longest `facts.notes` text."""


class _Frozen(BaseModel):
    """Cards are shared by the whole process (`load_cards` caches the shipped set), so they are
    values: an edit is a new object (`model_copy(update=...)`), never a change seen by others."""

    model_config = ConfigDict(frozen=True)


class TaskScore(_Frozen):
    task: str
    description: str = Field(max_length=MAX_TASK_DESCRIPTION_CHARS)
    accuracy: float = Field(ge=0.0, le=1.0)
    n_items: int = Field(default=20, ge=1)


class ModelFacts(_Frozen):
    """Expert knowledge a card can carry besides its scores (the paper's 'easy to extend' text)."""

    languages: tuple[str, ...] | None = None
    context_length: int | None = Field(default=None, gt=0)
    tool_calling: bool | None = Field(default=None, description="Native tool / function calling")
    vision: bool | None = Field(default=None, description="Accepts images in messages")
    input_price: float | None = Field(default=None, ge=0, description="USD per 1M input tokens")
    output_price: float | None = Field(default=None, ge=0, description="USD per 1M output tokens")
    notes: str | None = Field(default=None, max_length=MAX_NOTES_CHARS)

    def sentences(self) -> list[str]:
        """The facts the router reads. `tool_calling` and `vision` are routing constraints (see
        `router_core.engine.requirements`), not text: the shipped router was trained without them."""
        out = []
        if self.languages:
            out.append(f"The model supports {', '.join(self.languages)}.")
        if self.context_length:
            out.append(f"Its context length is {self.context_length} tokens.")
        if self.notes:
            out.append(self.notes)
        return out


class CapabilityCard(_Frozen):
    model: str = Field(min_length=1)
    aliases: tuple[str, ...] = Field(default=(), description="Other names of the same model")
    aptitude_version: str
    families: tuple[str, ...] | None = Field(
        default=None,
        description="The task families the card measures (whole families only); fewer than the "
        "test's means a partial card. None: a test without families",
    )
    scores: tuple[TaskScore, ...] = Field(min_length=1, max_length=MAX_CARD_TASKS)
    facts: ModelFacts = Field(default_factory=ModelFacts)

    @field_validator("scores")
    @classmethod
    def _unique_tasks(cls, scores: tuple[TaskScore, ...]) -> tuple[TaskScore, ...]:
        tasks = [s.task for s in scores]
        if len(set(tasks)) != len(tasks):
            raise ValueError("each task may appear only once")
        return scores

    @cached_property
    def fingerprint(self) -> str:
        """Content hash, computed once per card: it keys everything cached per card (capability
        encodings, scores per zoo), so an edited card (a new object) is encoded afresh."""
        return hashlib.sha256(self.model_dump_json().encode("utf-8")).hexdigest()[:16]

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> CapabilityCard:
        """A copy with `update` applied; its fingerprint is computed anew, not copied."""
        copied = super().model_copy(update=update, deep=deep)
        copied.__dict__.pop("fingerprint", None)
        return copied

    @property
    def mean_accuracy(self) -> float:
        return sum(s.accuracy for s in self.scores) / len(self.scores)

    @property
    def price(self) -> float | None:
        """Blended USD per 1M tokens (mean of input and output price), None when unknown."""
        prices = [p for p in (self.facts.input_price, self.facts.output_price) if p is not None]
        return sum(prices) / len(prices) if prices else None

    def accuracy_vector(self, tasks: Sequence[str]) -> list[float]:
        by_task = {s.task: s.accuracy for s in self.scores}
        missing = [t for t in tasks if t not in by_task]
        if missing:
            raise CardError(f"card of {self.model!r} has no score for tasks {missing}")
        return [by_task[t] for t in tasks]

    def sentences(self, order: Sequence[int] | None = None, *, include_facts: bool = True) -> list[str]:
        """One sentence per task (in `order`, a permutation for perturbation), then the facts."""
        if order is not None and sorted(order) != list(range(len(self.scores))):
            raise ValueError("order must be a permutation of the card's task indices")
        scores = [self.scores[i] for i in order] if order is not None else list(self.scores)
        text = [
            f"The model achieves {round(s.accuracy * 100)}% on the task of '{s.description}'." for s in scores
        ]
        return text + (self.facts.sentences() if include_facts else [])

    def to_text(self, order: Sequence[int] | None = None, *, include_facts: bool = True) -> str:
        """The paper's natural-language capability representation."""
        return " ".join(self.sentences(order, include_facts=include_facts))

    def shuffled_order(self, seed: int) -> list[int]:
        """A seeded permutation of the task indices: the paper's perturbation of a card's order."""
        order = list(range(len(self.scores)))
        random.Random(seed).shuffle(order)
        return order


def load_cards(source: str | Path | Iterable[CapabilityCard] | None = None) -> dict[str, CapabilityCard]:
    """Cards by model name, from a JSON/YAML file (a list, or {"cards": [...]}) or the shipped set
    of the default aptitude test; each card must fit the aptitude test it names (`check_card`)."""
    if source is None:
        return dict(_shipped_cards(DEFAULT_VERSION))
    if not isinstance(source, str | Path):
        cards = list(source)
        return _by_name([check_card(card) for card in cards], "the given cards")
    path = Path(source)
    if path.is_dir():
        raise CardError(f"{path}: is a folder, not a card file (.json or .yaml)")
    if not path.is_file():
        raise CardError(f"{path}: no such card file")
    try:
        text = path.read_text(encoding="utf-8")
        # JSON is parsed as JSON: YAML 1.1 rejects valid JSON such as tab indentation.
        raw = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CardError(f"{path}: not valid JSON/YAML ({exc})") from exc
    items = raw.get("cards") if isinstance(raw, dict) and "cards" in raw else raw
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise CardError(f"{path}: expected a card, a list of cards or {{'cards': [...]}}")
    cards = []
    for index, item in enumerate(items):
        try:
            cards.append(CapabilityCard.model_validate(item))
        except ValidationError as exc:
            raise CardError(f"{path} (card {index}): {validation_summary(exc)}") from exc
        try:
            check_card(cards[-1])
        except CardError as exc:
            raise CardError(f"{path} (card {index}): {exc}") from None
    return _by_name(cards, str(path))


def save_cards(cards: Iterable[CapabilityCard], path: str | Path) -> None:
    """Write cards as JSON (.json) or YAML (.yaml/.yml); `load_cards` reads both back."""
    path = Path(path)
    payload = {"cards": [card.model_dump(mode="json", exclude_none=True) for card in cards]}
    if path.suffix in (".yaml", ".yml"):
        text = yaml.safe_dump(payload, sort_keys=False, allow_unicode=True)
    else:
        text = json.dumps(payload, indent=1, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")


def _by_name(cards: list[CapabilityCard], where: str) -> dict[str, CapabilityCard]:
    out: dict[str, CapabilityCard] = {}
    for card in cards:
        if card.model in out:
            raise CardError(f"{where}: two cards for model {card.model!r}")
        out[card.model] = card
    return out


def cards_aptitude_test(cards: Sequence[CapabilityCard]) -> AptitudeTest:
    """The shipped aptitude test that measured `cards` (all of one version): its items stay out of
    every evaluation split. Cards of a user's own test fall back to the default test."""
    versions = sorted({card.aptitude_version for card in cards})
    if len(versions) > 1:
        raise CardError(f"cards of several aptitude tests cannot be compared: {versions}")
    known = shipped_versions()
    return load_aptitude_test(versions[0] if versions and versions[0] in known else DEFAULT_VERSION)


def find_card(cards: dict[str, CapabilityCard], name: str) -> CapabilityCard | None:
    """The card of `name`, found by the model's name or one of its aliases."""
    if name in cards:
        return cards[name]
    return next((card for card in cards.values() if name in card.aliases), None)


def shipped_cards(version: str = DEFAULT_VERSION) -> dict[str, CapabilityCard]:
    """The shipped cards of every model measured with aptitude test `version`."""
    return dict(_shipped_cards(version))


@cache
def _shipped_cards(version: str) -> tuple[tuple[str, CapabilityCard], ...]:
    resource = DEFINITIONS / f"cards-{version}.json"
    if not resource.is_file():
        raise CardError(f"no shipped cards for aptitude test {version!r}")
    return tuple(load_cards(Path(str(resource))).items())
