"""The runners -> driver event queue is bounded for metric emissions (backpressure on the
producer), never refuses or delays the end of a training job, and never deadlocks the driver."""

import queue
import sys
import threading
import time

import pytest

import amtune
from amtune.rules.early_stopping import MedianStoppingRule
from amtune.runners import events as events_mod
from amtune.runners.events import EventQueue, JobEnded, MetricEmitted, Outcome
from amtune.tuning.tuner import HyperparameterTuner


def _metric(i: int) -> MetricEmitted:
    return MetricEmitted(1, "loss", float(i), i, 0.0)


def test_a_producer_waits_for_room_and_nothing_is_lost():
    q = EventQueue(max_metrics=5)
    done = threading.Event()

    def produce():
        for i in range(50):
            q.put(_metric(i))
        q.put(JobEnded(1, Outcome(ok=True)))
        done.set()

    th = threading.Thread(target=produce, daemon=True)
    th.start()
    deadline = time.monotonic() + 30
    while q.qsize() < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    assert not done.is_set()  # blocked: the consumer has not read
    assert q.qsize() == 5 and q.high_water == 5
    got = []
    while True:
        ev = q.get(timeout=5)
        got.append(ev)
        if isinstance(ev, JobEnded):
            break
    th.join(5)
    assert [e.value for e in got[:-1]] == [float(i) for i in range(50)]  # all, in order
    assert q.high_water == 5


def test_an_end_is_never_refused_or_delayed_by_a_full_queue():
    q = EventQueue(max_metrics=2)
    q.put(_metric(0))
    q.put(_metric(1))
    t0 = time.monotonic()
    q.put(JobEnded(7, Outcome(ok=False, failure_reason="x")))  # from the consumer's own thread
    q.put(_metric(2), block=False)  # a producer that must not wait (Dask's event loop)
    assert time.monotonic() - t0 < 1.0
    kinds = [type(q.get_nowait()).__name__ for _ in range(4)]
    assert kinds == ["MetricEmitted", "MetricEmitted", "JobEnded", "MetricEmitted"]
    with pytest.raises(queue.Empty):
        q.get(timeout=0.01)


def test_close_releases_a_waiting_producer():
    q = EventQueue(max_metrics=1)
    q.put(_metric(0))
    th = threading.Thread(target=q.put, args=(_metric(1),), daemon=True)
    th.start()
    time.sleep(0.1)
    assert th.is_alive()
    q.close()
    th.join(2)
    assert not th.is_alive()
    q.put(JobEnded(1, Outcome(ok=True)))  # an end is still kept
    assert [type(q.get_nowait()).__name__ for _ in range(2)] == ["MetricEmitted", "JobEnded"]


def test_bad_bound():
    with pytest.raises(ValueError, match="max_metrics"):
        EventQueue(max_metrics=0)


@pytest.mark.parametrize("runner", ["command", "thread"])
def test_a_fast_emitter_is_held_back_by_a_slow_driver(tmp_path, monkeypatch, runner):
    """A job emitting 5,000 metrics as fast as it can, a driver slowed down in its rules: the
    driver's queue never holds more than the bound, and the rules still see every emission."""
    bound, n = 50, 5000
    monkeypatch.setattr(events_mod, "MAX_QUEUED_METRICS", bound)
    seen = []
    queues = []
    real_rule = MedianStoppingRule.on_metric
    real_init = EventQueue.__init__

    def slow(self, run, job, name, step, value):
        seen.append(step)
        if len(seen) % 10 == 0:
            time.sleep(0.002)  # a driver far slower than its producer
        return real_rule(self, run, job, name, step, value)

    def init(self, max_metrics=None):
        real_init(self, max_metrics)
        queues.append(self)

    monkeypatch.setattr(MedianStoppingRule, "on_metric", slow)
    monkeypatch.setattr(EventQueue, "__init__", init)

    def train(hp, reporter):
        for i in range(n):
            reporter.report("loss", float(i))

    common = dict(
        strategy="Grid",
        max_jobs=1,
        objective_type="Maximize",
        early_stopping_type="Auto",
        db=tmp_path / "a.db",
        quiet=True,
    )
    space = {"x": amtune.CategoricalParameter(["1"])}
    if runner == "command":
        code = f"for i in range({n}): print(f'loss={{i}}')"
        t = HyperparameterTuner(
            "loss", space, metric_definitions=[{"Name": "loss", "Regex": r"loss=(\S+)"}], **common
        )
        t.fit([sys.executable, "-c", code], job_name="flood")
    else:
        t = HyperparameterTuner("loss", space, runner="thread", **common)
        t.fit(train, job_name="flood")
    assert t.describe()["HyperParameterTuningJobStatus"] == "Completed"
    assert seen == list(range(n))  # every emission reached the rules, in order
    (driver_queue,) = [q for q in queues if q.max_metrics == bound]
    assert driver_queue.high_water == bound  # it filled up, and never went past the bound
    assert t.describe()["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"][
        "Value"
    ] == float(n - 1)
