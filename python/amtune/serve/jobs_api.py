"""Training and tuning jobs through the control plane: the boto3 calls a SageMaker notebook makes
with ``boto3.client("sagemaker")`` to train and tune (CreateTrainingJob,
CreateHyperParameterTuningJob, their Describe/List/Stop actions and
ListTrainingJobsForHyperParameterTuningJob).

A Create action validates the request in the service (a bad request is a ``ValidationException``
naming the field, and nothing is written), then runs it as ``amtune train`` / ``amtune run`` in a
process of its own, detached from the service: stopping or restarting the service does not stop
the job, and a tuning job killed with the machine resumes as any other (``amtune resume``). The
action returns once the job is in the store, so a Describe right after it finds the job. The
request, the job process's id and its output are kept in ``<store directory>/amtune-requests/``.

Relative paths in a request (channels, ``sagemaker_submit_directory``) and the code of a
script-mode request without a local ``sagemaker_submit_directory`` resolve against the service's
working directory (``workdir``), the directory it was started from.

Describe and List answer from the store, in the shapes of the SageMaker API; the ARNs are
``arn:aws:sagemaker:<region>:<account>:training-job/<name>`` (and ``hyper-parameter-tuning-job``).
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from amtune.sagemaker.commands import has_training_job
from amtune.serve.detached import log_tail, process_cmdline, start_detached
from amtune.serve.listing import paged, window
from amtune.serve.request_shapes import ShapeError, check_shape, check_tags
from amtune.store import STANDALONE, NotFoundError, Store
from amtune.tuning.liveness import process_exists

#: how long a Create action waits for its job to appear in the store
START_TIMEOUT = 120.0
#: a tuning range's numeric bound as a Java service parses it (ASCII digits, no separators)
_ASCII_INT = re.compile(r"[+-]?[0-9]+")
_ASCII_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


class JobsApi:
    """The training and tuning job actions of the control plane, on the store at ``db``.

    ``error`` builds the API error to raise (``error(message, code=..., status=...)``);
    ``add_tags(arn, tags)`` keeps a Create request's ``Tags``.
    """

    def __init__(
        self,
        db: Path,
        error: Callable[..., Exception],
        add_tags: Callable[[str, list[dict[str, str]]], None],
        account: str = "123456789012",
        workdir: Path | None = None,
    ) -> None:
        self.db = Path(db)
        self.store = Store(self.db)
        self.error = error
        self.add_tags = add_tags
        self.account = account
        self.workdir = Path(workdir) if workdir is not None else Path.cwd()
        self.requests_dir = self.db.parent / "amtune-requests"
        self._stopping: set[str] = set()  # StopTrainingJob asked; the job has not ended yet
        self._lock = threading.Lock()

    def actions(self) -> dict[str, Callable[[dict[str, Any], str], dict[str, Any]]]:
        return {
            "CreateTrainingJob": self.create_training_job,
            "DescribeTrainingJob": self.describe_training_job,
            "ListTrainingJobs": self.list_training_jobs,
            "StopTrainingJob": self.stop_training_job,
            "CreateHyperParameterTuningJob": self.create_tuning_job,
            "DescribeHyperParameterTuningJob": self.describe_tuning_job,
            "ListHyperParameterTuningJobs": self.list_tuning_jobs,
            "StopHyperParameterTuningJob": self.stop_tuning_job,
            "ListTrainingJobsForHyperParameterTuningJob": self.list_training_jobs_for_tuning_job,
        }

    # ------------------------------------------------------------------ helpers
    def arn(self, region: str, kind: str, name: str) -> str:
        return f"arn:aws:sagemaker:{region}:{self.account}:{kind}/{name}"

    def _name(self, req: Mapping[str, Any], key: str) -> str:
        v = req.get(key)
        if not isinstance(v, str) or not v:
            raise self.error(f"1 validation error detected: Value at '{key}' must not be null")
        return v

    def _tags(self, req: dict[str, Any]) -> list[dict[str, str]]:
        """The request's ``Tags``, taken out of it and checked (before anything is written)."""
        try:
            return check_tags(req.pop("Tags", None))
        except ShapeError as exc:
            raise self.error(str(exc)) from None

    def _launch(
        self, kind: str, name: str, doc: Mapping[str, Any], has_job: Callable[[], bool]
    ) -> None:
        """Write the request, start ``amtune <train|run>`` on it, and return once the job is in
        the store (or raise with the process's own error)."""
        self.requests_dir.mkdir(parents=True, exist_ok=True)
        stem = self.requests_dir / f"{'training' if kind == 'train' else 'tuning'}-{name}"
        request = stem.with_suffix(".json")
        request.write_text(json.dumps(doc, indent=2, default=str))
        log_path = stem.with_suffix(".log")
        cmd = [sys.executable, "-m", "amtune.cli", kind, str(request), "--db", str(self.db)]
        cmd += ["--name", name, "--base", str(self.workdir), "--quiet"]
        try:
            pid = start_detached(cmd, log_path, self.workdir)
        except RuntimeError as exc:
            raise self.error(str(exc), code="InternalFailure", status=500) from None
        stem.with_suffix(".pid").write_text(str(pid))
        deadline = time.monotonic() + START_TIMEOUT
        while not has_job():
            if not process_exists(pid):
                if has_job():  # it ended quickly, after recording the job
                    break
                why = log_tail(log_path) or "no output"
                for suffix in (".json", ".log", ".pid"):  # nothing is left of a refused request
                    stem.with_suffix(suffix).unlink(missing_ok=True)
                raise self.error(f"the job did not start: {why}")
            if time.monotonic() > deadline:
                raise self.error(
                    f"the job did not start within {START_TIMEOUT:g} s (see {log_path})",
                    code="InternalFailure",
                    status=500,
                )
            time.sleep(0.05)

    # ------------------------------------------------------------------ training jobs
    def create_training_job(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        from amtune.sagemaker.estimator import TRAINING_JOB_NAME_RE
        from amtune.sagemaker.requests import RequestError
        from amtune.sagemaker.train_request import parse_training_request

        name = self._name(req, "TrainingJobName")
        if not TRAINING_JOB_NAME_RE.match(name):
            raise self.error(
                f"TrainingJobName: 1-63 letters, digits and hyphens, starting and ending with a "
                f"letter or digit, got {name!r}"
            )
        tags = self._tags(req)
        try:
            parse_training_request(req, self.workdir)
        except (RequestError, ValueError) as exc:
            raise self.error(str(exc)) from None
        arn = self.arn(region, "training-job", name)
        with self._lock:
            if has_training_job(self.store, name):
                raise self.error(
                    f"Training job names must be unique within an AWS account and region, and a "
                    f"training job with this name already exists ({arn})",
                    code="ResourceInUse",
                )
            self._launch("train", name, req, lambda: has_training_job(self.store, name))
        if tags:
            self.add_tags(arn, tags)
        return {"TrainingJobArn": arn}

    def _training_doc(self, st: Store, name: str, region: str) -> dict[str, Any]:
        from amtune.sagemaker.training import describe_training_job

        try:
            d = describe_training_job(st, name)
        except NotFoundError:
            raise self.error("Requested resource not found.", code="ValidationException") from None
        d["TrainingJobArn"] = self.arn(region, "training-job", name)
        if "TuningJobArn" in d:
            tuning = d["TuningJobArn"].rsplit("/", 1)[-1]
            d["TuningJobArn"] = self.arn(region, "hyper-parameter-tuning-job", tuning)
        return d

    def describe_training_job(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        name = self._name(req, "TrainingJobName")
        d = self._training_doc(self.store, name, region)
        if d["TrainingJobStatus"] != "InProgress":
            self._stopping.discard(name)  # it has ended
        elif name in self._stopping:
            d["TrainingJobStatus"] = d["SecondaryStatus"] = "Stopping"
        return d

    def list_training_jobs(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        st = self.store
        rows = [r for t in [STANDALONE, *_tuning_names(st)] for r in st.training_jobs(t)]
        status = req.get("StatusEquals")
        items = [
            {
                "name": r["name"],
                "status": r["status"],
                "creation_time": r["creation_time"],
                "last_modified_time": r["end_time"] or r["start_time"] or r["creation_time"],
                "end_time": r["end_time"],
            }
            for r in rows
            if status is None or r["status"] == status
        ]
        page, token = paged(items, req, "Ascending")
        return token | {
            "TrainingJobSummaries": [
                {
                    "TrainingJobName": r["name"],
                    "TrainingJobArn": self.arn(region, "training-job", r["name"]),
                    "CreationTime": r["creation_time"],
                    "LastModifiedTime": r["last_modified_time"],
                    "TrainingJobStatus": r["status"],
                    **({"TrainingEndTime": r["end_time"]} if r["end_time"] else {}),
                }
                for r in page
            ]
        }

    def stop_training_job(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        name = self._name(req, "TrainingJobName")
        d = self._training_doc(self.store, name, region)
        row = self.store.get_training_job(name)
        if d["TrainingJobStatus"] != "InProgress":
            raise self.error(
                f"The training job {name} is {d['TrainingJobStatus']}; only an InProgress job "
                f"can be stopped"
            )
        if row["tuning_job"] != STANDALONE:
            raise self.error(
                f"{name} is a training job of the tuning job {row['tuning_job']}: stop the tuning "
                f"job (StopHyperParameterTuningJob)"
            )
        pid = _driver_pid(self.requests_dir / f"training-{name}")
        if pid is None:
            raise self.error(
                f"{name} was not started through this service (CreateTrainingJob), so it cannot "
                f"be stopped here; stop it where it runs (Ctrl-C, or the estimator's process)"
            )
        os.kill(pid, signal.SIGINT)  # `amtune train` stops the job and records it Stopped
        self._stopping.add(name)
        return {}

    # ------------------------------------------------------------------ tuning jobs
    def create_tuning_job(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        from amtune.config.loader import ConfigError, parse_config

        name = self._name(req, "HyperParameterTuningJobName")
        tags = self._tags(req)
        self._check_ranges(req)
        try:
            cfg = parse_config(req, self.workdir)
        except (ConfigError, ValueError) as exc:
            raise self.error(str(exc)) from None
        arn = self.arn(region, "hyper-parameter-tuning-job", name)
        with self._lock:
            if self.store.has_tuning_job(name):
                raise self.error(
                    f"A tuning job with this name already exists: {arn}", code="ResourceInUse"
                )
            self._check_parents(cfg)
            self._launch("run", name, req, lambda: self.store.has_tuning_job(name))
        if tags:
            self.add_tags(arn, tags)
        return {"HyperParameterTuningJobArn": arn}

    def _check_ranges(self, req: Mapping[str, Any]) -> None:
        """``HyperParameterTuningJobConfig.ResourceLimits`` by the service model's shape
        (32-bit integers, SageMaker's ranges), and ``ParameterRanges`` too (a
        range ``Name`` is 1-256 characters of one line: ``ParameterKey``), and each numeric
        bound a plain ASCII number as SageMaker (a Java service) reads it: ``"1_000"`` or
        ``"\u0661"`` (an Arabic-Indic one), which Python's ``int()`` would take, are refused."""
        config = req.get("HyperParameterTuningJobConfig")
        if not isinstance(config, Mapping):
            return
        limits = config.get("ResourceLimits")
        if isinstance(limits, Mapping):  # 32-bit integers (MaxNumberOfTrainingJobs: 10**30)
            try:
                check_shape(
                    "ResourceLimits", limits, "HyperParameterTuningJobConfig.ResourceLimits"
                )
            except ShapeError as exc:
                raise self.error(str(exc), code=exc.code) from None
        ranges = config.get("ParameterRanges")
        if not isinstance(ranges, Mapping):
            return
        where = "HyperParameterTuningJobConfig.ParameterRanges"
        try:
            check_shape("ParameterRanges", ranges, where)
        except ShapeError as exc:
            raise self.error(str(exc)) from None
        for kind, pattern, what in (
            ("IntegerParameterRanges", _ASCII_INT, "an integer"),
            ("ContinuousParameterRanges", _ASCII_NUMBER, "a number"),
        ):
            for i, r in enumerate(ranges.get(kind) or (), 1):
                for bound in ("MinValue", "MaxValue"):
                    v = r.get(bound) if isinstance(r, Mapping) else None
                    if isinstance(v, str) and not pattern.fullmatch(v):
                        raise self.error(
                            f"{where}.{kind}.{i}.{bound}: must be {what} in ASCII digits "
                            f"(no '_' separators), got {v!r}"
                        )

    def _check_parents(self, cfg: Any) -> None:
        """A warm start's parents exist, have finished and are compatible (the checks `amtune
        run` makes), before the job's process is started."""
        from amtune.errors import FieldError
        from amtune.rules.warm_start import check_parents
        from amtune.tuning.tuner import HyperparameterTuner

        if cfg.tuner_kwargs.get("warm_start_config") is None:
            return
        try:
            tuner = HyperparameterTuner(**cfg.tuner_kwargs, db=self.db, quiet=True)
            check_parents(tuner, self.store)
        except FieldError as exc:
            err = cfg.field_of(exc)
            if exc.rule.startswith("no tuning job of that name"):  # the rule names the store file
                raise self.error(
                    f"{err.path}: Amazon SageMaker can't find a tuning job of that name"
                ) from None
            raise self.error(str(err)) from None

    def _tuning_doc(self, st: Store, name: str, region: str) -> dict[str, Any]:
        from amtune.analytics import describe

        try:
            d = dict(describe(st, name))
        except NotFoundError:
            raise self.error(
                f"Amazon SageMaker can't find a tuning job with name {name}",
                code="ResourceNotFound",
            ) from None
        d["HyperParameterTuningJobArn"] = self.arn(region, "hyper-parameter-tuning-job", name)
        return d

    def describe_tuning_job(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        return self._tuning_doc(self.store, self._name(req, "HyperParameterTuningJobName"), region)

    def list_tuning_jobs(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        docs = [self._tuning_doc(self.store, n, region) for n in _tuning_names(self.store)]
        status = req.get("StatusEquals")
        items = [
            {
                "name": d["HyperParameterTuningJobName"],
                "status": d["HyperParameterTuningJobStatus"],
                "creation_time": d["CreationTime"].timestamp(),
                "last_modified_time": d["LastModifiedTime"].timestamp(),
                "doc": d,
            }
            for d in docs
            if status is None or d["HyperParameterTuningJobStatus"] == status
        ]
        page, token = paged(items, req, "Ascending", default_sort="Name")
        keys = (
            "HyperParameterTuningJobName",
            "HyperParameterTuningJobArn",
            "HyperParameterTuningJobStatus",
            "CreationTime",
            "HyperParameterTuningEndTime",
            "LastModifiedTime",
            "TrainingJobStatusCounters",
            "ObjectiveStatusCounters",
        )
        summaries = []
        for r in page:
            d = r["doc"]
            cfg = d["HyperParameterTuningJobConfig"]
            s = {k: d[k] for k in keys if k in d}
            s["Strategy"] = cfg.get("Strategy", "Bayesian")
            s["ResourceLimits"] = cfg.get("ResourceLimits", {})
            summaries.append(s)
        return token | {"HyperParameterTuningJobSummaries": summaries}

    def stop_tuning_job(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        from amtune.tuning.liveness import stop_tuning_job

        name = self._name(req, "HyperParameterTuningJobName")
        self._tuning_doc(self.store, name, region)  # ResourceNotFound
        stop_tuning_job(self.store, name)
        return {}

    def list_training_jobs_for_tuning_job(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        from amtune.analytics import training_job_summary
        from amtune.sagemaker.document import StoredConfig

        name = self._name(req, "HyperParameterTuningJobName")
        d = self._tuning_doc(self.store, name, region)
        objective = StoredConfig(self.store.get_tuning_job(name)["config"]).objective
        rows = self.store.training_jobs(name)
        status = req.get("StatusEquals")
        summaries = [
            training_job_summary(r, objective, name)
            for r in rows
            if status is None or r["status"] == status
        ]
        tuning_arn = d["HyperParameterTuningJobArn"]
        for s in summaries:
            s["TrainingJobArn"] = self.arn(region, "training-job", s["TrainingJobName"])
            s["TuningJobArn"] = tuning_arn
        sort_by = req.get("SortBy") or "Name"
        descending = (req.get("SortOrder") or "Ascending") == "Descending"
        if sort_by == "FinalObjectiveMetricValue":
            # SageMaker: jobs that did not report the objective are not listed
            summaries = [s for s in summaries if "FinalHyperParameterTuningJobObjectiveMetric" in s]
            summaries.sort(
                key=lambda s: s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"],
                reverse=descending,
            )
        else:
            key = {"Name": "TrainingJobName", "CreationTime": "CreationTime"}.get(
                sort_by, "TrainingJobStatus"
            )
            summaries.sort(key=lambda s: (s[key], s["TrainingJobName"]), reverse=descending)
        start, limit = window(req)
        token = {"NextToken": str(start + limit)} if start + limit < len(summaries) else {}
        return token | {"TrainingJobSummaries": summaries[start : start + limit]}


def _tuning_names(st: Store) -> list[str]:
    return [j["name"] for j in st.list_tuning_jobs()]


def _driver_pid(stem: Path) -> int | None:
    """The pid of the ``amtune`` process that runs the request at ``stem``, if it still does."""
    try:
        pid = int(stem.with_suffix(".pid").read_text())
    except (OSError, ValueError):
        return None
    cmdline = process_cmdline(pid)  # the pid was not reused: its command line names the request
    if cmdline is None:
        return None
    return pid if cmdline == b"" or str(stem.with_suffix(".json")).encode() in cmdline else None
