"""The same requests through the LangChain router and the LiteLLM strategy get the same decision:
both prepare a request with `router_core.engine.request`, so they read the instruction, the needs,
the call options and the forced candidate alike."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import litellm_modelsat as lm
import pytest
from langchain_core.messages import convert_to_messages

from langchain_modelsat import ModelSATRouter, RetrySettings
from router_core.engine import LocalEngine, OperatorControls
from tests.fakes import keyword_engine, make_card, mock_deployments
from tests.langchain_modelsat.fakes import ScriptedChat

MATH, LAW, CHAT = "math-model", "law-model", "chat-model"


def _card(name: str, accuracies: list[float], price: float, **facts: Any) -> Any:
    card = make_card(name, accuracies, price)
    return card.model_copy(update={"facts": card.facts.model_copy(update=facts)})


CARDS = {
    MATH: _card(MATH, [0.6, 0.7], 50.0, tool_calling=True, vision=False),
    LAW: _card(LAW, [0.5], 1.0, tool_calling=True, vision=True),
    CHAT: _card(CHAT, [0.4], 0.5, tool_calling=False, vision=False),
}
OPEN = {"allow_overrides": {"model", "policy"}}
TOOL = {
    "type": "function",
    "function": {"name": "lookup", "parameters": {"type": "object", "properties": {}}},
}
IMAGE = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
COMPARED = ("chosen", "ranking", "policy", "degraded", "reason", "excluded", "sticky")


@dataclass
class Case:
    messages: list[dict[str, Any]]
    options: dict[str, Any] = field(default_factory=dict)
    tools: list[dict[str, Any]] | None = None
    controls: dict[str, Any] = field(default_factory=dict)
    include_system: bool = False


def _user(text: Any) -> dict[str, Any]:
    return {"role": "user", "content": text}


AGENT_LOOP = [
    _user("Is a promise under this contract enforceable?"),
    {
        "role": "assistant",
        "content": "",
        "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}],
    },
    {"role": "tool", "tool_call_id": "c1", "content": "integral integral integral"},
    _user("<system-reminder>Compute the integral before answering.</system-reminder>"),
]

CASES = {
    "math": Case([_user("Evaluate the integral of x^2.")]),
    "law": Case([_user("Draft a contract clause.")]),
    "system prompt left out": Case(
        [{"role": "system", "content": "You solve every integral."}, _user("Draft a contract clause.")]
    ),
    "system prompt included": Case(
        [{"role": "system", "content": "You solve every integral."}, _user("Hello there.")],
        include_system=True,
    ),
    "no user text": Case([{"role": "system", "content": "Be brief."}]),
    "image only": Case([_user([IMAGE])]),
    "tools leave out a model without tool calling": Case([_user("Evaluate the integral.")], tools=[TOOL]),
    "tool request forced to a model without tool calling": Case(
        [_user("Evaluate the integral.")], options={"modelsat_model": CHAT}, tools=[TOOL], controls=OPEN
    ),
    "forced": Case([_user("Draft a contract clause.")], options={"modelsat_model": MATH}, controls=OPEN),
    "lambda": Case([_user("Evaluate the integral.")], options={"modelsat_lambda": 0.05}, controls=OPEN),
    "policy string": Case(
        [_user("Evaluate the integral.")], options={"modelsat_policy": "cost-aware:0.05"}, controls=OPEN
    ),
    "cost cap": Case([_user("Evaluate the integral.")], options={"modelsat_max_price": 10.0}),
    "agent loop routes on the human's request": Case(AGENT_LOOP, tools=[TOOL]),
    "refused override": Case([_user("Evaluate the integral.")], options={"modelsat_policy": "best"}),
}


@pytest.fixture
def engine() -> Iterator[LocalEngine]:
    with keyword_engine() as engine:
        yield engine


def _langchain(case: Case, engine: LocalEngine) -> dict[str, Any] | BaseException:
    router = ModelSATRouter(
        {name: ScriptedChat(reply=name) for name in CARDS},
        cards=CARDS,
        engine=engine,
        controls=OperatorControls(**case.controls),
        include_system=case.include_system,
        retry=RetrySettings(attempts=1),
    )
    runnable = router.bind_tools(case.tools) if case.tools else router
    try:
        answer = runnable.invoke(convert_to_messages(case.messages), {"configurable": case.options})
    except Exception as exc:
        return exc
    return answer.response_metadata["modelsat"]


def _litellm(case: Case, engine: LocalEngine) -> dict[str, Any] | BaseException:
    from litellm import Router

    model_list = mock_deployments(CARDS)
    router = Router(model_list=model_list)
    lm.ModelSATRoutingStrategy.install(
        router,
        engine=engine,
        controls=lm.LiteLLMControls(**case.controls),
        include_system=case.include_system,
    )
    metadata = dict(case.options)
    extra = {"tools": case.tools} if case.tools else {}
    try:
        router.completion(model="chat", messages=case.messages, metadata=metadata, **extra)
    except Exception as exc:
        return exc.__cause__ or exc
    call = lm.decision_of({"metadata": metadata})  # read back typed, as the proxy's headers are
    assert call is not None
    return call.metadata()


@pytest.mark.parametrize("name", list(CASES))
def test_both_integrations_decide_alike(name: str, engine: LocalEngine) -> None:
    case = CASES[name]
    langchain, litellm = _langchain(case, engine), _litellm(case, engine)

    if isinstance(langchain, BaseException) or isinstance(litellm, BaseException):
        assert (type(litellm), str(litellm)) == (type(langchain), str(langchain))
        return
    assert {key: litellm.get(key) for key in COMPARED} == {key: langchain.get(key) for key in COMPARED}


@pytest.mark.parametrize(
    ("name", "chosen"),
    [
        ("math", MATH),
        ("law", LAW),
        ("system prompt left out", LAW),
        ("system prompt included", MATH),
        ("tools leave out a model without tool calling", MATH),
        ("image only", LAW),
        ("forced", MATH),
        ("cost cap", LAW),
        ("agent loop routes on the human's request", LAW),
    ],
)
def test_the_table_routes_where_expected(name: str, chosen: str, engine: LocalEngine) -> None:
    """The table above is not vacuous: its decisions are the right ones."""
    assert _langchain(CASES[name], engine)["chosen"] == chosen
