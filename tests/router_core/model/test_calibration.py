"""The calibration value, its place in the router config and checkpoints, and where it is applied."""

from __future__ import annotations

import hashlib
import json
import warnings

import numpy as np
import pytest
import torch
from pydantic import ValidationError

from router_core.model.calibration import Calibration, pr_yes
from router_core.model.checkpoint import CONFIG_FILE, DEFAULT_CHECKPOINT, load_checkpoint, save_checkpoint
from router_core.model.config import NetworkConfig
from router_core.model.inference import ModelSATScorer

INSTRUCTIONS = [
    "Solve the integral of x squared from 0 to 1.",
    "Is a verbal contract binding?",
    "Write a haiku about the sea.",
]
CALIBRATION = Calibration(scale=0.4, bias=-1.3)


def calibrated(model, calibration: Calibration | None = CALIBRATION):
    model.config = model.config.model_copy(update={"calibration": calibration})
    return model


@pytest.mark.parametrize("scale", [0.0, -1.0, float("nan"), float("inf")])
def test_a_scale_that_is_not_positive_and_finite_is_refused(scale: float) -> None:
    with pytest.raises(ValidationError):
        Calibration(scale=scale, bias=0.0)


def test_the_calibration_is_a_frozen_value() -> None:
    with pytest.raises(ValidationError):
        CALIBRATION.scale = 2.0  # type: ignore[misc]
    assert Calibration(scale=0.4, bias=-1.3) == CALIBRATION


def test_apply_and_pr_yes_agree_on_numpy_and_torch() -> None:
    logits = np.array([-3.0, 0.0, 0.5, 4.0])
    expected = 1 / (1 + np.exp(-(0.4 * logits - 1.3)))
    np.testing.assert_allclose(CALIBRATION.apply(logits), 0.4 * logits - 1.3)
    np.testing.assert_allclose(pr_yes(logits, CALIBRATION), expected, rtol=1e-12)
    from_torch = pr_yes(torch.tensor(logits), CALIBRATION)
    assert isinstance(from_torch, torch.Tensor)
    np.testing.assert_allclose(from_torch.numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(pr_yes(logits, None), 1 / (1 + np.exp(-logits)), rtol=1e-12)


def test_pr_yes_of_huge_logits_neither_overflows_nor_warns() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert pr_yes(np.array([-1e4, 1e4]), None).tolist() == [0.0, 1.0]


def test_the_config_round_trips_the_calibration_through_json() -> None:
    config = NetworkConfig(calibration=CALIBRATION)
    again = NetworkConfig.model_validate_json(config.model_dump_json())
    assert again.calibration == CALIBRATION and again == config


def test_an_old_config_without_the_field_loads_uncalibrated() -> None:
    shipped = json.loads((DEFAULT_CHECKPOINT / CONFIG_FILE).read_text(encoding="utf-8"))
    assert shipped.pop("calibration") is not None  # the shipped router is calibrated
    assert NetworkConfig.model_validate(shipped).calibration is None  # as written before the field


def test_a_checkpoint_keeps_its_calibration(saved, tmp_path) -> None:
    model, _ = saved
    folder = save_checkpoint(calibrated(model), tmp_path / "calibrated")
    assert json.loads((folder / CONFIG_FILE).read_text())["calibration"] == {"scale": 0.4, "bias": -1.3}
    assert load_checkpoint(folder, device="cpu").config.calibration == CALIBRATION


def test_an_old_checkpoint_without_the_field_still_loads(saved) -> None:
    _, folder = saved
    config_file = folder / CONFIG_FILE
    config = json.loads(config_file.read_text())
    del config["calibration"]
    config_file.write_text(json.dumps(config))
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"][CONFIG_FILE] = hashlib.sha256(config_file.read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert load_checkpoint(folder, device="cpu").config.calibration is None


def test_the_scorer_applies_the_calibration_and_keeps_the_ranking(saved, cards) -> None:
    model, _ = saved
    raw_logits = ModelSATScorer(calibrated(model, None)).logits(INSTRUCTIONS, cards).numpy()
    raw = ModelSATScorer(model).score(INSTRUCTIONS, cards)
    scores = ModelSATScorer(calibrated(model)).score(INSTRUCTIONS, cards)
    np.testing.assert_allclose(raw, 1 / (1 + np.exp(-raw_logits)), rtol=1e-5)
    np.testing.assert_allclose(scores, 1 / (1 + np.exp(-(0.4 * raw_logits - 1.3))), rtol=1e-5)
    assert np.abs(scores - raw).min() > 0.05  # the calibration moved every probability
    assert all(len(set(row)) == len(row) for row in raw_logits.round(6))  # no ties: the order is strict
    np.testing.assert_array_equal(np.argsort(-scores, axis=1), np.argsort(-raw, axis=1))
    # the logits are the raw ones whatever the calibration: what a new fit reads
    np.testing.assert_array_equal(ModelSATScorer(model).logits(INSTRUCTIONS, cards).numpy(), raw_logits)


def test_changing_the_category_prior_drops_a_calibration_of_the_old_logits(saved) -> None:
    model, _ = saved
    calibrated(model).set_category_prior(None, {})
    assert model.config.calibration is None
