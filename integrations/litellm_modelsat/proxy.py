"""LiteLLM proxy hook: `callbacks: ["litellm_modelsat.proxy.proxy_handler"]` in config.yaml turns
Model-SAT routing on for the proxy's Router, configured by `litellm_settings.modelsat_settings`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from typing import Any

import litellm
from pydantic import Field, ValidationError

from litellm_modelsat.callback import ModelSATCallback
from litellm_modelsat.cards import deployment_id
from litellm_modelsat.controls import LiteLLMControls
from litellm_modelsat.decision import decision_of
from litellm_modelsat.strategy import ModelSATRoutingStrategy
from router_core.engine import ENGINES, EngineConfig, RoutingDecision, Stickiness
from router_core.errors import ConfigError, ModelSATError, validation_summary

log = logging.getLogger("litellm_modelsat")
STARTUP_LOG = log.getChild("startup")
"""Shown even where the proxy configures no logging: the one line saying Model-SAT is installed."""

STARTUP_WAIT_S = 120.0
"""How long the start-up install waits for the proxy to build its Router."""

STARTUP_FAILURE_EXIT = 3
"""The proxy's exit status when Model-SAT cannot route for it (uvicorn's own start-up failure code)."""

SETTINGS_KEY = "modelsat_settings"
"""litellm_settings key (the proxy sets it as a `litellm` attribute) holding `ProxySettings`."""


class ProxySettings(EngineConfig, LiteLLMControls):
    """What config.yaml may set under `litellm_settings.modelsat_settings`: every engine setting
    (`EngineConfig`: checkpoint, device, policy, timeout_s, perturbations, max_batch_size...), the
    operator's controls over clients (`LiteLLMControls`: allow_overrides, grants_from, max_price)
    and whether start-up warms the router up."""

    include_system: bool = Field(
        default=False, description="Route on the system prompt(s) too, before the human's request"
    )
    stickiness: Stickiness | None = Field(
        default=None, description="Keep each conversation (modelsat_conversation) on one deployment; off"
    )
    warmup: bool = Field(
        default=True,
        description="At start-up, load the router and encode every deployment's card, so the first "
        "request pays no cold cost",
    )

    @property
    def engine(self) -> EngineConfig:
        return EngineConfig(**self.model_dump(include=set(EngineConfig.model_fields)))

    @property
    def controls(self) -> LiteLLMControls:
        return LiteLLMControls(**self.model_dump(include=set(LiteLLMControls.model_fields)))


def load_settings() -> ProxySettings:
    """The proxy's Model-SAT settings, or a `ConfigError` naming the bad key."""
    raw = getattr(litellm, SETTINGS_KEY, None) or {}
    try:
        return ProxySettings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"litellm_settings.{SETTINGS_KEY} is invalid: {validation_summary(exc)}") from exc


