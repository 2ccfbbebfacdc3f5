"""Onboard a new model through LiteLLM: the ask function behind `modelsat cards run --litellm-model`.

The core CLI loads this module by name (`router_core.cli.cards_cmd.LITELLM_ASK`), so the core never
imports LiteLLM or this package. Without LiteLLM this package does not import, which the CLI
reports with the install hint.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable


def litellm_ask(model: str) -> tuple[Callable[[str], Awaitable[str]], tuple[type[Exception], ...]]:
    """Ask `model` through LiteLLM, and the errors that make retrying pointless (a bad key, an
    unknown model). LiteLLM is imported at the call, so the process's current module is the one used."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no network fetch of prices at import
    import litellm

    async def ask(prompt: str) -> str:
        response = await litellm.acompletion(model=model, messages=[{"role": "user", "content": prompt}])
        return response.choices[0].message.content or ""

    return ask, (litellm.AuthenticationError, litellm.NotFoundError)
