from __future__ import annotations

import subprocess
import sys

from router_core.engine import EngineConfig
from router_core.engine.bench import candidates, instruction, measure_engine
from tests.fakes import KeywordScorer


def test_candidates_beyond_the_shipped_cards_are_distinct_copies():
    zoo = candidates(30)
    assert len(zoo) == 30 and len({card.model for card in zoo.values()}) == 30


def test_benchmark_reports_every_measurement_and_never_hits_the_cache():
    scorer = KeywordScorer({}, delay_s=0.001)
    results = measure_engine(
        EngineConfig(), sizes=(2, 4), concurrency=(1, 4), calls=3, requests=8, scorer_factory=lambda: scorer
    )
    assert set(results["latency"]) == {2, 4} and set(results["throughput"]) == {1, 4}
    assert all(row["p50_ms"] > 0 for row in results["latency"].values())
    assert all(row["p99_ms"] >= row["p50_ms"] > 0 for row in results["throughput"].values())
    scored = [text for texts, _ in scorer.calls for text in texts]
    assert len(scored) == len(set(scored)) == 1 + 2 * (3 + 3) + 2 * 8
    assert instruction(1) != instruction(2)


def test_importing_the_benchmark_does_not_load_torch():
    code = "import sys, router_core.engine.bench; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
