"""The registry of built-in algorithms: how each runs, what it accepts, what it emits."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from amtune import image_uris
from amtune.builtin import knn_spec, linear_learner_spec, xgboost_spec
from amtune.builtin.hyperparameters import HyperparameterTable
from amtune.builtin.metric_specs import KNN, LINEAR_LEARNER, XGBOOST, MetricSpec
from amtune.space import Parameter


@dataclass(frozen=True)
class Algorithm:
    """A built-in algorithm.

    ``name`` is amtune's name (``xgboost``, ``linear-learner``, ``knn``); ``module`` is its
    training program (run as ``python -m <module>`` under the SageMaker training contract),
    ``inference_module`` its inference handler (``model_fn``/``input_fn``/``predict_fn``/
    ``output_fn``). ``metrics`` are SageMaker's predefined metrics of the algorithm.

    >>> from amtune.builtin import algorithm
    >>> algo = algorithm("xgboost")
    >>> algo.command[1:]
    ['-m', 'amtune.builtin.xgboost']
    >>> algo.objective_direction("validation:auc")
    'Maximize'
    """

    name: str
    title: str
    module: str
    inference_module: str
    hyperparameters: HyperparameterTable
    metrics: tuple[MetricSpec, ...]
    quick_start: tuple[str, ...]
    #: the channels the algorithm reads (the first is required)
    channels: tuple[str, ...] = ("train", "validation")
    #: static hyperparameters the quick start adds when the user gives none
    quick_start_static: Mapping[str, Any] = field(default_factory=dict)

    @property
    def command(self) -> list[str]:
        """The training command: ``[sys.executable, "-m", module]``."""
        return [sys.executable, "-m", self.module]

    def command_for_image(self, uri: str) -> list[str]:
        """The training command of a job on the image ``uri``: :attr:`command`, for XGBoost with
        the image's version (``--image-version=1.0-1``), whose images differ by version.

        >>> algorithm("xgboost").command_for_image("sagemaker-xgboost:1.0-1")[3:]
        ['--image-version=1.0-1']
        """
        img = image_uris.try_parse(uri)
        if self.name != "xgboost" or img is None:
            return self.command
        version = xgboost_spec.version_of_image(img)
        return [*self.command, f"{xgboost_spec.IMAGE_VERSION_OPTION}={version}"]

    def hyperparameters_for_image(self, uri: str) -> Any:
        """The hyperparameter table of a job on the image ``uri``: :attr:`hyperparameters`, for
        XGBoost the image version's (the 0.72 ... 1.0-1 images also accept ``silent``).

        >>> "silent" in algorithm("xgboost").hyperparameters_for_image("xgboost:1").params
        True
        """
        img = image_uris.try_parse(uri)
        if self.name != "xgboost" or img is None:
            return self.hyperparameters
        return xgboost_spec.image_version(xgboost_spec.version_of_image(img)).hyperparameters

    def metric_definitions(self) -> list[dict[str, str]]:
        """The predefined metric definitions (``[{"Name", "Regex"}, ...]``)."""
        return [m.definition() for m in self.metrics]

    def objective_metrics(self) -> list[str]:
        """The metric names SageMaker documents as objectives of this algorithm."""
        return [m.name for m in self.metrics if m.objective]

    def objective_direction(self, metric: str) -> str:
        """``"Maximize"`` or ``"Minimize"``; ``ValueError`` listing the valid names otherwise."""
        for m in self.metrics:
            if m.name == metric:
                return m.direction
        raise ValueError(
            f"objective metric {metric!r} is not emitted by the built-in {self.title} algorithm; "
            f"it emits: {', '.join(self.objective_metrics())}"
        )

    def recommended_ranges(self, names: Iterable[str] | None = None) -> dict[str, Parameter]:
        """SageMaker's recommended tuning ranges as amtune parameters (all tunable ones, or
        ``names``)."""
        tunable = self.hyperparameters.tunable()
        wanted = list(tunable) if names is None else list(names)
        out: dict[str, Parameter] = {}
        for n in wanted:
            if n not in tunable:
                raise ValueError(
                    f"{n!r} is not a tunable hyperparameter of {self.title} (tunable: "
                    f"{', '.join(sorted(tunable))})"
                )
            out[n] = tunable[n].to_parameter()
        return out

    def image_uri(self, region: str | None = None, version: str | None = None) -> str:
        return image_uris.retrieve(self.name, region=region, version=version)


ALGORITHMS: dict[str, Algorithm] = {
    "xgboost": Algorithm(
        "xgboost",
        "XGBoost",
        "amtune.builtin.xgboost",
        "amtune.builtin.xgboost_inference",
        xgboost_spec.HYPERPARAMETERS,
        XGBOOST,
        xgboost_spec.QUICK_START,
        quick_start_static={"num_round": 100},
    ),
    "linear-learner": Algorithm(
        "linear-learner",
        "Linear Learner",
        "amtune.builtin.linear_learner",
        "amtune.builtin.linear_learner_inference",
        linear_learner_spec.HYPERPARAMETERS,
        LINEAR_LEARNER,
        ("wd", "l1", "learning_rate", "mini_batch_size", "use_bias"),
        channels=("train", "validation", "test"),
    ),
    "knn": Algorithm(
        "knn",
        "k-NN",
        "amtune.builtin.knn",
        "amtune.builtin.knn_inference",
        knn_spec.HYPERPARAMETERS,
        KNN,
        ("k", "sample_size"),
        channels=("train", "test"),
    ),
}
_ALIASES = {"linear_learner": "linear-learner", "linearlearner": "linear-learner", "k-nn": "knn"}


def algorithm(name: str) -> Algorithm:
    """The built-in algorithm called ``name`` (``ValueError`` listing the known ones)."""
    key = _ALIASES.get(name.lower(), name.lower()) if isinstance(name, str) else name
    if key not in ALGORITHMS:
        raise ValueError(
            f"unknown built-in algorithm {name!r} (known: {', '.join(sorted(ALGORITHMS))})"
        )
    return ALGORITHMS[key]


def algorithm_for_image(uri: str) -> Algorithm | None:
    """The built-in algorithm of a SageMaker image URI (any region/version), None when the image
    is not one amtune knows (a custom image).

    >>> uri = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
    >>> algorithm_for_image(uri).name
    'xgboost'
    >>> algorithm_for_image("123456789012.dkr.ecr.us-east-1.amazonaws.com/my-image:latest") is None
    True
    """
    img = image_uris.try_parse(uri)
    return None if img is None else ALGORITHMS[img.algorithm]


def algorithm_for_command(command: Any) -> Algorithm | None:
    """The built-in algorithm a training command runs (``... -m amtune.builtin.<name>``), None
    for any other command.

    >>> algorithm_for_command(["python3", "-m", "amtune.builtin.knn"]).name
    'knn'
    """
    if not isinstance(command, (list, tuple)):
        return None
    args = [str(a) for a in command]
    for i, a in enumerate(args[:-1]):
        if a == "-m":
            for algo in ALGORITHMS.values():
                if args[i + 1] == algo.module:
                    return algo
    return None


def tuning_objective_static(
    command: Any, objective: str, static: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The static hyperparameters with ``_tuning_objective_metric`` added when ``command`` runs a
    built-in algorithm (None for any other command, or when it is there already). SageMaker
    passes it to its algorithms; XGBoost then evaluates the objective's metric. ``ValueError``
    when the algorithm does not emit ``objective``."""
    algo = algorithm_for_command(command)
    if algo is None or "_tuning_objective_metric" in static:
        return None
    algo.objective_direction(objective)
    return {**static, "_tuning_objective_metric": objective}


