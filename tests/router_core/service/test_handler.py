"""The service's own checks (token, size, shape, no client checkpoint) and its answers, without Ray."""

from __future__ import annotations

import json

from router_core.service.handler import RoutingService
from router_core.service.protocol import HEALTH_PATH, ROUTE_PATH
from tests.fakes import make_card


async def _body(data: bytes):
    yield data[: len(data) // 2]
    yield data[len(data) // 2 :]


def _request(**fields) -> bytes:
    cards = {
        "math-model": make_card("math-model", [0.6]).model_dump(mode="json"),
        "law-model": "mathstral-7B",
    }  # a shipped card, by name
    return json.dumps({"candidates": cards, **fields}).encode()


async def call(
    service: RoutingService, body: bytes, token: str | None = "Bearer secret", path=ROUTE_PATH, method="POST"
):
    return await service.handle(method, path, token, _body(body))


async def test_routes_an_instruction_or_messages_with_the_decision_shape(engine, zoo):
    service = RoutingService(engine, token="secret")
    body = json.dumps(
        {
            "instruction": "review this contract",
            "candidates": {n: c.model_dump(mode="json") for n, c in zoo.items()},
        }
    )
    status, decision = await call(service, body.encode())
    assert status == 200 and decision["chosen"] == "law-model"
    assert set(decision) == {
        "chosen",
        "ranking",
        "policy",
        "degraded",
        "reason",
        "cached",
        "latency_ms",
        "excluded",
        "sticky",
    }
    messages = [{"role": "user", "content": "an integral"}, {"role": "assistant", "content": "ok"}]
    status, decision = await call(
        service,
        json.dumps(
            {"messages": messages, "candidates": json.loads(body)["candidates"], "policy": "cost-aware:0.05"}
        ).encode(),
    )
    assert (
        status == 200 and decision["chosen"] == "law-model" and decision["policy"] == "cost-aware(lam=0.05)"
    )


async def test_needs_the_token_when_one_is_set(engine):
    service = RoutingService(engine, token="secret")
    for header in (None, "Bearer wrong", "secret", "Basic secret"):
        assert (await call(service, _request(instruction="x"), header)).status == 401
    assert (await call(service, b"", path=HEALTH_PATH, method="GET")).body["status"] == "ok"
    assert (await call(RoutingService(engine), _request(instruction="x"), None)).status == 200


async def test_refuses_big_bodies_client_checkpoints_and_bad_requests(engine):
    service = RoutingService(engine, token="secret", max_request_bytes=2048)
    assert (await call(service, _request(instruction="x" * 4096))).status == 413
    status, body = await call(service, _request(instruction="x", checkpoint="/tmp/evil"))
    assert status == 400 and "checkpoint" in body["error"]["message"]
    for bad, kind in [
        (b"not json", "ConfigError"),
        (_request(), "ConfigError"),  # neither instruction nor messages
        (_request(instruction="x", policy="cheapest"), "ConfigError"),
        (_request(instruction="\udcff"), "ConfigError"),
        (json.dumps({"instruction": "x", "candidates": ["no-such-model"]}).encode(), "CardError"),
        (_request(instruction="x", policy="threshold:0.99"), "NoModelChosenError"),
    ]:
        status, body = await call(service, bad)
        assert (status, body["error"]["type"]) == (400, kind), bad
    assert (await call(service, b"", path="/admin")).status == 404
    assert (await call(service, b"", method="GET")).status == 405
