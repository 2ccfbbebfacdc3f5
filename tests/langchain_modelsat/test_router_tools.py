"""bind_tools / with_structured_output: the tools reach the chosen candidate, so the router can drive
an agent, and only candidates that can call tools are routed to."""

from __future__ import annotations

import pytest
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.runnables import RunnableBinding
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_modelsat import METADATA_KEY, ModelSATRouter, NoCapableCandidateError
from tests.langchain_modelsat.fakes import ScriptedChat


@tool
def lookup(model: str) -> str:
    """Look a model up."""
    return f"{model} is a candidate"


class Verdict(BaseModel):
    """Which model answered."""

    model: str


def test_bind_tools_binds_the_chosen_candidate(
    router: ModelSATRouter, math: ScriptedChat, law: ScriptedChat
) -> None:
    bound = router.bind_tools([lookup], tool_choice="any")
    assert isinstance(bound, RunnableBinding) and bound.bound is router
    answer = bound.invoke("review this contract")
    assert math.bound == [] and law.bound == [["lookup"]]
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


@pytest.mark.parametrize("method", [None, "function_calling", "json_schema", "json_mode"])
def test_with_structured_output_methods(router: ModelSATRouter, method: str | None) -> None:
    structured = router.with_structured_output(Verdict, **({"method": method} if method else {}))
    assert structured.invoke("solve the integral") == Verdict(model="math answer here")
    assert structured.invoke("a contract") == Verdict(model="law answer here")


def test_structured_output_can_include_the_raw_message(router: ModelSATRouter) -> None:
    out = router.with_structured_output(Verdict, include_raw=True, strict=True).invoke("a contract")
    assert out["parsed"] == Verdict(model="law answer here") and out["parsing_error"] is None
    assert out["raw"].response_metadata[METADATA_KEY]["chosen"] == "law-model"


def test_candidates_without_tool_support_are_left_out(cards: dict, engine) -> None:
    math = ScriptedChat(reply="x")
    router = ModelSATRouter({"math-model": math, "law-model": lookup}, cards=cards, engine=engine)
    answer = router.bind_tools([lookup]).invoke("review this contract")
    metadata = answer.response_metadata[METADATA_KEY]
    assert metadata["chosen"] == "math-model" and metadata["excluded"] == {"law-model": ["no bind_tools"]}
    alone = ModelSATRouter({"law-model": lookup}, cards={"law-model": cards["law-model"]}, engine=engine)
    with pytest.raises(NoCapableCandidateError, match="law-model: no bind_tools"):
        alone.bind_tools([lookup]).invoke("review this contract")
