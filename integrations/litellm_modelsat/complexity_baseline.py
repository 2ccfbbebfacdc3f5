"""LiteLLM's own complexity router as a benchmark baseline: `modelsat eval --method litellm-complexity`.

This is the router LiteLLM users already have (`model: auto_router/complexity_router`). Nothing of it
is re-implemented here: every instruction is classified by LiteLLM's installed rule-based scorer,
`litellm.router_strategy.complexity_router.ComplexityRouter.classify` (written against litellm
1.106.2), with its default configuration unless `complexity_router_config` says otherwise. That
scorer weighs seven signals of the text (length at ~4 characters a token, code keywords, reasoning
markers, technical terms, simple indicators, multi-step patterns, question marks), maps the sum to
SIMPLE < 0.15 <= MEDIUM < 0.35 <= COMPLEX < 0.60 <= REASONING, and promotes a request with two or more
reasoning markers to REASONING once it clears the SIMPLE boundary. No model is called.

What a LiteLLM user writes by hand, the `tiers:` map from tier to model, is made here from the zoo's
capability cards: candidates are ordered by blended price (`card.price`; equal prices by
`card.mean_accuracy`, then name), the simplest tier gets the cheapest and the hardest tier the
dearest, and the tiers between fall on the price order by one of three presets (`map`):

- `spread` (default): evenly, tier k of 4 at position k/3 of the way from cheapest to dearest;
- `cheap`: at (k/3)**2, so MEDIUM and COMPLEX lean to cheaper models;
- `dear`: at 1 - (1 - k/3)**2, so MEDIUM and COMPLEX lean to dearer models.

When any candidate's card has no price, all candidates are ordered by card mean accuracy instead
(the least accurate standing in for the cheapest), since prices cannot be compared.

`score` gives the mapped model 0 and every other candidate minus its distance from it in that
order (twice the distance, plus one on the cheaper side, so at equal distance the dearer one comes
first): the benchmark's argmax picks the mapped model, and falls back to its nearest neighbour when
the mapped model has no outcome for a question.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import field_validator

from router_core.cards import CapabilityCard
from router_core.methods import MethodOptions, RoutingMethod

try:
    from litellm.router_strategy.complexity_router import ComplexityRouter, ComplexityRouterConfig
    from litellm.router_strategy.complexity_router.config import TIER_SEVERITY_ORDER, ComplexityTier
except ImportError as exc:  # litellm missing, or older than its complexity router
    raise ImportError(
        "the litellm-complexity router needs LiteLLM with router_strategy.complexity_router "
        f"(litellm 1.106.2 was used to write it): pip install -U 'langchain-modelsat[litellm]' ({exc})"
    ) from exc

TIERS: tuple[str, ...] = tuple(
    tier.value for tier in TIER_SEVERITY_ORDER
)  # simplest first: what the scorer returns

MapName = Literal["spread", "cheap", "dear"]
# where tier k of n sits between the cheapest (0) and the dearest (1) candidate, from s = k / (n - 1)
MAPS: dict[str, Callable[[float], float]] = {
    "spread": lambda s: s,
    "cheap": lambda s: s * s,
    "dear": lambda s: 1 - (1 - s) ** 2,
}

try:
    LITELLM_VERSION = version("litellm")
except PackageNotFoundError:  # pragma: no cover - an uninstalled checkout of litellm
    LITELLM_VERSION = "unknown"


class ComplexityOptions(MethodOptions):
    map: MapName = "spread"
    complexity_router_config: dict[str, Any] = {}
    """LiteLLM's `complexity_router_config`, for its scorer settings only (`tier_boundaries`,
    `dimension_weights`, `token_thresholds`, keyword lists, `reasoning_override_min_score`); the tier
    map comes from the cards, so `tiers` is refused, and so is any classifier but the heuristic one."""

    @field_validator("complexity_router_config")
    @classmethod
    def _scorer_settings_only(cls, value: dict[str, Any]) -> dict[str, Any]:
        if "tiers" in value:
            raise ValueError("'tiers' is not taken: the tier-to-model map is made from card prices (`map`)")
        if value.get("classifier_type", "heuristic") != "heuristic":
            raise ValueError("only LiteLLM's rule-based scorer is reproduced (classifier_type 'heuristic')")
        ComplexityRouterConfig.model_validate(value)  # LiteLLM's own checks, before any routing
        return value


def tier_positions(n_models: int, map: MapName = "spread") -> tuple[int, ...]:
    """The price-order position (0 = cheapest) each tier of `TIERS` is routed to, among `n_models`."""
    if n_models < 1:
        raise ValueError("no candidates")
    place = MAPS[map]
    last = len(TIERS) - 1
    # floor(x + 0.5), not round(): no half-way ties arise for these maps, and no banker's rounding
    return tuple(math.floor(place(k / last) * (n_models - 1) + 0.5) for k in range(len(TIERS)))


def price_order(cards: Sequence[CapabilityCard]) -> list[int]:
    """Indices of `cards`, cheapest first; by mean accuracy when any card has no price."""
    if all(card.price is not None for card in cards):
        return sorted(
            range(len(cards)), key=lambda i: (cards[i].price, cards[i].mean_accuracy, cards[i].model)
        )
    return sorted(range(len(cards)), key=lambda i: (cards[i].mean_accuracy, cards[i].model))


class LiteLLMComplexityMethod(RoutingMethod):
    """LiteLLM's rule-based complexity router, its tiers mapped onto the candidates by price."""

    name = "litellm-complexity"
    kind = "reference"  # learns nothing from outcomes: a rule, like best-single
    Options: ClassVar[type[MethodOptions]] = ComplexityOptions
    options: ComplexityOptions

    def __init__(self, options: MethodOptions | None = None) -> None:
        super().__init__(options)
        # no litellm.Router is needed: classify() only scores text (as LiteLLM's own evals call it)
        self._litellm = ComplexityRouter(
            model_name=f"modelsat-benchmark/{self.name}",
            litellm_router_instance=None,  # type: ignore[arg-type]
            complexity_router_config=self.options.complexity_router_config or None,
        )

    def classify(self, instruction: str) -> str:
        """LiteLLM's tier of one instruction (a name of `TIERS`)."""
        tier, _score, _signals = self._litellm.classify(instruction)
        return tier.value if isinstance(tier, ComplexityTier) else str(tier)

    def tier_models(self, cards: Sequence[CapabilityCard]) -> dict[str, str]:
        """The `tiers:` map this router uses for these candidates: tier name -> model."""
        order = price_order(cards)
        positions = tier_positions(len(cards), self.options.map)
        return {tier: cards[order[p]].model for tier, p in zip(TIERS, positions, strict=True)}

    def _score(self, instructions: Sequence[str], cards: Sequence[CapabilityCard]) -> np.ndarray:
        order = price_order(cards)
        rank = np.empty(len(cards), dtype=int)
        rank[order] = np.arange(len(cards))  # price-order position of each card
        positions = tier_positions(len(cards), self.options.map)
        tier_index = {tier: k for k, tier in enumerate(TIERS)}
        chosen = np.array([positions[tier_index[self.classify(text)]] for text in instructions])[:, None]
        distance = np.abs(rank[None, :] - chosen)
        return 0.0 - (2.0 * distance + (rank[None, :] < chosen))  # 0.0 - : no -0.0 for the mapped model


class _CheapOptions(ComplexityOptions):
    map: MapName = "cheap"


class _DearOptions(ComplexityOptions):
    map: MapName = "dear"


class LiteLLMComplexityCheapMethod(LiteLLMComplexityMethod):
    """The same router with `map="cheap"` by default, so the CLI can name the preset."""

    name = "litellm-complexity-cheap"
    Options = _CheapOptions


class LiteLLMComplexityDearMethod(LiteLLMComplexityMethod):
    """The same router with `map="dear"` by default, so the CLI can name the preset."""

    name = "litellm-complexity-dear"
    Options = _DearOptions
