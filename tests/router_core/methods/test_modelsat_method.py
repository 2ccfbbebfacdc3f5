from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from router_core.methods.registry import make_method
from router_core.model.checkpoint import save_checkpoint
from router_core.model.inference import ModelSATScorer
from router_core.model.network import ModelSATModel

TEXTS = ["Solve x^2 = 4.", "Is a verbal contract binding?"]


def test_modelsat_router_scores_like_the_checkpoint_and_reuses_pairs_across_zoos(
    tiny_config, cards, tmp_path: Path
) -> None:
    torch.manual_seed(0)
    model = ModelSATModel.build(tiny_config, device="cpu")
    save_checkpoint(model, tmp_path / "ckpt")
    method = make_method("modelsat", checkpoint=str(tmp_path / "ckpt"))
    full = method.score(TEXTS, cards)
    np.testing.assert_allclose(full, ModelSATScorer(model).score(TEXTS, cards), atol=1e-5)
    calls = []
    method.scorer.score = lambda *args: calls.append(args)  # any new scoring would be recorded
    subset = method.score(TEXTS, [cards[2], cards[0]])
    np.testing.assert_array_equal(subset, full[:, [2, 0]])
    assert calls == []
