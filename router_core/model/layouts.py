"""The two prompt layouts of a Model-SAT router: the order in which the LLM reads the instruction x,
the card c_m, the inquiry prompt p and the answer cue, and what that order allows when scoring.

- `InstructionFirst` (shipped): [x, p, c_m, "Answer:"]. Every candidate shares the prefix [x, p],
  so its key/value cache is computed once and each candidate adds only its short suffix.
- `CapabilityFirst` (the paper's order): [header, c_m, x, p, "Answer:"]. The card comes first, so
  nothing is shared and each (instruction, card) pair is a sequence of its own.

`NetworkConfig.layout` names one (checkpoints store the name); `layout_for` builds it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import torch
from transformers import PreTrainedTokenizerBase

from router_core.errors import ConfigError
from router_core.model.backbones import PretrainedModule
from router_core.model.config import NetworkConfig
from router_core.model.shared_prefix import ATTENTION

if TYPE_CHECKING:
    from router_core.model.network import ModelSATModel

Embed = Callable[[torch.Tensor], torch.Tensor]
"""Token ids -> the LLM's input embeddings, (length,) -> (length, width)."""


def token_ids(tokenizer: PreTrainedTokenizerBase, text: str) -> torch.Tensor:
    return torch.tensor(tokenizer(text, add_special_tokens=False).input_ids, dtype=torch.long)


class Layout(ABC):
    """What the layouts differ in: the tokens after the instruction, the frame around a card, the
    order of a full sequence, and how a grid of instructions x cards is scored."""

    def __init__(self, config: NetworkConfig, tokenizer: PreTrainedTokenizerBase) -> None:
        self.prompt_ids = token_ids(tokenizer, f"\n{config.inquiry_prompt}\n")
        self.answer_ids = token_ids(tokenizer, f"\n{config.answer_cue}")

    @abstractmethod
    def prepare(self, llm: PretrainedModule, config: NetworkConfig) -> None:
        """Set up the LLM for this layout's scoring."""

    @property
    @abstractmethod
    def instruction_tail(self) -> torch.Tensor:
        """Token ids read right after the instruction's own tokens."""

    @abstractmethod
    def frame(self, card_part: torch.Tensor, embed: Embed) -> torch.Tensor:
        """A card's embeddings with the fixed tokens that travel with it."""

    @abstractmethod
    def sequence(self, instruction: torch.Tensor, capability: torch.Tensor, embed: Embed) -> torch.Tensor:
        """The full sequence of one pair: `instruction_embeddings` and `frame` output, in order."""

    @abstractmethod
    def score(
        self,
        model: ModelSATModel,
        instructions: Sequence[torch.Tensor],
        capabilities: Sequence[list[torch.Tensor]],
    ) -> torch.Tensor:
        """(n_instructions, n_cards) Yes-minus-No logits; `capabilities[i]`: the cards for instruction i."""


class InstructionFirst(Layout):
    """[x, p, c_m, "Answer:"]: the instruction and prompt are a prefix every candidate shares."""

    def prepare(self, llm: PretrainedModule, config: NetworkConfig) -> None:
        """Candidates read the shared prefix in place, through the `shared_prefix` attention."""
        try:
            llm.set_attn_implementation(ATTENTION)
        except ValueError as exc:
            raise ConfigError(
                f"{config.llm}: the instruction-first layout needs an LLM that takes transformers "
                f"attention functions ({exc}); layout='capability-first' does not"
            ) from exc

    @property
    def instruction_tail(self) -> torch.Tensor:
        return self.prompt_ids

    def frame(self, card_part: torch.Tensor, embed: Embed) -> torch.Tensor:
        return torch.cat([card_part, embed(self.answer_ids)])

    def sequence(self, instruction: torch.Tensor, capability: torch.Tensor, embed: Embed) -> torch.Tensor:
        return torch.cat([instruction, capability])

    def score(
        self,
        model: ModelSATModel,
        instructions: Sequence[torch.Tensor],
        capabilities: Sequence[list[torch.Tensor]],
    ) -> torch.Tensor:
        """Each instruction's key/value cache once, read by all of its cards."""
        return model.shared_prefix_logits(instructions, capabilities)


class CapabilityFirst(Layout):
    """[header, c_m, x, p, "Answer:"], the paper's order: every pair is its own sequence."""

    def __init__(self, config: NetworkConfig, tokenizer: PreTrainedTokenizerBase) -> None:
        super().__init__(config, tokenizer)
        self.header_ids = token_ids(tokenizer, f"\n{config.capability_header}\n")

    def prepare(self, llm: PretrainedModule, config: NetworkConfig) -> None:
        """Nothing: whole sequences run with the LLM's own attention, so any causal LM serves."""

    @property
    def instruction_tail(self) -> torch.Tensor:
        return torch.tensor([], dtype=torch.long)

    def frame(self, card_part: torch.Tensor, embed: Embed) -> torch.Tensor:
        return torch.cat([embed(self.header_ids), card_part])

    def sequence(self, instruction: torch.Tensor, capability: torch.Tensor, embed: Embed) -> torch.Tensor:
        return torch.cat([capability, instruction, embed(torch.cat([self.prompt_ids, self.answer_ids]))])

    def score(
        self,
        model: ModelSATModel,
        instructions: Sequence[torch.Tensor],
        capabilities: Sequence[list[torch.Tensor]],
    ) -> torch.Tensor:
        """Every (instruction, card) pair read as its own full sequence."""
        pairs = [(x, c) for x, row in zip(instructions, capabilities, strict=True) for c in row]
        logits = model.pair_logits([x for x, _ in pairs], [c for _, c in pairs])
        return logits.view(len(instructions), len(capabilities[0]))


LAYOUTS: dict[str, type[Layout]] = {
    "instruction-first": InstructionFirst,
    "capability-first": CapabilityFirst,
}


def layout_for(config: NetworkConfig, tokenizer: PreTrainedTokenizerBase) -> Layout:
    """The layout `config.layout` names."""
    return LAYOUTS[config.layout](config, tokenizer)
