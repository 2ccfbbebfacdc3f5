"""The shared routing engine: policies, micro-batching, caches and graceful degradation, and the
one preparation of a chat request that both integrations route through."""

from router_core.engine.call_options import (
    CONVERSATION_KEY,
    KEYS,
    LAMBDA_KEY,
    MAX_PRICE_KEY,
    MODEL_KEY,
    POLICY_KEY,
    CallOptions,
    OperatorControls,
    Override,
    read_overrides,
)
from router_core.engine.candidates import CardsSpec, resolve_candidates
from router_core.engine.decision import Candidate, RoutingDecision
from router_core.engine.engine import (
    ENGINES,
    Engine,
    EngineConfig,
    EngineRegistry,
    LocalEngine,
    Scorer,
    shared_engine,
)
from router_core.engine.policies import (
    BestPolicy,
    CostAwarePolicy,
    Policy,
    PolicySpec,
    ThresholdPolicy,
    parse_policy,
)
from router_core.engine.request import (
    INJECTED_TAGS,
    RequestPath,
    RoutingRequest,
    Stickiness,
    human_request,
)
from router_core.engine.requirements import CapableCandidates, Requirements, capable_candidates

__all__ = [
    "CONVERSATION_KEY",
    "ENGINES",
    "INJECTED_TAGS",
    "KEYS",
    "LAMBDA_KEY",
    "MAX_PRICE_KEY",
    "MODEL_KEY",
    "POLICY_KEY",
    "BestPolicy",
    "CallOptions",
    "Candidate",
    "CapableCandidates",
    "CardsSpec",
    "CostAwarePolicy",
    "Engine",
    "EngineConfig",
    "EngineRegistry",
    "OperatorControls",
    "Override",
    "Policy",
    "PolicySpec",
    "RequestPath",
    "Requirements",
    "LocalEngine",
    "RoutingDecision",
    "RoutingRequest",
    "Scorer",
    "Stickiness",
    "ThresholdPolicy",
    "capable_candidates",
    "human_request",
    "parse_policy",
    "read_overrides",
    "resolve_candidates",
    "shared_engine",
]
