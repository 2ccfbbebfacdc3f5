"""The router drives a LangChain agent (`langchain.agents.create_agent`, a LangGraph graph): tool
calls go to a tool-calling candidate and the answer streams token by token, once."""

from __future__ import annotations

from langchain.agents import create_agent
from langchain_core.messages import AIMessageChunk, ToolMessage
from langchain_core.tools import tool

from langchain_modelsat import METADATA_KEY, ModelSATRouter, StandInChatModel
from router_core.engine import EngineConfig, LocalEngine
from tests.fakes import KeywordScorer

WEATHER = "Sunny, 21 degrees."


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"{city}: {WEATHER}"


def make_agent() -> tuple:
    engine = LocalEngine(EngineConfig(), scorer_factory=lambda: KeywordScorer({"mathstral-7B": "weather"}))
    router = ModelSATRouter(
        {
            # ranked first on this request, but its card states no tool calling
            "mathstral-7B": StandInChatModel(reply="mathstral answers"),
            "Meta-Llama-3_1-8B-Instruct": StandInChatModel(
                reply="It is sunny in Paris.", tool_args={"get_weather": {"city": "Paris"}}
            ),
        },
        engine=engine,
    )
    return create_agent(router, tools=[get_weather]), engine


def test_agent_calls_the_tool_through_the_router_and_answers() -> None:
    agent, engine = make_agent()
    try:
        state = agent.invoke({"messages": [("user", "What is the weather in Paris?")]})
    finally:
        engine.close()
    call, tool_result, answer = state["messages"][1:]
    assert call.tool_calls[0]["name"] == "get_weather" and call.tool_calls[0]["args"] == {"city": "Paris"}
    assert isinstance(tool_result, ToolMessage) and tool_result.content == f"Paris: {WEATHER}"
    assert answer.content == "It is sunny in Paris."
    decision = answer.response_metadata[METADATA_KEY]
    assert decision["chosen"] == "Meta-Llama-3_1-8B-Instruct"
    assert decision["excluded"] == {"mathstral-7B": ["no tool calling"]}


async def test_agent_streams_the_answer_in_messages_mode_once() -> None:
    agent, engine = make_agent()
    try:
        streamed = [
            (chunk, metadata)
            async for chunk, metadata in agent.astream(
                {"messages": [("user", "What is the weather in Paris?")]}, stream_mode="messages"
            )
        ]
    finally:
        engine.close()
    tokens = [c.content for c, m in streamed if isinstance(c, AIMessageChunk) and c.content]
    assert tokens == ["It", " is", " sunny", " in", " Paris."]
    calls = [c for c, _ in streamed if isinstance(c, AIMessageChunk) and c.tool_call_chunks]
    assert [c.tool_call_chunks[0]["name"] for c in calls] == ["get_weather"]
    assert any(isinstance(c, ToolMessage) for c, _ in streamed)
    assert {m["langgraph_node"] for c, m in streamed if isinstance(c, AIMessageChunk)} == {"model"}
