"""With max_parallel_jobs = 32, a Bayesian tuning job proposes each new configuration while the
other 31 training jobs are running and pending in the strategy (issue 14): the strategy sees them
(as Kriging-believer fantasies) at every proposal, and no proposal repeats a running one."""

import threading

import numpy as np

import amtune
from amtune.optimizer import Optimizer
from amtune.tuning.tuner import HyperparameterTuner

P, BUDGET = 32, 48


class FullSlots:
    """A training callable that returns only once every slot that can be busy is busy (then the
    oldest job ends first), so each proposal after the first batch is made with P - 1 running."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.waiting: list[int] = []
        self.released: set[int] = set()
        self.ended = 0
        self.count = 0
        self.configs: dict[int, tuple[float, ...]] = {}
        self.running_configs: list[list[tuple[float, ...]]] = []  # the running set at each release

    def __call__(self, hp, reporter):
        x = (hp["a"], hp["b"], hp["c"])
        with self.cond:
            me = self.count
            self.count += 1
            self.waiting.append(me)
            self.configs[me] = x
            while self.waiting and len(self.waiting) >= min(
                P, BUDGET - self.ended - len(self.released)
            ):
                self.running_configs.append([self.configs[k] for k in self.waiting])
                self.released.add(self.waiting.pop(0))
                self.cond.notify_all()
            while me not in self.released:
                assert self.cond.wait(timeout=60), "no release"
            self.released.discard(me)
            self.ended += 1
        return float(sum((v - 0.3) ** 2 for v in x))


def test_every_proposal_sees_the_running_jobs_as_pending(tmp_path, monkeypatch):
    seen: list[tuple[int, int]] = []  # (n asked, pending trials at that moment)
    real_ask = Optimizer.ask

    def ask(self, n=1):
        seen.append((n, len(self.history().pending)))
        return real_ask(self, n)

    monkeypatch.setattr(Optimizer, "ask", ask)
    slots = FullSlots()
    t = HyperparameterTuner(
        "loss",
        {k: amtune.ContinuousParameter(0.0, 1.0) for k in "abc"},
        strategy="Bayesian",
        objective_type="Minimize",
        max_jobs=BUDGET,
        max_parallel_jobs=P,
        random_seed=0,
        runner="thread",
        db=tmp_path / "a.db",
        quiet=True,
    )
    t.fit(slots, job_name="p32")
    assert t.describe()["TrainingJobStatusCounters"]["Completed"] == BUDGET
    # one batch of P at the start, then one proposal per ended job with the P - 1 others pending
    assert seen == [(P, 0)] + [(1, P - 1)] * (BUDGET - P)
    # the running set never holds the same configuration twice
    assert len(slots.running_configs) == BUDGET
    for running in slots.running_configs:
        assert len(set(running)) == len(running)
    # proposals made with 31 pending are spread out, not stacked on the incumbent
    late = np.array([slots.configs[k] for k in range(P, BUDGET)])
    d = np.linalg.norm(late[:, None] - late[None], axis=-1)[np.triu_indices(len(late), 1)]
    assert d.min() > 1e-3, d.min()
