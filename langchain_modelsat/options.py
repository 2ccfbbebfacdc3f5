"""Per-call routing options: the `modelsat_*` keys of `config["configurable"]` (or the same names
as call arguments), and their declared specs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.runnables import ConfigurableFieldSpec, RunnableConfig
from pydantic import BaseModel, ConfigDict, ValidationError

from router_core.engine import parse_policy
from router_core.errors import ConfigError

MODEL_KEY = "modelsat_model"
POLICY_KEY = "modelsat_policy"
LAMBDA_KEY = "modelsat_lambda"
_KEYS = (MODEL_KEY, POLICY_KEY, LAMBDA_KEY)


class CallOptions(BaseModel):
    """What one call may override: force a candidate, or route under another policy / lambda."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str | None = None
    policy: str | dict | None = None
    lam: float | None = None

    @staticmethod
    def kwargs_from(config: RunnableConfig | None) -> dict[str, Any]:
        """The `modelsat_*` configurable keys that are set, as call arguments: a chat model's
        `_generate` sees its call's arguments, not its config."""
        configurable = (config or {}).get("configurable") or {}
        return {key: configurable[key] for key in _KEYS if configurable.get(key) is not None}

    @classmethod
    def pop_from(cls, kwargs: dict[str, Any], candidates: Mapping[str, Any]) -> CallOptions:
        """Take the routing options out of a call's arguments and check them; the standard `model`
        argument names a candidate like `modelsat_model`."""
        forced = kwargs.pop(MODEL_KEY, None) or kwargs.pop("model", None)
        try:
            options = cls(model=forced, policy=kwargs.pop(POLICY_KEY, None), lam=kwargs.pop(LAMBDA_KEY, None))
        except ValidationError as exc:
            raise ConfigError(f"invalid modelsat configurable value: {exc}") from exc
        if options.model is not None and options.model not in candidates:
            raise ConfigError(
                f"{MODEL_KEY}={options.model!r} is not a candidate; choose one of {list(candidates)}"
            )
        if options.policy is not None and options.lam is not None:
            raise ConfigError(f"set {POLICY_KEY} or {LAMBDA_KEY}, not both")
        if options.lam is not None and options.lam < 0:
            raise ConfigError(f"{LAMBDA_KEY} must be >= 0, got {options.lam}")
        return options

    def policy_spec(self, default: Any) -> Any:
        """The policy this call routes under: `lam` means cost-aware with that lambda."""
        if self.lam is not None:
            return parse_policy({"kind": "cost-aware", "lam": self.lam})
        if self.policy is not None:
            return parse_policy(self.policy)
        return default


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
