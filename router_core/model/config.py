"""One pydantic config describes a Model-SAT router: backbones, LoRA, prompt, layout, lengths.

The same config loads on CPU or CUDA; it is saved next to the weights in every checkpoint.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from router_core.model.calibration import Calibration
from router_core.model.weights import MINILM, SMOLLM2

Precision = Literal["auto", "fp32", "bf16", "int8"]
"""The number format a loaded router runs in (`router_core.model.precision`)."""


class ScorerSettings(BaseModel):
    """Which checkpoint scores, and how it is loaded and run: the settings the engine
    (`EngineConfig`) and the evaluation's Model-SAT method share, read by
    `router_core.model.serving.load_for_inference`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    checkpoint: str | None = Field(
        default=None, description="Router checkpoint folder; None: the shipped one"
    )
    device: str | None = Field(default=None, description="cuda, mps or cpu; None = best available")
    precision: Precision = Field(
        default="auto",
        description="Number format of the loaded router: auto = bf16 on CUDA, fp32 elsewhere; bf16 "
        "on a CPU with AMX is about 1.7x faster than fp32, and int8 is the other CPU option; each is "
        "opt-in with its measured accuracy in docs/benchmarks.md",
    )
    instruction_tokens: int | None = Field(
        default=None,
        ge=8,
        description="Read at most this many tokens of each instruction (LLM prefix and psi); None: the "
        "checkpoint's window (128). 64 routes faster at the same validation accuracy (docs/benchmarks.md)",
    )
    perturbations: int = Field(default=0, ge=0, description="Average over this many shuffled task orders")
    allow_remote_code: bool = Field(
        default=False,
        description="Let a checkpoint that asks for trust_remote_code run its backbones' Python files; "
        "off, such a checkpoint is refused (docs/security.md)",
    )


class LoraSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    r: int = Field(default=16, ge=1)
    alpha: int = Field(default=32, ge=1)
    dropout: float = Field(default=0.05, ge=0, lt=1)
    target_modules: list[str] = Field(default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj"])


class CategoryPriorSettings(BaseModel):
    """The card category prior (see `router_core/model/category_prior.py`), fitted by the trainer."""

    model_config = ConfigDict(extra="forbid")

    weight: float = Field(gt=0, description="Scale of the prior's logit, added to the Yes-minus-No logit")
    categories: list[str] = Field(min_length=2, description="The classes of the instruction classifier")
    task_categories: dict[str, str] = Field(
        description="Aptitude task id -> the category its items belong to"
    )

    @model_validator(mode="after")
    def _known_categories(self) -> CategoryPriorSettings:
        unknown = sorted(set(self.task_categories.values()) - set(self.categories))
        if unknown:
            raise ValueError(f"task_categories name categories that are not in categories: {unknown}")
        return self


class NetworkConfig(BaseModel):
    """Architecture of a Model-SAT router.

    `encoder=None` is the paper's text-only variant: the LLM reads the card as text. With an
    encoder, each sentence of the card becomes one soft token (encoder -> connector).
    `layout="instruction-first"` reads [x, p, c_m, "Answer:"]: the instruction and inquiry
    prompt form a prefix whose key/value cache is computed once and shared by every candidate,
    so each candidate adds only its capability tokens. "capability-first" is the paper's
    order [c_m, x, p].
    """

    model_config = ConfigDict(extra="forbid")

    llm: str = Field(default=SMOLLM2, description="Causal LM: builtin:smollm2, a local folder or a hub id")
    llm_layers: int | None = Field(
        default=4, ge=1, description="Keep only the first N decoder layers (CPU budget); None keeps all"
    )
    encoder: str | None = Field(default=MINILM, description="Capability encoder; None = text-only variant")
    train_encoder: bool = False
    connector: Literal["linear", "mlp"] = "mlp"
    capability_tokens: int | None = Field(
        default=4, ge=1, description="Pool the card into this many soft tokens; None = one token per sentence"
    )
    instruction_pooling: bool = Field(
        default=True,
        description=(
            "Pooling attends to the card's sentences by their similarity to the instruction (both "
            "encoded by psi), so the capability tokens summarise the tasks relevant to it"
        ),
    )
    numeric_channel: bool = Field(
        default=True, description="Also feed each task's accuracy to the connector as a number"
    )
    layout: Literal["instruction-first", "capability-first"] = "instruction-first"
    frozen_prefix: bool | None = Field(
        default=None,
        description=(
            "Instruction-first only (None: on exactly then). The base LLM (adapter off) reads the "
            "instruction + prompt prefix, so its key/value cache depends on the instruction alone "
            "and is reused across candidates and, in training, across steps; LoRA adapts the "
            "capability suffix"
        ),
    )
    inquiry_prompt: str = (
        "Predict whether the candidate model described here can handle the instruction above "
        "by indicating 'Yes' or 'No'."
    )
    answer_cue: str = "Answer:"
    capability_header: str = "Candidate model capability:"
    yes_token: str = " Yes"
    no_token: str = " No"
    instruction_tokens: int = Field(default=128, ge=8)
    card_tokens: int = Field(default=1024, ge=16, description="Text-only variant: card text token limit")
    lora: LoraSettings = Field(default_factory=LoraSettings)
    category_prior: CategoryPriorSettings | None = Field(
        default=None, description="Add the card's accuracy on the instruction's category (needs an encoder)"
    )
    calibration: Calibration | None = Field(
        default=None,
        description="Platt map of the Yes-minus-No logit, fitted on validation questions by "
        "`modelsat calibrate`; None: the raw sigmoid",
    )
    trust_remote_code: bool = Field(
        default=False,
        description="Asks to run the backbones' own Python files (auto_map); a checkpoint's value "
        "enables nothing unless the loading caller allows it (`allow_remote_code`)",
    )

    @model_validator(mode="after")
    def _prefix_needs_instruction_first(self) -> NetworkConfig:
        if self.frozen_prefix is None:
            self.frozen_prefix = self.layout == "instruction-first"
        elif self.frozen_prefix and self.layout != "instruction-first":
            raise ValueError("frozen_prefix needs layout='instruction-first' (the prefix is the instruction)")
        if self.category_prior is not None and self.encoder is None:
            raise ValueError("category_prior classifies the instruction's psi encoding: it needs an encoder")
        return self
