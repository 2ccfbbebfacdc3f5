"""The router's own deadlines, so that a candidate that hangs cannot hang the router.

`timeout` is passed to the candidate, whose SDK may or may not honour it; the router also stops
waiting for an attempt `ATTEMPT_GRACE_S` after it (the candidate's own timeout, when it works,
comes first and is retried as a transient error). `call_timeout` bounds the whole call: routing,
every attempt, the waits between retries and the fallbacks. An attempt that outlives its deadline
is abandoned with a `CandidateTimeoutError`: a sync call runs in a daemon thread, which is left to
finish on its own (Python cannot stop a thread); an async call is cancelled. Without either
setting, candidates are called directly, as before.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from tenacity import RetryCallState

from langchain_modelsat.errors import CandidateTimeoutError

T = TypeVar("T")

ATTEMPT_GRACE_S = 0.5
"""How long past `timeout` the router waits for an attempt before abandoning it."""


class Deadlines:
    """The deadlines of one routed call, its clock started at construction."""

    def __init__(self, timeout: Any, call_timeout: float | None) -> None:
        self.timeout = timeout if _is_seconds(timeout) else None
        """`timeout` when it is a number of seconds (an SDK-specific timeout object is only passed on)."""
        self.call_timeout = call_timeout
        self.ends = None if call_timeout is None else time.monotonic() + call_timeout

    @property
    def expired(self) -> bool:
        """The call's deadline has passed: no further attempt may start."""
        return self.ends is not None and time.monotonic() >= self.ends

    def no_time_to_retry(self, state: RetryCallState) -> bool:
        """A tenacity stop condition: True (stop) when the wait before the next retry would run
        past the call's deadline."""
        return self.ends is not None and time.monotonic() + state.upcoming_sleep >= self.ends

    def _limit(self) -> tuple[float | None, str]:
        """How long the next attempt may take, and why."""
        attempt = None if self.timeout is None else float(self.timeout) + ATTEMPT_GRACE_S
        if self.ends is not None:
            left = max(self.ends - time.monotonic(), 0.0)
            if attempt is None or left < attempt:
                return left, f"what was left of call_timeout={self.call_timeout:g} s"
        if attempt is None:
            return None, "no deadline"
        return attempt, f"timeout={self.timeout:g} s + {ATTEMPT_GRACE_S:g} s grace"

    def run(self, model: str, call: Callable[[], T]) -> T:
        """`call()`, abandoned with `CandidateTimeoutError` at its deadline. It runs in its own
        thread, in a copy of the caller's context (callbacks, tracing); without a deadline, here."""
        limit, why = self._limit()
        if limit is None:
            return call()
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        context = contextvars.copy_context()

        def attempt() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(context.run(call))
            except BaseException as exc:  # the caller gets it
                future.set_exception(exc)

        threading.Thread(target=attempt, name=f"modelsat-attempt-{model}", daemon=True).start()
        done, _ = concurrent.futures.wait([future], timeout=limit)
        if future in done:  # (a TimeoutError the candidate raised itself is its own, retried as such)
            return future.result()
        raise CandidateTimeoutError(model, limit, why)

    async def arun(self, model: str, call: Awaitable[T]) -> T:
        """`await call`, cancelled with `CandidateTimeoutError` at its deadline."""
        limit, why = self._limit()
        if limit is None:
            return await call
        task = asyncio.ensure_future(call)
        try:
            done, _ = await asyncio.wait({task}, timeout=limit)
        finally:
            if not task.done():
                task.cancel()
        if task in done:
            return task.result()
        raise CandidateTimeoutError(model, limit, why)


def _is_seconds(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0
