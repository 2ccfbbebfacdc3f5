"""Errors the LangChain router raises on purpose; each names the problem and how to fix it."""

from __future__ import annotations

from router_core.errors import (
    AllCandidatesFailedError,
    CardError,
    ConfigError,
    ModelSATError,
    NoCapableCandidateError,
    OverrideRefusedError,
)

__all__ = [
    "AllCandidatesFailedError",
    "CallTimeoutError",
    "CandidateTimeoutError",
    "CardError",
    "ConfigError",
    "InstructionError",
    "NoCapableCandidateError",
    "OverrideRefusedError",
    "StreamInterruptedError",
]


class InstructionError(ModelSATError, ValueError):
    """The input holds nothing the router can read as the instruction to route on."""


class StreamInterruptedError(ModelSATError):
    """The chosen model failed after its first chunk was streamed; falling back then would mix two
    models' outputs, so the stream stops here. `model` and `chunks` say where it broke."""

    def __init__(self, model: str, chunks: int, error: BaseException) -> None:
        self.model = model
        self.chunks = chunks
        self.error = error
        super().__init__(
            f"model {model!r} failed after streaming {chunks} chunk(s): {type(error).__name__}: {error}; "
            "no fallback once output has started (it would mix two answers)"
        )


class CandidateTimeoutError(ModelSATError, TimeoutError):
    """The router gave up waiting for `model`, which had not answered within `seconds`: the
    router's deadline per attempt (`timeout` plus a grace) or what was left of `call_timeout`
    (`limit` says which). A hang, not a transient error: it is not retried on the same candidate,
    the router falls back to the next one."""

    def __init__(self, model: str, seconds: float, limit: str) -> None:
        self.model = model
        self.seconds = seconds
        self.limit = limit
        super().__init__(f"model {model!r} did not answer within {seconds:g} s ({limit}); abandoned")


class CallTimeoutError(AllCandidatesFailedError):
    """No candidate answered within the router's deadline for the whole call (`call_timeout`,
    routing, retries and fallbacks included). `attempts` lists each (model, last error) tried
    before it passed, as for `AllCandidatesFailedError`."""

    def __init__(self, seconds: float, attempts: list[tuple[str, BaseException]]) -> None:
        self.seconds = seconds
        self.attempts = attempts
        tried = "; ".join(f"{model}: {type(error).__name__}: {error}" for model, error in attempts)
        ModelSATError.__init__(
            self,
            f"no answer within call_timeout={seconds:g} s: "
            + (f"{len(attempts)} candidate(s) tried ({tried})" if attempts else "no candidate was tried"),
        )
