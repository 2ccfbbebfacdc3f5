"""Capability instruction tuning: train a Model-SAT router on outcome data.

Respects the benchmark's splits: only training questions (never test or validation ones) and
only training models (never the held-out models) are used. Validates every `eval_every` steps
on held-out validation questions, keeps the best checkpoint, and can resume from the last one.
"""

from __future__ import annotations

import json
import platform
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from torch import nn
from tqdm import trange

from router_core.cards.card import CapabilityCard, cards_aptitude_test
from router_core.data.outcomes import OutcomeMatrix
from router_core.errors import ConfigError
from router_core.evaluation.metrics import route, routed_accuracy
from router_core.model.checkpoint import load_checkpoint, save_checkpoint
from router_core.model.inference import ModelSATScorer
from router_core.model.network import ModelSATModel, PrefixState
from router_core.training.config import TrainConfig
from router_core.training.groups import Group, GroupSampler
from router_core.training.prior import fit_category_prior, fit_classifier, pick_weight
from router_core.training.state import load_trainer_state, save_trainer_state
from router_core.zoos.splits import (
    held_out_families,
    held_out_models,
    split_by_family,
    split_questions,
    training_models,
)

BEST, LAST, STATE = "best", "last", "trainer_state"


@dataclass
class TrainingData:
    """What the trainer may see: training questions x training models, plus validation questions."""

    train: OutcomeMatrix
    validation: OutcomeMatrix
    cards: dict[str, CapabilityCard]
    texts: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.texts = {ins.id: ins.routing_text for ins in self.train.instructions}

    def scores(self, instruction_ids: list[str], models: list[str]) -> list[float]:
        """The training outcome of each (instruction, model) pair."""
        train = self.train
        return [
            float(train.scores[train.row(i), train.model_index(m)])
            for i, m in zip(instruction_ids, models, strict=True)
        ]

    @classmethod
    def from_outcomes(
        cls,
        outcomes: OutcomeMatrix,
        cards: dict[str, CapabilityCard],
        validation_questions: int | None,
        without_families: Sequence[str] = (),
    ) -> TrainingData:
        """The training and validation questions of the benchmark's split, less those of
        `without_families` (the held-out task types), among the training models."""
        split = split_questions(outcomes, cards_aptitude_test(list(cards.values())))
        train_ids = split_by_family(outcomes, split.train, list(without_families))[0]
        validation_ids = split_by_family(outcomes, split.validation, list(without_families))[0]
        models = training_models(outcomes)
        missing = [m for m in models if m not in cards]
        if missing:
            raise ConfigError(f"no capability cards for training models {missing}")
        return cls(
            train=outcomes.select(models=models, instruction_ids=train_ids),
            validation=outcomes.select(
                models=models, instruction_ids=spread(validation_ids, validation_questions)
            ),
            cards=cards,
        )


