"""The decision travels as JSON between the strategy, the callback, loggers and the proxy's headers,
and is read back typed by `decision_of` only."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any

import litellm_modelsat as lm
import pytest
from litellm_modelsat.proxy import proxy_handler

from router_core.engine import Candidate, RoutingDecision
from tests.integrations.litellm_modelsat.conftest import ask, deployment

LAW = "review this contract"


def routed(chosen: str, group: str = "g") -> lm.RoutedCall:
    ranking = [Candidate(name=chosen, probability=0.9, price=1.0), Candidate(name="other", probability=0.2)]
    return lm.RoutedCall(decision=RoutingDecision(ranking=ranking, policy="best"), model_group=group)


def zoo() -> list[dict[str, Any]]:
    return [deployment("g", "math", "math-model"), deployment("g", "law", "law-model")]


async def test_a_routed_call_is_recorded_as_json_and_read_back_typed(make_method):
    router, _ = make_method(zoo())
    metadata: dict[str, Any] = {}
    response = await router.acompletion(model="g", messages=ask(LAW), metadata=metadata)
    call = lm.decision_of({"metadata": metadata})
    assert call is not None and (call.decision.chosen, call.model_group) == ("law", "g")
    assert json.loads(json.dumps(metadata[lm.DECISION_KEY])) == call.metadata()
    assert lm.decision_of({}, response) == call


async def test_loggers_see_the_decision_in_the_call_details(make_method):
    import litellm
    from litellm.integrations.custom_logger import CustomLogger

    seen: list[dict[str, Any]] = []

    class Logger(CustomLogger):
        async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
            seen.append(kwargs)

    logger = Logger()
    litellm.callbacks.append(logger)
    try:
        router, _ = make_method(zoo())
        await router.acompletion(model="g", messages=ask(LAW))
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
    finally:
        litellm.callbacks.remove(logger)
    call = lm.decision_of(seen[0])  # call details nest the request's metadata under litellm_params
    assert call is not None and call.decision.chosen == "law"
    json.dumps(seen[0]["litellm_params"]["metadata"][lm.DECISION_KEY])  # a logger may serialise it


@pytest.mark.parametrize("where", ["metadata", "litellm_metadata"])
def test_either_metadata_of_a_request_or_its_call_details_holds_it(where):
    metadata: dict[str, Any] = {}
    routed("a").record(metadata)
    assert lm.decision_of({where: metadata}) == routed("a")
    assert lm.decision_of({"litellm_params": {where: metadata}}) == routed("a")


def test_the_answering_hops_decision_wins_over_the_requests():
    metadata: dict[str, Any] = {}
    routed("first", "g").record(metadata)
    response = SimpleNamespace(_hidden_params={lm.DECISION_KEY: routed("backup", "fallback").metadata()})
    assert lm.decision_of({"metadata": metadata}, response) == routed("backup", "fallback")


@pytest.mark.parametrize(
    "entry", ["law", {"chosen": "law"}, {**routed("law").metadata(), "ranking": "law"}, None]
)
async def test_what_a_client_sends_under_the_key_is_no_decision_and_no_header(entry):
    data = {"metadata": {lm.DECISION_KEY: entry}}
    assert lm.decision_of(data) is None
    assert await proxy_handler.async_post_call_response_headers_hook(data, None, None, None, {}) is None
