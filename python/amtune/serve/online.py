"""Online testing of production variants: ground truth posted later, a metric per variant with a
confidence interval, the probability that one variant is better, and optional Thompson-sampling
traffic shifting.

Every invocation is logged with its inference id (``X-Amzn-SageMaker-Inference-Id``, sent by the
caller or made by the router and returned in the same header). Ground truth for an inference id is
posted later (:func:`post_feedback`, ``POST /amtune/feedback``, ``amtune endpoint feedback``), and
:func:`evaluate` joins both, per variant (shadow variants included: they answered the same
requests).

Metrics (the prediction is the first number of the response body, JSON or CSV):

``accuracy``  prediction label == true label; a score strictly between 0 and 1 is the label
              ``score >= 0.5``. Posterior Beta(1 + hits, 1 + misses); Wilson interval.
``reward``    the posted value is the reward of the served answer (higher is better); its mean,
              with a normal interval (Beta posterior when every reward is 0 or 1).
``rmse``      root mean squared error (lower is better); interval from the normal interval of the
              mean squared error (delta method).
``auc``       area under the ROC curve of the score against 0/1 labels (Mann-Whitney), standard
              error of Hanley & McNeil (1982), eq. 2.

"Variant B is better with probability p" is P(metric_B better than metric_A) under these
posteriors (Monte Carlo, seeded). Thompson sampling (Thompson 1933; Chapelle & Li 2011) sets each
variant's weight to ``floor + (1 - k * floor) * P(variant is best)``.
"""

from __future__ import annotations

import enum
import json
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np

from amtune.serve.state import ServeState

_DRAWS = 20000


class OnlineMetric(str, enum.Enum):
    ACCURACY = "accuracy"
    REWARD = "reward"
    RMSE = "rmse"
    AUC = "auc"

    @property
    def higher_is_better(self) -> bool:
        return self is not OnlineMetric.RMSE


def post_feedback(
    state: ServeState, endpoint: str, inference_id: str, ground_truth: Any
) -> dict[str, Any]:
    """Record the ground truth (a number or a label) of one inference."""
    if not isinstance(inference_id, str) or not inference_id:
        raise ValueError(f"InferenceId: must be a non-empty string, got {inference_id!r}")
    if isinstance(ground_truth, bool) or not isinstance(ground_truth, (int, float, str)):
        raise ValueError(f"GroundTruth: must be a number or a label, got {ground_truth!r}")
    known = state.one(
        "SELECT 1 FROM serve_inferences WHERE endpoint = ? AND inference_id = ? LIMIT 1",
        (endpoint, inference_id),
    )
    if known is None:
        raise ValueError(
            f"InferenceId: no inference {inference_id!r} was logged for endpoint {endpoint!r} "
            f"(post it after the answer)"
        )
    state.execute(
        "INSERT OR REPLACE INTO serve_feedback VALUES (?, ?, ?, ?)",
        (endpoint, inference_id, time.time(), json.dumps(ground_truth)),
    )
    return {"EndpointName": endpoint, "InferenceId": inference_id}


def first_number(body: bytes) -> float | None:
    """The first number of a JSON or CSV response body (None if there is none)."""
    text = body.decode("utf-8", "replace").strip()
    try:
        doc: Any = json.loads(text)
    except ValueError:
        doc = text.replace("\n", ",").split(",")[0]
    while True:
        if isinstance(doc, list) and doc:
            doc = doc[0]
        elif isinstance(doc, dict) and doc:
            key = next((k for k in ("predictions", "score", "predicted_label") if k in doc), None)
            doc = doc[key] if key is not None else next(iter(doc.values()))
        else:
            break
    try:
        v = float(doc)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _label(v: Any) -> str:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if 0.0 < v < 1.0:
            return "1" if v >= 0.5 else "0"
        return repr(float(v))
    try:
        return _label(float(v))
    except (TypeError, ValueError):
        return str(v).strip()


@dataclass
class VariantResult:
    variant: str
    shadow: bool
    n: int
    value: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass
class OnlineReport:
    endpoint: str
    metric: str
    confidence: float
    variants: list[VariantResult]
    best: str | None = None
    p_best: dict[str, float] = field(default_factory=dict)
    comparisons: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def statement(self) -> str:
        if not self.comparisons:
            return "not enough feedback to compare variants"
        return "; ".join(c["statement"] for c in self.comparisons)


