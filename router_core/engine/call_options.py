"""Per-call routing options, read from whatever carries them: LangChain's `configurable`, call
arguments, or a LiteLLM request's `metadata`; and the operator's controls over them. One set of
keys and checks for both integrations, so a request is refused or capped the same way on either."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from router_core.cards.card import CapabilityCard
from router_core.engine.policies import Policy
from router_core.engine.requirements import over_cap
from router_core.errors import ConfigError, OverrideRefusedError, validation_summary

MODEL_KEY = "modelsat_model"
POLICY_KEY = "modelsat_policy"
LAMBDA_KEY = "modelsat_lambda"
MAX_PRICE_KEY = "modelsat_max_price"
CONVERSATION_KEY = "modelsat_conversation"
KEYS = (MODEL_KEY, POLICY_KEY, LAMBDA_KEY, MAX_PRICE_KEY, CONVERSATION_KEY)

Override = Literal["model", "policy"]
"""What an operator may let callers override: `model` (force a candidate) and `policy` (route under
another policy or lambda). Lowering the cost cap needs no permission: it can only save."""

OVERRIDDEN_BY: dict[str, Override] = {MODEL_KEY: "model", POLICY_KEY: "policy", LAMBDA_KEY: "policy"}
"""The override each per-call key exercises."""

_OVERRIDES = TypeAdapter(frozenset[Override])


class OperatorControls(BaseModel):
    """What whoever deploys the router lets each call change, and the most a chosen candidate may
    cost. Set in code or configuration, never by a request. The default is safe: no call may force a
    candidate or change the policy (such a request is refused), and there is no cost cap."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    allow_overrides: frozenset[Override] = Field(
        default=frozenset(),
        description="Per-call overrides every caller may use: model (modelsat_model, LangChain's "
        "model=), policy (modelsat_policy, modelsat_lambda). Default none: such a call is refused",
    )
    max_price: float | None = Field(
        default=None,
        gt=0,
        description="Cost cap in USD per 1M tokens (the card's blended price): a candidate above it, or "
        "without a price, is left out before ranking; a call may lower it (modelsat_max_price), never "
        "raise it. None: no cap",
    )


def read_overrides(value: Any, source: str) -> frozenset[Override]:
    """Overrides granted by an operator-written value (a list such as `["policy", "model"]`, e.g. a
    LiteLLM key's metadata); None grants none. A `ConfigError` naming `source` when it is not that."""
    if value is None:
        return frozenset()
    try:
        return _OVERRIDES.validate_python(value)
    except ValidationError as exc:
        raise ConfigError(
            f"{source} must be a list of overrides (model, policy): {validation_summary(exc)}"
        ) from exc


class CallOptions(BaseModel):
    """What one call asked for, once checked against the operator's controls: a forced candidate,
    its own policy, and the cost cap it routes under."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str | None = None
    policy: Policy | None = Field(
        default=None,
        description=f"The call's policy ({LAMBDA_KEY}: cost-aware with that lambda); None: the router's",
    )
    max_price: float | None = Field(
        default=None, gt=0, description="The call's cost cap: the operator's, or the caller's own when lower"
    )
    conversation: str | None = Field(
        default=None,
        min_length=1,
        description="The conversation the call belongs to, for per-conversation stickiness",
    )

    @classmethod
    def read(
        cls,
        values: Mapping[str, Any],
        candidates: Mapping[str, CapabilityCard],
        controls: OperatorControls | None = None,
        granted: Collection[Override] = (),
    ) -> CallOptions:
        """The `modelsat_*` keys of `values` (other keys belong to others), checked against the
        operator's `controls` plus the overrides `granted` to this caller (e.g. by its LiteLLM key),
        then against the call's candidates. An override the caller may not use, a cap above the
        operator's, or a forced candidate above the cap is an `OverrideRefusedError`; a bad value a
        `ConfigError` naming the key. Permission is checked first, so a refused caller learns
        nothing about the candidates."""
        controls = controls or OperatorControls()
        policy, lam = values.get(POLICY_KEY), values.get(LAMBDA_KEY)
        if policy is not None and lam is not None:
            raise ConfigError(f"set {POLICY_KEY} or {LAMBDA_KEY}, not both")
        if isinstance(lam, int | float) and lam < 0:
            raise ConfigError(f"{LAMBDA_KEY} must be >= 0, got {lam}")
        try:
            asked = cls(
                model=values.get(MODEL_KEY),
                policy=policy if lam is None else {"kind": "cost-aware", "lam": lam},
                max_price=values.get(MAX_PRICE_KEY),
                conversation=values.get(CONVERSATION_KEY),
            )
        except ValidationError as exc:
            raise ConfigError(f"invalid modelsat option: {validation_summary(exc)}") from exc
        allowed = controls.allow_overrides | frozenset(granted)
        for key, override in OVERRIDDEN_BY.items():
            if values.get(key) is not None and override not in allowed:
                raise OverrideRefusedError(
                    key,
                    f"the operator does not let this caller override the {override} (allowed: "
                    f"{', '.join(sorted(allowed)) or 'none'}); see docs/security.md",
                )
        if asked.model is not None and asked.model not in candidates:
            raise ConfigError(
                f"{MODEL_KEY}={asked.model!r} is not a candidate; choose one of {list(candidates)}"
            )
        cap = controls.max_price
        if asked.max_price is not None:
            if cap is not None and asked.max_price > cap:
                raise OverrideRefusedError(
                    MAX_PRICE_KEY,
                    f"{asked.max_price:g} is above the operator's cost cap of {cap:g} USD per 1M tokens; "
                    "a call may only lower it",
                )
            cap = asked.max_price
        if asked.model is not None and (over := over_cap(candidates[asked.model].price, cap)) is not None:
            raise OverrideRefusedError(MODEL_KEY, f"{asked.model!r}: {over}")
        return asked.model_copy(update={"max_price": cap})
