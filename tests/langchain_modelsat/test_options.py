"""The `modelsat_*` configurable keys."""

from __future__ import annotations

import pytest

from langchain_modelsat import LAMBDA_KEY, MODEL_KEY, POLICY_KEY, ConfigError
from langchain_modelsat.options import configured_options, pop_call_options
from router_core.engine import CostAwarePolicy, ThresholdPolicy
from router_core.engine.call_options import CallOptions

CANDIDATES = {"a": None, "b": None}


def _options(**configurable: object) -> CallOptions:
    return pop_call_options(configured_options({"configurable": configurable}), CANDIDATES)


def test_no_keys_means_the_router_defaults() -> None:
    options = _options(other_runnable_key=1)
    assert (options.model, options.policy_spec("default")) == (None, "default")


def test_policy_and_lambda_override_the_default() -> None:
    assert _options(**{POLICY_KEY: "threshold:0.7"}).policy_spec(None) == ThresholdPolicy(threshold=0.7)
    assert _options(**{LAMBDA_KEY: 0.05}).policy_spec(None) == CostAwarePolicy(lam=0.05)


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


def test_unknown_policy_fails_when_used() -> None:
    with pytest.raises(ConfigError, match="unknown policy"):
        _options(**{POLICY_KEY: "cheapest"}).policy_spec(None)
