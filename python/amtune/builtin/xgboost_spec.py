"""XGBoost's hyperparameters as SageMaker's XGBoost algorithm documents and validates them.

Names, types, valid ranges and defaults follow SageMaker's "XGBoost hyperparameters" page and
the recommended tuning ranges its "Tune an XGBoost model" page; the defaults shown are the ones
XGBoost applies when a hyperparameter is not given (amtune passes only the given ones to
``xgboost.train``, as the SageMaker image does).

What differs between the image versions (the version tag of the training or serving image,
:func:`image_version`) is decided here, from the container's source
(``aws/sagemaker-xgboost-container``):

==========================  ===============================  ===================================
                            ``xgboost:1`` (0.72), 0.90-1,    1.2-1 and later
                            0.90-2, 1.0-1
==========================  ===============================  ===================================
``silent`` (0/1)            accepted: ``silent=1`` is        not a hyperparameter (removed from
                            ``verbosity=0``                  ``hyperparameter_validation.py`` by
                                                             the 1.2 release, commit aba19e9,
                                                             PR #134)
==========================  ===============================  ===================================

==========================  ===============================  ===================================
                            ``xgboost:1``, 0.90-1 ... 1.2-1  1.2-2 and later
==========================  ===============================  ===================================
real-time answer            ``text/csv`` whatever the        encoded for the ``Accept``;
                            ``Accept``: ``",".join`` of the  ``text/csv`` one prediction per
                            predictions on one line          line (PRs #271 for 1.2-2, #270 for
                                                             1.3-1, #269 for 1.5-1 and later,
                                                             2022-04)
==========================  ===============================  ===================================

In a batch transform (``SAGEMAKER_BATCH`` set) every version answers one prediction per line.
Parquet channels (``application/x-parquet``) are read by every ``sagemaker-xgboost`` image
(0.90-1 and later), not by the legacy ``xgboost:1`` image (``text/csv``, ``text/libsvm``).

>>> image_version("1.0-1").accepts_silent, image_version("1.2-1").accepts_silent
(True, False)
>>> image_version("1.2-1").csv_answer.value, image_version("1.2-2").csv_answer.value
('comma-joined', 'per-accept')
>>> image_version(None).tag
'1.7-1'
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

from amtune.builtin.hyperparameters import (
    Categorical,
    CommaList,
    Continuous,
    Hyperparameter,
    HyperparameterTable,
    Integer,
    Interval,
    Recommended,
)
from amtune.builtin.metric_specs import XGBOOST, XGBOOST_METRICS_DIRECTION
from amtune.image_uris import DEFAULT_XGBOOST_VERSION, ImageURI

_BOOL = ("true", "false")

OBJECTIVES = (
    "binary:hinge",
    "binary:logistic",
    "binary:logitraw",
    "count:poisson",
    "multi:softmax",
    "multi:softprob",
    "rank:map",
    "rank:ndcg",
    "rank:pairwise",
    "reg:absoluteerror",
    "reg:gamma",
    "reg:linear",  # SageMaker's old name of reg:squarederror (mapped)
    "reg:logistic",
    "reg:pseudohubererror",
    "reg:quantileerror",
    "reg:squarederror",
    "reg:squaredlogerror",
    "reg:tweedie",
    "survival:aft",
    "survival:cox",
)

#: eval_metric values: XGBoost's own and the ones amtune computes like SageMaker's image does.
EVAL_METRICS = (
    *sorted(XGBOOST_METRICS_DIRECTION),
    "aft-nloglik",
    "aucpr",
    "cox-nloglik",
    "gamma-deviance",
    "gamma-nloglik",
    "interval-regression-accuracy",
    "mape",
    "mphe",
    "poisson-nloglik",
    "rmsle",
    "tweedie-nloglik",
)
#: metrics computed by amtune (XGBoost has no such eval_metric); see amtune.builtin.xgb_metrics
CUSTOM_METRICS = ("accuracy", "f1", "mse")


class _EvalMetric(Hyperparameter):
    """An eval_metric item: a known metric, or ``error@t`` / ``ndcg@n`` / ``map@n``."""

    def rule(self) -> str:
        return f"one of {', '.join(EVAL_METRICS)} (or error@t, ndcg@n, map@n)"

    def convert(self, raw: object) -> str:
        s = str(raw).strip()
        if s in EVAL_METRICS:
            return s
        name, at, t = s.partition("@")
        if at and name in ("error", "ndcg", "map", "ndcg-", "map-"):
            float(t)
            return s
        raise ValueError


def _c(name: str, lo: float | None, hi: float | None, **kw: object) -> Continuous:
    lo_open = bool(kw.pop("lo_open", False))
    hi_open = bool(kw.pop("hi_open", False))
    return Continuous(name, Interval(lo, hi, lo_open, hi_open), **kw)


def _rec(lo: float, hi: float) -> Recommended:
    return Recommended(lo, hi, scaling_type="Auto")


HYPERPARAMETERS = HyperparameterTable(
    "xgboost",
    [
        Integer(
            "num_round",
            Interval(1, None),
            required=True,
            recommended=_rec(1, 4000),
            doc="number of boosting rounds",
        ),
        Integer("num_class", Interval(2, None), doc="classes (multi:softmax, multi:softprob)"),
        _c("alpha", 0, None, default=0.0, recommended=_rec(0, 1000), doc="L1 regularization"),
        _c("base_score", None, None, doc="initial prediction score"),
        Categorical("booster", ("gbtree", "gblinear", "dart"), default="gbtree"),
        _c("colsample_bylevel", 0, 1, lo_open=True, default=1.0, recommended=_rec(0.1, 1)),
        _c("colsample_bynode", 0, 1, lo_open=True, default=1.0, recommended=_rec(0.1, 1)),
        _c("colsample_bytree", 0, 1, lo_open=True, default=1.0, recommended=_rec(0.5, 1)),
        Integer("csv_weights", Interval(0, 1), default=0, doc="1: CSV column 2 is a weight"),
        Categorical("deterministic_histogram", _BOOL, case_insensitive=True),
        Integer("early_stopping_rounds", Interval(1, None)),
        _c("eta", 0, 1, default=0.3, recommended=_rec(0.1, 0.5), doc="learning rate"),
        CommaList("eval_metric", _EvalMetric("eval_metric")),
        _c("gamma", 0, None, default=0.0, recommended=_rec(0, 5)),
        Categorical("grow_policy", ("depthwise", "lossguide"), default="depthwise"),
        Hyperparameter("interaction_constraints"),
        _c("lambda", 0, None, default=1.0, recommended=_rec(0, 1000), doc="L2 regularization"),
        _c("lambda_bias", 0, 1, default=0.0),
        Integer("max_bin", Interval(2, None), default=256),
        _c("max_delta_step", 0, None, default=0.0, recommended=_rec(0, 10)),
        Integer("max_depth", Interval(0, None), default=6, recommended=_rec(0, 10)),
        Integer("max_leaves", Interval(0, None), default=0),
        _c("min_child_weight", 0, None, default=1.0, recommended=_rec(0, 120)),
        Hyperparameter("monotone_constraints"),
        Categorical("normalize_type", ("tree", "forest"), default="tree"),
        Integer("nthread", Interval(1, None)),
        Categorical("objective", OBJECTIVES, default="reg:squarederror"),
        Integer("one_drop", Interval(0, 1), default=0),
        Categorical("predictor", ("auto", "cpu_predictor", "gpu_predictor")),
        Categorical("process_type", ("default", "update"), default="default"),
        _c("rate_drop", 0, 1, default=0.0),
        Integer("refresh_leaf", Interval(0, 1), default=1),
        Categorical("sample_type", ("uniform", "weighted"), default="uniform"),
        Categorical("save_model_on_termination", _BOOL, case_insensitive=True, default="false"),
        _c("scale_pos_weight", 0, None, lo_open=True, default=1.0),
        Integer("seed", Interval(-(2**31), 2**31 - 1, True, True), default=0),
        Categorical("single_precision_histogram", _BOOL, case_insensitive=True),
        _c("sketch_eps", 0, 1, lo_open=True, hi_open=True),
        _c("skip_drop", 0, 1, default=0.0),
        _c("subsample", 0, 1, lo_open=True, default=1.0, recommended=_rec(0.5, 1)),
        Categorical("tree_method", ("auto", "exact", "approx", "hist", "gpu_hist"), default="auto"),
        _c("tweedie_variance_power", 1, 2, lo_open=True, hi_open=True, default=1.5),
        _c("huber_slope", 0, None, lo_open=True),
        _c("quantile_alpha", 0, 1, lo_open=True, hi_open=True),
        CommaList(
            "updater",
            Categorical(
                "updater",
                (
                    "grow_colmaker",
                    "grow_histmaker",
                    "grow_quantile_histmaker",
                    "sync",
                    "refresh",
                    "prune",
                    "shotgun",
                    "coord_descent",
                ),
            ),
        ),
        Categorical("dsplit", ("row", "col")),
        Categorical("aft_loss_distribution", ("normal", "logistic", "extreme")),
        _c("aft_loss_distribution_scale", 0, None, lo_open=True),
        Categorical("use_dask_gpu_training", _BOOL, case_insensitive=True),
        Integer("verbosity", Interval(0, 3), default=1),
        Categorical("_tuning_objective_metric", tuple(m.name for m in XGBOOST)),
    ],
    ignored=("_kfold", "_num_cv_round"),
)

#: Accepted for compatibility and not passed to XGBoost (removed in XGBoost 2/3, or GPU/cluster
#: settings with no local meaning).
NOT_PASSED = (
    "csv_weights",
    "deterministic_histogram",
    "dsplit",
    "early_stopping_rounds",
    "eval_metric",
    "lambda_bias",
    "num_round",
    "predictor",
    "save_model_on_termination",
    "single_precision_histogram",
    "sketch_eps",
    "use_dask_gpu_training",
    "_tuning_objective_metric",
)

#: The hyperparameters SageMaker names as having the largest effect on the XGBoost objective.
MOST_EFFECTIVE = ("alpha", "min_child_weight", "subsample", "eta", "num_round")
#: What the quick start (``amtune tune-builtin xgboost``) tunes by default: the above, with
#: ``num_round`` static (it sets the cost of a job; early stopping and Hyperband work on it) and
#: ``max_depth`` added.
QUICK_START = ("alpha", "min_child_weight", "subsample", "eta", "max_depth")

#: ``silent`` of the images before 1.2 (0.72 ... 1.0-1): ``1`` is XGBoost's silent mode.
SILENT = Integer("silent", Interval(0, 1), doc="0.72-1.0-1 images only: 1 = verbosity 0")
#: The hyperparameters of the images that accept ``silent`` (the 0.72 ... 1.0-1 images).
HYPERPARAMETERS_WITH_SILENT = HyperparameterTable(
    "xgboost", [*HYPERPARAMETERS, SILENT], ignored=HYPERPARAMETERS.ignored
)

#: The training command's option naming the image version (``--image-version=1.0-1``); the
#: command of a job on a ``sagemaker-xgboost:1.0-1`` image carries it
#: (:meth:`amtune.builtin.algorithms.Algorithm.command_for_image`).
IMAGE_VERSION_OPTION = "--image-version"
#: The version tag of the legacy ``xgboost`` image (XGBoost 0.72; tags ``1`` and ``latest``).
LEGACY_VERSION = "1"
_LEGACY_TAGS = ("1", "latest", "0.72")
_TAG = re.compile(r"^(\d+)\.(\d+)-(\d+)$")
#: The first image without ``silent`` (container commit aba19e9, "Release xgboost 1.2", #134).
_SILENT_REMOVED_IN = (1, 2, 1)
#: The first image that encodes its answers for the ``Accept`` (PR #271 on the 1.2-2 branch;
#: #270 on 1.3-1, #269 on 1.5-1 and master, 2022-04; the 1.2-1 branch never got it).
_ACCEPT_ENCODED_SINCE = (1, 2, 2)
#: The first image whose early stopping is an ``xgboost.callback.EarlyStopping`` on one named
#: metric of the ``validation`` set, with a direction and ``save_best=True``
#: (``algorithm_mode/train.py`` and ``callback.py`` of the 1.3-1 tag on). The images before
#: pass ``early_stopping_rounds`` to ``xgboost.train``.
_EARLY_STOPPING_CALLBACK_SINCE = (1, 3, 1)

#: The metrics the image's early stopping maximizes (its ``XGB_MAXIMIZE_METRICS``, the same from
#: 1.3-1 to 3.0-5); every other metric is minimized. The name is compared as given: ``ndcg@5``
#: is not in the list, so it is minimized, as on SageMaker.
XGB_MAXIMIZE_METRICS = frozenset(
    {
        "accuracy",
        "auc",
        "aucpr",
        "balanced_accuracy",
        "f1",
        "f1_binary",
        "f1_macro",
        "map",
        "ndcg",
        "precision",
        "r2",
        "recall",
        "precision_macro",
        "precision_micro",
        "recall_macro",
        "recall_micro",
    }
)


class CsvAnswer(enum.Enum):
    """How a real-time endpoint of an image version encodes its predictions."""

    #: ``text/csv`` whatever the ``Accept``: ``",".join(map(str, predictions.tolist()))`` (one
    #: line, no line break), the images before container PR #269/#270/#271
    COMMA_JOINED = "comma-joined"
    #: encoded for the ``Accept`` (406 for a type the image does not write); ``text/csv`` has one
    #: prediction (a row of class probabilities) per line
    PER_ACCEPT = "per-accept"


@dataclass(frozen=True)
class ImageVersion:
    """The behaviour of one XGBoost image version (``tag``: ``"1"`` for the legacy 0.72 image,
    else the ``sagemaker-xgboost`` tag, ``"1.7-1"``)."""

    tag: str

    @property
    def legacy(self) -> bool:
        """The legacy ``xgboost:1`` image (XGBoost 0.72, not open source)."""
        return self.tag == LEGACY_VERSION

    @property
    def number(self) -> tuple[int, int, int]:
        """``(major, minor, build)`` of the tag; the legacy image is ``(0, 72, 0)``."""
        if self.legacy:
            return (0, 72, 0)
        m = _TAG.match(self.tag)
        assert m is not None  # image_version() checked it
        return (int(m[1]), int(m[2]), int(m[3]))

    @property
    def label(self) -> str:
        """The image as messages name it: ``xgboost:1 (XGBoost 0.72)``,
        ``sagemaker-xgboost:1.0-1``."""
        return "xgboost:1 (XGBoost 0.72)" if self.legacy else f"sagemaker-xgboost:{self.tag}"

    @property
    def accepts_silent(self) -> bool:
        return self.number < _SILENT_REMOVED_IN

    @property
    def hyperparameters(self) -> HyperparameterTable:
        """The hyperparameters this image validates."""
        return HYPERPARAMETERS_WITH_SILENT if self.accepts_silent else HYPERPARAMETERS

    @property
    def csv_answer(self) -> CsvAnswer:
        if self.number < _ACCEPT_ENCODED_SINCE:
            return CsvAnswer.COMMA_JOINED
        return CsvAnswer.PER_ACCEPT

    @property
    def early_stopping_callback(self) -> bool:
        """Early stopping watches ``validation-<metric>`` in the metric's direction and keeps the
        best iteration's model (1.3-1 on); before, XGBoost's own ``early_stopping_rounds``."""
        return self.number >= _EARLY_STOPPING_CALLBACK_SINCE

    @property
    def reads_parquet(self) -> bool:
        """``application/x-parquet`` channels: every ``sagemaker-xgboost`` image (0.90-1 on)."""
        return not self.legacy


def image_version(tag: str | None) -> ImageVersion:
    """The behaviour of the image version ``tag`` (None: the default, ``1.7-1``); ``"1"``,
    ``"latest"`` and ``"0.72"`` are the legacy image. ``ValueError`` for any other shape than
    ``<major>.<minor>-<build>``.

    >>> image_version("latest").label
    'xgboost:1 (XGBoost 0.72)'
    >>> image_version("1.7")
    Traceback (most recent call last):
    ...
    ValueError: XGBoost image version '1.7': expected '1' (the legacy image) or <major>...
    """
    if tag is None:
        return ImageVersion(DEFAULT_XGBOOST_VERSION)
    t = str(tag).strip()
    if t in _LEGACY_TAGS:
        return ImageVersion(LEGACY_VERSION)
    if not _TAG.match(t):
        raise ValueError(
            f"XGBoost image version {tag!r}: expected '1' (the legacy image) or "
            f"<major>.<minor>-<build> such as '1.7-1'"
        )
    return ImageVersion(t)


def version_of_image(image: ImageURI) -> str:
    """The version tag of a recognised XGBoost image URI (``"1"`` for any tag of the legacy
    ``xgboost`` repository)."""
    return LEGACY_VERSION if image.repository == "xgboost" else image.version


def split_image_option(args: Sequence[str]) -> tuple[str | None, list[str]]:
    """``(version, the other arguments)`` of a training command's arguments: the value of
    ``--image-version=<tag>`` (or ``--image-version <tag>``), None when it is not given.

    >>> split_image_option(["--image-version=1.0-1", "--num_round", "3"])
    ('1.0-1', ['--num_round', '3'])
    """
    version: str | None = None
    rest: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith(IMAGE_VERSION_OPTION + "="):
            version = a.split("=", 1)[1]
        elif a == IMAGE_VERSION_OPTION and i + 1 < len(args):
            version = args[i + 1]
            i += 1
        else:
            rest.append(a)
        i += 1
    return version, rest