class _Posterior:
    """Draws of a variant's metric and its point estimate and interval."""

    def __init__(self, value: float, lo: float, hi: float, draws: np.ndarray) -> None:
        self.value, self.lo, self.hi, self.draws = value, lo, hi, draws


def _wilson(k: int, n: int, z: float) -> tuple[float, float]:
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return c - h, c + h


def _posterior(
    metric: OnlineMetric, pairs: Sequence[tuple[float | None, Any]], z: float, rng: Any
) -> _Posterior | None:
    if metric is OnlineMetric.ACCURACY:
        hits = [_label(p) == _label(t) for p, t in pairs if p is not None]
        n, k = len(hits), sum(hits)
        if n == 0:
            return None
        lo, hi = _wilson(k, n, z)
        return _Posterior(k / n, lo, hi, rng.beta(1 + k, 1 + n - k, _DRAWS))
    vals = [(p, float(t)) for p, t in pairs if p is not None or metric is OnlineMetric.REWARD]
    if metric is OnlineMetric.REWARD:
        r = np.array([t for _, t in vals])
        if r.size == 0:
            return None
        if np.all((r == 0) | (r == 1)):
            k, n = int(r.sum()), int(r.size)
            lo, hi = _wilson(k, n, z)
            return _Posterior(k / n, lo, hi, rng.beta(1 + k, 1 + n - k, _DRAWS))
        m = float(r.mean())
        se = float(r.std(ddof=1) / math.sqrt(r.size)) if r.size > 1 else math.inf
        return _Posterior(m, m - z * se, m + z * se, rng.normal(m, min(se, 1e300), _DRAWS))
    p = np.array([a for a, _ in vals], dtype=float)
    t = np.array([b for _, b in vals], dtype=float)
    if p.size < 2:
        return None
    if metric is OnlineMetric.RMSE:
        sq = (p - t) ** 2
        mse = float(sq.mean())
        se = float(sq.std(ddof=1) / math.sqrt(sq.size))
        lo, hi = max(0.0, mse - z * se), mse + z * se
        draws = np.sqrt(np.abs(rng.normal(mse, max(se, 1e-300), _DRAWS)))
        return _Posterior(math.sqrt(mse), math.sqrt(lo), math.sqrt(hi), draws)
    # AUC (Mann-Whitney U / (n1 n2)); standard error: Hanley & McNeil (1982), eq. 2
    pos, neg = p[t == 1], p[t == 0]
    n1, n2 = pos.size, neg.size
    if n1 == 0 or n2 == 0:
        return None
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    a = float(greater / (n1 * n2))
    q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
    se = math.sqrt(
        max(a * (1 - a) + (n1 - 1) * (q1 - a * a) + (n2 - 1) * (q2 - a * a), 0.0) / (n1 * n2)
    )
    return _Posterior(
        a, max(0.0, a - z * se), min(1.0, a + z * se), rng.normal(a, max(se, 1e-12), _DRAWS)
    )


