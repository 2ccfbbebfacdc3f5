"""Turn any chat input into a message list, and pick the text the router routes on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, convert_to_messages, convert_to_openai_messages
from langchain_core.prompt_values import PromptValue

from langchain_modelsat.errors import InstructionError
from router_core.engine import human_request

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
    """The routed instruction the router uses by default: the core's rule
    (`router_core.engine.human_request`, the same on LiteLLM) applied to LangChain messages. The
    human's latest request, not tool output or blocks an agent harness injects; `include_system`
    prepends the system prompt(s); "" (the cards alone) when there is no user text."""
    return human_request(convert_to_openai_messages(list(messages)), include_system=include_system)
