"""A Router over mock_response deployments, routed by an engine whose answers are known."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import litellm_modelsat as lm
import pytest

from router_core.engine import LocalEngine
from tests.fakes import keyword_engine, make_card

if TYPE_CHECKING:  # litellm itself is imported through litellm_modelsat, which keeps it offline
    from litellm import Router


def deployment(group: str, dep_id: str, card_model: str, mock: str | None = None) -> dict[str, Any]:
    """A mock deployment answering "answer from <id>", or raising when `mock` names a litellm error."""
    return {
        "model_name": group,
        "litellm_params": {
            "model": f"openai/{dep_id}",
            "api_key": "not-used",
            "mock_response": mock or f"answer from {dep_id}",
        },
        "model_info": {"id": dep_id, lm.CARD_KEY: make_card(card_model, [0.5]).model_dump(mode="json")},
    }


@pytest.fixture
def engine() -> Iterator[LocalEngine]:
    with keyword_engine() as engine:
        yield engine


@pytest.fixture
def make_method(engine: LocalEngine) -> Callable[..., tuple[Router, lm.ModelSATRoutingStrategy]]:
    def build(model_list: list[dict[str, Any]], controls: lm.LiteLLMControls | None = None, **settings: Any):
        """`settings` are the Router's; `controls` the strategy's (default: no override, no cap)."""
        from litellm import Router  # after litellm_modelsat, which keeps litellm offline

        router = Router(model_list=model_list, **settings)
        return router, lm.ModelSATRoutingStrategy.install(router, engine=engine, controls=controls)

    return build


def ask(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]
