"""The small-budget round (issue 12): the initial design of a search that knows its budget.

A tuning job passes its ``max_jobs`` to the Bayesian strategy as ``budget`` (``AmtuneSearchCV``
its ``n_iter``); the default design is then at most a quarter of the budget (SMAC3's cap on its
initial design, ``max_ratio=0.25``) and never below 5 points, 10 without a budget. Tuning jobs of
AWS's notebooks run 6-20 training jobs, where a 10-point design leaves the model little or
nothing. This compares a 5-point design (``amtune-bayes:n_initial=5``, what budgets up to 20 get)
with the 10-point one (``amtune-bayes``, the same runs as the suites' default: without a budget
the default is 10) run by run at 10, 12, 15 and 20 evaluations, on every suite where both ran,
and ranks what a job of 10-20 trials gets (the 5-point design) with the peers, which do not use a
budget (their first k evaluations are a run of budget k).

The half-rank-start round: on a 5-point design the model's first fits have 5-9 trials, fewer than
any fit the output-warping round measured (its designs had 10 points). Its variants against the
5-point default: the half-rank warping from 3 trials (the default before the round) and never.

    python -m benchmarks.quality.small_budget     # writes benchmarks/results/quality_small_budget.md

The runs (``--budget 20``; a default run's first 20 evaluations are those of its longer run):

    R="python -m benchmarks.quality.run"
    $R --methods "amtune-bayes:n_initial=5" --problems tuning,tuning-noisy,xgboost --seeds 0-9 --budget 20
    $R --methods "amtune-bayes:n_initial=5" --problems bbob-d2,bbob-d5,bbob-d10 --instances 1 --seeds 0-9 --budget 20
    $R --methods "amtune-bayes:n_initial=3" --problems tuning --seeds 0-9 --budget 20   # a smaller floor
    # the half-rank-start round (the default's runs before it moved to half_rank_from=3+n_initial=5)
    $R --methods "amtune-bayes:half_rank_from=3+n_initial=5" --problems tuning,tuning-noisy,xgboost --seeds 0-9 --budget 20
    $R --methods "amtune-bayes:half_rank_from=3+n_initial=5" --problems bbob-d2,bbob-d5,bbob-d10 --instances 1 --seeds 0-9 --budget 20
    $R --methods "amtune-bayes:half_rank=False+n_initial=5" --problems tuning,tuning-noisy --seeds 0-9 --budget 20
"""

from __future__ import annotations

import sys

from benchmarks.quality.run import RAW, ROOT
from benchmarks.quality.suite_report import (
    PEERS,
    Suite,
    group,
    load,
    paired_ablation,
    suite_tables,
)

SUITES = ("tuning", "tuning, noisy", "held-out: XGBoost", "BBOB d=2", "BBOB d=5", "BBOB d=10")
BUDGETS = (10, 12, 15, 20)
VARIANTS = ("amtune-bayes:n_initial=5", "amtune-bayes:n_initial=3")
OUT = ROOT / "benchmarks" / "results" / "quality_small_budget.md"


#: the budget-aware default at budgets up to 20 (its 5-point design), against the peers, which do
#: not use a budget: a peer's first k evaluations are those of a run with budget k
BUDGET_AWARE = "amtune-bayes:n_initial=5"
#: the half-rank-start round's variants of it
HALF_RANK_START = (
    "amtune-bayes:half_rank_from=3+n_initial=5",
    "amtune-bayes:half_rank=False+n_initial=5",
)


def against_peers(suite: Suite) -> list[str]:
    """The budget-aware default's runs ranked with the peers' first 10-20 evaluations, on every
    seed it ran (peers that ran fewer seeds, HEBO's 3, are left out rather than shrinking the
    table to their seeds)."""

    def seeds(m: str) -> set[int]:
        return {int(r["seed"]) for (_, mm), rs in suite.runs.items() if mm == m for r in rs}

    mine = seeds(BUDGET_AWARE)
    peers = [p for p in PEERS if p in suite.methods and seeds(p) >= mine]
    keep = {BUDGET_AWARE, *peers}
    sub = Suite(suite.name, {(p, m): rs for (p, m), rs in suite.runs.items() if m in keep})
    return suite_tables(sub, BUDGET_AWARE, peers, kmax=BUDGETS[-1], columns=BUDGETS[:-1])


def report() -> list[str]:
    suites = group(load(RAW))
    lines = [
        "# Small budgets: the size of the initial design",
        "",
        *(__doc__ or "").strip().splitlines()[2:10],
        "",
        "Reproduce: `python -m benchmarks.quality.small_budget` (the runs are listed in "
        "`benchmarks/quality/small_budget.py`).",
        "",
        "Run by run on the same problem and seed, the difference of normalized scores (positive: "
        "the smaller design is better), the runs where it is better / worse, and the Wilcoxon "
        "signed-rank p-value.",
        "",
    ]
    for name in SUITES:
        suite = suites.get(name)
        if suite is None:
            continue
        variants = [v for v in VARIANTS if v in suite.methods]
        if "amtune-bayes" not in suite.methods or not variants:
            continue
        lines += [f"## {name}: {len(suite.problems)} problems", ""]
        lines += paired_ablation(suite, "amtune-bayes", variants, BUDGETS)
        lines.append("")
        if BUDGET_AWARE not in suite.methods:
            continue
        starts = [v for v in HALF_RANK_START if v in suite.methods]
        if starts:
            lines += [
                "The half-rank-start round, against the 5-point default (positive: the variant "
                "is better):",
                "",
                *paired_ablation(suite, BUDGET_AWARE, starts, BUDGETS),
                "",
            ]
        lines += [
            "What a job of 10-20 trials gets (the 5-point design) against the peers' first "
            "10-20 evaluations:",
            "",
            *against_peers(suite),
        ]
    return lines


def main() -> int:
    OUT.write_text("\n".join(report()).rstrip() + "\n")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
