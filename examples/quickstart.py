"""Route a few requests with the shipped Model-SAT router through LangChain, offline.

The candidates are five small models with shipped capability cards. Their chat models are
stand-ins (each answers with its own name) so this runs without API keys; the routing decision is
the real one, made by the shipped router checkpoint. Replace the stand-ins with real chat models
(`ChatOpenAI(base_url=...)`, `ChatOllama(...)`) to route for real.

    .venv/bin/python examples/quickstart.py
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from langchain_modelsat import METADATA_KEY, POLICY_KEY, ModelSATRouter, StandInChatModel

ZOO = ["Meta-Llama-3_1-8B-Instruct", "Phi-3-mini-4k-instruct", "mathstral-7B", "gemma-7b", "Qwen1.5-7B-Chat"]
REQUESTS = [
    "Evaluate the definite integral of x^2 from 0 to 3.",
    "Under the doctrine of consideration, is a promise to make a gift enforceable?",
    "Which enzyme unwinds the DNA double helix during replication?",
    "What is the time complexity of building a binary heap from n elements?",
    "Explain why the demand curve for a Giffen good slopes upward.",
    "A 2 kg block slides down a frictionless 30 degree incline. What is its acceleration?",
]


def main() -> None:
    router = ModelSATRouter(models={name: StandInChatModel(reply=f"answer from {name}") for name in ZOO})
    console = Console()
    table = Table(title="Model-SAT routing over five small models (shipped router, policy: best)")
    for column in ("request", "routed to", "Pr(Yes)", "runner-up", "cheapest good enough"):
        table.add_column(column, overflow="fold")
    cost_aware = {"configurable": {POLICY_KEY: "cost-aware:quality=0.95"}}
    answers = router.batch(REQUESTS)
    for request, best, thrifty in zip(REQUESTS, answers, router.batch(REQUESTS, cost_aware), strict=True):
        decision = best.response_metadata[METADATA_KEY]
        chosen, runner_up = decision["ranking"][:2]
        table.add_row(
            request,
            chosen["model"] + (" (degraded: card-mean ranking)" if decision["degraded"] else ""),
            f"{chosen['probability']:.3f}",
            f"{runner_up['model']} {runner_up['probability']:.3f}",
            thrifty.response_metadata[METADATA_KEY]["chosen"],
        )
    console.print(table)
    chosen = {answer.response_metadata[METADATA_KEY]["chosen"] for answer in answers}
    console.print(
        f"{len(REQUESTS)} requests went to {len(chosen)} different models: {', '.join(sorted(chosen))}"
    )
    answer = router.invoke("Balance the chemical equation: Fe + O2 -> Fe2O3.")
    decision = answer.response_metadata[METADATA_KEY]
    console.print(
        f"one more request, router already loaded: routed to {decision['chosen']} in "
        f"{decision['latency_ms']:.0f} ms; the answer: {answer.content!r}"
    )


if __name__ == "__main__":
    main()
