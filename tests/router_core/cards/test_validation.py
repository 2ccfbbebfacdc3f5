from __future__ import annotations

import pytest

from router_core.cards.aptitude import AptitudeTask, AptitudeTest, load_aptitude_test
from router_core.cards.card import CapabilityCard, TaskScore, load_cards, save_cards
from router_core.cards.validation import check_card
from router_core.errors import CardError

TEST = AptitudeTest(
    version="t3",
    tasks=[
        AptitudeTask(id="algebra", description="Math, Algebra", family="knowledge", question_ids=["1"]),
        AptitudeTask(id="law", description="Law, Torts", family="knowledge", question_ids=["2"]),
        AptitudeTask(
            id="gsm8k", description="Word Problems", family="math-word-problems", question_ids=["3"]
        ),
    ],
)


def _card(tasks: list[str], version: str = "t3", **changes: object) -> CapabilityCard:
    described = {t.id: t.description for t in TEST.tasks}
    scores = [TaskScore(task=t, description=described.get(t, "Made Up"), accuracy=0.5) for t in tasks]
    return CapabilityCard(model="m", aptitude_version=version, scores=scores, **changes)


def test_a_card_of_whole_families_fits_and_may_be_partial() -> None:
    assert check_card(_card(["algebra", "law", "gsm8k"]), TEST)
    assert check_card(_card(["gsm8k"], families=["math-word-problems"]), TEST)


def test_a_card_cut_inside_a_family_is_refused() -> None:
    with pytest.raises(
        CardError, match=r"covers 1 of the 2 tasks of family 'knowledge' \(missing \['law'\]\)"
    ):
        check_card(_card(["algebra", "gsm8k"]), TEST)


def test_a_card_padded_with_made_up_tasks_is_refused() -> None:
    with pytest.raises(
        CardError, match=r"lists 2 tasks that aptitude test t3 does not hold, e.g. \['x0', 'x1'\]"
    ):
        check_card(_card(["algebra", "law", "gsm8k", "x0", "x1"]), TEST)


def test_a_card_of_another_version_is_refused() -> None:
    with pytest.raises(CardError, match="measured with aptitude test 'old', not 't3'"):
        check_card(_card(["algebra", "law", "gsm8k"], version="old"), TEST)


def test_a_task_described_otherwise_is_refused() -> None:
    card = _card(["gsm8k"])
    card = card.model_copy(
        update={"scores": (card.scores[0].model_copy(update={"description": "Anything I like"}),)}
    )

    with pytest.raises(CardError, match="describes tasks"):
        check_card(card, TEST)


def test_declared_families_must_match_the_tasks() -> None:
    with pytest.raises(CardError, match=r"says it covers \['knowledge'\]"):
        check_card(_card(["gsm8k"], families=["knowledge"]), TEST)


def test_loading_a_shipped_version_card_cut_to_five_tasks_fails(tmp_path) -> None:
    test = load_aptitude_test("mmlu-pro-v2")
    scores = [TaskScore(task=t.id, description=t.description, accuracy=1.0) for t in test.tasks[:5]]
    save_cards(
        [CapabilityCard(model="cheat", aptitude_version=test.version, scores=scores)], tmp_path / "c.json"
    )

    with pytest.raises(CardError, match=r"c.json \(card 0\): card of 'cheat' covers 5 of the 50 tasks"):
        load_cards(tmp_path / "c.json")


def test_a_folder_is_not_a_card_file(tmp_path) -> None:
    with pytest.raises(CardError, match="is a folder, not a card file"):
        load_cards(tmp_path)
