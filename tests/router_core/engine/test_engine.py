from __future__ import annotations

import asyncio
import threading
import time

import numpy as np
import pytest

from router_core.engine import ENGINES, EngineConfig, LocalEngine, shared_engine
from router_core.errors import CheckpointError, ConfigError, NoModelChosenError
from tests.fakes import KeywordScorer, make_card

CARDS = {
    "math": make_card("math-model", [0.5, 0.5], price=3.0),
    "law": make_card("law-model", [0.7, 0.7], price=0.5),
    "chat": make_card("chat-model", [0.6, 0.6], price=0.1),
}
KEYWORDS = {"math-model": "integral", "law-model": "contract", "chat-model": "hello"}


def engine_with(scorer: KeywordScorer, **settings) -> LocalEngine:
    return LocalEngine(EngineConfig(**settings), scorer_factory=lambda: scorer)


def test_route_ranks_by_the_scorer_and_reports_why():
    engine = engine_with(KeywordScorer(KEYWORDS))
    decision = engine.route("Compute the integral of x", CARDS)
    assert decision.chosen == "math"
    assert decision.probabilities == {"math": 0.9, "law": 0.2, "chat": 0.2}
    assert not decision.degraded and decision.policy == "best"
    assert decision.metadata()["ranking"][0] == {"model": "math", "probability": 0.9, "price": 3.0}


async def test_concurrent_async_callers_get_their_own_answers_in_few_forward_passes():
    scorer = KeywordScorer(KEYWORDS, delay_s=0.01)
    engine = engine_with(scorer, batch_window_ms=5)
    words = ["integral", "contract", "hello"]
    texts = [f"question {i} about a {words[i % 3]}" for i in range(120)]
    decisions = await asyncio.gather(*(engine.aroute(t, CARDS) for t in texts))
    sequential = [engine_with(KeywordScorer(KEYWORDS)).route(t, CARDS).chosen for t in texts]
    assert [d.chosen for d in decisions] == sequential == [["math", "law", "chat"][i % 3] for i in range(120)]
    assert engine.forward_passes < 30  # micro-batched, not one pass per caller
    assert scorer.threads == {"modelsat-engine"}  # the model only ever runs in the worker


