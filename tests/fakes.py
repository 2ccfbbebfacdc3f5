"""Fakes shared by the test suites: a scorer with known answers, and small cards."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import numpy as np

from router_core.cards.card import CapabilityCard
from router_core.engine import EngineConfig, LocalEngine
from tests.router_core.builders import make_card

__all__ = ["MATH_LAW", "KeywordScorer", "keyword_engine", "make_card"]

MATH_LAW = {"math-model": "integral", "law-model": "contract"}
"""The usual keywords: integrals go to math-model, contracts to law-model."""


class KeywordScorer:
    """Pr(Yes) = `high` for the card whose model name is mapped to a keyword found in the
    instruction, `low` otherwise: the right answer of every routing call is known by construction.
    Optional delay or failure simulate a slow or broken router model."""

    def __init__(
        self,
        keywords: Mapping[str, str],
        *,
        high: float = 0.9,
        low: float = 0.2,
        delay_s: float = 0.0,
        fail: BaseException | None = None,
    ) -> None:
        self.keywords = dict(keywords)
        self.high, self.low = high, low
        self.delay_s = delay_s
        self.fail = fail
        self.calls: list[tuple[list[str], list[str]]] = []
        self.threads: set[str] = set()

    def score(self, instructions: Sequence[str], cards: Sequence[CapabilityCard]) -> np.ndarray:
        self.calls.append((list(instructions), [c.model for c in cards]))
        self.threads.add(threading.current_thread().name)
        if self.delay_s:
            time.sleep(self.delay_s)
        if self.fail is not None:
            raise self.fail
        out = np.full((len(instructions), len(cards)), self.low)
        for i, text in enumerate(instructions):
            for j, card in enumerate(cards):
                word = self.keywords.get(card.model)
                if word and word in text.lower():
                    out[i, j] = self.high
        return out


@contextmanager
def keyword_engine(keywords: Mapping[str, str] = MATH_LAW) -> Iterator[LocalEngine]:
    """An engine whose router is a `KeywordScorer`, closed afterwards."""
    engine = LocalEngine(EngineConfig(), scorer_factory=lambda: KeywordScorer(keywords))
    try:
        yield engine
    finally:
        engine.close()


def mock_deployments(cards: Mapping[str, CapabilityCard]) -> list[dict]:
    """A LiteLLM `model_list`: one deployment of group "chat" per card, whose mocked answer is
    its own name, so a test reads the routed model off the reply."""
    from litellm_modelsat import CARD_KEY  # imported on use: only the LiteLLM tests need it

    return [
        {
            "model_name": "chat",
            "litellm_params": {"model": f"openai/{name}", "api_key": "x", "mock_response": name},
            "model_info": {"id": name, CARD_KEY: card.model_dump(mode="json")},
        }
        for name, card in cards.items()
    ]
