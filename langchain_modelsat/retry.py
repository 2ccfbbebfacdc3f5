"""Which model errors are worth retrying, and the tenacity loop that retries them under the core's
`RetrySettings`."""

from __future__ import annotations

from collections.abc import Callable

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
)

from langchain_modelsat.errors import CandidateTimeoutError
from router_core.retry import RetrySettings

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
    attempts = settings.stop()
    return {
        "retry": retry_if_exception(is_retryable),
        "stop": attempts if stop is None else lambda state: attempts(state) or stop(state),
        "wait": settings.wait(),
        "reraise": True,
    }


def retrying(settings: RetrySettings, stop: StopCondition | None = None) -> Retrying:
    """A fresh sync retry loop (`for attempt in retrying(s): with attempt: ...`); `stop(state)`
    may end it early (e.g. before a wait that would outlast the call's deadline)."""
    return Retrying(**_policy(settings, stop))


def async_retrying(settings: RetrySettings, stop: StopCondition | None = None) -> AsyncRetrying:
    """A fresh async retry loop; it sleeps with asyncio, never blocking the event loop."""
    return AsyncRetrying(**_policy(settings, stop))
