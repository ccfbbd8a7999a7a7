"""Input channels as the SageMaker SDK gives them (``fit(inputs)``), resolved to local paths.

``inputs`` is a path (the channel ``training``), or a dict of channel name to a path, a
:class:`TrainingInput`, or any object with the SDK's ``config`` dict
(``sagemaker.inputs.TrainingInput`` itself). A path is a local directory or file, or a
``file://`` URI; S3 URIs have no local meaning. Every channel must exist, or be a key prefix
as on S3 (``data/csv/train`` selects ``data/csv/train.csv``, see :func:`prefix_files`): the error
names the channel.

>>> import tempfile
>>> d = tempfile.mkdtemp()
>>> sorted(resolve_inputs({"train": d}))
['train']
>>> resolve_inputs({"train": "s3://bucket/data"})  # doctest: +ELLIPSIS
Traceback (most recent call last):
ValueError: inputs['train']: S3 data is not available locally; give a local path ...
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

DEFAULT_CHANNEL = "training"


class TrainingInput:
    """A channel's data, named and shaped like ``sagemaker.inputs.TrainingInput``.

    Only ``s3_data`` (here a local path or ``file://`` URI) and ``content_type`` mean something
    locally; the other arguments are accepted for compatibility.
    """

    def __init__(
        self,
        s3_data: str | os.PathLike[str],
        distribution: str | None = None,
        compression: str | None = None,
        content_type: str | None = None,
        record_wrapping: str | None = None,
        s3_data_type: str = "S3Prefix",
        instance_groups: list[str] | None = None,
        input_mode: str | None = None,
        attribute_names: list[str] | None = None,
        target_attribute_name: str | None = None,
        shuffle_config: Any = None,
    ) -> None:
        src: dict[str, Any] = {
            "S3DataType": s3_data_type,
            "S3Uri": os.fspath(s3_data),
            "S3DataDistributionType": distribution or "FullyReplicated",
        }
        self.config: dict[str, Any] = {"DataSource": {"S3DataSource": src}}
        if content_type is not None:
            self.config["ContentType"] = content_type
        if compression is not None:
            self.config["CompressionType"] = compression
        if record_wrapping is not None:
            self.config["RecordWrapperType"] = record_wrapping
        if input_mode is not None:
            self.config["InputMode"] = input_mode
        if shuffle_config is not None:  # kept in the request; a local channel is not shuffled
            self.config["ShuffleConfig"] = {"Seed": shuffle_config.seed}


class ShuffleConfig:
    """``sagemaker.inputs.ShuffleConfig(seed)``: a channel's ``ShuffleConfig`` (kept in the
    request; the files of a local channel are not shuffled)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed


#: ``FileSystemDataSource.FileSystemType`` and ``FileSystemAccessMode`` values
FILE_SYSTEM_TYPES = ("FSxLustre", "EFS")
FILE_SYSTEM_ACCESS_MODES = ("ro", "rw")


class FileSystemInput:
    """``sagemaker.inputs.FileSystemInput``: a channel read from an EFS or FSx for Lustre file
    system. Locally ``directory_path`` is a local directory (the file system's mount point
    here), read as a ``TrainingInput``'s path is; ``file_system_id`` is kept in the request.

    >>> FileSystemInput("fs-1", "NFS", "/mnt/data")
    Traceback (most recent call last):
    ...
    ValueError: file_system_type: must be one of FSxLustre, EFS, got 'NFS'
    """

    def __init__(
        self,
        file_system_id: str,
        file_system_type: str,
        directory_path: str | os.PathLike[str],
        file_system_access_mode: str = "ro",
        content_type: str | None = None,
    ) -> None:
        for field, value, allowed in (
            ("file_system_type", file_system_type, FILE_SYSTEM_TYPES),
            ("file_system_access_mode", file_system_access_mode, FILE_SYSTEM_ACCESS_MODES),
        ):
            if value not in allowed:
                raise ValueError(f"{field}: must be one of {', '.join(allowed)}, got {value!r}")
        self.config: dict[str, Any] = {
            "DataSource": {
                "FileSystemDataSource": {
                    "FileSystemId": file_system_id,
                    "FileSystemType": file_system_type,
                    "DirectoryPath": os.fspath(directory_path),
                    "FileSystemAccessMode": file_system_access_mode,
                }
            }
        }
        if content_type:
            self.config["ContentType"] = content_type


def local_uri(uri: Any, where: str, what: str = "S3 data") -> Path:
    """``uri`` as a local path (``file://`` stripped, ``~`` expanded; it need not exist); an
    ``s3://`` URI is an error naming ``where``."""
    if isinstance(uri, os.PathLike):
        uri = os.fspath(uri)
    if not isinstance(uri, str) or not uri:
        raise ValueError(f"{where}: must be a local path (string), got {uri!r}")
    if uri.startswith("s3://"):
        raise ValueError(
            f"{where}: {what} is not available locally; give a local path (or file:// URI), "
            f"got {uri!r}"
        )
    return Path(uri.removeprefix("file://")).expanduser()


