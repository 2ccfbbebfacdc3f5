"""Micro-batching: requests arriving within a short window are scored in one forward pass.

One worker thread owns the router model: it loads it (`call`) and runs every forward pass, so
the model is never used by two threads at once. That is also what keeps a CPU fast: torch's
OpenMP pool busy-waits between operations only while no more threads run torch than there are
cores; a second thread doing model work (say, loading it) made every later pass about 1.5x
slower on a 2-core machine (docs/benchmarks.md). Callers get a `concurrent.futures.Future`; a request
cancelled while it waits is dropped from its batch without disturbing the others. The queue is
bounded: when it is full, callers wait (back-pressure) up to their own timeout. Every instruction is
checked before it joins a batch (`check_instructions`): malformed input fails its own request with a
`ConfigError`, never the forward pass it would have shared with other callers.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

import numpy as np

from router_core.cards.card import CapabilityCard
from router_core.errors import ConfigError

log = logging.getLogger("router_core.engine")

ScoreFn = Callable[[list[str], list[CapabilityCard]], np.ndarray]


def utf8_problem(text: str) -> str | None:
    """Why `text` does not encode as UTF-8 (a lone surrogate such as '\\udcff', which Python makes
    of undecodable bytes; tokenizers reject it), or None when it does."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"{exc.reason} ({text[exc.start : exc.end]!r} at character {exc.start})"
    return None


def check_instructions(instructions: Sequence[object]) -> None:
    """Refuse, with a `ConfigError` naming it, an instruction that would fail the forward pass of
    the whole batch it joins: anything but a str, or a str that does not encode as UTF-8."""
    for index, text in enumerate(instructions):
        label = "instruction" if len(instructions) == 1 else f"instruction {index}"
        if not isinstance(text, str):
            raise ConfigError(f"{label} must be a string, got {type(text).__name__}")
        if (problem := utf8_problem(text)) is not None:
            raise ConfigError(
                f"{label} is not valid UTF-8 text: {problem}; decode input bytes as UTF-8 "
                "(errors='replace' keeps the rest)"
            )


@dataclass
class ScoreRequest:
    """Instructions to score against one set of cards; refused at construction if one is malformed."""

    instructions: list[str]
    cards: Sequence[CapabilityCard]
    card_keys: tuple[str, ...]
    """Fingerprints of the cards: requests over the same cards share one forward pass."""
    future: Future = field(default_factory=Future)

    def __post_init__(self) -> None:
        check_instructions(self.instructions)


@dataclass
class WorkerJob:
    """A call to run on the worker thread (loading the model), queued like a request."""

    fn: Callable[[], object]
    future: Future = field(default_factory=Future)

    def run(self) -> None:
        if not self.future.set_running_or_notify_cancel():
            return
        try:
            self.future.set_result(self.fn())
        except BaseException as exc:  # the caller gets it; the worker lives on
            self.future.set_exception(exc)


class MicroBatcher:
    def __init__(self, score: ScoreFn, window_s: float, max_batch: int, max_queue: int) -> None:
        self._score = score
        self.window_s = window_s
        self.max_batch = max_batch
        self._queue: queue.Queue[ScoreRequest | WorkerJob | None] = queue.Queue()
        self._room = threading.BoundedSemaphore(max_queue)
        """Places for waiting requests; jobs (loading the model) never wait for one."""
        self._worker: threading.Thread | None = None
        self._held: list[WorkerJob | None] = []
        """What ended a batch early, handled next."""
        self._start_lock = threading.Lock()
        self.batches = 0
        """Forward passes run so far (for tests and the benchmark)."""

    def submit(self, request: ScoreRequest, block_s: float | None = None) -> Future:
        """Queue a request; waits up to `block_s` for room (None: forever, 0: not at all).
        Raises `queue.Full` when there is still no room."""
        self._ensure_worker()
        if not self._room.acquire(blocking=block_s != 0, timeout=block_s or None):
            raise queue.Full
        self._queue.put(request)
        return request.future

    def call(self, fn: Callable[[], object]) -> Future:
        """Run `fn` on the worker thread, after the requests already queued."""
        self._ensure_worker()
        job = WorkerJob(fn)
        self._queue.put(job)
        return job.future

    def close(self) -> None:
        if self._worker is not None and self._worker.is_alive():
            self._queue.put(None)
            self._worker.join(timeout=5)
        self._worker = None

    def _ensure_worker(self) -> None:
        with self._start_lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="modelsat-engine", daemon=True)
                self._worker.start()

    def _run(self) -> None:
        while (item := self._next()) is not None:
            if isinstance(item, WorkerJob):
                item.run()
            else:
                self._process(self._collect(item))

    def _next(self) -> ScoreRequest | WorkerJob | None:
        return self._held.pop() if self._held else self._take(self._queue.get())

    def _take(self, item: ScoreRequest | WorkerJob | None) -> ScoreRequest | WorkerJob | None:
        """An item off the queue; a request frees its place."""
        if isinstance(item, ScoreRequest):
            self._room.release()
        return item

    def _collect(self, first: ScoreRequest) -> list[ScoreRequest]:
        """The requests arriving within the window, up to the batch size; a job or the stop
        signal ends the batch early and is held for next."""
        batch = [first]
        size = len(first.instructions)
        deadline = time.monotonic() + self.window_s
        while size < self.max_batch:
            remaining = deadline - time.monotonic()
            try:
                nxt = self._take(
                    self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
                )
            except queue.Empty:
                break
            if not isinstance(nxt, ScoreRequest):
                self._held.append(nxt)
                break
            batch.append(nxt)
            size += len(nxt.instructions)
        return batch

    def _process(self, batch: list[ScoreRequest]) -> None:
        live = [r for r in batch if r.future.set_running_or_notify_cancel()]
        by_cards: dict[tuple[str, ...], list[ScoreRequest]] = {}
        for request in live:
            by_cards.setdefault(request.card_keys, []).append(request)
        for requests in by_cards.values():
            texts = list(dict.fromkeys(t for r in requests for t in r.instructions))
            try:
                scores = self._score(texts, list(requests[0].cards))
            except Exception as exc:  # every waiting caller gets the error; the worker lives on
                log.warning("router scoring failed for a batch of %d: %r", len(texts), exc)
                for request in requests:
                    request.future.set_exception(exc)
                continue
            self.batches += 1
            row = {text: i for i, text in enumerate(texts)}
            for request in requests:
                request.future.set_result(scores[[row[t] for t in request.instructions]])
