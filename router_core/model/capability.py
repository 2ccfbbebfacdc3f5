"""Capability part of the router input: a card turned into embeddings the LLM reads.

Encoder variant: every sentence of the card (one per task, then the facts) is encoded by the
capability encoder psi, optionally joined by the task's accuracy as a number, and mapped by
the connector W into one LLM input embedding. Text-only variant: the card text's tokens.
Sentence encodings are cached (they repeat across cards and perturbations) while psi is frozen.

Each module works in two steps: `prepare(card, order)` does the per-card work once (cacheable
per card), `render(state, instruction)` makes the tokens for one instruction. With
`instruction_pooling`, the pooling attends to the sentences most similar to the instruction (a
psi encoding too), so the tokens summarise the card on the tasks that matter for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import torch
from torch import nn
from transformers import PreTrainedTokenizerBase

from router_core.cards.card import CapabilityCard
from router_core.model.config import NetworkConfig
from router_core.model.pooling import mean_pool

NUMERIC_FEATURES = 2  # (accuracy, is a task sentence)
PSI_TOKENS = 128  # psi reads at most this many tokens of a sentence or an instruction


def make_connector(config: NetworkConfig, encoder_width: int, llm_width: int) -> nn.Module:
    """W: per-sentence projection into the LLM width, pooled into `capability_tokens` tokens if set."""
    width = encoder_width + (NUMERIC_FEATURES if config.numeric_channel else 0)
    if config.connector == "linear":
        projection: nn.Module = nn.Linear(width, llm_width)
    else:
        projection = nn.Sequential(nn.Linear(width, llm_width), nn.GELU(), nn.Linear(llm_width, llm_width))
    if config.capability_tokens is None:
        return projection
    return AttentionPooling(projection, config.capability_tokens, llm_width, config.instruction_pooling)


class AttentionPooling(nn.Module):
    """K learned queries attend over the projected sentences: a fixed, small number of tokens
    per card whatever its length (and, having no positions, blind to task order).

    With `relevance`, each query's attention logits also get `scale_k * cos(instruction, sentence)`;
    half the queries start instruction-focused (scale 20), half card-global (scale 0)."""

    def __init__(
        self, projection: nn.Module, tokens: int, width: int, relevance: bool, heads: int = 8
    ) -> None:
        super().__init__()
        self.projection = projection
        self.queries = nn.Parameter(torch.randn(tokens, width) * width**-0.5)
        self.attention = nn.MultiheadAttention(width, heads, batch_first=True)
        self.norm = nn.LayerNorm(width)
        self.heads = heads
        self.relevance_scale = (
            nn.Parameter(torch.tensor([20.0 if k % 2 else 0.0 for k in range(tokens)])) if relevance else None
        )

    def forward(self, keys: torch.Tensor, relevance: torch.Tensor | None = None) -> torch.Tensor:
        """`keys`: projected sentences (S, width); `relevance`: (S,) cosine to the instruction."""
        mask = None
        if self.relevance_scale is not None and relevance is not None:
            bias = self.relevance_scale[:, None] * relevance[None, :].to(keys.dtype)
            mask = bias.repeat(self.heads, 1, 1)
        pooled, _ = self.attention(
            self.queries.unsqueeze(0),
            keys.unsqueeze(0),
            keys.unsqueeze(0),
            attn_mask=mask,
            need_weights=False,
        )
        return self.norm(pooled[0] + self.queries)

    def precompute(self, keys: torch.Tensor) -> PooledKeys:
        """The attention work that depends on the card alone (the queries are learned constants):
        per-head logits and values, so a routing call adds only the relevance bias and a softmax."""
        width = keys.shape[-1]
        w_q, w_k, w_v = self.attention.in_proj_weight.chunk(3)
        b_q, b_k, b_v = self.attention.in_proj_bias.chunk(3)
        head = width // self.heads

        def split(x: torch.Tensor) -> torch.Tensor:  # (L, width) -> (heads, L, head)
            return x.view(x.shape[0], self.heads, head).transpose(0, 1)

        q = split(nn.functional.linear(self.queries, w_q, b_q))
        k = split(nn.functional.linear(keys, w_k, b_k))
        return PooledKeys(q @ k.transpose(1, 2) * head**-0.5, split(nn.functional.linear(keys, w_v, b_v)))

    def pool(self, pre: PooledKeys, relevance: torch.Tensor | None = None) -> torch.Tensor:
        """`forward` from `precompute`'s state: equal up to float rounding. Also takes a stack of
        cards (a leading card dimension on `pre` and `relevance`)."""
        logits = pre.logits  # (..., heads, tokens, S)
        if self.relevance_scale is not None and relevance is not None:
            bias = self.relevance_scale[:, None] * relevance[..., None, :].to(logits.dtype)
            logits = logits + bias[..., None, :, :]
        mixed = torch.softmax(logits, dim=-1) @ pre.values  # (..., heads, tokens, head)
        pooled = self.attention.out_proj(mixed.transpose(-3, -2).flatten(-2))
        return self.norm(pooled + self.queries)


class PooledKeys(NamedTuple):
    """A card's precomputed attention pooling: logits (heads, tokens, S), values (heads, S, head)."""

    logits: torch.Tensor
    values: torch.Tensor


