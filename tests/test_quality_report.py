"""The quality report's arithmetic (benchmarks/quality/suite_report.py): the scores, ranks,
head-to-head counts and paired ablations that quality.md and the README publish, on hand-built runs
whose answers are worked out here."""

from __future__ import annotations

import math
from typing import Any

import pytest
from benchmarks.quality import suite_report as sr

P1, P2, P3 = "svm-wine", "knn-wine", "dt-breast"  # tuning problems (tuning.TUNING_SPECS)
BBOB = "bbob-f01-d02-i01"


def rec(
    method: str,
    problem: str,
    seed: int,
    values: list[float],
    *,
    true_values: list[float] | None = None,
    noise_sd: float = 0.0,
    batch: int = 1,
    optimum: float = math.nan,
) -> dict[str, Any]:
    return {
        "method": method,
        "problem": problem,
        "seed": seed,
        "values": list(values),
        "true_values": list(true_values if true_values is not None else values),
        "noise_sd": noise_sd,
        "batch": batch,
        "optimum": optimum,
        "t_cum": [0.01 * (i + 1) for i in range(len(values))],
    }


def suite_of(records: list[dict[str, Any]], name: str = "tuning") -> Any:
    return sr.group(records)[name]


# --- scores -------------------------------------------------------------------------------------


def test_score_is_best_value_within_budget() -> None:
    r = rec("m", P1, 0, [0.5, 0.3, 0.4, 0.1])
    assert sr.score_at(r, 3) == 0.3
    assert sr.score_at(r, 4) == 0.1
    assert sr.score_at(r, 5) is None  # the run did not reach 5 evaluations


def test_noisy_score_is_true_value_of_best_observed() -> None:
    # the method returns the configuration with the best observed value (a tuning job's best
    # training job); it is scored on that configuration's noise-free value, not on the best true
    r = rec("m", P1 + "~noisy", 0, [0.30, 0.10, 0.20], true_values=[0.05, 0.25, 0.15], noise_sd=0.1)
    assert sr.score_at(r, 3) == 0.25
    assert sr.score_at(r, 1) == 0.05


def test_bbob_score_is_regret_with_floor() -> None:
    r = rec("m", BBOB, 0, [12.0, 10.5, 10.0 + 1e-12], optimum=10.0)
    assert sr.score_at(r, 2) == pytest.approx(0.5)
    assert sr.score_at(r, 3) == sr.BBOB_FLOOR  # below COCO's precision: the floor


# --- suites -------------------------------------------------------------------------------------


def test_suite_names() -> None:
    assert sr.suite_of(P1, 1) == "tuning"
    assert sr.suite_of(P1, 4) == "tuning, q=4"
    assert sr.suite_of(P1 + "~noisy", 1) == "tuning, noisy"
    assert sr.suite_of("bbob-f07-d10-i01", 1) == "BBOB d=10"
    assert sr.suite_of("bbob-f07-d10-i03", 1) == "BBOB d=10, instances 2-3"  # a replication
    assert sr.suite_of("branin", 1) is None  # not a broad-suite problem
    # the held-out suites keep their own names, never the tuning suite's
    assert sr.suite_of("xgb-wine", 1) == "held-out: XGBoost"
    assert sr.suite_of("lgbm-wine~noisy", 1) == "held-out: LightGBM, noisy"
    assert sr.suite_of("lgbm-breast", 8) == "held-out: LightGBM, q=8"


def test_lightgbm_problems_use_flamls_ranges() -> None:
    from benchmarks.quality.heldout_lightgbm import LGBM_SPECS

    ranges = {p.name: p for p in LGBM_SPECS[0].params}
    # FLAML's tree counts reach the data set's size: 569 rows of breast cancer
    assert (ranges["n_estimators"].low, ranges["n_estimators"].high) == (4, 569)
    assert ranges["n_estimators"].log and ranges["log_max_bin"].log
    assert not ranges["colsample_bytree"].log