def test_concurrent_threads_get_their_own_answers():
    engine = engine_with(KeywordScorer(KEYWORDS), batch_window_ms=2)
    results: dict[int, str] = {}

    def call(i: int) -> None:
        results[i] = engine.route(["an integral", "a contract"][i % 2] + f" #{i}", CARDS).chosen

    threads = [threading.Thread(target=call, args=(i,)) for i in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {i: ["math", "law"][i % 2] for i in range(40)}


async def test_async_routing_does_not_block_the_event_loop():
    engine = engine_with(KeywordScorer(KEYWORDS, delay_s=0.3))
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    task = asyncio.create_task(ticker())
    decision = await engine.aroute("an integral", CARDS)
    task.cancel()
    assert decision.chosen == "math"
    assert ticks >= 10


def test_a_slow_router_degrades_to_the_card_mean_ranking():
    engine = engine_with(KeywordScorer(KEYWORDS, delay_s=1.0), timeout_s=0.1)
    started = time.perf_counter()
    decision = engine.route("an integral", CARDS)
    assert time.perf_counter() - started < 0.5
    assert decision.degraded and "timed out" in decision.reason
    assert [c.name for c in decision.ranking] == ["law", "chat", "math"]  # by card mean accuracy


async def test_a_timeout_is_reported_with_the_calls_own_limit_in_both_apis():
    engine = engine_with(KeywordScorer(KEYWORDS, delay_s=0.5), timeout_s=10.0)
    for decision in (
        engine.route("an integral", CARDS, timeout_s=0.05),
        await engine.aroute("a contract", CARDS, timeout_s=0.05),
    ):
        assert decision.degraded and decision.reason == "router timed out after 0.05s"


def test_the_batch_cap_and_window_default_to_the_accelerator_values_and_follow_the_config():
    default = engine_with(KeywordScorer(KEYWORDS))
    assert (default.max_batch_size, default.batch_window_ms) == (64, 3.0)
    tuned = engine_with(KeywordScorer(KEYWORDS), max_batch_size=2, batch_window_ms=7)
    assert (tuned.max_batch_size, tuned.batch_window_ms) == (2, 7.0)


async def test_a_failing_router_degrades_in_both_apis():
    engine = engine_with(KeywordScorer(KEYWORDS, fail=MemoryError("CUDA out of memory")))
    for decision in (engine.route("an integral", CARDS), await engine.aroute("an integral", CARDS)):
        assert decision.degraded and "CUDA out of memory" in decision.reason
        assert decision.chosen == "law"


def test_a_router_that_cannot_load_degrades_and_says_why():
    def broken() -> KeywordScorer:
        raise CheckpointError("/nowhere: no such checkpoint folder")

    engine = LocalEngine(EngineConfig(), scorer_factory=broken)
    decision = engine.route("an integral", CARDS)
    assert decision.degraded and "failed to load" in decision.reason and "/nowhere" in decision.reason
    with pytest.raises(CheckpointError):
        engine.warmup()


def test_degradation_can_be_turned_off():
    engine = engine_with(KeywordScorer(KEYWORDS, fail=RuntimeError("boom")), degrade=False)
    with pytest.raises(RuntimeError, match="boom"):
        engine.route("an integral", CARDS)


def test_a_policy_that_chooses_nothing_is_the_callers_error_not_a_degradation():
    engine = engine_with(KeywordScorer(KEYWORDS))
    with pytest.raises(NoModelChosenError):
        engine.route("an integral", CARDS, "threshold:0.95")


def test_policies_apply_per_call_and_reuse_cached_scores():
    scorer = KeywordScorer(KEYWORDS, high=0.9, low=0.85)
    engine = engine_with(scorer)
    assert engine.route("an integral", CARDS).chosen == "math"
    cheap = engine.route("an integral", CARDS, "cost-aware:0.1")
    assert cheap.chosen == "chat" and cheap.cached
    assert len(scorer.calls) == 1


def test_the_score_cache_follows_card_changes():
    scorer = KeywordScorer(KEYWORDS)
    engine = engine_with(scorer)
    engine.route("an integral", CARDS)
    engine.route("an integral", CARDS)
    changed = {**CARDS, "math": make_card("math-model", [0.9, 0.9], price=3.0)}
    assert not engine.route("an integral", changed).cached
    assert len(scorer.calls) == 2


async def test_a_cancelled_waiting_request_does_not_break_its_batch():
    engine = engine_with(KeywordScorer(KEYWORDS, delay_s=0.05), batch_window_ms=20)
    doomed = asyncio.create_task(engine.aroute("a contract", CARDS))
    survivors = [asyncio.create_task(engine.aroute(f"integral {i}", CARDS)) for i in range(5)]
    await asyncio.sleep(0.005)
    doomed.cancel()
    results = await asyncio.gather(*survivors)
    assert [d.chosen for d in results] == ["math"] * 5
    assert not any(d.degraded for d in results)
    with pytest.raises(asyncio.CancelledError):
        await doomed


def test_a_full_queue_pushes_back_then_degrades():
    engine = engine_with(KeywordScorer(KEYWORDS, delay_s=0.5), max_queue=1, max_batch_size=1, timeout_s=0.2)
    threads = [threading.Thread(target=engine.route, args=(f"integral {i}", CARDS)) for i in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(0.05)
    decision = engine.route("one more integral", CARDS)
    for thread in threads:
        thread.join()
    assert decision.degraded


def test_batch_scoring_matches_single_routing():
    engine = engine_with(KeywordScorer(KEYWORDS))
    texts = ["an integral", "a contract", "hello there"]
    scores = engine.score(texts, list(CARDS.values()))
    assert np.argmax(scores, 1).tolist() == [0, 1, 2]


def test_engines_are_shared_per_configuration_and_the_registry_resets():
    first = shared_engine(None, perturbations=2)
    assert shared_engine(None, perturbations=2) is first
    assert shared_engine(None, perturbations=0) is not first
    ENGINES.clear()
    assert shared_engine(None, perturbations=2) is not first
    ENGINES.clear()


async def test_a_slow_cold_start_is_not_a_timeout():
    def slow_load() -> KeywordScorer:
        time.sleep(0.3)
        return KeywordScorer(KEYWORDS)

    for call in ("route", "aroute"):
        engine = LocalEngine(EngineConfig(timeout_s=0.1), scorer_factory=slow_load)
        result = getattr(engine, call)("an integral", CARDS)
        decision = await result if call == "aroute" else result
        assert not decision.degraded and decision.chosen == "math"
        assert decision.latency_ms >= 300


async def test_the_router_loads_on_the_thread_that_scores_it():
    """One thread runs torch: a second one (loading in the caller's thread) slows a CPU router."""
    for start in ("warmup", "route", "aroute"):
        loaded_in: list[str] = []

        def load(loaded_in: list[str] = loaded_in) -> KeywordScorer:
            loaded_in.append(threading.current_thread().name)
            return KeywordScorer(KEYWORDS)

        engine = LocalEngine(EngineConfig(), scorer_factory=load)
        if start == "warmup":
            engine.warmup()
        elif start == "route":
            engine.route("an integral", CARDS)
        else:
            await engine.aroute("an integral", CARDS)
        assert loaded_in == ["modelsat-engine"], start
        engine.close()


def test_a_failed_load_is_retried_only_after_a_pause():
    attempts = []

    def broken() -> KeywordScorer:
        attempts.append(1)
        raise OSError("disk full")

    engine = LocalEngine(EngineConfig(reload_after_s=60), scorer_factory=broken)
    for _ in range(3):
        assert engine.route("an integral", CARDS).degraded
    assert len(attempts) == 1


class TokenizingScorer(KeywordScorer):
    """Encodes every instruction as UTF-8 first, as a tokenizer does: one lone surrogate in a batch
    fails the whole forward pass."""

    def score(self, instructions, cards):
        for text in instructions:
            text.encode("utf-8")
        return super().score(instructions, cards)


MALFORMED = [f"an integral \udcff #{i}" for i in range(4)]
CLEAN = [f"an integral, question {i}" for i in range(12)]


async def test_a_malformed_instruction_fails_alone_among_concurrent_async_callers():
    engine = engine_with(TokenizingScorer(KEYWORDS, delay_s=0.01), batch_window_ms=20)
    texts = CLEAN[:6] + MALFORMED + CLEAN[6:]  # the bad ones arrive inside the batch
    results = await asyncio.gather(*(engine.aroute(t, CARDS) for t in texts), return_exceptions=True)
    decisions = [r for t, r in zip(texts, results, strict=True) if t in CLEAN]
    errors = [r for t, r in zip(texts, results, strict=True) if t in MALFORMED]
    assert [(d.chosen, d.degraded) for d in decisions] == [("math", False)] * 12
    assert all(isinstance(e, ConfigError) for e in errors), errors
    assert "not valid UTF-8 text" in str(errors[0]) and "\\udcff" in str(errors[0])


def test_a_malformed_instruction_fails_alone_among_concurrent_threads():
    engine = engine_with(TokenizingScorer(KEYWORDS, delay_s=0.01), batch_window_ms=20)
    results: dict[str, object] = {}

    def call(text: str) -> None:
        try:
            results[text] = engine.route(text, CARDS)
        except ConfigError as exc:
            results[text] = exc

    threads = [threading.Thread(target=call, args=(t,)) for t in CLEAN + MALFORMED]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(results[t], ConfigError) for t in MALFORMED)
    assert all(not results[t].degraded and results[t].chosen == "math" for t in CLEAN)


def test_batch_scoring_refuses_a_malformed_instruction_naming_it():
    engine = engine_with(TokenizingScorer(KEYWORDS))
    with pytest.raises(ConfigError, match=r"instruction 1 is not valid UTF-8 text"):
        engine.score(["an integral", "bad \ud800 text"], list(CARDS.values()))
    with pytest.raises(ConfigError, match="instruction must be a string"):
        engine.route(b"bytes", CARDS)
