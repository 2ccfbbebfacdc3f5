"""Micro-batching: requests arriving within a short window are scored in one forward pass.

One worker thread owns the router model, so the model is never used by two threads at once.
Callers get a `concurrent.futures.Future`; a request cancelled while it waits is dropped from
its batch without disturbing the others. The queue is bounded: when it is full, callers wait
(back-pressure) up to their own timeout.
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

log = logging.getLogger("router_core.engine")

ScoreFn = Callable[[list[str], list[CapabilityCard]], np.ndarray]


@dataclass
class ScoreRequest:
    instructions: list[str]
    cards: Sequence[CapabilityCard]
    zoo: tuple[str, ...]
    """Fingerprints of the cards: requests over the same zoo share one forward pass."""
    future: Future = field(default_factory=Future)


class MicroBatcher:
    def __init__(self, score: ScoreFn, window_s: float, max_batch: int, max_queue: int) -> None:
        self._score = score
        self.window_s = window_s
        self.max_batch = max_batch
        self._queue: queue.Queue[ScoreRequest | None] = queue.Queue(maxsize=max_queue)
        self._worker: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.batches = 0
        """Forward passes run so far (for tests and the benchmark)."""

    def submit(self, request: ScoreRequest, block_s: float | None = None) -> Future:
        """Queue a request; waits up to `block_s` for room (None: forever, 0: not at all).
        Raises `queue.Full` when there is still no room."""
        self._ensure_worker()
        if block_s == 0:
            self._queue.put_nowait(request)
        else:
            self._queue.put(request, timeout=block_s)
        return request.future

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
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            size = len(first.instructions)
            deadline = time.monotonic() + self.window_s
            while size < self.max_batch:
                remaining = deadline - time.monotonic()
                try:
                    nxt = self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._process(batch)
                    return
                batch.append(nxt)
                size += len(nxt.instructions)
            self._process(batch)

    def _process(self, batch: list[ScoreRequest]) -> None:
        live = [r for r in batch if r.future.set_running_or_notify_cancel()]
        by_zoo: dict[tuple[str, ...], list[ScoreRequest]] = {}
        for request in live:
            by_zoo.setdefault(request.zoo, []).append(request)
        for requests in by_zoo.values():
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
