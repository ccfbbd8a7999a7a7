"""Bayesian optimization: a Gaussian-process model and its acquisition maximization, in C++.

The model (C++, ``cpp/include/amtune/{kernel,gp,priors,warping}.hpp``):

* Matern-5/2 kernel with one lengthscale per range on the encoded space; categorical ranges compare
  cells (Hamming distance), numeric ranges compare encoded coordinates. Ranges whose scaling type is
  ``Auto`` also get a learned Kumaraswamy input warping (Snoek et al. 2014).
* Constant mean, Gaussian noise. By default (``deterministic=None``) every full hyperparameter fit
  fits two models, one with a learned noise variance (floor ``1e-6`` of the standardized variance)
  and a noiseless one (``1e-8``), and keeps the learned noise only if its log posterior gain pays
  the BIC penalty of its parameter, ``log(n) / 2`` (Schwarz 1978; warm refits keep the choice).
  ``deterministic=True`` fixes the noise at ``1e-8``, ``False`` always learns it. Why: on
  deterministic objectives the learned noise (prior log-normal around ``e^-4``, BoTorch's) often
  explained narrow valleys and ridges as noise and smoothed them away (see "The noise model" below).
* Outputs are z-scored and passed through a Yeo-Johnson power transform (as HEBO does) whose
  exponent (identity, square-root-like or log-like) is chosen by the GP's marginal likelihood of
  the original values (warped GPs, Snelson et al. 2004); it tames heavy-tailed objectives and
  keeps the ranking.
* Hyperparameters by maximum a posteriori under the dimension-scaled lengthscale prior of Hvarfner
  et al. (2024), read as BoTorch reads it (the density of the lengthscale, whose mode is
  ``e^(mu - sigma^2)``, not that of its logarithm; see "The lengthscale prior" below), L-BFGS on
  analytic gradients, warm-started from the previous fit.
* Failed trials (``tell(id, None)``) are imputed with the worst finite value observed, so the model
  steers away from regions where trials fail.

Proposals maximize log expected improvement (Ament et al. 2023; or UCB / PI) by quasi-random
screening plus multi-start L-BFGS, with exact discrete moves for integer and categorical ranges;
configurations already evaluated or pending are never proposed again in finite spaces. Nine
proposals in ten search a trust region around the best trial (TuRBO, Eriksson et al. 2019: a box
whose side adapts to successes and failures; a trial tying the best value counts as a success,
see "Plateaus" below), one in ten the whole box: a global maximizer of EI
over-explores the boundary in the dimensions the model knows little about (Siivola et al. 2018).
Each hyperparameter fit, full or warm-started, also starts from unit lengthscales, because in many
dimensions the mode of the dimension-scaled prior is a plateau where L-BFGS stops early.
A range whose fitted lengthscale reaches ``irrelevant_lengthscale`` (100 on the encoded unit scale)
is one the model found irrelevant: across its whole range the correlation stays above 1 - 1e-4, so a
configuration that differs from an evaluated one only there is, for the model, that configuration
again. Such configurations are not proposed, as exact repeats are not (issue 12: in the trust
region, perturbations that moved only such a range, a k-NN leaf size say, were a quarter of the
proposals on the real tuning suite and tied the best value exactly).
Pending trials and the earlier points of a batch enter as Kriging-believer fantasies, so parallel
workers receive diverse, informative points; a batch shares one screened candidate pool whose
posterior is updated by a rank-one step per fantasy (``cpp/include/amtune/batch.hpp``), and beyond
64 pending trials the 64 nearest the incumbent are the fantasies (all stay excluded).

Before the model starts, an initial space-filling design (scrambled Halton, extensible so that
``ask(1)`` ten times gives the same points as ``ask(10)``) of ``n_initial`` points is used, 10 by
default whatever the dimension. Efficient global optimization starts from larger designs (10 d
points: Jones, Schonlau & Welch 1998; Loeppky, Sacks & Welch 2009), which a tuning budget of 25-50
trials cannot afford; Bossek, Doerr & Kerschke (2020) found small Halton designs preferable on BBOB
overall but the best size problem-dependent, with EGO behind random sampling in some cases. The
ablation of issue 12 (``benchmarks/results/quality.md``, "Ablations") compared 10 points with the
previous ``min(max(5, d + 1), 10)``, run by run on the same problems and seeds: on the real tuning
suite the normalized score at 50 trials rose by 11.7 +- 6.9 (19 problems x 5 seeds; medians better
on 9, worse on 4), on BBOB d = 5 by 5.0 +- 1.8 (24 functions x 10 seeds), on BBOB d = 2 it moved
by -1.4 +- 2.3 (no measurable change), and amtune's median fell behind Random's on none of the 19
tuning problems instead of 5.

When the budget is known (``budget``: a tuning job's ``max_jobs``, ``AmtuneSearchCV``'s
``n_iter``), the design is at most a quarter of it and never below 5 points: SMAC3 caps its
initial design at a quarter of the trials (``max_ratio=0.25``; Lindauer et al., JMLR 2022), and
the notebooks' tuning jobs run 6-20 training jobs, where 10 points leave the model little or
nothing. Run by run against the 10-point design, a 5-point one scored +6.7 +- 4.1 at 10
evaluations on the tuning suite (+0.2 +- 4.2 at 20), +12.5 +- 4.4 on the held-out XGBoost suite,
+4 to +16 on BBOB d = 2 and 5 at every budget from 10 to 20, and -0.7 to -4.3 (p > 0.3) on the
noisy suite; 3 points was worse (``benchmarks/results/quality_small_budget.md``).

The noise model (issue 12): on BBOB's ill-conditioned functions (ellipsoids, discus, sharp ridge,
attractive sector) a learned noise variance explained the narrow valleys as noise and the search
stalled where Optuna's GPSampler, whose noise prior sits near zero, did not. Choosing between the
learned and the noiseless model by evidence, run by run against the previous default (learned noise
always, which ``deterministic=False`` reproduces bit for bit), changed bayesmark's normalized score
at 50 evaluations by +8.5 +- 1.5 on BBOB d = 2 and +4.6 +- 1.5 on d = 5 (24 functions x 10 seeds,
Wilcoxon p < 0.001 both), +4.1 +- 3.3 on d = 10 (3 seeds), +5.7 +- 5.4 on the real tuning suite
(+12.6 +- 4.7 at 25 evaluations) and +1.9 +- 5.3 on its noisy variant (19 problems x 5 seeds):
``benchmarks/results/quality.md``, "Ablations". The big-history mode's local model keeps the learned
noise (an interpolating local model crowded the Kriging-believer points of a batch).
Re-examined after the lengthscale change: on the noisy tuning suite the BIC test keeps the noiseless
model through the first 20-30 evaluations on most problems (few points cannot tell noise from
structure), the GP interpolates the noise and the search stays around the luckiest draw.
``deterministic=False`` changes the normalized score there by +8.8 +- 3.3 at 25 evaluations
(19 problems x 10 seeds, p = 0.003) but by -13.3 +- 4.0 on the deterministic tuning suite and
-5.4 / -7.7 / -11.8 at 25 / 50 / 100 on BBOB d = 2 (p < 0.001): a learned noise variance is the
setting for noisy metrics, the evidence test the default. Choosing by leave-one-out density
(``noise_selection="loo"``) changed nothing measurable either way.

The lengthscale prior (issue 12): ``LogNormal(sqrt(2) + log(d) / 2, sqrt(3))`` was maximized as the
density of ``log l``, whose mode ``e^mu`` is a lengthscale of 13 at d = 10 on the unit cube: with
the 25-50 trials of a tuning job the model stayed nearly flat in many dimensions, log-EI went to
the faces of the trust region, and at d = 20 the first 25 evaluations did no better than random
sampling. BoTorch, where the prior was defined and validated, evaluates it on the lengthscale
itself; the density of ``l`` carries a ``-log l`` term and its mode is ``e^(mu - sigma^2)``, 0.65
at d = 10. Run by run against the previous reading (``lengthscale_map="log"``), bayesmark's
normalized score changed at 25 / 50 / 100 evaluations by +19.9 / +18.3 / +19.7 on BBOB d = 20 (24
functions x 10 seeds, p < 0.001), +11.7 / +11.4 / +7.0 on d = 10, +2.8 / +2.3 / +3.2 on
d = 5, +0.3 / +2.0 / +2.8 on d = 2, +0.4 / +1.5 at 25 / 50 on the real tuning suite (19 problems x
10 seeds: no measurable change), -7.2 / +5.9 on its noisy variant (x 5 seeds) and -6.2 / +6.8 at 48
with batches of 4 / 8 (x 3 / 5 seeds; none of the tuning-suite differences is significant):
``benchmarks/results/quality.md``, "Ablations". ``Surrogate`` keeps the density of ``log l``: the
convergence rule of the completion criteria was calibrated with it.

Plateaus (issue 12): tuning losses such as a classification error take few distinct values, and
many configurations share the best one. With TuRBO's rule a trial that ties the incumbent counts
as a failure, so the region shrinks onto the plateau and keeps sampling it: on the real tuning
suite 18% of amtune's proposals after the initial design tied the best value (Optuna's GPSampler
and TPE 6%, SMAC3 9%), and on a decision tree 6 of 10 seeds spent their last 25 trials on one
plateau. A tie now counts like an improvement (``region_ties="expand"``), CMA-ES's flat-fitness
rule (Hansen 2016: equal values say the step is too small to see any slope). Run by run against
the previous rule (19 problems x 10 seeds), the normalized score changed by -0.3 +- 1.4 / +5.9 +-
3.5 at 25 / 50 evaluations on the tuning suite (p = 0.16; on seeds 10-19 +1.9 / +4.9, on the
20 pooled +0.7 / +5.4 +- 2.4, p = 0.03), -1.4 / +1.8 and +0.6 / +0.4 at 25 / 48
with batches of 4 / 8, and by +0.7 at 50 on BBOB d = 2, whose only runs with a tie are on the step
ellipsoid f7 (and one on f1); every other run of the suites (noisy, big-history, BBOB's other
functions) has no tie and is unchanged (``benchmarks/results/quality.md``, "Ablations").

Batches (issue 12): the region counted every trial on its own, in the order told, so in a batch of
q with one improving trial the others counted as failures, reset the successes and often halved
the region; the outcome also depended on the order in which a batch's results were told. TuRBO
counts a batch as one success (its best trial improves) or one failure, with a failure tolerance
of ceil(max(4, d) / q) batches; ``region_counting="batch"`` (default) is that rule, with the trials
learnt since the previous proposal as the batch. One trial learnt per proposal (a sequential
search, or training jobs finishing one at a time) counts the same under both rules, so only the
batch suites changed. Run by run against the per-trial rule (18 problems x 20 seeds), the
normalized score changed by -0.3 +- 1.2 / +2.9 +- 2.5 at 25 / 48 evaluations with batches of 4
(107 runs better, 76 worse at 48, p = 0.09) and by -1.8 +- 1.3 / -3.0 +- 2.5 with batches of 8
(100 better, 96 worse): no significant difference either way; the rule is TuRBO's own, and
invariant to the order in which a batch is told.

If the model cannot be fitted (it should not happen), the strategy says so with a ``RuntimeWarning``
and falls back to a space-filling proposal.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from amtune._ext import core
from amtune.space import SearchSpace
from amtune.strategies.base import History, SearchSpaceExhausted, Strategy, check_choice
from amtune.strategies.big_history import (
    DEFAULT_BIG_HISTORY_THRESHOLD,
    DEFAULT_LOCAL_POINTS,
    check_big_history_options,
)
from amtune.strategies.random_search import config_keys, unused_discrete
from amtune.strategies.surrogate import LENGTHSCALE_MAPS, env_threads, hyper_dict, input_spec

ACQUISITIONS = dict(core.Acquisition.__members__)  # "LogEI" -> core.Acquisition.LogEI, ...
#: ``region_stall`` -> what the exact mode proposes while the trust region is stalled
_STALL_RULES = {
    "stay": core.StallRule.Stay,
    "global": core.StallRule.Global,
    "design": core.StallRule.Design,
}
#: ``region_ties`` -> how a trial tying the incumbent moves the trust region
_TIE_RULES = {
    "fail": core.TieRule.Fail,
    "neutral": core.TieRule.Neutral,
    "expand": core.TieRule.Expand,
}


#: ``structure_test`` -> what the engine proposes while the model has found no structure
_UNSTRUCTURED = {
    "off": core.Unstructured.Model,
    "design": core.Unstructured.Design,
    "global": core.Unstructured.Global,
}
#: ``noise_selection`` -> how a full fit chooses between the learned-noise and the noiseless model
_NOISE_SELECTION = {
    "bic": core.NoiseSelection.Bic,
    "loo": core.NoiseSelection.Loo,
    "sample": core.NoiseSelection.Sample,
}
#: ``region_counting`` -> what the trust region counts as one success or failure
_COUNTING = {"trial": core.RegionCounting.Trial, "batch": core.RegionCounting.Batch}


def _is_int(x: Any) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


#: fitted lengthscale (encoded unit scale) from which the model treats a range as irrelevant: a
#: proposal must then differ from every evaluated configuration in another range
DEFAULT_IRRELEVANT_LENGTHSCALE = 100.0

#: the noise probe skips finite spaces of fewer than this many times ``n_initial`` configurations
#: (a design choice, not a measured optimum: a tuning job may evaluate every configuration of such
#: a space, and a replicate would take the place of one of them)
_PROBE_MIN_SPACE = 10

#: size of the initial space-filling design (see the module docstring for the evidence)
DEFAULT_N_INITIAL = 10


#: the smallest budget-capped design (5 points: the old default's floor, and the size the
#: small-budget ablation supported; 3 was worse)
MIN_BUDGET_N_INITIAL = 5


def default_n_initial(dim: int, budget: int | None = None) -> int:
    """Size of the initial space-filling design for ``dim`` ranges: 10 whatever ``dim``
    (``min(max(5, dim + 1), 10)`` before issue 12's ablation); with a known ``budget`` of
    trials, at most a quarter of it (SMAC3's cap on its initial design, ``max_ratio=0.25``,
    Lindauer et al. 2022) and never below 5.

    >>> default_n_initial(4), default_n_initial(4, budget=12), default_n_initial(4, budget=30)
    (10, 5, 8)
    """
    if budget is None:
        return DEFAULT_N_INITIAL
    return min(DEFAULT_N_INITIAL, max(MIN_BUDGET_N_INITIAL, math.ceil(budget / 4)))


def improved(y: np.ndarray) -> bool:
    """Whether the last finished trial improved on the earlier ones by TuRBO's margin
    (``y[-1] < best - 1e-3 |best|``, Eriksson et al. 2019); a failed trial (NaN) never does."""
    prev = y[:-1][np.isfinite(y[:-1])]
    if y.size == 0 or prev.size == 0 or not np.isfinite(y[-1]):
        return False
    best = float(prev.min())
    return bool(y[-1] < best - 1e-3 * abs(best))


def local_step_next(schedule: str, last_local: bool, y: np.ndarray) -> bool:
    """Whether the next model-based proposal searches the trust region (else the whole space).

    ``y``: finished values in finishing order (minimization); ``last_local``: the kind of the
    previous model-based proposal. ``"alternate"`` is TREGO's rule (Diouane et al. 2023): a
    global step, and one local step after each global step that did not improve.
    ``"adaptive"`` keeps the kind of step that just improved and switches after one that did
    not: local steps go on while they improve (TuRBO), global ones while they do (EGO).

    >>> y = np.array([3.0, 2.0, 2.5])            # the last trial did not improve
    >>> local_step_next("alternate", False, y), local_step_next("adaptive", True, y)
    (True, False)
    """
    up = improved(y)
    if schedule == "adaptive":
        return last_local == up
    return not last_local and not up


class BayesianSearch(Strategy):
    """Gaussian-process Bayesian optimization (``strategy="Bayesian"``).

    Options (keyword arguments, also accepted by ``Optimizer(..., **options)``):

    ``acquisition``
        ``"LogEI"`` (default), ``"UCB"`` or ``"PI"``.
    ``n_initial``
        Size of the initial space-filling design; default 10 (``DEFAULT_N_INITIAL``), or with a
        ``budget`` a quarter of it, at least 5 (:func:`default_n_initial`).
    ``budget``
        The number of trials planned, when known (a tuning job passes its ``max_jobs``,
        ``AmtuneSearchCV`` its ``n_iter``); ``None`` (default): unknown. Only the default initial
        design uses it.
    ``deterministic``
        ``None`` (default): every full hyperparameter fit chooses between a learned noise variance
        and a noiseless model by their evidence (see the module docstring); ``True``: the objective
        has no noise, the noise variance is fixed at ``1e-8``; ``False``: always learned.
    ``ucb_kappa``
        Exploration weight of UCB (default 1.96, as scikit-optimize).
    ``num_threads``
        Threads of the compiled core; default ``AMTUNE_NUM_THREADS`` or all cores. Results do not
        depend on it.
    ``output_warping``
        Apply the Yeo-Johnson output transform with an exponent in ``{1, 1/2, 0}`` chosen by the
        model's evidence (default ``True``); ``False`` only standardizes.
    ``half_rank``
        With ``output_warping``, first replace the values worse than the median by normal
        quantiles of their ranks on the scale of the better half (the half-rank warping of Google
        Vizier's GP bandit, Song et al. 2024), so that a diverging training job's huge loss counts
        as one more bad value instead of flattening the differences between good ones (default
        ``True``; ``False`` is the default before issue 12's output-warping round).
    ``half_rank_from``
        The number of finished trials from which the half-rank warping applies (default 10, the
        default design's size, on which the warping was measured; a job of at most 20 trials has a
        5-point design, and warping from 5 trials cost it 6-8 points of normalized score on the
        noisy tuning suite, issue 12's half-rank-start round). ``3`` is the default before that
        round.
    ``max_fit_points``
        Largest number of trials the hyperparameter fit uses (default 128: the best quarter plus a
        space-filling selection of the rest; the posterior uses every trial up to
        ``big_history_threshold``).
    ``big_history_threshold``
        Number of finished trials beyond which the big-history mode is used (default
        ``DEFAULT_BIG_HISTORY_THRESHOLD``; ``None``: never, the exact model on every trial). The
        posterior is then conditioned on the ``local_points`` trials nearest to the incumbent plus
        the fit subset, so a proposal costs about the same at 1,000 or 50,000 trials; see
        :mod:`amtune.strategies.big_history`.
    ``local_points``
        Trials of the local model in the big-history mode (default 256).
    ``local_fraction``
        Share of the proposals made inside the trust region once it is in use (default 0.9; 0:
        never, every proposal maximizes the acquisition over the whole space).
    ``trust_region_after``
        Finished trials before the trust region is used (default 0: from the first model-based
        proposal); the big-history mode always uses it.
    ``categorical_region``
        ``"free"`` (default): a categorical range may take any of its values inside the trust
        region (the order of its encoded cells is arbitrary, so a box would only allow the values
        that happen to be encoded next to the incumbent's; CASMOPOLITAN, Wan et al. 2021, bounds
        categoricals by Hamming distance for the same reason); ``"box"``: bounded by the region
        like a numeric range, by encoded cell (the behaviour before issue 12).
    ``integer_region``
        ``"box"`` (default): an integer range is bounded by the trust region like a continuous one;
        ``"neighbours"``: the incumbent's neighbouring values (+- 1) always lie inside the region.
    ``region_ties``
        How a trial that ties the incumbent's value (a distinct configuration with the same loss:
        a plateau) moves the trust region. ``"expand"`` (default): like an improving trial, so
        three in a row double the region, as CMA-ES enlarges its step size when a generation's
        values tie (flat fitness, Hansen 2016); ``"fail"``: like any non-improving trial, towards a
        halving (TuRBO; the default before issue 12's plateau round), which pins the search to the
        plateau; ``"neutral"``: neither way. See "Plateaus" in the module docstring.
    ``region_counting``
        What the trust region counts as one success or failure. ``"batch"`` (default): the trials
        learnt since the previous proposal, together: TuRBO's rule for batches of q (Eriksson et
        al. 2019), a success when the batch's best trial improves on the incumbent, the region
        doubling after 3 successful batches and halving once failed batches hold max(4, d)
        trials; ``"trial"``: every trial on its own, in the order they finished (the behaviour
        before this option), so that in a batch with one improving trial the others count as
        failures. With one trial learnt per proposal (``ask(1)`` then ``tell``, or parallel
        training jobs finishing one at a time) the two are the same.
    ``region_noise_ties``
        ``False`` (default). ``True``: when the model learns a noise variance s^2, a trial whose
        value is no worse than the incumbent's posterior mean plus 1.96 sqrt(2) s (the difference
        of two noisy observations is not significant at 5%) ties it, and moves the region as
        ``region_ties`` says: with ``"expand"``, such trials grow the region as UH-CMA-ES grows its
        step size when noise dominates the ranking (Hansen et al. 2009). On a plateau measured
        with noise no trial ties exactly, so without it the region shrinks around the luckiest
        draw of the plateau.
        Issue 12's noise-tie round, run by run against the default (10 seeds): +13.4 +- 5.4 at 50
        evaluations on the held-out XGBoost problems with noise (p = 0.04; the plateau of
        xgbdoc-breast left in 5 seeds of 10 instead of 3), -1.0 +- 0.8 at 50 on BBOB d = 2
        (p = 0.05), no measurable change on the other suites: an option for noisy metrics.
    ``plugin_incumbent``
        ``True``: when the model learns a noise variance, EI's incumbent and the trust region's
        centre are the evaluated configuration with the lowest posterior mean (the plug-in rule of
        Picheny et al. 2013), not the lowest observed value, which under noise is the luckiest
        draw; a noiseless model reproduces the observed values, so it changes nothing there.
        ``False`` (default): the lowest observed value; on the noisy tuning suite the plug-in rule
        made no measurable difference (``benchmarks/results/quality.md``, "Ablations"). What a
        tuning job reports as its best training job is the best observed metric either way, as
        SageMaker does.
    ``irrelevant_lengthscale``
        Fitted lengthscale (encoded unit scale) from which a range counts as irrelevant: proposals
        differ from every evaluated or pending configuration in some other range (default 100,
        ``DEFAULT_IRRELEVANT_LENGTHSCALE``; ``None``: only exact repeats are avoided, the behaviour
        before issue 12's change).
    ``lengthscale_map``
        How the lengthscales' MAP reads the dimension-scaled log-normal prior of Hvarfner et al.
        (2024), ``LogNormal(sqrt(2) + log(d) / 2, sqrt(3))``: ``"length"`` (default) maximizes the
        density of ``l`` itself, as BoTorch does (GPyTorch evaluates the prior on the lengthscale),
        whose ``-log l`` term puts the mode at ``e^(mu - sigma^2)`` (0.65 at d = 10); ``"log"``
        the density of ``log l``, mode ``e^mu`` (13 at d = 10), the default before issue 12's
        ablation (see the module docstring).
    ``noise_map``
        How a learned noise variance's MAP reads BoTorch's likelihood prior ``LogNormal(-4, 1)``:
        ``"log"`` (default) maximizes the density of ``log sigma^2``, mode ``e^-4`` of the
        standardized variance; ``"variance"`` the density of ``sigma^2`` itself, as BoTorch does,
        mode ``e^-5``. With ``deterministic=False`` on the noisy tuning suite the lower mode lost
        the gain that learning the noise brings there (``benchmarks/results/quality.md``,
        "Ablations"), so it is not the default.
    ``noise_prior``
        The learned noise variance's prior: ``"lognormal"`` (default), BoTorch's
        ``LogNormal(-4, 1)`` read as ``noise_map`` says; ``"gamma"``, Optuna GPSampler's
        ``Gamma(1.1, 30)`` on the standardized variance (mode 0.0033, mean 0.037), which lets the
        variance fall towards its floor when the data need no noise. With ``deterministic=False``
        against the default (10 seeds) it lost -8.6 / -14.0 normalized-score points at 25 / 50
        evaluations on the tuning suite (p <= 0.016) and gained only +3.6 / -2.5 on its noisy
        variant, less than ``deterministic=False`` with the log-normal prior, so it is not used.
    ``noise_selection``
        How a full fit chooses between the learned-noise and the noiseless model (with
        ``deterministic=None``): ``"bic"`` (default) by their posteriors with the BIC penalty of
        the noise parameter; ``"loo"`` by their leave-one-out predictive log densities (Rasmussen
        & Williams 2006, section 5.4.2), which tells real noise from structure more often on few
        points (``tests/test_noise_selection.py``) but made no measurable difference on BBOB d = 2
        and 5 or on the noisy tuning suite, so it is not the default; ``"sample"`` draws the model
        from its approximate posterior probability, ``P(M | D)`` proportional to ``exp(-BIC / 2)``
        (Hoeting et al. 1999), at every full fit, so that a noise model the evidence cannot rule out
        is used in proportion to its probability rather than never; on the noisy tuning suite it
        changed nothing measurable (+0.6 +- 3.3 normalized-score points at 50 evaluations) and
        cost -4.5 +- 1.8 at 25 on the deterministic one, so it is not the default either.
    ``region_schedule``
        Which model-based proposals search the trust region (exact mode; the big-history mode
        always uses the fixed schedule). ``"fixed"`` (default): ``local_fraction`` of them.
        ``"alternate"``: TREGO's rule (Diouane et al. 2023): global log-EI proposals, and one
        inside the region after each global proposal that did not improve the best value by
        TuRBO's margin. ``"adaptive"``: keep the kind of proposal that just improved, switch after
        one that did not. All the proposals of one ``ask(n)`` are of one kind. On the tuning
        suite ``"alternate"`` halves the share of proposals that nearly repeat an earlier
        configuration (21% -> 11%) and escapes the plateaus of decision trees, but on BBOB d = 2
        it is worse at 50 evaluations (``benchmarks/results/quality.md``, "Ablations"), so it is
        not the default.
    ``region_stall``
        What the exact mode does when its trust region has stalled: at its largest side and no
        improvement (by TuRBO's margin) in the last max(4, d) trials, the failures after which
        TuRBO halves it. Only ties hold a region there (``region_ties="expand"``): a plateau wider
        than the region, where TuRBO's restart, which follows a shrinking region, never comes.
        ``"stay"`` (default): the region goes on as before. ``"global"``: the model-based
        proposals maximize the acquisition over the whole space until one improves, TREGO's
        global step (Diouane et al. 2023) taken only when the region cannot adapt. ``"design"``:
        the proposals go on with the space-filling initial design until one improves, as TuRBO
        restarts with a new design (Eriksson et al. 2019), the model keeping every trial.
        Issue 12's stall round, run by run against the default at 50 evaluations (10 seeds;
        ``benchmarks/results/quality.md``, "Ablations"): ``"design"`` +1.3 +- 2.0 on the tuning
        suite (dt-breast's median 0.093 -> 0.088, Random's) but -10.9 +- 4.8 on the held-out
        XGBoost problems (p = 0.03; their plateaus are left better from the region than by
        space-filling points); ``"global"`` -2.0 +- 1.9 on the tuning suite (p = 0.05) and
        -1.4 +- 1.4 on XGBoost: on dt-breast the whole-space maximizer stays on the plateau too,
        since the model fitted to its ties finds the other ranges irrelevant. BBOB changes only
        where values tie (the step ellipsoid f7). Neither is the default.
    ``structure_test``
        ``"off"`` (default): the model proposes from the first trial after the design.
        ``"design"`` and ``"global"``: until the GP fits the finished trials better than any of 19
        random shuffles of their values (a permutation test at the 5% level: the model has found
        structure), the space-filling design goes on (``"design"``), or the acquisition is
        maximized over the whole space without the trust region (``"global"``), whose centre is
        then only the luckiest draw; with ``"global"`` the model also learns a noise variance
        meanwhile (a noiseless one interpolates the noise). On noise the fitted GP often reads the
        noise as a signal and the region's proposals chase that draw. ``model_info()["structured"]``
        says whether the test has passed. Issue 12's structure round, run by run against the
        default (10 seeds; ``benchmarks/results/quality.md``, "Ablations"): ``"global"`` changes
        the normalized score by +4.9 +- 2.4 at 25 evaluations on the noisy tuning suite (p = 0.04;
        -0.2 at 50), +9.0 +- 5.3 at 50 on the held-out XGBoost problems with noise (the plateau of
        xgbdoc-breast is left in 6 seeds of 10 instead of 3) and +7.2 +- 3.4 at 48 with batches of
        8, but by -5.2 +- 3.3 at 50 on the deterministic tuning suite (p = 0.05; -3.3 +- 2.4 with
        seeds 10-19 pooled) and -2.3 +- 1.3 at 100 on BBOB d = 5 (p = 0.02), and amtune's mean
        rank on the noisy suite hardly moves: on few points the test often misses real structure
        (it passed on 78 of the tuning suite's 190 first designs) and those proposals are worse
        than the region's. ``"design"`` loses on BBOB (-4.5 +- 1.1 at 25 at d = 10, p < 0.001):
        a plateau that only a corner of the space escapes is not left by space-filling points
        either.
    ``noise_probe``
        ``False`` (default). ``True``: the last point of the initial design re-evaluates the best
        finished trial, once, when the noise model is chosen by evidence (``deterministic=None``;
        not on finite spaces of fewer than 10 ``n_initial`` configurations). Two values of one
        configuration settle the noise-model choice that 10-30 distinct points leave open (pure
        error, as in response-surface lack-of-fit tests): an identical value keeps the noiseless
        model, a different one makes the next full fit choose the learned noise
        (``tests/test_noise_probe.py``). Issue 12's probe round, run by run against the default
        (10 seeds; ``benchmarks/results/quality.md``, "Ablations"): +2.6 +- 3.5 / -1.8 +- 4.3 at
        25 / 50 evaluations on the noisy tuning suite, -7.2 +- 3.2 / -9.1 +- 4.2 on the
        deterministic one (p = 0.03 at 50). One evaluation of the default is worth 2.6-2.8 points
        there, and every deterministic run pays it, so it is not the default.

    >>> import amtune
    >>> space = amtune.SearchSpace({"x": amtune.ContinuousParameter(-2.0, 2.0),
    ...                             "k": amtune.IntegerParameter(1, 5)})
    >>> opt = amtune.Optimizer(space, strategy="Bayesian", random_seed=1)
    >>> for _ in range(12):
    ...     trial = opt.ask()[0]
    ...     _ = opt.tell(trial.id, (trial.params["x"] - 0.5) ** 2 + abs(trial.params["k"] - 3))
    >>> opt.best.value < 0.5
    True
    """

    name = "Bayesian"

    def __init__(
        self,
        acquisition: str = "LogEI",
        n_initial: int | None = None,
        deterministic: bool | None = None,
        ucb_kappa: float = 1.96,
        num_threads: int | None = None,
        max_fit_points: int = 128,
        output_warping: bool = True,
        half_rank: bool = True,
        half_rank_from: int = 10,
        big_history_threshold: int | None = DEFAULT_BIG_HISTORY_THRESHOLD,
        local_points: int = DEFAULT_LOCAL_POINTS,
        local_fraction: float = 0.9,
        trust_region_after: int = 0,
        categorical_region: str = "free",
        integer_region: str = "box",
        region_ties: str = "expand",
        region_counting: str = "batch",
        region_noise_ties: bool = False,
        region_schedule: str = "fixed",
        region_stall: str = "stay",
        plugin_incumbent: bool = False,
        irrelevant_lengthscale: float | None = DEFAULT_IRRELEVANT_LENGTHSCALE,
        lengthscale_map: str = "length",
        noise_map: str = "log",
        noise_prior: str = "lognormal",
        noise_selection: str = "bic",
        structure_test: str = "off",
        noise_probe: bool = False,
        budget: int | None = None,
    ) -> None:
        if acquisition not in ACQUISITIONS:
            raise ValueError(
                f"acquisition must be one of {sorted(ACQUISITIONS)}, got {acquisition!r}"
            )
        if n_initial is not None and (not _is_int(n_initial) or n_initial < 1):
            raise ValueError(f"n_initial must be a positive integer or None, got {n_initial!r}")
        if budget is not None and (not _is_int(budget) or budget < 1):
            raise ValueError(f"budget must be a positive integer or None, got {budget!r}")
        if deterministic is not None and not isinstance(deterministic, (bool, np.bool_)):
            raise TypeError(f"deterministic must be a bool or None, got {deterministic!r}")
        if (
            isinstance(ucb_kappa, bool)
            or not isinstance(ucb_kappa, (int, float))
            or not (np.isfinite(ucb_kappa) and ucb_kappa >= 0)
        ):
            raise ValueError(f"ucb_kappa must be a finite number >= 0, got {ucb_kappa!r}")
        if num_threads is not None and (not _is_int(num_threads) or num_threads < 1):
            raise ValueError(f"num_threads must be a positive integer or None, got {num_threads!r}")
        if not _is_int(max_fit_points) or max_fit_points < 8:
            raise ValueError(f"max_fit_points must be an integer >= 8, got {max_fit_points!r}")
        self.acquisition = acquisition
        self.n_initial = None if n_initial is None else int(n_initial)
        self.budget = None if budget is None else int(budget)
        self.deterministic = None if deterministic is None else bool(deterministic)
        self.ucb_kappa = float(ucb_kappa)
        self.num_threads = num_threads
        if num_threads is None:
            env_threads()  # a bad AMTUNE_NUM_THREADS fails here, before any job starts
        self.max_fit_points = int(max_fit_points)
        if not isinstance(output_warping, (bool, np.bool_)):
            raise TypeError(f"output_warping must be a bool, got {output_warping!r}")
        self.output_warping = bool(output_warping)
        if not isinstance(half_rank, (bool, np.bool_)):
            raise TypeError(f"half_rank must be a bool, got {half_rank!r}")
        self.half_rank = bool(half_rank)
        if not _is_int(half_rank_from) or half_rank_from < 0:
            raise ValueError(f"half_rank_from must be an integer >= 0, got {half_rank_from!r}")
        self.half_rank_from = int(half_rank_from)
        self.big_history_threshold, self.local_points = check_big_history_options(
            big_history_threshold, local_points
        )
        if (
            isinstance(local_fraction, bool)
            or not isinstance(local_fraction, (int, float))
            or not (0.0 <= local_fraction <= 1.0)
        ):
            raise ValueError(f"local_fraction must be a number in [0, 1], got {local_fraction!r}")
        if not _is_int(trust_region_after) or trust_region_after < 0:
            raise ValueError(
                f"trust_region_after must be an integer >= 0, got {trust_region_after!r}"
            )
        self.categorical_region = check_choice(
            "categorical_region", categorical_region, ("box", "free")
        )
        self.integer_region = check_choice("integer_region", integer_region, ("box", "neighbours"))
        self.region_ties = check_choice("region_ties", region_ties, _TIE_RULES)
        self.region_counting = check_choice("region_counting", region_counting, _COUNTING)
        if not isinstance(region_noise_ties, (bool, np.bool_)):
            raise TypeError(f"region_noise_ties must be a bool, got {region_noise_ties!r}")
        self.region_noise_ties = bool(region_noise_ties)
        self.region_schedule = check_choice(
            "region_schedule", region_schedule, ("fixed", "alternate", "adaptive")
        )
        self.region_stall = check_choice("region_stall", region_stall, _STALL_RULES)
        if not isinstance(plugin_incumbent, (bool, np.bool_)):
            raise TypeError(f"plugin_incumbent must be a bool, got {plugin_incumbent!r}")
        self.plugin_incumbent = bool(plugin_incumbent)
        if irrelevant_lengthscale is not None and (
            isinstance(irrelevant_lengthscale, bool)
            or not isinstance(irrelevant_lengthscale, (int, float))
            or not (np.isfinite(irrelevant_lengthscale) and irrelevant_lengthscale > 1.0)
        ):
            raise ValueError(
                "irrelevant_lengthscale must be a finite number > 1 or None, "
                f"got {irrelevant_lengthscale!r}"
            )
        self.lengthscale_map = check_choice("lengthscale_map", lengthscale_map, LENGTHSCALE_MAPS)
        self.noise_map = check_choice("noise_map", noise_map, ("log", "variance"))
        self.noise_prior = check_choice("noise_prior", noise_prior, ("lognormal", "gamma"))
        self.noise_selection = check_choice(
            "noise_selection", noise_selection, tuple(_NOISE_SELECTION)
        )
        self.structure_test = check_choice("structure_test", structure_test, tuple(_UNSTRUCTURED))
        if not isinstance(noise_probe, (bool, np.bool_)):
            raise TypeError(f"noise_probe must be a bool, got {noise_probe!r}")
        self.noise_probe = bool(noise_probe)
        self.irrelevant_lengthscale = (
            None if irrelevant_lengthscale is None else float(irrelevant_lengthscale)
        )
        self.local_fraction = float(local_fraction)
        self.trust_region_after = int(trust_region_after)

    def bind(self, space: SearchSpace, seed: int) -> None:
        super().bind(space, seed)
        threads = self.num_threads or env_threads()
        self._engine = core.BayesEngine(
            space.engine,
            input_spec(space),
            acquisition=ACQUISITIONS[self.acquisition],
            kappa=self.ucb_kappa,
            deterministic=self.deterministic is True,
            select_noise=self.deterministic is None,
            threads=max(threads, 0),
            max_fit_points=self.max_fit_points,
            output_warping=self.output_warping,
            big_threshold=self.big_history_threshold or 0,
            local_points=self.local_points,
            plugin_incumbent=self.plugin_incumbent,
            irrelevant_lengthscale=self.irrelevant_lengthscale or 0.0,
            ls_map_on_length=self.lengthscale_map == "length",
            noise_map_on_variance=self.noise_map == "variance",
            noise_prior_gamma=self.noise_prior == "gamma",
            noise_selection=_NOISE_SELECTION[self.noise_selection],
            unstructured=_UNSTRUCTURED[self.structure_test],
            half_rank=self.half_rank,
            half_rank_from=self.half_rank_from,
        )
        self._set_region(self.local_fraction)
        self._n_init = (
            self.n_initial
            if self.n_initial is not None
            else default_n_initial(space.dim, self.budget)
        )
        self._design_seed = self.next_seed()
        self._design_index = 0
        self._last_local = False
        self._replicated = False
        self._probe_row: np.ndarray | None = None

    # ------------------------------------------------------------------ proposals
    @property
    def initial_design_size(self) -> int:
        """The number of initial-design points (``n_initial`` or its default), once bound."""
        return int(self._n_init)

    def ask(self, n: int, history: History) -> np.ndarray:
        space = self.space
        if space.dim == 0:  # no range: one configuration, proposed once
            used = history.n + len(history.pending)
            if n > 1 - used:
                raise SearchSpaceExhausted(
                    f"the search space has no range, so 1 configuration, and {used} is already "
                    f"evaluated or pending: cannot propose {n} more"
                )
            return np.empty((n, 0))
        pending = np.asarray(history.pending, dtype=np.float64).reshape(-1, space.dim)
        if space.is_finite:
            used = len(self._seen(history, pending))
            if n > (space.size or 0) - used:
                raise SearchSpaceExhausted(
                    f"the search space has {space.size} distinct configurations and {used} are "
                    f"already evaluated or pending: cannot propose {n} more"
                )
        y = np.asarray(history.y, dtype=np.float64)
        n_valid = int(np.isfinite(y).sum())
        probing = self._probing(history, pending)
        n_halton = self._n_init - 1 if probing else self._n_init
        issued = history.n + history.pending.shape[0]
        n_design = 0
        if n_valid == 0:
            n_design = n
        else:
            n_design = min(n, max(0, n_halton - issued))
        out: list[np.ndarray] = []
        if n_design:
            out.append(self._design(n_design, history, pending))
        n_model = n - n_design
        if probing and n_valid and n_model and issued + n_design >= n_halton:
            best = int(np.nanargmin(np.where(np.isfinite(y), y, np.nan)))
            self._probe_row = self.space.canonicalize(np.asarray(history.X[best : best + 1]))
            out.append(self._probe_row)
            self._replicated = True
            n_model -= 1
        if n_model:
            pend = np.vstack([pending, *out]) if out else pending
            out.append(self._model(n_model, history, pend))
        return np.vstack(out)

    def claim_replicate(self, x: np.ndarray) -> bool:
        """``True`` once for the noise probe's replicate (see ``noise_probe``)."""
        row = self._probe_row
        x = self.space.canonicalize(np.atleast_2d(np.asarray(x, dtype=np.float64)))
        # the tuning job compares decoded-then-encoded rows: continuous coordinates within 1e-12
        if row is None or not np.all(np.abs(x - row) <= 1e-12):
            return False
        self._probe_row = None
        return True

    def _probing(self, history: History, pending: np.ndarray) -> bool:
        """Whether a replicate of the best trial is still due (see ``noise_probe``): the noise
        model is chosen by evidence and no configuration was evaluated twice yet."""
        if not self.noise_probe or self.deterministic is not None or self._replicated:
            return False
        if self.space.is_finite and (self.space.size or 0) < _PROBE_MIN_SPACE * self._n_init:
            return False
        rows = [a for a in (history.X, pending) if a.size]
        if rows:
            stacked = np.vstack(rows)
            self._replicated = len(self._seen(history, pending)) < stacked.shape[0]
        return not self._replicated

    def _seen(self, history: History, extra: np.ndarray) -> set[bytes]:
        rows = [a for a in (history.X, extra) if a.size]
        if not rows:
            return set()
        return set(config_keys(self.space.canonicalize(np.vstack(rows))))

    def _design(self, n: int, history: History, pending: np.ndarray) -> np.ndarray:
        """Next points of the scrambled Halton design, skipping used configurations."""
        space = self.space
        seen = self._seen(history, pending)
        out: list[np.ndarray] = []
        tries = 0
        while len(out) < n and tries < 8 * n + 64:
            row = space.canonicalize(
                np.asarray(core.halton(1, space.dim, self._design_seed, self._design_index))
            )
            self._design_index += 1
            tries += 1
            key = config_keys(row)[0]
            if space.is_finite and key in seen:
                continue
            seen.add(key)
            out.append(row[0])
        if len(out) < n:  # a nearly exhausted finite space: draw unused configurations
            taken = np.vstack([pending, *out]) if out else pending
            sub = History(X=history.X, y=history.y, pending=taken)
            out.extend(unused_discrete(self, n - len(out), sub))
        return np.array(out).reshape(n, space.dim)

    def _set_region(self, local_fraction: float) -> None:
        self._engine.set_trust_region(
            local_fraction,
            self.trust_region_after,
            self.categorical_region == "free",
            self.integer_region == "neighbours",
            _TIE_RULES[self.region_ties],
            _COUNTING[self.region_counting],
            self.region_noise_ties,
            _STALL_RULES[self.region_stall],
        )

    def _model(self, n: int, history: History, pending: np.ndarray) -> np.ndarray:
        X = np.ascontiguousarray(history.X, dtype=np.float64)
        y = np.ascontiguousarray(history.y, dtype=np.float64)
        if self.region_schedule != "fixed":
            local = local_step_next(self.region_schedule, self._last_local, y)
            self._set_region(1.0 if local else 0.0)
            self._last_local = local
        try:
            P = np.asarray(
                self._engine.propose(X, y, np.ascontiguousarray(pending), int(n), self.next_seed())
            )
        except RuntimeError as exc:
            warnings.warn(
                f"Bayesian strategy: the Gaussian-process model could not be used ({exc}); "
                "falling back to a space-filling proposal",
                RuntimeWarning,
                stacklevel=3,
            )
            P = np.empty((0, self.space.dim))
        # fewer: the finite space has few unused configurations left, a fallback, or no structure
        # found yet (design_until_structure): the design goes on
        if P.shape[0] < n:
            taken = np.vstack([pending, P]) if P.size else pending
            sub = History(X=history.X, y=history.y, pending=taken)
            rest = self._design(n - P.shape[0], sub, taken)
            P = np.vstack([P, rest]) if P.size else rest
        return P

    def model_info(self) -> dict[str, Any]:
        """How the last proposal was made: ``mode`` (``"exact"`` or ``"big-history"``),
        ``model_points``, the number of finished trials the posterior was conditioned on,
        ``pending_fantasies``, the number of pending trials it conditioned on as Kriging-believer
        fantasies (all of them up to 64; beyond, the 64 nearest the incumbent), ``structured``,
        whether the model has found structure (always ``True`` with ``structure_test="off"``),
        and ``trust_region`` (``length``, ``successes``, ``failures``, ``restarts``, ``stale``:
        the trials since the last improvement): the region
        of the last proposal (in the exact mode, as of the last proposal made inside it)."""
        info: dict[str, Any] = {
            "mode": "big-history" if self._engine.big_mode else "exact",
            "model_points": int(self._engine.model_points),
            "pending_fantasies": int(self._engine.pending_fantasies),
            "structured": bool(self._engine.structured),
        }
        tr = self._engine.trust_region
        info["trust_region"] = {
            "length": tr.length,
            "successes": tr.successes,
            "failures": tr.failures,
            "restarts": tr.restarts,
            "stale": tr.stale,
        }
        return info

    def hyperparameters(self) -> dict[str, Any]:
        """The fitted GP hyperparameters (lengthscales in log form, noise, warping, ...)."""
        out = hyper_dict(self._engine.hyper)
        out["output_lambda"] = self._engine.output_lambda
        out["warping"] = self._engine.uses_warping
        out["learns_noise"] = self._engine.learns_noise
        if self.noise_selection == "sample":
            # the learned-noise model's probability at the last full fit (NaN before one)
            out["noise_probability"] = self._engine.noise_probability
        return out
