from __future__ import annotations

import pytest
import torch

from router_core.model.config import NetworkConfig
from router_core.model.layouts import CapabilityFirst, InstructionFirst, Layout
from router_core.model.network import ModelSATModel
from tests.router_core.model.test_network import card_embeddings

INSTRUCTION = "Is a verbal contract binding?"
SOFT = -1
"""Stands for a capability token: a connector output, no row of the embedding table."""


def build(tiny_config: NetworkConfig, layout: str) -> ModelSATModel:
    config = NetworkConfig.model_validate(
        {**tiny_config.model_dump(), "layout": layout, "frozen_prefix": None, "capability_tokens": 2}
    )
    torch.manual_seed(0)
    return ModelSATModel.build(config, device="cpu").eval()


def as_tokens(model: ModelSATModel, sequence: torch.Tensor) -> list[int]:
    """The token id whose embedding each position is, or SOFT where none is."""
    table = model.llm.get_input_embeddings().weight
    tokens = []
    for row in sequence:
        matches = (table == row).all(-1).nonzero().flatten().tolist()
        tokens.append(matches[0] if len(matches) == 1 else SOFT)
    return tokens


@pytest.mark.parametrize(
    ("name", "kind"), [("instruction-first", InstructionFirst), ("capability-first", CapabilityFirst)]
)
def test_the_layout_is_an_object_chosen_from_the_config(tiny_config: NetworkConfig, name, kind) -> None:
    layout = build(tiny_config, name).layout
    assert isinstance(layout, Layout) and type(layout) is kind


@pytest.mark.parametrize("name", ["instruction-first", "capability-first"])
def test_a_pairs_full_sequence_has_the_layouts_token_order(tiny_config: NetworkConfig, cards, name) -> None:
    """What the layouts read, token by token: instruction-first [x, p, c, answer cue],
    capability-first [header, c, x, p, answer cue], c being the card's two capability tokens."""
    model = build(tiny_config, name)
    config = model.config

    def ids(text: str) -> list[int]:
        return model.tokenizer(text, add_special_tokens=False).input_ids

    with torch.no_grad():
        vector = model.instruction_vectors([INSTRUCTION])[0]
        sequence = model.layout.sequence(
            model.instruction_embeddings([INSTRUCTION])[0],
            card_embeddings(model, cards[0], None, vector),
            model.llm.get_input_embeddings(),
        )
    x, p, card = ids(INSTRUCTION), ids(f"\n{config.inquiry_prompt}\n"), [SOFT, SOFT]
    answer = ids(f"\n{config.answer_cue}")
    expected = {
        "instruction-first": x + p + card + answer,
        "capability-first": ids(f"\n{config.capability_header}\n") + card + x + p + answer,
    }
    assert as_tokens(model, sequence) == expected[name]