def test_ranks_average_ties_relative_tolerance() -> None:
    assert sr._ranks([0.3, 0.1, 0.2]) == [3.0, 1.0, 2.0]
    assert sr._ranks([0.1, 0.2, 0.1, 0.3]) == [1.5, 3.0, 1.5, 4.0]
    # equal within TIE_RTOL relative to the values' size: a tie
    assert sr._ranks([1e6, 1e6 * (1 + 1e-12), 2e6]) == [1.5, 1.5, 3.0]
    assert sr._ranks([1e6, 1e6 * (1 + 1e-6)]) == [1.0, 2.0]


def test_normalized_score_bayesmark_definition() -> None:
    # bayesmark: 100 * (1 - (score - opt) / (mean Random score - opt)), averaged over seeds and then
    # over problems; opt is the best value any run of the suite reached
    runs = [
        rec("random", P1, 0, [0.6]),
        rec("random", P1, 1, [0.4]),  # Random's mean 0.5
        rec("a", P1, 0, [0.2]),  # the best anyone reached: opt = 0.2 -> 100
        rec("a", P1, 1, [0.35]),  # 100 * (1 - 0.15 / 0.3) = 50
        rec("b", P1, 0, [1.4]),  # 100 * (1 - 1.2 / 0.3) = -300, clipped at -100
    ]
    s = suite_of(runs)
    score, n = s.normalized("a", 1)
    assert n == 1 and score == pytest.approx(75.0)
    assert s.normalized("random", 1)[0] == pytest.approx(0.0)  # Random scores 0 by construction
    assert s.normalized("b", 1)[0] == pytest.approx(-100.0)


def test_normalized_score_flat_problem() -> None:
    # Random already found the best value: every method scores 100 on it
    runs = [rec("random", P1, 0, [0.2]), rec("a", P1, 0, [0.2]), rec("random", P2, 0, [0.5])]
    runs.append(rec("a", P2, 0, [0.4]))  # opt 0.4, Random 0.5 -> 100
    s = suite_of(runs)
    assert s.normalized("a", 1) == (pytest.approx(100.0), 2)


def test_normalized_score_bbob_on_log_regret() -> None:
    # regrets spanning decades are normalized on log10(regret): Random's reference is its mean
    # log-regret
    runs = [
        rec("random", BBOB, 0, [100.0], optimum=0.0),
        rec("random", BBOB, 1, [1.0], optimum=0.0),  # mean log10 = 1
        rec("a", BBOB, 0, [0.01], optimum=0.0),  # opt: log10 = -2 -> 100
        rec("a", BBOB, 1, [1.0], optimum=0.0),  # 100 * (1 - (0 + 2) / (1 + 2)) = 33.3
    ]
    s = suite_of(runs, "BBOB d=2")
    assert s.normalized("a", 1)[0] == pytest.approx((100 + 100 / 3) / 2)


def test_common_seeds_keeps_only_shared_seeds_but_all_random_runs() -> None:
    runs = [rec("a", P1, k, [0.1 * k + 0.1]) for k in range(3)]
    runs += [rec("b", P1, k, [0.5]) for k in (1, 2, 5)]
    runs += [rec("random", P1, k, [0.9]) for k in range(4)]
    s = suite_of(runs).common_seeds(["a", "b"])
    assert sorted(r["seed"] for r in s.runs[(P1, "a")]) == [1, 2]
    assert sorted(r["seed"] for r in s.runs[(P1, "b")]) == [1, 2]
    assert len(s.runs[(P1, "random")]) == 4  # the normalization reference keeps every run


# --- tables -------------------------------------------------------------------------------------


def _three_problem_suite() -> Any:
    # medians over seeds 0-2; on P1 amtune wins, on P2 it ties, on P3 it loses against the peer
    med = {
        P1: {"amtune-bayes": 0.1, "optuna-tpe": 0.2, "random": 0.3},
        P2: {"amtune-bayes": 0.2, "optuna-tpe": 0.2, "random": 0.3},
        P3: {"amtune-bayes": 0.3, "optuna-tpe": 0.2, "random": 0.3},
    }
    runs = []
    for p, row in med.items():
        for m, v in row.items():
            for seed, dv in enumerate((-0.01, 0.0, 0.01)):
                runs.append(rec(m, p, seed, [v + 0.5, v + dv]))  # 2 evaluations each
    return suite_of(runs)


