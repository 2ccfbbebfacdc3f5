"""The shared routing engine: policies, micro-batching, caches and graceful degradation."""

from router_core.engine.call_options import OperatorControls
from router_core.engine.candidates import CardsSpec, resolve_candidates
from router_core.engine.decision import Candidate, RoutingDecision
from router_core.engine.engine import ENGINES, EngineConfig, EngineRegistry, RouterEngine, Scorer
from router_core.engine.policies import BestPolicy, CostAwarePolicy, Policy, ThresholdPolicy, parse_policy
from router_core.engine.requirements import CapableCandidates, Requirements, capable_candidates

__all__ = [
    "ENGINES",
    "BestPolicy",
    "Candidate",
    "CapableCandidates",
    "CardsSpec",
    "CostAwarePolicy",
    "EngineConfig",
    "EngineRegistry",
    "OperatorControls",
    "Policy",
    "Requirements",
    "RouterEngine",
    "RoutingDecision",
    "Scorer",
    "ThresholdPolicy",
    "capable_candidates",
    "parse_policy",
    "resolve_candidates",
]
