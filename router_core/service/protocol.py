"""What the routing service and its client exchange: the route request, the decision, and errors.

One definition for both ends, so the client builds exactly what the service reads. The decision
travels as `RoutingDecision.metadata()`, the shape both integrations already attach to answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from router_core.cards.card import CapabilityCard
from router_core.engine.policies import Policy
from router_core.errors import CardError, ConfigError, ModelSATError, NoModelChosenError

ROUTE_PATH = "/v1/route"
HEALTH_PATH = "/health"
TOKEN_ENV = "MODELSAT_SERVICE_TOKEN"
"""Environment variable holding the bearer token, read by the service and by its clients (never
passed on a command line or in a config file, where it would show in process lists and dashboards)."""

MAX_REQUEST_BYTES = 1 << 20
"""Default cap of a request body: 40 inline cards of the shipped size take about 0.2 MiB."""
MAX_CANDIDATES = 256
MAX_TIMEOUT_S = 60.0
"""A client may shorten the service's routing timeout, or lengthen it up to this."""

CALLER_ERRORS: dict[str, type[ModelSATError]] = {
    error.__name__: error for error in (ConfigError, CardError, NoModelChosenError)
}
"""Errors in the request itself, raised to the caller as in-process and never degraded around. The
service answers them with status 400 and their type name; any other 400 is a `ConfigError`."""


class RouteRequest(BaseModel):
    """One routing call. `candidates` maps your name for each candidate to a shipped card's name or
    an inline card, or lists shipped card names. Give `instruction`, or OpenAI-format `messages`
    (then the last user message is routed on, and candidates whose cards cannot serve the messages,
    `tools` or `max_tokens` are left out). No checkpoint: the service's operator chooses it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    instruction: str | None = None
    messages: list[dict[str, Any]] | None = None
    tools: list[dict[str, Any]] | None = None
    max_tokens: int | None = Field(default=None, ge=1)
    candidates: dict[str, str | dict[str, Any]] | list[str] = Field(min_length=1, max_length=MAX_CANDIDATES)
    policy: Policy | None = Field(default=None, description="None: the service's default")
    timeout_s: float | None = Field(default=None, gt=0, le=MAX_TIMEOUT_S)


def route_payload(
    instruction: str, candidates: Mapping[str, CapabilityCard], policy: Policy, timeout_s: float | None
) -> dict[str, Any]:
    """The JSON body of a routing call, as the client sends it: inline cards (the service caches
    their encodings by content) and the policy spelled out, so the decision is the one this process
    would make."""
    return RouteRequest(
        instruction=instruction,
        candidates={name: card.model_dump(mode="json") for name, card in candidates.items()},
        policy=policy.model_dump(mode="json"),
        timeout_s=timeout_s,
    ).model_dump(mode="json", exclude_none=True)


def error_body(error: BaseException) -> dict[str, Any]:
    """The JSON answer of a failed request: the error's type name and message."""
    return {"error": {"type": type(error).__name__, "message": str(error)}}


def caller_error(body: Any) -> ModelSATError:
    """The caller's error that a 400 answer names, as the type the engine raises in-process."""
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    return CALLER_ERRORS.get(str(error.get("type")), ConfigError)(str(error.get("message", body)))
