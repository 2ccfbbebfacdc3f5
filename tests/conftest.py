"""Fixtures shared by every test module."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

# The suite imports torch, transformers, peft and litellm: millions of long-lived objects, which
# CPython's default thresholds (700, 10, 10) rescan in thousands of collections, 5 s of a fast run.
# Collecting less often frees the same garbage later; memory stays far below the machine's.
gc.set_threshold(50_000, 20, 100)

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SHARED_MMLU_PRO = SHARED_DATA / "mmlu-pro"


@pytest.fixture(scope="session")
def shared_mmlu_pro() -> Path:
    """The real 24-model MMLU-Pro outputs beside the repository; a test that needs them fails without them."""
    assert SHARED_MMLU_PRO.is_dir(), f"shared data not found at {SHARED_MMLU_PRO}"
    return SHARED_MMLU_PRO


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The three shared outcome sources beside the repository; a test that needs them fails without them."""
    assert SHARED_DATA.is_dir(), f"shared data not found at {SHARED_DATA}"
    return SHARED_DATA


@pytest.fixture(scope="session")
def real_outcomes(shared_mmlu_pro: Path):
    from router_core.data import load_outcomes

    return load_outcomes(shared_mmlu_pro)
