"""The decision the strategy records for each call it routes, and the one way to read it back.

It travels JSON-ready (`RoutedCall.metadata()`) in the request metadata and in
`response._hidden_params`: the caller's own `metadata` dict and every LiteLLM logger receive it,
and a logger that `json.dumps` the metadata fails on an object. `decision_of` validates it back,
so no reader handles the raw dict.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from router_core.engine import RoutingDecision

DECISION_KEY = "modelsat"
"""Key of the decision in request metadata and in `response._hidden_params`."""


class RoutedCall(BaseModel):
    """A routing decision and the model group it was made in."""

    model_config = ConfigDict(frozen=True)

    decision: RoutingDecision
    model_group: str

    def metadata(self) -> dict[str, Any]:
        """The shape users read: the core's decision summary plus `model_group`."""
        return {**self.decision.metadata(), "model_group": self.model_group}

    @classmethod
    def from_metadata(cls, data: Mapping[str, Any]) -> RoutedCall:
        """The call `metadata()` describes; `KeyError`, `TypeError` or `ValueError` (pydantic's
        `ValidationError`) where `data` is not such a summary."""
        return cls(decision=RoutingDecision.from_metadata(dict(data)), model_group=data["model_group"])

    def record(self, metadata: MutableMapping[str, Any]) -> None:
        """Write this call into request metadata, where loggers and the caller find it."""
        metadata[DECISION_KEY] = self.metadata()


def decision_of(request_data: Mapping[str, Any], response: Any = None) -> RoutedCall | None:
    """The decision behind a call: the one attached to `response` (the hop that answered), else
    the one recorded in the request; `request_data` is a request's kwargs or a logging object's
    call details (which nest them under `litellm_params`). None where the strategy routed nothing,
    or where the entry is no decision: a proxy client may send any metadata key."""
    hidden = getattr(response, "_hidden_params", None)
    attached = hidden.get(DECISION_KEY) if isinstance(hidden, Mapping) else None
    return _validated(attached if attached is not None else _recorded(request_data))


def _recorded(request_data: Mapping[str, Any]) -> object:
    for data in (request_data, request_data.get("litellm_params")):
        for key in ("metadata", "litellm_metadata"):
            metadata = data.get(key) if isinstance(data, Mapping) else None
            if isinstance(metadata, Mapping) and DECISION_KEY in metadata:
                return metadata[DECISION_KEY]
    return None


def _validated(entry: object) -> RoutedCall | None:
    if not isinstance(entry, Mapping):
        return None
    try:
        return RoutedCall.from_metadata(entry)
    except (KeyError, TypeError, ValueError):
        return None
