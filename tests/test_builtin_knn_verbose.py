"""The built-in k-NN server's verbose answers (nbcheck11 F4): ``Accept: application/json;
verbose=true`` adds each record's k nearest sample points' ``distances`` (nearest first) and their
``labels``, in the shape SageMaker's "k-NN Request and Response Formats" page documents."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from service_helpers import running_service

from amtune.builtin import knn_inference as inf
from amtune.builtin.knn import KnnModel

X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0], [5.0, 5.0]])
Y = np.array([0.0, 1.0, 0.0, 2.0])


def _answer(model: KnnModel, body: str, accept: str) -> tuple[bytes, str]:
    data = inf.input_fn(body, "text/csv")
    return inf.output_fn(inf.predict_fn(data, model), accept)


@pytest.mark.parametrize(
    "accept",
    [
        "application/json; verbose=true",
        "application/json;verbose=True",
        'application/json; verbose="true"',
    ],
)
def test_verbose_json_has_sorted_distances_and_their_labels(accept: str) -> None:
    model = KnnModel(X, Y, 3, "classifier", "L2")
    body, ct = _answer(model, "0.1,0.1\n4,4", accept)
    assert ct == "application/json"
    preds = json.loads(body)["predictions"]
    first = preds[0]
    assert set(first) == {"predicted_label", "distances", "labels"}
    assert first["predicted_label"] == 0.0
    assert first["labels"] == [0.0, 1.0, 0.0]  # (0,0), (1,0), (0,2): nearest first
    expected = [np.hypot(0.1, 0.1), np.hypot(0.9, 0.1), np.hypot(0.1, 1.9)]
    assert first["distances"] == pytest.approx(expected)
    assert first["distances"] == sorted(first["distances"])
    assert preds[1]["labels"][0] == 2.0 and len(preds[1]["distances"]) == 3


@pytest.mark.parametrize(
    ("accept", "verbose"),
    [
        ("application/json", False),
        ("application/json; verbose=false", False),
        ("application/json; charset=utf-8", False),
        ("*/*", False),
    ],
)
def test_without_verbose_the_answer_is_unchanged(accept: str, verbose: bool) -> None:
    model = KnnModel(X, Y, 3, "classifier", "L2")
    body, _ = _answer(model, "0.1,0.1", accept)
    assert json.loads(body) == {"predictions": [{"predicted_label": 0.0}]}
    assert inf.verbose(accept) is verbose


def test_verbose_jsonlines_and_csv() -> None:
    model = KnnModel(X, Y, 2, "regressor", "L2")
    body, ct = _answer(model, "0,0\n5,5", "application/jsonlines; verbose=true")
    rows = [json.loads(line) for line in body.decode().splitlines()]
    assert ct == "application/jsonlines" and len(rows) == 2
    assert rows[0] == {"predicted_label": 0.5, "distances": [0.0, 1.0], "labels": [0.0, 1.0]}
    body, ct = _answer(model, "0,0", "text/csv; verbose=true")  # no verbose CSV: one label
    assert (body, ct) == (b"0.5\n", "text/csv")


def test_cosine_and_inner_product_distances() -> None:
    cos = KnnModel(X, Y, 2, "classifier", "COSINE")
    d = json.loads(_answer(cos, "1,0.1", "application/json; verbose=true")[0])["predictions"][0]
    assert d["labels"][0] == 1.0 and d["distances"][0] == pytest.approx(1 - 1 / np.hypot(1, 0.1))
    ip = KnnModel(X, Y, 2, "classifier", "INNER_PRODUCT")
    d = json.loads(_answer(ip, "1,1", "application/json; verbose=true")[0])["predictions"][0]
    assert d["distances"] == [10.0, 2.0] and d["labels"] == [2.0, 0.0]  # largest product first


# ====================================================================== an endpoint
def test_knn_endpoint_answers_verbose_json(tmp_path: Path) -> None:
    """The notebook's request (sm-k_nearest_neighbors_multi_class_classification, cell 36)."""
    import amtune
    from amtune.serve.serializers import CSVSerializer, JSONDeserializer

    rng = np.random.default_rng(0)
    data = rng.normal(size=(60, 4))
    labels = (data[:, 0] > 0).astype(float)
    (tmp_path / "train").mkdir()
    np.savetxt(tmp_path / "train" / "t.csv", np.column_stack([labels, data]), delimiter=",")
    db = tmp_path / "amtune.db"
    est = amtune.Estimator(amtune.image_uris.retrieve("knn", "us-east-1"), db=db, notices=False)
    est.set_hyperparameters(feature_dim=4, k=5, sample_size=60, predictor_type="classifier")
    est.fit(
        {"train": amtune.TrainingInput(str(tmp_path / "train"), content_type="text/csv")},
        logs=False,
    )
    with running_service(db) as svc:
        p = est.deploy(endpoint_name="knn", url=svc.url)  # type: ignore[attr-defined]
        try:
            p.serializer, p.deserializer = CSVSerializer(), JSONDeserializer()
            r = p.predict(
                data[:3],
                initial_args={
                    "ContentType": "text/csv",
                    "Accept": "application/json; verbose=true",
                },
            )
            for i, row in enumerate(r["predictions"]):
                assert len(row["labels"]) == len(row["distances"]) == 5
                assert row["distances"] == sorted(row["distances"])
                assert row["distances"][0] == pytest.approx(0.0)  # the record is in the sample
                assert row["labels"][0] == labels[i]
        finally:
            p.delete_endpoint()
