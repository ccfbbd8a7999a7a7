#include "amtune/acq_optimizer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "amtune/lbfgsb.hpp"
#include "amtune/qmc.hpp"
#include "amtune/thread_pool.hpp"

namespace amtune {

using Eigen::VectorXd;

VectorXd acquisition_values(const GP& gp, const Acquisition& acq, const RowMatrix& X) {
  VectorXd mu, var;
  gp.predict(X, mu, var);
  VectorXd a(X.rows());
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    a[i] = acq.value(mu[i], var[i], nullptr, nullptr);
    if (!std::isfinite(a[i])) a[i] = -std::numeric_limits<double>::infinity();
  }
  return a;
}

Objective continuous_objective(const GP& gp, const Acquisition& acq, const std::vector<int>& cont,
                               VectorXd& full, VectorXd& grad) {
  return [&gp, &acq, &cont, &full, &grad](const VectorXd& z, VectorXd& gz) {
    const int k = static_cast<int>(cont.size());
    for (int t = 0; t < k; ++t) full[cont[t]] = z[t];
    const double a = acquisition_grad(gp, acq, full.data(), grad);
    gz.resize(k);
    for (int t = 0; t < k; ++t) gz[t] = -grad[cont[t]];
    return std::isfinite(a) ? -a : std::numeric_limits<double>::infinity();
  };
}

double acquisition_grad(const GP& gp, const Acquisition& acq, const double* x, VectorXd& grad) {
  double mu, var, dmu, dvar;
  VectorXd gmu, gvar;
  gp.predict_grad(x, mu, var, gmu, gvar);
  const double a = acq.value(mu, var, &dmu, &dvar);
  grad = dmu * gmu + dvar * gvar;
  return a;
}

namespace {

// Values of discrete neighbours of x along dimension j (encoded cell centres, x's own excluded).
std::vector<double> neighbours(const Space& space, const InputSpec& spec, const VectorXd& x, int j, SplitMix64& rng) {
  std::vector<double> out;
  const Dimension& dim = space.dimensions()[j];
  if (spec.kind[j] == 1) {
    const double v = space.decode_value(j, x[j]);
    for (double nv : {v - 1.0, v + 1.0})
      if (nv >= dim.low && nv <= dim.high) out.push_back(space.encode_value(j, nv));
  } else if (spec.kind[j] == 2) {
    const int k = static_cast<int>(spec.card[j]);  // categorical: < 2^31 (InputSpec::validate)
    const int cur = static_cast<int>(std::floor(x[j] * k));
    if (k <= 33) {
      for (int i = 0; i < k; ++i)
        if (i != cur) out.push_back((i + 0.5) / k);
    } else {
      for (int t = 0; t < 32; ++t) {
        const int i = rng.below(k);
        if (i != cur) out.push_back((i + 0.5) / k);
      }
    }
  }
  return out;
}

RowMatrix canonical(const Space& space, const RowMatrix& X) { return space.canonicalize(X); }

}  // namespace

