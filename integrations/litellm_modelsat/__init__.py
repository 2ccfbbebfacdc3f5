"""Model-SAT routing for LiteLLM: a Router strategy that sends each call to the deployment of the
requested model group most likely to answer it well.

SDK: `ModelSATRoutingStrategy.install(router)`. Proxy: `callbacks: ["litellm_modelsat.proxy.proxy_handler"]`
in config.yaml (see docs/litellm.md).
"""

import os

# litellm fetches its cost map over the network at import unless told to use the bundled one.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from litellm_modelsat.callback import ModelSATCallback  # noqa: E402
from litellm_modelsat.cards import CARD_KEY, DeploymentCards  # noqa: E402
from litellm_modelsat.controls import GRANT_KEY, LiteLLMControls  # noqa: E402
from litellm_modelsat.decision import DECISION_KEY, RoutedCall, decision_of  # noqa: E402
from litellm_modelsat.instruction import RequestToInstruction, human_request  # noqa: E402
from litellm_modelsat.strategy import ModelSATRoutingStrategy  # noqa: E402

__all__ = [
    "CARD_KEY",
    "DECISION_KEY",
    "DeploymentCards",
    "GRANT_KEY",
    "LiteLLMControls",
    "ModelSATCallback",
    "ModelSATRoutingStrategy",
    "RequestToInstruction",
    "RoutedCall",
    "decision_of",
    "human_request",
]
