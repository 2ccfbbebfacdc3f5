"""One chat request, prepared for routing the same way by every integration.

Both integrations describe a call in the OpenAI chat format (LangChain converts its messages with
`convert_to_openai_messages`, LiteLLM receives that format) plus its call options. `RequestPath`
turns that into a `RoutingRequest` (the instruction to route on, what a candidate must offer, the
candidates that can serve it, the policy and a forced candidate) and routes it, sync or async; each
integration keeps only its own I/O around it (httpx's `BaseClient` / `Client` / `AsyncClient`
split): LangChain calls the chosen chat model, LiteLLM returns the chosen deployment.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from router_core.cards.card import CapabilityCard
from router_core.engine.batching import check_instructions
from router_core.engine.call_options import CallOptions, OperatorControls, Override
from router_core.engine.decision import Candidate, RoutingDecision
from router_core.engine.engine import Engine
from router_core.engine.policies import Policy
from router_core.engine.requirements import (
    Requirements,
    capable_candidates,
    check_messages,
    content_text,
    has_image,
)

INJECTED_TAGS = ("system-reminder", "environment_details", "user-prompt-submit-hook")
"""Blocks that agent harnesses (Claude Code, Cline...) write into the user's turn for the model, not
from the human: `<system-reminder>...</system-reminder>` and the like are never routed on."""

_INJECTED = re.compile(r"<({})\b[^>]*>.*?</\1\s*>".format("|".join(INJECTED_TAGS)), re.DOTALL)
_SYSTEM_ROLES = frozenset({"system", "developer"})


def human_request(
    messages: Sequence[Mapping[str, Any]] | None, *, include_system: bool = False, input: Any = None
) -> str:
    """The text to route on: the human's latest request. That is the last user message with content
    of the human's own (text outside the `INJECTED_TAGS` blocks, or an image): tool results (tool
    messages, or non-text parts of a user message) and a user turn holding only injected blocks are
    skipped, so an agent loop keeps routing on the task it was given. `include_system` prepends the
    system prompt(s). Without user text (an image only, or no user message) it is "", and the
    router ranks by the cards alone; a call without messages routes on a string `input`."""
    if not messages:
        return input if isinstance(input, str) else ""
    human = ""
    for message in reversed(messages):
        if message.get("role") != "user":
            continue
        text = _INJECTED.sub("", content_text(message.get("content"))).strip()
        if text or has_image(message.get("content")):
            human = text
            break
    system = [content_text(m.get("content")) for m in messages if m.get("role") in _SYSTEM_ROLES]
    return "\n\n".join(part for part in [*system, human] if part) if include_system else human


class Stickiness(BaseModel):
    """Per-conversation stickiness: a conversation's later calls go to the model its first routed
    call chose (while that model can serve them), so the provider's prompt cache of the conversation
    survives. Memory is bounded: the `max_conversations` most recent, each for `ttl_s` after its
    last call."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_conversations: int = Field(default=10_000, ge=1, description="Conversations remembered (LRU)")
    ttl_s: float = Field(
        default=3600.0, gt=0, description="Forget a conversation this long after its last call"
    )


class _Conversations:
    """conversation id -> the candidate it sticks to; least recently used and expired ids dropped."""

    def __init__(self, settings: Stickiness) -> None:
        self.settings = settings
        self._chosen: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, conversation: str) -> str | None:
        with self._lock:
            entry = self._chosen.get(conversation)
            if entry is None or entry[1] < time.monotonic():
                self._chosen.pop(conversation, None)
                return None
            return entry[0]

    def put(self, conversation: str, candidate: str) -> None:
        with self._lock:
            self._chosen[conversation] = (candidate, time.monotonic() + self.settings.ttl_s)
            self._chosen.move_to_end(conversation)
            while len(self._chosen) > self.settings.max_conversations:
                self._chosen.popitem(last=False)


@dataclass(frozen=True)
class RoutingRequest:
    """A call as routing sees it, whichever integration read it."""

    instruction: str
    requirements: Requirements
    candidates: dict[str, CapabilityCard]
    """The candidates to rank: those that can serve the request, or only the forced one."""
    excluded: dict[str, list[str]]
    """Candidates the request's needs or the cost cap left out, and why."""
    options: CallOptions


