"""Many async tool-calling agents share one ModelSATRouter and one routing engine.

Runs offline: the candidates are fake chat models and the router model is replaced by a keyword
scorer, so the routing answer is known. Swap `engine=...` for `engine=None` (the shipped Model-SAT
router) and the fakes for real chat models to route for real.

    .venv/bin/python examples/async_agents.py
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import tool
from langchain_core.utils.function_calling import convert_to_openai_tool

from langchain_modelsat import METADATA_KEY, MODEL_KEY, ModelSATRouter, RetrySettings
from router_core.cards.card import CapabilityCard
from router_core.engine import EngineConfig, LocalEngine, OperatorControls

# Shipped capability cards exist for these names, so `cards` can be left out.
KEYWORDS = {
    # every card states tool calling: an agent binds tools, so only tool callers are routed to
    "Meta-Llama-3_1-70B-Instruct": "integral",
    "DeepSeek-Coder-V2": "python",
    "Meta-Llama-3_1-8B-Instruct": "email",
}


class KeywordScorer:
    """Stands in for the Model-SAT network: Pr(Yes) is high for the candidate whose keyword the
    instruction mentions."""

    def __init__(self) -> None:
        self.batches = 0

    def score(self, instructions: Sequence[str], cards: Sequence[CapabilityCard]) -> np.ndarray:
        self.batches += 1
        return np.array(
            [
                [0.9 if KEYWORDS[card.model] in text.lower() else 0.2 for card in cards]
                for text in instructions
            ]
        )


class FakeToolModel(BaseChatModel):
    """A candidate that calls the first bound tool once, then answers with its result; it can be
    told to fail its first calls with a rate limit to show retries."""

    label: str
    rate_limited_calls: int = 0

    @property
    def _llm_type(self) -> str:
        return "fake-tool-model"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Runnable:
        return self.bind(tools=[convert_to_openai_tool(t) for t in tools], **kwargs)

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ):
        if self.rate_limited_calls:
            self.rate_limited_calls -= 1
            raise RateLimitError("429 too many requests")
        last = messages[-1]
        if kwargs.get("tools") and not isinstance(last, ToolMessage):
            call = {
                "name": kwargs["tools"][0]["function"]["name"],
                "args": {"topic": last.text},
                "id": "call-1",
            }
            reply = AIMessage(content="", tool_calls=[call])
        else:
            reply = AIMessage(content=f"[{self.label}] done: {last.text}")
        return ChatResult(generations=[ChatGeneration(message=reply)])

    async def _agenerate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs
    ):
        await asyncio.sleep(0.01)  # a network round trip
        return self._generate(messages, stop, **kwargs)


class RateLimitError(Exception):
    status_code = 429


@tool
def research(topic: str) -> str:
    """Look up background for a topic."""
    return f"notes on {topic[:30]!r}"


async def agent(model: Runnable, task: str) -> tuple[str, list[dict]]:
    """A minimal tool-calling loop: call the model, run the tools it asks for, until it answers.
    Returns the answer and the routing metadata of every turn."""
    messages: list[BaseMessage] = [HumanMessage(task)]
    turns: list[dict] = []
    while True:
        reply = await model.ainvoke(messages)
        messages.append(reply)
        turns.append(reply.response_metadata[METADATA_KEY])
        if not reply.tool_calls:
            return reply.text, turns
        for call in reply.tool_calls:
            messages.append(ToolMessage(research.invoke(call["args"]), tool_call_id=call["id"]))


async def main() -> None:
    scorer = KeywordScorer()
    engine = LocalEngine(EngineConfig(), scorer_factory=lambda: scorer)
    router = ModelSATRouter(
        {name: FakeToolModel(label=name) for name in KEYWORDS},
        engine=engine,
        retry=RetrySettings(attempts=3, initial_wait_s=0.05, jitter_s=0.05),
        controls=OperatorControls(allow_overrides={"model"}),  # a call may force a candidate
    )
    router.models[
        "Meta-Llama-3_1-70B-Instruct"
    ].rate_limited_calls = 2  # the first math calls hit a rate limit
    agent_model = router.bind_tools([research])

    subjects = ["Evaluate the integral of x^2", "Fix this python import error", "Draft an email to the team"]
    tasks = [f"{subjects[i % 3]} (task {i})" for i in range(90)]
    results = await asyncio.gather(*(agent(agent_model, task) for task in tasks))

    answered = Counter(turns[-1]["model"] for _, turns in results)
    turns = [turn for _, agent_turns in results for turn in agent_turns]
    failed = [a for turn in turns for a in turn["attempts"] if a["error"]]
    print(f"{len(results)} agents finished; answers per model: {dict(answered)}")
    print(f"{len(turns)} routed turns, {len(failed)} retried call(s): {failed[:1]}")
    print(f"{scorer.batches} router forward passes (micro-batching, and each agent's task is scored once)")
    print("example:", results[0][0])

    forced = await router.ainvoke(
        "Evaluate the integral of x^3", {"configurable": {MODEL_KEY: "DeepSeek-Coder-V2"}}
    )
    print("forced:", forced.text, "| policy:", forced.response_metadata[METADATA_KEY]["policy"])
    engine.close()


if __name__ == "__main__":
    asyncio.run(main())
