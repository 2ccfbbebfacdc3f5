"""Which model errors are worth retrying, and the tenacity policy that retries them."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from langchain_modelsat.errors import CandidateTimeoutError

StopCondition = Callable[[RetryCallState], bool]

_TRANSIENT_NAMES = (
    "ratelimit",
    "toomanyrequests",
    "timeout",
    "connection",
    "connecterror",
    "networkerror",
    "transporterror",
    "remoteprotocolerror",
    "serviceunavailable",
    "internalservererror",
    "overloaded",
)
"""Fragments of exception class names that mean a transient failure, across provider SDKs (openai,
anthropic, httpx, requests...) without importing any of them."""


class RetrySettings(BaseModel):
    """How often one candidate is retried on a transient error before falling back: exponential
    backoff with jitter, so many concurrent callers do not hammer a rate-limited provider in step."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    attempts: int = Field(default=3, ge=1, description="Calls per candidate, the first one included")
    initial_wait_s: float = Field(default=0.5, ge=0, description="Wait before the first retry")
    max_wait_s: float = Field(default=20.0, ge=0, description="Cap of the exponential part of a wait")
    jitter_s: float = Field(default=1.0, ge=0, description="Random extra wait added to each, up to this")


def status_code(error: BaseException) -> int | None:
    """The HTTP status an SDK error carries, on itself or on its `response`."""
    for holder in (error, getattr(error, "response", None)):
        code = getattr(holder, "status_code", None)
        if isinstance(code, int):
            return code
    return None


def is_retryable(error: BaseException) -> bool:
    """True for rate limits, timeouts, connection errors and 5xx (also when wrapped as the cause);
    false for bad requests and programming errors, which fail the same way on every retry, and for
    the router's own `CandidateTimeoutError` (a hang: the next candidate is the better bet)."""
    if isinstance(error, CandidateTimeoutError):
        return False
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        code = status_code(current)
        if code is not None:
            return code in (408, 429) or code >= 500
        if isinstance(current, (TimeoutError, ConnectionError)):
            return True
        names = [cls.__name__.lower() for cls in type(current).__mro__]
        if any(fragment in name for name in names for fragment in _TRANSIENT_NAMES):
            return True
        current = current.__cause__
    return False


def _policy(settings: RetrySettings, stop: StopCondition | None) -> dict:
    attempts = stop_after_attempt(settings.attempts)
    return {
        "retry": retry_if_exception(is_retryable),
        "stop": attempts if stop is None else lambda state: attempts(state) or stop(state),
        "wait": wait_exponential(multiplier=settings.initial_wait_s, max=settings.max_wait_s)
        + wait_random(0, settings.jitter_s),
        "reraise": True,
    }


def retrying(settings: RetrySettings, stop: StopCondition | None = None) -> Retrying:
    """A fresh sync retry loop (`for attempt in retrying(s): with attempt: ...`); `stop(state)`
    may end it early (e.g. before a wait that would outlast the call's deadline)."""
    return Retrying(**_policy(settings, stop))


def async_retrying(settings: RetrySettings, stop: StopCondition | None = None) -> AsyncRetrying:
    """A fresh async retry loop; it sleeps with asyncio, never blocking the event loop."""
    return AsyncRetrying(**_policy(settings, stop))
