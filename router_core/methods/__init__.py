"""Methods: the shared interface, reference methods, learned baselines and the registry by name."""

from router_core.methods.base import MethodOptions, OutcomeAware, RoutingMethod
from router_core.methods.registry import BASELINES, make_method, method_names, option_names, register_method

__all__ = [
    "BASELINES",
    "OutcomeAware",
    "RoutingMethod",
    "MethodOptions",
    "make_method",
    "option_names",
    "register_method",
    "method_names",
]
