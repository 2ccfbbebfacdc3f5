"""Small objects that several test folders build."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np

from router_core.cards.aptitude import AptitudeTask, AptitudeTest
from router_core.cards.card import CapabilityCard, ModelFacts, TaskScore
from router_core.data.outcomes import Instruction, OutcomeMatrix
from router_core.model.config import NetworkConfig
from router_core.training.config import TrainConfig


def make_card(model: str, accuracies: list[float], price: float | None = None) -> CapabilityCard:
    """A card with one task per accuracy, named task0, task1, ..., and an optional price."""
    return CapabilityCard(
        model=model,
        aptitude_version="test-v1",
        scores=[
            TaskScore(task=f"task{i}", description=f"Subject {i}, Keywords", accuracy=a, n_items=20)
            for i, a in enumerate(accuracies)
        ],
        facts=ModelFacts(input_price=price, output_price=price),
    )


TOPICS = {
    "math": "Compute the integral of {} times x over the unit interval.",
    "law": "Under contract law, is a promise of {} dollars enforceable?",
}


def small_matrix() -> OutcomeMatrix:
    """math-model is right on math items only, law-model on law items only."""
    instructions, scores = [], []
    for i in range(12):
        topic = "math" if i % 2 == 0 else "law"
        instructions.append(Instruction(id=str(i), text=TOPICS[topic].format(i + 3), category=topic))
        scores.append([1.0, 0.0] if topic == "math" else [0.0, 1.0])
    return OutcomeMatrix(instructions, ["math-model", "law-model"], np.array(scores), np.ones((12, 2), bool))


def small_aptitude() -> AptitudeTest:
    """task0 holds math items of `small_matrix` (and one law item), task1 law items."""
    return AptitudeTest(
        version="test-v1",
        tasks=[
            AptitudeTask(id="task0", description="Mathematics", question_ids=["0", "2", "1"]),
            AptitudeTask(id="task1", description="Law", question_ids=["1", "3"]),
        ],
    )


def small_cards() -> dict[str, CapabilityCard]:
    """Cards that tell the truth about `small_matrix`: math-model strong on task0, law-model on task1."""
    return {
        "math-model": make_card("math-model", [0.9, 0.1]),
        "law-model": make_card("law-model", [0.1, 0.9]),
    }


def tiny_train_config(router: NetworkConfig, **overrides: object) -> TrainConfig:
    """Two training steps in groups of two, validated at the end: a whole run in about a second."""
    settings: dict = dict(group_size=2, groups_per_step=2, stage1_steps=1, stage2_steps=1, eval_every=2)
    return TrainConfig(network=router, **settings | overrides)


CUSTOM_CODE = """from pathlib import Path

from transformers import LlamaConfig, LlamaForCausalLM

Path({marker!r}).write_text("custom code ran")


class CustomConfig(LlamaConfig):
    model_type = "modelsat_custom_llama"


class CustomForCausalLM(LlamaForCausalLM):
    config_class = CustomConfig
"""


def custom_code_checkpoint(checkpoint: Path, llm: Path, root: Path, *, ask: bool = True) -> Path:
    """Turn a saved checkpoint into a hostile one, as whoever ships a checkpoint can: its llm becomes
    a copy of `llm` whose config.json has an `auto_map` to a .py file, its config asks for
    trust_remote_code (when `ask`), and its manifest is rewritten to match. Returns the path of a
    marker file that exists only if that .py file ran."""
    marker, custom = root / "custom-code-ran", root / "custom-llm"
    shutil.copytree(llm, custom)
    (custom / "custom_llama.py").write_text(CUSTOM_CODE.format(marker=str(marker)))
    config = json.loads((custom / "config.json").read_text())
    config |= {
        "model_type": "modelsat_custom_llama",
        "architectures": ["CustomForCausalLM"],
        "auto_map": {
            "AutoConfig": "custom_llama.CustomConfig",
            "AutoModelForCausalLM": "custom_llama.CustomForCausalLM",
        },
    }
    (custom / "config.json").write_text(json.dumps(config))
    router_config = checkpoint / "network_config.json"
    router_config.write_text(
        json.dumps(json.loads(router_config.read_text()) | {"llm": str(custom), "trust_remote_code": ask})
    )
    manifest = json.loads((checkpoint / "manifest.json").read_text())
    manifest["files"]["network_config.json"] = hashlib.sha256(router_config.read_bytes()).hexdigest()
    (checkpoint / "manifest.json").write_text(json.dumps(manifest))
    return marker
