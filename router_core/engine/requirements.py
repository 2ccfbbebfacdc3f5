"""What a chat request needs from a candidate (tools, images, context), and which cards can serve it.

Both integrations describe a request in the OpenAI chat format (LangChain converts its messages with
`convert_to_openai_messages`, LiteLLM receives that format), so one reader here decides for both and
the same request is routed among the same candidates on either path.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from router_core.cards.card import CapabilityCard
from router_core.errors import ConfigError, NoCapableCandidateError

CHARS_PER_TOKEN = 4
"""Rough size of a token in characters: a candidate-independent estimate, good enough to keep a
request away from a context window it clearly overflows."""

IMAGE_PART_TYPES = frozenset({"image_url", "image", "input_image"})
"""Content-part types that carry an image in the OpenAI (and LangChain standard) formats."""


class Requirements(BaseModel):
    """What a candidate must offer to serve one request."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tools: bool = Field(default=False, description="The request offers tools or continues a tool call")
    vision: bool = Field(default=False, description="A message carries an image")
    tokens: int = Field(default=0, ge=0, description="Estimated prompt tokens plus the requested output")
    max_price: float | None = Field(
        default=None, gt=0, description="The call's cost cap in USD per 1M tokens (card price); None: no cap"
    )

    @classmethod
    def of_chat(
        cls,
        messages: Sequence[Mapping[str, Any]] | None,
        *,
        tools: Sequence[Any] | None = None,
        max_tokens: int | None = None,
        max_price: float | None = None,
    ) -> Requirements:
        """Read OpenAI-format `messages` (dicts with `role` and `content`), the request's `tools`
        and its `max_tokens`, under the call's cost cap `max_price`; `ConfigError` saying what is
        wrong when `messages` is not that."""
        messages = check_messages(messages)
        text = sum(len(part) for message in messages for part in _texts(message))
        return cls(
            tools=bool(tools) or any(_uses_tools(message) for message in messages),
            vision=any(has_image(message.get("content")) for message in messages),
            tokens=math.ceil(text / CHARS_PER_TOKEN) + (max_tokens or 0),
            max_price=max_price,
        )

    def shortfalls(self, card: CapabilityCard) -> list[str]:
        """Why `card`'s model cannot serve this request (empty: it can). A fact the card leaves
        unstated (None) is not held against it, except a price under a cost cap: a card without
        one cannot be shown to be within it."""
        facts = card.facts
        out = []
        if self.tools and facts.tool_calling is False:
            out.append("no tool calling")
        if self.vision and facts.vision is False:
            out.append("no image input")
        if facts.context_length is not None and self.tokens > facts.context_length:
            out.append(f"~{self.tokens} tokens exceed its context of {facts.context_length}")
        if (over := over_cap(card.price, self.max_price)) is not None:
            out.append(over)
        return out

    def describe(self) -> str:
        needs = [name for name, wanted in (("tools", self.tools), ("images", self.vision)) if wanted]
        cap = [] if self.max_price is None else [f"price <= {self.max_price:g}"]
        return ", ".join([*needs, f"~{self.tokens} tokens", *cap])


class CapableCandidates(NamedTuple):
    """The candidates that can serve a request, in their order, and why the others cannot."""

    cards: dict[str, CapabilityCard]
    excluded: dict[str, list[str]]


def capable_candidates(
    candidates: Mapping[str, CapabilityCard],
    requirements: Requirements,
    also_excluded: Mapping[str, list[str]] | None = None,
) -> CapableCandidates:
    """Split `candidates` by whether their cards can serve the request; `also_excluded` adds
    shortfalls the caller knows of (e.g. a chat model without `bind_tools`).
    `NoCapableCandidateError`, naming every candidate and its shortfall, when none can."""
    shortfalls = {
        name: requirements.shortfalls(card) + list((also_excluded or {}).get(name, []))
        for name, card in candidates.items()
    }
    capable = {name: card for name, card in candidates.items() if not shortfalls[name]}
    if not capable:
        raise NoCapableCandidateError(requirements.describe(), shortfalls)
    return CapableCandidates(capable, {name: why for name, why in shortfalls.items() if why})


def over_cap(price: float | None, cap: float | None) -> str | None:
    """Why a candidate of this card `price` (USD per 1M tokens) breaks the cost `cap`, or None when
    it does not (or there is no cap)."""
    if cap is None:
        return None
    if price is None:
        return f"no price on its card, so the cost cap of {cap:g} USD per 1M tokens cannot be checked"
    if price > cap:
        return f"price {price:g} USD per 1M tokens is above the cost cap of {cap:g}"
    return None


def check_messages(messages: Any) -> list[Mapping[str, Any]]:
    """`messages` as a list if it is a list of {role, content} objects (None: no messages), else a
    `ConfigError` naming the first thing wrong: a request's own mistake, reported as such."""
    expected = "messages must be a list of {role, content} objects"
    if messages is None:
        return []
    if isinstance(messages, str | bytes | Mapping) or not isinstance(messages, Sequence):
        raise ConfigError(f"{expected}; got a {type(messages).__name__}")
    for index, message in enumerate(messages):
        if not isinstance(message, Mapping):
            raise ConfigError(f"{expected}; item {index} is a {type(message).__name__}")
        if not isinstance(message.get("role"), str):
            raise ConfigError(f"{expected}; item {index} has no role")
    return list(messages)


def content_text(content: Any) -> str:
    """The text of a message's content: a string, or the text parts of a multi-part content."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            str(part.get("text", ""))
            for part in content
            if isinstance(part, Mapping) and part.get("type") == "text"
        )
    return ""


def _texts(message: Mapping[str, Any]) -> list[str]:
    calls = message.get("tool_calls") or []
    arguments = [str((call.get("function") or {}).get("arguments", "")) for call in calls]
    return [content_text(message.get("content")), *arguments]


def _uses_tools(message: Mapping[str, Any]) -> bool:
    return message.get("role") == "tool" or bool(message.get("tool_calls"))


def has_image(content: Any) -> bool:
    """Whether a message's content carries an image part."""
    return isinstance(content, list) and any(
        isinstance(part, Mapping) and part.get("type") in IMAGE_PART_TYPES for part in content
    )
