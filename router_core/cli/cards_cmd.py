"""`modelsat cards ...`: build and inspect capability cards, and pick the aptitude test."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from router_core.cards.aptitude import (
    DEFAULT_VERSION,
    MMLU_PRO_DATASET,
    AptitudeTest,
    load_aptitude_test,
    select_aptitude_test,
    select_multi_domain_test,
)
from router_core.cards.build import build_cards
from router_core.cards.card import find_card, load_cards, save_cards
from router_core.cards.item_sources import gather_items
from router_core.cards.items import items_path, save_items
from router_core.cli.common import DataOption, ModelsOption, console, fail, split_names, writable_file
from router_core.data import load_outcomes
from router_core.errors import ModelSATError

LITELLM_ASK = "litellm_modelsat.onboarding:litellm_ask"  # the LiteLLM integration's, loaded by name

app = typer.Typer(help="Capability cards: each model's aptitude-test results.", no_args_is_help=True)

TestOption = Annotated[
    Path | None,
    typer.Option("--test", help=f"Aptitude test definition file (default: shipped {DEFAULT_VERSION})."),
]


@app.command("build")
def build(
    data: DataOption,
    out: Annotated[Path, typer.Option("--out", help="Where to write the cards (.json or .yaml).")],
    models: ModelsOption = None,
    test: TestOption = None,
) -> None:
    """Compute cards from outcome data, using only the aptitude items."""
    try:
        writable_file(out)
        outcomes = load_outcomes(data)
        aptitude = AptitudeTest.from_file(test) if test else load_aptitude_test()
        cards = build_cards(outcomes, aptitude, split_names(models))
    except ModelSATError as exc:
        raise fail(exc) from exc
    try:
        save_cards(cards, out)
    except OSError as exc:
        raise fail(ModelSATError(f"{out}: cannot write cards ({exc.strerror or exc})")) from exc
    console.print(
        f"wrote {len(cards)} cards of {len(aptitude.tasks)} tasks ({aptitude.version}) to {out}",
        soft_wrap=True,
    )


@app.command("show")
def show(
    cards: Annotated[
        Path | None, typer.Option("--cards", help="Card file (default: the shipped cards).")
    ] = None,
    model: Annotated[str | None, typer.Argument(help="Print this model's card text.")] = None,
) -> None:
    """List cards by mean aptitude accuracy, or print one card as the router reads it."""
    try:
        found = load_cards(cards)
    except ModelSATError as exc:
        raise fail(exc) from exc
    if model:
        card = find_card(found, model)
        if card is None:
            raise fail(ModelSATError(f"no card for {model!r}; known: {', '.join(sorted(found))}"))
        # exactly the router's text: one line, no markup or highlighting
        console.print(card.to_text(), soft_wrap=True, markup=False, highlight=False)
        return
    table = Table(title=f"{len(found)} capability cards (mean accuracy over the families each card covers)")
    for column in ("model", "families", "mean accuracy", "tasks", "price $/1M", "aptitude test"):
        table.add_column(column, no_wrap=column in ("model", "families"))  # never cut a name
    for card in sorted(found.values(), key=lambda c: (c.families or (), -c.mean_accuracy)):
        price = f"{card.price:.2f}" if card.price is not None else "-"
        table.add_row(
            card.model,
            _coverage(card.families),
            f"{card.mean_accuracy:.3f}",
            str(len(card.scores)),
            price,
            card.aptitude_version,
        )
    console.print(table)


def _coverage(families: Sequence[str] | None) -> str:
    """A card's families in a table cell: their names when few, else how many."""
    if not families:
        return "-"
    return ", ".join(families) if len(families) <= 2 else f"{len(families)} families"


