"""Per-call routing options, read from whatever carries them: LangChain's `configurable`, call
arguments, or a LiteLLM request's `metadata`. One set of keys and checks for both integrations."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from router_core.engine.policies import parse_policy
from router_core.errors import ConfigError

MODEL_KEY = "modelsat_model"
POLICY_KEY = "modelsat_policy"
LAMBDA_KEY = "modelsat_lambda"
KEYS = (MODEL_KEY, POLICY_KEY, LAMBDA_KEY)


class CallOptions(BaseModel):
    """What one call may override: force a candidate, or route under another policy / lambda."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str | None = None
    policy: str | dict | None = None
    lam: float | None = None

    @classmethod
    def read(cls, values: Mapping[str, Any], candidates: Collection[str]) -> CallOptions:
        """The `modelsat_*` keys of `values` (other keys belong to others), checked against the
        call's candidates; a bad value is a `ConfigError` naming the key."""
        try:
            options = cls(
                model=values.get(MODEL_KEY), policy=values.get(POLICY_KEY), lam=values.get(LAMBDA_KEY)
            )
        except ValidationError as exc:
            raise ConfigError(f"invalid modelsat option: {exc}") from exc
        if options.model is not None and options.model not in candidates:
            raise ConfigError(
                f"{MODEL_KEY}={options.model!r} is not a candidate; choose one of {list(candidates)}"
            )
        if options.policy is not None and options.lam is not None:
            raise ConfigError(f"set {POLICY_KEY} or {LAMBDA_KEY}, not both")
        if options.lam is not None and options.lam < 0:
            raise ConfigError(f"{LAMBDA_KEY} must be >= 0, got {options.lam}")
        if options.policy is not None:
            parse_policy(options.policy)  # an unknown policy fails with the others, before routing
        return options

    def policy_spec(self, default: Any) -> Any:
        """The policy this call routes under: `lam` means cost-aware with that lambda."""
        if self.lam is not None:
            return parse_policy({"kind": "cost-aware", "lam": self.lam})
        if self.policy is not None:
            return parse_policy(self.policy)
        return default
