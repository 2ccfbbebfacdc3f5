from __future__ import annotations

import numpy as np
import pytest
import torch

from router_core.cards.card import CapabilityCard
from router_core.model.config import NetworkConfig
from router_core.model.inference import ModelSATScorer
from router_core.model.network import ModelSATModel
from tests.router_core.model.test_category_prior import SETTINGS, prior_towards


def card_embeddings(
    model: ModelSATModel,
    card: CapabilityCard,
    order: list[int] | None = None,
    instruction: torch.Tensor | None = None,
) -> torch.Tensor:
    """One card as the LLM reads it after an instruction, framed by the model's layout."""
    return model.render_capability(model.card_state(card, order), instruction)


INSTRUCTIONS = ["Solve the integral of x squared from 0 to 1.", "Is a verbal contract binding?", "Hello"]


@pytest.mark.parametrize(
    ("layout", "frozen_prefix"),
    [("instruction-first", True), ("instruction-first", False), ("capability-first", False)],
)
@pytest.mark.parametrize("capability_tokens", [2, None])
def test_batched_scores_equal_full_sequences(
    tiny_config: NetworkConfig, cards, layout, frozen_prefix, capability_tokens
):
    """`score_logits` scores as the layout does (instruction-first: through the prefix cache), and
    `pair_logits` reads each full sequence (without a frozen prefix): the two must agree."""
    config = NetworkConfig.model_validate(
        {
            **tiny_config.model_dump(),
            "layout": layout,
            "frozen_prefix": frozen_prefix,
            "capability_tokens": capability_tokens,
        }
    )
    torch.manual_seed(0)
    model = ModelSATModel.build(config, device="cpu").eval()
    with torch.no_grad():
        vectors = model.instruction_vectors(INSTRUCTIONS)
        instructions = model.instruction_embeddings(INSTRUCTIONS)
        one_by_one = torch.stack(
            [
                model.pair_logits(instructions, [card_embeddings(model, card, None, v) for v in vectors])
                for card in cards
            ],
            1,
        )
        batched = model.score_logits(INSTRUCTIONS, [model.card_state(card) for card in cards], batch_size=2)
    assert batched.shape == (3, 3)
    torch.testing.assert_close(batched, one_by_one, atol=1e-4, rtol=1e-4)


def test_scores_are_probabilities_and_depend_on_the_card(tiny_config: NetworkConfig, cards):
    torch.manual_seed(0)
    model = ModelSATModel.build(tiny_config, device="cpu")
    probs = ModelSATScorer(model).score(INSTRUCTIONS, cards)
    assert probs.shape == (3, 3)
    assert ((probs > 0) & (probs < 1)).all()
    assert not np.allclose(probs[:, 0], probs[:, 2])


def test_perturbation_averages_shuffled_orders(tiny_config: NetworkConfig, cards):
    config = tiny_config.model_copy(update={"capability_tokens": None})
    torch.manual_seed(0)
    model = ModelSATModel.build(config, device="cpu")
    shuffled = ModelSATScorer(model, perturbations=2).score(INSTRUCTIONS, cards)
    by_hand = []
    for seed in range(2):
        states = [model.card_state(c, c.shuffled_order(seed)) for c in cards]
        by_hand.append(torch.sigmoid(model.score_logits(INSTRUCTIONS, states)).numpy())
    np.testing.assert_allclose(shuffled, np.mean(by_hand, 0), atol=1e-6)
    assert not np.allclose(by_hand[0], by_hand[1])  # order matters without pooling


def test_pooled_cards_are_order_invariant_so_perturbation_is_skipped(tiny_config: NetworkConfig, cards):
    torch.manual_seed(0)
    model = ModelSATModel.build(tiny_config, device="cpu").eval()
    assert model.order_invariant
    with torch.no_grad():
        plain = torch.stack([card_embeddings(model, c) for c in cards])
        shuffled = torch.stack([card_embeddings(model, c, c.shuffled_order(3)) for c in cards])
    torch.testing.assert_close(plain, shuffled)
    scorer = ModelSATScorer(model, perturbations=4)
    np.testing.assert_allclose(
        scorer.score(INSTRUCTIONS, cards), ModelSATScorer(model).score(INSTRUCTIONS, cards)
    )
    assert len(scorer._capabilities) == len(cards)  # one encoding per card, not one per order


def test_text_only_variant_reads_the_card_as_text(tiny_config: NetworkConfig, cards):
    config = tiny_config.model_copy(update={"encoder": None, "card_tokens": 64})
    model = ModelSATModel.build(config, device="cpu")
    assert not hasattr(model.capability, "encoder")
    assert ModelSATScorer(model).score(INSTRUCTIONS[:1], cards).shape == (1, 3)


