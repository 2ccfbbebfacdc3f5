"""Methods by name, for `make_method("knn", k=20)` and `modelsat eval --method knn`.

Entries are method classes or lazy "module:Class" paths, imported only when that method is made,
so torch or scikit-learn load only for the methods asked for. The Model-SAT method is one such
entry; its Options declare `checkpoint`, and `modelsat eval --checkpoint PATH` passes the path to
every selected method whose Options declare it. Other methods join with `register_method`.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from router_core.errors import ConfigError, validation_summary
from router_core.imports import import_object
from router_core.methods.base import RoutingMethod
from router_core.methods.embeddings import Embedder

_PACKAGE = "router_core.methods"
_BASELINES = {
    "random": f"{_PACKAGE}.reference:RandomMethod",
    "best-single": f"{_PACKAGE}.reference:BestSingleMethod",
    "oracle": f"{_PACKAGE}.reference:OracleMethod",
    "knn": f"{_PACKAGE}.knn:KNNMethod",
    "mlp": f"{_PACKAGE}.mlp:MLPMethod",
    "random-forest": f"{_PACKAGE}.forest:RandomForestMethod",
    "matrix-factorization": f"{_PACKAGE}.matrix_factorization:MatrixFactorizationMethod",
}
BASELINES: tuple[str, ...] = tuple(_BASELINES)  # what `--method all` runs
_LITELLM = "litellm_modelsat.complexity_baseline"  # needs litellm, so not among the BASELINES of `all`
_METHODS: dict[str, type[RoutingMethod] | str] = {
    **_BASELINES,
    "modelsat": f"{_PACKAGE}.modelsat:ModelSATMethod",
    "card-lookup": f"{_PACKAGE}.card_lookup:CardLookupMethod",  # reads a shipped test's families
    "litellm-complexity": f"{_LITELLM}:LiteLLMComplexityMethod",
    "litellm-complexity-cheap": f"{_LITELLM}:LiteLLMComplexityCheapMethod",
    "litellm-complexity-dear": f"{_LITELLM}:LiteLLMComplexityDearMethod",
}
# a method whose module cannot be imported for want of one of these packages names the extra to install
_EXTRAS = {"litellm": "litellm"}


def register_method(name: str, method: type[RoutingMethod] | str) -> None:
    """Adds or replaces a method; `method` may be a "package.module:Class" path, imported on first use."""
    _METHODS[name] = method


def method_names() -> list[str]:
    return list(_METHODS)


def method_class(name: str) -> type[RoutingMethod]:
    if name not in _METHODS:
        raise ConfigError(f"unknown method {name!r}; known: {', '.join(_METHODS)}")
    entry = _METHODS[name]
    if isinstance(entry, str):
        try:
            entry = import_object(entry)
        except (ImportError, AttributeError) as exc:
            missing = (getattr(exc, "name", None) or "").partition(".")[0]
            hint = (
                f"; install it with pip install 'langchain-modelsat[{_EXTRAS[missing]}]'"
                if missing in _EXTRAS
                else ""
            )
            raise ConfigError(
                f"method {name!r} is registered as {_METHODS[name]!r}, which cannot be imported: {exc}{hint}"
            ) from exc
        _METHODS[name] = entry
    return entry


def option_names(name: str) -> set[str]:
    return set(method_class(name).Options.model_fields)


def make_method(name: str, *, embedder: Embedder | None = None, **options: Any) -> RoutingMethod:
    """A method by name; `options` are checked against its Options; `embedder` serves methods that embed."""
    cls = method_class(name)
    try:
        return cls.from_options(options, embedder=embedder)
    except ValidationError as exc:
        raise ConfigError(f"method {name!r}: {validation_summary(exc, top='options')}") from None
