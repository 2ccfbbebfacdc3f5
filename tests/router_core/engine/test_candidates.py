from __future__ import annotations

import pytest

from router_core.cards.card import load_cards, save_cards
from router_core.engine import resolve_candidates
from router_core.errors import CardError
from tests.fakes import make_card


def test_shipped_cards_are_found_by_name():
    found = resolve_candidates(["gemma-7b", "mathstral-7B"])
    assert [card.model for card in found.values()] == ["gemma-7b", "mathstral-7B"]


def test_a_missing_card_names_the_candidate_and_suggests_a_close_one():
    with pytest.raises(CardError, match=r"\['gema-7b'\].*gemma-7b"):
        resolve_candidates(["gemma-7b", "gema-7b"])


def test_mapping_accepts_cards_shipped_names_and_inline_dicts():
    inline = make_card("custom", [0.5, 0.6]).model_dump()
    found = resolve_candidates(["a", "b", "c"], {"a": make_card("x", [0.1]), "b": "gemma-7b", "c": inline})
    assert [card.model for card in found.values()] == ["x", "gemma-7b", "custom"]


def test_mapping_errors_name_the_bad_entry():
    with pytest.raises(CardError, match="'b'.*no shipped card named 'nope'"):
        resolve_candidates(["b"], {"b": "nope"})
    with pytest.raises(CardError, match="'c'.*invalid inline card"):
        resolve_candidates(["c"], {"c": {"model": "c"}})
    with pytest.raises(CardError, match=r"\['d'\]"):
        resolve_candidates(["d"], {"a": "gemma-7b"})


def test_a_card_file_or_list_is_matched_by_model(tmp_path):
    cards = [make_card("m1", [0.2]), make_card("m2", [0.3])]
    save_cards(cards, tmp_path / "cards.json")
    assert list(resolve_candidates(["m2"], tmp_path / "cards.json")) == ["m2"]
    assert list(resolve_candidates(["m1"], cards)) == ["m1"]
    assert load_cards(tmp_path / "cards.json")["m1"] == cards[0]


def test_a_card_is_found_by_another_name_of_its_model() -> None:
    from router_core.cards.card import shipped_cards

    cards = list(shipped_cards("v3").values())
    found = resolve_candidates(["llama-3.1-8b-instruct"], cards)

    assert found["llama-3.1-8b-instruct"].model == "Meta-Llama-3_1-8B-Instruct"


def test_an_inline_card_cut_inside_a_family_is_refused() -> None:
    from router_core.cards.aptitude import load_aptitude_test

    test = load_aptitude_test("v3")
    scores = [{"task": t.id, "description": t.description, "accuracy": 1.0} for t in test.tasks[:2]]
    inline = {"model": "cheat", "aptitude_version": "v3", "scores": scores}

    with pytest.raises(CardError, match="a card reports every task of each family it covers"):
        resolve_candidates(["cheat"], {"cheat": inline})
