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
