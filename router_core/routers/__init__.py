"""Routers: the shared interface, reference routers, learned baselines and the registry by name."""

from router_core.routers.base import OutcomeAware, Router, RouterOptions
from router_core.routers.registry import BASELINES, make_router, option_names, register_router, router_names

__all__ = [
    "BASELINES",
    "OutcomeAware",
    "Router",
    "RouterOptions",
    "make_router",
    "option_names",
    "register_router",
    "router_names",
]
