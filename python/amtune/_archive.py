"""A directory for a ``.tar.gz`` (model data, a ``sourcedir.tar.gz``), extracted once into a
cache and reused while the archive is unchanged.

>>> import io, pathlib, tarfile, tempfile
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> with tarfile.open(d / "code.tar.gz", "w:gz") as tf:
...     info = tarfile.TarInfo("train.py"); data = b"print(1)\\n"; info.size = len(data)
...     tf.addfile(info, io.BytesIO(data))
>>> (extracted(d / "code.tar.gz", d / "cache") / "train.py").read_text()
'print(1)\\n'
>>> extracted(d / "cache", d / "cache") is None  # not an archive
True
"""

from __future__ import annotations

import tarfile
from pathlib import Path

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar")


def extracted(path: Path, cache: Path) -> Path | None:
    """The directory ``path`` extracts to (under ``cache``, named after the archive and its
    modification time), or None when ``path`` is not a tar archive. Members that would land
    outside the directory or are not plain data are refused (``tarfile``'s ``data`` filter)."""
    if not path.is_file() or not path.name.endswith(ARCHIVE_SUFFIXES):
        return None
    dest = cache / f"{path.name}-{int(path.stat().st_mtime_ns)}"
    if not dest.exists():
        tmp = dest.with_name(dest.name + ".partial")
        tmp.mkdir(parents=True, exist_ok=True)
        with tarfile.open(path) as tf:
            tf.extractall(tmp, filter="data")
        tmp.rename(dest)
    return dest
