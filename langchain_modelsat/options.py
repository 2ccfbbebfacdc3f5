"""Per-call routing options (`router_core.engine.call_options`) as LangChain carries them: the
`modelsat_*` keys of `config["configurable"]` or the same names as call arguments, and their specs.
The app developer is the operator here (`ModelSATRouter(controls=...)`); a call is the client."""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import ConfigurableFieldSpec, RunnableConfig

from router_core.engine import (
    CONVERSATION_KEY,
    KEYS,
    LAMBDA_KEY,
    MAX_PRICE_KEY,
    MODEL_KEY,
    POLICY_KEY,
    OperatorControls,
)

__all__ = [
    "CONVERSATION_KEY",
    "LAMBDA_KEY",
    "MAX_PRICE_KEY",
    "MODEL_KEY",
    "POLICY_KEY",
    "config_specs",
    "configured_options",
    "pop_call_options",
]


def configured_options(config: RunnableConfig | None) -> dict[str, Any]:
    """The `modelsat_*` configurable keys that are set, as call arguments: a chat model's
    `_generate` sees its call's arguments, not its config. A LangGraph `thread_id` names the
    conversation unless `modelsat_conversation` does."""
    configurable = (config or {}).get("configurable") or {}
    options = {key: configurable[key] for key in KEYS if configurable.get(key) is not None}
    if isinstance(thread := configurable.get("thread_id"), str | int):
        options.setdefault(CONVERSATION_KEY, str(thread))
    return options


def pop_call_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Take the routing options out of a call's arguments (the core checks them); the standard
    `model` argument names a candidate like `modelsat_model`."""
    values = {key: kwargs.pop(key) for key in KEYS if key in kwargs}
    if "model" in kwargs:
        values.setdefault(MODEL_KEY, kwargs.pop("model"))
    return values


def config_specs(candidates: list[str], controls: OperatorControls) -> list[ConfigurableFieldSpec]:
    """Declares the keys a call may set under `controls`, so `config_schema()` and LangServe
    playgrounds show them and no other."""
    specs = [
        ConfigurableFieldSpec(
            id=MAX_PRICE_KEY,
            annotation=float | None,
            name="Cost cap",
            description="Leave out candidates above this price (USD per 1M tokens); may only lower "
            "the router's own cap",
            default=None,
        ),
        ConfigurableFieldSpec(
            id=CONVERSATION_KEY,
            annotation=str | None,
            name="Conversation",
            description="The conversation this call belongs to (default: thread_id); with the "
            "router's stickiness on, its calls stay on one model",
            default=None,
        ),
    ]
    if "model" in controls.allow_overrides:
        specs.append(
            ConfigurableFieldSpec(
                id=MODEL_KEY,
                annotation=str | None,
                name="Force model",
                description=f"Skip routing and call this candidate (one of {candidates}); no fallback",
                default=None,
            )
        )
    if "policy" in controls.allow_overrides:
        specs += [
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
    return specs
