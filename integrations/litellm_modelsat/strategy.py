"""The LiteLLM Router strategy: rank the healthy deployments of the requested group with Model-SAT."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import litellm
from litellm import Router
from litellm.litellm_core_utils.core_helpers import get_parent_otel_span_from_kwargs
from litellm.router_utils.cooldown_handlers import get_cooldown_deployments
from litellm.types.router import CustomRoutingStrategyBase, RouterRateLimitError

from litellm_modelsat.callback import ModelSATCallback
from litellm_modelsat.cards import DeploymentCards, deployment_id
from litellm_modelsat.controls import LiteLLMControls
from litellm_modelsat.decision import RoutedCall
from litellm_modelsat.instruction import RequestToInstruction
from router_core.engine import (
    ENGINES,
    MODEL_KEY,
    CallOptions,
    Engine,
    EngineConfig,
    PolicySpec,
    RequestPath,
    RoutingDecision,
    RoutingRequest,
    Stickiness,
    parse_policy,
)
from router_core.errors import ConfigError, NoCapableCandidateError

log = logging.getLogger("litellm_modelsat")


class ModelSATRoutingStrategy(CustomRoutingStrategyBase):
    """Chooses, among the healthy deployments of the requested model group, the one Model-SAT ranks first.

    LiteLLM keeps doing the rest: cooldowns decide which deployments are healthy, so a retry after a
    failure lands on the next best one, and a fallback hop is routed within its own group. Only the
    deployments whose cards can serve the request (tools, images, length: see
    `router_core.engine.requirements`) and within the cost cap are ranked. A request's `metadata`
    may carry `modelsat_policy` / `modelsat_lambda` / `modelsat_model` (a deployment id), only where
    `controls` allow them, `modelsat_max_price` to lower the cap and `modelsat_conversation` for
    stickiness. The request is prepared and routed by the core (`router_core.engine.RequestPath`),
    as the LangChain router's is. The decision is written to the request metadata under `modelsat`
    (a `RoutedCall`'s JSON form, read back with `decision_of`).
    """

    def __init__(
        self,
        router: Router,
        *,
        engine: Engine | EngineConfig | None = None,
        policy: PolicySpec | None = None,
        timeout_s: float | None = None,
        instruction: RequestToInstruction | None = None,
        include_system: bool = False,
        controls: LiteLLMControls | None = None,
        stickiness: Stickiness | None = None,
    ) -> None:
        """`engine`: an engine, or the `EngineConfig` of the process-wide shared one.
        `policy` / `timeout_s`: this strategy's (None: the engine's), sent with each call.
        `instruction`: the routed text of `(messages, input)`; None: the human's latest request
        (`router_core.engine.human_request`), with the system prompt when `include_system`.
        `controls`: which per-request overrides are allowed, to whom, and the cost cap (default:
        no override, no cap). `stickiness`: keep a conversation on one deployment (default off).
        Raises `CardError` naming every deployment of `router` without a usable card, and
        `ConfigError` for an unknown policy."""
        self.router = router
        self.engine = (
            ENGINES.get(engine or EngineConfig()) if isinstance(engine, EngineConfig | None) else engine
        )
        self.instruction = instruction
        self.controls = controls or LiteLLMControls()
        self.requests = RequestPath(
            self.engine,
            policy=None if policy is None else parse_policy(policy),  # a bad one fails here, not per call
            timeout_s=timeout_s,
            controls=self.controls,
            include_system=include_system,
            stickiness=stickiness,
        )
        self.cards = DeploymentCards()
        self.cards.validate(router.model_list)

    @classmethod
    def install(cls, router: Router, **options: Any) -> ModelSATRoutingStrategy:
        """Build the strategy for `router`, make it the router's routing strategy, and register the
        callback that attaches decisions to responses."""
        strategy = cls(router, **options)
        router.set_custom_routing_strategy(strategy)
        ModelSATCallback.register()
        return strategy

    def warmup(self) -> None:
        """Load the router model and encode every deployment's card now, with one throwaway routing
        pass, so the first request pays no cold cost; raises when the router cannot load (e.g. the
        base weight packages are missing)."""
        self.engine.warmup()
        self.engine.route("warm-up", self.cards.for_deployments(self.router.model_list), timeout_s=None)

    async def async_get_available_deployment(  # type: ignore[override]  # LiteLLM's base says -> None
        self,
        model: str,
        messages: list[dict[str, str]] | None = None,
        input: str | list | None = None,
        specific_deployment: bool | None = False,
        request_kwargs: dict | None = None,
    ) -> dict:
        request_kwargs = {} if request_kwargs is None else request_kwargs
        healthy = await self.router.async_get_healthy_deployments(
            model=model,
            request_kwargs=request_kwargs,
            messages=messages,
            input=input,
            specific_deployment=specific_deployment,
            parent_otel_span=get_parent_otel_span_from_kwargs(request_kwargs),
        )
        if isinstance(healthy, dict):  # one deployment: the caller named it, or an alias resolved to it
            return self._named(model, healthy, request_kwargs)
        request = self._prepare(healthy, messages, input, request_kwargs)
        return self._choose(model, healthy, await self.requests.aroute(request), request_kwargs)

    def get_available_deployment(  # type: ignore[override]  # LiteLLM's base says -> None
        self,
        model: str,
        messages: list[dict[str, str]] | None = None,
        input: str | list | None = None,
        specific_deployment: bool | None = False,
        request_kwargs: dict | None = None,
    ) -> dict:
        request_kwargs = {} if request_kwargs is None else request_kwargs
        healthy = self._healthy(model, messages, input, specific_deployment, request_kwargs)
        if isinstance(healthy, dict):
            return self._named(model, healthy, request_kwargs)
        request = self._prepare(healthy, messages, input, request_kwargs)
        return self._choose(model, healthy, self.requests.route(request), request_kwargs)

    def _prepare(
        self,
        healthy: list[dict],
        messages: list[dict[str, str]] | None,
        input: str | list | None,
        request_kwargs: dict,
    ) -> RoutingRequest:
        """The core's prepared request among the healthy deployments; a refused or bad per-request
        option, malformed messages or instruction, or no capable deployment is a 400
        (`BadRequestError`)."""
        cards = self.cards.for_deployments(healthy)
        metadata = self._metadata(request_kwargs)
        try:
            return self.requests.prepare(
                messages,
                cards,
                options=metadata,
                granted=self.controls.granted(metadata),
                tools=request_kwargs.get("tools"),
                max_tokens=_max_tokens(request_kwargs),
                instruction=None if self.instruction is None else self.instruction(messages, input),
                input=input,
            )
        except (ConfigError, NoCapableCandidateError) as exc:
            raise litellm.BadRequestError(
                message=f"Model-SAT: {exc}", model=str(healthy[0].get("model_name")), llm_provider="modelsat"
            ) from exc

    def _named(self, model: str, deployment: dict, request_kwargs: dict) -> dict:
        """A request whose `model` is a deployment's id (LiteLLM's way of naming one) forces that
        deployment, as `modelsat_model` does: it needs the `model` override and must be within the
        cost cap, else a 400. A single deployment that LiteLLM resolved from another name passes."""
        if model != deployment_id(deployment):
            return deployment
        metadata = self._metadata(request_kwargs)
        try:
            CallOptions.read(
                {**metadata, MODEL_KEY: model},
                self.cards.for_deployments([deployment]),
                self.controls,
                self.controls.granted(metadata),
            )
        except ConfigError as exc:
            raise litellm.BadRequestError(
                message=f"Model-SAT: model {model!r} names one deployment, which forces it: {exc}",
                model=model,
                llm_provider="modelsat",
            ) from exc
        return deployment

    def _metadata(self, request_kwargs: dict[str, Any]) -> Mapping[str, Any]:
        metadata = request_kwargs.get(self.router._get_metadata_variable_name_from_kwargs(request_kwargs))
        return metadata if isinstance(metadata, Mapping) else {}

    def _healthy(
        self,
        model: str,
        messages: list[dict[str, str]] | None,
        input: str | list | None,
        specific_deployment: bool | None,
        request_kwargs: dict,
    ) -> list[dict] | dict:
        """The sync twin of `Router.async_get_healthy_deployments` (LiteLLM has no public one):
        the group's deployments, less those cooling down or blocked."""
        _, deployments = self.router._common_checks_available_deployment(
            model=model,
            messages=messages,
            input=input,
            specific_deployment=specific_deployment,
            request_kwargs=request_kwargs,
        )
        if isinstance(deployments, dict):
            return deployments
        span = get_parent_otel_span_from_kwargs(request_kwargs)
        cooling = set(get_cooldown_deployments(litellm_router_instance=self.router, parent_otel_span=span))
        healthy = self.router._filter_blocked_deployments(
            [d for d in deployments if deployment_id(d) not in cooling]
        )
        if not healthy:
            model_ids = self.router.get_model_ids(model_name=model)
            raise RouterRateLimitError(
                model=model,
                cooldown_time=self.router.cooldown_cache.get_min_cooldown(
                    model_ids=model_ids, parent_otel_span=span
                ),
                enable_pre_call_checks=self.router.enable_pre_call_checks,
                cooldown_list=sorted(cooling),
                model_ids=model_ids,
            )
        return healthy

    def _choose(
        self, model: str, healthy: list[dict], decision: RoutingDecision, request_kwargs: dict
    ) -> dict:
        chosen = {deployment_id(d): d for d in healthy}[decision.chosen]
        key = self.router._get_metadata_variable_name_from_kwargs(request_kwargs)
        if not isinstance(request_kwargs.get(key), Mapping):
            request_kwargs[key] = {}
        RoutedCall(decision=decision, model_group=model).record(request_kwargs[key])
        log.info(
            "model group %r -> deployment %s (Pr=%.3f%s)",
            model,
            decision.chosen,
            decision.ranking[0].probability,
            ", degraded" if decision.degraded else "",
        )
        return chosen


def _max_tokens(request_kwargs: Mapping[str, Any]) -> int | None:
    value = request_kwargs.get("max_completion_tokens") or request_kwargs.get("max_tokens")
    return value if isinstance(value, int) else None
