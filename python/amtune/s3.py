"""``sagemaker.s3`` on local paths: ``S3Uploader`` and ``S3Downloader`` copy, write, read and list
local files, as a notebook whose S3 URIs became local paths uses them.

A "URI" here is a local path or a ``file://`` URL; an ``s3://`` one is an error naming the
argument (there is no S3 locally). As on S3, a prefix need not be a directory: ``list("data/tr")``
lists ``data/train.csv`` and ``data/train/part-0.csv``.

>>> import os, tempfile
>>> d = tempfile.mkdtemp()
>>> p = S3Uploader.upload_string_as_file_body("1,2\\n", os.path.join(d, "data", "train.csv"))
>>> S3Downloader.read_file(p)
'1,2\\n'
>>> [os.path.relpath(f, d) for f in S3Downloader.list(os.path.join(d, "data", "tr"))]
['data/train.csv']
>>> S3Downloader.list("s3://bucket/key")
Traceback (most recent call last):
...
ValueError: s3_uri: S3 is not available locally; give a local path (or file:// URI), got 's3://bucket/key'
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from amtune.sagemaker.inputs import local_uri, prefix_files

__all__ = ["S3Downloader", "S3Uploader", "s3_path_join"]

_Paths = list[str]  # (S3Downloader.list shadows the builtin in its class)


def _local(uri: Any, field: str) -> Path:
    return local_uri(uri, field, what="S3")


def s3_path_join(*args: Any, with_end_slash: bool = False) -> str:
    """The SDK's ``s3_path_join``: the parts joined by ``/`` (empty parts and repeated slashes
    dropped; an ``s3://`` scheme kept), for local paths as for S3 URIs.

    >>> s3_path_join("s3://", "bucket", "/prefix/", "key"), s3_path_join("data", "train")
    ('s3://bucket/prefix/key', 'data/train')
    """
    parts = [str(a) for a in args if a is not None and str(a) != ""]
    scheme = ""
    if parts and parts[0].startswith("s3://"):
        scheme, parts[0] = "s3://", parts[0][len("s3://") :]
    lead = "/" if parts and parts[0].startswith("/") and not scheme else ""
    pieces = [p for part in parts for p in part.split("/") if p]
    joined = scheme + lead + "/".join(pieces)
    return joined + "/" if with_end_slash and not joined.endswith("/") else joined


class S3Uploader:
    """``sagemaker.s3.S3Uploader``: copies and writes local files (the SDK's ``kms_key``,
    ``sagemaker_session`` and ``callback`` are accepted and have no local meaning)."""

    @staticmethod
    def upload(
        local_path: str | os.PathLike[str],
        desired_s3_uri: str | os.PathLike[str],
        kms_key: str | None = None,
        sagemaker_session: Any = None,
        callback: Any = None,
    ) -> str:
        """Copy a file (or a directory's files) into the directory ``desired_s3_uri``; return
        the copy's path (the file's, or the directory's), as the SDK returns the S3 URI."""
        src = _local(local_path, "local_path")
        dest = _local(desired_s3_uri, "desired_s3_uri")
        if not src.exists():
            raise ValueError(f"local_path: no such file or directory: {src}")
        dest.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dest, dirs_exist_ok=True)
            return str(dest)
        target = dest / src.name
        if target.resolve() != src.resolve():
            shutil.copy2(src, target)
        return str(target)

    @staticmethod
    def upload_string_as_file_body(
        body: str,
        desired_s3_uri: str | os.PathLike[str] | None = None,
        kms_key: str | None = None,
        sagemaker_session: Any = None,
    ) -> str:
        """Write ``body`` to the file ``desired_s3_uri`` (directories created); return its path."""
        target = _local(desired_s3_uri, "desired_s3_uri")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body)
        return str(target)

    @staticmethod
    def upload_bytes(
        b: bytes | Any,
        s3_uri: str | os.PathLike[str],
        kms_key: str | None = None,
        sagemaker_session: Any = None,
    ) -> str:
        """Write bytes (or a binary file object's contents) to the file ``s3_uri``."""
        target = _local(s3_uri, "s3_uri")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b if isinstance(b, (bytes, bytearray)) else b.read())
        return str(target)


class S3Downloader:
    """``sagemaker.s3.S3Downloader``: copies, reads and lists local files."""

    @staticmethod
    def list(s3_uri: str | os.PathLike[str], sagemaker_session: Any = None) -> _Paths:
        """The files whose path starts with ``s3_uri`` (a directory lists its files
        recursively), sorted: the rule of channels (:func:`amtune.sagemaker.inputs.prefix_files`).
        """
        return [str(f) for f, _ in prefix_files(_local(s3_uri, "s3_uri"))]

    @staticmethod
    def download(
        s3_uri: str | os.PathLike[str],
        local_path: str | os.PathLike[str],
        kms_key: str | None = None,
        sagemaker_session: Any = None,
    ) -> _Paths:
        """Copy the files under ``s3_uri`` into the directory ``local_path`` (named as in a
        channel: their paths below the prefix, or below its directory when it is not one);
        return the copies' paths."""
        src = _local(s3_uri, "s3_uri")
        dest = _local(local_path, "local_path")
        files = prefix_files(src)
        if not files:
            raise ValueError(f"s3_uri: no such file or directory: {src}")
        out = []
        for f, rel in files:
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.resolve() != f.resolve():
                shutil.copy2(f, target)
            out.append(str(target))
        return out

    @staticmethod
    def read_file(s3_uri: str | os.PathLike[str], sagemaker_session: Any = None) -> str:
        """The text of the file ``s3_uri``."""
        return _local(s3_uri, "s3_uri").read_text()

    @staticmethod
    def read_bytes(s3_uri: str | os.PathLike[str], sagemaker_session: Any = None) -> bytes:
        """The bytes of the file ``s3_uri``."""
        return _local(s3_uri, "s3_uri").read_bytes()
