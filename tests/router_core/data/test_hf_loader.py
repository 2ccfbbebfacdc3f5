"""load_mmlu_pro_questions on a local copy of the Hugging Face dataset files (never the network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from router_core.data import Instruction, load_mmlu_pro_questions
from router_core.errors import DataFormatError

datasets = pytest.importorskip("datasets")

ROWS = [
    {
        "question_id": 70,
        "question": "Which is a prime?",
        "options": ["4", "6", "7", "9"],
        "answer": "C",
        "answer_index": 2,
        "cot_content": "",
        "category": "math",
        "src": "ori_mmlu-elementary_mathematics",
    },
    {
        "question_id": 71,
        "question": "What does a court do?",
        "options": ["Judge", "Cook", "Fly"],
        "answer": "A",
        "answer_index": 0,
        "cot_content": "A: Let's think.",
        "category": "law",
        "src": "stemez-Law",
    },
    {
        "question_id": 5,
        "question": "Speed of light?",
        "options": [f"{n}e8 m/s" for n in range(1, 11)],
        "answer": "C",
        "answer_index": 2,
        "cot_content": "",
        "category": "physics",
        "src": "scibench-physics",
    },
]


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No hub access and no writes to the user's cache, even if `datasets` was imported before."""
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True, raising=False)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True, raising=False)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf-cache")


def _dataset(folder: Path, rows: list[dict], split: str = "test") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{split}.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return folder


def test_local_copy_loads_as_instructions(tmp_path: Path) -> None:
    folder = _dataset(tmp_path / "mmlu-pro", ROWS)

    questions = load_mmlu_pro_questions(folder, split="test")

    assert questions == [
        Instruction(
            id="70",
            text="Which is a prime?",
            category="math",
            source="ori_mmlu-elementary_mathematics",
            dataset="mmlu-pro",
            family="knowledge",
            choices=("4", "6", "7", "9"),
            answer="C",
        ),
        Instruction(
            id="71",
            text="What does a court do?",
            category="law",
            source="stemez-Law",
            dataset="mmlu-pro",
            family="knowledge",
            choices=("Judge", "Cook", "Fly"),
            answer="A",
        ),
        Instruction(
            id="5",
            text="Speed of light?",
            category="physics",
            source="scibench-physics",
            dataset="mmlu-pro",
            family="knowledge",
            choices=tuple(f"{n}e8 m/s" for n in range(1, 11)),
            answer="C",
        ),
    ]
    assert questions[0].routing_text == "Which is a prime?\nOptions:\nA. 4\nB. 6\nC. 7\nD. 9"
    assert questions[2].routing_text.endswith("\nJ. 10e8 m/s")


def test_split_is_chosen_by_name(tmp_path: Path) -> None:
    folder = _dataset(tmp_path / "mmlu-pro", ROWS[:1], split="test")
    _dataset(folder, ROWS[1:], split="validation")

    assert [q.id for q in load_mmlu_pro_questions(folder, split="validation")] == ["71", "5"]
    assert [q.id for q in load_mmlu_pro_questions(folder, split="test")] == ["70"]


def test_dataset_lacking_columns(tmp_path: Path) -> None:
    rows = [{k: v for k, v in row.items() if k not in ("src", "category")} for row in ROWS]
    folder = _dataset(tmp_path / "partial", rows)

    with pytest.raises(DataFormatError) as info:
        load_mmlu_pro_questions(folder, split="test")

    assert info.value.path == str(folder)
    assert info.value.problem == "dataset lacks columns ['category', 'src']"
