"""The routing service on a local Ray Serve instance, with a tiny router: the LangChain router and the
LiteLLM strategy route through it to the decisions the same checkpoint makes in-process."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest
import torch

from router_core.engine import ENGINES, EngineConfig, LocalEngine
from router_core.model.checkpoint import save_checkpoint
from router_core.model.network import ModelSATModel
from router_core.service.protocol import HEALTH_PATH, ROUTE_PATH, TOKEN_ENV
from tests.fakes import mock_deployments

pytest.importorskip("ray.serve", reason="the serve extra: bash scripts/install.sh dev,hf,serve")
pytestmark = pytest.mark.slow  # Ray's start-up and a replica loading the router take ~20 s on 2 cores

TOKEN = "test-token-not-a-secret"
QUESTIONS = (
    "Compute the integral of 5 times x over the unit interval.",
    "Is a promise of 9 dollars enforceable?",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_integrations_route_through_the_service_as_in_process(
    tmp_path: Path, tiny_config, cards, monkeypatch
):
    import litellm_modelsat as lm
    from litellm import Router

    from langchain_modelsat import METADATA_KEY, ModelSATRouter
    from router_core.service.app import ServiceSettings, start, stop
    from tests.langchain_modelsat.fakes import ScriptedChat

    torch.manual_seed(0)
    checkpoint = str(save_checkpoint(ModelSATModel.build(tiny_config, device="cpu"), tmp_path / "ckpt"))
    monkeypatch.setenv(TOKEN_ENV, TOKEN)  # the replicas inherit it from this process, as on one machine
    zoo = {card.model: card for card in cards}
    local = LocalEngine(EngineConfig(checkpoint=checkpoint, device="cpu"))
    expected = {q: local.route(q, zoo) for q in QUESTIONS}
    local.close()

    settings = ServiceSettings(
        engine=EngineConfig(checkpoint=checkpoint, device="cpu"), max_request_bytes=4096
    )
    url = start(settings, port=free_port(), num_cpus=2)
    client = EngineConfig(service_url=url, timeout_s=20)
    try:
        service = ENGINES.get(client).warmup()
        for question, decision in expected.items():
            remote = service.route(question, zoo)
            assert [c.name for c in remote.ranking] == [c.name for c in decision.ranking]
            assert remote.probabilities == pytest.approx(decision.probabilities, abs=1e-3)
            assert not remote.degraded

        models = {name: ScriptedChat(reply=f"answer from {name}") for name in zoo}
        chat = ModelSATRouter(models, cards=zoo, engine=client)
        for question, decision in expected.items():
            routed = chat.invoke(question).response_metadata[METADATA_KEY]
            assert routed["chosen"] == decision.chosen and not routed["degraded"]

        deployments = mock_deployments(zoo)
        router = Router(model_list=deployments)
        lm.ModelSATRoutingStrategy.install(router, engine=client)
        for question, decision in expected.items():
            metadata: dict = {}
            router.completion(
                model="chat", messages=[{"role": "user", "content": question}], metadata=metadata
            )
            assert metadata["modelsat"]["chosen"] == decision.chosen and not metadata["modelsat"]["degraded"]

        bearer = {"authorization": f"Bearer {TOKEN}"}
        body = {
            "instruction": QUESTIONS[0],
            "candidates": {name: card.model_dump(mode="json") for name, card in zoo.items()},
        }
        assert httpx.get(url + HEALTH_PATH, headers=bearer).json()["status"] == "ok"
        assert httpx.post(url + ROUTE_PATH, json=body).status_code == 401
        refused = httpx.post(url + ROUTE_PATH, json={**body, "checkpoint": "/elsewhere"}, headers=bearer)
        assert refused.status_code == 400 and "checkpoint" in refused.json()["error"]["message"]
        too_big = httpx.post(url + ROUTE_PATH, json={**body, "instruction": "x" * 5000}, headers=bearer)
        assert too_big.status_code == 413
    finally:
        stop()

    degraded = ENGINES.get(client).route(QUESTIONS[0], zoo)  # the service is gone: card ranking, flagged
    assert degraded.degraded and "unavailable" in (degraded.reason or "")
    ENGINES.clear()
