"""Route a few requests with the shipped Model-SAT router through LangChain, offline.

The candidates are five models with shipped capability cards (aptitude test v3): four measured
on math, code, QA, reasoning and writing (LLMRouter), one on open-ended chat (AlpacaEval).
Their chat models are stand-ins (each answers with its own name) so this runs without API
keys; the routing decision is the real one, made by the shipped router checkpoint. Each row
shows the card evidence behind the choice: the chosen model's score on the aptitude tasks of
the request's family. Replace the stand-ins with real chat models (`ChatOpenAI(base_url=...)`,
`ChatOllama(...)`) to route for real.

    .venv/bin/python examples/quickstart.py
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from langchain_modelsat import METADATA_KEY, POLICY_KEY, ModelSATRouter, StandInChatModel
from router_core.cards.aptitude import load_aptitude_test
from router_core.cards.card import CapabilityCard, load_cards
from router_core.engine import OperatorControls

ZOO = [
    "qwen2.5-7b-instruct",
    "gemma-2-9b-it",
    "llama-3.3-nemotron-super-49b-v1",
    "mistral-7b-instruct-v0.3",
    "FuseChat-Gemma-2-9B-Instruct",
]
REQUESTS = {  # request -> the task family whose card scores explain the choice
    "Natalia sold 48 clips in April and half as many in May. How many clips did she sell in all?": (
        "math-word-problems"
    ),
    "Find all real x such that x^4 - 5x^2 + 4 = 0, and give their sum of squares.": "competition-math",
    "Write a Python function that returns the longest palindromic substring of a string.": "code",
    "Which gas do plants absorb from the air for photosynthesis?\nOptions:\nA. Oxygen\nB. Carbon dioxide\n"
    "C. Nitrogen\nD. Helium": "multiple-choice-qa",
    "My sister and I keep arguing about chores. How can we split them fairly without fighting?": "open-ended",
    "Write a short, warm toast for my grandparents' 50th wedding anniversary.": "open-ended",
}


def family_evidence(card: CapabilityCard, family: str) -> str:
    """The card's mean score on the aptitude tasks of `family`, or why it has none."""
    tasks = set(load_aptitude_test(card.aptitude_version).families.get(family, []))
    scores = [s.accuracy for s in card.scores if s.task in tasks]
    return f"{sum(scores) / len(scores):.0%} on {family}" if scores else f"not measured on {family}"


def main() -> None:
    router = ModelSATRouter(
        models={name: StandInChatModel(reply=f"answer from {name}") for name in ZOO},
        controls=OperatorControls(allow_overrides={"policy"}),  # calls may pick another policy
    )
    cards = load_cards()
    console = Console(width=max(Console().width, 140))  # the table stays readable when piped
    table = Table(title="Model-SAT routing over five models (shipped router, policy: best)")
    for column in ("request", "routed to", "Pr(Yes)", "card evidence", "runner-up", "cheapest good enough"):
        table.add_column(column, overflow="fold")
    requests = list(REQUESTS)
    cost_aware = {"configurable": {POLICY_KEY: "cost-aware:quality=0.95"}}
    answers = router.batch(requests)
    for request, best, thrifty in zip(requests, answers, router.batch(requests, cost_aware), strict=True):
        decision = best.response_metadata[METADATA_KEY]
        chosen, runner_up = decision["ranking"][:2]
        table.add_row(
            request if len(request) <= 60 else request[:57] + "...",
            chosen["model"] + (" (degraded: card-mean ranking)" if decision["degraded"] else ""),
            f"{chosen['probability']:.3f}",
            family_evidence(cards[chosen["model"]], REQUESTS[request]),
            f"{runner_up['model']} {runner_up['probability']:.3f}",
            thrifty.response_metadata[METADATA_KEY]["chosen"],
        )
    console.print(table)
    chosen_models = {answer.response_metadata[METADATA_KEY]["chosen"] for answer in answers}
    console.print(
        f"{len(requests)} requests went to {len(chosen_models)} different models: "
        f"{', '.join(sorted(chosen_models))}"
    )
    answer = router.invoke("Balance the chemical equation: Fe + O2 -> Fe2O3.")
    decision = answer.response_metadata[METADATA_KEY]
    console.print(
        f"one more request, router already loaded: routed to {decision['chosen']} in "
        f"{decision['latency_ms']:.0f} ms; the answer: {answer.content!r}"
    )


if __name__ == "__main__":
    main()
