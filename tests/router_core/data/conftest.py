"""Small upstream-format MMLU-Pro folders, built in tmp_path (fixtures only: no imports needed)."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

LETTERS = "ABCDEFGHIJ"


def make_record(
    qid: int,
    answer: str,
    pred: str | None,
    *,
    category: str = "math",
    src: str = "ori_mmlu-college_mathematics",
    output_key: str = "generated_text",
    question: str | None = None,
    options: list[str] | None = None,
) -> dict[str, Any]:
    """One upstream record; `output_key` is 'generated_text' or 'model_outputs' as in the real files."""
    options = options or [f"option {letter} of {qid}" for letter in "ABCD"]
    return {
        "question_id": qid,
        "question": question or f"Question number {qid}?",
        "options": options,
        "answer": answer,
        "answer_index": LETTERS.index(answer),
        "cot_content": "",
        "category": category,
        "src": src,
        "pred": pred,
        output_key: f"Let's think step by step. The answer is ({pred}).",
    }


def write_zip(
    folder: Path, model: str, entries: Any = None, *, members: dict[str, bytes] | None = None
) -> Path:
    """`folder/model_outputs_<model>_5shots.zip` holding `entries` as one JSON file, or the raw `members`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"model_outputs_{model}_5shots.zip"
    if members is None:
        members = {f"model_outputs_{model}_5shots.json": json.dumps(entries).encode()}
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.fixture
def record() -> Callable[..., dict[str, Any]]:
    return make_record


@pytest.fixture
def write_outputs() -> Callable[..., Path]:
    return write_zip


@pytest.fixture
def small_mmlu_folder(tmp_path: Path) -> Path:
    """Three models, four questions, every upstream quirk once.

    question   alpha (generated_text)   beta (model_outputs)   gamma
    10         A == A  right            B != A  wrong          A right
    11         D != B  wrong            B == B  right          C right (its file's key is C: revised)
    12         null    wrong            -- missing --          B != C wrong
    13         D == D  right            D right                null wrong
    alpha's list holds two stray strings; beta's file lists its records out of order.
    """
    folder = tmp_path / "mmlu-pro"
    law = {"category": "law", "src": "ori_mmlu-professional_law"}
    write_zip(
        folder,
        "alpha",
        [
            make_record(10, "A", "A"),
            "math",
            make_record(11, "B", "D"),
            make_record(12, "C", None, **law),
            make_record(13, "D", "D", category="physics", src="stemez-Physics"),
            "total",
        ],
    )
    write_zip(
        folder,
        "beta",
        [
            make_record(13, "D", "D", category="physics", src="stemez-Physics", output_key="model_outputs"),
            make_record(10, "A", "B", output_key="model_outputs"),
            make_record(11, "B", "B", output_key="model_outputs"),
        ],
    )
    write_zip(
        folder,
        "gamma",
        [
            make_record(10, "A", "A"),
            make_record(11, "C", "C"),
            make_record(12, "C", "B", **law),
            make_record(13, "D", None, category="physics", src="stemez-Physics"),
        ],
    )
    return folder
