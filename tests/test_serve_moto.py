"""moto's own SageMaker endpoint and model tests, run in moto's server mode against amtune's
control plane.

The tests come from moto's source distribution (``pip download --no-binary :all: moto==<installed>``
into the ignored cache ``.cache/moto-sdist``; the download is skipped when PyPI is unreachable).
moto's server mode sends every boto3 call to ``TEST_SERVER_MODE_ENDPOINT`` and resets the server
before each test with ``POST /moto-api/reset`` (a route amtune's service only has with
``allow_reset=True``).

The service runs with ``serve_models=False`` (control plane only): moto's models point at ECR
images and ``s3://`` model data that cannot be served on this machine, and moto's tests expect an
endpoint to be InService as soon as it is created. Everything else (validation, messages, ARNs,
status, weights and capacities, tags, list filters) is amtune's control plane answering.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

moto = pytest.importorskip("moto")
pytest.importorskip("uvicorn")
from amtune.serve.service import EndpointService  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "moto-sdist"
FILES = ("test_sagemaker_endpoint.py", "test_sagemaker_models.py")
#: moto tests that do not apply to amtune, with the reason.
NOT_APPLICABLE: dict[str, str] = {
    # it adds 80 tags in one AddTags call; SageMaker takes at most 50 (TagList's max in botocore's
    # model; "a resource can have at most 50 tags"), and amtune answers it as SageMaker does
    "test_sagemaker_endpoint.py::test_list_tags_endpoint": "AddTags with 80 tags",
}


def _moto_tests() -> Path:
    version = moto.__version__
    dest = CACHE / f"moto-{version}"
    if all((dest / f).exists() for f in FILES):
        return dest
    CACHE.mkdir(parents=True, exist_ok=True)
    sdist = CACHE / f"moto-{version}.tar.gz"
    if not sdist.exists():
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-binary",
                ":all:",
                "--no-deps",
                f"moto=={version}",
                "-d",
                str(CACHE),
                "-q",
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if r.returncode != 0 or not sdist.exists():
            pytest.skip(f"cannot download moto's sdist: {r.stderr.strip()[-300:]}")
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(sdist) as tf:
        for f in FILES:
            member = tf.getmember(f"moto-{version}/tests/test_sagemaker/{f}")
            data = tf.extractfile(member)
            assert data is not None
            (dest / f).write_bytes(data.read())
    return dest


@pytest.fixture(scope="module")
def control_plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EndpointService]:
    db = tmp_path_factory.mktemp("moto") / "amtune.db"
    svc = EndpointService(db, serve_models=False, allow_reset=True).start()
    try:
        yield svc
    finally:
        svc.stop()


def test_moto_sagemaker_endpoint_tests_in_server_mode(
    control_plane: EndpointService, tmp_path: Path
) -> None:
    src = _moto_tests()
    for f in FILES:
        (tmp_path / f).write_bytes((src / f).read_bytes())
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = dict(os.environ)
    env.update(
        TEST_SERVER_MODE="true",
        TEST_SERVER_MODE_ENDPOINT=control_plane.url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
    )
    deselect = [arg for name in NOT_APPLICABLE for arg in ("--deselect", name)]
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-c",
            str(tmp_path / "pytest.ini"),
            "-rA",
            *deselect,
            *FILES,
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    (ROOT / ".cache").mkdir(exist_ok=True)
    (ROOT / ".cache" / "moto-server-mode.log").write_text(r.stdout + r.stderr)
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-2000:]
    assert " passed" in r.stdout and "failed" not in r.stdout.splitlines()[-1]
    # they talked to amtune's control plane
    calls = control_plane.control.calls
    assert calls["CreateEndpoint"] >= 10 and calls["UpdateEndpointWeightsAndCapacities"] >= 5