def evaluate(
    state: ServeState,
    EndpointName: str,
    Metric: str = "accuracy",
    Confidence: float = 0.95,
    Seed: int = 0,
    IncludeShadow: bool = True,
) -> OnlineReport:
    """The online metric of each variant of ``EndpointName`` from the feedback posted so far."""
    try:
        metric = OnlineMetric(Metric)
    except ValueError:
        raise ValueError(
            f"Metric: must be one of {[m.value for m in OnlineMetric]}, got {Metric!r}"
        ) from None
    if not 0 < Confidence < 1:
        raise ValueError(f"Confidence: must be in (0, 1), got {Confidence!r}")
    z = NormalDist().inv_cdf(0.5 + Confidence / 2)
    rows = state.all(
        "SELECT i.variant, i.shadow, i.response, f.value FROM serve_inferences i "
        "JOIN serve_feedback f ON f.endpoint = i.endpoint AND f.inference_id = i.inference_id "
        "WHERE i.endpoint = ? AND i.status = 200 ORDER BY i.rowid",
        (EndpointName,),
    )
    pairs: dict[str, list[tuple[float | None, Any]]] = {}
    shadow: dict[str, bool] = {}
    for r in rows:
        if r["shadow"] and not IncludeShadow:
            continue
        pairs.setdefault(r["variant"], []).append(
            (first_number(r["response"] or b""), json.loads(r["value"]))
        )
        shadow[r["variant"]] = bool(r["shadow"])
    rng = np.random.default_rng(Seed)
    posts: dict[str, _Posterior] = {}
    results = []
    for v in sorted(pairs):
        post = _posterior(metric, pairs[v], z, rng)
        if post is not None:
            posts[v] = post
        results.append(
            VariantResult(
                v,
                shadow[v],
                len(pairs[v]),
                None if post is None else post.value,
                None if post is None else post.lo,
                None if post is None else post.hi,
            )
        )
    report = OnlineReport(EndpointName, metric.value, Confidence, results)
    if len(posts) >= 2:
        names = sorted(posts)
        stack = np.stack([posts[n].draws for n in names])
        winners = stack.argmax(0) if metric.higher_is_better else stack.argmin(0)
        report.p_best = {n: float(np.mean(winners == i)) for i, n in enumerate(names)}
        best = max(report.p_best, key=lambda n: report.p_best[n])
        report.best = best
        for other in names:
            if other == best:
                continue
            diff = posts[best].draws - posts[other].draws
            p = float(np.mean(diff > 0) if metric.higher_is_better else np.mean(diff < 0))
            report.comparisons.append(
                {
                    "better": best,
                    "than": other,
                    "probability": p,
                    "statement": f"variant {best} is better than variant {other} with "
                    f"probability {p:.2f} ({metric.value} {posts[best].value:.4g} vs "
                    f"{posts[other].value:.4g})",
                }
            )
    return report


def thompson_weights(p_best: Mapping[str, float], floor: float) -> dict[str, float]:
    """Weights ``floor + (1 - k floor) P(best)`` (they sum to 1; every variant keeps ``floor``)."""
    k = len(p_best)
    if not 0 <= floor * k <= 1:
        raise ValueError(f"floor: must be in [0, 1/{k}] for {k} variants, got {floor!r}")
    return {v: floor + (1 - k * floor) * p for v, p in p_best.items()}


class TrafficShifter:
    """Moves an endpoint's production weights toward the variant most likely best, every
    ``interval`` seconds once each variant has ``min_feedback`` results (Thompson sampling with a
    floor weight). Every change goes through UpdateEndpointWeightsAndCapacities' path and is
    recorded in ``serve_weights`` with the probabilities."""

    def __init__(
        self,
        state: ServeState,
        endpoint: str,
        apply: Callable[[str, list[dict[str, Any]], str], None],
        *,
        metric: str = "accuracy",
        floor: float = 0.05,
        interval: float = 30.0,
        min_feedback: int = 30,
        seed: int = 0,
        before: Callable[[], None] | None = None,
    ) -> None:
        self.before = before
        self.state = state
        self.endpoint = endpoint
        self.apply = apply
        self.metric = metric
        self.floor = floor
        self.interval = interval
        self.min_feedback = min_feedback
        self.seed = seed
        self.changes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="amtune-thompson")

    def start(self) -> TrafficShifter:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)

    def step(self) -> dict[str, float] | None:
        """One shift (None when there is not enough feedback yet)."""
        if self.before is not None:
            self.before()
        ep = self.state.get_endpoint(self.endpoint)
        if ep is None:
            return None
        production = [v["VariantName"] for v in ep["variants"]]
        rep = evaluate(
            self.state,
            self.endpoint,
            self.metric,
            Seed=self.seed + self.changes,
            IncludeShadow=False,
        )
        counts = {r.variant: r.n for r in rep.variants if r.value is not None}
        if len(production) < 2 or any(counts.get(v, 0) < self.min_feedback for v in production):
            return None
        weights = thompson_weights({v: rep.p_best.get(v, 0.0) for v in production}, self.floor)
        probs = ", ".join(f"{v} {rep.p_best.get(v, 0.0):.3f}" for v in production)
        self.apply(
            self.endpoint,
            [{"VariantName": v, "DesiredWeight": w} for v, w in weights.items()],
            f"ThompsonSampling({self.metric}; P(best): {probs}; floor {self.floor:g})",
        )
        self.changes += 1
        return weights

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            ep = self.state.get_endpoint(self.endpoint)
            if ep is None:
                return
            if ep["status"] == "InService":
                self.step()
