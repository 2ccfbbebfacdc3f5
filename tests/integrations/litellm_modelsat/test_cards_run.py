"""`modelsat cards run --litellm-model` onboards a model through the real LiteLLM, offline."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import litellm_modelsat  # noqa: F401  (keeps the litellm import below offline)

from router_core.cards.card import load_cards

# the runner's tests (and their fixtures) live in a rootless test folder that imports its siblings
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "router_core" / "cards"))
from test_runner import TASKS, cli_files, invoke, questions, test_def  # noqa: E402, F401


def test_cards_run_through_litellm_with_mock_response(cli_files, monkeypatch) -> None:  # noqa: F811
    import litellm

    monkeypatch.setattr(
        litellm, "acompletion", functools.partial(litellm.acompletion, mock_response="The answer is (A)")
    )
    outcome = invoke(cli_files, "--litellm-model", "openai/new-model", "--concurrency", "2")
    assert outcome.exit_code == 0, outcome.output
    card = load_cards(cli_files["--out"])["new-model"]
    assert sorted(s.task for s in card.scores) == sorted(TASKS)
    assert "new-model: mean accuracy" in outcome.output
