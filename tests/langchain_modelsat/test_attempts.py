"""The attempt log and where the routing metadata goes."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage

from langchain_modelsat import METADATA_KEY, AllCandidatesFailedError
from langchain_modelsat.attempts import AttemptLog, with_metadata
from router_core.engine import Candidate, RoutingDecision

DECISION = RoutingDecision(
    ranking=[Candidate(name="a", probability=0.8), Candidate(name="b", probability=0.3)], policy="best"
)


def test_log_records_failures_and_success_in_order() -> None:
    log = AttemptLog()
    with pytest.raises(TimeoutError), log.call("a"):
        raise TimeoutError("slow")
    log.gave_up("a", TimeoutError("slow"))
    with log.call("b"):
        pass
    metadata = log.metadata(DECISION, "b")
    assert metadata["chosen"] == "a" and metadata["model"] == "b"
    assert metadata["attempts"] == [
        {"model": "a", "error": "TimeoutError: slow"},
        {"model": "b", "error": None},
    ]
    error = log.exhausted()
    assert isinstance(error, AllCandidatesFailedError) and [m for m, _ in error.attempts] == ["a"]


def test_metadata_is_added_to_messages_without_losing_theirs() -> None:
    message = AIMessage("hi", response_metadata={"finish_reason": "stop"})
    tagged = with_metadata(message, {"model": "a"})
    assert tagged.response_metadata == {"finish_reason": "stop", METADATA_KEY: {"model": "a"}}
    assert METADATA_KEY not in message.response_metadata


def test_non_message_outputs_pass_unchanged() -> None:
    output = {"answer": 42}
    assert with_metadata(output, {"model": "a"}) is output
