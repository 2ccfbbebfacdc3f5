"""Reading instruction lines and writing ranked score lines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from router_core.cards.card import CapabilityCard
from router_core.cli.batch import InstructionLine, read_instructions, score_lines, write_lines
from router_core.errors import DataFormatError
from router_core.methods import make_method
from router_core.methods.base import RoutingMethod
from tests.router_core.methods.methods_helpers import card


class _KnowsMid(RoutingMethod):
    name = "knows-mid"

    def supports(self, card: CapabilityCard) -> bool:
        return card.model == "mid"

    def _score(self, instructions: Sequence[str], cards: Sequence[CapabilityCard]) -> np.ndarray:
        return np.full((len(instructions), len(cards)), 0.5)


def test_read_instructions_accepts_numeric_ids_and_skips_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": 1, "text": "a"}\n\n{"id": "x", "text": "b", "extra": true}\n', encoding="utf-8")
    assert read_instructions(path) == [InstructionLine(id="1", text="a"), InstructionLine(id="x", text="b")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": 1}\n', "line 1"),
        ('{"id": 1, "text": "a"}\n[1, 2]\n', "line 2"),
        ('{"id": 1, "text": "a"}\n{"id": "1", "text": "b"}\n', "duplicate id '1'"),
        ("\n", "no instructions"),
    ],
)
def test_read_instructions_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataFormatError, match=message):
        read_instructions(path)


def test_score_lines_rank_supported_candidates_only(tmp_path: Path) -> None:
    router = make_method("best-single")
    cards = [card("low", 0.2), card("high", 0.9), card("mid", 0.5)]
    lines = score_lines(router, [InstructionLine(id="q", text="t")], cards)
    assert lines[0].choice == "high" and lines[0].ranking == ["high", "mid", "low"]

    line = score_lines(_KnowsMid(), [InstructionLine(id="q", text="t")], cards)[0]
    assert line.scores == {"low": None, "high": None, "mid": 0.5}
    assert line.ranking == ["mid"] and line.choice == "mid"
    write_lines([line], tmp_path / "out.jsonl")
    assert json.loads((tmp_path / "out.jsonl").read_text()) == line.model_dump()


def test_read_instructions_refuses_a_file_that_is_not_utf8_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"id": 1, "text": "a"}\n{"id": 2, "text": "caf\xe9"}\n')
    with pytest.raises(DataFormatError, match=r"in\.jsonl \(line 2\): not UTF-8 text: byte 0xe9"):
        read_instructions(path)


def test_read_instructions_refuses_a_text_that_is_not_valid_unicode(tmp_path: Path) -> None:
    """JSON can escape a lone surrogate, which no tokenizer accepts: refused at its line."""
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": 1, "text": "a"}\n{"id": 2, "text": "bad \\udcff"}\n', encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"\(line 2\): .*lone leading surrogate"):
        read_instructions(path)
