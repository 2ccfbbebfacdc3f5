"""The proxy example that routes through a shared routing service: its settings reach the engine
registry as a client of that service, and a proxy whose service is down still routes (degraded)."""

from __future__ import annotations

from pathlib import Path

import yaml

from router_core.engine import ENGINES
from router_core.service import ServiceEngine

CONFIG = Path(__file__).resolve().parents[3] / "integrations" / "proxy" / "config.service.yaml"


def test_the_service_variant_makes_the_proxy_a_client_of_the_service():
    from litellm_modelsat.proxy import ProxySettings

    config = yaml.safe_load(CONFIG.read_text())
    settings = ProxySettings.model_validate(config["litellm_settings"]["modelsat_settings"])
    engine = ENGINES.get(settings.engine)
    assert isinstance(engine, ServiceEngine) and engine.url == "http://127.0.0.1:8000"
    assert all(d["model_info"]["modelsat_card"] for d in config["model_list"])
    ENGINES.clear()
