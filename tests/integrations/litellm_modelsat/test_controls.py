"""The operator's controls on LiteLLM (issue #22, item 2): per-request overrides are refused unless
the operator allows them, for everyone or per virtual key / team through LiteLLM's own metadata,
and a cost cap that no request can lift."""

from __future__ import annotations

import litellm
import litellm_modelsat as lm
import pytest
from litellm_modelsat.proxy import ProxySettings

from router_core.engine import CostAwarePolicy
from tests.fakes import make_card
from tests.integrations.litellm_modelsat.conftest import ask, deployment

MATH = "integral of x^2"


def priced(dep_id: str, card_model: str, price: float | None) -> dict:
    dep = deployment("g", dep_id, card_model)
    dep["model_info"][lm.CARD_KEY] = make_card(card_model, [0.5], price=price).model_dump(mode="json")
    return dep


@pytest.fixture
def zoo() -> list[dict]:
    """math: first on integrals and dear; law: cheap."""
    return [priced("math", "math-model", 50.0), priced("law", "law-model", 1.0)]


def key(*overrides: str) -> dict:
    """Request metadata as the proxy fills it for a virtual key whose metadata grants `overrides`."""
    return {"user_api_key_metadata": {lm.GRANT_KEY: list(overrides)}}


@pytest.mark.parametrize(
    ("metadata", "refused"),
    [
        ({"modelsat_policy": "best"}, "modelsat_policy"),
        ({"modelsat_lambda": 0.0}, "modelsat_lambda"),
        ({"modelsat_model": "math"}, "modelsat_model"),
    ],
)
async def test_overrides_are_refused_by_default_naming_the_key(make_method, zoo, metadata, refused):
    router, _ = make_method(zoo, controls=lm.LiteLLMControls(max_price=100))
    with pytest.raises(litellm.BadRequestError) as caught:
        await router.acompletion(model="g", messages=ask(MATH), metadata=metadata)
    message = str(caught.value)
    assert f"Model-SAT: {refused} refused: the operator does not let this caller override" in message
    assert "(allowed: none)" in message and "law" not in message  # no candidate list for a refused caller
    with pytest.raises(litellm.BadRequestError, match=f"{refused} refused"):
        router.completion(model="g", messages=ask(MATH), metadata=metadata)


async def test_a_key_whose_metadata_allows_the_policy_may_change_it(make_method, zoo):
    router, _ = make_method(zoo, controls=lm.LiteLLMControls(grants_from={"key"}))
    cheap = {"modelsat_policy": "cost-aware:0.05"}
    response = await router.acompletion(model="g", messages=ask(MATH), metadata={**cheap, **key("policy")})
    assert response._hidden_params["model_id"] == "law"
    assert response._hidden_params["modelsat"]["policy"] == "cost-aware(lam=0.05)"
    with pytest.raises(litellm.BadRequestError, match="modelsat_policy refused"):
        await router.acompletion(model="g", messages=ask(MATH), metadata={**cheap, **key("model")})
    forced = await router.acompletion(
        model="g", messages=ask(MATH), metadata={"modelsat_model": "law", **key("model")}
    )
    assert forced._hidden_params["model_id"] == "law"


async def test_grants_count_only_from_the_sources_the_operator_trusts(make_method, zoo):
    team_only = lm.LiteLLMControls(grants_from={"team"})
    router, _ = make_method(zoo, controls=team_only)
    request = {"modelsat_policy": "cost-aware:0.05"}
    with pytest.raises(litellm.BadRequestError, match="modelsat_policy refused"):
        await router.acompletion(model="g", messages=ask(MATH), metadata={**request, **key("policy")})
    team = {"user_api_key_team_metadata": {lm.GRANT_KEY: ["policy"]}}
    response = await router.acompletion(model="g", messages=ask(MATH), metadata={**request, **team})
    assert response._hidden_params["model_id"] == "law"
    bad = {"user_api_key_team_metadata": {lm.GRANT_KEY: ["everything"]}}
    with pytest.raises(litellm.BadRequestError, match="team metadata's modelsat_allow_overrides"):
        await router.acompletion(model="g", messages=ask(MATH), metadata={**request, **bad})


async def test_the_cost_cap_leaves_out_a_pricey_deployment_before_ranking(make_method, zoo):
    router, _ = make_method(zoo, controls=lm.LiteLLMControls(max_price=10))
    response = await router.acompletion(model="g", messages=ask(MATH))
    decision = response._hidden_params["modelsat"]
    assert response._hidden_params["model_id"] == "law" and [r["model"] for r in decision["ranking"]] == [
        "law"
    ]
    assert decision["excluded"] == {"math": ["price 50 USD per 1M tokens is above the cost cap of 10"]}


