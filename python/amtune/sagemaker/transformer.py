"""``sagemaker.transformer.Transformer``: batch transform of a model, run locally.

The model is a model of the session's endpoint service (CreateModel, ``Model.transformer()`` or
``estimator.transformer()``), served in this process by the endpoints' inference handler
(:mod:`amtune.serve.handler`, the model's ``Environment`` set while it runs), so a model answers
here as it does at an endpoint. Every file of ``data`` (a local file or directory, recursively;
or an S3 key prefix that is neither, which selects the files whose path starts with it, named
below its directory: :func:`amtune.sagemaker.inputs.prefix_files`) is transformed into
``<output_path>/<path relative to data>.out``, as SageMaker names the objects:

- ``split_type=None`` (the SDK's default): the whole file is one request and its answer is the
  file's output.
- ``split_type="Line"``: the records are the file's non-empty lines; ``strategy="SingleRecord"``
  sends one per request, ``"MultiRecord"`` (or None) as many as fit in ``max_payload`` MB
  (default 6). With ``assemble_with="Line"`` each answer ends with a newline; otherwise the
  answers are concatenated as they are.

``input_filter``, ``join_source`` and ``output_filter`` (SageMaker's ``DataProcessing``) work
on the records of CSV and JSON data as SageMaker does (:mod:`amtune.sagemaker.data_processing`):
each record is filtered before it is sent, and each output record is joined to its original input
record and/or filtered before it is written, one record a line. Joining needs one output line per
input record; a model answering otherwise fails the job.

``compression_type="Gzip"`` reads gzip-compressed files. Not done locally: ``ManifestFile``
data, ``RecordIO``/``TFRecord`` splits (errors naming the argument), concurrent requests
(``max_concurrent_transforms`` is accepted; one request at a time).

Each job runs in this process and is recorded in the session's store as CreateTransformJob records
one (:mod:`amtune.sagemaker.transform_jobs`), so DescribeTransformJob, ListTransformJobs,
StopTransformJob (boto3, ``Session``) and :meth:`Transformer.attach` find it, as they find the
SDK's jobs on SageMaker; a job name already in the store is a ``ResourceInUse`` error.
``latest_transform_job.describe()`` is this process's record of the job.
"""

from __future__ import annotations

import gzip
import os
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from amtune import container_modules
from amtune.sagemaker.data_processing import DataProcessing, describe
from amtune.sagemaker.exceptions import UnexpectedStatusException
from amtune.sagemaker.inputs import local_output_dir, prefix_files
from amtune.sagemaker.names import LOCAL_ACCOUNT
from amtune.sagemaker.session import Session, base_name_from_image, name_from_base
from amtune.sagemaker.transform_jobs import (
    AttachedTransformJob,
    TransformJobRecord,
    transformer_arguments,
)

__all__ = ["Transformer"]

STRATEGIES = ("MultiRecord", "SingleRecord")
DEFAULT_MAX_PAYLOAD_MB = 6


def _choice(value: Any, field: str, allowed: Sequence[str | None]) -> None:
    if value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{field}: must be one of {shown}, got {value!r}")


def _now() -> datetime:
    return datetime.now(timezone.utc)


class _TransformJob:
    """``transformer.latest_transform_job``: ``name``/``job_name``, ``describe()``, ``wait()``,
    ``stop()``."""

    def __init__(
        self, name: str, description: dict[str, Any], record: TransformJobRecord | None = None
    ) -> None:
        self.name = name
        self.job_name = name
        self._desc = description
        self._thread: threading.Thread | None = None
        self.stop_requested = threading.Event()
        self.record = record

    def stopping(self) -> bool:
        """Whether the job was asked to stop: :meth:`stop`, or StopTransformJob on its record."""
        if not self.stop_requested.is_set() and self.record and self.record.stop_requested():
            self.stop_requested.set()
        return self.stop_requested.is_set()

    def describe(self) -> dict[str, Any]:
        """The DescribeTransformJob document (times as UTC datetimes, as boto3 gives them)."""
        return dict(self._desc)

    def wait(self, logs: bool = True) -> None:
        """Block until the job ends; :class:`~amtune.UnexpectedStatusException` if it Failed."""
        if self._thread is not None:
            self._thread.join()
        status = self._desc["TransformJobStatus"]
        if status == "Failed":
            raise UnexpectedStatusException.for_job(
                "Transform job", self.name, status, self._desc.get("FailureReason")
            )

    def stop(self) -> None:
        """Stop after the request in flight (status Stopped; finished files stay)."""
        self.stop_requested.set()


