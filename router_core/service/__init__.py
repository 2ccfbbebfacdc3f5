"""The routing engine as an HTTP service (`modelsat serve`, on Ray Serve) and its client.

`EngineConfig(service_url=...)` routes through a running service; Ray is imported only by
`router_core.service.app`, which serves it, never by the client.
"""

from router_core.service.client import ServiceEngine
from router_core.service.handler import RoutingService
from router_core.service.protocol import HEALTH_PATH, ROUTE_PATH, TOKEN_ENV, RouteRequest

__all__ = ["HEALTH_PATH", "ROUTE_PATH", "TOKEN_ENV", "RouteRequest", "RoutingService", "ServiceEngine"]
