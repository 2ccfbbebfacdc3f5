"""Capability cards and the aptitude test they are measured with."""

from router_core.cards.answers import extract_choice
from router_core.cards.aptitude import AptitudeTask, AptitudeTest, load_aptitude_test, select_aptitude_test
from router_core.cards.build import build_cards
from router_core.cards.card import CapabilityCard, ModelFacts, TaskScore, load_cards, save_cards
from router_core.cards.runner import (
    PROMPT_TEMPLATE,
    PROMPTS,
    AptitudeRunConfig,
    AptitudeRunResult,
    ItemRecord,
    Presentation,
    choice_item,
    render_prompt,
    run_aptitude_test,
)

__all__ = [
    "AptitudeTask",
    "AptitudeTest",
    "CapabilityCard",
    "ModelFacts",
    "TaskScore",
    "build_cards",
    "load_aptitude_test",
    "load_cards",
    "save_cards",
    "select_aptitude_test",
    "PROMPT_TEMPLATE",
    "PROMPTS",
    "AptitudeRunConfig",
    "AptitudeRunResult",
    "ItemRecord",
    "Presentation",
    "choice_item",
    "extract_choice",
    "render_prompt",
    "run_aptitude_test",
]
