"""Card fingerprints (content hashes) and a small thread-safe LRU for anything cached per card."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

from router_core.cards.card import CapabilityCard

V = TypeVar("V")


def card_fingerprint(card: CapabilityCard) -> str:
    """Content hash of a card: anything cached per card is recomputed when the card changes."""
    return hashlib.sha256(card.model_dump_json().encode("utf-8")).hexdigest()[:16]


class LRUCache(Generic[V]):
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: Hashable, value: V) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
