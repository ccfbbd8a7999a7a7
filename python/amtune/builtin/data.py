"""Reading a channel's records: CSV (label first, no header), libsvm and Parquet, with exact
errors.

A channel is a directory (every regular file in it and below, in name order; hidden files are
skipped) or a single file. A record that breaks a rule stops the training job with the file, the
line and the rule:

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "train.csv").write_text("1,0.5,2\\n0,x,3\\n")
>>> try:
...     read_channel(d, "train")
... except DataError as exc:
...     print(str(exc).replace(str(d), "DIR"))
channel 'train': DIR/train.csv, line 2: column 2 is not a number: 'x'

Rules: every CSV row has the same number of columns as the first row of the channel; the label
(column 1) is a finite number; a feature is a number (an empty field is a missing value where the
algorithm allows them: XGBoost); libsvm lines are ``label index:value ...`` with integer indices
``0 <= index < 2**31 - 1`` (and, for validation and test channels, below the train channel's
feature count); a channel with no records is an error.

Parquet (``application/x-parquet`` or ``parquet``, for the algorithms that read it: XGBoost) is
read with pandas (``pyarrow``; a clear error names it when it is not installed), as SageMaker's
XGBoost image reads it: every file of the channel is one part of one table, files whose name
starts with ``_`` (Spark's ``_SUCCESS``) are skipped as ``pyarrow`` skips them, the first column
is the label and the others are the features. Every column is numeric (a null feature is a
missing value), every file has the first file's number of columns, and a label is a finite number.
"""

from __future__ import annotations

import math
import mmap
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from amtune.builtin.contract import AlgorithmError

__all__ = [
    "CSV",
    "LIBSVM",
    "PARQUET",
    "DataError",
    "Dataset",
    "channel_files",
    "media_type_of",
    "read_channel",
]

CSV = "text/csv"
LIBSVM = "text/libsvm"
PARQUET = "application/x-parquet"
MAX_FEATURE_INDEX = 2**31 - 2
_CONTENT_TYPES = {
    "text/csv": CSV,
    "csv": CSV,
    "text/x-csv": CSV,
    "text/libsvm": LIBSVM,
    "libsvm": LIBSVM,
    "text/x-libsvm": LIBSVM,
    # the XGBoost image's names of Parquet (it has no text/x-parquet)
    "application/x-parquet": PARQUET,
    "parquet": PARQUET,
}
#: The first bytes of a Parquet file.
_PARQUET_MAGIC = b"PAR1"


class DataError(AlgorithmError):
    """A record (or a channel) that breaks a data rule."""


@dataclass
class Dataset:
    """A channel's records: ``X`` (dense ``ndarray`` or a SciPy CSR matrix), labels ``y``,
    optional per-row ``weights``, and the content type they were read as."""

    X: Any
    y: npt.NDArray[np.float64]
    content_type: str
    weights: npt.NDArray[np.float64] | None = None

    @property
    def n_rows(self) -> int:
        return int(self.y.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])

    def dense(self) -> npt.NDArray[np.float64]:
        X = self.X
        return np.asarray(X.toarray() if hasattr(X, "toarray") else X, dtype=np.float64)


