"""Card fingerprints: content hashes that key anything cached per card."""

from __future__ import annotations

import hashlib

from router_core.cards.card import CapabilityCard


def card_fingerprint(card: CapabilityCard) -> str:
    """Content hash of a card: anything cached per card is recomputed when the card changes."""
    return hashlib.sha256(card.model_dump_json().encode("utf-8")).hexdigest()[:16]
