"""The proxy hook's settings and headers, without starting a proxy (tests/integrations/proxy does)."""

from __future__ import annotations

import pytest
from litellm_modelsat.proxy import SETTINGS_KEY, load_settings, proxy_handler

from router_core.errors import ConfigError

# litellm_modelsat (imported above) keeps litellm offline, so the tests may import it


def test_settings_are_read_from_litellm_settings(monkeypatch):
    import litellm

    monkeypatch.setattr(litellm, SETTINGS_KEY, {"policy": "threshold:0.7", "timeout_s": 2}, raising=False)
    settings = load_settings()
    assert settings.policy == "threshold:0.7" and settings.timeout_s == 2


def test_misspelt_setting_is_a_config_error_naming_the_key(monkeypatch):
    import litellm

    monkeypatch.setattr(litellm, SETTINGS_KEY, {"polcy": "best"}, raising=False)
    with pytest.raises(ConfigError, match="modelsat_settings.*polcy"):
        load_settings()


async def test_headers_describe_the_deployment_that_answered():
    decision = {
        "chosen": "a",
        "ranking": [{"model": "a", "probability": 0.8}],
        "policy": "best",
        "degraded": False,
    }
    data = {"metadata": {"modelsat": decision}}
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


def test_warmup_encodes_every_deployments_card_before_the_first_request(make_router, engine):
    from tests.integrations.litellm_modelsat.conftest import deployment

    zoo = [deployment("g", "math", "math-model"), deployment("other", "law", "law-model")]
    router, strategy = make_router(zoo)
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
