"""Callbacks see the router as an llm run (a chat model) with the chosen model's run as its child,
decision attached."""

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

    def router_run(self) -> dict[str, Any]:
        return next(m for m in self.models if m["name"] == "ModelSATRouter")

    def candidate_runs(self) -> list[dict[str, Any]]:
        return [m for m in self.models if m["name"] != "ModelSATRouter"]


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


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
async def test_model_run_is_a_child_of_the_router_run(router: ModelSATRouter, mode: str) -> None:
    recorder = Recorder()
    await _run(router, mode, recorder, "review this contract")
    parent = recorder.router_run()
    assert parent["parent"] is None
    assert parent["metadata"]["ls_provider"] == "modelsat"
    [model_run] = recorder.candidate_runs()
    assert model_run["parent"] == parent["run_id"]
    assert "modelsat:law-model" in model_run["tags"]
    trace = model_run["metadata"][METADATA_KEY]
    assert (trace["chosen"], trace["model"], trace["policy"]) == ("law-model", "law-model", "best")
    output = recorder.chain_outputs[parent["run_id"]]
    assert output.response_metadata[METADATA_KEY]["model"] == "law-model"


@pytest.mark.parametrize("mode", ["stream", "astream"])
async def test_a_streamed_run_carries_the_decision(router: ModelSATRouter, mode: str) -> None:
    """LangChain hands `_stream` no run manager, so the candidate's run cannot nest under the
    router's; the router's own llm run carries the decision on its output instead."""
    recorder = Recorder()
    await _run(router, mode, recorder, "review this contract")
    parent = recorder.router_run()
    assert parent["parent"] is None and recorder.candidate_runs() == []
    output = recorder.chain_outputs[parent["run_id"]]
    assert output.content == "law answer here"
    assert output.response_metadata[METADATA_KEY]["model"] == "law-model"


def test_every_retry_and_fallback_is_its_own_child_run(router: ModelSATRouter, math: ScriptedChat) -> None:
    math.errors.extend([RateLimitError("429")] * 3)
    recorder = Recorder()
    router.invoke("solve the integral", {"callbacks": [recorder]})
    parent = recorder.router_run()["run_id"]
    runs = recorder.candidate_runs()
    assert [m["parent"] for m in runs] == [parent] * 4
    assert [m["metadata"][METADATA_KEY]["model"] for m in runs] == ["math-model"] * 3 + [
        "law-model"
    ]


def test_router_run_nests_inside_a_chain_and_honours_run_name(router: ModelSATRouter) -> None:
    recorder = Recorder()
    chain = ChatPromptTemplate.from_messages([("human", "{q}")]) | router.with_config(run_name="routed-llm")
    chain.invoke({"q": "solve the integral"}, {"callbacks": [recorder]})
    sequence = next(c for c in recorder.chains if c["parent"] is None)
    routed = next(m for m in recorder.models if m["name"] == "routed-llm")
    assert routed["parent"] == sequence["run_id"]
    assert recorder.models[1]["parent"] == routed["run_id"]