class Transformer:
    """Batch transform with a model, as ``sagemaker.transformer.Transformer``.

    ``model_name`` names a model of ``sagemaker_session`` (an :class:`amtune.Session`; default:
    one on ``./amtune.db``). ``output_path`` is a local directory (default
    ``<session.default_bucket()>/<job name>``). ``instance_count``, ``instance_type``, KMS keys
    and tags have no local meaning.

    >>> Transformer("m", 1, "ml.m5.xlarge", strategy="Everything")
    Traceback (most recent call last):
    ...
    ValueError: strategy: must be one of None, 'MultiRecord', 'SingleRecord', got 'Everything'
    """

    JOB_CLASS_NAME = "transform-job"
    #: whether :meth:`transform` records its jobs in the store (not when the job's record is the
    #: control plane's: a CreateTransformJob request run by :mod:`amtune.serve.transform_run`)
    records_jobs = True

    def __init__(
        self,
        model_name: str,
        instance_count: int,
        instance_type: str,
        strategy: str | None = None,
        assemble_with: str | None = None,
        output_path: str | os.PathLike[str] | None = None,
        output_kms_key: str | None = None,
        accept: str | None = None,
        max_concurrent_transforms: int | None = None,
        max_payload: int | None = None,
        tags: Sequence[Mapping[str, str]] | None = None,
        env: Mapping[str, str] | None = None,
        base_transform_job_name: str | None = None,
        sagemaker_session: Session | None = None,
        volume_kms_key: str | None = None,
    ) -> None:
        if not isinstance(model_name, str) or not model_name:
            raise ValueError(f"model_name: must be a model's name, got {model_name!r}")
        _choice(strategy, "strategy", (None, *STRATEGIES))
        _choice(assemble_with, "assemble_with", (None, "Line", "None"))
        if max_payload is not None and (
            isinstance(max_payload, bool) or not isinstance(max_payload, int) or max_payload < 0
        ):
            raise ValueError(
                f"max_payload: must be an integer number of MB >= 0, got {max_payload!r}"
            )
        if output_path is not None and os.fspath(output_path).startswith("s3://"):
            raise ValueError(f"output_path: must be a local directory, got {output_path!r}")
        self.model_name = model_name
        self.instance_count = instance_count
        self.instance_type = instance_type
        self.strategy = strategy
        self.assemble_with = assemble_with
        self.output_path = (
            None if output_path is None else local_output_dir(output_path, "output_path")
        )
        if self.output_path is not None and os.path.isfile(self.output_path):
            raise ValueError(
                f"output_path: must be a directory (one output file per input file goes into "
                f"it), but {self.output_path} is a file"
            )
        self._reset_output_path = False
        self.output_kms_key = output_kms_key
        self.accept = accept
        self.max_concurrent_transforms = max_concurrent_transforms
        self.max_payload = max_payload
        self.tags = tags
        self.env = {str(k): str(v) for k, v in (env or {}).items()}
        self.base_transform_job_name = base_transform_job_name
        self.sagemaker_session = sagemaker_session or Session()
        self.volume_kms_key = volume_kms_key
        self.latest_transform_job: _TransformJob | AttachedTransformJob | None = None
        self._current_job_name: str | None = None

    @classmethod
    def attach(cls, transform_job_name: str, sagemaker_session: Session | None = None) -> Any:
        """A transformer rebuilt from transform job ``transform_job_name`` (DescribeTransformJob
        of ``sagemaker_session``'s control plane, as the SDK's ``attach``): its model, resources,
        batch strategy, assembly, output path, accept type and payload limit, with the job's name
        as ``base_transform_job_name``; ``latest_transform_job`` follows that job."""
        session = sagemaker_session or Session()
        d = session.describe_transform_job(transform_job_name)
        transformer = cls(
            **transformer_arguments(d),
            base_transform_job_name=d["TransformJobName"],
            sagemaker_session=session,
        )
        transformer.latest_transform_job = AttachedTransformJob(session, d["TransformJobName"])
        return transformer

    def transform(
        self,
        data: str | os.PathLike[str],
        data_type: str = "S3Prefix",
        content_type: str | None = None,
        compression_type: str | None = None,
        split_type: str | None = None,
        job_name: str | None = None,
        input_filter: str | None = None,
        output_filter: str | None = None,
        join_source: str | None = None,
        experiment_config: Mapping[str, str] | None = None,
        model_client_config: Mapping[str, Any] | None = None,
        batch_data_capture_config: Any = None,
        wait: bool = True,
        logs: bool = True,
    ) -> None:
        """Transform every file of ``data`` (see the module doc); ``wait=False`` runs it on a
        background thread (:meth:`wait` joins it)."""
        text = os.fspath(data)
        if text.startswith("s3://"):
            raise ValueError(f"data: must be a local file or directory, got {text!r}")
        _choice(data_type, "data_type", ("S3Prefix",))
        _choice(compression_type, "compression_type", (None, "None", "Gzip"))
        _choice(split_type, "split_type", (None, "None", "Line"))
        split = None if split_type in (None, "None") else split_type
        processing = DataProcessing.create(
            input_filter,
            output_filter,
            join_source,
            content_type,
            self.accept,
            split_lines=split is not None,
        )
        src = Path(text.removeprefix("file://")).expanduser()
        if not src.exists() and (text.endswith(("/", os.sep)) or not prefix_files(src)):
            raise ValueError(
                f"data: no such file or directory, and no file whose path starts with it (an "
                f"S3 key prefix): {src}"
            )
        model = self.sagemaker_session.describe_model(self.model_name)
        container = model.get("PrimaryContainer") or (model.get("Containers") or [{}])[0]
        if job_name is None:
            base = self.base_transform_job_name or base_name_from_image(
                container.get("Image"), self.model_name
            )
            job_name = name_from_base(base)
        self._current_job_name = job_name
        if self.output_path is None or self._reset_output_path:
            self.output_path = os.path.join(self.sagemaker_session.default_bucket(), job_name)
            self._reset_output_path = True
        payload = DEFAULT_MAX_PAYLOAD_MB if self.max_payload is None else self.max_payload
        desc: dict[str, Any] = {
            "TransformJobName": job_name,
            "TransformJobArn": f"arn:aws:sagemaker:{self.sagemaker_session.boto_region_name}:"
            f"{LOCAL_ACCOUNT}:transform-job/{job_name}",
            "TransformJobStatus": "InProgress",
            "ModelName": self.model_name,
            "MaxPayloadInMB": payload,
            "TransformInput": {
                "DataSource": {"S3DataSource": {"S3DataType": data_type, "S3Uri": str(src)}},
                "CompressionType": compression_type or "None",
                "SplitType": split or "None",
            },
            "TransformOutput": {"S3OutputPath": self.output_path},
            "TransformResources": {
                "InstanceType": self.instance_type,
                "InstanceCount": self.instance_count,
            },
            "CreationTime": _now(),
        }
        if content_type:
            desc["TransformInput"]["ContentType"] = content_type
        if self.accept:
            desc["TransformOutput"]["Accept"] = self.accept
        if self.assemble_with:
            desc["TransformOutput"]["AssembleWith"] = self.assemble_with
        if self.strategy:
            desc["BatchStrategy"] = self.strategy
        if self.env:
            desc["Environment"] = dict(self.env)
        if self.max_concurrent_transforms:
            desc["MaxConcurrentTransforms"] = self.max_concurrent_transforms
        if model_client_config:
            desc["ModelClientConfig"] = dict(model_client_config)
        if experiment_config:
            desc["ExperimentConfig"] = dict(experiment_config)
        data_processing = describe(input_filter, output_filter, join_source)
        if data_processing is not None:
            desc["DataProcessing"] = data_processing
        record = (
            TransformJobRecord.create(self.sagemaker_session.db, desc)
            if self.records_jobs
            else None
        )
        job = _TransformJob(job_name, desc, record)
        self.latest_transform_job = job
        run = _Run(
            self,
            job,
            container,
            src,
            content_type,
            compression_type,
            split,
            payload,
            logs,
            processing=processing if processing.active else None,
        )
        if wait:
            run()
            job.wait(logs=logs)
        else:
            job._thread = threading.Thread(target=run, name=f"transform-{job_name}", daemon=True)
            job._thread.start()

    def wait(self, logs: bool = True) -> None:
        """Wait for the latest transform job (``ValueError`` when there is none)."""
        if self.latest_transform_job is None:
            raise ValueError("No transform job available")
        self.latest_transform_job.wait(logs=logs)

    def stop_transform_job(self, wait: bool = True) -> None:
        if self.latest_transform_job is None:
            raise ValueError("No transform job available")
        self.latest_transform_job.stop()
        if wait:
            self.latest_transform_job.wait()

    def delete_model(self) -> None:
        """DeleteModel of the transformer's model."""
        self.sagemaker_session.delete_model(self.model_name)


