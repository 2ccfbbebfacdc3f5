"""Benchmark results for people (rich tables, Markdown, a plot) and machines (JSON)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path
from typing import Literal

from rich.table import Table

from router_core.evaluation.evaluate import Evaluation, EvaluationResult, Split, SplitInfo

SPLIT_TITLES = {
    "test": "held-out questions; every model in training",
    "models": "held-out questions; held-out models only through their cards",
    "families": "held-out questions of the held-out task families, never trained on",
}


def _pct(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value * 100:+.0f}%" if signed else f"{value * 100:.1f}"


def most_chosen(evaluation: Evaluation, top: int = 2) -> str:
    shares = sorted(evaluation.overall.choice_share.items(), key=lambda kv: -kv[1])[:top]
    return ", ".join(f"{model} {share * 100:.0f}%" for model, share in shares)


def notes(evaluation: Evaluation) -> str:
    out = []
    if evaluation.kind == "upper bound":
        out.append("upper bound: reads true outcomes")
    if evaluation.unsupported:
        out.append(f"cannot route to {', '.join(evaluation.unsupported)}")
    if evaluation.overall.fallbacks:
        out.append(f"{evaluation.overall.fallbacks} fallbacks")
    if evaluation.overall.unrouted:
        out.append(f"{evaluation.overall.unrouted} unrouted")
    return "; ".join(out)


def split_title(info: SplitInfo) -> str:
    held = f" (held out: {', '.join(info.held_out_models)})" if info.held_out_models else ""
    return (
        f"split {info.split}: {SPLIT_TITLES[info.split]}{held} - "
        f"{info.test_questions} {info.questions} questions, "
        f"{info.train_questions} training questions x {len(info.training_models)} models"
    )


SUMMARY_COLUMNS = (
    "zoo",
    "method",
    "routed",
    "best single",
    "oracle",
    "best per task",
    "random",
    "gap closed",
    "AIQ",
    "cost $/1M",
    "most chosen",
    "notes",
)
_TEXT_COLUMNS = ("zoo", "method", "best single", "most chosen", "notes")


def summary_rows(result: EvaluationResult, split: Split) -> list[Evaluation]:
    """The split's evaluations in table order: zoos, then methods, as the spec lists them."""
    zoos, methods = list(result.spec.zoos), result.spec.methods
    return sorted(
        (e for e in result.evaluations if e.split == split),
        key=lambda e: (zoos.index(e.zoo), methods.index(e.method)),
    )


def summary_cells(e: Evaluation) -> list[str]:
    m = e.overall
    return [
        e.zoo,
        e.method,
        _pct(m.routed),
        f"{_pct(m.best_single)} {m.best_single_model}",
        _pct(m.oracle),
        _pct(m.best_per_task),
        _pct(m.random),
        _pct(m.gap_closed, signed=True),
        _pct(e.aiq),
        f"{m.cost:.2f}" if m.cost is not None else "-",
        most_chosen(e),
        notes(e),
    ]


def summary_table(result: EvaluationResult, split: Split) -> Table:
    """One row per zoo x method: accuracy (%) against the zoo's bars, AIQ and the most chosen models."""
    info = next(i for i in result.splits if i.split == split)
    table = Table(title=split_title(info), title_justify="left")
    for column in SUMMARY_COLUMNS:
        table.add_column(column, justify="left" if column in _TEXT_COLUMNS else "right")
    rows = summary_rows(result, split)
    for i, e in enumerate(rows):
        end = i + 1 == len(rows) or rows[i + 1].zoo != e.zoo
        table.add_row(*summary_cells(e), end_section=end)
    return table


def write_markdown(result: EvaluationResult, path: str | Path) -> None:
    """The summary tables as Markdown, one per split, ready for a report or a pull request."""

    def rows(split: Split) -> list[list[str]]:
        return [summary_cells(e) for e in summary_rows(result, split)]

    text = markdown_tables(result, SUMMARY_COLUMNS, _TEXT_COLUMNS, rows)
    Path(path).write_text(text + breakdown_markdown(result, "families"), encoding="utf-8")


