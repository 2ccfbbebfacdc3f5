"""Routers by name: options validated, lazy module paths, a checkpoint option for later routers."""

from __future__ import annotations

import pytest

from router_core.errors import ConfigError
from router_core.routers import BASELINES, make_router, option_names, register_router, registry, router_names
from router_core.routers.forest import RandomForestRouter
from router_core.routers.knn import KNNRouter
from router_core.routers.reference import RandomRouter


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
    assert set(BASELINES) <= set(router_names())
    for name in BASELINES:
        router = make_router(name)
        assert router.name == name


def test_options_are_validated() -> None:
    router = make_router("knn", k=5)
    assert isinstance(router, KNNRouter) and router.options.k == 5
    assert make_router("random-forest", trees=3).options.trees == 3
    with pytest.raises(ConfigError, match="router 'knn': k: Input should be greater than or equal to 1"):
        make_router("knn", k=0)
    with pytest.raises(ConfigError, match="router 'knn': bogus: Extra inputs are not permitted"):
        make_router("knn", bogus=1)
    with pytest.raises(ConfigError, match="unknown router 'nope'; known: random, best-single"):
        make_router("nope")


def test_option_names() -> None:
    assert "seed" in option_names("mlp")
    assert option_names("best-single") == set()
    assert "modelsat" not in BASELINES
    assert "checkpoint" in option_names("modelsat")  # what `modelsat eval --checkpoint` passes on


def test_lazy_registration_by_module_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_ROUTERS", dict(registry._ROUTERS))
    register_router("later", "router_core.routers.reference:RandomRouter")
    assert isinstance(make_router("later", seed=3), RandomRouter)
    register_router("broken", "router_core.no_such_module:Router")
    with pytest.raises(ConfigError, match="router 'broken' is registered as 'router_core.no_such_module"):
        make_router("broken")
    register_router("direct", RandomForestRouter)
    assert "direct" in router_names()
