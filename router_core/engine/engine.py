"""LocalEngine: the one routing engine both integrations call.

A process shares one engine per checkpoint (see `EngineRegistry`). The router model lives in a
worker thread that micro-batches concurrent requests; the sync API waits on it, the async API
awaits it without blocking the event loop. If the router cannot score (it fails to load, runs
out of memory or times out), the engine answers with the default ranking (card mean accuracy)
and marks the decision `degraded` instead of failing the user's call.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import numpy as np
from pydantic import Field

from router_core.cache import LRUCache
from router_core.cards.card import CapabilityCard
from router_core.engine.batching import MicroBatcher, ScoreRequest
from router_core.engine.decision import Candidate, RoutingDecision
from router_core.engine.policies import BestPolicy, Policy, PolicySpec, parse_policy
from router_core.errors import CardError, ConfigError, EngineOverloadedError
from router_core.model.config import ScorerSettings

if TYPE_CHECKING:
    from router_core.service.client import ServiceEngine

log = logging.getLogger("router_core.engine")

Number = TypeVar("Number", int, float)
CPU_BATCH, ACCELERATOR_BATCH = 4, 64
"""Default instructions per forward pass (`EngineConfig.max_batch_size` None)."""
CPU_WINDOW_MS, ACCELERATOR_WINDOW_MS = 0.0, 3.0
"""Default wait for company (`EngineConfig.batch_window_ms` None)."""


class Scorer(Protocol):
    """What the engine drives: `ModelSATScorer`, or any router that scores instructions x cards."""

    def score(self, instructions: Sequence[str], cards: Sequence[CapabilityCard]) -> np.ndarray:
        """(len(instructions), len(cards)) probabilities in [0, 1]."""
        ...


class Engine(Protocol):
    """What an integration routes through: a `LocalEngine`, or the routing service's client."""

    def route(
        self,
        instruction: str,
        candidates: Mapping[str, CapabilityCard],
        policy: PolicySpec | None = None,
        timeout_s: float | None = None,
    ) -> RoutingDecision: ...

    async def aroute(
        self,
        instruction: str,
        candidates: Mapping[str, CapabilityCard],
        policy: PolicySpec | None = None,
        timeout_s: float | None = None,
    ) -> RoutingDecision: ...

    def warmup(self) -> Engine: ...

    def close(self) -> None: ...


class EngineConfig(ScorerSettings):
    """Everything that shapes an engine: the scorer it loads (`ScorerSettings`: checkpoint, device,
    precision, instruction_tokens, perturbations, allow_remote_code) and how it serves; engines
    with equal configs are shared."""

    batch_window_ms: float | None = Field(
        default=None,
        ge=0,
        description="How long a batch waits for company; None: 0 for a CPU router (its passes are "
        "compute-bound, so waiting only delays a lone caller; requests queued during a pass still "
        "share the next one), 3 ms otherwise",
    )
    max_batch_size: int | None = Field(
        default=None,
        ge=1,
        description="Instructions per forward pass; None: 4 for a CPU router (compute-bound, so a "
        "bigger batch only makes its first callers wait), 64 otherwise",
    )
    max_queue: int = Field(default=4096, ge=1)
    timeout_s: float | None = Field(default=10.0, gt=0, description="Per-request routing timeout")
    score_cache_size: int = Field(default=4096, ge=0, description="Recent (instruction, cards) scores kept")
    degrade: bool = Field(default=True, description="On router failure, rank by card mean accuracy")
    reload_after_s: float = Field(default=30.0, ge=0, description="Wait before retrying a failed load")
    policy: Policy = Field(
        default_factory=BestPolicy,
        description="The default policy: an object, its dict or a string, e.g. best, cost-aware:0.05, "
        "threshold:0.6",
    )
    service_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^\s]+$",
        description="Route through a `modelsat serve` routing service at this URL instead of loading "
        "a router in this process (docs/serving.md); the service's operator chooses its checkpoint",
    )


