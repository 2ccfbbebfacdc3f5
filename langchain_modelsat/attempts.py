"""The record of one routed call: every model call made, and the metadata that shows it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from langchain_core.messages import BaseMessage

from router_core.engine import RoutingDecision
from router_core.errors import AllCandidatesFailedError

METADATA_KEY = "modelsat"


class AttemptLog:
    """Every call of one request in order (retries included), and each candidate's final error, so
    the answer says how it was obtained and a total failure names every cause."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.failures: list[tuple[str, BaseException]] = []

    @contextmanager
    def call(self, model: str) -> Iterator[None]:
        """Record the call made inside the block: its error (re-raised) or its success."""
        try:
            yield
        except Exception as error:
            self.calls.append({"model": model, "error": f"{type(error).__name__}: {error}"})
            raise
        self.calls.append({"model": model, "error": None})

    def gave_up(self, model: str, error: BaseException) -> None:
        self.failures.append((model, error))

    def exhausted(self) -> AllCandidatesFailedError:
        return AllCandidatesFailedError(self.failures)

    def metadata(self, decision: RoutingDecision, model: str) -> dict[str, Any]:
        """`decision.metadata()` plus the model that answered and the calls made."""
        return {**decision.metadata(), "model": model, "attempts": list(self.calls)}


def with_metadata(output: Any, metadata: dict[str, Any]) -> Any:
    """`output` with `response_metadata["modelsat"]` set when it is a message; other outputs (e.g.
    structured output) pass unchanged, since they have nowhere to carry it."""
    if not isinstance(output, BaseMessage):
        return output
    return output.model_copy(
        update={"response_metadata": {**output.response_metadata, METADATA_KEY: metadata}}
    )
