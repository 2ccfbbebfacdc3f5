"""The text a routing decision is made on: what the user asked last (read in router_core, so the
routing service reads the same text)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from router_core.engine.requirements import last_user_text

RequestToInstruction = Callable[[Sequence[Mapping[str, Any]] | None, Any], str]
"""(messages, input) -> instruction; `input` is what embedding-style calls send instead of messages."""


__all__ = ["RequestToInstruction", "last_user_text"]
