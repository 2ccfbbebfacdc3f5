"""A custom reader of the text a routing decision is made on; the default is the core's
`router_core.engine.human_request`, which the LangChain router and the routing service use too."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from router_core.engine import human_request

RequestToInstruction = Callable[[Sequence[Mapping[str, Any]] | None, Any], str]
"""(messages, input) -> instruction; `input` is what embedding-style calls send instead of messages."""


__all__ = ["RequestToInstruction", "human_request"]
