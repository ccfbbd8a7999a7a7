"""Reading a store without write access (issue 10, item 11): the read-only commands open it
read-only; a store that cannot be read at all gets a plain message."""

import os
import subprocess
import sys

import pytest

from amtune.store import Store

pytestmark = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="drops to another user (needs root)"
)

NOBODY = 65534


def _as_nobody(args, cwd):
    """Run ``amtune ARGS`` in a forked child that has dropped to user nobody (the modules it
    needs are imported first: the interpreter's own files may not be readable by nobody)."""
    import tempfile

    import amtune.analytics
    import amtune.cli

    out = tempfile.mkdtemp()
    os.chmod(out, 0o777)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.chdir(cwd)
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            sys.stdout = open(os.path.join(out, "out"), "w")
            sys.stderr = open(os.path.join(out, "err"), "w")
            code = amtune.cli.main(list(args))
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            import traceback

            traceback.print_exc()
            sys.stderr.flush()
            code = 99
        os._exit(code)
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])

    with open(os.path.join(out, "out")) as o, open(os.path.join(out, "err")) as e:
        return subprocess.CompletedProcess(args, code, o.read(), e.read())


@pytest.fixture
def shared(tmp_path_factory):
    """A store (one finished tuning job) in a directory other users can read but not write."""
    import amtune
    from amtune.tuning.tuner import HyperparameterTuner

    d = tmp_path_factory.mktemp("shared")
    t = HyperparameterTuner(
        "loss",
        {"x": amtune.ContinuousParameter(0.0, 1.0)},
        objective_type="Minimize",
        strategy="Random",
        max_jobs=2,
        runner="thread",
        random_seed=0,
        db=d / "amtune.db",
        quiet=True,
    )
    t.fit(lambda hp, r: hp["x"], job_name="ro")
    t.store.close()
    for p in [d, *d.iterdir()]:
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    parent = d
    while parent != parent.parent:  # the temporary directories on the way are 0700
        parent = parent.parent
        if str(parent).startswith(str(d.parent.parent)):
            os.chmod(parent, 0o755)
    return d


@pytest.mark.parametrize("cmd", [["list"], ["describe", "ro"], ["jobs", "ro"]])
def test_a_reader_without_write_access(shared, cmd):
    done = _as_nobody([*cmd, "--db", str(shared / "amtune.db")], cwd="/")
    assert done.returncode == 0, done.stderr
    assert "ro" in done.stdout


def test_a_store_that_cannot_be_read_says_so(shared):
    os.chmod(shared / "amtune.db", 0o600)
    done = _as_nobody(["list", "--db", str(shared / "amtune.db")], cwd="/")
    assert done.returncode == 2
    assert "cannot" in done.stderr and "Traceback" not in done.stderr


def test_read_only_store_refuses_writes(shared):
    st = Store(shared / "amtune.db", readonly=True)
    assert [j["name"] for j in st.list_tuning_jobs()] == ["ro"]
    with pytest.raises(Exception, match="readonly"):
        st.request_stop("ro")