def test_suite_table_ranks_and_head_to_head() -> None:
    s = _three_problem_suite()
    lines = sr.suite_tables(s, "amtune-bayes", ["optuna-tpe", "random"])
    split = lines.index(
        "amtune against each peer, problems where its median is better / equal / worse:"
    )
    ranks = {ln.split("|")[1].strip(): ln for ln in lines[:split] if ln.startswith("|")}
    h2h = {ln.split("|")[1].strip(): ln for ln in lines[split:] if ln.startswith("|")}
    # ranks at 2 (the suite's budget): amtune 1, 1.5, 2.5 -> 1.67; TPE 2, 1.5, 1 -> 1.5 (the best,
    # in bold); Random 3, 3, 2.5 -> 2.83
    assert "| 1.67 |" in ranks["amtune Bayesian"]
    assert "| **1.50** |" in ranks["Optuna TPE"]
    assert "| 2.83 |" in ranks["Random"]
    # amtune's median against TPE: better on P1, equal on P2, worse on P3; against Random better
    # on P1 and P2, equal on P3
    assert h2h["Optuna TPE"].endswith("| 1/1/1 (33% won) |")
    assert h2h["Random"].endswith("| 2/1/0 (67% won) |")
    assert sr.losses(s, "amtune-bayes", "optuna-tpe", 2) == [f"{P3} (0.3 vs 0.2)"]
    assert sr.losses(s, "amtune-bayes", "random", 2) == []


def test_suite_table_leaves_out_peer_with_too_few_problems() -> None:
    s = _three_problem_suite()
    runs = [r for rs in s.runs.values() for r in rs]
    runs.append(rec("smac", P1, 0, [0.0, 0.0]))  # one problem of three: left out
    s = suite_of(runs)
    assert sr.ranked_peers(s, "amtune-bayes", ["optuna-tpe", "smac", "random"]) == [
        "optuna-tpe",
        "random",
    ]
    text = "\n".join(sr.suite_tables(s, "amtune-bayes", ["optuna-tpe", "smac", "random"]))
    assert "Left out (ran too few problems to 2 evaluations): SMAC3" in text


def test_peer_stopping_earlier_keeps_its_table_and_the_rest_go_on() -> None:
    # amtune and Random ran 4 evaluations, the GP peer only 2 (as GPSampler's BBOB runs stop at
    # 100 where the others go on to 200): one table to 2 with every method, one from 2 to 4
    # without the GP peer, which is named as left out there
    runs = []
    for seed in range(2):
        runs.append(rec("amtune-bayes", P1, seed, [0.5, 0.3, 0.2, 0.05]))
        runs.append(rec("random", P1, seed, [0.5, 0.4, 0.3, 0.3]))
        runs.append(rec("optuna-gp", P1, seed, [0.5, 0.2]))
    s = suite_of(runs)
    peers = ["optuna-gp", "random"]
    assert sr.budget_levels(s, "amtune-bayes", peers) == [2, 4]
    first = "\n".join(sr.suite_tables(s, "amtune-bayes", peers, 2))
    assert "| Optuna GPSampler | **1.00** |" in first  # 0.2 beats amtune's 0.3 at 2
    assert "Left out" not in first
    second = sr.suite_tables(s, "amtune-bayes", peers, 4, above=2)
    text = "\n".join(second)
    assert "Left out (ran too few problems to 4 evaluations): Optuna GPSampler" in text
    head = next(ln for ln in second if ln.startswith("| method |"))
    assert "@2 " not in head and "rank @4" in head  # only the columns above the first table
    assert "| amtune Bayesian | **1.00** |" in text
    # one seed of the GP peer going on to 4 does not move its stop: the table to 2 keeps both seeds
    runs[2] = rec("optuna-gp", P1, 0, [0.5, 0.2, 0.2, 0.2])
    assert sr.budget_levels(suite_of(runs), "amtune-bayes", peers) == [2, 4]


