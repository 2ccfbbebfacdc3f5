"""Per-call `configurable` keys: force a model, change the policy or the cost weight where the
router allows it, and lower its cost cap."""

from __future__ import annotations

import pytest

from langchain_modelsat import (
    LAMBDA_KEY,
    MAX_PRICE_KEY,
    METADATA_KEY,
    MODEL_KEY,
    POLICY_KEY,
    AllCandidatesFailedError,
    ConfigError,
    ModelSATRouter,
    OverrideRefusedError,
    RetrySettings,
)
from router_core.engine import CostAwarePolicy, OperatorControls, Stickiness
from tests.langchain_modelsat.fakes import RateLimitError, ScriptedChat

OPEN = OperatorControls(allow_overrides={"model", "policy"})


@pytest.fixture
def router(router: ModelSATRouter) -> ModelSATRouter:
    """The shared router, letting calls override the model and the policy."""
    return router.model_copy(update={"controls": OPEN})


def test_forcing_a_model_skips_routing(router: ModelSATRouter, scorer, law: ScriptedChat) -> None:
    answer = router.with_config(configurable={MODEL_KEY: "law-model"}).invoke("solve the integral")
    assert answer.content == "law answer here"
    metadata = answer.response_metadata[METADATA_KEY]
    assert (metadata["chosen"], metadata["policy"]) == ("law-model", "forced")
    assert scorer.calls == []


async def test_a_forced_model_has_no_fallback(
    router: ModelSATRouter, law: ScriptedChat, math: ScriptedChat
) -> None:
    law.errors.extend([RateLimitError("429")] * 3)
    with pytest.raises(AllCandidatesFailedError, match="all 1 attempts failed"):
        await router.ainvoke("a contract", {"configurable": {MODEL_KEY: "law-model"}})
    assert not math.log


def test_forcing_an_unknown_model_is_a_config_error(router: ModelSATRouter) -> None:
    with pytest.raises(ConfigError, match="gpt-9"):
        router.invoke("hi integral", {"configurable": {MODEL_KEY: "gpt-9"}})


@pytest.mark.parametrize(
    ("configurable", "policy"),
    [({POLICY_KEY: "cost-aware:0.05"}, "cost-aware(lam=0.05)"), ({LAMBDA_KEY: 0.05}, "cost-aware(lam=0.05)")],
)
async def test_policy_and_lambda_change_per_call(
    router: ModelSATRouter, configurable: dict, policy: str
) -> None:
    assert (await router.ainvoke("solve the integral")).content == "math answer here"
    cheap = await router.with_config(configurable=configurable).ainvoke("solve the integral")
    assert cheap.content == "law answer here"
    assert cheap.response_metadata[METADATA_KEY]["policy"] == policy


def test_router_default_policy(math: ScriptedChat, law: ScriptedChat, cards: dict, engine) -> None:
    router = ModelSATRouter(
        {"math-model": math, "law-model": law},
        cards=cards,
        engine=engine,
        policy="cost-aware:0.05",
        controls=OPEN,
    )
    assert router.invoke("solve the integral").content == "law answer here"
    assert (
        router.invoke("solve the integral", {"configurable": {POLICY_KEY: "best"}}).content
        == "math answer here"
    )


@pytest.mark.parametrize(
    "policy", ["cost-aware:0.05", {"kind": "cost-aware", "lam": 0.05}, CostAwarePolicy(lam=0.05)]
)
def test_a_policy_is_a_string_a_dict_or_an_object(
    policy: object, math: ScriptedChat, law: ScriptedChat, cards: dict, engine
) -> None:
    """What docs/langchain.md promises; the policy is checked once, here, and held as an object."""
    router = ModelSATRouter({"math-model": math, "law-model": law}, cards=cards, engine=engine, policy=policy)
    assert router.policy == CostAwarePolicy(lam=0.05)
    assert (
        router.invoke("solve the integral").response_metadata[METADATA_KEY]["policy"]
        == "cost-aware(lam=0.05)"
    )


