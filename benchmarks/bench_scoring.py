"""Benchmark: scoring a whole tier in one pass, against one pandas group-by mean.

Generates answers for the chosen tier (default: national, 20,000 units x 6 cycles x
5 respondents x every item of the default questionnaire), then prints the time and
peak memory of `scoring.engine.score` with the default roadmap and its ratio to
`answers.groupby(["unit", "cycle", "item"]).value.mean()` on the same frame, measured
in the same run. Goals: ratio <= 3, peak memory <= 4 GiB.

    python benchmarks/bench_scoring.py [--tier clinic|region|national] [--repeat 3]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scoring.engine import score  # noqa: E402
from scoring.models import Questionnaire  # noqa: E402
from scoring.validation import load_questionnaire, load_roadmap  # noqa: E402

TIERS = {"clinic": 50, "region": 2_000, "national": 20_000}
CYCLES = ["2021/2022", "2022/2023", "2023/2024", "2024/2025", "2025/2026", "2026/2027"]
RESPONDENTS = 5


def generate(questionnaire: Questionnaire, units: int, seed: int = 2026) -> pd.DataFrame:
    """Answers for `units` units x 6 cycles x 5 respondents x every item, as an answer frame.

    Each unit has a maturity that climbs over the cycles; respondents scatter around it,
    about 5 % of answers are "vet ikke", and yes/no answers follow the unit's maturity.
    """
    rng = np.random.default_rng(seed)
    items = questionnaire.items()
    n_items, n_cycles = len(items), len(CYCLES)
    shape = (units, n_cycles, RESPONDENTS, n_items)
    base = rng.uniform(1.0, 3.5, size=(units, 1, 1, 1)) + 0.3 * np.arange(n_cycles).reshape(1, -1, 1, 1)
    noise = rng.normal(0.0, 0.7, size=shape)
    level = np.clip(np.rint(base + noise), 1, 5)
    scored = np.array([item.scored for item in items])
    yes = (rng.uniform(0, 5, size=shape) < base).astype("float64")
    value = np.where(scored.reshape(1, 1, 1, -1), level, yes)
    value[rng.uniform(size=shape) < 0.05] = np.nan
    total = value.size

    def codes(axis: int) -> np.ndarray:
        index = np.indices(shape, dtype="int32" if axis == 0 else "int8", sparse=True)[axis]
        return np.broadcast_to(index, shape).ravel()

    return pd.DataFrame(
        {
            "unit": pd.Categorical.from_codes(codes(0), [f"unit-{i:05d}" for i in range(units)]),
            "cycle": pd.Categorical.from_codes(codes(1), CYCLES),
            "respondent": pd.Categorical.from_codes(codes(2), [f"r{i + 1}" for i in range(RESPONDENTS)]),
            "item": pd.Categorical.from_codes(codes(3), [item.id for item in items]),
            "value": value.reshape(total),
        }
    )


def timed(run: Callable[[], object], repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tier", choices=list(TIERS), default="national")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    questionnaire = load_questionnaire(ROOT / "questionnaires" / "ledelse-og-kvalitetsforbedring.yaml")
    roadmap = load_roadmap(ROOT / "questionnaires" / "forbedringsreisen.yaml", questionnaire)
    units = TIERS[args.tier]
    start = time.perf_counter()
    answers = generate(questionnaire, units)
    generated = time.perf_counter() - start
    print(
        f"tier: {args.tier} ({units:,} units x {len(CYCLES)} cycles x {RESPONDENTS} respondents "
        f"x {len(questionnaire.items())} items = {len(answers):,} answers, generated in {generated:.1f} s)"
    )
    print(f"answer frame: {answers.memory_usage(deep=True).sum() / 2**20:,.0f} MiB")

    def floor() -> object:
        return answers.groupby(["unit", "cycle", "item"], observed=True)["value"].mean()

    def scoring() -> object:
        return score(questionnaire, answers, roadmap)

    floor()  # warm both paths once (imports, first-touch page faults)
    result = scoring()
    floor_time, floor_times = timed(floor, args.repeat)
    score_time, score_times = timed(scoring, args.repeat)

    tracemalloc.start()
    scoring()
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB

    units_scored = len(result.overall)
    print(
        f"floor  (pandas group-by mean, unit x cycle x item): median {floor_time:.2f} s "
        f"of {', '.join(f'{t:.2f}' for t in floor_times)}"
    )
    print(
        f"score  (all rules + roadmap, {units_scored:,} unit-cycles): median {score_time:.2f} s "
        f"of {', '.join(f'{t:.2f}' for t in score_times)}"
    )
    print(f"ratio  score / floor: {score_time / floor_time:.2f}  (goal <= 3)")
    print(f"memory allocated while scoring (peak, tracemalloc): {traced_peak / 2**30:.2f} GiB")
    print(f"memory peak of the whole process (RSS, data included): {peak_rss / 2**30:.2f} GiB  (goal <= 4)")
    print(f"throughput: {len(answers) / score_time / 1e6:.1f} million answers per second")


if __name__ == "__main__":
    main()