def _or(value: Number | None, default: Number) -> Number:
    """A setting, or its default where it is None."""
    return default if value is None else value


@dataclass
class _Call:
    """One routing call in flight: what was asked, and since when."""

    names: list[str]
    request: ScoreRequest
    policy: Policy
    started: float
    timeout: float | None
    cached: np.ndarray | None
    deadline_from: float = 0.0

    def restart_clock(self) -> None:
        """Start the timeout now (after a cold start), keeping the latency measured from the call."""
        self.deadline_from = time.perf_counter()

    def left(self) -> float | None:
        """Seconds left before the call's timeout (None: no timeout)."""
        if self.timeout is None:
            return None
        return max(self.timeout - (time.perf_counter() - self.deadline_from), 0.0)


class LocalEngine:
    """Route instructions over candidate models described by capability cards."""

    def __init__(
        self, config: EngineConfig | None = None, *, scorer_factory: Callable[[], Scorer] | None = None
    ) -> None:
        """`scorer_factory` builds the scorer on first use, in the worker (default: load the
        config's checkpoint); tests and custom routers pass their own."""
        self.config = config or EngineConfig()
        self.default_policy = self.config.policy
        self._scorer_factory = scorer_factory or self._load_checkpoint
        self._scorer: Scorer | None = None
        self._load_error: Exception | None = None
        self._retry_load_at = 0.0
        self._precision: str | None = None
        self._scores: LRUCache[np.ndarray] = LRUCache(self.config.score_cache_size)
        self._batcher = MicroBatcher(
            self._score_batch,
            window_s=_or(self.config.batch_window_ms, ACCELERATOR_WINDOW_MS) / 1000,
            max_batch=_or(self.config.max_batch_size, ACCELERATOR_BATCH),
            max_queue=self.config.max_queue,
        )

    # ---- scoring -----------------------------------------------------------------------------

    def warmup(self) -> LocalEngine:
        """Load the router now rather than on the first request; raises if it cannot load."""
        self._batcher.call(self._ensure_scorer).result()
        return self

    @property
    def degraded_reason(self) -> str | None:
        """Why the router model is unavailable, if it is."""
        return None if self._load_error is None else f"router failed to load: {self._load_error!r}"

    def score(self, instructions: Sequence[str], cards: Sequence[CapabilityCard]) -> np.ndarray:
        """Pr(Yes) for instructions x cards through the worker (batch jobs); raises on failure."""
        request = self._request(list(instructions), cards)
        return self._batcher.submit(request).result()

    def _load_checkpoint(self) -> Scorer:
        from router_core.model.inference import ModelSATScorer
        from router_core.model.precision import resolve_precision
        from router_core.model.serving import load_for_inference

        c = self.config
        model = load_for_inference(c)
        self._precision = resolve_precision(c.precision, model.device)
        if model.device.type == "cpu":
            self._batcher.max_batch = _or(c.max_batch_size, CPU_BATCH)
            self._batcher.window_s = _or(c.batch_window_ms, CPU_WINDOW_MS) / 1000
        return ModelSATScorer(model, perturbations=c.perturbations)

    def _ensure_scorer(self) -> Scorer:
        """The loaded scorer, loading it first if needed; runs on the worker thread only."""
        if self._scorer is None:
            if self._load_error is not None and time.monotonic() < self._retry_load_at:
                raise self._load_error
            try:
                self._scorer = self._scorer_factory()
            except Exception as exc:
                self._load_error = exc
                self._retry_load_at = time.monotonic() + self.config.reload_after_s
                raise
            self._load_error = None
        return self._scorer

    def _load_in_worker(self) -> Future:
        """Load the router on the worker if needed (outside any request timeout: a cold start is
        not a slow router); the future holds the error if it cannot be loaded, else None."""

        def attempt() -> Exception | None:
            try:
                self._ensure_scorer()
            except Exception as exc:
                return exc
            return None

        return self._batcher.call(attempt)

    def _score_batch(self, instructions: list[str], cards: list[CapabilityCard]) -> np.ndarray:
        return self._ensure_scorer().score(instructions, cards)

    def _request(self, instructions: list[str], cards: Sequence[CapabilityCard]) -> ScoreRequest:
        card_keys = tuple(card.fingerprint for card in cards)
        return ScoreRequest(instructions=instructions, cards=list(cards), card_keys=card_keys)

    # ---- routing -----------------------------------------------------------------------------

    def route(
        self,
        instruction: str,
        candidates: Mapping[str, CapabilityCard],
        policy: PolicySpec | None = None,
        timeout_s: float | None = None,
    ) -> RoutingDecision:
        """Rank `candidates` (name -> card) for `instruction` under `policy`."""
        call = self._begin(instruction, candidates, policy, timeout_s)
        if call.cached is not None:
            return self._decide(call, call.cached, cached=True)
        if self._scorer is None and (error := self._load_in_worker().result()) is not None:
            return self._degrade(call, error)
        call.restart_clock()
        future: Future | None = None
        try:
            future = self._batcher.submit(call.request, block_s=call.timeout)
            scores = future.result(timeout=call.left())[0]
        except Exception as exc:  # queue.Full, FutureTimeout, or the scorer's own error
            if future is not None:
                future.cancel()
            return self._degrade(call, exc)
        return self._scored(call, scores)

    async def aroute(
        self,
        instruction: str,
        candidates: Mapping[str, CapabilityCard],
        policy: PolicySpec | None = None,
        timeout_s: float | None = None,
    ) -> RoutingDecision:
        """`route` for asyncio: the model runs in the engine's worker, the event loop stays free."""
        call = self._begin(instruction, candidates, policy, timeout_s)
        if call.cached is not None:
            return self._decide(call, call.cached, cached=True)
        if self._scorer is None and (error := await asyncio.wrap_future(self._load_in_worker())) is not None:
            return self._degrade(call, error)
        call.restart_clock()
        try:
            future = await self._asubmit(call)
            scores = (await asyncio.wait_for(asyncio.wrap_future(future), call.left()))[0]
        except Exception as exc:  # asyncio.TimeoutError, overload, or the scorer's own error
            return self._degrade(call, exc)
        return self._scored(call, scores)

    async def _asubmit(self, call: _Call) -> Future:
        while True:
            try:
                return self._batcher.submit(call.request, block_s=0)
            except queue.Full:
                if call.left() == 0:
                    raise EngineOverloadedError(
                        f"routing queue full ({self.config.max_queue}) for {call.timeout}s"
                    ) from None
                await asyncio.sleep(max(self._batcher.window_s, 0.001))

    def _begin(
        self,
        instruction: str,
        candidates: Mapping[str, CapabilityCard],
        policy: PolicySpec | None,
        timeout_s: float | None,
    ) -> _Call:
        started = time.perf_counter()
        if not isinstance(instruction, str):
            raise ConfigError(f"instruction must be a string, got {type(instruction).__name__}")
        if not candidates:
            raise ConfigError("no candidate models to route between")
        bad = [name for name, card in candidates.items() if not isinstance(card, CapabilityCard)]
        if bad:
            raise ConfigError(f"candidates {bad} have no CapabilityCard")
        request = self._request([instruction], list(candidates.values()))
        return _Call(
            names=list(candidates),
            request=request,
            policy=self.default_policy if policy is None else parse_policy(policy),
            started=started,
            deadline_from=started,
            timeout=self.config.timeout_s if timeout_s is None else timeout_s,
            cached=self._scores.get((instruction, request.card_keys)),
        )

    def _scored(self, call: _Call, scores: np.ndarray) -> RoutingDecision:
        self._scores.put((call.request.instructions[0], call.request.card_keys), scores)
        return self._decide(call, scores)

    def _decide(self, call: _Call, probabilities: np.ndarray, *, cached: bool = False) -> RoutingDecision:
        return decide(call.names, call.request.cards, probabilities, call.policy, call.started, cached=cached)

    def _degrade(self, call: _Call, error: BaseException) -> RoutingDecision:
        if not self.config.degrade or isinstance(error, CardError):  # a wrong card is the caller's to fix
            raise error
        reason = self._describe_failure(error, call.timeout)
        return degraded_decision(call.names, call.request.cards, call.policy, call.started, reason)

    def _describe_failure(self, error: BaseException, timeout: float | None) -> str:
        if self._load_error is not None:
            return self.degraded_reason or ""
        if isinstance(error, (FutureTimeout, asyncio.TimeoutError)):
            return f"router timed out after {timeout}s"
        if isinstance(error, queue.Full):
            return f"routing queue full ({self.config.max_queue})"
        return f"router failed: {type(error).__name__}: {error}"

    def close(self) -> None:
        self._batcher.close()

    @property
    def forward_passes(self) -> int:
        return self._batcher.batches

    @property
    def precision(self) -> str | None:
        """The number format the loaded checkpoint runs in (None before it loads, or for a custom
        scorer)."""
        return self._precision

    @property
    def max_batch_size(self) -> int:
        """Instructions per forward pass in effect (the CPU default is set when the router loads)."""
        return self._batcher.max_batch

    @property
    def batch_window_ms(self) -> float:
        """How long a batch waits for company, in effect (the CPU default is set when the router
        loads)."""
        return self._batcher.window_s * 1000


