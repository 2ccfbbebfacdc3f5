"""The routing service's handler behind a plain threaded HTTP server (no Ray), and a closed port: the
client's whole path, fast."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from router_core.engine import LocalEngine
from router_core.service.handler import Reply, RoutingService
from tests.fakes import keyword_engine, make_card

Answer = Callable[[str, str, dict[str, str], bytes], Reply]
"""(method, path, headers, body) -> the reply a test server gives."""


def serve_http(answer: Answer) -> Iterator[str]:
    """A local HTTP server answering with `answer` until the generator is closed; yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        def _reply(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            status, payload = answer(self.command, self.path, dict(self.headers), body)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _reply

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def _once(body: bytes) -> AsyncIterator[bytes]:
    yield body


@pytest.fixture
def engine() -> Iterator[LocalEngine]:
    with keyword_engine() as engine:
        yield engine


@pytest.fixture
def zoo() -> dict:
    """math-model is the expensive one, so a cost-aware policy prefers law-model."""
    return {
        "math-model": make_card("math-model", [0.6, 0.7], 50.0),
        "law-model": make_card("law-model", [0.5], 1.0),
    }


@pytest.fixture
def service_url(engine: LocalEngine) -> Iterator[str]:
    """The handler over `engine` (token "secret") at a local URL."""
    service = RoutingService(engine, token="secret", max_request_bytes=4096)

    def answer(method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        authorization = {k.lower(): v for k, v in headers.items()}.get("authorization")
        return asyncio.run(service.handle(method, path, authorization, _once(body)))

    yield from serve_http(answer)


@pytest.fixture
def closed_port() -> str:
    """The URL of a port nothing listens on: a routing service that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
