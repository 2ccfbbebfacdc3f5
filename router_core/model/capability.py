"""Capability part of the router input: a card turned into embeddings the LLM reads.

Encoder variant: every sentence of the card (one per task, then the facts) is encoded by the
capability encoder psi, optionally joined by the task's accuracy as a number, and mapped by
the connector W into one LLM input embedding. Text-only variant: the card text's tokens.
Sentence encodings are cached (they repeat across cards and perturbations) while psi is frozen.
"""

from __future__ import annotations

import torch
from torch import nn
from transformers import PreTrainedTokenizerBase

from router_core.cards.card import CapabilityCard
from router_core.model.config import RouterConfig

NUMERIC_FEATURES = 2  # (accuracy, is a task sentence)


def make_connector(config: RouterConfig, encoder_width: int, llm_width: int) -> nn.Module:
    """W: per-sentence projection into the LLM width, pooled into `capability_tokens` tokens if set."""
    width = encoder_width + (NUMERIC_FEATURES if config.numeric_channel else 0)
    if config.connector == "linear":
        projection: nn.Module = nn.Linear(width, llm_width)
    else:
        projection = nn.Sequential(nn.Linear(width, llm_width), nn.GELU(), nn.Linear(llm_width, llm_width))
    if config.capability_tokens is None:
        return projection
    return AttentionPooling(projection, config.capability_tokens, llm_width)


class AttentionPooling(nn.Module):
    """K learned queries attend over the projected sentences: a fixed, small number of tokens
    per card whatever its length (and, having no positions, blind to task order)."""

    def __init__(self, projection: nn.Module, tokens: int, width: int, heads: int = 8) -> None:
        super().__init__()
        self.projection = projection
        self.queries = nn.Parameter(torch.randn(tokens, width) * width**-0.5)
        self.attention = nn.MultiheadAttention(width, heads, batch_first=True)
        self.norm = nn.LayerNorm(width)

    def forward(self, sentences: torch.Tensor) -> torch.Tensor:
        keys = self.projection(sentences).unsqueeze(0)
        pooled, _ = self.attention(self.queries.unsqueeze(0), keys, keys, need_weights=False)
        return self.norm(pooled[0] + self.queries)


class CapabilityEncoder(nn.Module):
    """psi + W: card sentences -> (n_sentences, llm_width) embeddings."""

    def __init__(
        self,
        config: RouterConfig,
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

    def _psi(self, sentences: list[str]) -> torch.Tensor:
        batch = self.tokenizer(sentences, padding=True, truncation=True, max_length=128, return_tensors="pt")
        batch = batch.to(self.device)
        hidden = self.encoder(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
        return nn.functional.normalize(pooled, dim=-1)

    def forward(self, card: CapabilityCard, order: list[int] | None = None) -> torch.Tensor:
        sentences = card.sentences(order)
        features = self.encode_sentences(sentences)
        if self.config.numeric_channel:
            scores = [card.scores[i] for i in order] if order is not None else card.scores
            numbers = [[s.accuracy, 1.0] for s in scores] + [[0.0, 0.0]] * (len(sentences) - len(scores))
            features = torch.cat(
                [features, torch.tensor(numbers, dtype=features.dtype, device=features.device)], -1
            )
        return self.connector(features.to(next(self.connector.parameters()).dtype))


class CardTextEmbedder(nn.Module):
    """Text-only variant: the card text as LLM token embeddings (no encoder, no connector)."""

    def __init__(
        self, config: RouterConfig, tokenizer: PreTrainedTokenizerBase, embeddings: nn.Module
    ) -> None:
        super().__init__()
        self.config = config
        self.tokenizer = tokenizer
        self.embeddings = embeddings

    def forward(self, card: CapabilityCard, order: list[int] | None = None) -> torch.Tensor:
        ids = self.tokenizer(
            card.to_text(order),
            add_special_tokens=False,
            truncation=True,
            max_length=self.config.max_card_tokens,
            return_tensors="pt",
        ).input_ids[0]
        return self.embeddings(ids.to(self.embeddings.weight.device))
