"""Batch scoring: `{"id", "text"}` JSONL lines in, one ranked line of per-model scores out."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from router_core.cards.card import CapabilityCard
from router_core.data.jsonl import jsonl_records
from router_core.errors import DataFormatError, not_utf8
from router_core.methods.base import RoutingMethod


class InstructionLine(BaseModel):
    model_config = ConfigDict(coerce_numbers_to_str=True)  # {"id": 7} is as good as {"id": "7"}

    id: str
    text: str


class ScoredLine(BaseModel):
    """Scores per candidate (None: the method cannot route to it), the best first in `ranking`."""

    id: str
    choice: str | None
    ranking: list[str]
    scores: dict[str, float | None]


def read_instructions(path: str | Path) -> list[InstructionLine]:
    path = Path(path)
    if not path.is_file():
        raise DataFormatError(path, "no such file")
    lines, seen = [], set()
    try:
        text = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise not_utf8(path) from None
    expected = 'expected {{"id": ..., "text": ...}}: {}'
    for where, line in jsonl_records(path, text, InstructionLine, expected, top="line"):
        if line.id in seen:
            raise DataFormatError(path, f"duplicate id {line.id!r}", location=where)
        seen.add(line.id)
        lines.append(line)
    if not lines:
        raise DataFormatError(path, "no instructions")
    return lines


def score_lines(
    method: RoutingMethod, lines: Sequence[InstructionLine], cards: Sequence[CapabilityCard]
) -> list[ScoredLine]:
    scores = method.score([line.text for line in lines], cards)
    out = []
    for line, row in zip(lines, scores, strict=True):
        order = sorted(range(len(cards)), key=lambda j: -row[j])
        ranked = [cards[j].model for j in order if math.isfinite(row[j])]
        out.append(
            ScoredLine(
                id=line.id,
                choice=ranked[0] if ranked else None,
                ranking=ranked,
                scores={
                    c.model: float(s) if math.isfinite(s) else None for c, s in zip(cards, row, strict=True)
                },
            )
        )
    return out


def write_lines(lines: Sequence[ScoredLine], path: str | Path) -> None:
    Path(path).write_text("".join(json.dumps(line.model_dump()) + "\n" for line in lines), encoding="utf-8")
