"""What a routing call returns: the chosen model, the full ranking for fallbacks, and why."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Candidate(BaseModel):
    """One candidate as the policy saw it."""

    model_config = ConfigDict(frozen=True)

    name: str
    probability: float = Field(description="Router's Pr(Yes) (card mean accuracy when degraded)")
    price: float | None = Field(default=None, description="USD per 1M tokens, from the card")


class RoutingDecision(BaseModel):
    """The engine's answer for one instruction.

    `ranking` is the order to try candidates in: the chosen one first, then the fallbacks.
    `degraded` is true when the router model could not score (load error, timeout, failure) and
    the configured default ranking was used instead; `reason` says why.
    """

    model_config = ConfigDict(frozen=True)

    ranking: list[Candidate] = Field(min_length=1)
    policy: str
    degraded: bool = False
    reason: str | None = None
    cached: bool = False
    latency_ms: float = 0.0
    excluded: dict[str, list[str]] = Field(
        default_factory=dict, description="Candidates the request's needs left out, and why"
    )
    sticky: bool = Field(
        default=False, description="First because its conversation sticks to it (`Stickiness`)"
    )

    @property
    def chosen(self) -> str:
        return self.ranking[0].name

    @property
    def fallbacks(self) -> list[str]:
        return [c.name for c in self.ranking[1:]]

    @property
    def probabilities(self) -> dict[str, float]:
        return {c.name: c.probability for c in self.ranking}

    @classmethod
    def from_metadata(cls, data: dict[str, Any]) -> RoutingDecision:
        """The decision `metadata()` describes (probabilities rounded as there): how a decision
        made by the routing service reaches its clients."""
        ranking = [
            Candidate(name=c["model"], probability=c["probability"], price=c["price"])
            for c in data["ranking"]
        ]
        keys = ("policy", "degraded", "reason", "cached", "latency_ms", "excluded", "sticky")
        fields = {key: data[key] for key in keys if key in data}
        return cls(ranking=ranking, **fields)

    def metadata(self) -> dict[str, Any]:
        """JSON-ready summary for response metadata and tracing."""
        return {
            "chosen": self.chosen,
            "ranking": [
                {"model": c.name, "probability": round(c.probability, 4), "price": c.price}
                for c in self.ranking
            ],
            "policy": self.policy,
            "degraded": self.degraded,
            "reason": self.reason,
            "cached": self.cached,
            "latency_ms": round(self.latency_ms, 2),
            "excluded": self.excluded,
            "sticky": self.sticky,
        }
