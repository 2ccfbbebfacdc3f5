"""Validation accuracy of the Model-SAT router, fp32 against the int8 CPU fast path.

Routes the validation questions of each zoo with the shipped checkpoint twice, once as trained
(fp32) and once with its frozen layers int8-quantized (`router_core.model.quantize`), and prints
routed accuracy per split and zoo for both and the difference. The fast path may be the CPU
default only if it loses at most 0.3 points on every zoo.

    python benchmarks/fast_path_accuracy.py --data ../shared/data/mmlu-pro --zoo small,mixed
"""

from __future__ import annotations

import argparse

from router_core.cards.card import load_cards
from router_core.cli.eval_cmd import resolve_zoos
from router_core.data import load_outcomes
from router_core.evaluation.benchmark import BenchmarkSpec, evaluate_routers


def accuracies(data: str, zoo: str, int8: bool) -> dict[tuple[str, str], float]:
    outcomes = load_outcomes(data)
    spec = BenchmarkSpec(
        routers=["modelsat"],
        zoos=resolve_zoos(zoo, None, outcomes.models),
        questions="validation",
        router_options={"modelsat": {"int8": int8, "device": "cpu"}},
    )
    result = evaluate_routers(outcomes, load_cards(), spec)
    return {(e.split, e.zoo): e.overall.routed * 100 for e in result.evaluations}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--zoo", default="small,mixed")
    args = parser.parse_args()
    fp32 = accuracies(args.data, args.zoo, int8=False)
    int8 = accuracies(args.data, args.zoo, int8=True)
    print("| split | zoo | fp32 routed % | int8 routed % | int8 - fp32 |")
    print("| --- | --- | --- | --- | --- |")
    for key, value in fp32.items():
        print(f"| {key[0]} | {key[1]} | {value:.2f} | {int8[key]:.2f} | {int8[key] - value:+.2f} |")


if __name__ == "__main__":
    main()