def spread(ids: list[str], count: int | None) -> list[str]:
    """`count` ids evenly spaced over `ids` (all of them for None). The split lists questions in
    file order, which groups them by category, so a prefix would validate on a few categories only."""
    if count is None or count >= len(ids):
        return ids
    return [ids[i * len(ids) // count] for i in range(count)]


class PrefixStore:
    """Frozen-prefix key/values per training instruction, computed on first use and kept (in half
    precision) for the rest of the run: with the prefix frozen, a step only runs the short
    capability suffixes through the LLM."""

    def __init__(self, model: ModelSATModel, texts: dict[str, str], batch_size: int = 16) -> None:
        self.model = model
        self.texts = texts
        self.batch_size = batch_size
        self._states: dict[str, PrefixState] = {}

    def get(self, ids: list[str]) -> list[PrefixState]:
        todo = [i for i in dict.fromkeys(ids) if i not in self._states]
        for start in range(0, len(todo), self.batch_size):
            chunk = todo[start : start + self.batch_size]
            embedded = self.model.instruction_embeddings([self.texts[i] for i in chunk])
            for i, state in zip(chunk, self.model.prefix_states(embedded), strict=True):
                self._states[i] = [(k.half(), v.half()) for k, v in state]
        return [self._states[i] for i in ids]


def resampled_card(card: CapabilityCard, rng: random.Random) -> CapabilityCard:
    """The card a second sitting of the aptitude test might give: each task's score redrawn as
    right answers out of its `n_items`, each right with the card's accuracy."""
    scores = []
    for score in card.scores:
        right = sum(rng.random() < score.accuracy for _ in range(score.n_items))
        scores.append(score.model_copy(update={"accuracy": right / score.n_items}))
    return card.model_copy(update={"scores": scores})


def group_loss(
    model: ModelSATModel,
    groups: list[Group],
    data: TrainingData,
    config: TrainConfig,
    rng: random.Random,
    prefixes: PrefixStore | None = None,
) -> torch.Tensor:
    """Cross-entropy over each group's Yes-minus-No logits (positive as target) + per-pair BCE.
    All pairs of the step go through the LLM in one batch."""
    states = {}
    for name in dict.fromkeys(m for group in groups for m in group.models):
        card = data.cards[name]
        # when off, draw nothing: default runs keep the random stream the shipped router trained with
        if config.resample_cards and rng.random() < config.resample_cards:
            card = resampled_card(card, rng)
        order = card.shuffled_order(rng.randrange(1 << 30)) if rng.random() < config.shuffle_tasks else None
        states[name] = model.card_state(card, order)
    ids = [i for group in groups for i in group.instruction_ids]
    models = [m for group in groups for m in group.models]
    flat = model.score_pairs(
        [data.texts[i] for i in ids],
        [states[m] for m in models],
        prefixes.get(ids) if prefixes is not None else None,
    )
    per_group = flat.split([len(group.models) for group in groups])
    ce_terms = []
    for logits, group in zip(per_group, groups, strict=True):
        positive = torch.tensor([group.positive], device=flat.device)
        ce_terms.append(nn.functional.cross_entropy(logits.unsqueeze(0), positive))
    # each pair's own graded outcome: Pr(Yes) learns the expected score, 0/1 or not
    target = torch.tensor(data.scores(ids, models), device=flat.device, dtype=flat.dtype)
    ce = torch.stack(ce_terms).mean()
    return ce + config.bce_weight * nn.functional.binary_cross_entropy_with_logits(flat, target)


def validate(model: ModelSATModel, data: TrainingData) -> dict[str, float]:
    """Routed accuracy among the training models on validation questions, with references.

    Each dataset's questions are scored against the models it measured only (a candidate with
    no outcome could not be judged), and the best single model is the best one per dataset."""
    valid = data.validation
    probs = np.zeros(valid.scores.shape, dtype=np.float32)
    best_single = np.zeros(len(valid.instructions), dtype=np.float32)
    for rows in _dataset_rows(valid).values():
        cols = np.flatnonzero(valid.observed[rows].any(0))
        texts = [valid.instructions[r].routing_text for r in rows]
        scored = ModelSATScorer(model).score(texts, [data.cards[valid.models[j]] for j in cols])
        cells = np.ix_(np.asarray(rows), cols)
        probs[cells] = scored
        part, seen = valid.scores[cells], valid.observed[cells]
        best_single[rows] = part[:, int(np.argmax(part.sum(0) / np.maximum(seen.sum(0), 1)))]
    observed, target = valid.observed, valid.scores  # graded outcomes are soft targets
    bce = -(target * np.log(probs + 1e-7) + (1 - target) * np.log(1 - probs + 1e-7))[observed].mean()
    return {
        "routed_accuracy": routed_accuracy(valid.scores, route(probs, observed)),
        "best_single_accuracy": float(best_single.mean()),
        "oracle_accuracy": float(valid.scores.max(1).mean()),
        "bce": float(bce),
        "within_model_auc": within_model_auc(probs, valid.scores > 0.5, observed),
    }


def _dataset_rows(outcomes: OutcomeMatrix) -> dict[str, list[int]]:
    rows: dict[str, list[int]] = {}
    for i, ins in enumerate(outcomes.instructions):
        rows.setdefault(ins.dataset or "", []).append(i)
    return rows


def within_model_auc(probs: np.ndarray, correct: np.ndarray, observed: np.ndarray) -> float:
    """Mean over models of the ROC AUC of Pr(Yes) against that model's correctness: 0.5 means the
    router only knows which models are strong overall, not which instructions suit each."""
    aucs = [
        roc_auc_score(correct[observed[:, j], j], probs[observed[:, j], j])
        for j in range(probs.shape[1])
        if len(set(correct[observed[:, j], j])) == 2
    ]
    return float(np.mean(aucs)) if aucs else 0.5


def train(
    outcomes: OutcomeMatrix,
    cards: dict[str, CapabilityCard],
    config: TrainConfig,
    out_dir: str | Path,
    *,
    resume: bool = False,
    command: str | None = None,
    device: str | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Train and write `out_dir/best` (the router), `out_dir/last` and the trainer state."""
    out_dir = Path(out_dir)
    held = held_out_families() if config.hold_out_families else []
    data = TrainingData.from_outcomes(outcomes, cards, config.validation_questions, held)
    sampler = GroupSampler.from_config(data.train, config)
    torch.manual_seed(config.seed)
    remote = config.network.trust_remote_code  # the user's own training config may allow it
    if resume:
        model = load_checkpoint(out_dir / LAST, device=device, trainable=True, allow_remote_code=remote)
    else:
        model = ModelSATModel.build(config.network, device=device)
    aptitude = cards_aptitude_test(list(cards.values()))
    if config.joint_prior_weight is not None and not resume:
        settings, head = fit_classifier(model, data.train, aptitude)
        model.set_category_prior(settings.model_copy(update={"weight": config.joint_prior_weight}), head)
    if model.prior is not None:
        model.prior.requires_grad_(False)
    prefixes = PrefixStore(model, data.texts) if model.config.frozen_prefix else None
    connector = [p for n, p in model.capability.named_parameters() if p.requires_grad]
    lora = [p for n, p in model.llm.named_parameters() if "lora_" in n]
    optimizer = torch.optim.AdamW(
        [{"params": connector, "lr": config.lr_connector}, {"params": lora, "lr": config.lr_lora}]
    )
    meta: dict[str, Any] = {"step": 0, "history": [], "best": None, "elapsed_s": 0.0}
    if resume:
        meta = load_trainer_state(out_dir / STATE, optimizer)
    started = time.monotonic() - meta["elapsed_s"]
    step = meta["step"]
    bar = trange(step, config.total_steps, desc="training", initial=step, total=config.total_steps)
    for step in bar:
        stage = 1 if step < config.stage1_steps else 2
        for p in lora:
            p.requires_grad_(stage == 2)
        model.train()
        torch.manual_seed(config.seed + step)
        loss = group_loss(
            model,
            sampler.sample(step, config.groups_per_step),
            data,
            config,
            random.Random(config.seed * 1_000_003 + step),
            prefixes,
        )
        loss.backward()
        nn.utils.clip_grad_norm_(connector + lora, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        bar.set_postfix(stage=stage, loss=f"{loss.item():.3f}")
        out_of_time = config.max_minutes is not None and time.monotonic() - started > config.max_minutes * 60
        if (step + 1) % config.eval_every == 0 or step + 1 == config.total_steps or out_of_time:
            metrics = {"step": step + 1, "stage": stage, "loss": float(loss.item()), **validate(model, data)}
            meta["history"].append(metrics)
            log(json.dumps(metrics))
            if meta["best"] is None or _better(metrics, meta["best"]):
                meta["best"] = metrics
                save_checkpoint(model, out_dir / BEST)
            save_checkpoint(model, out_dir / LAST)
            meta.update(step=step + 1, elapsed_s=time.monotonic() - started)
            save_trainer_state(out_dir / STATE, optimizer, meta)
            if out_of_time:
                log(f"time budget of {config.max_minutes} min reached at step {step + 1}")
                break
    best = load_checkpoint(out_dir / BEST, device=str(model.device), allow_remote_code=remote)
    if config.category_prior and best.prior is not None:  # joint: keep its classifier, re-pick the weight
        meta["category_prior"] = pick_weight(
            best, best.prior.settings, best.prior.state_dict(), data.validation, data.cards, aptitude
        )
    elif config.category_prior:
        meta["category_prior"] = fit_category_prior(best, data.train, data.validation, data.cards, aptitude)
    if "category_prior" in meta:
        log(f"category prior: {json.dumps(meta['category_prior'])}")
    record = _record(config, data, outcomes, meta, command, model.device)
    save_checkpoint(best, out_dir / BEST, record)
    return record


def _better(metrics: dict[str, Any], best: dict[str, Any]) -> bool:
    """Higher validation routed accuracy wins; on a tie, lower validation BCE (better calibrated)."""
    return (metrics["routed_accuracy"], -metrics["bce"]) > (best["routed_accuracy"], -best["bce"])


def _record(
    config: TrainConfig,
    data: TrainingData,
    outcomes: OutcomeMatrix,
    meta: dict[str, Any],
    command: str | None,
    device: torch.device,
) -> dict[str, Any]:
    return {
        "command": command,
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "wall_time_minutes": round(meta["elapsed_s"] / 60, 1),
        "steps": meta["step"],
        "hardware": {
            "device": str(device),
            "cpu_threads": torch.get_num_threads(),
            "machine": platform.machine(),
            "python": platform.python_version(),
            "torch": torch.__version__,
        },
        "data": {
            "questions": len(outcomes.instructions),
            "train_questions": len(data.train.instructions),
            "validation_questions": len(data.validation.instructions),
            "training_models": data.train.models,
            "held_out_models": held_out_models(),
            "aptitude_version": next(iter(data.cards.values())).aptitude_version,
            "split": "held-out questions (test and validation never trained on); held-out models excluded",
            "held_out_families": held_out_families() if config.hold_out_families else [],
        },
        "best_validation": meta["best"],
        "category_prior": meta.get("category_prior"),
        "history": meta["history"],
        "config": config.model_dump(mode="json"),
    }
