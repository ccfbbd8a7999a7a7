"""An output flood cannot exhaust the driver (issue 10, item 8): output is read in bounded pieces,
and what one training job keeps per metric is bounded (tuning/series.py), while the rules see
every emission."""

import os
import subprocess
import sys
import textwrap

import amtune
from amtune.store import Store
from amtune.tuning import series
from amtune.tuning.tuner import HyperparameterTuner

MD = [{"Name": "loss", "Regex": r"loss=(\S+)"}]

LONG_LINE = textwrap.dedent("""
    import resource, sys
    import amtune
    from amtune.tuning.tuner import HyperparameterTuner
    db, n = sys.argv[1], int(sys.argv[2])
    code = f"import sys; sys.stdout.write('x' * {n}); sys.stdout.write(' loss=0.5\\\\n')"
    t = HyperparameterTuner(
        "loss", {"x": amtune.CategoricalParameter(["1"])}, metric_definitions=[
            {"Name": "loss", "Regex": r"loss=(\\S+)"}], strategy="Grid", max_jobs=1,
        objective_type="Minimize", db=db, quiet=True)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t.fit([sys.executable, "-c", code], job_name="long")
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print((after - before) // 1024)  # MiB (ru_maxrss is in KiB on Linux)
""")


def test_a_long_line_without_newline_is_read_in_pieces(tmp_path):
    n = 100 * 1024 * 1024
    script = tmp_path / "drive.py"
    script.write_text(LONG_LINE)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "a.db"), str(n)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    growth_mib = int(done.stdout.split()[-1])
    # reading the 100 MiB line whole would hold it at least twice (bytes and str)
    assert growth_mib < 64, growth_mib
    with Store(tmp_path / "a.db") as st:
        (row,) = st.training_jobs("long")
        assert row["status"] == "Completed"
        log = os.path.join(row["job_dir"], "train.log")
    with open(log, "rb") as f:  # the log keeps the line whole
        assert any(len(line) > n for line in f)


def test_what_a_job_keeps_per_metric_is_bounded(tmp_path, monkeypatch):
    from amtune.rules.early_stopping import MedianStoppingRule

    monkeypatch.setattr(series, "KEEP_ALL", 100)
    seen = []
    real = MedianStoppingRule.on_metric

    def count(self, run, job, name, step, value):
        seen.append(step)
        return real(self, run, job, name, step, value)

    monkeypatch.setattr(MedianStoppingRule, "on_metric", count)
    n = 5001
    code = f"for i in range({n}): print(f'loss={{i}}')"
    t = HyperparameterTuner(
        "loss",
        {"x": amtune.CategoricalParameter(["1"])},
        metric_definitions=MD,
        strategy="Grid",
        max_jobs=1,
        objective_type="Maximize",
        early_stopping_type="Auto",
        db=tmp_path / "a.db",
        quiet=True,
    )
    t.fit([sys.executable, "-c", code], job_name="flood")
    assert seen == list(range(n))  # the rules see every emission
    rows = t.store.metrics("flood")
    kept = [k for k in range(n) if series.keep(k)]
    assert [r["step"] for r in rows] == kept + ([n - 1] if kept[-1] != n - 1 else [])
    assert len(rows) < 100 + 50 * 6 + 2
    assert rows[-1]["value"] == n - 1
    (job,) = t.store.training_jobs("flood")
    assert job["final_objective"] == n - 1
    assert t.describe()["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"][
        "Value"
    ] == float(n - 1)