def test_answer_tokens_must_be_single_tokens(tiny_config: NetworkConfig):
    from router_core.errors import ConfigError

    with pytest.raises(ConfigError, match="single"):
        ModelSATModel.build(tiny_config.model_copy(update={"yes_token": " Absolutely yes"}), device="cpu")


def test_frozen_prefix_is_read_by_the_base_llm(tiny_config: NetworkConfig, cards):
    """The adapter must not change the prefix cache, only the capability suffix."""
    torch.manual_seed(0)
    model = ModelSATModel.build(tiny_config, device="cpu").eval()
    instructions = model.instruction_embeddings(INSTRUCTIONS[:1])
    before = model.prefix_states(instructions)[0][0][0].clone()
    with torch.no_grad():
        for name, parameter in model.llm.named_parameters():
            if "lora_B" in name:
                parameter.add_(0.5)
    after = model.prefix_states(instructions)[0][0][0]
    torch.testing.assert_close(before, after)
    capability = [card_embeddings(model, cards[0], None, model.instruction_vectors(INSTRUCTIONS[:1])[0])]
    with torch.no_grad(), model.llm.disable_adapter():
        bare = model.pair_logits(instructions, capability)
    with torch.no_grad():
        adapted = model.pair_logits(instructions, capability)
    assert not torch.allclose(bare, adapted)


def test_frozen_prefix_needs_the_instruction_first(tiny_config: NetworkConfig):
    with pytest.raises(ValueError, match="instruction-first"):
        NetworkConfig.model_validate(
            {**tiny_config.model_dump(), "layout": "capability-first", "frozen_prefix": True}
        )
    config = NetworkConfig.model_validate(
        {**tiny_config.model_dump(), "layout": "capability-first", "frozen_prefix": None}
    )
    assert config.frozen_prefix is False


def test_instruction_pooling_reads_the_tasks_relevant_to_the_instruction(tiny_config: NetworkConfig, cards):
    """Two cards that differ only on one task: their tokens differ more for an instruction that is
    similar to that task's sentence than for one that is not."""
    from tests.router_core.builders import make_card

    torch.manual_seed(0)
    model = ModelSATModel.build(tiny_config, device="cpu").eval()
    assert model.conditioned
    strong, weak = make_card("a", [0.9, 0.5, 0.5]), make_card("b", [0.1, 0.5, 0.5])
    near = strong.sentences()[0]  # as similar to task 0 as an instruction can be
    far = "Zebras graze on the savanna at dawn."
    with torch.no_grad():
        gaps = {}
        for name, text in (("near", near), ("far", far)):
            vector = model.instruction_vectors([text])[0]
            a = card_embeddings(model, strong, None, vector)
            b = card_embeddings(model, weak, None, vector)
            gaps[name] = (a - b).norm().item()
    assert gaps["near"] > gaps["far"] > 0
    unconditioned = NetworkConfig.model_validate({**tiny_config.model_dump(), "instruction_pooling": False})
    assert not ModelSATModel.build(unconditioned, device="cpu").conditioned


@pytest.mark.parametrize(
    ("layout", "frozen_prefix", "instruction_pooling"),
    [
        ("instruction-first", True, False),
        ("instruction-first", False, True),
        ("capability-first", False, False),
    ],
)
def test_training_pairs_score_like_inference_with_the_prior(
    tiny_config: NetworkConfig, cards, layout, frozen_prefix, instruction_pooling
):
    config = NetworkConfig.model_validate(
        {
            **tiny_config.model_dump(),
            "layout": layout,
            "frozen_prefix": frozen_prefix,
            "capability_tokens": 2,
            "instruction_pooling": instruction_pooling,
        }
    )
    torch.manual_seed(0)
    model = ModelSATModel.build(config, device="cpu").eval()
    width = model.capability.encoder.config.hidden_size
    model.set_category_prior(SETTINGS, prior_towards(SETTINGS, width, 1).state_dict())
    states = [model.card_state(card) for card in cards]
    grid = model.score_logits(INSTRUCTIONS, states)
    texts = [text for text in INSTRUCTIONS for _ in states]
    pair_states = states * len(INSTRUCTIONS)
    prefixes = model.prefix_states(model.instruction_embeddings(texts)) if frozen_prefix else None
    with torch.no_grad():
        pairs = model.score_pairs(texts, pair_states, prefixes)
    torch.testing.assert_close(pairs.view(len(INSTRUCTIONS), len(cards)), grid, atol=1e-4, rtol=1e-4)
