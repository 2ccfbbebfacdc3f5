"""Inference with a loaded router: Pr(Yes) for instructions x cards.

`ModelSATScorer` caches each card's capability embeddings by the card's content (encoded once,
again only when the card changes) and averages over shuffled task orders when asked. The engine,
the benchmark router and validation during training all score through it; `score` applies the
router's calibration (`router_core.model.calibration`), `logits` gives the raw logits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from router_core.cache import LRUCache
from router_core.cards.card import CapabilityCard
from router_core.errors import CardError
from router_core.model.calibration import pr_yes
from router_core.model.network import ModelSATModel


class ModelSATScorer:
    def __init__(
        self, model: ModelSATModel, perturbations: int = 0, batch_size: int = 16, card_cache: int = 1024
    ) -> None:
        self.model = model.eval()
        self.aptitude_version = model.aptitude_version
        self.perturbations = perturbations
        self.batch_size = batch_size
        self._capabilities: LRUCache[Any] = LRUCache(card_cache)

    def _refuse_foreign_cards(self, cards: Sequence[CapabilityCard]) -> None:
        """A router reads cards of the aptitude test it was trained with only."""
        version = self.aptitude_version
        foreign = [card.model for card in cards if version is not None and card.aptitude_version != version]
        if foreign:
            raise CardError(
                f"this router reads cards of aptitude test {version!r}; the cards of {foreign} come "
                f"from another test: use the shipped cards of {version!r} or measure the models again "
                "with `modelsat cards run`"
            )

    def card_state(self, card: CapabilityCard, seed: int | None) -> Any:
        key = (card.fingerprint, seed)
        cached = self._capabilities.get(key)
        if cached is None:
            with torch.inference_mode():
                order = None if seed is None else card.shuffled_order(seed)
                cached = self.model.card_state(card, order)
            self._capabilities.put(key, cached)
        return cached

    def logits(
        self,
        instructions: Sequence[str],
        cards: Sequence[CapabilityCard],
        seed: int | None = None,
        progress: bool | None = None,
    ) -> torch.Tensor:
        """Raw (uncalibrated) Yes-minus-No logits for instructions x cards, the cards' tasks in the
        order of `seed` (None: as listed). What a calibration is fitted on."""
        self._refuse_foreign_cards(cards)
        if progress is None:
            progress = len(instructions) > 10 * self.batch_size  # a benchmark, not a routing call
        with torch.inference_mode():
            states = [self.card_state(card, seed) for card in cards]
            return self.model.score_logits(list(instructions), states, self.batch_size, progress)

    def score(self, instructions: Sequence[str], cards: Sequence[CapabilityCard]) -> np.ndarray:
        """Pr(Yes) for instructions x cards, calibrated by the router's `config.calibration`."""
        perturb = self.perturbations and not self.model.order_invariant
        seeds: list[int | None] = list(range(self.perturbations)) if perturb else [None]
        calibration = self.model.config.calibration
        probabilities = [pr_yes(self.logits(instructions, cards, seed), calibration) for seed in seeds]
        return torch.stack(probabilities).mean(0).float().cpu().numpy()