async def test_no_request_can_lift_the_cost_cap(make_method, zoo):
    anything = lm.LiteLLMControls(allow_overrides={"model", "policy"}, max_price=10)
    router, _ = make_method(zoo, controls=anything)
    with pytest.raises(
        litellm.BadRequestError, match="modelsat_max_price refused: 100 is above the operator's"
    ):
        await router.acompletion(model="g", messages=ask(MATH), metadata={"modelsat_max_price": 100})
    with pytest.raises(litellm.BadRequestError, match="modelsat_model refused: 'math': price 50"):
        await router.acompletion(model="g", messages=ask(MATH), metadata={"modelsat_model": "math"})
    best = await router.acompletion(model="g", messages=ask(MATH), metadata={"modelsat_policy": "best"})
    assert best._hidden_params["model_id"] == "law"


async def test_a_request_may_lower_the_cap(make_method, zoo):
    router, _ = make_method(zoo)
    response = await router.acompletion(model="g", messages=ask(MATH), metadata={"modelsat_max_price": 2})
    assert response._hidden_params["model_id"] == "law"
    assert "math" in response._hidden_params["modelsat"]["excluded"]
    with pytest.raises(
        litellm.BadRequestError, match=r"no candidate can serve this request \(~\d+ tokens, price <= 0.5\)"
    ):
        await router.acompletion(model="g", messages=ask(MATH), metadata={"modelsat_max_price": 0.5})


async def test_a_deployment_without_a_price_is_left_out_under_a_cap(make_method):
    router, _ = make_method(
        [priced("math", "math-model", None), priced("law", "law-model", 1.0)],
        controls=lm.LiteLLMControls(max_price=10),
    )
    response = await router.acompletion(model="g", messages=ask(MATH))
    assert response._hidden_params["model_id"] == "law"
    assert response._hidden_params["modelsat"]["excluded"]["math"][0].startswith("no price on its card")


def test_the_proxy_reads_the_controls_from_modelsat_settings():
    settings = ProxySettings.model_validate(
        {
            "policy": "cost-aware:0.05",
            "allow_overrides": ["policy"],
            "grants_from": ["team"],
            "max_price": 2.5,
        }
    )
    assert settings.controls == lm.LiteLLMControls(
        allow_overrides={"policy"}, grants_from={"team"}, max_price=2.5
    )
    assert (
        settings.engine.policy == CostAwarePolicy(lam=0.05)
        and "max_price" not in settings.engine.model_fields_set
    )
    assert ProxySettings().controls == lm.LiteLLMControls()  # safe by default: nothing, no cap
    with pytest.raises(ValueError, match="allow_overrides"):
        ProxySettings.model_validate({"allow_overrides": ["lambda"]})


async def test_the_proxy_writes_the_key_metadata_a_client_cannot_forge():
    """LiteLLM's own request set-up (the pinned litellm) fills `user_api_key_metadata` from the key's
    record and drops a forged one, so a grant can only come from whoever edits the key."""
    from unittest.mock import MagicMock

    from litellm.proxy._types import UserAPIKeyAuth
    from litellm.proxy.litellm_pre_call_utils import add_litellm_data_to_request

    request = MagicMock()
    request.url.path = "/chat/completions"
    request.headers = {}
    request.query_params = {}
    forged = {"modelsat_policy": "best", "user_api_key_metadata": {lm.GRANT_KEY: ["policy"]}}
    data = {"model": "g", "messages": ask(MATH), "metadata": forged}
    data = await add_litellm_data_to_request(
        data, request, UserAPIKeyAuth(api_key="hashed", metadata={}), proxy_config=MagicMock()
    )
    metadata = data["metadata"]
    assert metadata["modelsat_policy"] == "best" and metadata["user_api_key_metadata"] == {}
    assert lm.LiteLLMControls(grants_from={"key"}).granted(metadata) == frozenset()


async def test_naming_a_deployment_by_its_id_is_forcing_it(make_method, zoo):
    """LiteLLM's own way of naming one deployment (its id as `model`) is held to the same rules as
    modelsat_model: refused unless allowed, and never above the cost cap."""
    router, _ = make_method(zoo)
    with pytest.raises(
        litellm.BadRequestError, match="model 'law' names one deployment.*modelsat_model refused"
    ):
        await router.acompletion(model="law", messages=ask(MATH))
    with pytest.raises(litellm.BadRequestError, match="modelsat_model refused"):
        router.completion(model="law", messages=ask(MATH))
    router, _ = make_method(zoo, controls=lm.LiteLLMControls(allow_overrides={"model"}, max_price=10))
    assert (await router.acompletion(model="law", messages=ask(MATH)))._hidden_params["model_id"] == "law"
    with pytest.raises(
        litellm.BadRequestError, match="'math': price 50 USD per 1M tokens is above the cost cap"
    ):
        await router.acompletion(model="math", messages=ask(MATH))
