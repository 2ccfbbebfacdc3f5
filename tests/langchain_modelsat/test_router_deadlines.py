"""The router's own deadlines: `timeout` bounds each attempt (a candidate that hangs is abandoned
and the next one answers) and `call_timeout` bounds the whole call (a typed error naming the
attempts), in every entry point."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from langchain_modelsat import (
    METADATA_KEY,
    AllCandidatesFailedError,
    CallTimeoutError,
    CandidateTimeoutError,
    ModelSATRouter,
)
from langchain_modelsat.retry import is_retryable
from router_core.engine import LocalEngine
from tests.langchain_modelsat.conftest import FAST_RETRY
from tests.langchain_modelsat.fakes import HangingChat, RateLimitError, ScriptedChat
from tests.langchain_modelsat.test_router_fallback import INTEGRAL, MODES, _call


@pytest.fixture
def hanging() -> Iterator[HangingChat]:
    model = HangingChat()
    yield model
    model.release()  # let its abandoned threads finish


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
async def test_a_hanging_candidate_under_timeout_2_yields_the_next_candidates_answer_within_6_s(
    hanging: HangingChat, law: ScriptedChat, cards: dict, engine: LocalEngine, mode: str
) -> None:
    """The issue's case, with the default retry settings (3 attempts, backoff with jitter)."""
    router = ModelSATRouter(
        {"math-model": hanging, "law-model": law}, cards=cards, engine=engine, timeout=2.0
    )
    started = time.monotonic()
    try:
        answer = await _call(router, mode)
    finally:
        hanging.release()
    assert time.monotonic() - started < 6
    assert answer.content == "law answer here"
    attempts = answer.response_metadata[METADATA_KEY]["attempts"]
    assert [a["model"] for a in attempts] == ["math-model", "law-model"]
    assert attempts[0]["error"].startswith("CandidateTimeoutError: model 'math-model' did not answer within")
    assert hanging.calls == 1  # a hang is not retried: the next candidate is the better bet
    assert law.log[0]["kwargs"]["timeout"] == 2.0  # still passed to the candidate too


@pytest.mark.parametrize("mode", MODES)
async def test_a_hang_is_abandoned_in_every_entry_point(
    hanging: HangingChat, law: ScriptedChat, cards: dict, engine: LocalEngine, mode: str
) -> None:
    router = ModelSATRouter(
        {"math-model": hanging, "law-model": law}, cards=cards, engine=engine, timeout=0.2, retry=FAST_RETRY
    )
    started = time.monotonic()
    try:
        answer = await _call(router, mode)
    finally:
        hanging.release()
    assert time.monotonic() - started < 2
    assert answer.content == "law answer here"


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
async def test_every_candidate_hanging_raises_a_typed_error_naming_each_attempt(
    cards: dict, engine: LocalEngine, mode: str
) -> None:
    first, second = HangingChat(), HangingChat()
    router = ModelSATRouter(
        {"math-model": first, "law-model": second}, cards=cards, engine=engine, timeout=0.2
    )
    try:
        with pytest.raises(AllCandidatesFailedError) as caught:
            await _call(router, mode)
    finally:
        first.release(), second.release()
    assert [model for model, _ in caught.value.attempts] == ["math-model", "law-model"]
    assert all(isinstance(error, CandidateTimeoutError) for _, error in caught.value.attempts)
    assert "did not answer within 0.7 s (timeout=0.2 s + 0.5 s grace)" in str(caught.value)


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
async def test_call_timeout_bounds_the_whole_call(
    hanging: HangingChat, cards: dict, engine: LocalEngine, mode: str
) -> None:
    """No per-attempt timeout: the call's deadline cuts the hanging attempt and tries nothing more."""
    law = ScriptedChat(reply="law answer here")
    router = ModelSATRouter(
        {"math-model": hanging, "law-model": law}, cards=cards, engine=engine, call_timeout=0.3
    )
    started = time.monotonic()
    try:
        with pytest.raises(CallTimeoutError) as caught:
            await _call(router, mode)
    finally:
        hanging.release()
    assert time.monotonic() - started < 2
    assert isinstance(caught.value, AllCandidatesFailedError)
    assert [model for model, _ in caught.value.attempts] == ["math-model"] and not law.log
    assert str(caught.value).startswith("no answer within call_timeout=0.3 s")


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
async def test_a_retry_wait_that_would_outlast_call_timeout_falls_back_at_once(
    math: ScriptedChat, law: ScriptedChat, cards: dict, engine: LocalEngine, mode: str
) -> None:
    math.errors.extend([RateLimitError("429")] * 5)
    router = ModelSATRouter(
        {"math-model": math, "law-model": law},
        cards=cards,
        engine=engine,
        call_timeout=1.0,
        retry={"attempts": 3, "initial_wait_s": 5, "jitter_s": 0},
    )
    started = time.monotonic()
    answer = await _call(router, mode)
    assert time.monotonic() - started < 1
    assert answer.content == "law answer here"
    assert len(math.log) == 1 and len(law.log) == 1


def test_the_routers_own_timeout_is_not_retried_but_a_providers_is() -> None:
    assert not is_retryable(CandidateTimeoutError("m", 2.5, "timeout=2.0"))
    assert is_retryable(TimeoutError("the provider's read timeout"))


async def test_without_timeouts_candidates_are_called_in_the_callers_thread(router: ModelSATRouter) -> None:
    """No deadline, no thread: the call runs as before."""
    import threading

    seen: list[str] = []
    original = ScriptedChat._answer

    def spy(self, messages, kwargs):
        seen.append(threading.current_thread().name)
        return original(self, messages, kwargs)

    ScriptedChat._answer = spy
    try:
        router.invoke(INTEGRAL)
    finally:
        ScriptedChat._answer = original
    assert seen == [threading.current_thread().name]
