"""Cost-quality of every method: sweep the engine's cost-aware policy (lambda and target quality)
on each zoo and split, print PerfGain, CostSave and the gain over the mixing line, then each
method's settings across zoos and the setting recommended by the measurements: the one with the
largest smallest saving among those that never lose accuracy against the best single model.

    .venv/bin/python benchmarks/cost_quality.py --data ../shared/data/mmlu-pro --method all,modelsat
    .venv/bin/python benchmarks/cost_quality.py --from test.json --from models.json   # saved runs

Results saved by `modelsat eval --cost --json` (or `--json` here) can be re-read with `--from`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from router_core.cards.card import load_cards
from router_core.cli.eval_cmd import method_options, resolve_methods, resolve_splits, resolve_zoos
from router_core.data import load_outcomes
from router_core.evaluation.cost import by_setting, recommend
from router_core.evaluation.cost_report import cost_table, plot_cost
from router_core.evaluation.evaluate import EvaluationResult, EvaluationSpec, evaluate_methods
from router_core.evaluation.report import write_json
from router_core.methods.embeddings import make_embedder

ZOOS = "small,mixed,large,cheap-strong,all"


def settings_table(result: EvaluationResult, split: str, method: str) -> tuple[Table, str]:
    """Each setting's gain (points) and saving (%) per zoo, and the recommended one."""
    summaries = {
        e.zoo: e.cost for e in result.evaluations if e.split == split and e.method == method and e.cost
    }
    settings = by_setting(summaries)
    table = Table(
        title=f"{split} / {method}: accuracy gain (points) / saving vs best single", title_justify="left"
    )
    table.add_column("setting")
    for zoo in summaries:
        table.add_column(zoo, justify="right")
    for s in settings:
        table.add_row(s.policy, *(f"{s.gain[z] * 100:+.1f} / {s.saving[z] * 100:.0f}%" for z in summaries))
    best = recommend(settings)
    line = "no setting reaches the best single model on every zoo"
    if best:
        saving, gain = best.saving.values(), best.gain.values()
        line = (
            f"{split} / {method}: recommended {best.policy}: saves at least {min(saving) * 100:.0f}%"
            f" (mean {sum(saving) / len(saving) * 100:.0f}%) with at least {min(gain) * 100:+.1f}"
            f" points against the best single model on {', '.join(summaries)}"
        )
    return table, line


def main(
    data: Annotated[Path | None, typer.Option("--data", help="Outcome data (to run the benchmark).")] = None,
    method: Annotated[str, typer.Option("--method")] = "all,modelsat",
    zoo: Annotated[str, typer.Option("--zoo")] = ZOOS,
    split: Annotated[str, typer.Option("--split")] = "all",
    encoder: Annotated[str, typer.Option("--encoder")] = "builtin:minilm",
    sources: Annotated[
        list[Path] | None, typer.Option("--from", help="Saved results (JSON) instead.")
    ] = None,
    json_out: Annotated[Path | None, typer.Option("--json")] = None,
    plot_out: Annotated[Path | None, typer.Option("--plot")] = None,
) -> None:
    out = Console(width=240)
    if sources:
        results = [EvaluationResult.model_validate_json(p.read_text(encoding="utf-8")) for p in sources]
    else:
        if data is None:
            raise typer.BadParameter("give --data or --from")
        names, outcomes = resolve_methods(method), load_outcomes(data)
        spec = EvaluationSpec(
            methods=names,
            zoos=resolve_zoos(zoo, None, outcomes.models),
            splits=resolve_splits(split),
            method_options=method_options(names, 0),
            cost_sweep=True,
        )
        results = [evaluate_methods(outcomes, load_cards(), spec, embedder=make_embedder(encoder))]
    for result in results:
        for info in result.splits:
            out.print(cost_table(result, info.split))
            for name in result.spec.methods:
                table, line = settings_table(result, info.split, name)
                out.print(table)
                out.print(line)
        if json_out:
            write_json(result, json_out)
        if plot_out:
            plot_cost(result, plot_out)


if __name__ == "__main__":
    typer.run(main)
