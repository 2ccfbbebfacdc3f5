"""The proxy hook's settings and headers, without starting a proxy (tests/integrations/proxy does)."""

from __future__ import annotations

import pytest
from litellm_modelsat import RoutedCall
from litellm_modelsat.proxy import SETTINGS_KEY, load_settings, proxy_handler

from router_core.engine import Candidate, RoutingDecision, ThresholdPolicy
from router_core.errors import ConfigError

# litellm_modelsat (imported above) keeps litellm offline, so the tests may import it


def test_settings_are_read_from_litellm_settings(monkeypatch):
    import litellm

    monkeypatch.setattr(litellm, SETTINGS_KEY, {"policy": "threshold:0.7", "timeout_s": 2}, raising=False)
    settings = load_settings()
    assert settings.policy == ThresholdPolicy(threshold=0.7) and settings.timeout_s == 2


def test_misspelt_setting_is_a_config_error_naming_the_key(monkeypatch):
    import litellm

    monkeypatch.setattr(litellm, SETTINGS_KEY, {"polcy": "best"}, raising=False)
    with pytest.raises(ConfigError, match="modelsat_settings.*polcy"):
        load_settings()


async def test_headers_describe_the_deployment_that_answered():
    decision = RoutingDecision(ranking=[Candidate(name="a", probability=0.80004)], policy="best")
    data: dict = {"metadata": {}}
    RoutedCall(decision=decision, model_group="g").record(data["metadata"])
    headers = await proxy_handler.async_post_call_response_headers_hook(
        data, None, None, None, {"model_id": "a"}
    )
    assert headers == {
        "x-modelsat-chosen": "a",
        "x-modelsat-probability": "0.8",
        "x-modelsat-policy": "best",
        "x-modelsat-degraded": "false",
    }
    assert (
        await proxy_handler.async_post_call_response_headers_hook(data, None, None, None, {"model_id": "b"})
        is None
    )


def test_warmup_encodes_every_deployments_card_before_the_first_request(make_method, engine):
    from tests.integrations.litellm_modelsat.conftest import deployment

    zoo = [deployment("g", "math", "math-model"), deployment("other", "law", "law-model")]
    router, strategy = make_method(zoo)
    strategy.warmup()
    scorer = engine.warmup()._scorer
    assert scorer.calls == [(["warm-up"], ["math-model", "law-model"])]
    router.completion(model="g", messages=[{"role": "user", "content": "integral"}])
    assert len(scorer.calls) == 2  # the request scored its own instruction; the cards were ready


def test_proxy_settings_are_the_engine_settings_plus_warmup(monkeypatch):
    import litellm

    from router_core.engine import EngineConfig

    monkeypatch.setattr(
        litellm, SETTINGS_KEY, {"perturbations": 2, "max_batch_size": 8, "warmup": False}, raising=False
    )
    settings = load_settings()
    assert settings.warmup is False
    assert settings.engine == EngineConfig(perturbations=2, max_batch_size=8)


def routed_proxy(monkeypatch, settings: dict) -> None:
    """The proxy's Router, with one carded deployment, and its `modelsat_settings`."""
    import litellm
    import litellm_modelsat.proxy as proxy
    from litellm import Router

    from router_core.engine import ENGINES
    from tests.integrations.litellm_modelsat.conftest import deployment

    router = Router(model_list=[deployment("g", "math", "math-model")])
    monkeypatch.setattr(litellm, SETTINGS_KEY, settings, raising=False)
    monkeypatch.setattr(proxy, "_proxy_router", lambda: router)
    monkeypatch.setattr(proxy, "ENGINES", type(ENGINES)())  # engines of this test only


def bad_checkpoint(folder, config: dict | None = None):
    """A checkpoint folder whose manifest matches, with a network_config.json of the wrong types."""
    import hashlib
    import json

    from router_core.model.checkpoint import FORMAT

    folder.mkdir()
    path = folder / "network_config.json"
    path.write_text(json.dumps(config or {"llm_layers": "four", "layout": 3}))
    files = {"network_config.json": hashlib.sha256(path.read_bytes()).hexdigest()}
    (folder / "manifest.json").write_text(json.dumps({"format": FORMAT, "files": files}))
    return folder


@pytest.mark.parametrize("warmup", [True, False])
def test_a_checkpoint_with_a_bad_router_config_fails_the_install_naming_it(monkeypatch, tmp_path, warmup):
    """Checked before anything loads, whether or not the proxy warms up: the proxy must not start
    healthy and then answer every request with a 500."""
    import asyncio

    import litellm_modelsat.proxy as proxy

    from router_core.errors import CheckpointError

    routed_proxy(monkeypatch, {"checkpoint": str(bad_checkpoint(tmp_path / "ckpt")), "warmup": warmup})
    handler = proxy.ModelSATProxyHandler()  # outside an event loop: no start-up task
    with pytest.raises(CheckpointError) as caught:
        asyncio.run(handler.ensure_installed())
    assert "network_config.json" in str(caught.value)
    assert "llm_layers: Input should be a valid integer" in str(caught.value)


def test_a_bad_checkpoint_stops_the_proxy_at_startup_with_exit_3(monkeypatch, tmp_path, caplog):
    import asyncio

    import litellm_modelsat.proxy as proxy

    routed_proxy(monkeypatch, {"checkpoint": str(bad_checkpoint(tmp_path / "ckpt"))})
    exits: list[int] = []

    def exit_(code: int) -> None:
        exits.append(code)

    monkeypatch.setattr(proxy.os, "_exit", exit_)
    monkeypatch.setattr(proxy.logging, "shutdown", lambda: None)
    handler = proxy.ModelSATProxyHandler()
    asyncio.run(handler._install_at_startup())
    assert exits == [proxy.STARTUP_FAILURE_EXIT] == [3]
    assert "Model-SAT cannot route for this proxy, stopping it" in caplog.text
    assert "network_config.json" in caplog.text
