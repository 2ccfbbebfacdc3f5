"""Capability cards: text rendering, facts and prices, file round trips, the shipped set."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from router_core.cards import (
    CapabilityCard,
    ModelFacts,
    TaskScore,
    load_aptitude_test,
    load_cards,
    save_cards,
)
from router_core.cards.aptitude import task_descriptions
from router_core.cards.build import shipped_model_facts
from router_core.cards.card import shipped_cards
from router_core.errors import CardError


def _card(model: str = "m", n_tasks: int = 2, facts: ModelFacts | None = None) -> CapabilityCard:
    base = [
        TaskScore(
            task="algebra", description="Mathematics, Geometry, Algebra, Proofs, Calculation", accuracy=0.85
        ),
        TaskScore(
            task="law", description="Law, Contracts, Torts, Courts, Precedent", accuracy=0.4, n_items=19
        ),
    ]
    extra = [TaskScore(task=f"t{i}", description=f"Topic {i}", accuracy=i / 20) for i in range(n_tasks - 2)]
    return CapabilityCard(
        model=model, aptitude_version="test-v1", scores=(base + extra)[:n_tasks], facts=facts or ModelFacts()
    )


FULL_FACTS = ModelFacts(
    languages=["English", "French"],
    context_length=8192,
    input_price=1.0,
    output_price=3.0,
    notes="It is tuned for code.",
)


# ---------------------------------------------------------------- text


def test_to_text_is_the_papers_sentence_per_task() -> None:
    assert _card().to_text() == (
        "The model achieves 85% on the task of 'Mathematics, Geometry, Algebra, Proofs, Calculation'. "
        "The model achieves 40% on the task of 'Law, Contracts, Torts, Courts, Precedent'."
    )


def test_to_text_appends_fact_sentences() -> None:
    card = _card(facts=FULL_FACTS)

    assert card.to_text().endswith(
        "on the task of 'Law, Contracts, Torts, Courts, Precedent'. The model supports English, French. "
        "Its context length is 8192 tokens. It is tuned for code."
    )
    assert card.to_text(include_facts=False) == _card().to_text()
    assert "price" not in card.to_text().lower()  # prices steer cost, they are not capability text


def test_fact_sentences_only_for_known_facts() -> None:
    assert ModelFacts().sentences() == []
    assert ModelFacts(context_length=4096).sentences() == ["Its context length is 4096 tokens."]
    assert ModelFacts(languages=["German"]).sentences() == ["The model supports German."]


def test_percentages_are_rounded() -> None:
    card = CapabilityCard(
        model="m",
        aptitude_version="v",
        scores=[
            TaskScore(task="a", description="A", accuracy=13 / 19),
            TaskScore(task="b", description="B", accuracy=1.0),
            TaskScore(task="c", description="C", accuracy=0.0),
        ],
    )

    assert card.to_text() == (
        "The model achieves 68% on the task of 'A'. The model achieves 100% on the task of 'B'. "
        "The model achieves 0% on the task of 'C'."
    )


def test_order_permutes_the_tasks() -> None:
    card = _card(facts=FULL_FACTS)

    text = card.to_text([1, 0])

    assert text.startswith("The model achieves 40% on the task of 'Law")
    assert text.index("85%") < text.index("The model supports")  # facts stay at the end


@pytest.mark.parametrize("order", [[0, 0], [0], [1, 2], [0, 5], [0, 1, 2], [-1, 0]])
def test_invalid_permutation(order: list[int]) -> None:
    with pytest.raises(ValueError, match="order must be a permutation"):
        _card().to_text(order)


def test_a_shuffled_order_is_deterministic_by_seed() -> None:
    card = _card(n_tasks=12, facts=FULL_FACTS)
    sentence = re.compile(r"The model achieves \d+% on the task of '[^']*'\.")

    first, again, other = (card.to_text(card.shuffled_order(seed)) for seed in (0, 0, 1))

    assert first == again
    assert first != other
    assert first != card.to_text()
    assert (
        sorted(sentence.findall(first))
        == sorted(sentence.findall(other))
        == sorted(sentence.findall(card.to_text()))
    )
    assert len(sentence.findall(first)) == 12
    assert first.endswith("It is tuned for code.")


# ---------------------------------------------------------------- model


def test_price_is_the_mean_of_known_prices() -> None:
    assert _card(facts=FULL_FACTS).price == 2.0
    assert _card(facts=ModelFacts(input_price=0.5)).price == 0.5
    assert _card(facts=ModelFacts(output_price=4.0)).price == 4.0
    assert _card().price is None


def test_mean_accuracy_and_accuracy_vector() -> None:
    card = _card()

    assert card.mean_accuracy == pytest.approx(0.625)
    assert card.accuracy_vector(["law", "algebra"]) == [0.4, 0.85]
    with pytest.raises(CardError, match=r"card of 'm' has no score for tasks \['physics'\]"):
        card.accuracy_vector(["algebra", "physics"])


@pytest.mark.parametrize(
    "changes",
    [
        {"scores": []},
        {"model": ""},
        {"scores": [{"task": "a", "description": "A", "accuracy": 1.2}]},
        {"scores": [{"task": "a", "description": "A", "accuracy": 0.5, "n_items": 0}]},
        {
            "scores": [
                {"task": "a", "description": "A", "accuracy": 0.5},
                {"task": "a", "description": "B", "accuracy": 0.1},
            ]
        },
        {"facts": {"context_length": 0}},
        {"facts": {"input_price": -1}},
    ],
)
def test_invalid_cards_are_rejected(changes: dict) -> None:
    data = {**_card().model_dump(), **changes}
    with pytest.raises(ValidationError):
        CapabilityCard.model_validate(data)


# ---------------------------------------------------------------- files


@pytest.mark.parametrize("name", ["cards.json", "cards.yaml", "cards.yml"])
def test_save_load_round_trip(tmp_path: Path, name: str) -> None:
    cards = [
        _card("a", facts=FULL_FACTS),
        _card("b", n_tasks=5),
        _card("c", facts=ModelFacts(input_price=0.1)),
    ]
    path = tmp_path / name

    save_cards(cards, path)
    loaded = load_cards(path)

    assert list(loaded) == ["a", "b", "c"]
    assert list(loaded.values()) == cards
    raw = yaml.safe_load(path.read_text())
    assert list(raw) == ["cards"]
    assert "languages" not in raw["cards"][2]["facts"]  # unknown facts are left out, not written as null


def test_json_file_is_json(tmp_path: Path) -> None:
    save_cards([_card()], tmp_path / "cards.json")

    assert json.loads((tmp_path / "cards.json").read_text())["cards"][0]["model"] == "m"


def test_json_with_tab_indentation(tmp_path: Path) -> None:
    path = tmp_path / "cards.json"
    path.write_text(json.dumps({"cards": [_card().model_dump(mode="json")]}, indent="\t"))

    assert load_cards(path)["m"] == _card()


def test_single_card_file_and_bare_list(tmp_path: Path) -> None:
    single = tmp_path / "one.yaml"
    single.write_text(yaml.safe_dump(_card("solo").model_dump(mode="json")))
    bare = tmp_path / "list.json"
    bare.write_text(json.dumps([_card("x").model_dump(mode="json"), _card("y").model_dump(mode="json")]))

    assert list(load_cards(single)) == ["solo"]
    assert load_cards(single)["solo"] == _card("solo")
    assert list(load_cards(bare)) == ["x", "y"]


def test_cards_from_an_iterable() -> None:
    assert list(load_cards(iter([_card("a"), _card("b")]))) == ["a", "b"]
    with pytest.raises(CardError, match="the given cards: two cards for model 'a'"):
        load_cards([_card("a"), _card("a")])


def test_duplicate_models_in_a_file(tmp_path: Path) -> None:
    path = tmp_path / "cards.json"
    save_cards([_card("a"), _card("b"), _card("a", n_tasks=3)], path)

    with pytest.raises(CardError) as info:
        load_cards(path)

    assert str(info.value) == f"{path}: two cards for model 'a'"


def test_malformed_card_names_file_and_index(tmp_path: Path) -> None:
    bad = _card("b").model_dump(mode="json")
    bad["scores"][1]["accuracy"] = 1.5
    path = tmp_path / "cards.yaml"
    path.write_text(yaml.safe_dump({"cards": [_card("a").model_dump(mode="json"), bad]}))

    with pytest.raises(CardError) as info:
        load_cards(path)

    message = str(info.value)
    assert message.startswith(f"{path} (card 1): scores.1.accuracy: Input should be less than or equal to 1")
    assert "\n" not in message


def test_card_missing_a_field(tmp_path: Path) -> None:
    path = tmp_path / "cards.json"
    path.write_text(json.dumps({"cards": [{"model": "a", "scores": _card().model_dump()["scores"]}]}))

    with pytest.raises(CardError, match=r"\(card 0\): aptitude_version: Field required"):
        load_cards(path)


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("cards.yaml", "cards: [unclosed", "not valid JSON/YAML"),
        ("cards.json", '{"cards": [}', "not valid JSON/YAML"),
        ("cards.yaml", "", "expected a card, a list of cards or {'cards': [...]}"),
        ("cards.yaml", "just a sentence", "expected a card, a list of cards"),
        ("cards.json", '{"cards": 3}', "expected a card, a list of cards"),
    ],
)
def test_unreadable_card_files(tmp_path: Path, name: str, text: str, problem: str) -> None:
    path = tmp_path / name
    path.write_text(text)

    with pytest.raises(CardError) as info:
        load_cards(path)

    assert str(info.value).startswith(f"{path}: ")
    assert problem in str(info.value)


def test_missing_card_file(tmp_path: Path) -> None:
    with pytest.raises(CardError, match="no such card file"):
        load_cards(tmp_path / "absent.json")


# ---------------------------------------------------------------- shipped cards


def test_shipped_cards() -> None:
    cards = shipped_cards("mmlu-pro-v2")
    test = load_aptitude_test("mmlu-pro-v2")
    facts = shipped_model_facts()

    assert len(cards) == 24
    assert set(cards) <= set(facts)
    for card in cards.values():
        assert card.aptitude_version == test.version == "mmlu-pro-v2"
        assert [s.task for s in card.scores] == [t.id for t in test.tasks]
        assert len(card.scores) == 50
        assert all(s.description == task_descriptions()[s.task] for s in card.scores)
        # the items were picked on the training zoo; a held-out model may have missed one
        assert all(19 <= s.n_items <= 20 for s in card.scores)
        assert all(round(s.accuracy * s.n_items, 6) == round(s.accuracy * s.n_items) for s in card.scores)
        assert card.facts == facts[card.model]
        assert card.price is not None
        assert card.to_text().count("The model achieves ") == 50
    short = [(m, s.task, s.n_items) for m, card in cards.items() for s in card.scores if s.n_items < 20]
    assert short == [("gemini-1.5-pro-002", "astronomy", 19)]


def test_shipped_cards_are_returned_fresh() -> None:
    cards = shipped_cards("mmlu-pro-v2")
    cards.pop("Yi-6B")

    assert len(shipped_cards("mmlu-pro-v2")) == 24


def _huge(tasks: int = 10_000, notes: str | None = None) -> dict:
    """A card of an aptitude test this installation does not ship (so not checked against a test)."""
    return {
        "model": "huge",
        "aptitude_version": "someone-elses-test",
        "scores": [{"task": f"t{i}", "description": f"task {i}", "accuracy": 0.5} for i in range(tasks)],
        "facts": {"notes": notes},
    }


@pytest.mark.parametrize(
    ("card", "problem"),
    [
        (_huge(), "scores: Tuple should have at most 200 items"),
        (_huge(3, notes="x" * 100_000), "facts.notes: String should have at most 2000 characters"),
        (_huge(3) | {"scores": [{"task": "t", "description": "d" * 10_000, "accuracy": 0.5}]}, "description"),
    ],
)
def test_card_size_is_bounded_at_load_for_any_test(tmp_path: Path, card: dict, problem: str) -> None:
    """A 10,000-task card took 84 s to route; every card is bounded, shipped test or not."""
    import time

    from router_core.cards.card import (
        MAX_CARD_TASKS,
        MAX_NOTES_CHARS,
        MAX_TASK_DESCRIPTION_CHARS,
    )
    from router_core.engine import resolve_candidates

    assert (MAX_CARD_TASKS, MAX_NOTES_CHARS, MAX_TASK_DESCRIPTION_CHARS) == (200, 2000, 500)
    path = tmp_path / "cards.json"
    path.write_text(json.dumps([card]))
    started = time.perf_counter()
    with pytest.raises(CardError, match=rf"cards\.json \(card 0\): .*{problem}"):
        load_cards(path)
    assert time.perf_counter() - started < 2
    with pytest.raises(CardError, match=rf"candidate 'big': invalid inline card: .*{problem}"):
        resolve_candidates(["big"], {"big": card})


def test_a_card_at_the_bounds_is_accepted() -> None:
    from router_core.cards.card import MAX_CARD_TASKS, MAX_NOTES_CHARS

    card = CapabilityCard.model_validate(_huge(MAX_CARD_TASKS, notes="n" * MAX_NOTES_CHARS))
    assert len(card.scores) == 200


@pytest.mark.parametrize(
    "mutate",
    [
        lambda card: setattr(card.facts, "input_price", 999),
        lambda card: setattr(card, "model", "other"),
        lambda card: setattr(card.scores[0], "accuracy", 1.0),
        lambda card: card.scores.append(card.scores[0]),  # type: ignore[attr-defined]
        lambda card: card.aliases.append("other"),  # type: ignore[attr-defined]
    ],
)
def test_a_shipped_card_cannot_be_changed_in_place(mutate) -> None:
    """Cards are shared by the process: an edit anywhere would change every later `load_cards()`."""
    card = load_cards()["Yi-6B"]
    with pytest.raises((ValidationError, AttributeError)):
        mutate(card)
    assert load_cards()["Yi-6B"] == card


def test_an_edited_card_is_a_new_card_with_its_own_fingerprint() -> None:
    card = load_cards()["Yi-6B"]
    before = card.fingerprint
    dearer = card.model_copy(update={"facts": card.facts.model_copy(update={"input_price": 999})})

    assert dearer.facts.input_price == 999
    assert card.facts.input_price != 999
    assert card.fingerprint == before
    assert dearer.fingerprint != before
