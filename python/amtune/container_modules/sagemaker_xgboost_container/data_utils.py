"""``sagemaker_xgboost_container.data_utils``: a channel's files as an ``xgboost.DMatrix``, read
as the XGBoost container reads them (amtune's built-in XGBoost readers: CSV with the label first
and no header, libsvm, Parquet; ``csv_weights=1`` takes instance weights from CSV column 2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: the content types as the container names them
CSV, LIBSVM, PARQUET = "csv", "libsvm", "parquet"


def get_content_type(content_type_cfg_val: str | None) -> str:
    """``csv``, ``libsvm`` or ``parquet`` for a channel's ``ContentType`` (None: libsvm, as the
    container assumes); anything else is an error naming the value."""
    if content_type_cfg_val is None:
        return LIBSVM
    media, _, params = content_type_cfg_val.lower().partition(";")
    media = media.strip()
    if media in ("csv", "text/csv"):
        if "label_size" in params and "label_size=1" not in params.replace(" ", ""):
            raise ValueError(
                f"{content_type_cfg_val} is not an accepted csv ContentType: label_size must be 1"
            )
        return CSV
    if media in ("libsvm", "text/libsvm", "text/x-libsvm"):
        return LIBSVM
    if media in ("parquet", "application/x-parquet"):
        return PARQUET
    raise ValueError(
        f"content type {content_type_cfg_val!r} is not supported (csv, libsvm or parquet)"
    )


def get_dmatrix(
    data_path: str | list[str], content_type: str, csv_weights: int = 0, is_pipe: bool = False
) -> Any:
    """The ``xgboost.DMatrix`` of the files at ``data_path`` (a directory or a file), or None
    when there is no data there, as the container's ``get_dmatrix``."""
    import numpy as np
    import xgboost as xgb

    from amtune.builtin.data import read_channel

    if is_pipe:
        raise ValueError("Pipe mode is not available locally: use File mode")
    if isinstance(data_path, list):
        if len(data_path) != 1:
            raise ValueError("several data paths in one DMatrix are not supported locally")
        data_path = data_path[0]
    path = Path(data_path)
    if not path.exists() or (
        path.is_dir()
        and not any(f.is_file() and not f.name.startswith(".") for f in path.iterdir())
    ):
        return None
    kind = get_content_type(content_type)
    declared = {CSV: "text/csv", LIBSVM: "text/libsvm", PARQUET: "application/x-parquet"}[kind]
    ds = read_channel(
        path, path.name, declared, allow_missing=True, weights=bool(csv_weights), parquet=True
    )
    return xgb.DMatrix(ds.X, label=ds.y, weight=ds.weights, missing=np.nan)
