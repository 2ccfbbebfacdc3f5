"""The routing service's request handling, apart from Ray: token, size and shape checks, then the
engine. The Ray Serve deployment (`router_core.service.app`) hands it each HTTP request; keeping it
free of Ray lets its checks be tested without a cluster."""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import AsyncIterable, Awaitable, Callable
from typing import Any, NamedTuple

from pydantic import ValidationError

from router_core.engine import LocalEngine, capable_candidates, resolve_candidates
from router_core.engine.request import human_request
from router_core.engine.requirements import Requirements
from router_core.errors import (
    CardError,
    ConfigError,
    NoCapableCandidateError,
    NoModelChosenError,
    validation_summary,
)
from router_core.service.protocol import HEALTH_PATH, MAX_REQUEST_BYTES, ROUTE_PATH, RouteRequest, error_body

log = logging.getLogger("router_core.service")

BAD_REQUEST = (ConfigError, CardError, NoModelChosenError, NoCapableCandidateError)
"""What a request can get wrong; answered with 400 and the error's type, never degraded around."""


class Reply(NamedTuple):
    """An HTTP answer: status and JSON body."""

    status: int
    body: dict[str, Any]


class RequestTooLargeError(Exception):
    """A request body over the service's size limit."""


class RoutingService:
    """Answers `POST /v1/route` with a decision and `GET /health` with the router's state, for
    clients holding the bearer token when one is set."""

    def __init__(
        self, engine: LocalEngine, *, token: str | None = None, max_request_bytes: int = MAX_REQUEST_BYTES
    ) -> None:
        self.engine = engine
        self._token = token.encode() if token else None
        self.max_request_bytes = max_request_bytes

    def authorized(self, authorization: str | None) -> bool:
        """Whether an `Authorization` header carries the token (always, when none is set);
        compared in constant time."""
        if self._token is None:
            return True
        scheme, _, value = (authorization or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), self._token)

    async def handle(
        self,
        method: str,
        path: str,
        authorization: str | None,
        body: AsyncIterable[bytes],
        route: Callable[[RouteRequest], Awaitable[Reply]] | None = None,
    ) -> Reply:
        """One HTTP request; `route` answers a checked route request (default: `self.route`; the
        deployment passes its batching method)."""
        if not self.authorized(authorization):
            return Reply(401, {"error": {"type": "Unauthorized", "message": "missing or wrong bearer token"}})
        if path == HEALTH_PATH and method == "GET":
            return self.health()
        if path != ROUTE_PATH:
            return Reply(404, {"error": {"type": "NotFound", "message": f"no endpoint {path}"}})
        if method != "POST":
            return Reply(405, {"error": {"type": "MethodNotAllowed", "message": f"POST {ROUTE_PATH}"}})
        try:
            request = self.parse(await self._read(body))
        except RequestTooLargeError as exc:
            return Reply(413, error_body(exc))
        except ConfigError as exc:
            return Reply(400, error_body(exc))
        return await (route or self.route)(request)

    def health(self) -> Reply:
        """The router's state: `degraded` with the reason while its checkpoint cannot be loaded."""
        reason = self.engine.degraded_reason
        return Reply(
            200,
            {"status": "degraded" if reason else "ok", "reason": reason, "precision": self.engine.precision},
        )

    async def _read(self, body: AsyncIterable[bytes]) -> bytes:
        data = bytearray()
        async for chunk in body:
            data += chunk
            if len(data) > self.max_request_bytes:
                raise RequestTooLargeError(f"request body over {self.max_request_bytes} bytes")
        return bytes(data)

    @staticmethod
    def parse(body: bytes) -> RouteRequest:
        """A route request from a JSON body, or a `ConfigError` saying what is wrong with it."""
        try:
            data = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"request body is not JSON: {exc}") from exc
        if isinstance(data, dict) and "checkpoint" in data:
            raise ConfigError(
                "a request cannot choose the checkpoint: the service routes with its operator's"
            )
        try:
            return RouteRequest.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(f"invalid route request: {validation_summary(exc)}") from exc

    async def route(self, request: RouteRequest) -> Reply:
        """The decision for one checked request; never raises."""
        try:
            instruction, candidates, excluded = self._call(request)
            decision = await self.engine.aroute(instruction, candidates, request.policy, request.timeout_s)
        except BAD_REQUEST as exc:
            return Reply(400, error_body(exc))
        except Exception as exc:  # a bug, not the request: the client retries, then degrades
            log.exception("routing failed")
            return Reply(500, error_body(exc))
        if excluded:
            decision = decision.model_copy(update={"excluded": excluded})
        return Reply(200, decision.metadata())

    @staticmethod
    def _call(request: RouteRequest) -> tuple[str, dict, dict[str, list[str]]]:
        """(instruction, candidates, excluded) of a request: cards resolved, and with messages,
        tools or max_tokens, only the candidates whose cards can serve them."""
        if request.instruction is None and request.messages is None:
            raise ConfigError("give an instruction or messages to route")
        if isinstance(request.candidates, list):
            cards = resolve_candidates(request.candidates)
        else:
            cards = resolve_candidates(list(request.candidates), request.candidates)
        instruction = (
            request.instruction if request.instruction is not None else human_request(request.messages)
        )
        if request.messages is None and request.tools is None and request.max_tokens is None:
            return instruction, cards, {}
        needs = Requirements.of_chat(request.messages, tools=request.tools, max_tokens=request.max_tokens)
        capable = capable_candidates(cards, needs)
        return instruction, capable.cards, capable.excluded
