"""Tables of the broad suites (issue 12): BBOB per dimension, real tuning problems, their noisy
variants and batches, per budget.

The score of a run after k evaluations is the best value among its first k evaluations; on a noisy
problem it is the noise-free value of the configuration with the best *observed* value (what the
method would return). BBOB scores are simple regrets (floored at 1e-8, COCO's final target).

* **mean rank**: on each problem the methods are ranked by their median score over seeds (ties share
  their ranks); the mean over the suite's problems. A method is ranked on the problems it ran.
* **W/T/L**: problems where amtune's median is better / equal / worse than the peer's.
* **normalized score** (bayesmark, Turner et al. 2021): ``100 (1 - (s - opt) / (rand - opt))`` per
  run, with ``opt`` the best value any run of any method reached on the problem and ``rand`` the mean
  score of Random at the same k; averaged over seeds, then problems. 100 is the best seen, 0 is
  Random. On BBOB, whose regrets span many decades, the same formula on log10(regret). A run's
  score is clipped below at -100, so that a problem where Random is already near the best seen
  cannot dominate the mean.
* **optimizer time**: seconds of ask + tell per run up to k (the objective excluded), median.
* **run by run against each peer** (amtune's default only): every run of amtune paired with the
  peer's run on the same problem and seed (the same noise draws); the mean +- standard error of
  the differences of their normalized scores, the pairs where amtune is better / worse, and the
  Wilcoxon signed-rank p-value, which tells a W/T/L count that luck of the seeds could give from
  one it could not.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

BUDGETS = (25, 50, 100)
TIE_RTOL = 1e-9
BBOB_FLOOR = 1e-8
PEERS = ["optuna-gp", "optuna-tpe", "skopt-gp", "hebo", "smac", "random"]
LABELS = {
    "amtune-bayes": "amtune Bayesian",
    "optuna-gp": "Optuna GPSampler",
    "optuna-tpe": "Optuna TPE",
    "skopt-gp": "scikit-optimize GP",
    "hebo": "HEBO",
    "smac": "SMAC3 (HPO facade)",
    "random": "Random",
}
_BBOB = re.compile(r"^bbob-f(\d{2})-d(\d{2})-i(\d{2})$")
OTHER_INSTANCES = ", instances 2-3"


def suite_of(problem: str, batch: int) -> str | None:
    m = _BBOB.match(problem)
    if m:
        # instance 1 is the suite every round ran; the others replicate it on shifted and
        # rotated versions of the same functions (COCO's instances), reported on their own
        name = f"BBOB d={int(m.group(2))}" + ("" if int(m.group(3)) == 1 else OTHER_INSTANCES)
    elif (held_out := _heldout(problem.partition("~noisy")[0])) is not None:
        name = held_out + (", noisy" if problem.endswith("~noisy") else "")
    elif problem.endswith("~noisy"):
        name = "tuning, noisy"
    else:
        from benchmarks.quality.tuning import TUNING_SPECS

        if not any(s.name == problem for s in TUNING_SPECS):
            return None
        name = "tuning"
    return name + (f", q={batch}" if batch > 1 else "")


def _heldout(problem: str) -> str | None:
    from benchmarks.quality.heldout import suite_name

    return suite_name(problem)


def load(raw: Path) -> list[dict[str, Any]]:
    out = []
    for path in sorted(raw.glob("*/*/s*.json")):
        rec = json.loads(path.read_text())
        rec["_dir"] = path.parent.name
        out.append(rec)
    return out


def score_at(rec: dict[str, Any], k: int) -> float | None:
    vals = rec["values"]
    if len(vals) < k:
        return None
    trues = rec.get("true_values") or vals
    if rec.get("noise_sd"):
        i = int(np.argmin(np.asarray(vals[:k], dtype=float)))
        s = float(trues[i])
    else:
        s = float(np.min(np.asarray(vals[:k], dtype=float)))
    if _BBOB.match(rec["problem"]):
        s = max(s - float(rec["optimum"]), BBOB_FLOOR)
    return s


def method_name(rec: dict[str, Any]) -> str:
    return str(rec["method"])


def _equal(a: float, b: float) -> bool:
    return abs(a - b) <= TIE_RTOL * max(1.0, abs(a), abs(b))


def _ranks(values: Sequence[float]) -> list[float]:
    """Average ranks (1 = best) with ties by _equal."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and _equal(values[order[j + 1]], values[order[i]]):
            j += 1
        for t in range(i, j + 1):
            ranks[order[t]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


class Suite:
    """Scores of one suite: ``runs[(problem, method)] = [records]``."""

    def __init__(self, name: str, runs: dict[tuple[str, str], list[dict[str, Any]]]) -> None:
        self.name = name
        self.runs = runs
        self.problems = sorted({p for p, _ in runs})
        self.methods = sorted({m for _, m in runs})

    def common_seeds(self, methods: Sequence[str]) -> Suite:
        """The same suite with, on each problem, only the seeds that every one of ``methods`` ran
        (other methods, Random included as the normalization reference, keep all their runs)."""
        runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for p in self.problems:
            seeds = None
            for m in methods:
                s = {int(r["seed"]) for r in self.runs.get((p, m), [])}
                seeds = s if seeds is None else seeds & s
            for (pp, m), rs in self.runs.items():
                if pp != p:
                    continue
                runs[(pp, m)] = (
                    [r for r in rs if int(r["seed"]) in (seeds or set())] if m in methods else rs
                )
        return Suite(self.name, {k: v for k, v in runs.items() if v})

    def budget(self, method: str | None = None) -> int:
        """The most evaluations any run reached (of ``method``, when given; 0 if it has none)."""
        return max(
            (
                len(r["values"])
                for (_, m), rs in self.runs.items()
                if method is None or m == method
                for r in rs
            ),
            default=0,
        )

    def scores(self, problem: str, method: str, k: int) -> list[float]:
        out = []
        for r in self.runs.get((problem, method), []):
            s = score_at(r, k)
            if s is not None:
                out.append(s)
        return out

    def medians(self, k: int, methods: Sequence[str]) -> dict[str, dict[str, float]]:
        """problem -> method -> median score (methods with at least one run reaching k)."""
        out: dict[str, dict[str, float]] = {}
        for p in self.problems:
            row = {}
            for m in methods:
                s = self.scores(p, m, k)
                if s:
                    row[m] = float(np.median(s))
            if row:
                out[p] = row
        return out

    def opt(self, problem: str) -> float:
        best = math.inf
        for (p, _), rs in self.runs.items():
            if p != problem:
                continue
            for r in rs:
                s = score_at(r, len(r["values"]))
                if s is not None:
                    best = min(best, s)
        return best

    def normalized(
        self, method: str, k: int, problems: Iterable[str] | None = None
    ) -> tuple[float, int]:
        """bayesmark's normalized score (mean over problems of the mean over seeds), #problems."""
        per_problem = []
        for p in self.problems if problems is None else sorted(problems):
            rand = self.scores(p, "random", k)
            mine = self.scores(p, method, k)
            if not rand or not mine:
                continue
            o = self.opt(p)
            if _BBOB.match(p):
                # regrets spanning many decades: the score on log10(regret) (COCO's usual scale);
                # Random's reference is then its mean log-regret
                o = math.log10(o)
                r = float(np.mean(np.log10(rand)))
                mine = [math.log10(x) for x in mine]
            else:
                r = float(np.mean(rand))
            if r - o <= 0:
                per_problem.append(100.0)  # random already found the best: a flat problem
                continue
            per_problem.append(
                float(np.mean([max(-100.0, 100 * (1 - (s - o) / (r - o))) for s in mine]))
            )
        return (float(np.mean(per_problem)) if per_problem else math.nan), len(per_problem)

    def times(self, method: str, k: int) -> float:
        t = [
            float(r["t_cum"][k - 1])
            for (_, m), rs in self.runs.items()
            if m == method
            for r in rs
            if len(r["t_cum"]) >= k
        ]
        return float(np.median(t)) if t else math.nan


def group(records: Iterable[dict[str, Any]]) -> dict[str, Suite]:
    by: dict[str, dict[tuple[str, str], list[dict[str, Any]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for r in records:
        s = suite_of(r["problem"], int(r.get("batch", 1)))
        if s is None:
            continue
        by[s][(r["problem"], method_name(r))].append(r)
    return {k: Suite(k, dict(v)) for k, v in by.items()}


def _label(m: str) -> str:
    base = m.split(":", 1)[0].split("#", 1)[0]
    extra = m[len(base) :]
    return LABELS.get(base, base) + (f" `{extra}`" if extra else "")


def _fmt(v: float, digits: int = 2) -> str:
    return "n/a" if not math.isfinite(v) else f"{v:.{digits}f}"


def coverage(suite: Suite, method: str, k: int) -> set[str]:
    return {p for p in suite.problems if suite.scores(p, method, k)}


def ranked_peers(
    suite: Suite, amtune: str, peers: Sequence[str], kmax: int | None = None
) -> list[str]:
    """The peers a table ranks: those that ran at least half of amtune's problems to ``kmax``
    (the suite's budget by default; the others are left out and named)."""
    kmax = suite.budget() if kmax is None else kmax
    mine = coverage(suite, amtune, kmax)
    return [
        p
        for p in peers
        if p in suite.methods and len(coverage(suite, p, kmax) & mine) * 2 >= max(1, len(mine))
    ]


def budget_levels(suite: Suite, amtune: str, peers: Sequence[str]) -> list[int]:
    """The budgets where a table stops: amtune's and each smaller one where most of a method's
    runs stop (the median run length: BBOB's GPSampler runs end at 100, on 3 seeds of d = 2 at
    200, while amtune, TPE and Random go on to 200; a few runs cut short do not make a level),
    from the smallest up; each table keeps every seed that reached it."""
    top = suite.budget(amtune)
    stops = set()
    for m in (amtune, *peers):
        lengths = sorted(
            (len(r["values"]) for (_, mm), rs in suite.runs.items() if mm == m for r in rs),
            reverse=True,
        )
        if lengths:
            stops.add(lengths[len(lengths) // 2])
    return sorted({top} | {b for b in stops if 0 < b < top})


def suite_tables(
    suite: Suite,
    amtune: str,
    peers: Sequence[str],
    kmax: int | None = None,
    above: int = 0,
    columns: Sequence[int] = BUDGETS,
) -> list[str]:
    """Mean rank, normalized score, W/T/L against each peer, losses to Random, time.

    The columns are the budgets of ``columns`` above ``above`` and below ``kmax`` (the suite's
    budget by default), then ``kmax``. Ranks are over the problems every method of the table ran
    (to ``kmax``), on the seeds all of them ran; a peer that ran fewer than half of amtune's
    problems that far is left out of the table and named."""
    kmax = suite.budget() if kmax is None else kmax
    budgets = [k for k in columns if above < k < kmax] + [kmax]
    included = ranked_peers(suite, amtune, peers, kmax)
    methods = [amtune, *included]
    left_out = [p for p in peers if p in suite.methods and p not in included]
    suite = suite.common_seeds(methods)  # every method on the same seeds of each problem
    common = set.intersection(*(coverage(suite, m, kmax) for m in methods))
    lines: list[str] = []
    if left_out:
        lines += [
            "Left out (ran too few problems to "
            f"{kmax} evaluations): " + ", ".join(_label(p) for p in left_out) + ".",
            "",
        ]
    lines += [f"Ranked on the {len(common)} problems that all methods below ran to {kmax}.", ""]
    head = (
        "| method | "
        + " | ".join(f"rank @{k} | score @{k}" for k in budgets)
        + " | problems | optimizer s/run @"
        + str(budgets[-1])
        + " |"
    )
    lines += [head, "|" + "---|" * (2 + 2 * len(budgets) + 1)]
    ranks: dict[int, dict[str, list[float]]] = {}
    for k in budgets:
        med = {p: row for p, row in suite.medians(k, methods).items() if p in common}
        rk: dict[str, list[float]] = defaultdict(list)
        for _, row in med.items():
            ms = list(row)
            for m, r in zip(ms, _ranks([row[m] for m in ms]), strict=True):
                rk[m].append(r)
        ranks[k] = rk
    best_rank = {
        k: min((float(np.mean(v)) for v in ranks[k].values()), default=math.nan) for k in budgets
    }
    for m in methods:
        cells = []
        for k in budgets:
            r = ranks[k].get(m, [])
            mr = float(np.mean(r)) if r else math.nan
            cell = _fmt(mr)
            if r and _equal(mr, best_rank[k]):
                cell = f"**{cell}**"
            ns, _ = suite.normalized(m, k, common)
            cells += [cell, _fmt(ns, 1)]
        n = len(ranks[budgets[-1]].get(m, []))
        lines.append(
            f"| {_label(m)} | "
            + " | ".join(cells)
            + f" | {n} | {_fmt(suite.times(m, budgets[-1]), 2)} |"
        )
    lines.append("")
    # head-to-head
    lines.append("amtune against each peer, problems where its median is better / equal / worse:")
    lines.append("")
    lines.append("| peer | " + " | ".join(f"@{k}" for k in budgets) + " |")
    lines.append("|---|" + "---|" * len(budgets))
    for p in methods[1:]:
        cells = []
        for k in budgets:
            w = t = los = 0
            for prob, row in suite.medians(k, [amtune, p]).items():
                if amtune in row and p in row and prob in common:
                    if _equal(row[amtune], row[p]):
                        t += 1
                    elif row[amtune] < row[p]:
                        w += 1
                    else:
                        los += 1
            tot = w + t + los
            cells.append(f"{w}/{t}/{los}" + (f" ({100 * w / tot:.0f}% won)" if tot else ""))
        lines.append(f"| {_label(p)} | " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def losses(suite: Suite, amtune: str, peer: str, k: int) -> list[str]:
    """Problems where amtune's median is worse than the peer's at k."""
    out = []
    for prob, row in suite.medians(k, [amtune, peer]).items():
        if (
            amtune in row
            and peer in row
            and not _equal(row[amtune], row[peer])
            and row[amtune] > row[peer]
        ):
            out.append(f"{prob} ({row[amtune]:.4g} vs {row[peer]:.4g})")
    return out


def ablation_table(suite: Suite, variants: Sequence[str], k: int) -> list[str]:
    """amtune variants ranked among themselves and the peers (mean rank, normalized score)."""
    peers = [p for p in PEERS if p in suite.methods]
    cov = {v: len(coverage(suite, v, k)) for v in variants}
    most = max(cov.values(), default=0)
    partial = [v for v in variants if cov[v] * 2 < most]
    variants = [v for v in variants if v not in partial]
    suite = suite.common_seeds(variants)
    lines = []
    if partial:
        lines += ["Too few problems run (left out): " + ", ".join(_label(v) for v in partial), ""]
    lines += ["| variant | rank among variants | rank with peers | score |", "|---|---|---|---|"]
    med_v = suite.medians(k, variants)
    for v in variants:
        rv = []
        for row in med_v.values():
            if v in row and len(row) == len(variants):
                ms = list(row)
                rv.append(_ranks([row[m] for m in ms])[ms.index(v)])
        rp = []
        for row in suite.medians(k, [v, *peers]).values():
            if v in row:
                ms = list(row)
                rp.append(_ranks([row[m] for m in ms])[ms.index(v)])
        ns, _ = suite.normalized(v, k)
        lines.append(
            f"| {_label(v)} | {_fmt(float(np.mean(rv)) if rv else math.nan)} | "
            f"{_fmt(float(np.mean(rp)) if rp else math.nan)} | {_fmt(ns, 1)} |"
        )
    lines.append("")
    return lines


def _run_score(suite: Suite, problem: str, rec: dict[str, Any], k: int) -> float | None:
    """One run's normalized score at k (as in ``Suite.normalized``); None when undefined."""
    s = score_at(rec, k)
    rand = suite.scores(problem, "random", k)
    if s is None or not rand:
        return None
    o = suite.opt(problem)
    if _BBOB.match(problem):
        o, r, s = math.log10(o), float(np.mean(np.log10(rand))), math.log10(s)
    else:
        r = float(np.mean(rand))
    if r - o <= 0:
        return None  # Random already found the best value seen: no scale to normalize on
    return max(-100.0, 100 * (1 - (s - o) / (r - o)))


def _paired_cells(
    suite: Suite, a: str, b: str, ks: Sequence[int]
) -> tuple[list[str], int, set[str]]:
    """Method ``a`` against ``b`` run by run (the same problem and seed, so the same noise draws
    and, for amtune's variants, the same initial design): at each budget of ``ks`` the mean +-
    standard error of the differences of normalized scores (positive: ``a`` is better), the pairs
    where ``a`` is better / worse, and the Wilcoxon signed-rank p-value; with the number of pairs
    and the problems they cover."""
    from scipy.stats import wilcoxon

    cells: list[str] = []
    n_pairs = 0
    n_probs: set[str] = set()
    for k in ks:
        diffs = []
        for p in suite.problems:
            ra = {int(r["seed"]): r for r in suite.runs.get((p, a), [])}
            rb = {int(r["seed"]): r for r in suite.runs.get((p, b), [])}
            for seed in sorted(set(ra) & set(rb)):
                sa, sb = _run_score(suite, p, ra[seed], k), _run_score(suite, p, rb[seed], k)
                if sa is not None and sb is not None:
                    diffs.append(sa - sb)
                    n_probs.add(p)
        d = np.asarray(diffs)
        n_pairs = max(n_pairs, d.size)
        if d.size < 2:
            cells += ["n/a", "n/a", "n/a"]
            continue
        nz = d[np.abs(d) > 1e-9]
        pv = float(wilcoxon(nz).pvalue) if nz.size > 5 else math.nan
        se = float(d.std(ddof=1) / math.sqrt(d.size))
        cells += [
            f"{d.mean():+.1f} +- {se:.1f}",
            f"{int((d > 1e-9).sum())}/{int((d < -1e-9).sum())}",
            _fmt(pv, 3),
        ]
    return cells, n_pairs, n_probs


def _paired_head(first: str, ks: Sequence[int]) -> list[str]:
    head = f"| {first} | pairs (problems x seeds) | " + " | ".join(
        f"score difference @{k} | better/worse @{k} | p @{k}" for k in ks
    )
    return [head + " |", "|---|---|" + "---|---|---|" * len(ks)]


def paired_ablation(
    suite: Suite, base: str, variants: Sequence[str], ks: Sequence[int]
) -> list[str]:
    """Each variant against ``base`` run by run (``_paired_cells``)."""
    # a budget between two of ks (48 with batches of 4 or 8) is reported at the budget itself
    ks = sorted({min(k, suite.budget()) for k in ks})
    lines = _paired_head("variant", ks)
    for v in variants:
        cells, n_pairs, n_probs = _paired_cells(suite, v, base, ks)
        lines.append(
            f"| {_label(v)} | {n_pairs} ({len(n_probs)} problems) | " + " | ".join(cells) + " |"
        )
    lines.append("")
    return lines


def paired_peers(suite: Suite, amtune: str, peers: Sequence[str], ks: Sequence[int]) -> list[str]:
    """amtune against each peer run by run (``_paired_cells``): whether a head-to-head count of
    medians is more than the luck of 10 seeds."""
    ks = sorted({min(k, suite.budget()) for k in ks})
    rows = []
    for peer in peers:
        if peer not in suite.methods or peer == amtune:
            continue
        cells, n_pairs, n_probs = _paired_cells(suite, amtune, peer, ks)
        if n_pairs >= 2:  # one pair has no spread (scikit-optimize ran one problem once)
            rows.append(
                f"| {_label(peer)} | {n_pairs} ({len(n_probs)} problems) | "
                + " | ".join(cells)
                + " |"
            )
    return [*_paired_head("peer", ks), *rows, ""] if rows else []


SUITE_ORDER = [
    "tuning",
    "tuning, noisy",
    "tuning, q=4",
    "tuning, q=8",
    "held-out: XGBoost",
    "held-out: LightGBM",
    "BBOB d=2",
    "BBOB d=5",
    "BBOB d=10",
    "BBOB d=20",
    *(f"BBOB d={d}{OTHER_INSTANCES}" for d in (2, 5, 10, 20)),
]
#: a note printed under a suite's heading
SUITE_NOTES = {
    "held-out: XGBoost": (
        "Held out: these XGBoost problems (`heldout.py`; the ranges of AWS's SageMaker XGBoost "
        "example notebook, `xgb-*`, and of SageMaker's documented recommended ranges, "
        "`xgbdoc-*`) were added on 2026-11-30, after amtune's defaults were fixed; no default "
        "was chosen on them."
    ),
    "held-out: LightGBM": (
        "Held out: these LightGBM problems (`heldout_lightgbm.py`; FLAML's published search "
        "space, almost every range on a logarithmic scale) were added on 2026-12-01, after "
        "amtune's defaults were fixed; no default was chosen on them."
    ),
    **{
        f"BBOB d={d}{OTHER_INSTANCES}": (
            "COCO's instances 2 and 3 of the same 24 functions (another optimum, rotation and "
            "offset each), run on 2026-12-01 after every default was fixed: a replication of "
            "the instance-1 suite above on problems no default was chosen on. Each instance is "
            "a problem of its own here (48 problems)."
        )
        for d in (2, 5, 10, 20)
    },
}
#: the ablation rounds, newest first: (reference, what it was, the variants compared with it). The
#: reference of a round is the default before that round's change, run as an option set; a
#: variant is compared with it run by run (the same problem and seed, hence the same initial
#: design when the design is unchanged). ``amtune-bayes`` is the current default. A variant given
#: as a tuple names the same configuration in different suites: the first one the suite ran is
#: used (a later change of default that applies to some suites only, see ``variant_in``).
ABLATIONS: list[tuple[str | tuple[str, ...], str, list[str | tuple[str, ...]]]] = [
    (
        "amtune-bayes",
        "the current default, against the stall round's options (no default changed): once the "
        "trust region is at its largest and max(4, d) trials did not improve (ties hold it "
        "there), the design goes on (`region_stall=design`, TuRBO's restart) or the acquisition "
        "is maximized over the whole space (`global`, TREGO's global step), until a trial "
        "improves; only runs with such a stall differ",
        ["amtune-bayes:region_stall=design", "amtune-bayes:region_stall=global"],
    ),
    (
        "amtune-bayes:half_rank_from=3",
        "the default before the half-rank-start round (the half-rank warping from 3 trials), "
        "against the default now (from 10); batches only, whose first fits have 8 trials",
        ["amtune-bayes"],
    ),
    (
        "amtune-bayes:half_rank_from=3#more",
        "the same round's replication on 10 more seeds (10-19)",
        ["amtune-bayes#more"],
    ),
    (
        # with batches, the noise-tie round's reference is the default before the half-rank-start
        # round
        ("amtune-bayes:half_rank_from=3", "amtune-bayes"),
        "the default of the noise-tie round, against its option (no default changed): with a "
        "learned noise variance, a trial within the noise of the incumbent's posterior mean ties "
        "it and grows the trust region (`region_noise_ties=True`, UH-CMA-ES)",
        ["amtune-bayes:region_noise_ties=True"],
    ),
    (
        "amtune-bayes:deterministic=False+half_rank=True",
        "`deterministic=False` (the setting for metrics known to be noisy), against the same with "
        "the noise-tie rule (`region_noise_ties=True`; no default changed): whether the rule "
        "should come with the setting",
        ["amtune-bayes:deterministic=False+half_rank=True+region_noise_ties=True"],
    ),
    (
        "amtune-bayes:half_rank=False",
        "the default before the output-warping round: the model sees the values themselves (no "
        "half-rank warping of the values worse than the median)",
        [("amtune-bayes:half_rank_from=3", "amtune-bayes")],
    ),
    (
        "amtune-bayes",
        "the current default (the half-rank output warping), against `deterministic=False`, "
        "the setting advised for noisy metrics",
        ["amtune-bayes:deterministic=False+half_rank=True"],
    ),
    (
        "amtune-bayes:half_rank=False",
        "the default before the output-warping round, against the noise-sampling round's option (no default changed): "
        "each full fit draws the noise model from its BIC posterior probability instead of "
        "keeping the more probable one (`noise_selection=sample`)",
        ["amtune-bayes:noise_selection=sample"],
    ),
    (
        "amtune-bayes:half_rank=False",
        "the default before the output-warping round, against the probe round's option (no default changed): the last "
        "point of the initial design re-evaluates the best finished trial, so that the noise "
        "model is chosen with one replicate (`noise_probe=True`)",
        ["amtune-bayes:noise_probe=True"],
    ),
    (
        "amtune-bayes:half_rank=False",
        "the default before the output-warping round, against the structure round's options (no default changed): until a "
        "permutation test finds structure, the design goes on (`structure_test=design`) or the "
        "model learns a noise variance and searches the whole space (`global`)",
        ["amtune-bayes:structure_test=global", "amtune-bayes:structure_test=design"],
    ),
    (
        "amtune-bayes:structure_test=off",
        "the default of the structure round rerun with the structure round's build (BBOB d = 5 only): its row "
        "`amtune-bayes` is the stored default against this rerun of the same settings, so it "
        "measures how far stored runs drift from a rerun (they part at a full hyperparameter fit)",
        ["amtune-bayes:structure_test=global", "amtune-bayes:half_rank=False"],
    ),
    (
        "amtune-bayes:structure_test=off#more",
        "the structure round's reference on 10 more seeds (10-19; the tuning suite), rerun with the "
        "round's build",
        ["amtune-bayes:structure_test=global#more"],
    ),
    (
        "amtune-bayes:region_counting=trial",
        "the default before the batch-counting round: every trial of a batch counts on its own "
        "for the trust region, in the order told; the batch suites only (one trial per proposal "
        "counts the same either way)",
        ["amtune-bayes:half_rank=False"],
    ),
    (
        "amtune-bayes:region_counting=trial#more",
        "the same round's reference on 10 more seeds (10-19)",
        ["amtune-bayes:region_counting=batch#more"],
    ),
    (
        "amtune-bayes:half_rank=False",
        "the default before the output-warping round (a tie expands the trust region)",
        ["amtune-bayes:deterministic=False+noise_prior=gamma"],
    ),
    (
        "amtune-bayes:region_ties=fail",
        "the default before the plateau round: a trial tying the best value counts as a failure "
        "of the trust region (TuRBO); only runs with such a tie differ",
        # with batches, that round's default counted each trial on its own
        [("amtune-bayes:region_counting=trial", "amtune-bayes:half_rank=False")],
    ),
    (
        "amtune-bayes:region_ties=fail#more",
        "the same round's reference on 10 more seeds (10-19)",
        ["amtune-bayes:region_ties=expand#more"],
    ),
    (
        "amtune-bayes:region_ties=fail",
        "the default of the noise-model re-examination (noise model chosen by BIC-penalized "
        "evidence at each full fit)",
        [
            "amtune-bayes:noise_selection=loo",
            "amtune-bayes:deterministic=False",
        ],
    ),
    (
        "amtune-bayes:deterministic=False",
        "the setting advised for noisy metrics (a learned noise variance always)",
        [
            "amtune-bayes:deterministic=False+local_fraction=0",
            "amtune-bayes:deterministic=False+plugin_incumbent=True",
            "amtune-bayes:deterministic=False+noise_map=variance",
            "amtune-bayes:deterministic=False+structure_test=global",
        ],
    ),
    (
        "amtune-bayes:lengthscale_map=log",
        "the default before the lengthscale-prior change (irrelevant ranges already excluded): the "
        "MAP under the density of log l",
        ["amtune-bayes:region_ties=fail"],
    ),
    (
        "amtune-bayes:irrelevant_lengthscale=None+lengthscale_map=log",
        "the default before the irrelevant-range change: only exact repeats excluded",
        ["amtune-bayes:lengthscale_map=log"],
    ),
    (
        "amtune-bayes:irrelevant_lengthscale=None+lengthscale_map=log",
        "the default of the noise-model round",
        [
            "amtune-bayes:region_schedule=alternate#en",
            "amtune-bayes:integer_region=neighbours#en",
            "amtune-bayes:region_ties=neutral#en",
            "amtune-bayes:plugin_incumbent=True",
        ],
    ),
    (
        "amtune-bayes:n_initial=10",
        "the default before the noise-model change: a learned noise variance always, which "
        "`deterministic=False` reproduces bit for bit",
        [
            "amtune-bayes:irrelevant_lengthscale=None+lengthscale_map=log",
            "amtune-bayes:deterministic=True",
            "amtune-bayes:local_fraction=0#n10",
            "amtune-bayes:output_warping=False",
        ],
    ),
    (
        "amtune-bayes:categorical_region=free",
        "the default before the design change: min(max(5, d + 1), 10) Halton points",
        [
            "amtune-bayes#v0",
            "amtune-bayes:n_initial=10",
            "amtune-bayes:integer_region=neighbours",
            "amtune-bayes:region_ties=neutral",
            "amtune-bayes:region_schedule=alternate",
            "amtune-bayes:region_schedule=adaptive",
            "amtune-bayes:local_fraction=0.5",
            "amtune-bayes:trust_region_after=25",
        ],
    ),
]
#: amtune's versions compared with the peers: the code before issue 12's changes (run from a
#: snapshot of that commit, stored as ``amtune-bayes#v0``), the previous default and the current
#: one (the first of these that a suite ran is the one its headline compares)
VERSIONS = [
    (
        "amtune-bayes",
        "now (the half-rank output warping from 10 trials; TuRBO's batch rule for the trust "
        "region; a tie with the best value expands it)",
    ),
    # the default before the half-rank-start round; differs only where a model is fitted on fewer
    # than 10 trials: with batches (the first fits have 8) and with designs of 5 (small_budget.py)
    (
        "amtune-bayes:half_rank_from=3",
        "default before the half-rank-start round (the half-rank warping from 3 trials; batches "
        "only, whose first fits have 8 trials)",
    ),
    # the default before the output-warping round
    (
        "amtune-bayes:half_rank=False",
        "previous default (the values themselves: no half-rank output warping)",
    ),
    # the default before the batch-counting round; differs only with batches
    (
        "amtune-bayes:region_counting=trial",
        "default before the batch-counting round (each trial of a batch counted on its own by "
        "the trust region)",
    ),
    # not a default: the setting the README advises for noisy metrics (a learned noise variance
    # always), run before the plateau round (its runs on the noisy suite have no ties, so they are
    # what it does now; on the deterministic suites a tie then shrank the region)
    (
        "amtune-bayes:deterministic=False+half_rank=True",
        "with `deterministic=False` (advised for noisy metrics), the current default otherwise",
    ),
    (
        "amtune-bayes:deterministic=False",
        "with `deterministic=False` before the output-warping round (its runs on the "
        "deterministic tuning suite predate the plateau round's tie rule)",
    ),
    # the default before the plateau round (BoTorch's reading of the lengthscale prior, irrelevant
    # ranges excluded, a tie shrinking the trust region)
    (
        "amtune-bayes:region_ties=fail",
        "default before the plateau round (a tie shrinks the trust region)",
    ),
    # the default at the start of the lengthscale / irrelevant-range round (noise model chosen by
    # evidence); its proposals are those of this option set
    (
        "amtune-bayes:irrelevant_lengthscale=None+lengthscale_map=log",
        "default before the lengthscale round (noise model by evidence)",
    ),
    # the default before the noise-model round (10 Halton points, a learned noise variance)
    ("amtune-bayes:n_initial=10", "default before (learned noise)"),
    ("amtune-bayes#v0", "before issue 12 (commit 6988ffa)"),
]


def variant_in(suite: Suite, candidate: str | tuple[str, ...]) -> str | None:
    """The method of an ablation candidate that ``suite`` ran (the first of a tuple), or None."""
    names = (candidate,) if isinstance(candidate, str) else candidate
    return next((m for m in names if m in suite.methods), None)


def same_runs(suite: Suite, a: str, b: str) -> bool:
    """Whether methods ``a`` and ``b`` ran the same problems and seeds with identical values (a
    change of default that did not apply anywhere in the suite)."""

    def values(m: str) -> dict[tuple[str, int], list[float]]:
        return {
            (p, int(r["seed"])): r["values"]
            for (p, mm), rs in suite.runs.items()
            if mm == m
            for r in rs
        }

    va, vb = values(a), values(b)
    # NaN != NaN: compare the JSON-like reprs, which print NaN the same way
    return va.keys() == vb.keys() and all(repr(va[k]) == repr(vb[k]) for k in va)


def _seed_set(suite: Suite, method: str, k: int = 0) -> set[int]:
    """The seeds of ``method``'s runs that reached ``k`` evaluations."""
    return {
        int(r["seed"])
        for (_, m), rs in suite.runs.items()
        if m == method
        for r in rs
        if len(r["values"]) >= k
    }


def _seeds(suite: Suite, method: str, k: int = 0) -> str:
    seeds = sorted(_seed_set(suite, method, k))
    if not seeds:
        return "-"
    if seeds == list(range(seeds[0], seeds[-1] + 1)):
        return f"{seeds[0]}-{seeds[-1]}" if len(seeds) > 1 else str(seeds[0])
    return ",".join(map(str, seeds))


def broad_section(records: list[dict[str, Any]]) -> list[str]:
    suites = group(records)
    out = ["## Broad suites (issue 12)", "", *(__doc__ or "").strip().splitlines()[2:], ""]
    for name in [s for s in SUITE_ORDER if s in suites] + sorted(set(suites) - set(SUITE_ORDER)):
        suite = suites[name]
        out += [f"### {name}: {len(suite.problems)} problems, budget {suite.budget()}", ""]
        if name in SUITE_NOTES:
            out += [SUITE_NOTES[name], ""]
        out.append(
            "Seeds run: "
            + "; ".join(f"{_label(m)} {_seeds(suite, m)}" for m in suite.methods)
            + "."
        )
        out.append("")
        for version, label in VERSIONS:
            if version not in suite.methods:
                continue
            if version != VERSIONS[0][0] and same_runs(suite, version, VERSIONS[0][0]):
                out += [f"amtune {label}: every run identical to the current default's.", ""]
                continue
            levels = budget_levels(suite, version, PEERS)
            out += [f"amtune {label} against the peers:", ""]
            above = 0
            for kmax in levels:
                if above:
                    out += [
                        f"From {above} to {kmax} evaluations, the methods that ran that far:",
                        "",
                    ]
                out += suite_tables(suite, version, PEERS, kmax, above)
                # peers run on fewer seeds (Optuna GPSampler, for its cost) pull the table above
                # down to their seeds; the same table without them, on every seed amtune and they
                # share
                n_seeds = {m: len(_seed_set(suite, m, kmax)) for m in suite.methods}
                ranked = ranked_peers(suite, version, PEERS, kmax)
                full = [p for p in ranked if n_seeds[p] >= n_seeds[version]]
                if n_seeds[version] > 1 and full and len(full) < len(ranked):
                    out += [
                        f"The same against the peers that ran every seed amtune ran "
                        f"({_seeds(suite, version, kmax)}):",
                        "",
                    ]
                    out += suite_tables(suite, version, full, kmax, above)
                above = kmax
            # for the current default only: earlier versions keep their rank tables above
            pairs = (
                paired_peers(suite, version, PEERS, (25, 50, 100, 200))
                if version == VERSIONS[0][0]
                else []
            )
            if pairs:
                out += [
                    f"amtune {label} against each peer run by run, on the same problem and seed "
                    "(the same noise draws): the difference of normalized scores (positive: "
                    "amtune is better), the runs where amtune is better / worse, and the "
                    "Wilcoxon signed-rank p-value:",
                    "",
                    *pairs,
                ]
            k = min(50, suite.budget())
            for peer in ("random", "optuna-gp"):
                if peer in suite.methods:
                    lost = losses(suite.common_seeds([version, peer]), version, peer, k)
                    out.append(
                        f"Medians worse than {_label(peer)} at {k}: {len(lost)}"
                        + (": " + ", ".join(lost) if lost else "")
                        + "."
                    )
            out.append("")
        for base_candidate, what, candidates in ABLATIONS:
            variants = [v for v in (variant_in(suite, c) for c in candidates) if v is not None]
            base = variant_in(suite, base_candidate)
            if base is None or not variants:
                continue
            out += [
                f"Ablations against {_label(base)}, {what}; run by run on the same problem "
                "and seed, the difference of normalized scores (positive: the variant is "
                "better), the runs where it is better / worse, and the Wilcoxon signed-rank "
                "p-value:",
                "",
            ]
            out += paired_ablation(suite, base, variants, (25, 50, 100))
    return out
