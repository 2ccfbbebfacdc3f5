"""Carries each routing decision from the request metadata to the response the caller receives."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import litellm
from litellm.integrations.custom_logger import CustomLogger

DECISION_KEY = "modelsat"
"""Key of the decision in request metadata and in `response._hidden_params`."""


def decision_of(request_data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The decision the strategy recorded for this request, if it routed it; `request_data` is a
    request's kwargs or a logging object's call details (which nest them under `litellm_params`)."""
    for data in (request_data, request_data.get("litellm_params")):
        for key in ("metadata", "litellm_metadata"):
            metadata = data.get(key) if isinstance(data, Mapping) else None
            if isinstance(metadata, Mapping) and DECISION_KEY in metadata:
                return metadata[DECISION_KEY]
    return None


class ModelSATCallback(CustomLogger):
    """Copies the decision to `response._hidden_params["modelsat"]` (async non-streaming calls).
    Every call, sync and streaming included, also keeps it in the request metadata under
    `modelsat`, which every logger sees and the caller's own `metadata` dict receives."""

    @classmethod
    def register(cls) -> None:
        """Add one instance to `litellm.callbacks`, unless one is there already."""
        if not any(isinstance(cb, ModelSATCallback) for cb in litellm.callbacks):
            litellm.logging_callback_manager.add_litellm_callback(cls())

    async def async_post_call_success_deployment_hook(
        self, request_data: dict, response: Any, call_type: Any
    ) -> Any:
        _attach(request_data, response)
        return response


def _attach(request_data: Mapping[str, Any], response: Any) -> None:
    decision = decision_of(request_data)
    hidden = getattr(response, "_hidden_params", None)
    if decision is not None and isinstance(hidden, dict):
        response._hidden_params = {**hidden, DECISION_KEY: decision}
