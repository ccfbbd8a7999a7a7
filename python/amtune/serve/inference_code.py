"""Where a script-mode training job's inference code is: one rule for endpoints and batch transform.

In this order: ``model/code/inference.py``; ``inference.py`` in the training code's directories
(the SDK's ``sagemaker_submit_directory`` when it is local, the estimator's ``source_dir``, the
tuning job's working directory, the training script's directory); for a ``PyTorch``, ``SKLearn``
or ``XGBoost`` estimator, the training script itself (``sagemaker_program``), as the SDK's
framework models serve their ``entry_point``; then ``inference.py`` in the current directory.
A built-in algorithm's own module comes before all of these, and the callers decide that.

>>> framework_name("PyTorch"), framework_name("Estimator")
('PyTorch', None)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amtune.sagemaker.toolkit import decode_value

#: framework estimators whose model serves the training script (``entry_point``) when no other
#: inference code is given, as the SDK's ``create_model`` does (TensorFlow and Hugging Face
#: models do not: they serve the model with the framework's own server)
ENTRY_POINT_FRAMEWORKS = frozenset({"PyTorch", "SKLearn", "XGBoost"})
FRAMEWORKS = frozenset({*ENTRY_POINT_FRAMEWORKS, "TensorFlow", "HuggingFace"})


def framework_name(cls: type | str | None, module: str | None = None) -> str | None:
    """The framework of an estimator class (or of its name and module, as the SDK's tuner records
    them in ``sagemaker_estimator_class_name`` and ``sagemaker_estimator_module``): the first of
    its classes named ``PyTorch``, ``SKLearn``, ``XGBoost``, ``TensorFlow`` or ``HuggingFace``;
    None for any other (a generic ``Estimator``)."""
    if isinstance(cls, str):
        if cls in FRAMEWORKS or not module:
            return cls if cls in FRAMEWORKS else None
        import importlib

        try:
            cls = getattr(importlib.import_module(module), cls)
        except (ImportError, AttributeError):
            return None
    if not isinstance(cls, type):
        return None
    for c in cls.__mro__:
        if c.__name__ in FRAMEWORKS and c.__module__.startswith("amtune."):
            return c.__name__
    return None


def hp_text(v: Any) -> str | None:
    """A ``sagemaker_*`` hyperparameter's value (JSON-encoded by the SDK) as a string."""
    if v is None:
        return None
    d = decode_value(v)
    return d if isinstance(d, str) else str(v)


@dataclass(frozen=True)
class InferenceCode:
    """Where the inference code was found: the directory ``submit_dir`` and the module file
    ``program`` in it (``in_model``: the model's own ``code/inference.py``, which the model server
    finds by itself). When nothing was found: ``found`` False, the directories looked in, and the
    training script a framework estimator would have served (``entry_point``)."""

    submit_dir: str | None = None
    program: str | None = None
    in_model: bool = False
    found: bool = True
    looked: tuple[str, ...] = ()
    entry_point: str | None = None
    framework: str | None = None

    @property
    def path(self) -> str | None:
        """The inference module's file (None when not found)."""
        if not self.found or self.program is None:
            return None
        return str(Path(self.submit_dir or ".") / self.program)

    def missing(self, training_job: str) -> str:
        """The error message when nothing was found."""
        msg = (
            f"training job {training_job!r}: no inference.py found (looked in "
            f"{', '.join(self.looked)})"
        )
        if self.entry_point:
            msg += f", and the entry point {self.entry_point!r} was not found"
        if self.framework in FRAMEWORKS - ENTRY_POINT_FRAMEWORKS:
            # SageMaker serves these with TensorFlow Serving or the Hugging Face toolkit
            msg += (
                f"; a {self.framework} model is served by its framework's own model server on "
                f"SageMaker, which amtune does not run: give an inference.py (model_fn, "
                f"predict_fn) in the source directory or the model's code/"
            )
        return msg


def find_inference_code(
    description: Mapping[str, Any],
    config: Mapping[str, Any],
    model_dir: Path,
    framework: str | None = None,
) -> InferenceCode:
    """A script-mode training job's inference code (see the module docstring).

    ``description``: the training job's DescribeTrainingJob document; ``config``: its tuning
    job's stored config (``{}`` for a training job on its own); ``framework``: the estimator's
    class when the job does not record it (a training job on its own)."""
    if (model_dir / "code" / "inference.py").is_file():
        return InferenceCode(str(model_dir / "code"), "inference.py", in_model=True)
    hps = description.get("HyperParameters") or {}
    spec = description.get("AlgorithmSpecification") or {}
    am = config.get("amtune") or {}
    if framework is None:
        framework = framework_name(
            hp_text(hps.get("sagemaker_estimator_class_name")),
            hp_text(hps.get("sagemaker_estimator_module")),
        )
    code_dirs: list[Path] = []
    submit = hp_text(hps.get("sagemaker_submit_directory"))
    if submit and not submit.startswith("s3://"):
        code_dirs.append(Path(submit))
    for key in ("source_dir", "working_dir"):
        if am.get(key):
            code_dirs.append(Path(am[key]))
    for arg in spec.get("TrainingCommand") or am.get("command") or []:
        if isinstance(arg, str) and arg.endswith(".py"):
            p = Path(arg)
            if not p.is_absolute():
                p = Path(am.get("working_dir") or submit or Path.cwd()) / p
            code_dirs.append(p.parent)
            break
    for c in code_dirs:
        if (c / "inference.py").is_file():
            return InferenceCode(str(c.resolve()), "inference.py")
    program = hp_text(hps.get("sagemaker_program"))
    serves_entry_point = framework in ENTRY_POINT_FRAMEWORKS and bool(program)
    if serves_entry_point and program:
        for c in code_dirs:  # the SDK's framework model serves the estimator's entry point
            if (c / program).is_file():
                return InferenceCode(str(c.resolve()), program)
    cwd = Path.cwd()
    if (cwd / "inference.py").is_file():
        return InferenceCode(str(cwd.resolve()), "inference.py")
    looked = tuple(dict.fromkeys(str(c.resolve()) for c in [model_dir / "code", *code_dirs, cwd]))
    return InferenceCode(
        found=False,
        looked=looked,
        entry_point=program if serves_entry_point else None,
        framework=framework,
    )
