"""Fixtures shared by every test module."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_MMLU_PRO = Path(__file__).resolve().parents[2] / "shared" / "data" / "mmlu-pro"


@pytest.fixture(scope="session")
def shared_mmlu_pro() -> Path:
    """The real 24-model MMLU-Pro outputs beside the repository; a test that needs them fails without them."""
    assert SHARED_MMLU_PRO.is_dir(), f"shared data not found at {SHARED_MMLU_PRO}"
    return SHARED_MMLU_PRO


@pytest.fixture(scope="session")
def real_outcomes(shared_mmlu_pro: Path):
    from router_core.data import load_outcomes

    return load_outcomes(shared_mmlu_pro)
