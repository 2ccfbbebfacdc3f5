"""Which errors are retried, and the tenacity loops built from RetrySettings."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from pydantic import ValidationError

from langchain_modelsat import RetrySettings, is_retryable
from langchain_modelsat.retry import async_retrying, retrying


class APIStatusError(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(f"HTTP {code}")
        self.status_code = code


class APIConnectionError(Exception):
    """Named like openai's and anthropic's connection errors."""


def _http_status_error(code: int) -> httpx.HTTPStatusError:
    request = httpx.Request("POST", "https://api.example.com/v1/chat")
    return httpx.HTTPStatusError("status", request=request, response=httpx.Response(code, request=request))


@pytest.mark.parametrize(
    "error",
    [
        APIStatusError(429),
        APIStatusError(500),
        APIStatusError(503),
        APIStatusError(408),
        TimeoutError("slow"),
        asyncio.TimeoutError(),
        ConnectionResetError("reset"),
        APIConnectionError("no route"),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        _http_status_error(502),
    ],
    ids=lambda e: f"{type(e).__name__}-{getattr(e, 'status_code', '')}",
)
def test_transient_errors_are_retryable(error: BaseException) -> None:
    assert is_retryable(error)


@pytest.mark.parametrize(
    "error",
    [
        APIStatusError(400),
        APIStatusError(401),
        APIStatusError(404),
        _http_status_error(422),
        ValueError("bad"),
    ],
    ids=lambda e: f"{type(e).__name__}-{getattr(e, 'status_code', '')}",
)
def test_bad_requests_are_not_retryable(error: BaseException) -> None:
    assert not is_retryable(error)


def test_a_wrapped_transient_error_is_retryable() -> None:
    try:
        try:
            raise APIStatusError(429)
        except APIStatusError as inner:
            raise RuntimeError("provider call failed") from inner
    except RuntimeError as outer:
        assert is_retryable(outer)


def _count_calls(error: BaseException, settings: RetrySettings) -> int:
    calls = 0
    with pytest.raises(type(error)):
        for attempt in retrying(settings):
            with attempt:
                calls += 1
                raise error
    return calls


def test_retries_transient_errors_up_to_the_attempts_then_reraises_the_original() -> None:
    settings = RetrySettings(attempts=4, initial_wait_s=0, jitter_s=0)
    assert _count_calls(APIStatusError(503), settings) == 4
    assert _count_calls(APIStatusError(400), settings) == 1


def test_waits_grow_exponentially() -> None:
    settings = RetrySettings(attempts=3, initial_wait_s=0.04, jitter_s=0)
    started = time.perf_counter()
    _count_calls(TimeoutError(), settings)
    assert time.perf_counter() - started >= 0.04 + 0.08


async def test_async_loop_retries_without_blocking() -> None:
    calls = 0
    with pytest.raises(TimeoutError):
        async for attempt in async_retrying(RetrySettings(attempts=2, initial_wait_s=0, jitter_s=0)):
            with attempt:
                calls += 1
                raise TimeoutError
    assert calls == 2


def test_settings_are_validated() -> None:
    with pytest.raises(ValidationError):
        RetrySettings(attempts=0)
    with pytest.raises(ValidationError):
        RetrySettings(tries=3)
