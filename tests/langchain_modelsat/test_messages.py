"""Input normalisation and the choice of the routed instruction."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.prompts import ChatPromptTemplate

from langchain_modelsat import InstructionError, last_human_instruction, to_messages


@pytest.mark.parametrize(
    "value",
    [
        "solve the integral",
        [HumanMessage("solve the integral")],
        [("human", "solve the integral")],
        HumanMessage("solve the integral"),
        ChatPromptTemplate.from_messages([("human", "solve the {what}")]).invoke({"what": "integral"}),
        {"messages": [("human", "solve the integral")]},
    ],
    ids=["str", "messages", "tuples", "message", "prompt-value", "dict"],
)
def test_every_input_type_becomes_messages(value: object) -> None:
    messages = to_messages(value)
    assert [type(m) for m in messages] == [HumanMessage]
    assert messages[0].content == "solve the integral"


@pytest.mark.parametrize("value", [42, {"input": "hi"}, [object()]])
def test_unreadable_input_is_a_typed_error(value: object) -> None:
    with pytest.raises(InstructionError):
        to_messages(value)


def test_instruction_is_the_last_human_message_even_after_tool_calls() -> None:
    messages = [
        SystemMessage("You are careful."),
        HumanMessage("first question"),
        AIMessage("first answer"),
        HumanMessage("evaluate the integral"),
        AIMessage("", tool_calls=[{"name": "calc", "args": {}, "id": "1"}]),
        ToolMessage("42", tool_call_id="1"),
    ]
    assert last_human_instruction(messages) == "evaluate the integral"
    assert (
        last_human_instruction(messages, include_system=True) == "You are careful.\n\nevaluate the integral"
    )


def test_no_human_message_routes_on_the_cards_alone() -> None:
    """As on LiteLLM (tests/integrations/test_one_request_path.py): "" ranks by the cards' prior."""
    assert last_human_instruction([SystemMessage("system only")]) == ""
    assert last_human_instruction([SystemMessage("system only")], include_system=True) == "system only"
