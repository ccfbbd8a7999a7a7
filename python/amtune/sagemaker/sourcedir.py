"""The SDK's code bundle (``sourcedir.tar.gz``) with ``dependencies``: a local directory of links.

The SageMaker SDK uploads a framework estimator's (or model's) code as one archive: the files of
``source_dir`` (or the entry point alone), and each of ``dependencies`` (a file or a directory)
added at the archive's top level, so the training script and the model server import them as
neighbours of the entry point (a dependency wins over a file of ``source_dir`` with its name).
The container extracts the archive into ``/opt/ml/code`` and runs the entry point there.

Locally, when ``dependencies`` are given, the code directory is a *bundle*: a directory of
symbolic links, one per entry of the code directory and one per dependency (named after it),
under ``<store jobs root>/_code/``. Nothing is copied, so later edits to the code are seen. The
bundle's manifest (:data:`MANIFEST`) records what it was built from: an estimator attached to the
job gets its ``source_dir`` and ``dependencies`` back (:func:`manifest`), and a training job run
from a bundle gets the bundle first on ``PYTHONPATH`` (:func:`amtune.sagemaker.toolkit.prepare`),
as the training toolkit puts ``/opt/ml/code`` there: Python puts a script's *real* directory on
``sys.path``, not the directory of the link that was run.

>>> import tempfile
>>> d = Path(tempfile.mkdtemp())
>>> (d / "code").mkdir(); (d / "lib").mkdir()
>>> _ = (d / "code" / "train.py").write_text("import lib")
>>> _ = (d / "lib" / "__init__.py").write_text("")
>>> b = build(d / "code", [str(d / "lib")], d / "_code", source_dir=str(d / "code"))
>>> sorted(p.name for p in b.iterdir() if p.name != MANIFEST)
['lib', 'train.py']
>>> manifest(b)["dependencies"] == [str(d / "lib")]
True
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: the bundle's manifest file (what it was built from)
MANIFEST = ".amtune-sourcedir.json"
#: the folder of bundles under a store's jobs root (``_`` cannot start a tuning job's name)
BUNDLES_DIR = "_code"


def jobs_root(db: str | os.PathLike[str] | None) -> Path:
    """The jobs root of store ``db`` (``<store dir>/<store name>-jobs``) without opening it."""
    from amtune.store import resolve_db_path

    path = resolve_db_path(db)
    return path.parent / f"{path.stem}-jobs"


def check_dependencies(dependencies: Any, field: str = "dependencies") -> list[str]:
    """``dependencies`` as absolute paths (relative ones against the current directory, as the
    SDK reads them); each must exist. A ``ValueError`` naming ``field`` otherwise."""
    if dependencies is None:
        return []
    if isinstance(dependencies, (str, os.PathLike)) or not isinstance(dependencies, Sequence):
        raise ValueError(
            f"{field}: must be a list of paths (files or directories), got {dependencies!r}"
        )
    out: list[str] = []
    for i, dep in enumerate(dependencies):
        if not isinstance(dep, (str, os.PathLike)) or not os.fspath(dep):
            raise ValueError(f"{field}[{i}]: must be a local path, got {dep!r}")
        text = os.fspath(dep)
        if text.startswith("s3://"):
            raise ValueError(f"{field}[{i}]: must be a local path, got {text!r}")
        p = Path(text).expanduser().resolve()
        if not p.exists():
            raise ValueError(f"{field}[{i}]: no such file or directory: {p}")
        out.append(str(p))
    return out


def build(
    code_dir: str | os.PathLike[str],
    dependencies: Sequence[str],
    root: str | os.PathLike[str],
    *,
    entry_point: str | None = None,
    source_dir: str | None = None,
) -> Path:
    """The bundle of ``dependencies`` (absolute paths) and the code under ``root``, made or
    brought up to date (links added, changed or removed); its path. The code is every entry of
    ``code_dir`` when ``source_dir`` is given, else the entry point alone (``code_dir`` is then
    its directory), as the SDK packs it. The same code and dependencies always give the same
    bundle. ``entry_point`` and ``source_dir`` (as the user gave them) go into the manifest."""
    code = Path(code_dir).resolve()
    deps = [str(Path(d).resolve()) for d in dependencies]
    only = None if source_dir is not None or not entry_point else Path(entry_point).name
    key = json.dumps([str(code), only, deps]).encode()
    bundle = Path(root) / f"{code.name or 'code'}-{hashlib.sha256(key).hexdigest()[:12]}"
    bundle.mkdir(parents=True, exist_ok=True)
    if only is not None:  # no source_dir: the SDK uploads the entry point alone
        wanted: dict[str, Path] = {only: code / only}
    else:
        wanted = {p.name: p for p in code.iterdir() if p.name != MANIFEST}
    for d in deps:  # at the top level; a dependency wins over a file of the code directory
        wanted[Path(d).name] = Path(d)
    for p in bundle.iterdir():
        if p.name == MANIFEST:
            continue
        target = wanted.get(p.name)
        if p.is_symlink() and target is not None and Path(os.readlink(p)) == target:
            continue
        _remove(p)
    for name, target in wanted.items():
        link = bundle / name
        if not link.is_symlink() and not link.exists():
            _link(target, link)
    doc = {
        "code_dir": str(code),
        "source_dir": source_dir,
        "entry_point": entry_point,
        "dependencies": deps,
    }
    tmp = bundle / f"{MANIFEST}.{os.getpid()}"
    tmp.write_text(json.dumps(doc, indent=1))
    os.replace(tmp, bundle / MANIFEST)
    return bundle


def manifest(directory: str | os.PathLike[str] | None) -> dict[str, Any] | None:
    """The manifest of bundle ``directory`` (None when it is not a bundle)."""
    if directory is None:
        return None
    try:
        doc = json.loads((Path(directory) / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def _remove(p: Path) -> None:
    if p.is_symlink() or p.is_file():
        p.unlink(missing_ok=True)
    elif p.is_dir():
        shutil.rmtree(p, ignore_errors=True)


def _link(target: Path, link: Path) -> None:
    """A symbolic link (a copy where links are not possible)."""
    try:
        link.symlink_to(target, target_is_directory=target.is_dir())
    except FileExistsError:  # another job built the same bundle at the same time
        pass
    except OSError:
        if target.is_dir():
            shutil.copytree(target, link, dirs_exist_ok=True)
        else:
            shutil.copy2(target, link)
