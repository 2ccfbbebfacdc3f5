"""Small LLMRouter and AlpacaEval folders in their upstream formats, built in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

QUERIES: list[dict[str, Any]] = [
    {
        "task_name": "gsm8k",
        "query": "Tom has 3 apples and buys 4. How many?",
        "ground_truth": "3 + 4 = 7\n#### 7",
        "metric": "GSM8K",
        "choices": "None",
        "task_id": "None",
    },
    {
        "task_name": "math",
        "query": "What is 1/2 + 1/2?",
        "ground_truth": "It is $\\boxed{1}$.",
        "metric": "MATH",
        "choices": "None",
        "task_id": "None",
    },
    {
        "task_name": "arc_challenge",
        "query": "Which is a planet?",
        "ground_truth": "B",
        "metric": "em_mc",
        "choices": "{'text': ['Sun', 'Mars', 'Moon'], 'label': ['A', 'B', 'C']}",
        "task_id": "None",
    },
    {
        "task_name": "mbpp",
        "query": "Write a function to add two numbers.",
        "ground_truth": "['assert add(1, 2) == 3', 'assert add(0, 0) == 0']",
        "metric": "code_eval",
        "choices": "None",
        "task_id": "1",
    },
    {
        "task_name": "human_eval",
        "query": 'def helper():\n    pass\n\ndef inc(x):\n    """Add one."""\n',
        "ground_truth": "def check(candidate):\n    assert candidate(1) == 2\n",
        "metric": "code_eval",
        "choices": "None",
        "task_id": "HumanEval/9",
    },
    {
        "task_name": "trivia_qa",
        "query": "Capital of France\u2028(one word)?",
        "ground_truth": "paris",
        "metric": "f1_score",
        "choices": "None",
        "task_id": "None",
    },
]
SCORES = {
    "Tom has 3 apples and buys 4. How many?": {"small-7b": 1.0, "big-70b": 1.0, "llama-3.1-8b-instruct": 0.0},
    "What is 1/2 + 1/2?": {"small-7b": 0.0, "big-70b": 1.0, "llama-3.1-8b-instruct": 1.0},
    "Which is a planet?": {"small-7b": 1.0, "big-70b": 0.0, "llama-3.1-8b-instruct": 1.0},
    "Write a function to add two numbers.": {"small-7b": 0.0, "big-70b": 1.0, "llama-3.1-8b-instruct": 0.0},
    'def helper():\n    pass\n\ndef inc(x):\n    """Add one."""': {"small-7b": 1.0, "big-70b": 1.0},
    "Capital of France\u2028(one word)?": {"small-7b": 0.5, "big-70b": 1.0, "llama-3.1-8b-instruct": 0.25},
}


def write_llmrouter(folder: Path, *, duplicate: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(q, ensure_ascii=False) for q in QUERIES]
    (folder / "default_query_train.jsonl").write_text("\n".join(lines[:4]) + "\n", encoding="utf-8")
    (folder / "default_query_test.jsonl").write_text("\n".join(lines[4:]) + "\n", encoding="utf-8")
    records = [{"question": text, "scores": scores, "cluster_id": 0} for text, scores in SCORES.items()]
    if duplicate:
        records.append({"question": "Which is a planet?  ", "scores": {"small-7b": 0.0}})
    (folder / "dcrouter_train.json").write_text(json.dumps(records[:3] + records[6:]), encoding="utf-8")
    (folder / "dcrouter_test.json").write_text(json.dumps(records[3:6]), encoding="utf-8")
    prices = {
        "small-7b": {"input_price": 0.1, "output_price": 0.2},
        "big-70b": {"input_price": 0.9, "output_price": 0.9},
    }
    (folder / "default_llm.json").write_text(json.dumps(prices), encoding="utf-8")
    return folder


JUDGED = {  # model -> [(instruction, dataset, preference)]
    "chat-a": [("Write a haiku.", "vicuna", 1.9), ("Give me advice.", "oasst", 1.2)],
    "chat-b": [("Write a haiku.", "vicuna", 1.1), ("Give me advice.", "oasst", None)],
    "ref-model": [("Write a haiku.", "vicuna", 1.5)],
}


def write_alpaca_eval(folder: Path) -> Path:
    for model, rows in JUDGED.items():
        target = folder / "results" / model / "weighted_alpaca_eval_gpt4_turbo"
        target.mkdir(parents=True, exist_ok=True)
        records = [
            {
                "instruction": text,
                "dataset": dataset,
                "generator_1": "ref-model",
                "generator_2": model,
                "preference": preference,
                "annotator": "weighted_alpaca_eval_gpt4_turbo",
            }
            for text, dataset, preference in rows
        ]
        (target / "annotations.json").write_text(json.dumps(records), encoding="utf-8")
    outputs = [
        {
            "instruction": "Write a haiku.",
            "dataset": "vicuna",
            "output": "Old pond...",
            "generator": "ref-model",
        },
        {
            "instruction": "Give me advice.",
            "dataset": "oasst",
            "output": "Sleep well.",
            "generator": "ref-model",
        },
    ]
    (folder / "results" / "ref-model" / "model_outputs.json").write_text(
        json.dumps(outputs), encoding="utf-8"
    )
    return folder
