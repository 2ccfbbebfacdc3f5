from __future__ import annotations

import queue
import threading
import time

import numpy as np
import pytest

from router_core.engine.batching import MicroBatcher, ScoreRequest
from tests.fakes import make_card

CARDS = [make_card("a-model", [0.5])]


def test_a_job_queued_mid_batch_runs_on_the_worker_after_that_batch():
    order: list[str] = []
    release = threading.Event()

    def score(texts: list[str], cards: list) -> np.ndarray:
        release.wait(5)
        order.append("batch:" + ",".join(texts))
        return np.zeros((len(texts), len(cards)))

    batcher = MicroBatcher(score, window_s=0.2, max_batch=8, max_queue=16)
    first = batcher.submit(ScoreRequest(["one"], CARDS, ("a",)))
    job = batcher.call(lambda: order.append(threading.current_thread().name) or "loaded")
    after = batcher.submit(ScoreRequest(["two"], CARDS, ("a",)))
    release.set()
    assert job.result(5) == "loaded"
    assert first.result(5).shape == after.result(5).shape == (1, 1)
    assert order == ["batch:one", "modelsat-engine", "batch:two"]
    batcher.close()


def test_a_failing_job_reports_its_error_and_the_worker_lives_on():
    batcher = MicroBatcher(lambda texts, cards: np.ones((len(texts), 1)), 0.0, 4, 16)
    failed = batcher.call(lambda: 1 / 0)
    assert isinstance(failed.exception(5), ZeroDivisionError)
    assert batcher.submit(ScoreRequest(["x"], CARDS, ("a",))).result(5).tolist() == [[1.0]]
    batcher.close()


def test_a_job_is_queued_even_when_requests_have_no_room():
    release = threading.Event()
    batcher = MicroBatcher(lambda texts, cards: release.wait(5) and np.ones((len(texts), 1)), 0.0, 1, 1)
    running = batcher.submit(ScoreRequest(["a"], CARDS, ("a",)))
    deadline = time.monotonic() + 5
    while not running.running() and time.monotonic() < deadline:
        time.sleep(0.01)
    waiting = batcher.submit(ScoreRequest(["b"], CARDS, ("a",)))
    with pytest.raises(queue.Full):
        batcher.submit(ScoreRequest(["c"], CARDS, ("a",)), block_s=0)
    job = batcher.call(lambda: "ran")  # returns at once: loading is not held back by back-pressure
    release.set()
    assert job.result(5) == "ran" and waiting.result(5).tolist() == [[1.0]]
    batcher.close()
