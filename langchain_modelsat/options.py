"""Per-call routing options (`router_core.engine.call_options`) as LangChain carries them: the
`modelsat_*` keys of `config["configurable"]` or the same names as call arguments, and their specs."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from langchain_core.runnables import ConfigurableFieldSpec, RunnableConfig

from router_core.engine.call_options import KEYS, LAMBDA_KEY, MODEL_KEY, POLICY_KEY, CallOptions

__all__ = ["LAMBDA_KEY", "MODEL_KEY", "POLICY_KEY", "config_specs", "configured_options", "pop_call_options"]


def configured_options(config: RunnableConfig | None) -> dict[str, Any]:
    """The `modelsat_*` configurable keys that are set, as call arguments: a chat model's
    `_generate` sees its call's arguments, not its config."""
    configurable = (config or {}).get("configurable") or {}
    return {key: configurable[key] for key in KEYS if configurable.get(key) is not None}


def pop_call_options(kwargs: dict[str, Any], candidates: Collection[str]) -> CallOptions:
    """Take the routing options out of a call's arguments and check them; the standard `model`
    argument names a candidate like `modelsat_model`."""
    values = {key: kwargs.pop(key) for key in KEYS if key in kwargs}
    if "model" in kwargs:
        values.setdefault(MODEL_KEY, kwargs.pop("model"))
    return CallOptions.read(values, candidates)


def config_specs(candidates: list[str]) -> list[ConfigurableFieldSpec]:
    """Declares the keys so `config_schema()` and LangServe playgrounds show them."""
    return [
        ConfigurableFieldSpec(
            id=MODEL_KEY,
            annotation=str | None,
            name="Force model",
            description=f"Skip routing and call this candidate (one of {candidates}); no fallback",
            default=None,
        ),
        ConfigurableFieldSpec(
            id=POLICY_KEY,
            annotation=str | dict | None,
            name="Routing policy",
            description="best, cost-aware:LAMBDA, cost-aware:quality=Q or threshold:T",
            default=None,
        ),
        ConfigurableFieldSpec(
            id=LAMBDA_KEY,
            annotation=float | None,
            name="Cost weight",
            description="Route cost-aware with this lambda (USD per 1M tokens); shorthand for the policy",
            default=None,
        ),
    ]