def breakdown_markdown(result: EvaluationResult, by: Breakdown) -> str:
    """Per split and zoo, the routed accuracy (%) of every method per group, when there are two
    groups or more (a single-family run says nothing more than its summary)."""
    parts = []
    for info in result.splits:
        for zoo in result.spec.zoos:
            table = category_table(result, info.split, zoo, by)
            if table.row_count < 2:
                continue
            columns = [str(column.header) for column in table.columns]
            cells = [[str(cell) for cell in column.cells] for column in table.columns]
            lines = [
                f"#### {table.title}",
                "",
                _md_row(columns),
                _md_row(["---"] + ["---:"] * (len(columns) - 1)),
            ]
            lines += [_md_row(row) for row in zip(*cells, strict=True)]
            parts.append("\n".join(lines))
    return "".join(f"\n{part}\n" for part in parts)


def markdown_tables(
    result: EvaluationResult,
    columns: Sequence[str],
    text_columns: Collection[str],
    rows: Callable[[Split], Iterable[Sequence[str]]],
    title: str = "",
) -> str:
    """One Markdown table per split of `result`: `rows(split)`, headed `title` and the split."""
    parts = []
    for info in result.splits:
        align = ["---" if c in text_columns else "---:" for c in columns]
        lines = [f"#### {title}{split_title(info)}", "", _md_row(columns), _md_row(align)]
        lines += [_md_row(row) for row in rows(info.split)]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def _md_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


Breakdown = Literal["categories", "families", "datasets"]
_GROUP = {"categories": "category", "families": "task family", "datasets": "source"}


def category_table(result: EvaluationResult, split: Split, zoo: str, by: Breakdown = "categories") -> Table:
    """Routed accuracy (%) per category (or task family, or source) for every method, beside the
    group's best single model, best model per task with hindsight, and oracle."""
    rows = [e for e in result.evaluations if e.split == split and e.zoo == zoo]
    label = _GROUP[by]
    table = Table(title=f"split {split}, zoo {zoo}: accuracy per {label}", title_justify="left")
    for column in (label, "questions", *(e.method for e in rows), "best single", "best per task", "oracle"):
        table.add_column(column, justify="left" if column == label else "right")
    for group, first in getattr(rows[0], by).items():
        table.add_row(
            group,
            str(first.questions),
            *(_pct(getattr(e, by)[group].routed) for e in rows),
            f"{_pct(first.best_single)} {first.best_single_model}",
            _pct(first.best_per_task),
            _pct(first.oracle),
        )
    return table


def write_json(result: EvaluationResult, path: str | Path) -> None:
    Path(path).write_text(result.model_dump_json(indent=1) + "\n", encoding="utf-8")


def plot(result: EvaluationResult, path: str | Path) -> None:
    """Per split: routed accuracy per method and zoo as grouped bars, then each zoo's accuracy-cost curves."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    splits = [info.split for info in result.splits]
    zoos, methods = list(result.spec.zoos), result.spec.methods
    fig, axes = plt.subplots(
        len(splits), 1 + len(zoos), figsize=(4.2 * (1 + len(zoos)), 3.8 * len(splits)), squeeze=False
    )
    colours = {name: plt.get_cmap("tab10")(i % 10) for i, name in enumerate(methods)}
    for row, split in zip(axes, splits, strict=True):
        found = {(e.zoo, e.method): e for e in result.evaluations if e.split == split}
        bars = row[0]
        width = 0.8 / len(methods)
        for k, name in enumerate(methods):
            bars.bar(
                [z + k * width for z in range(len(zoos))],
                [found[zoo, name].overall.routed * 100 for zoo in zoos],
                width,
                label=name,
                color=colours[name],
            )
        for z, zoo in enumerate(zoos):
            m = found[zoo, methods[0]].overall
            bars.hlines(
                [m.best_single * 100], z - width / 2, z + 0.8 - width / 2, colors="black", linestyles="--"
            )
        bars.set_xticks([z + 0.4 - width / 2 for z in range(len(zoos))], zoos)
        bars.set_ylabel("routed accuracy (%)")
        bars.set_title(f"split {split} (dashed: best single)")
        for ax, zoo in zip(row[1:], zoos, strict=True):
            for name in methods:
                curve = found[zoo, name].curve
                if curve:
                    points = sorted(curve, key=lambda p: p.cost)
                    ax.plot(
                        [p.cost for p in points],
                        [p.accuracy * 100 for p in points],
                        marker=".",
                        color=colours[name],
                        label=name,
                    )
            ax.set_title(f"{split} / {zoo}: accuracy vs cost")
            ax.set_xlabel("mean price of chosen model ($/1M tokens)")
            ax.set_ylabel("accuracy (%)")
    axes[0][0].legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
