"""Training configuration: one pydantic model, saved in the checkpoint's training record."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from router_core.errors import ConfigError, validation_summary
from router_core.model.config import NetworkConfig


class TrainConfig(BaseModel):
    """Capability instruction tuning in two stages (connector only, then LoRA + connector)."""

    model_config = ConfigDict(extra="forbid")

    network: NetworkConfig = Field(default_factory=NetworkConfig)
    seed: int = 0
    group_size: int = Field(default=8, ge=2, description="1 positive + k-1 negatives per group")
    groups_per_step: int = Field(default=8, ge=1)
    instruction_group_share: float = Field(
        default=0.75,
        ge=0,
        le=1,
        description="Share of groups with one instruction and k models (the rest: one card, k instructions)",
    )
    stage1_steps: int = Field(default=200, ge=0, description="Connector-only alignment steps")
    stage2_steps: int = Field(default=6000, ge=0, description="LoRA + connector steps")
    lr_connector: float = 1e-3
    lr_lora: float = 5e-4
    bce_weight: float = Field(default=0.5, ge=0, description="Weight of the per-pair calibration loss")
    shuffle_tasks: float = Field(default=0.5, ge=0, le=1, description="Chance to shuffle a card's task order")
    resample_cards: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description=(
            "Chance to redraw a card's task scores as another sitting of the same test would give "
            "them (binomial over the task's items), so the router reads scores instead of "
            "memorising the few training cards"
        ),
    )
    model_weight_power: float = Field(default=1.0, ge=0, description="Sample models by accuracy ** power")
    item_weight_floor: float = Field(
        default=0.05, ge=0, description="Added to an item's p(1-p) sampling weight"
    )
    category_prior: bool = Field(
        default=True,
        description="After training, fit the card category prior and keep it if validation says so",
    )
    joint_prior_weight: float | None = Field(
        default=None,
        gt=0,
        description=(
            "Fit the category prior before training and keep it in the score at this weight, so "
            "the LLM part learns what the prior misses (None: the LLM part trains alone)"
        ),
    )
    hold_out_families: bool = Field(
        default=False,
        description="Train without the held-out task families of zoos.yaml (the `families` split)",
    )
    eval_every: int = Field(default=400, ge=1)
    validation_questions: int | None = Field(
        default=None,
        ge=1,
        description="Validate on this many questions spread evenly over the categories (None: all of them)",
    )
    max_minutes: float | None = Field(default=None, gt=0, description="Stop (and save) after this wall time")

    @property
    def total_steps(self) -> int:
        return self.stage1_steps + self.stage2_steps

    @classmethod
    def from_file(cls, path: str | Path) -> TrainConfig:
        """The config in a YAML/JSON file; a bad value is a `ConfigError` naming the file and field."""
        try:
            return cls.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {})
        except ValidationError as exc:
            raise ConfigError(f"{path}: not a valid training config ({validation_summary(exc)})") from None
