"""A tiny upstream-format MMLU-Pro folder and aptitude test for the CLI tests."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

# question id -> source, then each model's prediction ("R" right, "W" wrong, None unparsed, "-" not answered)
ANSWERS = {
    1: ("ori_mmlu-anatomy", "R", "W", "R"),
    2: ("ori_mmlu-anatomy", "W", "-", "R"),
    3: ("ori_mmlu-anatomy", "R", "R", "W"),
    4: ("ori_mmlu-astronomy", "R", "W", "W"),
    5: ("ori_mmlu-astronomy", "W", "R", "R"),
    6: ("ori_mmlu-astronomy", "R", "R", "W"),
    7: ("stemez-Physics", "R", "W", None),
}
MODELS = ("alpha", "beta", "gamma")


@pytest.fixture
def cli_folder(tmp_path: Path) -> Path:
    """3 models x 7 questions: beta skipped 2, gamma's answer to 7 is unparsed, alpha's list has a stray."""
    folder = tmp_path / "mmlu-pro"
    folder.mkdir()
    for j, model in enumerate(MODELS):
        entries: list = ["total"] if model == "alpha" else []
        for qid, (src, *preds) in ANSWERS.items():
            pred = preds[j]
            if pred == "-":
                continue
            entries.append(
                {
                    "question_id": qid,
                    "question": f"Question {qid}?",
                    "options": ["w", "x", "y", "z"],
                    "answer": "B",
                    "answer_index": 1,
                    "cot_content": "",
                    "category": src.split("-")[-1].lower(),
                    "src": src,
                    "pred": {"R": "B", "W": "C", None: None}[pred],
                    "generated_text": "...",
                }
            )
        with zipfile.ZipFile(folder / f"model_outputs_{model}_5shots.zip", "w") as archive:
            archive.writestr(f"model_outputs_{model}_5shots.json", json.dumps(entries))
    return folder


@pytest.fixture
def cli_test_file(tmp_path: Path) -> Path:
    """A two-task aptitude test over the anatomy and astronomy items of `cli_folder`."""
    path = tmp_path / "aptitude.json"
    path.write_text(
        json.dumps(
            {
                "version": "cli-v1",
                "selected_on": list(MODELS),
                "tasks": [
                    {"id": "anatomy", "description": "Medicine, Anatomy", "question_ids": ["1", "2", "3"]},
                    {"id": "astronomy", "description": "Science, Astronomy", "question_ids": ["4", "5", "6"]},
                ],
            }
        )
    )
    return path