class ModelSATProxyHandler(ModelSATCallback):
    """Installs the strategy on the proxy's Router as soon as the proxy has built it (so missing cards
    fail loudly at start-up), and again whenever the proxy rebuilds its Router."""

    def __init__(self) -> None:
        super().__init__()
        self._router: Any = None
        self._strategy: ModelSATRoutingStrategy | None = None
        self._lock = asyncio.Lock()
        # imported outside the proxy's event loop (no running loop): install on the first request
        with contextlib.suppress(RuntimeError):
            asyncio.get_running_loop().create_task(self._install_at_startup())

    async def _install_at_startup(self) -> None:
        """A configuration the router cannot serve (a deployment without a card, bad settings, a
        checkpoint that is tampered with or whose router config is invalid, missing base weights)
        stops the proxy here, naming the problem, rather than leaving it healthy and answering
        every request with a 500."""
        deadline = time.monotonic() + STARTUP_WAIT_S
        while _proxy_router() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        try:
            await self.ensure_installed()
        except ModelSATError as exc:
            log.critical("Model-SAT cannot route for this proxy, stopping it: %s", exc)
            logging.shutdown()
            os._exit(STARTUP_FAILURE_EXIT)
        except Exception:
            log.exception("Model-SAT routing could not be installed on the proxy")

    async def ensure_installed(self) -> ModelSATRoutingStrategy | None:
        """The strategy on the proxy's current Router (None while the proxy has no Router yet)."""
        from router_core.model import check_checkpoint  # torch: imported once it is needed

        router = _proxy_router()
        if router is None:
            return None
        async with self._lock:
            if router is not self._router:
                settings = load_settings()
                # milliseconds, no model load: a bad checkpoint fails here even without a warm-up
                check_checkpoint(settings.checkpoint, allow_remote_code=settings.allow_remote_code)
                engine = ENGINES.get(settings.engine)
                self._strategy = ModelSATRoutingStrategy.install(
                    router,
                    engine=engine,
                    controls=settings.controls,
                    include_system=settings.include_system,
                    stickiness=settings.stickiness,
                )
                if settings.warmup:
                    await asyncio.to_thread(self._strategy.warmup)
                self._router = router
                _announce(settings, self._strategy)
            return self._strategy

    async def async_pre_call_hook(
        self, user_api_key_dict: Any, cache: Any, data: dict, call_type: Any
    ) -> dict:
        await self.ensure_installed()
        return data

    async def async_post_call_response_headers_hook(
        self,
        data: dict,
        user_api_key_dict: Any,
        response: Any,
        request_headers: dict[str, str] | None = None,
        litellm_call_info: dict[str, Any] | None = None,
    ) -> dict[str, str] | None:
        """`x-modelsat-*` headers with the decision; defined here because the proxy only calls this
        hook on callbacks whose own class defines it. None when the answering deployment is not the
        one the request's decision chose (e.g. a fallback hop of a stream, whose decision stays in
        that hop's metadata)."""
        call = decision_of(data, response)
        answered_by = (litellm_call_info or {}).get("model_id")
        if call is None or (answered_by and answered_by != call.decision.chosen):
            return None
        return _headers(call.decision)


def _headers(decision: RoutingDecision) -> dict[str, str]:
    """The decision as response headers (probability as rounded in the decision's summary)."""
    return {
        "x-modelsat-chosen": decision.chosen,
        "x-modelsat-probability": str(decision.ranking[0].probability),
        "x-modelsat-policy": decision.policy,
        "x-modelsat-degraded": str(decision.degraded).lower(),
    }


def _announce(settings: ProxySettings, strategy: ModelSATRoutingStrategy) -> None:
    """One line at start-up saying that Model-SAT routes this proxy, with what."""
    if not STARTUP_LOG.handlers and not logging.getLogger().handlers:  # the proxy configures none
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s litellm_modelsat: %(message)s"))
        STARTUP_LOG.addHandler(handler)
        STARTUP_LOG.setLevel(logging.INFO)
        STARTUP_LOG.propagate = False
    groups: dict[str, list[str]] = {}
    for deployment in strategy.router.model_list:
        groups.setdefault(str(deployment.get("model_name")), []).append(deployment_id(deployment))
    STARTUP_LOG.info(
        "Model-SAT routing installed: checkpoint %s, policy %s, %s, %s; candidates %s",
        settings.checkpoint or "shipped default",
        settings.policy.describe(),
        _describe_controls(settings.controls),
        "warmed up" if settings.warmup else "no warm-up",
        "; ".join(f"{group}: {', '.join(ids)}" for group, ids in groups.items()),
    )


def _describe_controls(controls: LiteLLMControls) -> str:
    """What clients may override and the cost cap, as the start-up line says it."""
    overrides = ", ".join(sorted(controls.allow_overrides)) or "none"
    grants = f" (more per {' and '.join(sorted(controls.grants_from))})" if controls.grants_from else ""
    cap = (
        "no cost cap" if controls.max_price is None else f"cost cap {controls.max_price:g} USD per 1M tokens"
    )
    return f"client overrides {overrides}{grants}, {cap}"


def _proxy_router() -> Any:
    from litellm.proxy import proxy_server

    return proxy_server.llm_router


proxy_handler = ModelSATProxyHandler()
"""The instance config.yaml names in `litellm_settings.callbacks`."""
