"""Selection policies: turn Pr(Yes) per candidate (and card prices) into a ranking.

Shared by every integration. Each policy returns the full order to try candidates in, so the
caller can fall back down it. A policy that can choose no model raises `NoModelChosenError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    TypeAdapter,
    model_validator,
)

from router_core.errors import ConfigError, NoModelChosenError


class _Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str

    def order(self, probabilities: np.ndarray, prices: Sequence[float | None]) -> list[int]:
        raise NotImplementedError

    def describe(self) -> str:
        return self.kind


class BestPolicy(_Policy):
    """Highest Pr(Yes) first."""

    kind: Literal["best"] = "best"

    def order(self, probabilities: np.ndarray, prices: Sequence[float | None]) -> list[int]:
        return _descending(probabilities)


class CostAwarePolicy(_Policy):
    """Maximise Pr(Yes) - lam * price (USD per 1M tokens).

    Set `lam` directly, or `target_quality` in (0, 1]: then, per instruction, the cheapest
    candidate on the quality-price frontier whose Pr(Yes) is at least that share of the best
    candidate's. A candidate without a price counts as free only if `unknown_price` says so.
    """

    kind: Literal["cost-aware"] = "cost-aware"
    lam: float | None = Field(default=None, ge=0)
    target_quality: float | None = Field(default=None, gt=0, le=1)
    unknown_price: float = Field(default=0.0, ge=0, description="Price assumed for a card without one")

    @model_validator(mode="after")
    def _exactly_one_knob(self) -> CostAwarePolicy:
        if (self.lam is None) == (self.target_quality is None):
            raise ValueError("cost-aware policy needs exactly one of lam or target_quality")
        return self

    def describe(self) -> str:
        knob = f"lam={self.lam}" if self.lam is not None else f"target_quality={self.target_quality}"
        return f"cost-aware({knob})"

    def order(self, probabilities: np.ndarray, prices: Sequence[float | None]) -> list[int]:
        price = np.array([self.unknown_price if p is None else p for p in prices], dtype=float)
        if self.lam is not None:
            return _descending(probabilities - self.lam * price)
        floor = self.target_quality * probabilities.max()
        frontier = _frontier(probabilities, price)
        good = [i for i in frontier if probabilities[i] >= floor]
        chosen = min(good, key=lambda i: (price[i], -probabilities[i]))
        return [chosen] + [i for i in _descending(probabilities) if i != chosen]


class ThresholdPolicy(_Policy):
    """The cheapest candidate whose Pr(Yes) >= threshold; then the other qualifying ones by price,
    then the rest by Pr(Yes). With none qualifying: an error, or the best one (`if_none="best"`)."""

    kind: Literal["threshold"] = "threshold"
    threshold: float = Field(ge=0, le=1)
    if_none: Literal["error", "best"] = "error"
    unknown_price: float = Field(default=0.0, ge=0)

    def describe(self) -> str:
        return f"threshold({self.threshold})"

    def order(self, probabilities: np.ndarray, prices: Sequence[float | None]) -> list[int]:
        price = [self.unknown_price if p is None else p for p in prices]
        qualifying = [i for i in _descending(probabilities) if probabilities[i] >= self.threshold]
        if not qualifying and self.if_none == "error":
            raise NoModelChosenError(
                f"no candidate reaches Pr(Yes) >= {self.threshold} "
                f"(best is {probabilities.max():.3f}); lower the threshold or set if_none='best'"
            )
        qualifying.sort(key=lambda i: (price[i], -probabilities[i]))
        return qualifying + [i for i in _descending(probabilities) if i not in qualifying]


def _from_string(spec: Any) -> Any:
    """A short string as its policy; anything else is left to the discriminated union."""
    return _parse_string(spec) if isinstance(spec, str) else spec


Policy = Annotated[
    BestPolicy | CostAwarePolicy | ThresholdPolicy, Discriminator("kind"), BeforeValidator(_from_string)
]
"""The one policy type: a pydantic field of this type (`EngineConfig.policy`, the LangChain router's
and the LiteLLM strategy's `policy`, a call's `modelsat_policy`) accepts a policy object, its dict
(`{"kind": "cost-aware", "lam": 0.05}`) or its short string, and holds the object."""

PolicySpec = Policy | str | Mapping[str, Any]
"""How a policy may be written where one is configured; `parse_policy` makes it a `Policy`."""

_POLICY: TypeAdapter[Policy] = TypeAdapter(Policy)


def parse_policy(spec: PolicySpec | None) -> Policy:
    """A policy from an object, a dict, or a short string: `best`, `cost-aware:0.05` (lam),
    `cost-aware:quality=0.9`, `threshold:0.7`; None is `best`. A `ConfigError` saying what is wrong."""
    if spec is None:
        return BestPolicy()
    if isinstance(spec, str):
        return _parse_string(spec)
    if isinstance(spec, BestPolicy | CostAwarePolicy | ThresholdPolicy):
        return spec
    try:
        return _POLICY.validate_python(spec)
    except ValueError as exc:
        raise ConfigError(f"invalid policy {spec!r}: {exc}") from exc


def _parse_string(spec: str) -> Policy:
    kind, _, value = spec.partition(":")
    try:
        if kind == "best" and not value:
            return BestPolicy()
        if kind == "cost-aware" and value.startswith("quality="):
            return CostAwarePolicy(target_quality=float(value.removeprefix("quality=")))
        if kind == "cost-aware" and value:
            return CostAwarePolicy(lam=float(value))
        if kind == "threshold" and value:
            return ThresholdPolicy(threshold=float(value))
    except ValueError as exc:
        raise ConfigError(f"invalid policy {spec!r}: {exc}") from exc
    raise ConfigError(
        f"unknown policy {spec!r}; use best, cost-aware:LAMBDA, cost-aware:quality=Q or threshold:T"
    )


def _descending(values: np.ndarray) -> list[int]:
    return [int(i) for i in np.argsort(-values, kind="stable")]


def _frontier(probabilities: np.ndarray, price: np.ndarray) -> list[int]:
    """Candidates that maximise Pr(Yes) - lam * price for some lam >= 0 (the upper convex hull
    of quality against price), from the most accurate to the cheapest."""
    current = int(np.argmax(probabilities))
    frontier = [current]
    while True:
        cheaper = [i for i in range(len(price)) if price[i] < price[current]]
        if not cheaper:
            return frontier
        # the next vertex loses the least quality per dollar saved
        slopes = [(probabilities[current] - probabilities[i]) / (price[current] - price[i]) for i in cheaper]
        current = cheaper[int(np.argmin(slopes))]
        frontier.append(current)
