"""The built-in k-NN algorithm: ``python -m amtune.builtin.knn``.

As SageMaker's k-NN: the model is a sample of ``sample_size`` training points (all of them when
the channel has fewer; drawn without replacement with a fixed seed), optionally reduced to
``dimension_reduction_target`` dimensions (``sign``: random signs, a sign random projection;
``fjlt``: a Gaussian random projection, the Johnson-Lindenstrauss transform the fast JLT
approximates). Prediction takes the ``k`` nearest sample points by ``index_metric`` (``L2``,
``INNER_PRODUCT``: the largest inner products, ``COSINE``) and returns the majority label
(``classifier``; ties go to the smallest label) or the mean label (``regressor``). The search is
exact (scikit-learn's ``NearestNeighbors``, brute force); ``index_type`` and the ``faiss_*``
settings, which choose approximate FAISS indexes on SageMaker, are validated and recorded only.

With a ``test`` channel it logs the test score as SageMaker's k-NN does::

    #test_score (algo-1) : ('accuracy', 0.9866)
    #quality_metric: host=algo-1, test accuracy <score>=0.9866

(``mse <loss>`` for a regressor). The model is saved as ``knn-model.npz``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from amtune.builtin.contract import AlgorithmError, TrainingEnvironment, emit, run_algorithm
from amtune.builtin.data import read_channel
from amtune.builtin.knn_spec import HYPERPARAMETERS
from amtune.builtin.linear_model import Array

MODEL_FILE = "knn-model.npz"


class KnnModel:
    """The sample, its labels, the projection and the settings; :meth:`predict`."""

    def __init__(
        self,
        X: Array,
        y: Array,
        k: int,
        predictor_type: str,
        index_metric: str,
        projection: Array | None = None,
    ) -> None:
        self.X = X
        self.y = y
        self.k = k
        self.predictor_type = predictor_type
        self.index_metric = index_metric
        self.projection = projection
        self._nn: Any = None  # a fitted sklearn NearestNeighbors (L2, COSINE)

    def _project(self, X: Array) -> Array:
        P = self.projection
        return X if P is None else np.asarray(X @ P, dtype=np.float64)

    def neighbors(self, X: Array) -> Any:
        from sklearn.neighbors import NearestNeighbors

        if self._nn is None:
            metric = {"L2": "euclidean", "COSINE": "cosine"}.get(self.index_metric)
            if metric is not None:
                self._nn = NearestNeighbors(
                    n_neighbors=min(self.k, len(self.y)), algorithm="brute", metric=metric
                ).fit(self.X)
        Q = self._project(np.asarray(X, dtype=np.float64))
        k = min(self.k, len(self.y))
        if self.index_metric == "INNER_PRODUCT":
            sim = Q @ self.X.T
            return np.argsort(-sim, axis=1, kind="stable")[:, :k]
        nn: Any = self._nn
        _, idx = nn.kneighbors(Q)
        return idx

    def predict(self, X: Array) -> Array:
        labels = self.y[self.neighbors(X)]
        if self.predictor_type == "regressor":
            return np.asarray(labels.mean(axis=1), dtype=np.float64)
        out = np.empty(labels.shape[0])
        for i, row in enumerate(labels):
            vals, counts = np.unique(row, return_counts=True)
            out[i] = vals[np.argmax(counts)]  # np.unique sorts: ties go to the smallest label
        return out

    def save(self, path: Path) -> None:
        meta = {
            "k": self.k,
            "predictor_type": self.predictor_type,
            "index_metric": self.index_metric,
        }
        arrays: dict[str, Any] = {"X": self.X, "y": self.y, "meta": np.asarray(json.dumps(meta))}
        if self.projection is not None:
            arrays["projection"] = self.projection
        with open(path, "wb") as fh:
            np.savez(fh, **arrays)

    @classmethod
    def load(cls, path: Path) -> KnnModel:
        with np.load(path) as a:
            meta = json.loads(str(a["meta"]))
            P = a["projection"] if "projection" in a.files else None
            return cls(
                a["X"], a["y"], int(meta["k"]), meta["predictor_type"], meta["index_metric"], P
            )


def train(env: TrainingEnvironment) -> None:
    hp = HYPERPARAMETERS.parse(env.hyperparameters)
    train_path = env.channel("train")
    if train_path is None:
        raise AlgorithmError("channel 'train': required (the training data), not given")
    tr = read_channel(train_path, "train", env.content_types.get("train"), libsvm=False)
    d = int(hp["feature_dim"])
    if d != tr.n_features:
        raise AlgorithmError(
            f"hyperparameter 'feature_dim': {d} does not match the {tr.n_features} feature "
            f"columns of the train channel"
        )
    rtype = hp.get("dimension_reduction_type")
    target = hp.get("dimension_reduction_target")
    if (rtype is None) != (target is None):
        raise AlgorithmError(
            "hyperparameters 'dimension_reduction_type' and 'dimension_reduction_target': give "
            "both or neither"
        )
    if target is not None and int(target) >= d:
        raise AlgorithmError(
            f"hyperparameter 'dimension_reduction_target': must be less than feature_dim={d}, "
            f"got {target}"
        )
    if hp["index_metric"] == "COSINE" and hp["index_type"] != "faiss.Flat":
        raise AlgorithmError(
            "hyperparameter 'index_metric': COSINE is supported with index_type faiss.Flat only"
        )
    predictor = hp["predictor_type"]
    if predictor == "classifier":
        bad = np.flatnonzero(tr.y != np.floor(tr.y))
        if bad.size:
            raise AlgorithmError(
                f"channel 'train': row {bad[0] + 1}: label {float(tr.y[bad[0]])!r} must be an "
                f"integer class for predictor_type classifier"
            )
    rng = np.random.default_rng(0)
    n = tr.n_rows
    size = min(int(hp["sample_size"]), n)
    idx = np.sort(rng.choice(n, size=size, replace=False)) if size < n else np.arange(n)
    X = tr.dense()[idx]
    projection = None
    if target is not None:
        t = int(target)
        if rtype == "sign":
            projection = rng.choice([-1.0, 1.0], size=(d, t)) / np.sqrt(t)
        else:
            projection = rng.normal(size=(d, t)) / np.sqrt(t)
        X = X @ projection
    model = KnnModel(X, tr.y[idx].copy(), int(hp["k"]), predictor, hp["index_metric"], projection)
    emit(
        f"[amtune] k-NN ({predictor}, k={model.k}, {hp['index_metric']}): sample of {size} of "
        f"{n} training points, {X.shape[1]} dimensions"
    )
    env.model_dir.mkdir(parents=True, exist_ok=True)
    path = env.model_dir / MODEL_FILE
    model.save(path)
    emit(f"[amtune] model saved to {path}")
    test_path = env.channel("test")
    if test_path is None:
        emit("[amtune] no test channel: no test:accuracy / test:mse is computed")
        return
    te = read_channel(
        test_path, "test", env.content_types.get("test"), libsvm=False, n_features=tr.n_features
    )
    pred = model.predict(te.dense())
    if predictor == "classifier":
        name, kind, value = "accuracy", "score", float(np.mean(pred == te.y))
    else:
        name, kind, value = "mse", "loss", float(np.mean((pred - te.y) ** 2))
    emit(f"#test_score ({env.host}) : ({name!r}, {value!r})")
    emit(f"#quality_metric: host={env.host}, test {name} <{kind}>={value!r}")


def main() -> int:
    return run_algorithm(train)


if __name__ == "__main__":
    raise SystemExit(main())
