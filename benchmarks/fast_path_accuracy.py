"""What each fast serving setting changes against the shipped default (fp32, the full window).

A setting is a number format (`router_core.model.precision`: bf16, int8-quantized frozen LLM
layers), optionally with a shorter instruction window: `int8@64` reads 64 tokens in int8. For
each setting it prints
- routed accuracy on the validation questions of each zoo, and its difference from the default;
- how often it picks the same model as the default (argmax agreement) over every carded model,
  and the mean and largest change in Pr(Yes), on the first `--agreement` validation questions.

Routed accuracy moves by about a point when a few dozen close calls flip either way, so a
setting is judged on both: a default may lose at most 0.3 points on every zoo.

    python benchmarks/fast_path_accuracy.py --data ../shared/data/mmlu-pro --settings int8,fp32@64,int8@64
"""

from __future__ import annotations

import argparse
from typing import NamedTuple

import numpy as np

from router_core.cards.aptitude import load_aptitude_test
from router_core.cards.card import load_cards
from router_core.cli.eval_cmd import resolve_zoos
from router_core.data import OutcomeMatrix, load_outcomes
from router_core.evaluation.evaluate import EvaluationSpec, evaluate_methods
from router_core.model.inference import ModelSATScorer
from router_core.model.serving import load_for_inference
from router_core.zoos.splits import split_questions


class Setting(NamedTuple):
    precision: str
    instruction_tokens: int | None

    @classmethod
    def parse(cls, text: str) -> Setting:
        precision, _, tokens = text.partition("@")
        return cls(precision, int(tokens) if tokens else None)

    def __str__(self) -> str:
        return self.precision + (f"@{self.instruction_tokens}" if self.instruction_tokens else "")


DEFAULT = Setting("fp32", None)


def accuracies(outcomes: OutcomeMatrix, zoo: str, setting: Setting) -> dict[tuple[str, str], float]:
    options = {
        "precision": setting.precision,
        "instruction_tokens": setting.instruction_tokens,
        "device": "cpu",
    }
    spec = EvaluationSpec(
        methods=["modelsat"],
        zoos=resolve_zoos(zoo, None, outcomes.models),
        questions="validation",
        method_options={"modelsat": options},
    )
    result = evaluate_methods(outcomes, load_cards(), spec)
    return {(e.split, e.zoo): e.overall.routed * 100 for e in result.evaluations}


def scores(texts: list[str], setting: Setting) -> np.ndarray:
    """Pr(Yes) of the validation questions over every carded model."""
    model = load_for_inference(
        device="cpu", precision=setting.precision, instruction_tokens=setting.instruction_tokens
    )
    return ModelSATScorer(model).score(texts, list(load_cards().values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--zoo", default="small,mixed")
    parser.add_argument("--settings", default="int8,fp32@64,int8@64", help="precision[@tokens], ...")
    parser.add_argument("--agreement", type=int, default=400, help="validation questions for agreement")
    args = parser.parse_args()
    parsed = [Setting.parse(text) for text in args.settings.split(",") if text]
    settings = [setting for setting in parsed if setting != DEFAULT]
    outcomes = load_outcomes(args.data)
    validation = split_questions(outcomes, load_aptitude_test()).validation[: args.agreement]
    texts = [ins.routing_text for ins in outcomes.select(instruction_ids=validation).instructions]
    default, reference = accuracies(outcomes, args.zoo, DEFAULT), scores(texts, DEFAULT)
    header = " | ".join(f"{s} routed % | {s} - fp32" for s in settings)
    print(f"| split | zoo | fp32 routed % | {header} |")
    print("| --- | --- | --- |" + " --- | --- |" * len(settings))
    measured = {s: accuracies(outcomes, args.zoo, s) for s in settings}
    for key, value in default.items():
        cells = " | ".join(f"{measured[s][key]:.2f} | {measured[s][key] - value:+.2f}" for s in settings)
        print(f"| {key[0]} | {key[1]} | {value:.2f} | {cells} |")
    print(f"\n{len(texts)} validation questions x {reference.shape[1]} cards, against fp32:\n")
    print("| setting | same choice % | mean abs change in Pr(Yes) | largest |")
    print("| --- | --- | --- | --- |")
    for setting in settings:
        other = scores(texts, setting)
        agree = (other.argmax(1) == reference.argmax(1)).mean() * 100
        change = np.abs(other - reference)
        print(f"| {setting} | {agree:.1f} | {change.mean():.4f} | {change.max():.3f} |")


if __name__ == "__main__":
    main()