def decide(
    names: Sequence[str],
    cards: Sequence[CapabilityCard],
    probabilities: Sequence[float] | np.ndarray,
    policy: Policy,
    started: float,
    **flags: Any,
) -> RoutingDecision:
    """The decision for these scores under `policy`, timed from `started`: one shape for scored,
    cached and degraded answers, in this process or from the routing service's client."""
    prices = [card.price for card in cards]
    order = policy.order(np.asarray(probabilities, dtype=float), prices)
    return RoutingDecision(
        ranking=[
            Candidate(name=names[i], probability=float(probabilities[i]), price=prices[i]) for i in order
        ],
        policy=policy.describe(),
        latency_ms=(time.perf_counter() - started) * 1000,
        **flags,
    )


def degraded_decision(
    names: Sequence[str], cards: Sequence[CapabilityCard], policy: Policy, started: float, reason: str
) -> RoutingDecision:
    """What a call gets when no router can score it: the candidates by their card's mean aptitude
    accuracy under the same policy, flagged `degraded` with the reason (also logged), so the user's
    call goes on."""
    log.warning("routing degraded to the card-mean ranking: %s", reason)
    means = [card.mean_accuracy for card in cards]
    return decide(names, cards, means, policy, started, degraded=True, reason=reason)


class EngineRegistry:
    """Engines shared per configuration; `clear()` resets it (tests, reloading a checkpoint)."""

    def __init__(self) -> None:
        self._engines: dict[EngineConfig, LocalEngine | ServiceEngine] = {}
        self._lock = threading.Lock()

    def get(self, config: EngineConfig) -> LocalEngine | ServiceEngine:
        """The shared engine for `config`: a client of the routing service when it names one."""
        with self._lock:
            if config not in self._engines:
                if config.service_url is None:
                    self._engines[config] = LocalEngine(config)
                else:
                    from router_core.service.client import ServiceEngine  # httpx, only when used

                    self._engines[config] = ServiceEngine(config)
            return self._engines[config]

    def clear(self) -> None:
        with self._lock:
            for engine in self._engines.values():
                engine.close()
            self._engines.clear()


ENGINES = EngineRegistry()


def shared_engine(checkpoint: str | None = None, **settings: Any) -> LocalEngine | ServiceEngine:
    """The process-wide engine shared by every caller with this checkpoint and settings (not a new
    one: `LocalEngine(EngineConfig(...))` makes a private engine); with `service_url`, the client of
    that routing service, which answers the same calls."""
    return ENGINES.get(EngineConfig(checkpoint=checkpoint, **settings))
