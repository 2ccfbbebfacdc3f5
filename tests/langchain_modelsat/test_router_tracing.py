"""Callbacks see the router as one llm run (a chat model), whatever the entry point, with the
decision and every attempt on its output."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.prompts import ChatPromptTemplate

from langchain_modelsat import METADATA_KEY, ModelSATRouter
from tests.langchain_modelsat.fakes import RateLimitError, ScriptedChat


class Recorder(BaseCallbackHandler):
    """Records the run tree: chain and chat-model starts with their parents, metadata and tags."""

    def __init__(self) -> None:
        self.chains: list[dict[str, Any]] = []
        self.models: list[dict[str, Any]] = []
        self.chain_outputs: dict[UUID, Any] = {}

    def on_chain_start(self, serialized, inputs, *, run_id, parent_run_id=None, **kwargs: Any) -> None:
        self.chains.append({"run_id": run_id, "parent": parent_run_id, "name": kwargs.get("name")})

    def on_chain_end(self, outputs, *, run_id, **kwargs: Any) -> None:
        self.chain_outputs[run_id] = outputs

    def on_chat_model_start(self, serialized, messages, *, run_id, parent_run_id=None, **kwargs: Any) -> None:
        self.models.append(
            {
                "run_id": run_id,
                "parent": parent_run_id,
                "name": kwargs.get("name") or (serialized or {}).get("name"),
                "metadata": kwargs.get("metadata") or {},
                "tags": kwargs.get("tags") or [],
            }
        )

    def on_llm_end(self, response, *, run_id, **kwargs: Any) -> None:
        self.chain_outputs[run_id] = response.generations[0][0].message


async def _run(router: ModelSATRouter, mode: str, recorder: Recorder, text: str) -> None:
    config = {"callbacks": [recorder]}
    if mode == "invoke":
        router.invoke(text, config)
    elif mode == "ainvoke":
        await router.ainvoke(text, config)
    elif mode == "stream":
        list(router.stream(text, config))
    else:
        [chunk async for chunk in router.astream(text, config)]


@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream", "astream"])
async def test_the_router_is_the_one_llm_run_and_carries_the_decision(
    router: ModelSATRouter, mode: str
) -> None:
    recorder = Recorder()
    await _run(router, mode, recorder, "review this contract")
    [run] = recorder.models
    assert run["name"] == "ModelSATRouter" and run["parent"] is None
    assert (run["metadata"]["ls_provider"], run["metadata"]["ls_model_type"]) == ("modelsat", "chat")
    output = recorder.chain_outputs[run["run_id"]]
    assert output.content == "law answer here"
    decision = output.response_metadata[METADATA_KEY]
    assert (decision["chosen"], decision["model"], decision["policy"]) == ("law-model", "law-model", "best")
    assert output.response_metadata["model_name"] == "law-model"


def test_every_retry_and_fallback_is_in_the_attempts(router: ModelSATRouter, math: ScriptedChat) -> None:
    math.errors.extend([RateLimitError("429")] * 3)
    recorder = Recorder()
    router.invoke("solve the integral", {"callbacks": [recorder]})
    [run] = recorder.models
    attempts = recorder.chain_outputs[run["run_id"]].response_metadata[METADATA_KEY]["attempts"]
    assert [a["model"] for a in attempts] == ["math-model"] * 3 + ["law-model"]
    assert [a["error"] is None for a in attempts] == [False, False, False, True]


def test_router_run_nests_inside_a_chain_and_honours_run_name(router: ModelSATRouter) -> None:
    recorder = Recorder()
    chain = ChatPromptTemplate.from_messages([("human", "{q}")]) | router.with_config(run_name="routed-llm")
    chain.invoke({"q": "solve the integral"}, {"callbacks": [recorder]})
    sequence = next(c for c in recorder.chains if c["parent"] is None)
    [routed] = recorder.models
    assert routed["name"] == "routed-llm" and routed["parent"] == sequence["run_id"]


@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream", "astream"])
async def test_under_deadlines_the_router_is_still_the_one_llm_run(
    math: ScriptedChat, law: ScriptedChat, cards: dict, engine, mode: str
) -> None:
    """With `timeout` set, sync attempts run in their own thread: the candidate still starts no run
    of its own under the caller's callbacks, and the router's run carries the answer."""
    router = ModelSATRouter(
        {"math-model": math, "law-model": law}, cards=cards, engine=engine, timeout=5.0, call_timeout=10.0
    )
    recorder = Recorder()
    await _run(router, mode, recorder, "review this contract")
    [run] = recorder.models
    assert run["name"] == "ModelSATRouter" and run["parent"] is None
    assert recorder.chain_outputs[run["run_id"]].content == "law answer here"
