"""The Model-SAT router network: score Pr(Yes | [instruction, capability, inquiry prompt]).

Both layouts (`layouts.py`: the order of the parts and how that order is scored) feed one causal
LM through `inputs_embeds`; the score is the two-class softmax of the ` Yes` and ` No` logits at
the last position. With the instruction first, its key/value cache is computed once and read in
place by every candidate (`shared_prefix.py`), so adding candidates only adds the short
capability + answer-cue suffix.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any, NamedTuple, cast

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from torch import nn
from tqdm import tqdm
from transformers import PreTrainedTokenizerBase

from router_core.cards.card import CapabilityCard
from router_core.errors import ConfigError
from router_core.model.adapters import AdapterSwitch
from router_core.model.backbones import PretrainedModule, load_encoder, load_llm, token_id
from router_core.model.capability import CapabilityEncoder, CardTextEmbedder, make_connector
from router_core.model.category_prior import CategoryPrior
from router_core.model.config import CategoryPriorSettings, NetworkConfig
from router_core.model.layouts import layout_for
from router_core.model.readout import read_out_last_position_only
from router_core.model.shared_prefix import SharedPrefix

KeyValues = list[tuple[torch.Tensor, torch.Tensor]]
"""(keys, values) per decoder layer."""
PrefixState = KeyValues
"""One instruction's cached (keys, values) per decoder layer, each (kv_heads, length, head_dim)."""


class PreparedCard(NamedTuple):
    """A card's per-card work, reusable across instructions: the capability part's state and,
    with a category prior, the card's accuracy per category."""

    capability: Any
    category_accuracy: torch.Tensor | None


def pick_device(preferred: str | None = None) -> torch.device:
    """CUDA, then Apple MPS, then CPU, unless the caller names one."""
    if preferred:
        return torch.device(preferred)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


