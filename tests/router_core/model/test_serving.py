from __future__ import annotations

import numpy as np
import torch

from router_core.model.inference import ModelSATScorer
from router_core.model.serving import load_for_inference

LONG = "Solve the integral of x squared from 0 to 1, then explain every step of the calculation in words."
SHORT = "Hello"


def test_an_instruction_window_truncates_both_readers_and_only_long_instructions(saved, cards) -> None:
    _, folder = saved
    full = load_for_inference(checkpoint=str(folder), device="cpu")
    short = load_for_inference(checkpoint=str(folder), device="cpu", instruction_tokens=8)
    assert (full.config.instruction_tokens, short.config.instruction_tokens) == (32, 8)
    assert short.capability.instruction_tokens == 8
    prompt = len(short.layout.instruction_tail)
    assert len(short.instruction_embeddings([LONG])[0]) == 8 + prompt
    with torch.no_grad():
        psi = short.capability.encode_instructions([LONG])
        psi_of_first_tokens = full.capability._psi([LONG], max_length=8)
    torch.testing.assert_close(psi, psi_of_first_tokens)

    scores_full = ModelSATScorer(full).score([LONG, SHORT], cards)
    scores_short = ModelSATScorer(short).score([LONG, SHORT], cards)
    assert not np.allclose(scores_full[0], scores_short[0])
    np.testing.assert_allclose(scores_full[1], scores_short[1], atol=1e-6)


def test_without_a_window_the_checkpoint_loads_as_saved(saved, cards) -> None:
    model, folder = saved
    loaded = load_for_inference(checkpoint=str(folder), device="cpu", precision="fp32")
    assert not loaded.training and loaded.config == model.config


def test_the_engine_and_the_benchmark_router_load_through_it(saved, cards) -> None:
    from router_core.engine import EngineConfig, LocalEngine
    from router_core.methods.modelsat import ModelSATMethod, ModelSATOptions

    _, folder = saved
    expected = ModelSATScorer(
        load_for_inference(checkpoint=str(folder), device="cpu", instruction_tokens=8)
    ).score([LONG], cards)
    engine = LocalEngine(EngineConfig(checkpoint=str(folder), device="cpu", instruction_tokens=8))
    try:
        np.testing.assert_allclose(engine.score([LONG], cards), expected, atol=1e-6)
    finally:
        engine.close()
    options = ModelSATOptions(checkpoint=str(folder), device="cpu", instruction_tokens=8)
    benchmark_router = ModelSATMethod(options)
    np.testing.assert_allclose(benchmark_router.scorer.score([LONG], cards), expected, atol=1e-6)


def test_a_cpu_router_batches_what_is_queued_without_waiting_unless_told(saved, cards) -> None:
    from router_core.engine import EngineConfig, LocalEngine

    _, folder = saved
    for settings, expected in (({}, (4, 0.0)), ({"max_batch_size": 2, "batch_window_ms": 5}, (2, 5.0))):
        engine = LocalEngine(EngineConfig(checkpoint=str(folder), device="cpu", **settings)).warmup()
        try:
            assert (engine.max_batch_size, engine.batch_window_ms) == expected
        finally:
            engine.close()


def test_a_router_refuses_cards_of_another_aptitude_test(tiny_config, tmp_path, cards) -> None:
    import pytest

    from router_core.engine import EngineConfig, LocalEngine
    from router_core.errors import CardError
    from router_core.model.checkpoint import save_checkpoint
    from router_core.model.network import ModelSATModel

    folder = save_checkpoint(
        ModelSATModel.build(tiny_config, device="cpu"), tmp_path / "v9", {"data": {"aptitude_version": "v9"}}
    )
    scorer = ModelSATScorer(load_for_inference(checkpoint=str(folder), device="cpu"))
    assert scorer.aptitude_version == "v9"
    with pytest.raises(CardError, match=r"reads cards of aptitude test 'v9'; the cards of \['math-model'"):
        scorer.score([SHORT], cards)  # the cards are of test-v1
    engine = LocalEngine(EngineConfig(checkpoint=str(folder), device="cpu"))  # degrades on failures
    try:
        with pytest.raises(CardError, match="reads cards of aptitude test 'v9'"):
            engine.route(SHORT, {card.model: card for card in cards})
    finally:
        engine.close()
    same = [card.model_copy(update={"aptitude_version": "v9"}) for card in cards]
    assert scorer.score([SHORT], same).shape == (1, 3)