def local_output_dir(uri: Any, where: str) -> str:
    """An output location (``output_path``) as an absolute local directory: a ``file://`` URL is
    its host and path joined, as SageMaker's local mode reads it (``file://model/`` is ``./model``,
    ``file:///abs`` is ``/abs``), and a relative path is taken from the current directory now, so
    the training script (which runs in its code directory) gets paths that exist.

    >>> import os
    >>> local_output_dir("file://model/", "output_path") == os.path.join(os.getcwd(), "model")
    True
    >>> local_output_dir("file:///tmp/out", "output_path")
    '/tmp/out'
    """
    return os.path.abspath(local_uri(uri, where, "an S3 output location"))


def prefix_files(prefix: str | os.PathLike[str]) -> list[tuple[Path, str]]:
    """The files an S3 key prefix selects, with the name each gets in a channel's directory.

    As on S3, a prefix need not be a directory: a file is itself (named by its base name); a
    directory is every file below it (named by its path below it); any other path selects every
    file whose path starts with it, named by its path below the prefix's directory, as SageMaker
    names the objects a partial key prefix selects (``csv/train`` selects ``csv/train.csv`` as
    ``train.csv`` and ``csv/train-2/a.csv`` as ``train-2/a.csv``). Sorted by path.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> (d / "train-2").mkdir()
    >>> for f in ("train.csv", "test.csv", "train-2/a.csv"):
    ...     _ = (d / f).write_text("1")
    >>> [rel for _, rel in prefix_files(d / "train")]
    ['train-2/a.csv', 'train.csv']
    """
    p = Path(prefix)
    if p.is_file():
        return [(p, p.name)]
    base = p if p.is_dir() else p.parent
    if not base.is_dir():
        return []
    text = str(p)
    found = [f for f in base.rglob("*") if f.is_file() and str(f).startswith(text)]
    return [(f, f.relative_to(base).as_posix()) for f in sorted(found)]


def local_path(uri: Any, where: str) -> str:
    """The absolute local path of a channel's data (``file://`` stripped). It must exist, or be
    a key prefix that selects at least one file (:func:`prefix_files`; one that ends with ``/``
    names a directory)."""
    given = local_uri(uri, where)
    p = given.resolve()
    if p.exists():
        return str(p)
    text = os.fspath(uri).removeprefix("file://")
    if not text.endswith(("/", os.sep)) and prefix_files(p):
        return str(p)
    raise ValueError(
        f"{where}: the channel's data must exist; no such file or directory, and no file whose "
        f"path starts with it (an S3 key prefix): {p}"
    )


def _channel_uri(value: Any, where: str) -> tuple[Any, str | None]:
    config = getattr(value, "config", None)
    if isinstance(config, Mapping):
        ds = config.get("DataSource") or {}
        for kind, key in (
            ("S3DataSource", "S3Uri"),
            ("FileDataSource", "Path"),
            ("FileSystemDataSource", "DirectoryPath"),
        ):
            if kind in ds:
                return ds[kind].get(key), config.get("ContentType")
        raise ValueError(f"{where}: a TrainingInput without a data source: {config!r}")
    return value, None


def resolve_inputs(inputs: Any) -> dict[str, str]:
    """Channel name -> absolute local path (see the module's docstring)."""
    return {k: v for k, (v, _) in resolve_inputs_with_types(inputs).items()}


def resolve_inputs_with_types(inputs: Any) -> dict[str, tuple[str, str | None]]:
    """Channel name -> (absolute local path, content type or None)."""
    if inputs is None:
        return {}
    if isinstance(inputs, (str, os.PathLike)) or hasattr(inputs, "config"):
        inputs = {DEFAULT_CHANNEL: inputs}
    if not isinstance(inputs, Mapping):
        raise TypeError(
            f"inputs: must be a path, a TrainingInput or a dict of channel name to either, "
            f"got {type(inputs).__name__}"
        )
    out: dict[str, tuple[str, str | None]] = {}
    for name, value in inputs.items():
        where = f"inputs[{name!r}]"
        if not isinstance(name, str) or not name:
            raise ValueError(f"{where}: a channel name must be a non-empty string")
        uri, ct = _channel_uri(value, where)
        out[name] = (local_path(uri, where), ct)
    return out


def input_data_config(channels: Mapping[str, tuple[str, str | None]]) -> list[dict[str, Any]]:
    """The ``InputDataConfig`` of a CreateTrainingJob request for local channels."""
    out: list[dict[str, Any]] = []
    for name, (path, ct) in channels.items():
        ch: dict[str, Any] = {
            "ChannelName": name,
            "DataSource": {
                "S3DataSource": {
                    "S3DataType": "S3Prefix",
                    "S3Uri": "file://" + path,
                    "S3DataDistributionType": "FullyReplicated",
                }
            },
        }
        if ct:
            ch["ContentType"] = ct
        out.append(ch)
    return out
