"""Capability cards of LiteLLM deployments, read from each deployment's `model_info`."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any

from router_core.cards import CapabilityCard
from router_core.engine import resolve_candidates
from router_core.errors import CardError

CARD_KEY = "modelsat_card"
"""model_info key holding a deployment's card: a shipped card's name or an inline card dict."""


def deployment_id(deployment: Mapping[str, Any]) -> str:
    """The Router's id of a deployment (model_info.id): candidates are deployments, not models,
    so two deployments sharing a card stay distinct."""
    return str((deployment.get("model_info") or {})["id"])


def _describe(deployment: Mapping[str, Any]) -> str:
    params = deployment.get("litellm_params") or {}
    return (
        f"deployment {deployment_id(deployment)!r} (model_name={deployment.get('model_name')!r}, "
        f"litellm_params.model={params.get('model')!r})"
    )


class DeploymentCards:
    """Resolves and caches deployment id -> card; deployments added to the Router later are
    resolved on first use, with the same errors."""

    def __init__(self) -> None:
        self._cards: dict[str, CapabilityCard] = {}
        self._lock = threading.Lock()

    def validate(self, deployments: Iterable[Mapping[str, Any]]) -> dict[str, CapabilityCard]:
        """Cards of all `deployments` at once, or one `CardError` naming every deployment without a
        card (meant for start-up, so a bad config fails before the first request)."""
        deployments = list(deployments)
        missing = [_describe(d) for d in deployments if CARD_KEY not in (d.get("model_info") or {})]
        if missing:
            raise CardError(
                f"no capability card in model_info.{CARD_KEY} for {'; '.join(missing)}: set it to a shipped "
                f"card name or an inline card, or onboard the model with `modelsat cards run --litellm-model`"
            )
        return self.for_deployments(deployments)

    def for_deployments(self, deployments: Iterable[Mapping[str, Any]]) -> dict[str, CapabilityCard]:
        """deployment id -> card, in the order given."""
        deployments = list(deployments)
        with self._lock:
            new = [d for d in deployments if deployment_id(d) not in self._cards]
            if new:
                self._cards.update(self._resolve(new))
            return {deployment_id(d): self._cards[deployment_id(d)] for d in deployments}

    @staticmethod
    def _resolve(deployments: list[Mapping[str, Any]]) -> dict[str, CapabilityCard]:
        refs = {
            deployment_id(d): (d.get("model_info") or {})[CARD_KEY]
            for d in deployments
            if CARD_KEY in (d.get("model_info") or {})
        }
        try:
            return resolve_candidates([deployment_id(d) for d in deployments], refs)
        except CardError as exc:
            named = "; ".join(_describe(d) for d in deployments)
            raise CardError(f"{exc} [deployments: {named}]") from exc
