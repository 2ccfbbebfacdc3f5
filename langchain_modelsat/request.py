"""One routed chat call as the router sees it: the messages, the instruction to route on, the
candidates that can serve it, and the arguments the chosen candidate is called with."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import BaseMessage, convert_to_openai_messages
from langchain_core.runnables import Runnable

from langchain_modelsat.messages import MessagesToInstruction, last_human_instruction
from langchain_modelsat.options import MODEL_KEY, pop_call_options
from router_core.cards.card import CapabilityCard
from router_core.engine import Candidate, Requirements, RoutingDecision, capable_candidates
from router_core.engine.call_options import CallOptions, OperatorControls


@dataclass(frozen=True)
class RoutedRequest:
    messages: list[BaseMessage]
    options: CallOptions
    instruction: str
    capable: dict[str, CapabilityCard]
    excluded: dict[str, list[str]]
    tools: list[dict[str, Any]] | None
    tool_choice: Any
    call_kwargs: dict[str, Any]
    """What the chosen candidate is called with (stop and the standard params that were set)."""
    models: Mapping[str, Runnable]
    cards: Mapping[str, CapabilityCard]

    @classmethod
    def read(
        cls,
        messages: list[BaseMessage],
        *,
        stop: list[str] | None,
        kwargs: dict[str, Any],
        candidates: Mapping[str, CapabilityCard],
        models: Mapping[str, Runnable],
        instruction: MessagesToInstruction | None,
        include_system: bool,
        controls: OperatorControls,
    ) -> RoutedRequest:
        """Split the call's kwargs into routing options (checked against the router's `controls`),
        tools and the candidate's arguments, and keep only the candidates whose cards can serve the
        request (tools, images, length) within the cost cap."""
        kwargs = dict(kwargs)
        options = pop_call_options(kwargs, candidates, controls)
        tools, tool_choice = kwargs.pop("tools", None), kwargs.pop("tool_choice", None)
        if stop:
            kwargs["stop"] = stop
        needs = Requirements.of_chat(
            convert_to_openai_messages(messages),
            tools=tools,
            max_tokens=kwargs.get("max_tokens"),
            max_price=options.max_price,
        )
        no_tools = {
            name: ["no bind_tools"] for name in models if tools and not hasattr(models[name], "bind_tools")
        }
        capable = (
            None
            if options.model is not None
            else capable_candidates(candidates, needs, also_excluded=no_tools)
        )
        text = (
            instruction(messages)
            if instruction is not None
            else last_human_instruction(messages, include_system=include_system)
        )
        return cls(
            messages=messages,
            options=options,
            instruction=text,
            capable=dict(candidates) if capable is None else capable.cards,
            excluded={} if capable is None else capable.excluded,
            tools=tools,
            tool_choice=tool_choice,
            call_kwargs=kwargs,
            models=models,
            cards=candidates,
        )

    def forced(self) -> RoutingDecision | None:
        """The decision for a call that names its candidate (no routing, no fallback)."""
        if self.options.model is None:
            return None
        card = self.cards[self.options.model]
        return RoutingDecision(
            ranking=[Candidate(name=self.options.model, probability=card.mean_accuracy, price=card.price)],
            policy="forced",
            reason=f"forced by configurable {MODEL_KEY} or the model argument",
        )

    def engine_call(self, policy: Any, timeout_s: float | None) -> dict[str, Any]:
        """Keyword arguments of `RouterEngine.route`: the call's policy over the router's."""
        return {
            "instruction": self.instruction,
            "candidates": self.capable,
            "policy": self.options.policy_spec(policy),
            "timeout_s": timeout_s,
        }

    def decided(self, decision: RoutingDecision) -> RoutingDecision:
        """The engine's decision, recording the candidates this request's needs left out."""
        return decision.model_copy(update={"excluded": self.excluded}) if self.excluded else decision

    def candidate(self, name: str) -> Runnable:
        """Candidate `name`, with the call's tools bound when it has some."""
        model = self.models[name]
        if not self.tools:
            return model
        extra = {} if self.tool_choice is None else {"tool_choice": self.tool_choice}
        return model.bind_tools(self.tools, **extra)  # type: ignore[attr-defined]
