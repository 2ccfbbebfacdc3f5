"""How a failing call is retried, in one vocabulary: the candidate calls of the integrations, the
aptitude test's calls to a model and the routing service client all take a `RetrySettings`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from tenacity import stop_after_attempt, wait_exponential, wait_random
from tenacity.stop import stop_base
from tenacity.wait import wait_base


class RetrySettings(BaseModel):
    """Attempts and exponential backoff with jitter: the wait before retry n is
    `min(initial_wait_s * 2**n, max_wait_s)` plus up to `jitter_s` at random, so many concurrent
    callers do not hammer a rate-limited provider in step."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    attempts: int = Field(default=3, ge=1, description="Calls in all, the first one included")
    initial_wait_s: float = Field(default=0.5, ge=0, description="Wait before the first retry")
    max_wait_s: float = Field(default=20.0, ge=0, description="Cap of the exponential part of a wait")
    jitter_s: float = Field(default=1.0, ge=0, description="Random extra wait added to each, up to this")

    def stop(self) -> stop_base:
        """tenacity's stop condition: after `attempts` calls."""
        return stop_after_attempt(self.attempts)

    def wait(self) -> wait_base:
        """tenacity's wait between attempts."""
        return wait_exponential(multiplier=self.initial_wait_s, max=self.max_wait_s) + wait_random(
            0, self.jitter_s
        )
