#include "amtune/batch.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include "amtune/lbfgsb.hpp"
#include "amtune/qmc.hpp"
#include "amtune/thread_pool.hpp"

namespace amtune {

using Eigen::MatrixXd;
using Eigen::VectorXd;

// ------------------------------------------------------------------ candidate posterior
void CandidatePosterior::reserve(int rows, int cols) {
  const int r_cap = static_cast<int>(V_.rows()), c_cap = static_cast<int>(C_.rows());
  if (rows <= r_cap && cols <= c_cap) return;
  const int nr = rows <= r_cap ? r_cap : std::max(rows, r_cap * 3 / 2);
  const int ncol = cols <= c_cap ? c_cap : std::max(cols, c_cap * 3 / 2);
  RowMatrix V(nr, ncol);  // only the leading rows_ x nc_ block is ever read
  if (rows_ && nc_) V.topLeftCorner(rows_, nc_) = V_.topLeftCorner(rows_, nc_);
  V_.swap(V);
  if (ncol != c_cap) {
    RowMatrix C(ncol, d_), Z(ncol, d_);
    C.topRows(nc_) = C_.topRows(nc_);
    Z.topRows(nc_) = Zc_.topRows(nc_);
    C_.swap(C);
    Zc_.swap(Z);
    VectorXd m(ncol), v(ncol);
    m.head(nc_) = mean_.head(nc_);
    v.head(nc_) = var_.head(nc_);
    mean_.swap(m);
    var_.swap(v);
  }
  if (nr != beta_.size()) {
    VectorXd b = VectorXd::Zero(nr);
    b.head(rows_) = beta_.head(rows_);
    beta_.swap(b);
  }
}

CandidatePosterior::CandidatePosterior(const GP& gp, const RowMatrix& C, int threads)
    : d_(gp.spec().dim()), prior_mean_(gp.hyper().mean), sf2_(gp.kernel().sf2) {
  if (C.cols() != d_) throw std::invalid_argument("CandidatePosterior: candidates have the wrong number of columns");
  const int m = static_cast<int>(C.rows()), n = gp.n();
  reserve(n + 32, m + 64);
  rows_ = n;
  nc_ = m;
  C_.topRows(m) = C;
  RowMatrix Z;
  gp.features(C, Z);
  Zc_.topRows(m) = Z;
  // Blocks of 128 rows, as acquisition_values is called by the acquisition searches: the values
  // are bit for bit those of a plain screening, whatever the thread count.
  const int block = 128, nblocks = (m + block - 1) / block;
  parallel_for(nblocks, std::max(1, threads), [&](int b) {
    const int a = b * block, len = std::min(block, m - a);
    VectorXd mu, var;
    MatrixXd S;
    gp.predict(C.middleRows(a, len), mu, var, &S);
    mean_.segment(a, len) = mu;
    var_.segment(a, len) = var;
    V_.block(0, a, n, len) = S;
  });
  // beta = L^-1 (y - c): forward substitution on the factor's rows
  const VectorXd y = gp.y();
  for (int i = 0; i < n; ++i) {
    const VectorXd l = gp.factor_row(i);
    beta_[i] = (y[i] - prior_mean_ - l.head(i).dot(beta_.head(i))) / l[i];
  }
}

void CandidatePosterior::extend(const GP& gp) {
  const int n = gp.n();
  if (n < rows_) throw std::logic_error("CandidatePosterior.extend: the GP lost rows");
  if (n == rows_) return;
  reserve(n, nc_);
  const VectorXd y = gp.y();
  const KernelCache& kc = gp.kernel();
  VectorXd w(nc_);
  for (int i = rows_; i < n; ++i) {
    // the factor's new row [l^T, l_nn]: w^T = (k(x_i, C) - l^T V) / l_nn
    const VectorXd l = gp.factor_row(i);
    const double* zi = gp.row_features(i);
    for (int c = 0; c < nc_; ++c) w[c] = kc.k(zi, Zc_.row(c).data());
    if (i) w.noalias() -= (l.head(i).transpose() * V_.topLeftCorner(i, nc_)).transpose();
    w /= l[i];
    const double b = (y[i] - prior_mean_ - l.head(i).dot(beta_.head(i))) / l[i];
    V_.row(i).head(nc_) = w.transpose();
    beta_[i] = b;
    mean_.head(nc_) += b * w;
    var_.head(nc_) = (var_.head(nc_).array() - w.array().square()).max(0.0).matrix();
  }
  rows_ = n;
}

void CandidatePosterior::add(const GP& gp, const RowMatrix& rows) {
  if (rows.cols() != d_) throw std::invalid_argument("CandidatePosterior.add: rows have the wrong number of columns");
  extend(gp);
  const int k = static_cast<int>(rows.rows());
  if (!k) return;
  reserve(rows_, nc_ + k);
  VectorXd mu, var;
  MatrixXd S;
  gp.predict(rows, mu, var, &S);
  RowMatrix Z;
  gp.features(rows, Z);
  C_.middleRows(nc_, k) = rows;
  Zc_.middleRows(nc_, k) = Z;
  V_.block(0, nc_, rows_, k) = S;
  mean_.segment(nc_, k) = mu;
  var_.segment(nc_, k) = var;
  nc_ += k;
}

// ------------------------------------------------------------------ region search
RegionSearch::RegionSearch(const Space& space, VectorXd center, VectorXd lo, VectorXd hi, const AcqOptions& opt,
                           std::uint64_t seed)
    : space_(space), center_(std::move(center)), lo_(std::move(lo)), hi_(std::move(hi)), opt_(opt), seed_(seed) {}

RowMatrix RegionSearch::candidates(int d) const {
  // scrambled-Halton candidates in the box where a candidate moves about k coordinates away from
  // the centre, k uniform in 1..min(d, 20) (TuRBO's perturbation mask, and sparser moves)
  const int m = std::max(16, opt_.n_candidates);
  RowMatrix C(m, d);
  ScrambledHalton halton(d, seed_);
  SplitMix64 rng(seed_ ^ 0x5DEECE66DULL);
  const int kmax = std::min(d, 20);
  VectorXd u(d);
  for (int i = 0; i < m; ++i) {
    halton.point(static_cast<std::uint64_t>(i) + 1, u.data());
    const double p = (1 + rng.below(kmax)) / static_cast<double>(d);
    bool moved = false;
    for (int j = 0; j < d; ++j) {
      const bool move = rng.uniform() < p;
      C(i, j) = move ? lo_[j] + u[j] * (hi_[j] - lo_[j]) : center_[j];
      moved |= move;
    }
    if (!moved) {
      const int j = rng.below(d);
      C(i, j) = lo_[j] + u[j] * (hi_[j] - lo_[j]);
    }
  }
  return space_.canonicalize(C);
}

AcqResult RegionSearch::next(const GP& gp, const Acquisition& acq, const SeenSet& seen) {
  const InputSpec& spec = gp.spec();
  const int d = spec.dim();
  const int threads = std::max(1, opt_.threads);
  const bool first = !pool_;
  if (first)
    pool_ = std::make_unique<CandidatePosterior>(gp, candidates(d), threads);
  else
    pool_->extend(gp);
  ++calls_;
  const int m = pool_->size();
  const auto C = pool_->candidates();
  VectorXd vals(m);
  {
    const auto mu = pool_->mean();
    const auto var = pool_->var();
    for (int i = 0; i < m; ++i) {
      vals[i] = acq.value(mu[i], var[i], nullptr, nullptr);
      if (!std::isfinite(vals[i])) vals[i] = -std::numeric_limits<double>::infinity();
    }
  }
  std::vector<int> order(m);
  for (int i = 0; i < m; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return vals[a] > vals[b]; });
  const int n_starts = first ? opt_.n_starts : std::min(opt_.n_starts, std::max(1, opt_.batch_starts));
  std::vector<int> starts;
  {
    SeenSet taken;
    for (int i : order) {
      if (static_cast<int>(starts.size()) >= n_starts || !std::isfinite(vals[i])) break;
      if (started_.count(i)) continue;  // its maximizer is in the pool already
      if (taken.contains(C.row(i).data(), d) || seen.contains(C.row(i).data(), d)) continue;
      taken.add(C.row(i).data(), d);
      starts.push_back(i);
    }
  }
  std::vector<int> cont;
  for (int j = 0; j < d; ++j)
    if (!spec.categorical(j)) cont.push_back(j);
  const int ns = static_cast<int>(starts.size()), k = static_cast<int>(cont.size());
  for (int i : starts) started_.insert(i);
  const int max_iter = first ? opt_.max_iter : std::max(1, opt_.max_iter * opt_.batch_iter_percent / 100);
  std::vector<AcqResult> results(ns);
  std::vector<char> moved(ns, 0);
  parallel_for(ns, threads, [&](int s) {
    VectorXd x = C.row(starts[s]).transpose();
    AcqResult& out = results[s];
    out = {true, x, vals[starts[s]]};  // the screening point itself (unused, checked above)
    if (k == 0) return;
    VectorXd z0(k), zl(k), zh(k), full = x, g;
    for (int t = 0; t < k; ++t) {
      z0[t] = x[cont[t]];
      zl[t] = std::min(lo_[cont[t]], z0[t]);
      zh[t] = std::max(hi_[cont[t]], z0[t]);
    }
    const Objective f = continuous_objective(gp, acq, cont, full, g);
    LbfgsbOptions lo_opt;
    lo_opt.max_iter = max_iter;
    lo_opt.pgtol = 1e-7;
    lo_opt.ftol = 1e-9;
    const LbfgsbResult r = minimize_box(f, z0, zl, zh, lo_opt);
    for (int t = 0; t < k; ++t) x[cont[t]] = r.x[t];
    RowMatrix row = x.transpose();
    row = space_.canonicalize(row);
    const double v = acquisition_values(gp, acq, row)[0];
    if (v > out.value && !seen.contains(row.data(), d)) {
      out = {true, row.row(0).transpose(), v};
      moved[s] = 1;
    }
  });
  AcqResult best;
  best.x = center_;
  best.value = -std::numeric_limits<double>::infinity();
  for (const auto& r : results)
    if (r.found && (!best.found || r.value > best.value)) best = r;
  // The maximizers found join the pool: warm starts for the next points of the batch.
  int nm = 0;
  for (int s = 0; s < ns; ++s) nm += moved[s];
  if (nm) {
    RowMatrix M(nm, d);
    for (int s = 0, i = 0; s < ns; ++s)
      if (moved[s]) M.row(i++) = results[s].x.transpose();
    pool_->add(gp, M);
  }
  return best;  // found = false when every candidate was already used: the caller searches globally
}

}  // namespace amtune
