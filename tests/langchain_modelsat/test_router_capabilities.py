"""Requests with tools, images or more tokens than a card's context go only to candidates whose
cards can serve them; the standard params reach the chosen candidate."""

from __future__ import annotations

import pytest
from langchain_core.messages import HumanMessage
from langchain_core.tools import tool

from langchain_modelsat import METADATA_KEY, ModelSATRouter, NoCapableCandidateError
from router_core.cards.card import CapabilityCard
from router_core.engine import OperatorControls
from tests.langchain_modelsat.conftest import FAST_RETRY
from tests.langchain_modelsat.fakes import ScriptedChat

IMAGE = {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}


@tool
def lookup(model: str) -> str:
    """Look a model up."""
    return model


def with_facts(card: CapabilityCard, **facts: object) -> CapabilityCard:
    return card.model_copy(update={"facts": card.facts.model_copy(update=facts)})


@pytest.fixture
def stated(cards: dict) -> dict:
    """math-model (ranked first on integrals) has a short context and neither tools nor vision."""
    return {
        "math-model": with_facts(cards["math-model"], tool_calling=False, vision=False, context_length=50),
        "law-model": with_facts(cards["law-model"], tool_calling=True, vision=True, context_length=10_000),
    }


@pytest.fixture
def routed(math: ScriptedChat, law: ScriptedChat, stated: dict, engine) -> ModelSATRouter:
    return ModelSATRouter(
        {"math-model": math, "law-model": law}, cards=stated, engine=engine, retry=FAST_RETRY
    )


def test_plain_requests_still_go_to_the_best(routed: ModelSATRouter) -> None:
    answer = routed.invoke("solve the integral")
    assert answer.response_metadata[METADATA_KEY]["chosen"] == "math-model"
    assert answer.response_metadata[METADATA_KEY]["excluded"] == {}


def test_tools_go_only_to_tool_callers(routed: ModelSATRouter) -> None:
    answer = routed.bind_tools([lookup]).invoke("solve the integral")
    decision = answer.response_metadata[METADATA_KEY]
    assert decision["chosen"] == "law-model" and decision["excluded"] == {"math-model": ["no tool calling"]}
    assert answer.tool_calls[0]["name"] == "lookup"


async def test_a_long_request_skips_the_short_context(routed: ModelSATRouter) -> None:
    answer = await routed.ainvoke("solve the integral " + "x " * 200)
    decision = answer.response_metadata[METADATA_KEY]
    assert decision["chosen"] == "law-model"
    assert decision["excluded"]["math-model"][0].endswith("exceed its context of 50")


def test_max_tokens_counts_towards_the_context(routed: ModelSATRouter) -> None:
    answer = routed.invoke("solve the integral", max_tokens=100)
    assert answer.response_metadata[METADATA_KEY]["chosen"] == "law-model"


def test_an_image_only_message_is_routed_on_the_cards(routed: ModelSATRouter, law: ScriptedChat) -> None:
    chunks = list(routed.stream([HumanMessage(content=[IMAGE])]))
    assert chunks[0].response_metadata[METADATA_KEY]["chosen"] == "law-model"
    assert law.log[0]["messages"][0].content == [IMAGE]


def test_no_capable_candidate_is_a_typed_error(math: ScriptedChat, stated: dict, engine) -> None:
    router = ModelSATRouter({"math-model": math}, cards={"math-model": stated["math-model"]}, engine=engine)
    with pytest.raises(NoCapableCandidateError, match=r"\(images, ~\d+ tokens\): math-model: no image input"):
        router.invoke([HumanMessage(content=[{"type": "text", "text": "what is this?"}, IMAGE])])
    assert math.log == []


def test_a_forced_model_is_called_as_asked(routed: ModelSATRouter, law: ScriptedChat) -> None:
    routed = routed.model_copy(update={"controls": OperatorControls(allow_overrides={"model"})})
    answer = routed.bind_tools([lookup]).invoke("solve the integral", model="law-model")
    assert answer.response_metadata[METADATA_KEY]["policy"] == "forced"
    assert [t["function"]["name"] for t in law.log[0]["kwargs"]["tools"]] == ["lookup"]


def test_a_forced_model_must_serve_the_request(routed: ModelSATRouter, math: ScriptedChat) -> None:
    """As on LiteLLM: forcing a candidate does not make its card's shortfalls go away."""
    routed = routed.model_copy(update={"controls": OperatorControls(allow_overrides={"model"})})
    with pytest.raises(NoCapableCandidateError, match="math-model: no tool calling"):
        routed.bind_tools([lookup]).invoke("solve the integral", model="math-model")
    assert math.log == []


def test_standard_params_reach_the_chosen_candidate(
    math: ScriptedChat, law: ScriptedChat, cards: dict, engine
) -> None:
    router = ModelSATRouter(
        {"math-model": math, "law-model": law},
        cards=cards,
        engine=engine,
        temperature=0.2,
        max_tokens=64,
        timeout=30,
        stop=["END"],
    )
    router.invoke("solve the integral")
    assert math.log[0]["kwargs"] == {"temperature": 0.2, "max_tokens": 64, "timeout": 30, "stop": ["END"]}
    router.invoke("solve the integral", temperature=0.9, stop=["STOP"])
    assert math.log[1]["kwargs"]["temperature"] == 0.9 and math.log[1]["kwargs"]["stop"] == ["STOP"]
    assert law.log == []


def test_max_retries_sets_the_attempts_per_candidate(cards: dict, engine) -> None:
    router = ModelSATRouter(
        {"math-model": ScriptedChat(reply="x")}, cards=cards, engine=engine, max_retries=4
    )
    assert router.retry_settings.attempts == 5
    assert router._get_ls_params()["ls_provider"] == "modelsat"


def test_token_counts_are_the_routing_estimate(routed: ModelSATRouter, cards: dict, engine) -> None:
    assert routed.get_num_tokens("x" * 400) == 100
    assert routed.get_num_tokens_from_messages([HumanMessage("x" * 40), HumanMessage("y" * 40)]) == 20
    own = ModelSATRouter(
        {"math-model": ScriptedChat(reply="x")},
        cards=cards,
        engine=engine,
        custom_get_token_ids=lambda t: [1, 2],
    )
    assert own.get_num_tokens("hi") == 2