class _Run:
    """One transform job's work (called on the caller's thread or a background one)."""

    def __init__(
        self,
        transformer: Transformer,
        job: _TransformJob,
        container: Mapping[str, Any],
        src: Path,
        content_type: str | None,
        compression: str | None,
        split: str | None,
        payload_mb: int,
        logs: bool,
        processing: DataProcessing | None = None,
    ) -> None:
        self.t = transformer
        self.job = job
        self.container = container
        self.src = src
        self.content_type = content_type
        self.gzip = compression == "Gzip"
        self.split = split
        self.limit = payload_mb * 1024 * 1024 if payload_mb > 0 else None
        self.single = transformer.strategy == "SingleRecord"
        self.logs = logs
        self.processing = processing

    def _requests(self, body: bytes) -> Iterator[list[bytes]]:
        """The requests' data: the whole file, or batches of its non-empty lines."""
        if self.split is None:
            yield [body]
            return
        batch: list[bytes] = []
        size = 0
        for line in body.splitlines(keepends=True):
            if not line.strip():
                continue
            if not line.endswith(b"\n"):
                line += b"\n"
            if batch and (self.single or (self.limit and size + len(line) > self.limit)):
                yield batch
                batch, size = [], 0
            batch.append(line)
            size += len(line)
        if batch:
            yield batch

    def __call__(self) -> None:
        desc = self.job._desc
        desc["TransformStartTime"] = _now()
        try:
            n_files, n_requests = self._run()
            desc["TransformJobStatus"] = "Stopped" if self.job.stopping() else "Completed"
            if self.logs:
                print(
                    f"Transform job {self.job.name}: {n_requests} request(s) of {n_files} "
                    f"file(s) into {self.t.output_path}",
                    flush=True,
                )
        except Exception as exc:  # the job's failure, reported by wait()
            desc["TransformJobStatus"] = "Failed"
            desc["FailureReason"] = str(exc)
        desc["TransformEndTime"] = _now()
        if self.job.record is not None:
            self.job.record.finish(desc["TransformJobStatus"], desc.get("FailureReason"))

    def _run(self) -> tuple[int, int]:
        from amtune.builtin.data import channel_files
        from amtune.serve.endpoints import model_spec
        from amtune.serve.handler import DEFAULT_ACCEPT_ENV, Handler

        session = self.t.sagemaker_session
        cache = Path(session.db).parent / "amtune-endpoints" / "models"
        spec = model_spec({"PrimaryContainer": dict(self.container)}, cache)
        # SAGEMAKER_BATCH: what SageMaker (and the SDK's local mode) sets for a transform job's
        # container; the XGBoost container then answers CSV one prediction per line
        env = {**spec.env, **self.t.env, "SAGEMAKER_BATCH": "True", "SM_MODEL_DIR": spec.model_dir}
        if self.src.exists():
            named = [
                (f, f.name if self.src.is_file() else f.relative_to(self.src).as_posix())
                for f in channel_files(self.src, "data")
            ]
        else:  # an S3 key prefix: its files, named below the prefix's directory
            named = prefix_files(self.src)
        out_root = Path(str(self.t.output_path))
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        # the framework containers' own modules (sagemaker_training, ...), last, as a model
        # server has them
        stand_ins = container_modules.python_path()
        added = stand_ins not in sys.path
        if added:
            sys.path.append(stand_ins)
        requests = 0
        try:
            handler = Handler.load(
                spec.model_dir,
                spec.program,
                spec.submit_dir,
                default_accept=env.get(DEFAULT_ACCEPT_ENV),
            )
            for f, rel in named:
                if self.job.stopping():
                    break
                dest = out_root / f"{rel}.out"
                dest.parent.mkdir(parents=True, exist_ok=True)
                raw = f.read_bytes()
                body = gzip.decompress(raw) if self.gzip else raw
                tmp = dest.with_name(dest.name + ".partial")
                with open(tmp, "wb") as out:
                    for n, chunks in enumerate(self._requests(body), 1):
                        records, request = self._request(chunks, f, n)
                        r = handler.invoke(request, self.content_type, self.t.accept)
                        requests += 1
                        if r.status != 200:
                            first = r.body.decode("utf-8", "replace").split("\n", 1)[0]
                            raise ValueError(
                                f"{f}: the model answered {r.status}: {first or r.phrase}"
                            )
                        out.write(self._output(r.body, records, f, n))
                tmp.replace(dest)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            if added and stand_ins in sys.path:
                sys.path.remove(stand_ins)
        return len(named), requests

    def _request(self, chunks: list[bytes], f: Path, k: int) -> tuple[list[str], bytes]:
        """The records of the ``k``-th request of file ``f`` and what is sent for them."""
        if self.processing is None:
            return [], b"".join(chunks)
        try:
            records = self.processing.input_records(chunks)
            return records, self.processing.request_body(chunks, records)
        except ValueError as exc:
            raise ValueError(f"{f} (request {k}): {exc}") from None

    def _output(self, answer: bytes, records: list[str], f: Path, k: int) -> bytes:
        """What is written for the model's answer: as it is (a newline added with
        ``assemble_with="Line"``), or record by record when joining or filtering the output."""
        line = self.t.assemble_with == "Line"
        if self.processing is None or not self.processing.per_record_output:
            return answer + b"\n" if line and not answer.endswith(b"\n") else answer
        try:
            return self.processing.output_body(records, answer, assemble_line=line)
        except ValueError as exc:
            raise ValueError(f"{f} (request {k}): {exc}") from None


