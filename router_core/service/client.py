"""ServiceEngine: the routing calls of `LocalEngine`, answered by a routing service (`modelsat serve`).

`EngineConfig(service_url=...)` makes the shared engine registry hand this out instead of a local
router, so the LangChain router and the LiteLLM strategy route through the service unchanged. It
keeps the engine's contract: the same decision (the policy is sent spelled out), the call's timeout,
retries of transient failures, and when the service cannot answer in time, the engine's degraded
card ranking flagged with the reason, never a failed user call.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from tenacity import (
    AsyncRetrying,
    Retrying,
    retry_if_exception,
    stop_after_delay,
)

from router_core.cards.card import CapabilityCard
from router_core.engine.decision import RoutingDecision
from router_core.engine.engine import EngineConfig, degraded_decision
from router_core.engine.policies import Policy, PolicySpec, parse_policy
from router_core.errors import ConfigError, ServiceError
from router_core.retry import RetrySettings
from router_core.service.protocol import HEALTH_PATH, ROUTE_PATH, TOKEN_ENV, caller_error, route_payload

RETRY = RetrySettings(attempts=3, initial_wait_s=0.05, max_wait_s=0.5, jitter_s=0.05)
"""Tries of one routing call on a transient failure (connection, 429, 502-504), within its timeout."""
NETWORK_GRACE_S = 1.0
"""Allowance for the network on top of the routing timeout, which the service itself keeps."""
CONNECT_TIMEOUT_S = 5.0
RETRY_STATUSES = frozenset({429, 502, 503, 504})


class _Transient(ServiceError):
    """An answer worth asking again for (the service is starting, overloaded or restarting)."""


@dataclass
class _Call:
    """One routing call: what is asked, since when, and how long it may take."""

    names: list[str]
    cards: list[CapabilityCard]
    policy: Policy
    payload: dict[str, Any]
    budget: float | None
    started: float

    def left(self) -> float | None:
        if self.budget is None:
            return None
        return max(self.budget - (time.perf_counter() - self.started), 0.0)

    def http(self, url: str) -> dict[str, Any]:
        """Keyword arguments of `Client.request` / `AsyncClient.request` for the next attempt: the
        one request builder of the sync and async paths."""
        left = self.left()
        connect = CONNECT_TIMEOUT_S if left is None else min(CONNECT_TIMEOUT_S, left)
        return {
            "method": "POST",
            "url": url,
            "json": self.payload,
            "timeout": httpx.Timeout(left, connect=connect),
        }


class ServiceEngine:
    """`route` / `aroute` / `warmup` / `close` of `LocalEngine`, through the routing service at
    `config.service_url`. The bearer token, if the service wants one, is read from the
    `MODELSAT_SERVICE_TOKEN` environment variable and sent only in the request header."""

    def __init__(self, config: EngineConfig) -> None:
        if config.service_url is None:
            raise ConfigError("ServiceEngine needs EngineConfig.service_url")
        self.config = config
        self.default_policy = config.policy
        self.url = config.service_url.rstrip("/")
        token = os.environ.get(TOKEN_ENV)
        self._headers = {"authorization": f"Bearer {token}"} if token else {}
        self._client: httpx.Client | None = None
        self._async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ServiceEngine(url={self.url!r})"

    # ---- routing -------------------------------------------------------------------------------

    def route(
        self,
        instruction: str,
        candidates: Mapping[str, CapabilityCard],
        policy: PolicySpec | None = None,
        timeout_s: float | None = None,
    ) -> RoutingDecision:
        """Rank `candidates` for `instruction` on the service; degrades if it cannot answer."""
        call = self._begin(instruction, candidates, policy, timeout_s)
        try:
            return Retrying(**self._retry_policy(call))(self._post, call)
        except (ServiceError, httpx.HTTPError) as exc:
            return self._degrade(call, exc)

    async def aroute(
        self,
        instruction: str,
        candidates: Mapping[str, CapabilityCard],
        policy: PolicySpec | None = None,
        timeout_s: float | None = None,
    ) -> RoutingDecision:
        """`route` for asyncio, on an `httpx.AsyncClient` of the running event loop."""
        call = self._begin(instruction, candidates, policy, timeout_s)
        try:
            return await AsyncRetrying(**self._retry_policy(call))(self._apost, call)
        except (ServiceError, httpx.HTTPError) as exc:
            return self._degrade(call, exc)

    def warmup(self) -> ServiceEngine:
        """Check now that the service answers this process (and accepts its token); raises
        `ServiceError` if not. The service loads its router when it starts."""
        try:
            response = self._sync_client().get(self.url + HEALTH_PATH, timeout=CONNECT_TIMEOUT_S)
        except httpx.HTTPError as exc:
            raise ServiceError(f"routing service {self.url} unreachable: {_describe(exc)}") from exc
        if response.status_code != 200:
            raise ServiceError(f"routing service {self.url} answered {response.status_code} to {HEALTH_PATH}")
        return self

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None
            self._async_clients.clear()

    # ---- the request and its answer ------------------------------------------------------------

    def _begin(
        self,
        instruction: str,
        candidates: Mapping[str, CapabilityCard],
        policy: PolicySpec | None,
        timeout_s: float | None,
    ) -> _Call:
        started = time.perf_counter()
        if not candidates:
            raise ConfigError("no candidate models to route between")
        chosen = self.default_policy if policy is None else parse_policy(policy)
        timeout = self.config.timeout_s if timeout_s is None else timeout_s
        return _Call(
            names=list(candidates),
            cards=list(candidates.values()),
            policy=chosen,
            payload=route_payload(instruction, candidates, chosen, timeout),
            budget=None if timeout is None else timeout + NETWORK_GRACE_S,
            started=started,
        )

    def _post(self, call: _Call) -> RoutingDecision:
        return self._read(call, self._sync_client().request(**call.http(self.url + ROUTE_PATH)))

    async def _apost(self, call: _Call) -> RoutingDecision:
        return self._read(call, await self._async_client().request(**call.http(self.url + ROUTE_PATH)))

    def _read(self, call: _Call, response: httpx.Response) -> RoutingDecision:
        """The decision in a response; the caller's own error (a bad card, instruction or policy)
        raised as in-process; anything else a `ServiceError`."""
        if response.status_code in RETRY_STATUSES:
            raise _Transient(f"routing service answered {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            raise ServiceError(f"routing service answered {response.status_code} with no JSON") from exc
        if response.status_code == 400:
            raise caller_error(body)
        if response.status_code != 200:
            raise ServiceError(f"routing service answered {response.status_code}: {body.get('error', body)}")
        try:
            decision = RoutingDecision.from_metadata(body)
        except (KeyError, TypeError, ValueError) as exc:
            raise ServiceError(f"routing service answered no decision: {exc!r}") from exc
        return decision.model_copy(update={"latency_ms": (time.perf_counter() - call.started) * 1000})

    def _degrade(self, call: _Call, error: BaseException) -> RoutingDecision:
        reason = f"routing service {self.url} unavailable: {_describe(error)}"
        if not self.config.degrade:
            raise ServiceError(reason) from error
        return degraded_decision(call.names, call.cards, call.policy, call.started, reason)

    @staticmethod
    def _retry_policy(call: _Call) -> dict[str, Any]:
        stop = RETRY.stop()
        return {
            "retry": retry_if_exception(lambda exc: isinstance(exc, (_Transient, httpx.TransportError))),
            "stop": stop if call.budget is None else stop | stop_after_delay(call.budget),
            "wait": RETRY.wait(),
            "reraise": True,
        }

    # ---- connections ---------------------------------------------------------------------------

    def _sync_client(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(headers=self._headers, limits=_LIMITS)
            return self._client

    def _async_client(self) -> httpx.AsyncClient:
        """This event loop's client: an `AsyncClient`'s connections belong to the loop that opened them."""
        loop = asyncio.get_running_loop()
        with self._lock:
            client = self._async_clients.get(loop)
            if client is None:
                client = self._async_clients[loop] = httpx.AsyncClient(headers=self._headers, limits=_LIMITS)
            return client


_LIMITS = httpx.Limits(max_connections=256, max_keepalive_connections=64)


def _describe(error: BaseException) -> str:
    if isinstance(error, httpx.TimeoutException):
        return f"no answer in time ({type(error).__name__})"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