def channel_files(path: Path, channel: str) -> list[Path]:
    """The data files of a channel (a directory or one file); DataError when there are none."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise DataError(f"channel {channel!r}: no such file or directory: {path}")
    files = sorted(
        p
        for p in path.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
    )
    if not files:
        raise DataError(f"channel {channel!r}: empty channel: no data files in {path}")
    return files


def media_type_of(declared: str) -> str | None:
    """The content type a declared ``ContentType`` names (parameters such as ``;
    label_size=1`` ignored), None when it is none of CSV, libsvm and Parquet."""
    return _CONTENT_TYPES.get(declared.split(";")[0].strip().lower())


def _parquet_parts(files: list[Path]) -> list[Path]:
    """The files of a Parquet table: those whose name does not start with ``_`` (Spark's
    ``_SUCCESS``, ``_metadata``; ``pyarrow`` skips them), or the only file given."""
    parts = [f for f in files if not f.name.startswith("_")]
    return parts if parts or len(files) != 1 else files


def _is_parquet(f: Path) -> bool:
    try:
        with open(f, "rb") as fh:
            return fh.read(len(_PARQUET_MAGIC)) == _PARQUET_MAGIC
    except OSError:
        return False


def content_type_of(
    files: list[Path], declared: str | None, channel: str, parquet: bool = False
) -> str:
    """The channel's content type: the declared ``ContentType``, else Parquet when every file is
    one (by its first bytes), else by file extension, else by the first record (``index:value``
    tokens are libsvm). ``parquet``: the algorithm reads Parquet."""
    supported = (
        "text/csv, text/libsvm or application/x-parquet" if parquet else "text/csv or text/libsvm"
    )
    if declared:
        kind = media_type_of(declared)
        if kind is None or (kind == PARQUET and not parquet):
            raise DataError(
                f"channel {channel!r}: content type {declared!r} is not supported ({supported})"
            )
        return kind
    parts = _parquet_parts(files)
    if parts and all(_is_parquet(f) for f in parts):
        if not parquet:
            raise DataError(
                f"channel {channel!r}: {parts[0]} is a Parquet file, which this algorithm does "
                f"not read ({supported})"
            )
        return PARQUET
    suffixes = {p.suffix.lower() for p in files}
    if suffixes <= {".csv"}:
        return CSV
    if suffixes <= {".libsvm", ".svm"}:
        return LIBSVM
    for f in files:
        with open(f, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                toks = line.split()
                if toks:
                    return LIBSVM if len(toks) > 1 and ":" in toks[1] else CSV
    return CSV


def read_channel(
    path: Path,
    channel: str,
    content_type: str | None = None,
    *,
    libsvm: bool = True,
    allow_missing: bool = False,
    weights: bool = False,
    n_features: int | None = None,
    parquet: bool = False,
) -> Dataset:
    """Read every record of a channel.

    ``libsvm``: libsvm is accepted (XGBoost); ``allow_missing``: empty CSV features (null Parquet
    ones) are missing values (NaN); ``weights``: CSV column 2 is a per-row weight (XGBoost's
    ``csv_weights=1``; Parquet has none, as in the image); ``n_features``: the train channel's
    feature count, which this channel must match; ``parquet``: Parquet is accepted (XGBoost).
    """
    files = channel_files(path, channel)
    ctype = content_type_of(files, content_type, channel, parquet)
    if ctype == LIBSVM:
        if not libsvm:
            raise DataError(
                f"channel {channel!r}: libsvm data is not supported by this algorithm (text/csv)"
            )
        ds = _read_libsvm(files, channel, n_features)
    else:
        if ctype == PARQUET:
            ds = _read_parquet(files, channel, allow_missing)
        else:
            ds = _read_csv(files, channel, allow_missing, weights)
        if n_features is not None and ds.n_features != n_features:
            raise DataError(
                f"channel {channel!r}: {ds.n_features} feature columns, but the train channel "
                f"has {n_features}"
            )
    if ds.n_rows == 0:
        raise DataError(f"channel {channel!r}: empty channel: no records in {path}")
    return ds


# ---------------------------------------------------------------- CSV
def _read_csv(files: list[Path], channel: str, allow_missing: bool, weights: bool) -> Dataset:
    import pandas as pd

    blocks: list[npt.NDArray[np.float64]] = []
    width: int | None = None
    first: tuple[Path, int] | None = None
    for f in files:
        try:
            frame = pd.read_csv(
                f,
                header=None,
                dtype=np.float64,
                skip_blank_lines=True,
                keep_default_na=False,
                na_values=[""],
                engine="c",
            )
            block = frame.to_numpy(dtype=np.float64)
            fast_ok = True
        except pd.errors.EmptyDataError:
            continue
        except (ValueError, pd.errors.ParserError):
            fast_ok = False
            block = np.empty((0, 0))
        # pandas pads short rows with NaN, reads True/False as 1/0 and says nothing of the line
        # of a bad value: on any doubt, scan the file line by line for the first broken rule.
        if (
            not fast_ok
            or np.isnan(block).any()
            or (width is not None and block.shape[1] != width)
            or _has_boolean_field(f)
        ):
            block = _scan_csv(f, channel, allow_missing, width, first)
        if block.shape[0] == 0:
            continue
        if width is None:
            width, first = block.shape[1], (f, 1)
        blocks.append(block)
    if not blocks:
        return Dataset(np.empty((0, 0)), np.empty(0), CSV)
    data = np.vstack(blocks)
    min_cols = 3 if weights else 2
    if data.shape[1] < min_cols:
        raise DataError(
            f"channel {channel!r}: {files[0]}, line 1: needs the label and at least one feature "
            f"column{' after the weight column (csv_weights=1)' if weights else ''}, got "
            f"{data.shape[1]} column(s)"
        )
    if weights:
        w = data[:, 1]
        bad = np.flatnonzero(~(w >= 0))
        if bad.size:
            raise DataError(
                f"channel {channel!r}: row {bad[0] + 1}: the weight (column 2, csv_weights=1) must "
                f"be a number >= 0, got {float(w[bad[0]])!r}"
            )
        return Dataset(data[:, 2:], data[:, 0].copy(), CSV, w.copy())
    return Dataset(data[:, 1:], data[:, 0].copy(), CSV)


_BOOLEAN_HINT = (
    " (a boolean: write it as 1/0, e.g. df.astype(int) before to_csv; SageMaker's XGBoost would "
    "read it as 0)"
)


def _scan_csv(
    f: Path, channel: str, allow_missing: bool, width: int | None, first: tuple[Path, int] | None
) -> npt.NDArray[np.float64]:
    rows: list[list[float]] = []
    where = f"channel {channel!r}: {f}"
    with open(f, encoding="utf-8", errors="replace") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            fields = line.split(",")
            if width is None:
                width, first = len(fields), (f, lineno)
            if len(fields) != width:
                assert first is not None
                ref = f"line {first[1]}" if first[0] == f else f"{first[0]}, line {first[1]}"
                raise DataError(
                    f"{where}, line {lineno}: malformed row: {len(fields)} columns, but {ref} has "
                    f"{width} (label first, then the features; no header row)"
                )
            row: list[float] = []
            for col, text in enumerate(fields, 1):
                t = text.strip()
                if col == 1:
                    v = _float(t)
                    if v is None or not math.isfinite(v):
                        hint = " (CSV channels have no header row)" if lineno == 1 else ""
                        if t.lower() in ("true", "false"):
                            hint = _BOOLEAN_HINT
                        raise DataError(
                            f"{where}, line {lineno}: the label (column 1) is not a number: "
                            f"{text!r}{hint}"
                        )
                elif t == "":
                    if not allow_missing:
                        raise DataError(
                            f"{where}, line {lineno}: column {col} is empty (this algorithm does "
                            f"not accept missing values)"
                        )
                    v = math.nan
                else:
                    v = _float(t)
                    if v is None:
                        raise DataError(
                            f"{where}, line {lineno}: column {col} is not a number: {text!r}"
                            f"{_BOOLEAN_HINT if t.lower() in ('true', 'false') else ''}"
                        )
                row.append(v)
            rows.append(row)
    if not rows:
        return np.empty((0, width or 0))
    return np.asarray(rows, dtype=np.float64)


#: a CSV field that is a boolean word (pandas >= 2 writes bool columns, such as get_dummies', so)
_BOOLEAN_FIELD = re.compile(rb"(?im)(?:^|,)[ \t]*(?:true|false)[ \t]*(?=,|\r?$)")


def _has_boolean_field(f: Path) -> bool:
    """Whether a field of CSV file ``f`` is ``True`` or ``False`` (any case). SageMaker's XGBoost
    reads such a field as 0 (XGBoost's CSV parser) and amtune's readers must not read it as 1."""
    with open(f, "rb") as fh:
        if fh.seek(0, 2) == 0:
            return False
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as m:
            return _BOOLEAN_FIELD.search(m) is not None


def _float(t: str) -> float | None:
    try:
        return float(t)
    except ValueError:
        return None


# ---------------------------------------------------------------- Parquet
def _parquet_reader(channel: str) -> Any:
    """``pandas.read_parquet``; DataError naming ``pyarrow`` when it is not installed."""
    try:
        import pyarrow.parquet  # noqa: F401  (the engine pandas needs)
    except ImportError:
        raise DataError(
            f"channel {channel!r}: reading Parquet (application/x-parquet) needs the package "
            f"'pyarrow', which is not installed: pip install pyarrow"
        ) from None
    import pandas as pd

    return pd.read_parquet


def _read_parquet(files: list[Path], channel: str, allow_missing: bool) -> Dataset:
    read = _parquet_reader(channel)
    parts = _parquet_parts(files)
    if not parts:
        raise DataError(
            f"channel {channel!r}: empty channel: no Parquet files (names starting with '_' "
            f"are skipped) in {files[0].parent}"
        )
    blocks: list[npt.NDArray[np.float64]] = []
    for f in parts:
        where = f"channel {channel!r}: {f}"
        try:
            frame = read(f, engine="pyarrow")
        except Exception as exc:  # pyarrow's ArrowInvalid, OSError: the file is not Parquet
            raise DataError(f"{where}: cannot be read as Parquet: {exc}") from None
        block = _parquet_block(frame, where, allow_missing)
        if blocks and block.shape[1] != blocks[0].shape[1]:
            raise DataError(
                f"{where}: {block.shape[1]} columns, but {parts[0]} has {blocks[0].shape[1]} "
                f"(the label first, then the features)"
            )
        blocks.append(block)
    data = np.vstack(blocks)
    if data.shape[1] < 2:
        raise DataError(
            f"channel {channel!r}: {parts[0]}: needs the label and at least one feature "
            f"column, got {data.shape[1]} column(s)"
        )
    return Dataset(data[:, 1:], data[:, 0].copy(), PARQUET)


def _parquet_block(frame: Any, where: str, allow_missing: bool) -> npt.NDArray[np.float64]:
    """A Parquet file's table as numbers, checked: numeric columns, a finite label, and missing
    features only where the algorithm allows them."""
    import pandas as pd

    types = pd.api.types
    for j, (name, dtype) in enumerate(frame.dtypes.items(), 1):
        if not (types.is_numeric_dtype(dtype) or types.is_bool_dtype(dtype)):
            held = "text" if types.is_string_dtype(dtype) else f"{dtype} values"
            raise DataError(
                f"{where}: column {j} ({name!r}) holds {held}, not numbers (the label first, "
                f"then the features; every column numeric)"
            )
    block = np.asarray(frame.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
    if block.ndim != 2:
        block = block.reshape(len(frame), -1)
    bad = np.flatnonzero(~np.isfinite(block[:, 0])) if block.shape[1] else np.empty(0, int)
    if bad.size:
        raise DataError(
            f"{where}, row {bad[0] + 1}: the label (column 1) is not a finite number: "
            f"{float(block[bad[0], 0])!r}"
        )
    if not allow_missing and block.shape[1] > 1:
        rows, cols = np.nonzero(np.isnan(block[:, 1:]))
        if rows.size:
            raise DataError(
                f"{where}, row {rows[0] + 1}: column {cols[0] + 2} is null (this algorithm does "
                f"not accept missing values)"
            )
    return block


# ---------------------------------------------------------------- libsvm
def _read_libsvm(files: list[Path], channel: str, n_features: int | None) -> Dataset:
    from scipy.sparse import csr_matrix

    labels: list[float] = []
    indptr = [0]
    indices: list[int] = []
    values: list[float] = []
    for f in files:
        where = f"channel {channel!r}: {f}"
        with open(f, encoding="utf-8", errors="replace") as fh:
            for lineno, line in enumerate(fh, 1):
                toks = line.split("#", 1)[0].split()
                if not toks:
                    continue
                label = _float(toks[0].split(":", 1)[0])
                if label is None or not math.isfinite(label):
                    raise DataError(
                        f"{where}, line {lineno}: the label (first token) is not a number: "
                        f"{toks[0]!r}"
                    )
                seen: set[int] = set()
                for tok in toks[1:]:
                    idx_s, sep, val_s = tok.partition(":")
                    if idx_s == "qid":
                        continue
                    if not sep:
                        raise DataError(
                            f"{where}, line {lineno}: malformed libsvm token {tok!r} (expected "
                            f"index:value)"
                        )
                    try:
                        idx = int(idx_s)
                    except ValueError:
                        raise DataError(
                            f"{where}, line {lineno}: feature index {idx_s!r} is not an integer"
                        ) from None
                    if not 0 <= idx <= MAX_FEATURE_INDEX:
                        raise DataError(
                            f"{where}, line {lineno}: feature index {idx} is out of range "
                            f"(0 to {MAX_FEATURE_INDEX})"
                        )
                    if n_features is not None and idx >= n_features:
                        raise DataError(
                            f"{where}, line {lineno}: feature index {idx} is out of range: the "
                            f"train channel has {n_features} features (indices 0 to "
                            f"{n_features - 1})"
                        )
                    if idx in seen:
                        raise DataError(
                            f"{where}, line {lineno}: feature index {idx} appears twice"
                        )
                    seen.add(idx)
                    v = _float(val_s)
                    if v is None:
                        raise DataError(
                            f"{where}, line {lineno}: the value of feature {idx} is not a "
                            f"number: {val_s!r}"
                        )
                    indices.append(idx)
                    values.append(v)
                labels.append(label)
                indptr.append(len(indices))
    width = n_features if n_features is not None else (max(indices) + 1 if indices else 0)
    X = csr_matrix(
        (np.asarray(values, dtype=np.float64), np.asarray(indices, dtype=np.int64), indptr),
        shape=(len(labels), width),
    )
    X.sort_indices()
    return Dataset(X, np.asarray(labels, dtype=np.float64), LIBSVM)
