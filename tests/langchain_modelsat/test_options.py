"""The `modelsat_*` configurable keys, and the router's controls over them."""

from __future__ import annotations

import pytest

from langchain_modelsat import (
    CONVERSATION_KEY,
    LAMBDA_KEY,
    MAX_PRICE_KEY,
    MODEL_KEY,
    POLICY_KEY,
    ConfigError,
    OverrideRefusedError,
)
from langchain_modelsat.options import config_specs, configured_options, pop_call_options
from router_core.engine import BestPolicy, CallOptions, CostAwarePolicy, OperatorControls, ThresholdPolicy
from tests.fakes import make_card

CANDIDATES = {"a": make_card("a", [0.5], price=1.0), "b": make_card("b", [0.5], price=20.0)}
OPEN = OperatorControls(allow_overrides={"model", "policy"})


def _options(controls: OperatorControls = OPEN, **configurable: object) -> CallOptions:
    return _read(configured_options({"configurable": configurable}), controls)


def _read(kwargs: dict, controls: OperatorControls) -> CallOptions:
    return CallOptions.read(pop_call_options(kwargs), CANDIDATES, controls)


def test_no_keys_means_the_router_defaults() -> None:
    options = _options(other_runnable_key=1)
    assert (options.model, options.policy, options.conversation) == (None, None, None)


def test_a_langgraph_thread_names_the_conversation() -> None:
    assert _options(thread_id="t1").conversation == "t1"
    assert _options(thread_id="t1", **{CONVERSATION_KEY: "c1"}).conversation == "c1"


def test_policy_and_lambda_override_the_default() -> None:
    assert _options(**{POLICY_KEY: "threshold:0.7"}).policy == ThresholdPolicy(threshold=0.7)
    assert _options(**{POLICY_KEY: {"kind": "best"}}).policy == BestPolicy()
    assert _options(**{LAMBDA_KEY: 0.05}).policy == CostAwarePolicy(lam=0.05)


@pytest.mark.parametrize(
    ("configurable", "message"),
    [
        ({MODEL_KEY: "c"}, "not a candidate"),
        ({POLICY_KEY: "best", LAMBDA_KEY: 0.1}, "not both"),
        ({LAMBDA_KEY: -1.0}, ">= 0"),
        ({LAMBDA_KEY: "cheap"}, "invalid modelsat"),
    ],
)
def test_bad_values_are_config_errors(configurable: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _options(**configurable)


def test_unknown_policy_fails_when_read() -> None:
    with pytest.raises(ConfigError, match="unknown policy"):
        _options(**{POLICY_KEY: "cheapest"})


@pytest.mark.parametrize("configurable", [{MODEL_KEY: "a"}, {POLICY_KEY: "best"}, {LAMBDA_KEY: 0.0}])
def test_overrides_are_refused_unless_the_router_allows_them(configurable: dict) -> None:
    (key,) = configurable
    with pytest.raises(OverrideRefusedError, match=f"{key} refused: .* \\(allowed: none\\)"):
        _options(OperatorControls(), **configurable)
    with pytest.raises(OverrideRefusedError, match="allowed: policy"):
        _read({"model": "a"}, OperatorControls(allow_overrides={"policy"}))


def test_a_call_may_lower_the_cost_cap_but_not_raise_it() -> None:
    capped = OperatorControls(max_price=10)
    assert _options(capped).max_price == 10 and _options(capped, **{MAX_PRICE_KEY: 2}).max_price == 2
    assert _options(OperatorControls(), **{MAX_PRICE_KEY: 2}).max_price == 2
    with pytest.raises(OverrideRefusedError, match="above the operator's cost cap of 10"):
        _options(capped, **{MAX_PRICE_KEY: 11})
    with pytest.raises(
        OverrideRefusedError, match="'b': price 20 USD per 1M tokens is above the cost cap of 10"
    ):
        _options(OPEN.model_copy(update={"max_price": 10}), **{MODEL_KEY: "b"})


def test_only_the_allowed_keys_are_declared() -> None:
    assert [s.id for s in config_specs(["a"], OperatorControls())] == [MAX_PRICE_KEY, CONVERSATION_KEY]
    assert {s.id for s in config_specs(["a"], OPEN)} == {
        MAX_PRICE_KEY,
        CONVERSATION_KEY,
        MODEL_KEY,
        POLICY_KEY,
        LAMBDA_KEY,
    }
