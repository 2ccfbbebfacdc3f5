"""The cost-quality results (`modelsat eval --cost`): a rich table, Markdown and a plot."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from rich.table import Table

from router_core.evaluation.evaluate import EvaluationResult, Split
from router_core.evaluation.metrics import pareto_front
from router_core.evaluation.report import _pct, markdown_tables, split_title, summary_rows

COST_COLUMNS = (
    "zoo",
    "method",
    "best single ($/1M)",
    "PerfGain",
    "most accurate setting",
    "CostSave",
    "cheapest setting at best-single accuracy",
    "accuracy at best-single price",
    "vs mixing line",
)
_TEXT = (
    "zoo",
    "method",
    "best single ($/1M)",
    "most accurate setting",
    "cheapest setting at best-single accuracy",
)


def _points(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:+.1f}"


def cost_rows(result: EvaluationResult, split: Split) -> list[list[str]]:
    """PerfGain and mixing gain in accuracy points; CostSave in % of the best single model's price."""
    rows = []
    for e in summary_rows(result, split):
        c = e.cost
        if c is None:
            continue
        rows.append(
            [
                e.zoo,
                e.method,
                f"{_pct(c.best_single_accuracy)} {c.best_single_model} ({c.best_single_price:.2f})",
                _points(c.perf_gain),
                f"{c.best_policy}: {_pct(c.best_accuracy)}",
                "-" if c.cost_save is None else f"{c.cost_save * 100:.0f}%",
                c.cost_save_policy or "-",
                _pct(c.accuracy_at_best_price),
                _points(c.mixing_gain),
            ]
        )
    return rows


def cost_table(result: EvaluationResult, split: Split) -> Table:
    info = next(i for i in result.splits if i.split == split)
    table = Table(title=f"cost-quality, {split_title(info)}", title_justify="left")
    for column in COST_COLUMNS:
        table.add_column(column, justify="left" if column in _TEXT else "right")
    for row in cost_rows(result, split):
        table.add_row(*row)
    return table


def write_cost_markdown(result: EvaluationResult, path: str | Path) -> None:
    text = markdown_tables(result, COST_COLUMNS, _TEXT, partial(cost_rows, result), "cost-quality, ")
    Path(path).write_text(text, encoding="utf-8")


def plot_cost(result: EvaluationResult, path: str | Path) -> None:
    """One panel per split and zoo: each method's Pareto curve over the policy sweep, the single
    models as dots and the mixing line between the cheapest and the best single model."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    splits = [info.split for info in result.splits]
    zoos, methods = list(result.spec.zoos), result.spec.methods
    fig, axes = plt.subplots(
        len(splits), len(zoos), figsize=(3.6 * len(zoos), 3.2 * len(splits)), squeeze=False
    )
    colours = {name: plt.get_cmap("tab10")(i % 10) for i, name in enumerate(methods)}
    for row, split in zip(axes, splits, strict=True):
        found = {(e.zoo, e.method): e for e in result.evaluations if e.split == split}
        for ax, zoo in zip(row, zoos, strict=True):
            summary = None
            for name in methods:
                summary = found[zoo, name].cost
                if summary is None:
                    continue
                front = pareto_front(summary.points)  # type: ignore[arg-type]
                ax.plot(
                    [c for c, _ in front],
                    [a * 100 for _, a in front],
                    marker=".",
                    color=colours[name],
                    label=name,
                )
            if summary is not None:
                ax.plot(
                    [summary.cheapest_price, summary.best_single_price],
                    [summary.cheapest_accuracy * 100, summary.best_single_accuracy * 100],
                    "k--",
                    label="mixing line",
                )
                ax.plot([summary.best_single_price], [summary.best_single_accuracy * 100], "k*", markersize=9)
            ax.set_title(f"{split} / {zoo}", fontsize="medium")
            ax.set_xlabel("mean price ($/1M tokens)", fontsize="small")
            ax.set_ylabel("accuracy (%)", fontsize="small")
    axes[0][0].legend(fontsize="x-small")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