def algorithm_for_job_config(config: Mapping[str, Any]) -> Algorithm | None:
    """The built-in algorithm of a stored tuning or training job config (its ``TrainingImage``,
    else its training command), None for custom training code."""
    tjd = config.get("TrainingJobDefinition") or {}
    spec = tjd.get("AlgorithmSpecification") or config.get("AlgorithmSpecification") or {}
    image = spec.get("TrainingImage")
    hps = {**(tjd.get("StaticHyperParameters") or {}), **(config.get("HyperParameters") or {})}
    if isinstance(image, str) and "sagemaker_program" not in hps:
        algo = algorithm_for_image(image)
        if algo is not None:
            return algo
    cmd = spec.get("TrainingCommand") or (config.get("amtune") or {}).get("command")
    return algorithm_for_command(cmd)


def predefined_metric_definitions(uri_or_name: str) -> list[dict[str, str]]:
    """The predefined metric definitions of a built-in algorithm's image URI (or name): the list
    SageMaker uses when a request on that image has no ``MetricDefinitions``. An image amtune does
    not know (a custom image) has none: ``[]``.

    >>> [d["Name"] for d in predefined_metric_definitions("knn")]
    ['test:accuracy', 'test:mse']
    >>> predefined_metric_definitions("123456789012.dkr.ecr.us-east-1.amazonaws.com/mine:1")
    []
    """
    algo = algorithm_for_image(uri_or_name)
    if algo is None and isinstance(uri_or_name, str):
        algo = ALGORITHMS.get(_ALIASES.get(uri_or_name.lower(), uri_or_name.lower()))
    return [] if algo is None else algo.metric_definitions()


def recommended_ranges(name: str, names: Iterable[str] | None = None) -> dict[str, Parameter]:
    """SageMaker's recommended tuning ranges of a built-in algorithm's tunable hyperparameters.

    >>> sorted(recommended_ranges("knn"))
    ['k', 'sample_size']
    """
    return algorithm(name).recommended_ranges(names)
