"""A router over two fake candidates whose right answer is known: instructions mentioning an
integral go to `math-model`, contracts to `law-model` (KeywordScorer)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from langchain_modelsat import ModelSATRouter, RetrySettings
from router_core.engine import EngineConfig, LocalEngine
from tests.fakes import KeywordScorer, make_card
from tests.langchain_modelsat.fakes import ScriptedChat

FAST_RETRY = RetrySettings(attempts=3, initial_wait_s=0, max_wait_s=0, jitter_s=0)


@pytest.fixture
def scorer() -> KeywordScorer:
    return KeywordScorer({"math-model": "integral", "law-model": "contract"})


@pytest.fixture
def engine(scorer: KeywordScorer) -> Iterator[LocalEngine]:
    engine = LocalEngine(EngineConfig(), scorer_factory=lambda: scorer)
    yield engine
    engine.close()


@pytest.fixture
def cards() -> dict:
    """math-model is the expensive one, so a cost-aware policy prefers law-model."""
    return {
        "math-model": make_card("math-model", [0.6, 0.7], 50.0),
        "law-model": make_card("law-model", [0.5], 1.0),
    }


@pytest.fixture
def math() -> ScriptedChat:
    return ScriptedChat(reply="math answer here")


@pytest.fixture
def law() -> ScriptedChat:
    return ScriptedChat(reply="law answer here")


@pytest.fixture
def router(math: ScriptedChat, law: ScriptedChat, cards: dict, engine: LocalEngine) -> ModelSATRouter:
    return ModelSATRouter(
        {"math-model": math, "law-model": law}, cards=cards, engine=engine, retry=FAST_RETRY
    )