@app.command("select-test")
def select_test(
    data: DataOption,
    out: Annotated[Path, typer.Option("--out", help="Where to write the aptitude test definition (.json).")],
    zoo: Annotated[
        str | None,
        typer.Option(
            "--zoo",
            help="Comma-separated models that pick the items (default: every model but the held-out ones).",
        ),
    ] = None,
    version: Annotated[str, typer.Option(help="Version name stored in the definition.")] = DEFAULT_VERSION,
    tasks: Annotated[int, typer.Option(help="Number of tasks.")] = 50,
    items: Annotated[int, typer.Option(help="Items per task.")] = 20,
) -> None:
    """Pick the aptitude test on the training zoo: graded items of every category; with several
    sources (or one other than MMLU-Pro), a multi-domain test whose items, with their grading
    keys, are written beside it as <out>-items.jsonl."""
    from router_core.zoos.catalog import load_zoo_file

    try:
        writable_file(out)
        outcomes = load_outcomes(data)
        held_out = set(load_zoo_file().held_out_models)
        chosen = split_names(zoo, "--zoo") or [m for m in outcomes.models if m not in held_out]
        if {ins.dataset for ins in outcomes.instructions} == {MMLU_PRO_DATASET}:
            aptitude = select_aptitude_test(
                outcomes, chosen, version=version, n_tasks=tasks, items_per_task=items
            )
            written_items = None
        else:
            aptitude = select_multi_domain_test(
                outcomes, chosen, version=version, n_tasks=tasks, items_per_task=items
            )
            written_items = items_path(out)
            save_items(gather_items(aptitude, outcomes, data), written_items)
    except ModelSATError as exc:
        raise fail(exc) from exc
    aptitude.save(out)
    written = f" and its items to {written_items}" if written_items else ""
    console.print(
        f"wrote {len(aptitude.tasks)} tasks x up to {items} items ({version}), picked on "
        f"{len(chosen)} models, to {out}{written}",
        soft_wrap=True,
    )


@app.command("run")
def run(
    name: Annotated[str, typer.Option("--name", help="The new model's name, as its card will carry it.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the card (.json or .yaml).")],
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="Outcome data holding the questions of a test that ships no items (mmlu-pro-v2: "
            "the MMLU-Pro outputs folder); not needed for a test that ships its items (v3).",
        ),
    ] = None,
    callable_spec: Annotated[
        str | None,
        typer.Option(
            "--callable",
            help="package.module:function, an async function (prompt) -> reply text; "
            "the current folder is importable.",
        ),
    ] = None,
    litellm_model: Annotated[
        str | None,
        typer.Option(
            "--litellm-model",
            help="Ask this LiteLLM model instead (comes with the LiteLLM integration, "
            "the package's 'litellm' extra).",
        ),
    ] = None,
    judge_callable: Annotated[
        str | None,
        typer.Option(
            "--judge-callable",
            help="package.module:function, the async (prompt) -> reply of the judge model that "
            "grades open-ended items against their reference answers.",
        ),
    ] = None,
    judge_litellm_model: Annotated[
        str | None,
        typer.Option("--judge-litellm-model", help="Judge open-ended items with this LiteLLM model."),
    ] = None,
    allow_code_execution: Annotated[
        bool,
        typer.Option(
            "--allow-code-execution",
            help="Grade code items by running the model's code here, in a subprocess with resource "
            "limits (not a sandbox: prefer a container).",
        ),
    ] = False,
    code_timeout: Annotated[
        float | None, typer.Option(min=0.001, help="Seconds allowed for one code item's tests.")
    ] = None,
    families: Annotated[
        str | None,
        typer.Option(
            "--families",
            help="Comma-separated task families to take (default: all); the card covers only these.",
        ),
    ] = None,
    progress: Annotated[
        Path | None,
        typer.Option(
            "--progress",
            help="JSONL of per-item results; re-running with the same file asks only the "
            "items it does not hold yet.",
        ),
    ] = None,
    concurrency: Annotated[int | None, typer.Option(min=1, help="Calls in flight at once.")] = None,
    timeout: Annotated[float | None, typer.Option(min=0.001, help="Seconds allowed per call.")] = None,
    attempts: Annotated[int | None, typer.Option(min=1, help="Calls per question before it fails.")] = None,
    circle: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Circle test: also ask K rotated option orders; an item counts only if right in all.",
        ),
    ] = None,
    allow_failures: Annotated[
        bool,
        typer.Option(
            "--allow-failures", help="Score each task on the items that did answer instead of failing."
        ),
    ] = False,
    test: TestOption = None,
) -> None:
    """Onboard a new model: ask it the aptitude items, grade its replies and write its card."""
    import asyncio

    from pydantic import ValidationError

    from router_core.cards.runner import APTITUDE_RETRY, AptitudeRunConfig, run_aptitude_test
    from router_core.errors import ConfigError, validation_summary

    fatal_errors: tuple[type[Exception], ...] = ()
    overrides: dict[str, Any] = {
        "concurrency": concurrency,
        "timeout_s": timeout,
        "circle_rotations": circle,
        "code_timeout_s": code_timeout,
    }
    try:
        overrides["families"] = (
            None if families is None else frozenset(split_names(families, "--families") or ())
        )
        writable_file(out)
        if (callable_spec is None) == (litellm_model is None):
            raise ConfigError("give exactly one of --callable and --litellm-model")
        if judge_callable is not None and judge_litellm_model is not None:
            raise ConfigError("give at most one of --judge-callable and --judge-litellm-model")
        if attempts is not None:
            overrides["retry"] = APTITUDE_RETRY.model_copy(update={"attempts": attempts})
        config = AptitudeRunConfig(
            allow_failures=allow_failures,
            allow_code_execution=allow_code_execution,
            **{key: value for key, value in overrides.items() if value is not None},
        )
        ask, fatal_errors = _model_ask(callable_spec, litellm_model, "--callable", "--litellm-model")
        judge, judge_fatal = _model_ask(
            judge_callable, judge_litellm_model, "--judge-callable", "--judge-litellm-model"
        )
        fatal_errors += judge_fatal
        aptitude = AptitudeTest.from_file(test) if test else load_aptitude_test()
        items = _test_items(test, aptitude.version)
        if items is not None and data is not None:
            raise ConfigError(f"aptitude test {aptitude.version} ships its items: leave out --data")
        if items is None and data is None:
            raise ConfigError(
                f"aptitude test {aptitude.version} ships no items: give --data, outcome data that "
                "holds its questions (the MMLU-Pro outputs folder)"
            )
        result = asyncio.run(
            run_aptitude_test(
                ask,
                model_name=name,
                test=aptitude,
                items=items,
                questions=load_outcomes(data) if data is not None else None,
                judge=judge,
                config=config,
                progress_path=progress,
                fatal_errors=fatal_errors,
            )
        )
        save_cards([result.card], out)
    except ValidationError as exc:
        raise fail(ConfigError(validation_summary(exc))) from exc
    except ModelSATError as exc:
        raise fail(exc) from exc
    except OSError as exc:
        raise fail(ModelSATError(str(exc))) from exc
    except fatal_errors as exc:
        kept = f"; answered items are kept in {progress}" if progress else ""
        raise fail(ModelSATError(f"a call failed for good ({type(exc).__name__}: {exc}){kept}")) from exc
    failed = f", {len(result.failures)} failed items left out" if result.failures else ""
    console.print(
        f"{name}: mean accuracy {result.card.mean_accuracy:.3f} on {len(result.card.scores)} tasks "
        f"({result.resumed} items resumed{failed}); wrote the card to {out}",
        soft_wrap=True,
    )


