"""Which candidates can serve a request: tools, images and context length, from OpenAI messages."""

from __future__ import annotations

import pytest

from router_core.cards.card import load_cards
from router_core.engine.requirements import Requirements, capable_candidates, content_text
from router_core.errors import ConfigError, NoCapableCandidateError
from tests.router_core.builders import make_card

IMAGE = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}


def card(name: str, **facts: object):
    base = make_card(name, [0.5])
    return base.model_copy(update={"facts": base.facts.model_copy(update=facts)})


def test_plain_text_needs_nothing_but_its_length() -> None:
    needs = Requirements.of_chat([{"role": "user", "content": "x" * 400}], max_tokens=50)
    assert needs == Requirements(tools=False, vision=False, tokens=150)


def test_tools_images_and_tool_turns_are_read() -> None:
    assert Requirements.of_chat([{"role": "user", "content": "hi"}], tools=[{"type": "function"}]).tools
    turns = [
        {"role": "user", "content": "weather?"},
        {"role": "assistant", "content": "", "tool_calls": [{"function": {"name": "w", "arguments": "{}"}}]},
        {"role": "tool", "content": "sunny", "tool_call_id": "1"},
    ]
    assert Requirements.of_chat(turns).tools
    image_only = [{"role": "user", "content": [IMAGE]}]
    assert Requirements.of_chat(image_only) == Requirements(vision=True, tokens=0)


def test_only_capable_candidates_remain_in_order() -> None:
    cards = {
        "text": card("text", tool_calling=False, vision=False, context_length=100),
        "unstated": card("unstated"),
        "all": card("all", tool_calling=True, vision=True, context_length=10_000),
    }
    tools = capable_candidates(cards, Requirements(tools=True))
    assert list(tools.cards) == ["unstated", "all"] and tools.excluded == {"text": ["no tool calling"]}
    assert list(capable_candidates(cards, Requirements(tokens=500)).cards) == ["unstated", "all"]
    assert list(capable_candidates(cards, Requirements()).cards) == ["text", "unstated", "all"]
    known = capable_candidates(cards, Requirements(), also_excluded={"all": ["no bind_tools"]})
    assert list(known.cards) == ["text", "unstated"] and known.excluded == {"all": ["no bind_tools"]}


def test_no_capable_candidate_names_each_shortfall() -> None:
    cards = {"a": card("a", vision=False), "b": card("b", context_length=10, vision=False)}
    with pytest.raises(NoCapableCandidateError) as caught:
        capable_candidates(cards, Requirements(vision=True, tokens=20))
    message = str(caught.value)
    assert "a: no image input" in message
    assert "b: no image input, ~20 tokens exceed its context of 10" in message
    assert caught.value.shortfalls["a"] == ["no image input"]


def test_shipped_cards_state_tools_and_vision() -> None:
    shipped = load_cards()
    assert all(c.facts.vision is not None for c in shipped.values())
    mmlu_pro = [c for c in shipped.values() if c.families == ("knowledge",)]
    assert len(mmlu_pro) == 23 and all(c.facts.tool_calling is not None for c in mmlu_pro)
    assert list(capable_candidates(shipped, Requirements(vision=True)).cards) == ["gemini-1.5-pro-002"]
    tools = capable_candidates(shipped, Requirements(tools=True)).cards
    assert "Meta-Llama-3_1-8B-Instruct" in tools and "Llama-2-7b-hf" not in tools


def test_content_text_joins_text_parts() -> None:
    assert content_text([{"type": "text", "text": "a"}, IMAGE, {"type": "text", "text": "b"}]) == "a\nb"
    assert content_text(None) == ""


@pytest.mark.parametrize(
    ("messages", "problem"),
    [
        ("hello", "got a str"),
        ({"role": "user", "content": "hi"}, "got a dict"),
        (["hello"], "item 0 is a str"),
        ([{"role": "user", "content": "hi"}, {"content": "no role"}], "item 1 has no role"),
    ],
)
def test_messages_that_are_not_role_content_objects_are_a_config_error(messages, problem) -> None:
    with pytest.raises(
        ConfigError, match=rf"messages must be a list of \{{role, content\}} objects; {problem}"
    ):
        Requirements.of_chat(messages)


def test_a_cost_cap_leaves_out_pricier_and_unpriced_candidates() -> None:
    cards = {
        "cheap": make_card("cheap", [0.5], price=1.0),
        "at-cap": make_card("at-cap", [0.5], price=10.0),
        "dear": make_card("dear", [0.5], price=10.5),
        "unpriced": make_card("unpriced", [0.5]),
    }
    capped = capable_candidates(cards, Requirements(max_price=10))
    assert list(capped.cards) == ["cheap", "at-cap"]
    assert capped.excluded["dear"] == ["price 10.5 USD per 1M tokens is above the cost cap of 10"]
    assert capped.excluded["unpriced"][0].startswith("no price on its card")
    assert list(capable_candidates(cards, Requirements()).cards) == list(cards)
    with pytest.raises(NoCapableCandidateError, match=r"\(~0 tokens, price <= 0.5\)"):
        capable_candidates(cards, Requirements(max_price=0.5))
