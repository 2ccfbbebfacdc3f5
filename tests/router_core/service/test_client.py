"""The service client keeps the engine's contract: the in-process decision, retries of transient
answers, the caller's own errors raised, and the degraded card ranking, flagged, when the service is
down (a closed port: no Ray needed)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from router_core.engine import ENGINES, EngineConfig, LocalEngine
from router_core.errors import CardError, NoModelChosenError, ServiceError
from router_core.service import TOKEN_ENV, ServiceEngine
from router_core.service.handler import Reply
from tests.fakes import mock_deployments
from tests.router_core.service.conftest import serve_http

LAW = "review this contract"


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, "secret")


@pytest.fixture
def scripted() -> Iterator[tuple[str, list]]:
    """A service answering 503, 503, then the handler's 400 for a bad card, forever; the URL and
    the requests it saw."""
    seen: list = []
    replies = itertools.chain(
        [Reply(503, {}), Reply(503, {})],
        itertools.repeat(Reply(400, {"error": {"type": "CardError", "message": "bad card"}})),
    )

    def answer(method, path, headers, body):
        seen.append(headers)
        return next(replies)

    for url in serve_http(answer):
        yield url, seen


async def test_routes_through_the_service_to_the_in_process_decision(service_url, engine: LocalEngine, zoo):
    remote = ServiceEngine(EngineConfig(service_url=service_url)).warmup()
    for policy in (None, "cost-aware:0.05", {"kind": "threshold", "threshold": 0.5}):
        local = engine.route(LAW, zoo, policy)
        for decision in (remote.route(LAW, zoo, policy), await remote.aroute(LAW, zoo, policy)):
            assert decision.ranking == local.ranking and decision.policy == local.policy
            assert not decision.degraded
    with pytest.raises(NoModelChosenError):
        remote.route(LAW, zoo, "threshold:0.95")  # the caller's own error, as in-process
    remote.close()


def test_retries_transient_answers_and_raises_the_callers_errors(scripted, zoo):
    url, seen = scripted
    with pytest.raises(CardError, match="bad card"):
        ServiceEngine(EngineConfig(service_url=url)).route(LAW, zoo)
    assert len(seen) == 3 and all(h.get("authorization") == "Bearer secret" for h in seen)


async def test_a_service_that_is_down_degrades_to_the_card_ranking(closed_port, zoo):
    engine = ENGINES.get(EngineConfig(service_url=closed_port, policy="cost-aware:0.05"))
    assert isinstance(engine, ServiceEngine)
    for decision in (engine.route(LAW, zoo), await engine.aroute(LAW, zoo)):
        assert decision.degraded and closed_port in (decision.reason or "")
        assert decision.chosen == "law-model" and decision.policy == "cost-aware(lam=0.05)"
    with pytest.raises(ServiceError):
        engine.warmup()
    with pytest.raises(ServiceError, match="unavailable"):
        ServiceEngine(EngineConfig(service_url=closed_port, degrade=False)).route(LAW, zoo)
    ENGINES.clear()


async def test_both_integrations_answer_while_the_service_is_down(closed_port, zoo):
    import litellm_modelsat as lm
    from litellm import Router

    from langchain_modelsat import METADATA_KEY, ModelSATRouter
    from tests.langchain_modelsat.fakes import ScriptedChat

    config = EngineConfig(service_url=closed_port, timeout_s=2)
    chat = ModelSATRouter({name: ScriptedChat(reply=name) for name in zoo}, cards=zoo, engine=config)
    for answer in (chat.invoke(LAW), await chat.ainvoke(LAW)):
        assert answer.response_metadata[METADATA_KEY]["degraded"]
        assert answer.content == answer.response_metadata[METADATA_KEY]["chosen"] == "math-model"

    deployments = mock_deployments(zoo)
    router = Router(model_list=deployments)
    lm.ModelSATRoutingStrategy.install(router, engine=config)
    response = await router.acompletion(model="chat", messages=[{"role": "user", "content": LAW}])
    assert response._hidden_params["modelsat"]["degraded"]
    assert response.choices[0].message.content == "math-model"
    ENGINES.clear()