AcqResult maximize_acquisition(const GP& gp, const Acquisition& acq, const Space& space, const SeenSet& seen,
                               const RowMatrix& incumbents, const AcqOptions& opt, std::uint64_t seed) {
  const InputSpec& spec = gp.spec();
  const int d = spec.dim();
  const int n = gp.n();
  const int threads = std::max(1, opt.threads);
  AcqResult best;
  best.x = VectorXd::Zero(d);
  best.value = -std::numeric_limits<double>::infinity();
  if (d == 0) return best;

  // ---- 1. screening candidates
  int m = opt.n_candidates;
  if (m <= 0) {
    const double budget = 3e8 / (static_cast<double>(n) * n + 1.0);
    m = static_cast<int>(std::clamp(budget, 256.0, 2048.0));
  }
  const int m_local = incumbents.rows() ? m / 4 : 0;
  const int m_global = m - m_local;
  RowMatrix C(m, d);
  {
    ScrambledHalton halton(d, seed);
    for (int i = 0; i < m_global; ++i) halton.point(static_cast<std::uint64_t>(i), C.row(i).data());
    SplitMix64 rng(seed ^ 0xA5A5A5A5DEADBEEFull);
    const double p = std::min(1.0, 20.0 / d);
    for (int i = 0; i < m_local; ++i) {
      const auto inc = incumbents.row(i % incumbents.rows());
      const double scale = std::exp(std::log(0.005) + rng.uniform() * (std::log(0.2) - std::log(0.005)));
      bool moved = false;
      for (int j = 0; j < d; ++j) {
        double v = inc[j];
        if (rng.uniform() < p) {
          v += scale * rng.normal();
          moved = true;
        }
        C(m_global + i, j) = std::clamp(v, 0.0, 1.0);
      }
      if (!moved) {
        const int j = rng.below(d);
        C(m_global + i, j) = std::clamp(inc[j] + scale * rng.normal(), 0.0, 1.0);
      }
    }
  }
  C = canonical(space, C);
  VectorXd vals(m);
  {
    const int block = 128;
    const int nblocks = (m + block - 1) / block;
    parallel_for(nblocks, threads, [&](int b) {
      const int lo = b * block, len = std::min(block, m - lo);
      vals.segment(lo, len) = acquisition_values(gp, acq, C.middleRows(lo, len));
    });
  }
  std::vector<int> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return vals[a] > vals[b]; });

  // ---- 2. starts: best distinct candidates
  std::vector<int> starts;
  {
    SeenSet taken;
    for (int i : order) {
      if (static_cast<int>(starts.size()) >= opt.n_starts) break;
      if (!std::isfinite(vals[i])) break;
      if (taken.contains(C.row(i).data(), d)) continue;
      taken.add(C.row(i).data(), d);
      starts.push_back(i);
    }
  }
  std::vector<int> cont;  // optimized coordinates
  for (int j = 0; j < d; ++j)
    if (!spec.categorical(j)) cont.push_back(j);
  bool any_discrete = false;
  for (int j = 0; j < d; ++j) any_discrete |= spec.kind[j] != 0;

  const int ns = static_cast<int>(starts.size());
  std::vector<AcqResult> results(ns);
  parallel_for(ns, threads, [&](int s) {
    VectorXd x = C.row(starts[s]).transpose();
    SplitMix64 rng(seed + 0x9E37ull * (s + 1));
    if (!cont.empty()) {
      const int k = static_cast<int>(cont.size());
      VectorXd z0(k);
      for (int t = 0; t < k; ++t) z0[t] = x[cont[t]];
      VectorXd full = x, g;
      const Objective f = continuous_objective(gp, acq, cont, full, g);
      LbfgsbOptions lo;
      lo.max_iter = opt.max_iter;
      lo.pgtol = 1e-7;
      lo.ftol = 1e-9;
      const LbfgsbResult r = minimize_box(f, z0, VectorXd::Zero(k), VectorXd::Ones(k), lo);
      for (int t = 0; t < k; ++t) x[cont[t]] = r.x[t];
    }
    RowMatrix row = x.transpose();
    x = canonical(space, row).row(0).transpose();
    RowMatrix one = x.transpose();
    double val = acquisition_values(gp, acq, one)[0];
    AcqResult& out = results[s];
    if (!seen.contains(x.data(), d)) out = {true, x, val};
    if (any_discrete) {
      // steepest-ascent local search over one-coordinate discrete moves
      for (int round = 0; round < 50; ++round) {
        std::vector<std::pair<int, double>> moves;
        for (int j = 0; j < d; ++j)
          for (double v : neighbours(space, spec, x, j, rng)) moves.emplace_back(j, v);
        if (moves.empty()) break;
        RowMatrix M(static_cast<int>(moves.size()), d);
        for (int i = 0; i < M.rows(); ++i) {
          M.row(i) = x.transpose();
          M(i, moves[i].first) = moves[i].second;
        }
        const VectorXd mv = acquisition_values(gp, acq, M);
        int arg = -1;
        double best_move = val;
        for (int i = 0; i < M.rows(); ++i) {
          if (!seen.contains(M.row(i).data(), d) && (!out.found || mv[i] > out.value)) out = {true, M.row(i).transpose(), mv[i]};
          if (mv[i] > best_move) {
            best_move = mv[i];
            arg = i;
          }
        }
        if (arg < 0) break;
        x = M.row(arg).transpose();
        val = best_move;
      }
    }
  });
  for (const auto& r : results)
    if (r.found && (!best.found || r.value > best.value)) best = r;
  if (!best.found) {  // every start ended on a used configuration: best unused screening candidate
    for (int i : order)
      if (!seen.contains(C.row(i).data(), d)) {
        best = {true, C.row(i).transpose(), vals[i]};
        break;
      }
  }
  return best;
}

}  // namespace amtune
