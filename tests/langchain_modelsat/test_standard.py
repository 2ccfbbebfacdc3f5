"""LangChain's own conformance suites (langchain-tests) run against the router, offline.

The candidates are stand-in chat models with shipped cards; the router model is a fake scorer
(`tests.fakes.KeywordScorer`) so the suites test the chat-model contract, not routing quality.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.load import dumpd, load
from langchain_tests.integration_tests import ChatModelIntegrationTests
from langchain_tests.unit_tests import ChatModelUnitTests

from langchain_modelsat import ModelSATRouter, StandInChatModel
from router_core.engine import CostAwarePolicy, EngineConfig, LocalEngine, OperatorControls
from tests.fakes import KeywordScorer

CANDIDATES = ("Meta-Llama-3_1-8B-Instruct", "DeepSeek-Coder-V2")
"""Two shipped cards that state tool calling, so the tool-calling tests have candidates."""


SCRIPTED_TOOL_ARGS = {
    "magic_function": {"input": 3},
    "unicode_customer": {"customer_name": "你好啊集团", "description": "A Chinese technology company"},
}
"""What a real model would answer to the suite's tool prompts: the stand-ins are scripted, the
suites check that tools, calls and answers travel through the router intact."""

ENGINE = LocalEngine(EngineConfig(), scorer_factory=lambda: KeywordScorer({CANDIDATES[1]: "code"}))
"""Built once: the suites construct the router from properties, not fixtures; its worker thread
starts on the first call and is a daemon."""


def _params() -> dict[str, Any]:
    return {
        "models": {
            name: StandInChatModel(reply=f"An answer from {name}.", tool_args=SCRIPTED_TOOL_ARGS)
            for name in CANDIDATES
        }
    }


class TestModelSATRouterUnit(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[ModelSATRouter]:
        return ModelSATRouter

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return _params()

    @property
    def standard_chat_model_params(self) -> dict[str, Any]:
        # The router holds no credentials (each candidate holds its own), so it takes no api_key.
        params = super().standard_chat_model_params
        params.pop("api_key")
        return params

    @pytest.mark.xfail(
        strict=True,
        reason="langchain-core's load(allowed_objects='all') admits only classes in its own mapping, "
        "which no package outside langchain is in; test_router_round_trips_through_dumpd_and_load "
        "runs the same round trip with the classes named",
    )
    def test_serdes(self, model: ModelSATRouter, snapshot: Any) -> None:
        super().test_serdes(model, snapshot)


class TestModelSATRouterIntegration(ChatModelIntegrationTests):
    @property
    def chat_model_class(self) -> type[ModelSATRouter]:
        return ModelSATRouter

    @property
    def chat_model_params(self) -> dict[str, Any]:
        # the suite's test_model_override names a candidate with `model=`, which needs permission
        return {**_params(), "engine": ENGINE, "controls": OperatorControls(allow_overrides={"model"})}

    @property
    def model_override_value(self) -> str:
        # `model=` names the candidate to call (like configurable modelsat_model)
        return CANDIDATES[1]

    @pytest.mark.xfail(
        strict=True,
        reason="the stand-ins' tool arguments are scripted per tool, and this test sends the same tool "
        "a Chinese and then a Japanese name: a scripted model cannot echo both",
    )
    def test_unicode_tool_call_integration(self, model: ModelSATRouter, **kwargs: Any) -> None:
        super().test_unicode_tool_call_integration(model, **kwargs)


def test_router_round_trips_through_dumpd_and_load() -> None:
    router = ModelSATRouter(**_params(), policy="cost-aware:0.05", engine=EngineConfig(timeout_s=2.0))
    loaded = load(
        dumpd(router),
        valid_namespaces=["langchain_modelsat"],
        allowed_objects=[ModelSATRouter, StandInChatModel],
    )
    assert isinstance(loaded, ModelSATRouter)
    assert loaded.dict() == router.dict()
    assert loaded.engine_config == EngineConfig(timeout_s=2.0) and loaded.policy == CostAwarePolicy(lam=0.05)
    assert loaded.candidate_cards == router.candidate_cards
