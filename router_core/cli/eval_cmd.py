"""`modelsat eval` (the routing benchmark) and `modelsat score` (batch scoring of instructions)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, get_args

import typer
from rich.console import Console

from router_core.cards.card import CapabilityCard, load_cards
from router_core.cli.batch import read_instructions, score_lines, write_lines
from router_core.cli.common import (
    CardsOption,
    CheckpointOption,
    DataOption,
    DeviceOption,
    InstructionTokensOption,
    PerturbationsOption,
    PrecisionOption,
    RemoteCodeOption,
    console,
    fail,
    split_names,
    writable_file,
)
from router_core.data import load_outcomes
from router_core.errors import ConfigError, ModelSATError
from router_core.evaluation.cost_report import cost_table, plot_cost, write_cost_markdown
from router_core.evaluation.evaluate import SPLITS, Evaluation, EvaluationSpec, Split, evaluate_methods
from router_core.evaluation.report import (
    Breakdown,
    category_table,
    plot,
    summary_table,
    write_json,
    write_markdown,
)
from router_core.methods.embeddings import HASHING, make_embedder
from router_core.methods.registry import BASELINES, make_method, method_class, option_names
from router_core.model.weights import MINILM
from router_core.zoos.catalog import load_zoo_file

CUSTOM_ZOO = "custom"

EncoderOption = Annotated[
    str,
    typer.Option(
        "--encoder",
        help=f"Instruction encoder of the learned baselines: {MINILM}, a local model folder, "
        f"or '{HASHING}' (weight-free bag of words, for quick runs).",
    ),
]
SeedOption = Annotated[int, typer.Option("--seed", help="Seed of the methods that draw random numbers.")]


def register(app: typer.Typer) -> None:
    app.command("eval")(evaluate)
    app.command("score")(score)


def method_options(names: list[str], seed: int, **given: Any) -> dict[str, dict[str, Any]]:
    """Each method gets the shared settings its Options declare. A setting the user gave (not None)
    that none of the methods takes is an error, not silently dropped."""
    offered = {
        "seed": seed,
        **{k: str(v) if isinstance(v, Path) else v for k, v in given.items() if v is not None},
    }
    options = {name: {k: v for k, v in offered.items() if k in option_names(name)} for name in names}
    for key in offered.keys() - {"seed"}:
        if not any(key in o for o in options.values()):
            raise ConfigError(f"--{key} given, but none of the methods {names} takes it")
    return options


def resolve_zoos(zoo: str | None, models: str | None, available: list[str]) -> dict[str, list[str]]:
    if zoo and models:
        raise ConfigError("give --zoo or --models, not both")
    if models:
        return {CUSTOM_ZOO: split_names(models) or []}
    zoo_file = load_zoo_file()
    names = split_names(zoo, "--zoo") or list(zoo_file.zoos)
    return {name: zoo_file.resolve(name, available) for name in names}


def resolve_methods(value: str) -> list[str]:
    names: list[str] = []
    for name in split_names(value, "--method") or []:
        for expanded in BASELINES if name == "all" else (name,):
            if expanded not in names:
                names.append(expanded)
    if not names:
        raise ConfigError("--method names no method")
    for name in names:
        method_class(name)
    return names


def resolve_splits(value: str) -> list[str]:
    if value == "all":
        return list(SPLITS)
    if value not in get_args(Split):
        raise ConfigError(f"unknown split {value!r}; choose test, models, families or all")
    return [value]


def evaluate(
    data: DataOption,
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help=f"Method name(s), comma-separated; 'all' = every baseline ({', '.join(BASELINES)}).",
        ),
    ] = "all",
    zoo: Annotated[
        str | None,
        typer.Option("--zoo", help="Named zoo(s) from zoos.yaml, comma-separated (default: all of them)."),
    ] = None,
    models: Annotated[str | None, typer.Option("--models", help="A custom zoo: model names.")] = None,
    split: Annotated[
        str,
        typer.Option(
            "--split",
            help="test, models, all (= test and models), or families (held-out task types; give it "
            "a --checkpoint trained with hold_out_families).",
        ),
    ] = "all",
    questions: Annotated[
        str,
        typer.Option(
            "--questions", help="test, or validation: choose between methods without touching the test set."
        ),
    ] = "test",
    cards: CardsOption = None,
    checkpoint: CheckpointOption = None,
    perturbations: PerturbationsOption = None,
    precision: PrecisionOption = None,
    device: DeviceOption = None,
    instruction_tokens: InstructionTokensOption = None,
    trust_remote_code: RemoteCodeOption = False,
    encoder: EncoderOption = MINILM,
    seed: SeedOption = 0,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the full results as JSON.")] = None,
    plot_out: Annotated[Path | None, typer.Option("--plot", help="Write a plot (.png).")] = None,
    markdown_out: Annotated[
        Path | None, typer.Option("--markdown", help="Write the summary tables as Markdown.")
    ] = None,
    categories: Annotated[bool, typer.Option("--categories", help="Also print per-category tables.")] = False,
    families: Annotated[
        bool, typer.Option("--families", help="Also print tables per task family and per source.")
    ] = False,
    cost: Annotated[
        bool,
        typer.Option(
            "--cost",
            help="Sweep the cost-aware policy (lambda and target quality): PerfGain, CostSave, mixing line. "
            "--markdown and --plot then also write NAME-cost.md / NAME-cost.png.",
        ),
    ] = False,
) -> None:
    """Route the held-out questions of each zoo with each method; compare with best single, oracle, random."""
    try:
        _check_outputs([json_out, markdown_out, plot_out], [markdown_out, plot_out] if cost else [])
        names, splits = resolve_methods(method), resolve_splits(split)
        if questions not in ("test", "validation"):
            raise ConfigError(f"unknown questions {questions!r}; choose test or validation")
        options = method_options(
            names,
            seed,
            checkpoint=checkpoint,
            perturbations=perturbations,
            precision=precision,
            device=device,
            instruction_tokens=instruction_tokens,
            allow_remote_code=trust_remote_code or None,
        )
        outcomes = load_outcomes(data)
        spec = EvaluationSpec(
            methods=names,
            zoos=resolve_zoos(zoo, models, outcomes.models),
            splits=splits,
            questions=questions,
            method_options=options,
            cost_sweep=cost,
        )
        result = evaluate_methods(
            outcomes, load_cards(cards), spec, embedder=make_embedder(encoder), on_result=_progress
        )
    except ModelSATError as exc:
        raise fail(exc) from exc
    out = console if console.is_terminal else Console(width=240)  # logs keep whole rows
    for info in result.splits:
        out.print(summary_table(result, info.split))
        breakdowns: list[Breakdown] = ["categories"] if categories else []
        breakdowns += ["families", "datasets"] if families else []
        for by in breakdowns:
            for name in spec.zoos:
                out.print(category_table(result, info.split, name, by))
        if cost:
            out.print(cost_table(result, info.split))
    out.print(
        f"accuracy in %; gap closed = share of the best-single -> oracle gap; AIQ in % "
        f"(area under the accuracy-cost curve); {result.seconds:.0f} s"
    )
    outputs = [
        (json_out, write_json, None),
        (markdown_out, write_markdown, write_cost_markdown),
        (plot_out, plot, plot_cost),
    ]
    for path, write, write_cost in outputs:
        if not path:
            continue
        write(result, path)
        out.print(f"wrote {path}")
        if cost and write_cost is not None:
            write_cost(result, _cost_path(path))
            out.print(f"wrote {_cost_path(path)}")


def _check_outputs(paths: list[Path | None], with_cost: list[Path | None]) -> None:
    """Every file the run will write can be written: checked before the work, so no result is lost."""
    for path in paths:
        if path is not None:
            writable_file(path)
    for path in with_cost:
        if path is not None:
            writable_file(_cost_path(path))


def _cost_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}-cost{path.suffix}")


def _progress(evaluation: Evaluation) -> None:
    console.print(
        f"[dim]{evaluation.split:>6} {evaluation.zoo:>8} {evaluation.method:<22} "
        f"routed {evaluation.overall.routed * 100:.1f}% (fit {evaluation.fit_seconds:.0f} s, "
        f"score {evaluation.score_seconds:.0f} s)[/]"
    )


def score(
    cards: Annotated[Path, typer.Option("--cards", help="Cards of the candidates to score.")],
    instructions: Annotated[Path, typer.Option("--instructions", help='JSONL of {"id": ..., "text": ...}.')],
    out: Annotated[Path, typer.Option("--out", help="Output: one JSON line per instruction.")],
    method: Annotated[str, typer.Option("--method", help="Method name.")] = "best-single",
    data: Annotated[
        Path | None,
        typer.Option(
            "--data", help="Outcomes the learned methods train on (all of its questions and models)."
        ),
    ] = None,
    checkpoint: CheckpointOption = None,
    perturbations: PerturbationsOption = None,
    precision: PrecisionOption = None,
    device: DeviceOption = None,
    instruction_tokens: InstructionTokensOption = None,
    trust_remote_code: RemoteCodeOption = False,
    encoder: EncoderOption = MINILM,
    seed: SeedOption = 0,
) -> None:
    """Score candidates for a batch of instructions and name the chosen model of each."""
    try:
        writable_file(out)
        candidates = list(load_cards(cards).values())
        lines = read_instructions(instructions)
        options = method_options(
            [method],
            seed,
            checkpoint=checkpoint,
            perturbations=perturbations,
            precision=precision,
            device=device,
            instruction_tokens=instruction_tokens,
            allow_remote_code=trust_remote_code or None,
        )[method]
        chosen = make_method(method, embedder=make_embedder(encoder), **options)
        if chosen.kind == "upper bound":
            raise ConfigError(f"method {method!r} reads true outcomes; it cannot score new instructions")
        if chosen.needs_training:
            if data is None:
                raise ConfigError(f"method {method!r} learns from outcomes: pass --data")
            chosen.fit(load_outcomes(data), _training_cards(candidates))
        scored = score_lines(chosen, lines, candidates)
    except ModelSATError as exc:
        raise fail(exc) from exc
    write_lines(scored, out)
    console.print(f"scored {len(scored)} instructions x {len(candidates)} candidates with {method}: {out}")


def _training_cards(candidates: list[CapabilityCard]) -> dict[str, CapabilityCard]:
    """Shipped cards overridden by the given ones: card readers need the training models' cards too."""
    return {**load_cards(), **{card.model: card for card in candidates}}