def test_paired_ablation_compares_run_by_run() -> None:
    # the variant beats the base on seed 0 and loses on seed 1 of one problem; seed 2 has no pair
    runs = [
        rec("random", P1, 0, [1.0]),
        rec("random", P1, 1, [1.0]),  # Random's mean 1.0
        rec("base", P1, 0, [0.5]),  # 100 * (1 - 0.5 / 1.0) = 50 (opt 0.0)
        rec("base", P1, 1, [0.0]),  # 100
        rec("v", P1, 0, [0.25]),  # 75: +25
        rec("v", P1, 1, [0.5]),  # 50: -50
        rec("v", P1, 2, [0.0]),  # unpaired
    ]
    text = "\n".join(sr.paired_ablation(suite_of(runs), "base", ["v"], (1,)))
    row = next(line for line in text.splitlines() if line.startswith("| v |"))
    cells = [c.strip() for c in row.split("|")[1:-1]]
    assert cells[1] == "2 (1 problems)"
    # mean of (+25, -50) = -12.5, standard error 37.5 / 1 = 37.5; one better, one worse
    assert cells[2] == "-12.5 +- 37.5"
    assert cells[3] == "1/1"
    assert cells[4] == "n/a"  # too few nonzero pairs for a Wilcoxon test


def test_paired_peers_puts_amtune_first_and_skips_missing_peers() -> None:
    # amtune against Optuna GPSampler on two problems x one seed; TPE never ran
    runs = [
        rec("random", P1, 0, [1.0]),
        rec("random", P2, 0, [1.0]),
        rec("amtune-bayes", P1, 0, [0.0]),  # 100 (opt 0.0)
        rec("amtune-bayes", P2, 0, [0.5]),  # 100 * (1 - (0.5 - 0.2) / (1.0 - 0.2)) = 62.5
        rec("optuna-gp", P1, 0, [0.5]),  # 50: amtune +50
        rec("optuna-gp", P2, 0, [0.2]),  # 100: amtune -37.5
    ]
    lines = sr.paired_peers(suite_of(runs), "amtune-bayes", ["optuna-gp", "optuna-tpe"], (1, 50))
    rows = [line for line in lines if line.startswith("| Optuna")]
    assert len(rows) == 1  # TPE has no runs: no row
    cells = [c.strip() for c in rows[0].split("|")[1:-1]]
    assert cells[0] == "Optuna GPSampler" and cells[1] == "2 (2 problems)"
    # the suite's budget is 1: budgets above it collapse onto it, one column group
    assert len(cells) == 2 + 3
    # mean of (+50, -37.5) = 6.25, standard error 61.87 / sqrt(2) = 43.75
    assert cells[2] == "+6.2 +- 43.8"
    assert cells[3] == "1/1"
    assert sr.paired_peers(suite_of(runs), "amtune-bayes", ["optuna-tpe"], (1,)) == []


def test_same_runs_detects_identical_versions() -> None:
    a = [rec("new", P1, k, [0.3, 0.2]) for k in range(2)]
    b = [rec("old", P1, k, [0.3, 0.2]) for k in range(2)]
    c = [rec("older", P1, 0, [0.3, 0.2]), rec("older", P1, 1, [0.3, 0.25])]
    d = [rec("partial", P1, 0, [0.3, 0.2])]
    s = suite_of(a + b + c + d)
    assert sr.same_runs(s, "new", "old")
    assert not sr.same_runs(s, "new", "older")  # one value differs
    assert not sr.same_runs(s, "new", "partial")  # not the same seeds


def test_ablation_candidate_alternatives_take_the_first_the_suite_ran() -> None:
    s = suite_of([rec("a", P1, 0, [0.1]), rec("b", P1, 0, [0.2])])
    assert sr.variant_in(s, "a") == "a"
    assert sr.variant_in(s, "c") is None
    assert sr.variant_in(s, ("c", "b", "a")) == "b"
    assert sr.variant_in(s, ("c", "d")) is None
