"""Errors the LangChain router raises on purpose; each names the problem and how to fix it."""

from __future__ import annotations

from router_core.errors import (
    AllCandidatesFailedError,
    CardError,
    ConfigError,
    ModelSATError,
    NoCapableCandidateError,
)

__all__ = [
    "AllCandidatesFailedError",
    "CardError",
    "ConfigError",
    "InstructionError",
    "NoCapableCandidateError",
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
