"""Aptitude test v3 from several sources: selection, shipped items, partial cards."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from router_core.cards.aptitude import FAMILIES, load_aptitude_test, select_multi_domain_test
from router_core.cards.build import build_cards
from router_core.cards.card import load_cards, shipped_cards
from router_core.cards.item_sources import gather_items
from router_core.cards.items import AptitudeItem, load_aptitude_items
from router_core.data import load_outcomes
from router_core.data.outcomes import Instruction, OutcomeMatrix
from tests.router_core.data.source_folders import write_alpaca_eval, write_llmrouter


def _outcomes(tmp_path: Path) -> tuple[OutcomeMatrix, list[Path]]:
    folders = [write_llmrouter(tmp_path / "llmrouter"), write_alpaca_eval(tmp_path / "alpaca")]
    return load_outcomes(folders), folders


DESCRIPTIONS = {
    "gsm8k": "Math, Word Problems",
    "math": "Competition Math",
    "arc_challenge": "Science",
    "mbpp": "Code",
    "human_eval": "Code, Functions",
    "trivia_qa": "Trivia",
    "vicuna": "Writing",
    "oasst": "Advice",
}


def test_one_task_per_source_from_informative_items_only(tmp_path: Path, monkeypatch) -> None:
    outcomes, _ = _outcomes(tmp_path)
    monkeypatch.setattr("router_core.cards.aptitude.MIN_ITEMS", 1)

    test = select_multi_domain_test(
        outcomes, ["small-7b", "big-70b", "chat-a", "chat-b"], version="t", descriptions=DESCRIPTIONS
    )

    tasks = {task.id: task for task in test.tasks}
    # gsm8k: both right (says nothing); human_eval: both right; oasst: chat-b unobserved
    assert set(tasks) == {"math", "arc_challenge", "mbpp", "trivia_qa", "vicuna"}
    assert tasks["math"].family == "competition-math"
    assert tasks["vicuna"].family == "open-ended"
    assert set(test.families) <= set(FAMILIES)


def test_items_carry_each_graders_key(tmp_path: Path, monkeypatch) -> None:
    outcomes, folders = _outcomes(tmp_path)
    monkeypatch.setattr("router_core.cards.aptitude.MIN_ITEMS", 1)
    test = select_multi_domain_test(
        outcomes, ["small-7b", "big-70b", "chat-a", "chat-b"], version="t", descriptions=DESCRIPTIONS
    )

    items = {item.task: item for item in gather_items(test, outcomes, folders)}

    assert (items["math"].grader, items["math"].answer) == ("math", "1")
    assert (items["arc_challenge"].grader, items["arc_challenge"].answer) == ("choice", "B")
    assert items["mbpp"].grader == "code" and "assert add(1, 2) == 3" in (items["mbpp"].tests or "")
    assert (items["trivia_qa"].grader, items["trivia_qa"].answer) == ("f1", "paris")
    assert (items["vicuna"].grader, items["vicuna"].reference) == ("judge", "Old pond...")


def test_an_item_without_its_key_is_invalid() -> None:
    with pytest.raises(ValueError, match="a 'code' item needs tests"):
        AptitudeItem(id="1", task="mbpp", grader="code", prompt="Write code.")


def test_partial_cards_cover_the_families_their_model_was_measured_on(tmp_path: Path, monkeypatch) -> None:
    outcomes, _ = _outcomes(tmp_path)
    monkeypatch.setattr("router_core.cards.aptitude.MIN_ITEMS", 1)
    test = select_multi_domain_test(
        outcomes, ["small-7b", "big-70b", "chat-a", "chat-b"], version="t", descriptions=DESCRIPTIONS
    )

    cards = {card.model: card for card in build_cards(outcomes, test, facts={})}

    assert cards["chat-a"].families == ("open-ended",)
    assert cards["big-70b"].families == ("multiple-choice-qa", "competition-math", "short-answer-qa", "code")
    assert cards["Meta-Llama-3_1-8B-Instruct"].aliases == ("llama-3.1-8b-instruct",)
    assert [s.task for s in cards["chat-a"].scores] == ["vicuna"]
    assert np.isclose(cards["chat-a"].scores[0].accuracy, 0.9)  # graded, not a win


def test_shipped_v3_test_covers_every_family_with_fifty_tasks() -> None:
    test = load_aptitude_test("v3")
    items = load_aptitude_items("v3")

    assert len(test.tasks) == 50
    assert set(test.families) == set(FAMILIES)
    assert set(items) == test.question_ids
    assert all(items[q].task == task.id for task in test.tasks for q in task.question_ids)
    assert not set(test.selected_on) & set(load_zoo_held_out())


def load_zoo_held_out() -> list[str]:
    from router_core.zoos.catalog import load_zoo_file

    return load_zoo_file().held_out_models


def test_shipped_v3_cards_cover_all_three_sources() -> None:
    cards = shipped_cards("v3")

    assert len(cards) == 76
    families = {tuple(card.families or ()) for card in cards.values()}
    assert ("open-ended",) in families and ("knowledge",) in families
    assert cards["Meta-Llama-3_1-8B-Instruct"].aliases == ("llama-3.1-8b-instruct",)
    assert cards["codegemma-7b"].price == 0.2
    assert load_cards(list(cards.values())) == cards  # each card fits the test it names


@pytest.mark.slow
def test_shipped_v3_files_are_reproduced_from_the_shared_data(shared_data: Path) -> None:
    folders = [shared_data / name for name in ("mmlu-pro", "llmrouter", "alpaca-eval")]
    outcomes = load_outcomes(folders)
    shipped = load_aptitude_test("v3")

    test = select_multi_domain_test(outcomes, shipped.selected_on, version="v3")

    assert test == shipped
    assert {item.id: item for item in gather_items(test, outcomes, folders)} == load_aptitude_items("v3")
    assert {card.model: card for card in build_cards(outcomes, test)} == shipped_cards("v3")


def test_instruction_fields_default_to_none() -> None:
    ins = Instruction(id="1", text="t")

    assert (ins.dataset, ins.family) == (None, None)
