"""One routed chat call as the LangChain router sees it: the core's prepared request
(`router_core.engine.RoutingRequest`), and what the chosen candidate is called with."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import BaseMessage, convert_to_openai_messages
from langchain_core.runnables import Runnable

from langchain_modelsat.messages import MessagesToInstruction
from langchain_modelsat.options import pop_call_options
from router_core.cards import CapabilityCard
from router_core.engine import RequestPath, RoutingRequest


@dataclass(frozen=True)
class RoutedRequest:
    messages: list[BaseMessage]
    routing: RoutingRequest
    tools: list[dict[str, Any]] | None
    tool_choice: Any
    call_kwargs: dict[str, Any]
    """What the chosen candidate is called with (stop and the standard params that were set)."""
    models: Mapping[str, Runnable]

    @classmethod
    def read(
        cls,
        messages: list[BaseMessage],
        *,
        stop: list[str] | None,
        kwargs: dict[str, Any],
        router: RequestPath,
        candidates: Mapping[str, CapabilityCard],
        models: Mapping[str, Runnable],
        instruction: MessagesToInstruction | None,
    ) -> RoutedRequest:
        """Split the call's kwargs into routing options, tools and the candidate's arguments, and let
        the core prepare the routing (a candidate without `bind_tools` cannot serve tools)."""
        kwargs = dict(kwargs)
        options = pop_call_options(kwargs)
        tools, tool_choice = kwargs.pop("tools", None), kwargs.pop("tool_choice", None)
        if stop:
            kwargs["stop"] = stop
        no_tools = {
            name: ["no bind_tools"] for name in models if tools and not hasattr(models[name], "bind_tools")
        }
        routing = router.prepare(
            convert_to_openai_messages(messages),
            candidates,
            options=options,
            tools=tools,
            max_tokens=kwargs.get("max_tokens"),
            instruction=None if instruction is None else instruction(messages),
            also_excluded=no_tools,
        )
        return cls(
            messages=messages,
            routing=routing,
            tools=tools,
            tool_choice=tool_choice,
            call_kwargs=kwargs,
            models=models,
        )

    def candidate(self, name: str) -> Runnable:
        """Candidate `name`, with the call's tools bound when it has some."""
        model = self.models[name]
        if not self.tools:
            return model
        extra = {} if self.tool_choice is None else {"tool_choice": self.tool_choice}
        return model.bind_tools(self.tools, **extra)  # type: ignore[attr-defined]
