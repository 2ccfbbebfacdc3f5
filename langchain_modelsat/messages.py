"""Turn any chat input into a message list, and pick the text the router routes on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.messages import (
    BaseMessage,
    HumanMessage,
    SystemMessage,
    convert_to_messages,
    convert_to_openai_messages,
)
from langchain_core.prompt_values import PromptValue

from langchain_modelsat.errors import InstructionError
from router_core.engine import Requirements

MessagesToInstruction = Callable[[Sequence[BaseMessage]], str]
"""Reads the messages of one call and returns the instruction to route on."""


def to_messages(value: Any) -> list[BaseMessage]:
    """Messages from a string, a PromptValue, a message list, or a dict holding `messages`
    (the state shape of LangGraph agents), so every candidate gets the same chat input."""
    if isinstance(value, str):
        return [HumanMessage(content=value)]
    if isinstance(value, PromptValue):
        return value.to_messages()
    if isinstance(value, BaseMessage):
        return [value]
    if isinstance(value, dict):
        if "messages" not in value:
            raise InstructionError(f"dict input needs a 'messages' key, got keys {sorted(value)}")
        return to_messages(value["messages"])
    if isinstance(value, Sequence):
        try:
            return convert_to_messages(value)
        except (ValueError, TypeError, NotImplementedError) as exc:
            raise InstructionError(f"cannot read the input as chat messages: {exc}") from exc
    raise InstructionError(
        f"unsupported input type {type(value).__name__}; pass a string, messages, a PromptValue "
        "or a dict with 'messages'"
    )


def last_human_instruction(messages: Sequence[BaseMessage], *, include_system: bool = False) -> str:
    """The last human message's text: in a tool-calling loop the task stays the user's request,
    not the latest tool output. `include_system` prepends the system prompt(s). A message with
    only an image routes on the cards alone (empty text), as the LiteLLM integration does."""
    human = next((m for m in reversed(messages) if isinstance(m, HumanMessage)), None)
    if human is not None and not str(human.text).strip() and _has_image(human):
        return ""
    if human is None or not str(human.text).strip():
        raise InstructionError(
            "no human message with text to route on; add one or pass instruction=callable(messages) -> str"
        )
    parts = [str(m.text) for m in messages if isinstance(m, SystemMessage)] if include_system else []
    return "\n\n".join([*parts, str(human.text)])


def _has_image(message: BaseMessage) -> bool:
    return Requirements.of_chat(convert_to_openai_messages([message])).vision
