"""bind_tools / with_structured_output reach every candidate, so the router can drive an agent."""

from __future__ import annotations

import pytest
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_modelsat import METADATA_KEY, ConfigError, ModelSATRouter
from tests.langchain_modelsat.fakes import ScriptedChat


@tool
def lookup(model: str) -> str:
    """Look a model up."""
    return f"{model} is a candidate"


class Verdict(BaseModel):
    """Which model answered."""

    model: str


def test_bind_tools_binds_every_candidate(
    router: ModelSATRouter, math: ScriptedChat, law: ScriptedChat
) -> None:
    bound = router.bind_tools([lookup], tool_choice="any")
    assert isinstance(bound, ModelSATRouter) and bound is not router
    assert math.bound == [["lookup"]] and law.bound == [["lookup"]]
    assert bound.cards == router.cards and bound.retry == router.retry
    answer = bound.invoke("review this contract")
    assert answer.tool_calls[0]["name"] == "lookup"
    assert answer.response_metadata[METADATA_KEY]["model"] == "law-model"
    assert [t["function"]["name"] for t in law.log[0]["kwargs"]["tools"]] == ["lookup"]
    assert law.log[0]["kwargs"]["tool_choice"] == "any"
    assert router.invoke("review this contract").tool_calls == []


async def test_tool_calling_loop_stays_on_the_routed_model(
    router: ModelSATRouter, math: ScriptedChat
) -> None:
    agent_model = router.bind_tools([lookup])
    messages = [HumanMessage("solve the integral of x")]
    for _ in range(3):
        reply = await agent_model.ainvoke(messages)
        messages.append(reply)
        if not reply.tool_calls:
            break
        for call in reply.tool_calls:
            messages.append(ToolMessage(lookup.invoke(call["args"]), tool_call_id=call["id"]))
    assert messages[-1].content == "math answer here"
    assert isinstance(messages[-2], ToolMessage) and messages[-2].content == "math answer here is a candidate"
    assert len(math.log) == 2


def test_with_structured_output_passes_through(router: ModelSATRouter) -> None:
    structured = router.with_structured_output(Verdict)
    assert isinstance(structured, ModelSATRouter)
    assert structured.invoke("solve the integral") == Verdict(model="math answer here")
    assert structured.invoke("a contract") == Verdict(model="law answer here")


def test_candidates_without_tool_support_are_named(cards: dict, engine) -> None:
    router = ModelSATRouter(
        {"math-model": ScriptedChat(reply="x"), "law-model": lookup}, cards=cards, engine=engine
    )
    with pytest.raises(ConfigError, match=r"\['law-model'\] do not support bind_tools"):
        router.bind_tools([lookup])
