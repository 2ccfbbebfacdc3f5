"""Per-request options in `metadata`, and capability-aware deployments: the same request is filtered
as on the LangChain path (router_core.engine.requirements)."""

from __future__ import annotations

import litellm
import litellm_modelsat as lm
import pytest

from router_core.engine import Stickiness
from tests.fakes import make_card
from tests.integrations.litellm_modelsat.conftest import ask, deployment

MATH = "integral of x^2"
OPEN = lm.LiteLLMControls(allow_overrides={"model", "policy"})
"""An operator who lets every client override the model and the policy."""
IMAGE = {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}
TOOLS = [
    {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object", "properties": {}}}}
]


def stated(dep_id: str, card_model: str, price: float, **facts: object) -> dict:
    """A deployment whose card states `facts` (tool_calling, vision, context_length) and a price."""
    dep = deployment("g", dep_id, card_model)
    card = make_card(card_model, [0.5], price=price)
    card = card.model_copy(update={"facts": card.facts.model_copy(update=facts)})
    dep["model_info"][lm.CARD_KEY] = card.model_dump(mode="json")
    return dep


@pytest.fixture
def zoo() -> list[dict]:
    """math (first on integrals, dear, short context, text only) and law (cheap, tools, images)."""
    return [
        stated("math", "math-model", 50.0, tool_calling=False, vision=False, context_length=50),
        stated("law", "law-model", 1.0, tool_calling=True, vision=True, context_length=100_000),
    ]


async def test_per_request_policy_is_honoured_where_allowed(make_method, zoo):
    router, _ = make_method(zoo, controls=OPEN)
    best = await router.acompletion(model="g", messages=ask(MATH))
    assert best._hidden_params["model_id"] == "math"
    cheap = await router.acompletion(
        model="g", messages=ask(MATH), metadata={"modelsat_policy": "cost-aware:0.05"}
    )
    assert cheap._hidden_params["model_id"] == "law"
    assert cheap._hidden_params["modelsat"]["policy"] == "cost-aware(lam=0.05)"
    lam = router.completion(model="g", messages=ask(MATH), metadata={"modelsat_lambda": 0.05})
    assert lam._hidden_params["model_id"] == "law"


async def test_a_request_can_name_its_deployment_where_allowed(make_method, zoo):
    router, _ = make_method(zoo, controls=OPEN)
    response = await router.acompletion(model="g", messages=ask(MATH), metadata={"modelsat_model": "law"})
    assert response._hidden_params["model_id"] == "law"


@pytest.mark.parametrize("metadata", [{"modelsat_policy": "cheapest"}, {"modelsat_model": "nope"}])
async def test_a_bad_per_request_option_is_a_400(make_method, zoo, metadata):
    router, _ = make_method(zoo, controls=OPEN)
    with pytest.raises(litellm.BadRequestError, match="Model-SAT: "):
        await router.acompletion(model="g", messages=ask(MATH), metadata=metadata)


async def test_tools_go_only_to_tool_callers(make_method, zoo):
    router, _ = make_method(zoo)
    response = await router.acompletion(model="g", messages=ask(MATH), tools=TOOLS)
    decision = response._hidden_params["modelsat"]
    assert response._hidden_params["model_id"] == "law"
    assert decision["excluded"] == {"math": ["no tool calling"]}


def test_long_requests_skip_short_contexts(make_method, zoo):
    router, _ = make_method(zoo)
    metadata: dict = {}
    router.completion(model="g", messages=ask(MATH), max_tokens=200, metadata=metadata)
    assert metadata["modelsat"]["chosen"] == "law"
    assert metadata["modelsat"]["excluded"]["math"][0].endswith("exceed its context of 50")


async def test_an_image_only_message_is_routed_on_the_cards(make_method, zoo):
    router, _ = make_method(zoo)
    response = await router.acompletion(model="g", messages=[{"role": "user", "content": [IMAGE]}])
    assert response._hidden_params["model_id"] == "law"


async def test_no_capable_deployment_is_a_400_naming_each(make_method, zoo):
    router, _ = make_method(zoo[:1])
    with pytest.raises(litellm.BadRequestError, match="math: no image input"):
        await router.acompletion(model="g", messages=[{"role": "user", "content": [IMAGE]}])


@pytest.mark.parametrize(
    ("messages", "got"),
    [("hello", "a str"), (["hello"], "item 0 is a str"), ([{"content": "hi"}], "item 0 has no role")],
)
async def test_messages_that_are_not_role_content_objects_are_a_400_saying_what_is_wrong(
    make_method, zoo, messages, got
):
    router, _ = make_method(zoo)
    with pytest.raises(litellm.BadRequestError) as caught:
        await router.acompletion(model="g", messages=messages)
    assert "Model-SAT: messages must be a list of {role, content} objects" in str(caught.value)
    assert got in str(caught.value) and "AttributeError" not in str(caught.value)
    with pytest.raises(litellm.BadRequestError, match="messages must be a list"):
        router.completion(model="g", messages=messages)


async def test_an_instruction_that_is_not_utf8_is_a_400_and_fails_alone(make_method, zoo):
    router, _ = make_method(zoo)
    with pytest.raises(litellm.BadRequestError, match="Model-SAT: instruction is not valid UTF-8 text"):
        await router.acompletion(model="g", messages=ask("an integral \udcff"))
    response = await router.acompletion(model="g", messages=ask(MATH))
    assert not response._hidden_params["modelsat"]["degraded"]


async def test_a_conversation_sticks_to_one_deployment_when_the_operator_asks(engine, zoo):
    from litellm import Router

    router = Router(model_list=zoo)
    lm.ModelSATRoutingStrategy.install(router, engine=engine, stickiness=Stickiness(ttl_s=600))
    first = {"modelsat_conversation": "c1"}
    await router.acompletion(model="g", messages=ask("a contract question"), metadata=first)
    later = {"modelsat_conversation": "c1"}
    await router.acompletion(model="g", messages=ask(MATH), metadata=later)
    alone: dict = {}
    await router.acompletion(model="g", messages=ask(MATH), metadata=alone)

    assert (first[lm.DECISION_KEY]["chosen"], first[lm.DECISION_KEY]["sticky"]) == ("law", False)
    assert (later[lm.DECISION_KEY]["chosen"], later[lm.DECISION_KEY]["sticky"]) == ("law", True)
    assert alone[lm.DECISION_KEY]["chosen"] == "math"
