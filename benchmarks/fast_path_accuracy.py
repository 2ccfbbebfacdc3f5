"""Validation accuracy of the Model-SAT router in each number format against fp32.

Routes the validation questions of each zoo with the shipped checkpoint once per precision
(`router_core.model.precision`: fp32 as trained, bf16, int8-quantized frozen layers) and prints
routed accuracy per split and zoo and each format's difference from fp32. A format may be a
default only if it loses at most 0.3 points on every zoo.

    python benchmarks/fast_path_accuracy.py --data ../shared/data/mmlu-pro --zoo small,mixed
"""

from __future__ import annotations

import argparse

from router_core.cards.card import load_cards
from router_core.cli.eval_cmd import resolve_zoos
from router_core.data import load_outcomes
from router_core.evaluation.benchmark import BenchmarkSpec, evaluate_routers


def accuracies(data: str, zoo: str, precision: str) -> dict[tuple[str, str], float]:
    outcomes = load_outcomes(data)
    spec = BenchmarkSpec(
        routers=["modelsat"],
        zoos=resolve_zoos(zoo, None, outcomes.models),
        questions="validation",
        router_options={"modelsat": {"precision": precision, "device": "cpu"}},
    )
    result = evaluate_routers(outcomes, load_cards(), spec)
    return {(e.split, e.zoo): e.overall.routed * 100 for e in result.evaluations}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--zoo", default="small,mixed")
    parser.add_argument("--precisions", default="bf16,int8", help="compared with fp32")
    args = parser.parse_args()
    others = [p for p in args.precisions.split(",") if p and p != "fp32"]
    fp32 = accuracies(args.data, args.zoo, "fp32")
    measured = {p: accuracies(args.data, args.zoo, p) for p in others}
    header = " | ".join(f"{p} routed % | {p} - fp32" for p in others)
    print(f"| split | zoo | fp32 routed % | {header} |")
    print("| --- | --- | --- |" + " --- | --- |" * len(others))
    for key, value in fp32.items():
        cells = " | ".join(f"{measured[p][key]:.2f} | {measured[p][key] - value:+.2f}" for p in others)
        print(f"| {key[0]} | {key[1]} | {value:.2f} | {cells} |")


if __name__ == "__main__":
    main()
