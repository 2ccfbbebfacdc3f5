"""The text a routing decision is made on: what the user asked last."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from router_core.engine.requirements import content_text

RequestToInstruction = Callable[[Sequence[Mapping[str, Any]] | None, Any], str]
"""(messages, input) -> instruction; `input` is what embedding-style calls send instead of messages."""


def last_user_text(messages: Sequence[Mapping[str, Any]] | None, input: Any = None) -> str:
    """The last user message's text (text parts of a multi-part content joined), else a string `input`,
    else "": the router then ranks by its prior on the cards alone."""
    for message in reversed(messages or []):
        if message.get("role") == "user":
            return content_text(message.get("content"))
    return input if isinstance(input, str) else ""
