"""The core's request preparation: the human's request is what is routed on, and stickiness keeps a
conversation on one model within bounded memory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from router_core.engine import (
    CONVERSATION_KEY,
    LocalEngine,
    RequestPath,
    Stickiness,
    human_request,
)
from tests.fakes import keyword_engine, make_card

CARDS = {"math-model": make_card("math-model", [0.6]), "law-model": make_card("law-model", [0.5])}


def _user(content: Any) -> dict[str, Any]:
    return {"role": "user", "content": content}


REMINDER = "<system-reminder>\nThe user's todo list is empty.\n</system-reminder>"


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        ([_user("Draft a contract.")], "Draft a contract."),
        ([_user(f"Draft a contract.\n{REMINDER}")], "Draft a contract."),
        (
            [_user([{"type": "text", "text": REMINDER}, {"type": "text", "text": "Draft a contract."}])],
            "Draft a contract.",
        ),
        (
            [
                _user("Draft a contract."),
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [{"id": "1", "function": {"name": "f"}}],
                },
                {"role": "tool", "tool_call_id": "1", "content": "integral"},
                _user(REMINDER),
            ],
            "Draft a contract.",
        ),
        (
            [
                _user("Draft a contract."),
                _user([{"type": "tool_result", "tool_use_id": "1", "content": "integral"}]),
                _user("<environment_details>integral.py</environment_details>"),
            ],
            "Draft a contract.",
        ),
        ([_user("first"), _user([{"type": "image_url", "image_url": {"url": "x"}}])], ""),
        ([{"role": "system", "content": "Be brief."}], ""),
        ([], ""),
        ([_user("<b>bold</b> and <system-reminder>x</system-reminder> kept")], "<b>bold</b> and  kept"),
    ],
)
def test_the_human_request_is_routed_not_tool_output_or_injected_blocks(
    messages: list[dict[str, Any]], expected: str
) -> None:
    assert human_request(messages) == expected


def test_system_prompts_come_first_when_included() -> None:
    messages = [
        {"role": "system", "content": "You are careful."},
        {"role": "developer", "content": "Cite sources."},
        _user("Draft a contract."),
    ]
    assert (
        human_request(messages, include_system=True)
        == "You are careful.\n\nCite sources.\n\nDraft a contract."
    )


def test_a_call_without_messages_routes_on_its_input() -> None:
    assert human_request(None, input="Embed this") == "Embed this"
    assert human_request(None, input=["a", "b"]) == ""


@pytest.fixture
def engine() -> Iterator[LocalEngine]:
    with keyword_engine() as engine:
        yield engine


def _route(router: RequestPath, text: str, conversation: str | None = None, **prepare: Any):
    options = {} if conversation is None else {CONVERSATION_KEY: conversation}
    return router.route(router.prepare([_user(text)], CARDS, options=options, **prepare))


def test_without_stickiness_each_call_is_routed_afresh(engine: LocalEngine) -> None:
    router = RequestPath(engine)
    assert _route(router, "a contract", "c1").chosen == "law-model"
    assert _route(router, "an integral", "c1").chosen == "math-model"


def test_a_conversation_sticks_to_its_first_model(engine: LocalEngine) -> None:
    router = RequestPath(engine, stickiness=Stickiness())
    assert _route(router, "a contract", "c1").chosen == "law-model"
    sticky = _route(router, "an integral", "c1")
    assert (sticky.chosen, sticky.sticky, sticky.fallbacks) == ("law-model", True, ["math-model"])
    assert sticky.metadata()["sticky"] is True
    assert _route(router, "an integral", "c2").chosen == "math-model"  # another conversation
    assert _route(router, "an integral").chosen == "math-model"  # no conversation


def test_a_sticky_model_that_cannot_serve_the_request_is_left(engine: LocalEngine) -> None:
    router = RequestPath(engine, stickiness=Stickiness())
    assert _route(router, "a contract", "c1").chosen == "law-model"
    capped = _route(router, "an integral", "c1", also_excluded={"law-model": ["down"]})
    assert (capped.chosen, capped.sticky) == ("math-model", False)
    assert _route(router, "a contract", "c1").chosen == "math-model"  # it sticks to the new one


def test_stickiness_forgets_the_least_recent_conversations(engine: LocalEngine) -> None:
    router = RequestPath(engine, stickiness=Stickiness(max_conversations=2))
    for conversation in ("c1", "c2", "c3"):
        _route(router, "a contract", conversation)
    assert _route(router, "an integral", "c1").chosen == "math-model"  # c1 was forgotten
    assert _route(router, "an integral", "c3").chosen == "law-model"


def test_stickiness_expires(engine: LocalEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    import router_core.engine.request as request

    now = [1000.0]
    monkeypatch.setattr(request.time, "monotonic", lambda: now[0])
    router = RequestPath(engine, stickiness=Stickiness(ttl_s=60))
    _route(router, "a contract", "c1")
    now[0] += 30
    assert _route(router, "an integral", "c1").sticky  # and its clock restarts
    now[0] += 61
    assert _route(router, "an integral", "c1").chosen == "math-model"
