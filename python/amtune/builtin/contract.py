"""The SageMaker training contract as a built-in algorithm sees it.

A built-in algorithm's training program finds everything in its environment, as in a SageMaker
container (``/opt/ml`` is the training job's directory):

=========================  ======================================================================
hyperparameters            ``$SM_INPUT_CONFIG_DIR/hyperparameters.json`` (``input/config`` of the
                           job), else ``SM_HPS`` (JSON), else ``--name value`` arguments
channels                   ``SM_CHANNEL_<NAME>`` (a directory or a single file), else
                           ``input/data/<name>``
content types              ``SM_INPUT_DATA_CONFIG`` / ``inputdataconfig.json`` (``ContentType``)
model directory            ``SM_MODEL_DIR`` (else ``model/`` of the job)
output                     ``SM_OUTPUT_DATA_DIR``; a failure's reason goes to ``output/failure``
=========================  ======================================================================

:func:`run_algorithm` wraps a training function: a :class:`AlgorithmError` (bad hyperparameter,
bad data) is printed as one line naming the file/field and rule, written to ``output/failure``,
and the program exits with status 1, so the training job is Failed with that reason.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["AlgorithmError", "TrainingEnvironment", "emit", "run_algorithm"]


class AlgorithmError(ValueError):
    """A user error (input data, hyperparameters): the job fails with this message."""


@dataclass
class TrainingEnvironment:
    """What the training contract gives one training job."""

    hyperparameters: dict[str, Any]
    channels: dict[str, Path]
    content_types: dict[str, str]
    model_dir: Path
    output_data_dir: Path
    output_dir: Path
    job_name: str = "local"
    host: str = "algo-1"
    num_cpus: int = 1
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_environment(
        cls, env: Mapping[str, str] | None = None, argv: list[str] | None = None
    ) -> TrainingEnvironment:
        env = os.environ if env is None else env
        argv = sys.argv[1:] if argv is None else argv
        base = Path(env.get("SM_BASE_DIR") or env.get("AMTUNE_JOB_DIR") or "/opt/ml")
        config_dir = Path(env.get("SM_INPUT_CONFIG_DIR") or base / "input" / "config")
        hps = _hyperparameters(env, config_dir, argv)
        channels: dict[str, Path] = {}
        for k, v in env.items():
            if k.startswith("SM_CHANNEL_") and v:
                channels[k[len("SM_CHANNEL_") :].lower()] = Path(v)
        data_dir = Path(env.get("SM_INPUT_DIR") or base / "input") / "data"
        if not channels and data_dir.is_dir():
            channels = {p.name: p for p in sorted(data_dir.iterdir()) if p.is_dir()}
        content_types: dict[str, str] = {}
        idc: Any = None
        if env.get("SM_INPUT_DATA_CONFIG"):
            idc = json.loads(env["SM_INPUT_DATA_CONFIG"])
        elif (config_dir / "inputdataconfig.json").is_file():
            idc = json.loads((config_dir / "inputdataconfig.json").read_text())
        if isinstance(idc, Mapping):
            for ch, spec in idc.items():
                if isinstance(spec, Mapping) and spec.get("ContentType"):
                    content_types[ch.lower()] = str(spec["ContentType"])
        model_dir = Path(env.get("SM_MODEL_DIR") or base / "model")
        output_dir = Path(env.get("SM_OUTPUT_DIR") or base / "output")
        output_data_dir = Path(env.get("SM_OUTPUT_DATA_DIR") or output_dir / "data")
        return cls(
            hyperparameters=hps,
            channels=channels,
            content_types=content_types,
            model_dir=model_dir,
            output_data_dir=output_data_dir,
            output_dir=output_dir,
            job_name=env.get("SM_TRAINING_JOB_NAME") or env.get("TRAINING_JOB_NAME") or "local",
            host=env.get("SM_CURRENT_HOST") or "algo-1",
            num_cpus=int(env.get("SM_NUM_CPUS") or os.cpu_count() or 1),
        )

    def channel(self, name: str) -> Path | None:
        return self.channels.get(name)


def _hyperparameters(env: Mapping[str, str], config_dir: Path, argv: list[str]) -> dict[str, Any]:
    # SageMaker's algorithm images read hyperparameters.json (every value a string, the
    # ``_tuning_objective_metric`` of a tuning job included); SM_HPS is the script-mode view.
    f = config_dir / "hyperparameters.json"
    if f.is_file():
        doc = json.loads(f.read_text())
        if not isinstance(doc, dict):
            raise AlgorithmError(f"{f}: must be a JSON object")
        return doc
    if env.get("SM_HPS"):
        doc = json.loads(env["SM_HPS"])
        if not isinstance(doc, dict):
            raise AlgorithmError(f"SM_HPS: must be a JSON object, got {env['SM_HPS']!r}")
        return doc
    out: dict[str, Any] = {}
    i = 0
    while i < len(argv):
        a = argv[i]
        if not a.startswith("--") or i + 1 >= len(argv):
            raise AlgorithmError(f"arguments: expected '--name value' pairs, got {argv!r}")
        out[a[2:]] = argv[i + 1]
        i += 2
    return out


def emit(line: str) -> None:
    """Print one log line and flush (metrics are read from the log as it is written)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def fail(env: TrainingEnvironment | None, message: str) -> int:
    """Report a failed training job: one line on stderr, ``output/failure``; returns 1."""
    sys.stdout.flush()
    sys.stderr.write(f"AlgorithmError: {message}\n")
    sys.stderr.flush()
    if env is not None:
        try:
            env.output_dir.mkdir(parents=True, exist_ok=True)
            (env.output_dir / "failure").write_text(message + "\n")
        except OSError:  # the reason is on stderr already
            pass
    return 1


def run_algorithm(
    train: Callable[[TrainingEnvironment], None], env: TrainingEnvironment | None = None
) -> int:
    """Run ``train`` under the contract (``env``: read from the process environment when None);
    returns the exit status (0, or 1 on a failure)."""
    try:
        if env is None:
            env = TrainingEnvironment.from_environment()
        for note in env.notes:
            emit(note)
        train(env)
    except ModuleNotFoundError as exc:
        return fail(
            env,
            f"the package {exc.name!r} is not installed; the built-in algorithms need "
            f"pip install 'amtune[builtin]' (xgboost, scikit-learn, scipy)",
        )
    except (AlgorithmError, ValueError) as exc:
        # ValueError: HyperparameterError and data errors carry their own field/rule message.
        if not isinstance(exc, AlgorithmError) and not _is_user_error(exc):
            traceback.print_exc()
        return fail(env, str(exc))
    return 0


def _is_user_error(exc: BaseException) -> bool:
    from amtune.builtin.hyperparameters import HyperparameterError

    return isinstance(exc, HyperparameterError)