def transformer_of_training_job(
    training_job: str,
    db: str | os.PathLike[str],
    framework: str | None,
    instance_count: int,
    instance_type: str,
    *,
    model_name: str | None = None,
    role: str | None = None,
    entry_point: str | os.PathLike[str] | None = None,
    source_dir: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    base_transform_job_name: str | None = None,
    **kwargs: Any,
) -> Transformer:
    """``estimator.transformer()``: the training job's model (found as ``deploy()`` finds it;
    ``entry_point``/``source_dir`` override its inference code) created as model ``model_name``
    (default: the training job's name) in the store's endpoint service, and a
    :class:`Transformer` of it."""
    from amtune.serve.deployment import resolve_model
    from amtune.serve.state import ServeState

    state = ServeState(db)
    try:
        container = resolve_model(state, training_job, framework).container()
    finally:
        state.close()
    if entry_point is not None:
        base = Path(source_dir) if source_dir is not None else Path.cwd()
        script = (base / entry_point).resolve()
        if not script.is_file():
            raise ValueError(f"entry_point: no such file: {script}")
        container["Environment"].update(
            {"SAGEMAKER_PROGRAM": script.name, "SAGEMAKER_SUBMIT_DIRECTORY": str(script.parent)}
        )
    session = Session(db=db)
    name = session.create_model(model_name or training_job, role, container)
    known = {
        "strategy",
        "assemble_with",
        "output_path",
        "output_kms_key",
        "accept",
        "max_concurrent_transforms",
        "max_payload",
        "tags",
        "volume_kms_key",
    }
    args = {k: v for k, v in kwargs.items() if k in known}
    return Transformer(
        name,
        instance_count,
        instance_type,
        env=env,
        base_transform_job_name=base_transform_job_name,
        sagemaker_session=session,
        **args,
    )
