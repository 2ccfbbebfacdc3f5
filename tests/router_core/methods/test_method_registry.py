"""Methods by name: options validated, lazy module paths, a checkpoint option for later methods."""

from __future__ import annotations

import pytest

from router_core.errors import ConfigError
from router_core.methods import BASELINES, make_method, method_names, option_names, register_method, registry
from router_core.methods.forest import RandomForestMethod
from router_core.methods.knn import KNNMethod
from router_core.methods.reference import RandomMethod


def test_every_baseline_is_registered_and_builds() -> None:
    assert BASELINES == (
        "random",
        "best-single",
        "oracle",
        "knn",
        "mlp",
        "random-forest",
        "matrix-factorization",
    )
    assert set(BASELINES) <= set(method_names())
    for name in BASELINES:
        method = make_method(name)
        assert method.name == name


def test_options_are_validated() -> None:
    method = make_method("knn", k=5)
    assert isinstance(method, KNNMethod) and method.options.k == 5
    assert make_method("random-forest", trees=3).options.trees == 3
    with pytest.raises(ConfigError, match="method 'knn': k: Input should be greater than or equal to 1"):
        make_method("knn", k=0)
    with pytest.raises(ConfigError, match="method 'knn': bogus: Extra inputs are not permitted"):
        make_method("knn", bogus=1)
    with pytest.raises(ConfigError, match="unknown method 'nope'; known: random, best-single"):
        make_method("nope")


def test_option_names() -> None:
    assert "seed" in option_names("mlp")
    assert option_names("best-single") == set()
    assert "modelsat" not in BASELINES
    assert "checkpoint" in option_names("modelsat")  # what `modelsat eval --checkpoint` passes on


def test_lazy_registration_by_module_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_METHODS", dict(registry._METHODS))
    register_method("later", "router_core.methods.reference:RandomMethod")
    assert isinstance(make_method("later", seed=3), RandomMethod)
    register_method("broken", "router_core.no_such_module:Method")
    with pytest.raises(ConfigError, match="method 'broken' is registered as 'router_core.no_such_module"):
        make_method("broken")
    register_method("direct", RandomForestMethod)
    assert "direct" in method_names()
