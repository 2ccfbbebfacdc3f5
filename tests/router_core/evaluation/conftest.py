"""Fixtures of the synthetic zoo (see synthetic_zoo.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from synthetic_zoo import synthetic_cards, synthetic_outcomes, write_wide_csv

from router_core.cards.card import CapabilityCard, save_cards
from router_core.data.outcomes import OutcomeMatrix


@pytest.fixture(scope="session")
def outcomes() -> OutcomeMatrix:
    return synthetic_outcomes()


@pytest.fixture(scope="session")
def cards() -> dict[str, CapabilityCard]:
    return synthetic_cards()


@pytest.fixture
def data_files(
    tmp_path: Path, outcomes: OutcomeMatrix, cards: dict[str, CapabilityCard]
) -> tuple[Path, Path]:
    """(wide CSV of the synthetic outcomes, card file)."""
    save_cards(cards.values(), tmp_path / "cards.json")
    return write_wide_csv(outcomes, tmp_path / "outcomes.csv"), tmp_path / "cards.json"
