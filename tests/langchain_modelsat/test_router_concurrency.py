"""Many concurrent calls share one engine and each still reaches its expected model."""

from __future__ import annotations

import asyncio

from langchain_modelsat import METADATA_KEY, ModelSATRouter


async def test_200_concurrent_ainvoke_calls_reach_the_expected_models(router: ModelSATRouter, scorer) -> None:
    topics = ["integral" if i % 2 else "contract" for i in range(200)]
    answers = await asyncio.gather(
        *(router.ainvoke(f"task {i}: check this {t}") for i, t in enumerate(topics))
    )
    expected = ["math-model" if t == "integral" else "law-model" for t in topics]
    assert [a.response_metadata[METADATA_KEY]["model"] for a in answers] == expected
    assert [a.content.split()[0] for a in answers] == [m.split("-")[0] for m in expected]
    routed = [text for instructions, _ in scorer.calls for text in instructions]
    assert sorted(routed) == sorted(f"task {i}: check this {t}" for i, t in enumerate(topics))
    assert len(scorer.calls) < 200, "concurrent calls should share micro-batched forward passes"


def test_sync_batch_from_threads(router: ModelSATRouter) -> None:
    answers = router.batch([f"case {i}: a contract" for i in range(40)], {"max_concurrency": 8})
    assert {a.response_metadata[METADATA_KEY]["model"] for a in answers} == {"law-model"}