class CardState(NamedTuple):
    """A card's instruction-independent part: psi of its sentences and their projections, and at
    inference the precomputed pooling attention."""

    sentences: torch.Tensor
    keys: torch.Tensor
    pooled: PooledKeys | None = None


class CapabilityEncoder(nn.Module):
    """psi + W: card sentences -> (n_sentences, llm_width) embeddings."""

    def __init__(
        self,
        config: NetworkConfig,
        encoder: nn.Module,
        tokenizer: PreTrainedTokenizerBase,
        connector: nn.Module,
    ) -> None:
        super().__init__()
        self.config = config
        self.encoder = encoder
        self.tokenizer = tokenizer
        self.connector = connector
        self._sentence_cache: dict[str, torch.Tensor] = {}
        self.encoder.requires_grad_(config.train_encoder)
        self.instruction_tokens = PSI_TOKENS  # at inference; `ModelSATModel.set_instruction_tokens`

    @property
    def device(self) -> torch.device:
        return next(self.connector.parameters()).device

    def train(self, mode: bool = True) -> CapabilityEncoder:
        """A frozen encoder stays in eval mode: its (cached) encodings must not carry dropout noise."""
        super().train(mode)
        self.encoder.train(mode and self.config.train_encoder)
        return self

    def encode_sentences(self, sentences: list[str]) -> torch.Tensor:
        """Mean-pooled, L2-normalised psi encodings; cached when psi is frozen."""
        if self.config.train_encoder and self.training:
            return self._psi(sentences)
        todo = list(dict.fromkeys(s for s in sentences if s not in self._sentence_cache))
        if todo:
            with torch.no_grad():
                for start in range(0, len(todo), 256):
                    chunk = todo[start : start + 256]
                    for sentence, vector in zip(chunk, self._psi(chunk), strict=True):
                        self._sentence_cache[sentence] = vector
        return torch.stack([self._sentence_cache[s] for s in sentences])

    def _psi(self, sentences: list[str], max_length: int = PSI_TOKENS) -> torch.Tensor:
        batch = self.tokenizer(
            sentences, padding=True, truncation=True, max_length=max_length, return_tensors="pt"
        )
        batch = batch.to(self.device)
        hidden = self.encoder(**batch).last_hidden_state
        return nn.functional.normalize(mean_pool(hidden, batch["attention_mask"]), dim=-1)

    def prepare(self, card: CapabilityCard, order: list[int] | None = None) -> CardState:
        sentences = card.sentences(order)
        encoded = self.encode_sentences(sentences)
        features = encoded
        if self.config.numeric_channel:
            scores = [card.scores[i] for i in order] if order is not None else card.scores
            numbers = [[s.accuracy, 1.0] for s in scores] + [[0.0, 0.0]] * (len(sentences) - len(scores))
            features = torch.cat(
                [features, torch.tensor(numbers, dtype=features.dtype, device=features.device)], -1
            )
        features = features.to(next(self.connector.parameters()).dtype)
        if isinstance(self.connector, AttentionPooling):
            keys = self.connector.projection(features)
            pooled = None if self.training else self.connector.precompute(keys)
            return CardState(encoded, keys, pooled)
        return CardState(encoded, self.connector(features))

    def render(self, state: CardState, instruction: torch.Tensor | None = None) -> torch.Tensor:
        """The card's tokens; `instruction` (its psi encoding) steers instruction pooling."""
        if not isinstance(self.connector, AttentionPooling):
            return state.keys
        relevance = None if instruction is None else state.sentences @ instruction.to(state.sentences.dtype)
        if state.pooled is not None and not self.training:
            return self.connector.pool(state.pooled, relevance)
        return self.connector(state.keys, relevance)

    def render_many(
        self, states: Sequence[CardState], instruction: torch.Tensor | None = None
    ) -> list[torch.Tensor]:
        """`render` for a whole zoo in one batched pooling (sentences padded to the longest card),
        when every card has its precomputed pooling; card by card otherwise."""
        cached = [state.pooled for state in states if state.pooled is not None]
        if self.training or len(cached) < len(states) or not isinstance(self.connector, AttentionPooling):
            return [self.render(state, instruction) for state in states]
        longest = max(state.sentences.shape[0] for state in states)

        def padded(x: torch.Tensor, value: float, dim: int = -1) -> torch.Tensor:
            pad = [0, 0] * (-dim - 1) + [0, longest - x.shape[dim]]
            return nn.functional.pad(x, pad, value=value)

        pooled = PooledKeys(
            torch.stack([padded(keys.logits, float("-inf")) for keys in cached]),
            torch.stack([padded(keys.values, 0.0, dim=-2) for keys in cached]),
        )
        relevance = None
        if instruction is not None:
            relevance = torch.stack(
                [padded(state.sentences @ instruction.to(state.sentences.dtype), 0.0) for state in states]
            )
        return list(self.connector.pool(pooled, relevance))

    def encode_instructions(self, texts: list[str]) -> torch.Tensor:
        """psi of whole instructions, the query side of instruction pooling. Cached in training (a
        fixed set of questions, revisited every epoch), not at inference, where a serving process
        would otherwise keep every instruction it ever routed."""
        if self.training:
            return self.encode_sentences(texts)
        with torch.no_grad():
            return self._psi(texts, self.instruction_tokens)

    def forward(
        self, card: CapabilityCard, order: list[int] | None = None, instruction: torch.Tensor | None = None
    ) -> torch.Tensor:
        return self.render(self.prepare(card, order), instruction)


class CardTextEmbedder(nn.Module):
    """Text-only variant: the card text as LLM token embeddings (no encoder, no connector)."""

    def __init__(
        self, config: NetworkConfig, tokenizer: PreTrainedTokenizerBase, embeddings: nn.Module
    ) -> None:
        super().__init__()
        self.config = config
        self.tokenizer = tokenizer
        self.embeddings = embeddings

    def prepare(self, card: CapabilityCard, order: list[int] | None = None) -> torch.Tensor:
        ids = self.tokenizer(
            card.to_text(order),
            add_special_tokens=False,
            truncation=True,
            max_length=self.config.card_tokens,
            return_tensors="pt",
        ).input_ids[0]
        return self.embeddings(ids.to(self.embeddings.weight.device))

    def render(self, state: torch.Tensor, instruction: torch.Tensor | None = None) -> torch.Tensor:
        return state

    def render_many(
        self, states: Sequence[torch.Tensor], instruction: torch.Tensor | None = None
    ) -> list[torch.Tensor]:
        return list(states)

    def forward(
        self, card: CapabilityCard, order: list[int] | None = None, instruction: torch.Tensor | None = None
    ) -> torch.Tensor:
        return self.prepare(card, order)