def _model_ask(spec: str | None, litellm_model: str | None, option: str, litellm_option: str):
    """The ask function that a pair of options names (None when neither is given), and the errors
    that make retrying it pointless."""
    if litellm_model:
        return _litellm_ask(litellm_model, litellm_option)
    if spec is not None:
        return _import_ask(spec, option), ()
    return None, ()


def _test_items(
    test: Path | None, version: str
):  # returns the runner's items, a type this module does not import
    """The items of the test: beside a test file (<test>-items.jsonl), or shipped with a shipped
    test; None for a test without items (before v3), whose questions come from --data."""
    from router_core.cards import items as aptitude_items

    if test is not None:
        beside = aptitude_items.items_path(test)
        return aptitude_items.load_items(beside) if beside.is_file() else None
    if not aptitude_items.shipped_items_path(version).is_file():
        return None
    return aptitude_items.load_aptitude_items(version)


def _import_ask(spec: str, option: str):  # returns the runner's Ask
    """The async function named `package.module:function`, importable from the current folder too."""
    import inspect

    from router_core.errors import ConfigError

    target = _import_object(spec, option)
    if not (inspect.iscoroutinefunction(target) or inspect.iscoroutinefunction(type(target).__call__)):
        raise ConfigError(f"{option} {spec!r} is not an async function (prompt) -> str")
    return target


def _import_object(spec: str, option: str):
    """The object named `package.module:attribute`, importable from the current folder too."""
    import os
    import sys

    from router_core.errors import ConfigError
    from router_core.imports import import_object

    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        return import_object(spec)
    except ConfigError:
        raise ConfigError(f"{option} {spec!r} must look like package.module:function") from None
    except ImportError as exc:
        raise ConfigError(f"{option} {spec!r}: cannot import it ({exc})") from exc
    except AttributeError:
        module_name, _, attribute = spec.partition(":")
        raise ConfigError(f"{option} {spec!r}: {module_name!r} has no {attribute!r}") from None


def _litellm_ask(model: str, option: str):
    """Ask `model` through the LiteLLM integration, loaded by name: the core never depends on it.

    Returns the ask function and the errors that make retrying pointless (a bad key, an unknown model).
    """
    from router_core.errors import ConfigError

    try:
        make_ask = _import_object(LITELLM_ASK, option)
    except ConfigError as exc:  # without LiteLLM, the integration does not import
        raise ConfigError(f"{option} needs LiteLLM: pip install 'langchain-modelsat[litellm]'") from exc
    return make_ask(model)