class ModelSATModel(nn.Module):
    def __init__(
        self,
        config: NetworkConfig,
        llm: PretrainedModule,
        tokenizer: PreTrainedTokenizerBase,
        capability: CapabilityEncoder | CardTextEmbedder,
        prior: CategoryPrior | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.llm = llm
        self.tokenizer = tokenizer
        self.capability = capability
        self.prior = prior
        self.aptitude_version: str | None = None
        """The aptitude test of the cards it was trained on (None: unknown, any card is read)."""
        self.yes_id = token_id(tokenizer, config.yes_token)
        self.no_id = token_id(tokenizer, config.no_token)
        self.layout = layout_for(config, tokenizer)
        """The order the LLM reads the parts in, and how a grid is scored (`config.layout` names it)."""
        read_out_last_position_only(llm)  # only the last position's hidden state is ever read
        self._adapters: AdapterSwitch | None = None
        self.layout.prepare(llm, config)

    @classmethod
    def build(
        cls,
        config: NetworkConfig,
        device: str | torch.device | None = None,
        lora: bool = True,
        trust_remote_code: bool | None = None,
    ) -> ModelSATModel:
        """Fresh router from the base weights: new LoRA adapter and connector. `lora=False` leaves
        the LLM bare, for loading a saved adapter onto it. `trust_remote_code` None takes the
        config's own value, right for a config the caller wrote; `load_checkpoint` passes its own
        decision, since a checkpoint's config was written by whoever shipped it."""
        device = pick_device(str(device) if device else None)
        dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
        remote = config.trust_remote_code if trust_remote_code is None else trust_remote_code
        llm, tokenizer = load_llm(config, dtype, trust_remote_code=remote)
        llm.requires_grad_(False)
        if lora:
            settings = config.lora
            llm = get_peft_model(
                llm,
                LoraConfig(
                    r=settings.r,
                    lora_alpha=settings.alpha,
                    lora_dropout=settings.dropout,
                    target_modules=settings.target_modules,
                    bias="none",
                ),
            )
        width = llm.get_input_embeddings().weight.shape[1]
        prior = None
        if config.encoder is None:
            embeddings = llm.get_input_embeddings()
            capability: CapabilityEncoder | CardTextEmbedder = CardTextEmbedder(config, tokenizer, embeddings)
        else:
            encoder, encoder_tokenizer = load_encoder(config, dtype, trust_remote_code=remote)
            connector = make_connector(config, encoder.config.hidden_size, width).to(dtype)
            capability = CapabilityEncoder(config, encoder, encoder_tokenizer, connector)
            if config.category_prior is not None:
                prior = CategoryPrior(config.category_prior, encoder.config.hidden_size).to(dtype)
        return cls(config, llm, tokenizer, capability, prior).to(device)

    def set_category_prior(
        self, settings: CategoryPriorSettings | None, head: dict[str, torch.Tensor]
    ) -> None:
        """Install (or, with None, remove) a fitted category prior; the config follows. The prior
        moves the logits, so a calibration fitted on the old ones is dropped (refit it)."""
        self.config = self.config.model_copy(update={"category_prior": settings, "calibration": None})
        if settings is None:
            self.prior = None
            return
        prior = CategoryPrior(settings, head["head.weight"].shape[1])
        prior.load_state_dict(head)
        self.prior = prior.to(self.device, self.llm.get_input_embeddings().weight.dtype)

    def set_instruction_tokens(self, tokens: int) -> None:
        """Read at most `tokens` tokens of each instruction, in the LLM prefix and in psi: a serving
        latency lever (`EngineConfig.instruction_tokens`; measured in docs/benchmarks.md)."""
        self.config = self.config.model_copy(update={"instruction_tokens": tokens})
        if isinstance(self.capability, CapabilityEncoder):
            self.capability.instruction_tokens = tokens

    @property
    def device(self) -> torch.device:
        return self.llm.get_input_embeddings().weight.device

    @property
    def order_invariant(self) -> bool:
        """True when the card's task order cannot change a score: attention pooling over encoded
        sentences has no positions, so task-order perturbation is a no-op (and is skipped)."""
        return self.config.encoder is not None and self.config.capability_tokens is not None

    def _embed(self, ids: torch.Tensor) -> torch.Tensor:
        return self.llm.get_input_embeddings()(ids.to(self.device))

    def instruction_embeddings(self, texts: Sequence[str]) -> list[torch.Tensor]:
        """Instruction token embeddings (truncated), followed by the layout's instruction tail."""
        batch = self.tokenizer(
            list(texts),
            add_special_tokens=False,
            truncation=True,
            max_length=self.config.instruction_tokens,
        )
        tail = self.layout.instruction_tail
        return [
            self._embed(torch.cat([torch.tensor(ids, dtype=torch.long), tail])) for ids in batch.input_ids
        ]

    @property
    def conditioned(self) -> bool:
        """Whether a card's tokens depend on the instruction (instruction pooling)."""
        return (
            isinstance(self.capability, CapabilityEncoder)
            and self.config.capability_tokens is not None
            and self.config.instruction_pooling
        )

    @property
    def encoder(self) -> CapabilityEncoder:
        """The capability encoder psi, which instruction pooling and the category prior read."""
        if not isinstance(self.capability, CapabilityEncoder):
            raise ConfigError(f"this router ({self.config.llm}, no encoder) has no capability encoder")
        return self.capability

    def instruction_vectors(self, texts: Sequence[str]) -> list[torch.Tensor | None]:
        """psi encodings of the instructions for instruction pooling (None when not conditioned)."""
        if not self.conditioned:
            return [None] * len(texts)
        return list(self.encoder.encode_instructions(list(texts)))

    def card_state(self, card: CapabilityCard, order: list[int] | None = None) -> PreparedCard:
        """The per-card work, reusable across instructions."""
        accuracy = None if self.prior is None else self.prior.card_accuracy(card)
        return PreparedCard(self.capability.prepare(card, order), accuracy)

    def render_capability(self, state: PreparedCard, instruction: torch.Tensor | None = None) -> torch.Tensor:
        """A prepared card as LLM input embeddings for one instruction."""
        return self.layout.frame(self.capability.render(state.capability, instruction), self._embed)

    def render_capabilities(
        self, states: Sequence[PreparedCard], instruction: torch.Tensor | None = None
    ) -> list[torch.Tensor]:
        """`render_capability` for every card of a zoo at once."""
        rendered = self.capability.render_many([state.capability for state in states], instruction)
        return [self.layout.frame(card, self._embed) for card in rendered]

    def pair_logits(
        self, instructions: Sequence[torch.Tensor], capabilities: Sequence[torch.Tensor]
    ) -> torch.Tensor:
        """Yes-minus-No logit for each (instruction, capability) pair (training path)."""
        if self.config.frozen_prefix:
            return self.suffix_logits(self.prefix_states(instructions), capabilities)
        pairs = zip(instructions, capabilities, strict=True)
        embeds, mask = left_pad([self.layout.sequence(x, c, self._embed) for x, c in pairs])
        hidden = self.llm.get_decoder()(
            inputs_embeds=embeds, attention_mask=mask, position_ids=positions(mask)
        ).last_hidden_state[:, -1]
        return self._yes_minus_no(hidden)

    def _prefix_scope(self) -> AbstractContextManager[None]:
        """With a frozen prefix, the base LLM (adapter off) reads the instruction."""
        if not (self.config.frozen_prefix and isinstance(self.llm, PeftModel)):
            return nullcontext()
        if self._adapters is None or self._adapters.model is not self.llm:  # loading replaces the llm
            self._adapters = AdapterSwitch(self.llm)
        return self._adapters.off()

    def _encode_prefixes(self, prefixes: Sequence[torch.Tensor]) -> tuple[KeyValues, torch.Tensor]:
        """The left-padded prefixes' (keys, values) per layer, and their mask."""
        embeds, mask = left_pad(prefixes)
        with self._prefix_scope():
            cache = self.llm.get_decoder()(
                inputs_embeds=embeds, attention_mask=mask, position_ids=positions(mask), use_cache=True
            ).past_key_values
        return [(keys, values) for keys, values, *_ in cache], mask

    @torch.no_grad()
    def prefix_states(self, instructions: Sequence[torch.Tensor]) -> list[PrefixState]:
        """Frozen-prefix key/values per instruction, unpadded: they depend on the instruction alone,
        so training can compute them once and reuse them at every step."""
        layers, mask = self._encode_prefixes(instructions)
        lengths = mask.sum(-1).tolist()
        return [[(k[i, :, -n:], v[i, :, -n:]) for k, v in layers] for i, n in enumerate(lengths)]

    def suffix_logits(
        self, states: Sequence[PrefixState], capabilities: Sequence[torch.Tensor]
    ) -> torch.Tensor:
        """Yes-minus-No logit of each capability suffix read after its own cached prefix."""
        longest = max(state[0][0].shape[1] for state in states)
        mask = torch.zeros((len(states), longest), dtype=torch.long, device=self.device)
        dtype = self.llm.get_input_embeddings().weight.dtype
        layers = []
        for layer in range(len(states[0])):
            keys, values = [], []
            for i, state in enumerate(states):
                k, v = (t.to(self.device, dtype) for t in state[layer])
                pad = longest - k.shape[1]
                keys.append(nn.functional.pad(k, (0, 0, pad, 0)))
                values.append(nn.functional.pad(v, (0, 0, pad, 0)))
                mask[i, pad:] = 1
            layers.append((torch.stack(keys), torch.stack(values)))
        return self._suffix_logits(layers, mask, capabilities, per_prefix=1)

    def _suffix_logits(
        self,
        layers: KeyValues,
        prefix_mask: torch.Tensor,
        capabilities: Sequence[torch.Tensor],
        per_prefix: int,
    ) -> torch.Tensor:
        """`capabilities`: `per_prefix` suffixes for each prefix in turn, read after it in place."""
        suffix, suffix_mask = left_pad(list(capabilities))
        start = prefix_mask.sum(-1, keepdim=True).repeat_interleave(per_prefix, dim=0)
        hidden = self.llm.get_decoder()(
            inputs_embeds=suffix,
            attention_mask=suffix_mask[:, None, None, :].bool(),  # 4D: passed through, unused
            position_ids=start + positions(suffix_mask),
            shared_prefix=SharedPrefix(layers, prefix_mask, suffix_mask, per_prefix),
        ).last_hidden_state[:, -1]
        return self._yes_minus_no(hidden)

    def _yes_minus_no(self, hidden: torch.Tensor) -> torch.Tensor:
        rows = self.llm.get_output_embeddings().weight[[self.yes_id, self.no_id]]
        logits = hidden.to(rows.dtype) @ rows.T
        return (logits[:, 0] - logits[:, 1]).float()

    @torch.no_grad()
    def score_logits(
        self,
        instructions: Sequence[str],
        states: Sequence[PreparedCard],
        batch_size: int = 16,
        progress: bool = False,
    ) -> torch.Tensor:
        """(n_instructions, n_candidates) Yes-minus-No logits for prepared cards (`card_state`),
        scored as the layout scores a grid, plus the category prior when there is one."""
        rows = []
        starts = range(0, len(instructions), batch_size)
        for start in tqdm(starts, desc="scoring", unit="batch", disable=not progress, leave=False):
            texts = instructions[start : start + batch_size]
            chunk = self.instruction_embeddings(texts)
            vectors = self.instruction_vectors(texts)
            if self.conditioned:
                suffixes = [self.render_capabilities(states, v) for v in vectors]
            else:
                suffixes = [self.render_capabilities(states)] * len(chunk)
            logits = self.layout.score(self, chunk, suffixes)
            if self.prior is not None:
                logits = logits + self.prior(*self._prior_inputs(texts, vectors, states))
            rows.append(logits)
        return torch.cat(rows)

    def score_pairs(
        self,
        texts: Sequence[str],
        states: Sequence[PreparedCard],
        prefixes: Sequence[PrefixState] | None = None,
    ) -> torch.Tensor:
        """Yes-minus-No logit of each (instruction, card) pair, text i with card i, plus the
        category prior when there is one; differentiable (the training path). `prefixes`: the
        instructions' cached frozen-prefix states, when the caller keeps them."""
        unique = list(dict.fromkeys(texts))
        by_text = dict(zip(unique, self.instruction_vectors(unique), strict=True))
        vectors = [by_text[text] for text in texts]
        suffixes = [self.render_capability(s, v) for s, v in zip(states, vectors, strict=True)]
        if prefixes is not None:
            logits = self.suffix_logits(prefixes, suffixes)
        else:
            embedded = dict(zip(unique, self.instruction_embeddings(unique), strict=True))
            logits = self.pair_logits([embedded[text] for text in texts], suffixes)
        if self.prior is None:
            return logits
        return logits + self.prior.pair_offsets(*self._prior_inputs(texts, vectors, states))

    def _prior_inputs(
        self,
        texts: Sequence[str],
        vectors: Sequence[torch.Tensor | None],
        states: Sequence[PreparedCard],
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """psi encodings of the instructions (reusing those of instruction pooling) and the cards'
        accuracy per category: what the category prior reads."""
        psi = vectors if self.conditioned else list(self.encoder.encode_instructions(list(texts)))
        # with a category prior, every instruction has its psi and every card its category accuracy
        accuracy = [state.category_accuracy for state in states]
        return torch.stack(cast(list[torch.Tensor], list(psi))), torch.stack(
            cast(list[torch.Tensor], accuracy)
        )

    def shared_prefix_logits(
        self, prefixes: Sequence[torch.Tensor], suffixes: Sequence[list[torch.Tensor]]
    ) -> torch.Tensor:
        """(n_prefixes, n_suffixes) Yes-minus-No logits of `suffixes[i]` read after prefix i, whose
        key/value cache is computed once for all of them."""
        n, m = len(prefixes), len(suffixes[0])
        layers, prefix_mask = self._encode_prefixes(prefixes)
        flat = [suffix for row in suffixes for suffix in row]
        return self._suffix_logits(layers, prefix_mask, flat, per_prefix=m).view(n, m)


def left_pad(sequences: Sequence[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """Stack (length, width) embeddings, padding on the left so the last position is real."""
    longest = max(len(s) for s in sequences)
    width = sequences[0].shape[-1]
    embeds = sequences[0].new_zeros((len(sequences), longest, width))
    mask = torch.zeros((len(sequences), longest), dtype=torch.long, device=sequences[0].device)
    for i, seq in enumerate(sequences):
        embeds[i, longest - len(seq) :] = seq
        mask[i, longest - len(seq) :] = 1
    return embeds, mask


def positions(mask: torch.Tensor) -> torch.Tensor:
    return (mask.cumsum(-1) - 1).clamp(min=0)
