from __future__ import annotations

import numpy as np
import pytest

from router_core.engine import BestPolicy, CostAwarePolicy, ThresholdPolicy, parse_policy
from router_core.errors import ConfigError, NoModelChosenError

# three candidates: strong & expensive, decent & cheap, weak & nearly free
PROBS = np.array([0.9, 0.8, 0.3])
PRICES = [10.0, 1.0, 0.1]


def test_best_orders_by_probability():
    assert BestPolicy().order(PROBS, PRICES) == [0, 1, 2]


@pytest.mark.parametrize(("lam", "expected_first"), [(0.0, 0), (0.005, 0), (0.05, 1), (10.0, 2)])
def test_cost_aware_trades_probability_for_price(lam, expected_first):
    # objective: 0.9 - 10 lam, 0.8 - lam, 0.3 - 0.1 lam
    assert CostAwarePolicy(lam=lam).order(PROBS, PRICES)[0] == expected_first


@pytest.mark.parametrize(("quality", "expected_first"), [(1.0, 0), (0.85, 1), (0.3, 2)])
def test_cost_aware_target_quality_takes_the_cheapest_good_enough_frontier_model(quality, expected_first):
    order = CostAwarePolicy(target_quality=quality).order(PROBS, PRICES)
    assert order[0] == expected_first
    assert sorted(order) == [0, 1, 2]


def test_cost_aware_target_quality_skips_models_off_the_frontier():
    # candidate 1 is dominated: costs more than candidate 2 and is worse
    order = CostAwarePolicy(target_quality=0.5).order(np.array([0.9, 0.5, 0.6]), [10.0, 5.0, 1.0])
    assert order[0] == 2


def test_threshold_takes_the_cheapest_candidate_above_it_then_the_rest():
    assert ThresholdPolicy(threshold=0.75).order(PROBS, PRICES) == [1, 0, 2]


def test_threshold_with_no_candidate_says_so_or_falls_back_to_best():
    with pytest.raises(NoModelChosenError, match="0.95"):
        ThresholdPolicy(threshold=0.95).order(PROBS, PRICES)
    assert ThresholdPolicy(threshold=0.95, if_none="best").order(PROBS, PRICES) == [0, 1, 2]


def test_unknown_prices_use_the_configured_assumption():
    probs = np.array([0.8, 0.7])
    assert CostAwarePolicy(lam=0.1).order(probs, [None, 1.0]) == [0, 1]
    assert CostAwarePolicy(lam=0.1, unknown_price=5.0).order(probs, [None, 1.0]) == [1, 0]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("best", BestPolicy()),
        (None, BestPolicy()),
        ("cost-aware:0.05", CostAwarePolicy(lam=0.05)),
        ("cost-aware:quality=0.9", CostAwarePolicy(target_quality=0.9)),
        ("threshold:0.7", ThresholdPolicy(threshold=0.7)),
        (
            {"kind": "threshold", "threshold": 0.5, "if_none": "best"},
            ThresholdPolicy(threshold=0.5, if_none="best"),
        ),
    ],
)
def test_parse_policy(spec, expected):
    assert parse_policy(spec) == expected


@pytest.mark.parametrize(
    "spec", ["cheapest", "threshold", "threshold:high", "cost-aware:-1", {"kind": "cost-aware"}]
)
def test_parse_policy_rejects_bad_specs_clearly(spec):
    with pytest.raises(ConfigError, match="policy"):
        parse_policy(spec)


@pytest.mark.parametrize(
    "written", ["threshold:0.6", {"kind": "threshold", "threshold": 0.6}, ThresholdPolicy(threshold=0.6)]
)
def test_the_engine_config_holds_one_policy_type(written: object) -> None:
    """A policy is validated once where it is configured, and held as an object from then on."""
    from router_core.engine import EngineConfig

    config = EngineConfig(policy=written)
    assert config.policy == ThresholdPolicy(threshold=0.6)
    assert EngineConfig.model_validate(config.model_dump(mode="json")) == config
    assert hash(config) == hash(EngineConfig(policy="threshold:0.6"))  # engines are shared per config
