"""Retries on transient errors, fallback down the ranking, and the streaming rule: no fallback once
output has started."""

from __future__ import annotations

import pytest

from langchain_modelsat import METADATA_KEY, AllCandidatesFailedError, ModelSATRouter, StreamInterruptedError
from tests.langchain_modelsat.conftest import FAST_RETRY
from tests.langchain_modelsat.fakes import BadRequestError, RateLimitError, ScriptedChat

INTEGRAL = "solve the integral"


async def _call(router: ModelSATRouter, mode: str, text: str = INTEGRAL):
    """One call through the named entry point; streams are merged into one message."""
    if mode == "invoke":
        return router.invoke(text)
    if mode == "ainvoke":
        return await router.ainvoke(text)
    if mode == "stream":
        chunks = list(router.stream(text))
    else:
        chunks = [chunk async for chunk in router.astream(text)]
    return chunks[0] + chunks[1:]


MODES = ["invoke", "ainvoke", "stream", "astream"]


@pytest.mark.parametrize("mode", MODES)
async def test_transient_error_is_retried_on_the_same_model(
    router: ModelSATRouter, math: ScriptedChat, law: ScriptedChat, mode: str
) -> None:
    math.errors.extend([RateLimitError("slow down"), TimeoutError("timed out")])
    answer = await _call(router, mode)
    assert answer.content == "math answer here"
    assert len(math.log) == 3 and not law.log
    attempts = answer.response_metadata[METADATA_KEY]["attempts"]
    assert attempts == [
        {"model": "math-model", "error": "RateLimitError: slow down"},
        {"model": "math-model", "error": "TimeoutError: timed out"},
        {"model": "math-model", "error": None},
    ]


@pytest.mark.parametrize("mode", MODES)
async def test_repeated_failure_falls_back_to_the_next_ranked_model(
    router: ModelSATRouter, math: ScriptedChat, law: ScriptedChat, mode: str
) -> None:
    math.errors.extend([RateLimitError("429")] * 5)
    answer = await _call(router, mode)
    assert answer.content == "law answer here"
    assert len(math.log) == FAST_RETRY.attempts and len(law.log) == 1
    metadata = answer.response_metadata[METADATA_KEY]
    assert (metadata["chosen"], metadata["model"]) == ("math-model", "law-model")
    assert [a["model"] for a in metadata["attempts"]] == ["math-model"] * 3 + ["law-model"]


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
async def test_bad_request_is_not_retried_but_falls_back(
    router: ModelSATRouter, math: ScriptedChat, law: ScriptedChat, mode: str
) -> None:
    math.errors.append(BadRequestError("context too long"))
    answer = await _call(router, mode)
    assert answer.content == "law answer here"
    assert len(math.log) == 1


@pytest.mark.parametrize("mode", MODES)
async def test_all_candidates_failing_raises_one_error_naming_each(
    router: ModelSATRouter, math: ScriptedChat, law: ScriptedChat, mode: str
) -> None:
    math.errors.extend([ConnectionError("down")] * 3)
    law.errors.append(BadRequestError("bad tools"))
    with pytest.raises(AllCandidatesFailedError) as caught:
        await _call(router, mode)
    assert [(model, type(error)) for model, error in caught.value.attempts] == [
        ("math-model", ConnectionError),
        ("law-model", BadRequestError),
    ]
    assert "math-model" in str(caught.value) and "law-model" in str(caught.value)


async def test_fallback_off_tries_the_chosen_model_only(
    math: ScriptedChat, law: ScriptedChat, cards: dict, engine
) -> None:
    router = ModelSATRouter(
        {"math-model": math, "law-model": law}, cards=cards, engine=engine, retry=FAST_RETRY, fallback=False
    )
    math.errors.extend([TimeoutError()] * 3)
    with pytest.raises(AllCandidatesFailedError) as caught:
        await router.ainvoke(INTEGRAL)
    assert [model for model, _ in caught.value.attempts] == ["math-model"]
    assert not law.log


def test_mid_stream_failure_raises_without_fallback(
    router: ModelSATRouter, math: ScriptedChat, law: ScriptedChat
) -> None:
    math.fail_after = 1
    received = []
    with pytest.raises(StreamInterruptedError) as caught:
        for chunk in router.stream(INTEGRAL):
            received.append(chunk.content)
    assert received == ["math"]
    assert (caught.value.model, caught.value.chunks) == ("math-model", 1)
    assert isinstance(caught.value.error, ConnectionError)
    assert len(math.log) == 1 and not law.log


async def test_mid_stream_failure_raises_without_fallback_async(
    router: ModelSATRouter, math: ScriptedChat, law: ScriptedChat
) -> None:
    math.fail_after = 2
    received = []
    with pytest.raises(StreamInterruptedError, match="after streaming 2 chunk"):
        async for chunk in router.astream(INTEGRAL):
            received.append(chunk.content)
    assert received == ["math", " answer"]
    assert not law.log


def test_failure_before_the_first_chunk_falls_back_without_mixing(
    router: ModelSATRouter, math: ScriptedChat, law: ScriptedChat
) -> None:
    math.errors.extend([BadRequestError("no")])
    contents = [chunk.content for chunk in router.stream(INTEGRAL)]
    assert "".join(contents) == "law answer here"
