from __future__ import annotations

from pathlib import Path

import pytest

from router_core.data import load_outcomes
from router_core.errors import ConfigError
from tests.router_core.data.source_folders import write_alpaca_eval, write_llmrouter


def test_sources_combine_with_masked_cells_and_one_column_per_model(
    tmp_path: Path, shared_mmlu_pro: Path
) -> None:
    llmrouter = write_llmrouter(tmp_path / "llmrouter")
    alpaca = write_alpaca_eval(tmp_path / "alpaca")
    mmlu = load_outcomes(shared_mmlu_pro)

    combined = load_outcomes([shared_mmlu_pro, llmrouter, alpaca])

    assert len(combined.instructions) == len(mmlu.instructions) + 6 + 2
    assert "llama-3.1-8b-instruct" not in combined.models  # the alias is MMLU-Pro's model
    llama = combined.model_index("Meta-Llama-3_1-8B-Instruct")
    rows = {ins.dataset: combined.row(ins.id) for ins in combined.instructions}
    assert combined.observed[rows["mmlu-pro"], llama]
    assert combined.observed[rows["llmrouter"], llama]
    assert not combined.observed[rows["alpaca-eval"], llama]  # never measured there: masked
    chat = combined.model_index("chat-a")
    assert not combined.observed[rows["mmlu-pro"], chat]
    assert any("llama-3.1-8b-instruct is the same model" in note for note in combined.report.notes)


def test_the_same_source_twice_is_refused(tmp_path: Path) -> None:
    folder = write_llmrouter(tmp_path)

    with pytest.raises(ConfigError, match="same question ids"):
        load_outcomes([folder, folder])
