"""ModelSATRouter as a Runnable: inputs, every entry point, LCEL, construction errors."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate

from langchain_modelsat import METADATA_KEY, CardError, ConfigError, ModelSATRouter
from router_core.engine import shared_engine
from tests.fakes import KeywordScorer, make_card
from tests.langchain_modelsat.fakes import ScriptedChat

INPUTS = {
    "str": "Evaluate the integral of x^2",
    "messages": [SystemMessage("Be brief."), HumanMessage("Evaluate the integral of x^2")],
    "tuples": [("system", "Be brief."), ("human", "Evaluate the integral of x^2")],
    "prompt-value": ChatPromptTemplate.from_messages([("human", "Evaluate the {thing}")]).invoke(
        {"thing": "integral"}
    ),
    "dict": {"messages": [("human", "Evaluate the integral of x^2")]},
}


@pytest.mark.parametrize("value", INPUTS.values(), ids=INPUTS.keys())
def test_every_input_type_is_routed(
    router: ModelSATRouter, math: ScriptedChat, law: ScriptedChat, value
) -> None:
    answer = router.invoke(value)
    assert isinstance(answer, AIMessage)
    assert answer.content == "math answer here"
    assert answer.response_metadata[METADATA_KEY]["chosen"] == "math-model"
    assert len(math.log) == 1 and not law.log
    assert isinstance(math.log[0]["messages"][-1], HumanMessage)


def test_invoke_routes_each_instruction_to_its_model(router: ModelSATRouter, scorer) -> None:
    assert router.invoke("review this contract").content == "law answer here"
    assert router.invoke("solve the integral").content == "math answer here"
    assert [instructions for instructions, _ in scorer.calls] == [
        ["review this contract"],
        ["solve the integral"],
    ]


async def test_ainvoke(router: ModelSATRouter) -> None:
    answer = await router.ainvoke("review this contract")
    assert answer.content == "law answer here"
    assert answer.response_metadata[METADATA_KEY]["model"] == "law-model"


def test_batch(router: ModelSATRouter) -> None:
    answers = router.batch(["an integral", "a contract", "another integral"])
    assert [a.content for a in answers] == ["math answer here", "law answer here", "math answer here"]


async def test_abatch(router: ModelSATRouter) -> None:
    answers = await router.abatch(["a contract", "an integral"])
    assert [a.content for a in answers] == ["law answer here", "math answer here"]


def test_stream_passes_chunks_through_as_they_come(router: ModelSATRouter, math: ScriptedChat) -> None:
    chunks = []
    for chunk in router.stream("solve the integral"):
        math.events.append(f"consumed {len(chunks)}")
        chunks.append(chunk)
    assert [c.content for c in chunks if c.content] == ["math", " answer", " here"]
    assert math.events[:6] == [
        "produced 0",
        "consumed 0",
        "produced 1",
        "consumed 1",
        "produced 2",
        "consumed 2",
    ]
    assert all(isinstance(c, AIMessageChunk) for c in chunks)


def test_metadata_rides_on_the_first_chunk_only(router: ModelSATRouter) -> None:
    chunks = list(router.stream("review this contract"))
    assert chunks[0].response_metadata[METADATA_KEY]["model"] == "law-model"
    assert all(METADATA_KEY not in c.response_metadata for c in chunks[1:])
    merged = chunks[0] + chunks[1:]
    assert merged.content == "law answer here"
    assert merged.response_metadata[METADATA_KEY]["attempts"] == [{"model": "law-model", "error": None}]


async def test_astream(router: ModelSATRouter) -> None:
    chunks = [chunk async for chunk in router.astream("review this contract")]
    assert "".join(c.content for c in chunks) == "law answer here"
    assert chunks[0].response_metadata[METADATA_KEY]["chosen"] == "law-model"


async def test_astream_events_show_the_router_as_a_chat_model(router: ModelSATRouter) -> None:
    events = [event async for event in router.astream_events("solve the integral", version="v2")]
    assert {e["name"] for e in events} == {"ModelSATRouter"}
    assert [e["event"] for e in events][0] == "on_chat_model_start"
    streamed = [e["data"]["chunk"].content for e in events if e["event"] == "on_chat_model_stream"]
    assert [c for c in streamed if c] == ["math", " answer", " here"]
    end = next(e for e in events if e["event"] == "on_chat_model_end")
    assert end["data"]["output"].content == "math answer here"
    assert end["data"]["output"].response_metadata[METADATA_KEY]["model"] == "math-model"


def test_composes_in_lcel_chains(router: ModelSATRouter) -> None:
    chain = (
        ChatPromptTemplate.from_messages([("human", "Please review this {doc}")]) | router | StrOutputParser()
    )
    assert chain.invoke({"doc": "contract"}) == "law answer here"
    assert "".join(chain.stream({"doc": "integral"})) == "math answer here"


def test_custom_instruction_function(math: ScriptedChat, law: ScriptedChat, cards: dict, engine) -> None:
    router = ModelSATRouter(
        {"math-model": math, "law-model": law}, cards=cards, engine=engine, instruction=lambda _: "a contract"
    )
    assert router.invoke("solve the integral").content == "law answer here"


def test_system_prompt_is_routed_only_when_asked(
    math: ScriptedChat, law: ScriptedChat, cards: dict, engine
) -> None:
    messages = [SystemMessage("You draft every contract."), HumanMessage("solve the integral")]
    models = {"math-model": math, "law-model": law}
    with_system = ModelSATRouter(
        models, cards=cards, engine=engine, include_system=True, policy="cost-aware:0.01"
    )
    assert with_system.invoke(messages).content == "law answer here"
    without = ModelSATRouter(models, cards=cards, engine=engine, policy="cost-aware:0.01")
    assert without.invoke(messages).content == "math answer here"


def test_input_without_a_human_message_routes_on_the_cards_alone(
    router: ModelSATRouter, scorer: KeywordScorer
) -> None:
    answer = router.invoke([SystemMessage("nothing to route")])
    assert answer.response_metadata["modelsat"]["chosen"] in {"math-model", "law-model"}
    assert scorer.calls[-1][0] == [""]


def test_missing_card_fails_at_construction(math: ScriptedChat, law: ScriptedChat) -> None:
    with pytest.raises(CardError, match="law-modle"):
        ModelSATRouter(
            {"math-model": math, "law-modle": law}, cards={"math-model": make_card("math-model", [0.5])}
        )


def test_shipped_cards_are_found_by_name(math: ScriptedChat, law: ScriptedChat) -> None:
    router = ModelSATRouter(
        {"mathstral-7B": math, "my-gemma": law},
        cards={"mathstral-7B": "mathstral-7B", "my-gemma": "gemma-7b"},
    )
    assert router.candidate_cards["my-gemma"].model == "gemma-7b"
    with pytest.raises(CardError, match="no capability card"):
        ModelSATRouter({"not-a-shipped-model": math})


def test_models_must_be_runnables(cards: dict) -> None:
    with pytest.raises(ConfigError, match="not LangChain Runnables"):
        ModelSATRouter({"math-model": "gpt"}, cards=cards)
    with pytest.raises(ConfigError, match="at least one"):
        ModelSATRouter({}, cards=cards)


def test_engine_is_the_shared_one_and_created_lazily(
    math: ScriptedChat, law: ScriptedChat, cards: dict
) -> None:
    router = ModelSATRouter({"math-model": math, "law-model": law}, cards=cards)
    assert router._engine is None
    assert router.engine is shared_engine()
