"""Carries each routing decision from the request metadata to the response the caller receives."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import litellm
from litellm.integrations.custom_logger import CustomLogger

from litellm_modelsat.decision import DECISION_KEY, decision_of


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
    call = decision_of(request_data)
    hidden = getattr(response, "_hidden_params", None)
    if call is not None and isinstance(hidden, dict):
        response._hidden_params = {**hidden, DECISION_KEY: call.metadata()}
