"""`modelsat cards run --litellm-model` asks through `litellm_modelsat.onboarding`, with a fake LiteLLM."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import SimpleNamespace

import litellm_modelsat.onboarding  # noqa: F401  (loads the real litellm before the fake replaces it)

# the runner's tests (and their fixtures) live in a rootless test folder that imports its siblings
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "router_core" / "cards"))
from test_runner import cli_files, invoke, questions, test_def  # noqa: E402, F401


def test_cli_run_through_litellm(cli_files, monkeypatch) -> None:  # noqa: F811
    asked: list[dict] = []

    async def acompletion(**request):
        asked.append(request)
        message = SimpleNamespace(content="The answer is (A)")
        return SimpleNamespace(choices=[SimpleNamespace(message=message)])

    class AuthenticationError(Exception):
        pass

    fake = SimpleNamespace(
        acompletion=acompletion, AuthenticationError=AuthenticationError, NotFoundError=LookupError
    )
    monkeypatch.setitem(sys.modules, "litellm", fake)
    monkeypatch.delenv("LITELLM_LOCAL_MODEL_COST_MAP", raising=False)
    outcome = invoke(cli_files, "--litellm-model", "provider/new-model")
    assert outcome.exit_code == 0, outcome.output
    assert len(asked) == 11 and {r["model"] for r in asked} == {"provider/new-model"}
    assert asked[0]["messages"][0]["role"] == "user"
    assert "The answer is (X)" in asked[0]["messages"][0]["content"]
    assert os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] == "True"
    monkeypatch.delenv("LITELLM_LOCAL_MODEL_COST_MAP")

    async def refused(**request):
        asked.append(request)
        raise AuthenticationError("invalid api key")

    fake.acompletion = refused
    asked.clear()
    outcome = invoke(cli_files, "--litellm-model", "provider/new-model", "--concurrency", "1")
    assert outcome.exit_code == 2 and "invalid api key" in outcome.output
    prompts = [r["messages"][0]["content"] for r in asked]
    assert len(set(prompts)) == len(prompts) < 11  # never retried, and the run stopped early
