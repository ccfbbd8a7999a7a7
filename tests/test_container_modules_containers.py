"""The ``sagemaker_containers.beta.framework`` stand-in (nbcheck11 F5): what the AWS scikit-learn
featurizer scripts import (``content_types``, ``encoders``, ``env``, ``modules``, ``transformer``,
``worker``) imports in a training job and a model server, ``worker.Response`` sets the answer's
body, content type and status, and the parts left out fail with an error that says so."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pytest
from service_helpers import running_service

from amtune.container_modules.sagemaker_containers.beta import framework
from amtune.container_modules.sagemaker_containers.beta.framework import (
    content_types,
    encoders,
    errors,
    worker,
)
from amtune.serve.handler import Handler

# the shape of AWS's sklearn_abalone_featurizer.py (inference pipeline notebook)
FEATURIZER = textwrap.dedent(
    """
    import json, os
    import numpy as np
    from sagemaker_containers.beta.framework import (
        content_types, encoders, env, modules, transformer, worker)

    def model_fn(model_dir):
        with open(os.path.join(model_dir, "model.json")) as f:
            return json.load(f)["scale"]

    def input_fn(input_data, content_type):
        if content_type == "text/csv":
            return encoders.decode(input_data, content_type)
        raise ValueError("{} not supported by script!".format(content_type))

    def predict_fn(input_data, model):
        return np.atleast_2d(input_data) * model

    def output_fn(prediction, accept):
        if accept == "application/json":
            rows = [{"features": row} for row in prediction.tolist()]
            return worker.Response(json.dumps({"instances": rows}), mimetype=accept)
        if accept == "text/csv":
            return worker.Response(encoders.encode(prediction, accept), mimetype=accept)
        raise RuntimeError("{} accept type is not supported by this script.".format(accept))

    if __name__ == "__main__":
        assert env.model_dir == os.environ["SM_MODEL_DIR"], (env.model_dir, os.environ["SM_MODEL_DIR"])
        with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.json"), "w") as f:
            json.dump({"scale": 2.0}, f)
        print("saved model!")
    """
)


# ====================================================================== the modules
def test_encoders_round_trip_as_the_container_does() -> None:
    a = np.array([[1.5, 2.0], [3.0, 4.0]])
    assert encoders.encode(a, content_types.CSV) == "1.5,2.0\n3.0,4.0\n"
    assert encoders.encode([1, 2], content_types.CSV) == "1\n2\n"  # 1-D: one value per line
    assert encoders.decode("1,2\n3,4", content_types.CSV).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert encoders.encode(a, content_types.JSON) == "[[1.5, 2.0], [3.0, 4.0]]"
    assert encoders.decode("[[1, 2]]", content_types.JSON).tolist() == [[1, 2]]
    npy = encoders.encode(a, content_types.NPY)
    assert isinstance(npy, bytes) and np.array_equal(encoders.decode(npy, content_types.NPY), a)
    with pytest.raises(errors.UnsupportedFormatError, match="image/png is not supported"):
        encoders.encode(a, "image/png")
    assert errors.UnsupportedFormatError("x").status_code == 415
    with pytest.raises(ImportError, match=r"array_to_recordio_protobuf is not part"):
        encoders.array_to_recordio_protobuf(a)


def test_worker_response_is_read_by_the_handler(tmp_path: Path) -> None:
    r = worker.Response("1,2\n", mimetype="text/csv")
    assert (r.get_data(), r.content_type, r.status_code) == (
        b"1,2\n",
        "text/csv; charset=utf-8",
        200,
    )
    assert worker.Response(b"{}").mimetype == "application/json"  # Flask's default here
    with pytest.warns(DeprecationWarning, match="accept"):
        worker.Response(b"", accept="text/csv")
    (tmp_path / "inference.py").write_text(
        "from amtune.container_modules.sagemaker_containers.beta.framework import worker\n"
        "def model_fn(d):\n    return 1\n"
        "def transform_fn(model, body, content_type, accept):\n"
        "    return worker.Response(body, status=201, mimetype='text/plain')\n"
    )
    ans = Handler.load(tmp_path, "inference.py", tmp_path).invoke(b"hi", "text/csv", "text/csv")
    assert (ans.status, ans.body, ans.content_type) == (201, b"hi", "text/plain; charset=utf-8")


@pytest.mark.parametrize("name", ["trainer", "server", "training_env", "mpi"])
def test_left_out_parts_say_what_is_provided(name: str) -> None:
    with pytest.raises(ImportError, match=rf"framework\.{name} is not part of amtune's stand-in"):
        getattr(framework, name)
    with pytest.raises(ImportError, match=r"it has content_types, encoders .* worker\.Response"):
        framework.transformer.Transformer  # noqa: B018
    with pytest.raises(ImportError, match=r"sagemaker_training\.environment"):
        framework.env.TrainingEnv  # noqa: B018
    with pytest.raises(AttributeError):  # anything else: a plain AttributeError
        framework.no_such_thing  # noqa: B018


# ====================================================================== a job, an endpoint
def test_featurizer_trains_serves_and_batch_transforms(tmp_path: Path) -> None:
    import amtune
    from amtune.serve.deployment import ServiceClient

    src = tmp_path / "src"
    src.mkdir()
    (src / "featurizer.py").write_text(FEATURIZER)
    db = tmp_path / "amtune.db"
    est = amtune.SKLearn("featurizer.py", source_dir=str(src), db=db, notices=False)
    est.fit(job_name="featurizer", logs=False)  # imports sagemaker_containers.beta.framework
    assert est.describe()["TrainingJobStatus"] == "Completed"
    with running_service(db) as svc:
        p = est.deploy(endpoint_name="feat", url=svc.url)  # type: ignore[attr-defined]
        try:
            client = ServiceClient(svc.url)  # type: ignore[attr-defined]
            body, headers = client.invoke("feat", b"1,2\n3,4", "text/csv", "text/csv")
            assert headers["content-type"] == "text/csv; charset=utf-8"
            assert body == b"2.0,4.0\n6.0,8.0\n"
            body, headers = client.invoke("feat", b"1,2", "text/csv", "application/json")
            assert headers["content-type"] == "application/json"
            assert json.loads(body) == {"instances": [{"features": [2.0, 4.0]}]}
        finally:
            p.delete_endpoint()
    (tmp_path / "batch").mkdir()
    (tmp_path / "batch" / "x.csv").write_text("1,2\n5,6\n")
    with running_service(db):  # the transform job's service, stopped at the end (not detached)
        t = est.transformer(1, "ml.m5.large", assemble_with="Line", accept="text/csv",
                            output_path=str(tmp_path / "out"))  # fmt: skip
        t.transform(str(tmp_path / "batch"), content_type="text/csv", split_type="Line")
        t.wait()
    assert (tmp_path / "out" / "x.csv.out").read_text().split() == ["2.0,4.0", "10.0,12.0"]
