"""Every binding of the compiled core checks its arguments (issue 10, item 13): shapes, lengths,
ranges and finite values, with a ValueError naming the function and the argument; no input reaches
undefined behaviour (before these checks, ``output_transform`` of an empty array crashed the
interpreter and ``GP.fit`` of a too-wide ``X`` or a NaN ``y`` returned garbage silently)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from amtune._ext import core

K, S = core.Kind, core.Scale
SPEC = core.InputSpec([K.Continuous, K.Integer, K.Categorical], [0, 10, 3], [True, False, False])
NAN = float("nan")


def gp(n=6):
    g = core.GP(SPEC, np.zeros(3))
    rng = np.random.default_rng(0)
    g.fit(rng.random((n, 3)), rng.standard_normal(n))
    return g


def space():
    return core.Space(
        [K.Continuous, K.Integer, K.Categorical], [S.Linear] * 3, [0.0, 1, 0], [1.0, 10, 3]
    )


def engine():
    return core.BayesEngine(space(), SPEC)


X3 = np.random.default_rng(1).random((6, 3))
Y6 = np.arange(6.0)

CASES = {
    # output transform: the empty array used to be a segmentation fault
    "transform-empty": (lambda: core.OutputTransform().fit(np.array([])), "at least one value"),
    "transform-nan": (lambda: core.OutputTransform().fit(np.array([1.0, NAN])), "finite"),
    "transform-lam": (lambda: core.OutputTransform().transform(Y6, 3.0), "lam"),
    # GP
    "gp-fit-width": (
        lambda: core.GP(SPEC, np.zeros(3)).fit(np.zeros((4, 5)), np.zeros(4)),
        "3 columns",
    ),
    "gp-fit-length": (lambda: core.GP(SPEC, np.zeros(3)).fit(X3, np.zeros(4)), "6 entries"),
    "gp-fit-nan-y": (
        lambda: core.GP(SPEC, np.zeros(3)).fit(X3, np.r_[Y6[:5], NAN]),
        "y must be finite",
    ),
    "gp-fit-nan-x": (
        lambda: core.GP(SPEC, np.zeros(3)).fit(np.full((2, 3), NAN), np.zeros(2)),
        "finite",
    ),
    "gp-fit-outside": (lambda: core.GP(SPEC, np.zeros(3)).fit(X3 + 1.5, Y6), r"\[0, 1\]"),
    "gp-log-ls": (lambda: core.GP(SPEC, np.zeros(2)), "log_ls must have 3 entries"),
    "gp-log-wa": (lambda: core.GP(SPEC, np.zeros(3), log_wa=np.zeros(2)), "log_wa must have 1"),
    "gp-predict-width": (lambda: gp().predict(np.zeros((2, 2))), "3 columns"),
    "gp-predict-grad-size": (lambda: gp().predict_grad(np.zeros(4)), "3 columns"),
    "gp-append-width": (lambda: gp().append(np.zeros((1, 4)), np.zeros(1)), "3 columns"),
    "gp-append-length": (lambda: gp().append(np.zeros((2, 3)), np.zeros(1)), "2 entries"),
    "gp-append-nan": (lambda: gp().append(np.zeros((1, 3)), np.array([NAN])), "finite"),
    "gp-set-y": (lambda: gp().set_y(np.zeros(5)), "6 entries"),
    "gp-truncate": (lambda: gp().truncate(7), r"\[0, 6\]"),
    "gp-fit-rows": (lambda: gp().fit_rows(X3, Y6, [0, 6]), "row indices"),
    "gp-acquisition-kappa": (
        lambda: gp().acquisition_grad(core.Acquisition.UCB, 0.0, -1.0, np.zeros(3)),
        "kappa",
    ),
    "nlp-theta": (lambda: core.gp_neg_log_posterior(SPEC, X3, Y6, np.zeros(2)), "theta must have"),
    "nlp-nan-y": (
        lambda: core.gp_neg_log_posterior(SPEC, X3, np.r_[Y6[:5], NAN], np.zeros(8)),
        "y must be finite",
    ),
    "spec-lengths": (
        lambda: core.InputSpec([K.Continuous], [0, 1], [False]),
        "one entry per dimension",
    ),
    "spec-card": (lambda: core.InputSpec([K.Categorical], [0], [False]), "no value"),
    "spec-card-64": (lambda: core.InputSpec([K.Categorical], [2**40], [False]), "2\\^31"),
    # engine
    "engine-dim": (
        lambda: core.BayesEngine(space(), core.InputSpec([K.Continuous], [0], [False])),
        "dimensions",
    ),
    "engine-kappa": (lambda: core.BayesEngine(space(), SPEC, kappa=float("inf")), "kappa"),
    "engine-fit-points": (
        lambda: core.BayesEngine(space(), SPEC, max_fit_points=4),
        "max_fit_points",
    ),
    "propose-width": (
        lambda: engine().propose(np.zeros((3, 2)), np.zeros(3), np.zeros((0, 3)), 1, 0),
        "3 columns",
    ),
    "propose-length": (
        lambda: engine().propose(X3, np.zeros(5), np.zeros((0, 3)), 1, 0),
        "one value per row",
    ),
    "propose-inf": (
        lambda: engine().propose(X3, np.r_[Y6[:5], np.inf], np.zeros((0, 3)), 1, 0),
        "finite or NaN",
    ),
    "propose-pending": (
        lambda: engine().propose(X3, Y6, np.zeros((1, 2)), 1, 0),
        "pending must have 3",
    ),
    "propose-q": (lambda: engine().propose(X3, Y6, np.zeros((0, 3)), 0, 0), "q must be >= 1"),
    "fit-all-failed": (lambda: engine().fit(X3, np.full(6, NAN), 0), "at least one finite"),
    "predict-unfitted": (lambda: engine().predict(X3), None),
    "fit-subset-length": (lambda: core.fit_subset(X3, np.zeros(5), 3), "6 entries"),
    "fit-subset-nan": (lambda: core.fit_subset(X3, np.r_[Y6[:5], NAN], 3), "finite"),
    "fit-subset-m": (lambda: core.fit_subset(X3, Y6, 0), "m must be >= 1"),
    "local-rows-center": (lambda: core.local_model_rows(SPEC, np.zeros(3), X3, 6, 2), "center"),
    "local-rows-global": (
        lambda: core.local_model_rows(SPEC, np.zeros(3), X3, 0, 2, [9]),
        "row indices",
    ),
    # optimizer, sequences, special functions
    "box-sizes": (
        lambda: core.minimize_box(lambda x: (0.0, x), np.zeros(2), np.zeros(3), np.ones(2)),
        "lower must have 2",
    ),
    "box-order": (
        lambda: core.minimize_box(lambda x: (0.0, x), np.zeros(2), np.ones(2), np.zeros(2)),
        "lower must be <= upper",
    ),
    "box-gradient": (
        lambda: core.minimize_box(
            lambda x: (0.0, np.zeros(5)), np.zeros(2), np.zeros(2), np.ones(2)
        ),
        "gradient",
    ),
    "halton-n": (lambda: core.halton(-1, 2, 0), "n must be >= 0"),
    "halton-d": (lambda: core.halton(2, 10**6, 0), "d must be"),
    "kumaraswamy-x": (lambda: core.kumaraswamy(1.5, 1.0, 1.0), r"\[0, 1\]"),
    "kumaraswamy-a": (lambda: core.kumaraswamy(0.5, 0.0, 1.0), "> 0"),
    "acquisition-var": (
        lambda: core.acquisition_value(core.Acquisition.LogEI, 0.0, 1.0, 0.0, -1.0),
        "var",
    ),
    "acquisition-nan": (
        lambda: core.acquisition_value(core.Acquisition.LogEI, NAN, 1.0, 0.0, 1.0),
        "best",
    ),
    # space
    "space-encode-nan": (lambda: space().encode(np.array([[NAN, 1.0, 0.0]])), "finite"),
    "space-decode-width": (lambda: space().decode(np.zeros((1, 2))), "3 columns"),
    "space-categorical": (
        lambda: core.Space([K.Categorical], [S.Linear], [0.0], [2.5]),
        "whole number",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_binding_rejects_bad_arguments(name):
    call, match = CASES[name]
    if match is None:  # a call out of order: RuntimeError naming what to do first
        with pytest.raises(RuntimeError, match="call fit first"):
            call()
        return
    with pytest.raises(ValueError, match=match):
        call()


def test_empty_output_transform_is_an_error_not_a_crash():
    # in a child process: before the checks this was a segmentation fault of the interpreter
    code = textwrap.dedent(
        """
        import numpy as np
        from amtune._ext import core
        try:
            core.OutputTransform().fit(np.array([]))
        except ValueError as exc:
            print("ValueError:", exc)
        """
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "ValueError: OutputTransform.fit: y must have at least one value" in r.stdout


def test_valid_calls_still_work():
    g = gp()
    mu, var = g.predict(X3)
    assert np.isfinite(mu).all() and (var >= 0).all()
    g.append(np.zeros((0, 3)), np.zeros(0))  # nothing to append is fine
    assert g.n == 6
    assert core.OutputTransform().fit(np.array([5.0])).tolist() == [0.0]
    assert core.halton(0, 3, 1).shape == (0, 3)
