"""The strategy routes within the requested group, over healthy deployments, with LiteLLM's reliability."""

from __future__ import annotations

import asyncio
import json
import logging

import litellm_modelsat as lm
import pytest

from router_core.errors import CardError, ConfigError
from tests.fakes import make_card
from tests.integrations.litellm_modelsat.conftest import ask, deployment

MATH, LAW = "integral of x^2", "review this contract"


def zoo(group: str = "g", law_mock: str | None = None) -> list[dict]:
    return [deployment(group, "math", "math-model"), deployment(group, "law", "law-model", law_mock)]


def test_sync_completion_routes_by_instruction_and_records_decision(make_method):
    router, _ = make_method(zoo())
    metadata: dict = {}
    response = router.completion(model="g", messages=ask(LAW), metadata=metadata)
    assert response._hidden_params["model_id"] == "law"
    assert metadata["modelsat"]["chosen"] == "law"
    assert metadata["modelsat"]["model_group"] == "g"


async def test_acompletion_attaches_decision_to_hidden_params(make_method):
    router, _ = make_method(zoo())
    response = await router.acompletion(model="g", messages=ask(MATH))
    decision = response._hidden_params["modelsat"]
    assert response._hidden_params["model_id"] == decision["chosen"] == "math"
    assert decision["ranking"][0]["probability"] == pytest.approx(0.9)
    assert [c["model"] for c in decision["ranking"]] == ["math", "law"]


async def test_chooses_only_within_the_requested_group(make_method):
    router, _ = make_method(zoo("g") + [deployment("other", "law-2", "law-model")])
    response = await router.acompletion(model="g", messages=ask(LAW))
    assert response._hidden_params["model_id"] == "law"
    assert {r["model"] for r in response._hidden_params["modelsat"]["ranking"]} == {"math", "law"}


async def test_cooled_down_deployment_is_not_chosen(make_method):
    router, _ = make_method(zoo(), cooldown_time=60)
    router.cooldown_cache.add_deployment_to_cooldown(
        model_id="law", original_exception=Exception("down"), exception_status=429, cooldown_time=60
    )
    response = await router.acompletion(model="g", messages=ask(LAW))
    assert response._hidden_params["model_id"] == "math"
    assert response._hidden_params["modelsat"]["ranking"] == [
        {"model": "math", "probability": 0.2, "price": None}
    ]


def test_sync_path_skips_cooled_down_deployment(make_method):
    router, _ = make_method(zoo(), cooldown_time=60)
    router.cooldown_cache.add_deployment_to_cooldown(
        model_id="law", original_exception=Exception("down"), exception_status=429, cooldown_time=60
    )
    assert router.completion(model="g", messages=ask(LAW))._hidden_params["model_id"] == "math"


async def test_failed_choice_is_cooled_down_and_retry_takes_next_best(make_method):
    router, _ = make_method(zoo(law_mock="litellm.RateLimitError"), num_retries=1, allowed_fails=0)
    response = await router.acompletion(model="g", messages=ask(LAW))
    assert response._hidden_params["model_id"] == "math"
    # law cools down, so a call without retries goes straight to math instead of failing on law
    again = await router.acompletion(model="g", messages=ask(LAW), num_retries=0)
    assert again._hidden_params["model_id"] == "math"


async def test_fallback_hop_is_routed_within_the_fallback_group(make_method):
    broken = [deployment("broken", "gone", "law-model", "litellm.RateLimitError")]
    router, _ = make_method(zoo("g") + broken, num_retries=0, fallbacks=[{"broken": ["g"]}])
    response = await router.acompletion(model="broken", messages=ask(MATH))
    assert response._hidden_params["model_id"] == "math"


async def test_streaming_is_routed(make_method):
    router, _ = make_method(zoo())
    metadata: dict = {}
    stream = await router.acompletion(model="g", messages=ask(LAW), stream=True, metadata=metadata)
    text = "".join([chunk.choices[0].delta.content or "" async for chunk in stream])
    assert text == "answer from law"
    assert metadata["modelsat"]["chosen"] == "law"


def test_sync_streaming_is_routed(make_method):
    router, _ = make_method(zoo())
    stream = router.completion(model="g", messages=ask(MATH), stream=True)
    assert "".join(chunk.choices[0].delta.content or "" for chunk in stream) == "answer from math"


async def test_concurrent_acompletions_are_each_routed_correctly(make_method):
    router, _ = make_method(zoo())
    texts = [f"{MATH} #{i}" if i % 2 else f"{LAW} #{i}" for i in range(50)]
    responses = await asyncio.gather(*(router.acompletion(model="g", messages=ask(t)) for t in texts))
    got = [r._hidden_params["model_id"] for r in responses]
    assert got == ["math" if i % 2 else "law" for i in range(50)]
    assert all(r._hidden_params["modelsat"]["chosen"] == g for r, g in zip(responses, got, strict=True))


def test_deployment_without_card_fails_at_install_naming_it(make_method):
    bare = deployment("g", "nameless", "x")
    del bare["model_info"][lm.CARD_KEY]
    with pytest.raises(CardError, match="nameless.*model_name='g'"):
        make_method(zoo() + [bare])


async def test_cost_aware_policy_prefers_the_cheaper_close_candidate(engine):
    from litellm import Router

    cheap, dear = deployment("g", "cheap", "law-model"), deployment("g", "dear", "law-model")
    cheap["model_info"][lm.CARD_KEY] = make_card("law-model", [0.5], price=0.1).model_dump(mode="json")
    dear["model_info"][lm.CARD_KEY] = make_card("law-model", [0.5], price=10.0).model_dump(mode="json")
    router = Router(model_list=[dear, cheap])
    lm.ModelSATRoutingStrategy.install(router, engine=engine, policy="cost-aware:0.05")
    response = await router.acompletion(model="g", messages=ask(LAW))
    assert response._hidden_params["model_id"] == "cheap"
    assert response._hidden_params["modelsat"]["policy"].startswith("cost-aware")


def test_unknown_policy_fails_at_install(engine):
    from litellm import Router

    with pytest.raises(ConfigError):
        lm.ModelSATRoutingStrategy.install(Router(model_list=zoo()), engine=engine, policy="cheapest-please")


def test_shipped_card_name_is_accepted_and_unknown_one_is_named(make_method):
    shipped = deployment("g", "llama", "x")
    shipped["model_info"][lm.CARD_KEY] = "Meta-Llama-3_1-8B-Instruct"
    _, strategy = make_method([shipped])
    assert strategy.cards.for_deployments([shipped])["llama"].model == "Meta-Llama-3_1-8B-Instruct"
    shipped["model_info"][lm.CARD_KEY] = "No-Such-Model"
    shipped["model_info"]["id"] = "other"
    with pytest.raises(CardError, match="No-Such-Model"):
        make_method([shipped])


def test_logs_and_decisions_never_carry_an_api_key(make_method, caplog):
    secret = "sk-modelsat-test-secret"
    deployments = zoo()
    for d in deployments:
        d["litellm_params"]["api_key"] = secret
    router, _ = make_method(deployments)
    metadata: dict = {}
    with caplog.at_level(logging.DEBUG):
        router.completion(model="g", messages=ask(LAW), metadata=metadata)
    ours = [r.getMessage() for r in caplog.records if r.name.startswith(("litellm_modelsat", "router_core"))]
    assert any("-> deployment law" in line for line in ours), ours
    assert not any(secret in line for line in ours)
    assert secret not in json.dumps(metadata["modelsat"])
