"""Match candidate model names to capability cards, the way both integrations accept them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from router_core.cards.card import CapabilityCard, find_card, load_cards
from router_core.cards.validation import check_card
from router_core.errors import CardError, validation_summary

CardRef = CapabilityCard | str | Mapping[str, Any]
"""A card, the name of a shipped card, or an inline card as a dict."""
CardsSpec = str | Path | Iterable[CapabilityCard] | Mapping[str, CardRef] | None


def resolve_candidates(names: Sequence[str], cards: CardsSpec = None) -> dict[str, CapabilityCard]:
    """name -> card for every candidate, or a `CardError` naming each candidate without one.

    `cards` may be None (the shipped cards, by candidate name), a card file path, a list of
    cards (by their `model`), or a mapping from candidate name to a card, a shipped card's
    name, or an inline card dict.
    """
    if isinstance(cards, Mapping):
        _require([n for n in names if n not in cards], list(cards))
        return {name: _one(name, cards[name]) for name in names}
    available = load_cards(cards)
    found = {name: find_card(available, name) for name in names}
    _require([n for n, card in found.items() if card is None], list(available))
    return {name: card for name, card in found.items() if card is not None}


def _one(name: str, ref: CardRef) -> CapabilityCard:
    if isinstance(ref, CapabilityCard):
        return ref
    if isinstance(ref, str):
        shipped = load_cards()
        card = find_card(shipped, ref)
        if card is None:
            raise CardError(f"candidate {name!r}: no shipped card named {ref!r}{_hint(ref, list(shipped))}")
        return card
    try:
        card = CapabilityCard.model_validate(dict(ref))
    except ValidationError as exc:
        raise CardError(f"candidate {name!r}: invalid inline card: {validation_summary(exc)}") from exc
    return check_card(card)


def _require(names: list[str], available: list[str]) -> None:
    if names:
        hints = "".join(_hint(n, available) for n in names)
        raise CardError(
            f"no capability card for candidate(s) {names}{hints}; pass cards={{name: card or shipped "
            f"card name}} or onboard the model with `modelsat cards run`"
        )


def _hint(name: str, available: list[str]) -> str:
    close = get_close_matches(name, available, n=2, cutoff=0.5)
    return f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""