class RequestPath:
    """Prepares and routes the requests of one integration instance: its engine, default policy,
    routing timeout, operator controls, `include_system` and optional stickiness."""

    def __init__(
        self,
        engine: Engine,
        *,
        policy: Policy | None = None,
        timeout_s: float | None = None,
        controls: OperatorControls | None = None,
        include_system: bool = False,
        stickiness: Stickiness | None = None,
    ) -> None:
        """`policy` / `timeout_s`: None means the engine's."""
        self.engine = engine
        self.policy = policy
        self.timeout_s = timeout_s
        self.controls = controls or OperatorControls()
        self.include_system = include_system
        self.conversations = None if stickiness is None else _Conversations(stickiness)

    def prepare(
        self,
        messages: Any,
        candidates: Mapping[str, CapabilityCard],
        *,
        options: Mapping[str, Any] | None = None,
        granted: Collection[Override] = (),
        tools: Sequence[Any] | None = None,
        max_tokens: int | None = None,
        instruction: str | None = None,
        input: Any = None,
        also_excluded: Mapping[str, list[str]] | None = None,
    ) -> RoutingRequest:
        """Check the call's `options` (the `modelsat_*` keys) against the controls and the overrides
        `granted` to this caller, read what the request needs, and keep the candidates that can
        serve it (a forced one must, too). `instruction` replaces the human request (an
        integration's custom reader). A bad or refused option, malformed messages or instruction,
        or no capable candidate raises (`ConfigError`, `OverrideRefusedError`,
        `NoCapableCandidateError`), before any routing."""
        checked = CallOptions.read(options or {}, candidates, self.controls, granted)
        messages = check_messages(messages)
        needs = Requirements.of_chat(
            messages, tools=tools, max_tokens=max_tokens, max_price=checked.max_price
        )
        pool = candidates if checked.model is None else {checked.model: candidates[checked.model]}
        capable = capable_candidates(pool, needs, also_excluded)
        if instruction is None:
            instruction = human_request(messages, include_system=self.include_system, input=input)
        check_instructions([instruction])  # a malformed one fails its own call, before any batch
        return RoutingRequest(
            instruction=instruction,
            requirements=needs,
            candidates=capable.cards,
            excluded=capable.excluded if checked.model is None else {},
            options=checked,
        )

    def route(self, request: RoutingRequest) -> RoutingDecision:
        """The decision for a prepared request (a forced one without a routing pass)."""
        if (forced := _forced(request)) is not None:
            return forced
        decision = self.engine.route(**self._engine_call(request))
        return self._decided(request, decision)

    async def aroute(self, request: RoutingRequest) -> RoutingDecision:
        """`route` for asyncio."""
        if (forced := _forced(request)) is not None:
            return forced
        decision = await self.engine.aroute(**self._engine_call(request))
        return self._decided(request, decision)

    def _engine_call(self, request: RoutingRequest) -> dict[str, Any]:
        return {
            "instruction": request.instruction,
            "candidates": request.candidates,
            "policy": request.options.policy or self.policy,
            "timeout_s": self.timeout_s,
        }

    def _decided(self, request: RoutingRequest, decision: RoutingDecision) -> RoutingDecision:
        """The engine's decision with the excluded candidates, moved to the conversation's model when
        stickiness holds one that can serve this request; a fresh choice is remembered."""
        update: dict[str, Any] = {"excluded": request.excluded} if request.excluded else {}
        conversation = request.options.conversation
        if self.conversations is not None and conversation is not None:
            held = self.conversations.get(conversation)
            if held is not None and held in request.candidates:
                first = next(c for c in decision.ranking if c.name == held)
                update["ranking"] = [first, *(c for c in decision.ranking if c.name != held)]
                update["sticky"] = True
                self.conversations.put(conversation, held)
            elif not decision.degraded:  # a card-mean guess is not worth keeping a conversation on
                self.conversations.put(conversation, decision.chosen)
        return decision.model_copy(update=update) if update else decision


def _forced(request: RoutingRequest) -> RoutingDecision | None:
    """The decision of a call that names its candidate: that one only, no routing, no fallback."""
    name = request.options.model
    if name is None:
        return None
    card = request.candidates[name]
    return RoutingDecision(
        ranking=[Candidate(name=name, probability=card.mean_accuracy, price=card.price)],
        policy="forced",
        reason="forced by the call (modelsat_model)",
    )