def test_none_settings_are_the_defaults(math: ScriptedChat, law: ScriptedChat, cards: dict, engine) -> None:
    models = {"math-model": math, "law-model": law}
    router = ModelSATRouter(models, cards=cards, engine=engine, retry=None, controls=None)
    assert (router.retry, router.controls) == (RetrySettings(), OperatorControls())


def test_keys_are_declared(router: ModelSATRouter) -> None:
    assert {MODEL_KEY, POLICY_KEY, LAMBDA_KEY} <= {spec.id for spec in router.config_specs}


@pytest.mark.parametrize(
    ("configurable", "key"),
    [
        ({POLICY_KEY: "best"}, POLICY_KEY),
        ({LAMBDA_KEY: 0.05}, LAMBDA_KEY),
        ({MODEL_KEY: "math-model"}, MODEL_KEY),
    ],
)
async def test_overrides_are_refused_by_default(
    math: ScriptedChat, law: ScriptedChat, cards: dict, engine, configurable: dict, key: str
) -> None:
    router = ModelSATRouter({"math-model": math, "law-model": law}, cards=cards, engine=engine)
    with pytest.raises(OverrideRefusedError, match=f"{key} refused"):
        await router.ainvoke("a contract", {"configurable": configurable})
    with pytest.raises(OverrideRefusedError, match=f"{key} refused"):
        router.invoke("a contract", **configurable)
    assert math.log == law.log == []
    assert {spec.id for spec in router.config_specs} & {MODEL_KEY, POLICY_KEY, LAMBDA_KEY} == set()


def test_the_cost_cap_leaves_out_the_pricey_candidate(
    math: ScriptedChat, law: ScriptedChat, cards: dict, engine
) -> None:
    router = ModelSATRouter(
        {"math-model": math, "law-model": law},
        cards=cards,
        engine=engine,
        controls=OperatorControls(allow_overrides={"policy", "model"}, max_price=10),
    )
    answer = router.invoke("solve the integral", {"configurable": {POLICY_KEY: "best"}})
    metadata = answer.response_metadata[METADATA_KEY]
    assert answer.content == "law answer here" and metadata["chosen"] == "law-model"
    assert metadata["excluded"] == {"math-model": ["price 50 USD per 1M tokens is above the cost cap of 10"]}
    with pytest.raises(OverrideRefusedError, match="above the operator's cost cap of 10"):
        router.invoke("solve the integral", {"configurable": {MAX_PRICE_KEY: 100}})
    with pytest.raises(OverrideRefusedError, match="modelsat_model refused: 'math-model': price 50"):
        router.invoke("solve the integral", model="math-model")
    assert math.log == []


def test_a_copy_with_other_settings_routes_with_them(router: ModelSATRouter) -> None:
    assert router.invoke("solve the integral").content == "math answer here"
    cheap = router.model_copy(update={"policy": CostAwarePolicy(lam=0.05)})
    assert cheap.invoke("solve the integral").content == "law answer here"


def test_a_conversation_sticks_to_one_candidate_when_asked(
    math: ScriptedChat, law: ScriptedChat, cards: dict, engine
) -> None:
    models = {"math-model": math, "law-model": law}
    sticky = ModelSATRouter(models, cards=cards, engine=engine, stickiness=Stickiness())
    thread = {"configurable": {"thread_id": "t1"}}
    assert sticky.invoke("draft a contract", thread).content == "law answer here"
    answer = sticky.invoke("solve the integral", thread)
    assert answer.content == "law answer here" and answer.response_metadata[METADATA_KEY]["sticky"]
    assert sticky.invoke("solve the integral").content == "math answer here"  # no conversation
    plain = ModelSATRouter(models, cards=cards, engine=engine)
    plain.invoke("draft a contract", thread)
    assert plain.invoke("solve the integral", thread).content == "math answer here"  # off by default
