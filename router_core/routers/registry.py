"""Routers by name, for `make_router("knn", k=20)` and `modelsat eval --router knn`.

Entries are router classes or lazy "module:Class" paths, imported only when that router is made,
so torch or scikit-learn load only for the routers asked for. The Model-SAT router is one such
entry; its Options declare `checkpoint`, and `modelsat eval --checkpoint PATH` passes the path to
every selected router whose Options declare it. Other routers join with `register_router`.
"""

from __future__ import annotations

import importlib
from typing import Any

from pydantic import ValidationError

from router_core.embeddings import Embedder
from router_core.errors import ConfigError, validation_summary
from router_core.routers.base import Router

_PACKAGE = "router_core.routers"
_BASELINES = {
    "random": f"{_PACKAGE}.reference:RandomRouter",
    "best-single": f"{_PACKAGE}.reference:BestSingleRouter",
    "oracle": f"{_PACKAGE}.reference:OracleRouter",
    "knn": f"{_PACKAGE}.knn:KNNRouter",
    "mlp": f"{_PACKAGE}.mlp:MLPRouter",
    "random-forest": f"{_PACKAGE}.forest:RandomForestRouter",
    "matrix-factorization": f"{_PACKAGE}.matrix_factorization:MatrixFactorizationRouter",
}
BASELINES: tuple[str, ...] = tuple(_BASELINES)  # what `--router all` runs
_LITELLM = "litellm_modelsat.complexity_baseline"  # needs litellm, so not among the BASELINES of `all`
_ROUTERS: dict[str, type[Router] | str] = {
    **_BASELINES,
    "modelsat": f"{_PACKAGE}.modelsat:ModelSATBenchmarkRouter",
    "card-lookup": f"{_PACKAGE}.card_lookup:CardLookupRouter",  # reads a shipped test's families
    "litellm-complexity": f"{_LITELLM}:LiteLLMComplexityRouter",
    "litellm-complexity-cheap": f"{_LITELLM}:LiteLLMComplexityCheapRouter",
    "litellm-complexity-dear": f"{_LITELLM}:LiteLLMComplexityDearRouter",
}
# a router whose module cannot be imported for want of one of these packages names the extra to install
_EXTRAS = {"litellm": "litellm"}


def register_router(name: str, router: type[Router] | str) -> None:
    """Adds or replaces a router; `router` may be a "package.module:Class" path, imported on first use."""
    _ROUTERS[name] = router


def router_names() -> list[str]:
    return list(_ROUTERS)


def router_class(name: str) -> type[Router]:
    if name not in _ROUTERS:
        raise ConfigError(f"unknown router {name!r}; known: {', '.join(_ROUTERS)}")
    entry = _ROUTERS[name]
    if isinstance(entry, str):
        module, _, attr = entry.partition(":")
        try:
            entry = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            missing = (getattr(exc, "name", None) or "").partition(".")[0]
            hint = (
                f"; install it with pip install 'langchain-modelsat[{_EXTRAS[missing]}]'"
                if missing in _EXTRAS
                else ""
            )
            raise ConfigError(
                f"router {name!r} is registered as {_ROUTERS[name]!r}, which cannot be imported: {exc}{hint}"
            ) from exc
        _ROUTERS[name] = entry
    return entry


def option_names(name: str) -> set[str]:
    return set(router_class(name).Options.model_fields)


def make_router(name: str, *, embedder: Embedder | None = None, **options: Any) -> Router:
    """A router by name; `options` are checked against its Options; `embedder` serves routers that embed."""
    cls = router_class(name)
    try:
        return cls.from_options(options, embedder=embedder)
    except ValidationError as exc:
        raise ConfigError(f"router {name!r}: {validation_summary(exc, top='options')}") from None
