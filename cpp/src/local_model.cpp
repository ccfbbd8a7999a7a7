#include "amtune/local_model.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <numeric>
#include <stdexcept>
#include <utility>

#include "amtune/batch.hpp"

namespace amtune {

std::vector<int> nearest_rows(const KernelCache& kc, const RowMatrix& Z, int rows, const double* z0, int k) {
  if (rows < 0 || rows > Z.rows()) throw std::invalid_argument("nearest_rows: bad number of rows");
  std::vector<int> out;
  if (k <= 0) return out;
  if (k >= rows) {
    out.resize(rows);
    std::iota(out.begin(), out.end(), 0);
    return out;
  }
  std::vector<std::pair<double, int>> dist(rows);
  for (int i = 0; i < rows; ++i) dist[i] = {kc.r2(Z.row(i).data(), z0), i};
  std::nth_element(dist.begin(), dist.begin() + (k - 1), dist.end());  // pairs order ties by index
  out.reserve(k);
  for (int i = 0; i < k; ++i) out.push_back(dist[i].second);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<int> local_model_rows(const KernelCache& kc, const RowMatrix& Z, int rows, int center, int k,
                                  const std::vector<int>& global) {
  if (center < 0 || center >= rows) throw std::invalid_argument("local_model_rows: bad centre row");
  const Eigen::VectorXd z0 = Z.row(center).transpose();
  std::vector<int> out = nearest_rows(kc, Z, rows, z0.data(), k);
  for (int g : global)
    if (g >= 0 && g < rows) out.push_back(g);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void standardize_local(const Eigen::VectorXd& y, Eigen::Index n_local, Eigen::VectorXd& out, double* loc_out,
                       double* scale_out) {
  const Eigen::Index n = y.size();
  n_local = std::clamp<Eigen::Index>(n_local, 1, std::max<Eigen::Index>(n, 1));
  if (n == 0) {
    out = y;
    return;
  }
  const Eigen::VectorXd loc = y.head(n_local);
  const double m = loc.mean();
  const double s = std::sqrt((loc.array() - m).square().mean());
  const double scale = s > 1e-12 ? s : 1.0;
  if (loc_out) *loc_out = m;
  if (scale_out) *scale_out = scale;
  const double cap = (loc.maxCoeff() - m) / scale + 1.0;
  Eigen::VectorXd z = ((y.array() - m) / scale).min(cap).matrix();
  out.swap(z);
}

void FeatureCache::reserve(int cap, int d) {
  if (cap <= X_.rows() && X_.cols() == d) return;
  cap = std::max({cap, static_cast<int>(X_.rows()) * 3 / 2, 64});
  RowMatrix X(cap, d), Z(cap, d);
  if (n_ && X_.cols() == d) {
    X.topRows(n_) = X_.topRows(n_);
    Z.topRows(n_) = Z_.topRows(n_);
  } else {
    n_ = 0;
  }
  X_.swap(X);
  Z_.swap(Z);
}

void FeatureCache::update(const InputSpec& spec, const Hyper& h, const RowMatrix& X, bool hyper_changed) {
  const int n = static_cast<int>(X.rows()), d = static_cast<int>(X.cols());
  bool extend = !hyper_changed && n_ > 0 && n_ <= n && X_.cols() == d;
  if (extend) extend = (X_.topRows(n_).array() == X.topRows(n_).array()).all();
  if (!extend) n_ = 0;
  reserve(n, d);
  if (n > n_) {
    RowMatrix Znew;
    compute_features(spec, h, X.bottomRows(n - n_), Znew);
    X_.middleRows(n_, n - n_) = X.bottomRows(n - n_);
    Z_.middleRows(n_, n - n_) = Znew;
  }
  n_ = n;
}

}  // namespace amtune

// ------------------------------------------------------------------ engine: big-history model
#include "amtune/bayes.hpp"

namespace amtune {

void BayesEngine::build_local_model(const RowMatrix& X, const Eigen::VectorXd& yi, const Eigen::VectorXd& yt,
                                    bool refit) {
  const int n = static_cast<int>(X.rows()), d = spec_.dim();
  if (!big_) tr_ = TrustRegion();  // entering the mode (or a resumed history): a new region
  tr_.update(yi, std::max(4, d), opt_.tr_ties, opt_.tr_counting);
  feats_.update(spec_, hyper_, X, refit || !big_);
  const KernelCache kc(spec_, hyper_);
  int center = 0;
  for (int i = 1; i < n; ++i)
    if (yt[i] < yt[center]) center = i;
  center_ = X.row(center).transpose();
  // local rows first (their statistics set the scale), then the global ones not among them
  const std::vector<int> near = local_model_rows(kc, feats_.Z(), n, center, opt_.local_points, {});
  std::vector<int> rows = local_model_rows(kc, feats_.Z(), n, center, opt_.local_points, global_rows_);
  {
    std::vector<int> far;
    std::set_difference(rows.begin(), rows.end(), near.begin(), near.end(), std::back_inserter(far));
    rows = near;
    rows.insert(rows.end(), far.begin(), far.end());
  }
  const int m = static_cast<int>(rows.size());
  RowMatrix Xs(m, d);
  Eigen::VectorXd ys(m);
  for (int i = 0; i < m; ++i) {
    Xs.row(i) = X.row(rows[i]);
    ys[i] = yt[rows[i]];
  }
  standardize_local(ys, static_cast<Eigen::Index>(near.size()), ys, &local_loc_, &local_scale_);
  gp_ = std::make_unique<GP>(spec_, hyper_);  // frees the exact factor when switching modes
  gp_->fit(Xs, ys);
  model_points_ = m;
  // EI's incumbent: the lowest posterior mean at the 16 best rows (the model smooths noise and the
  // ripples of multimodal functions; improving on a value the model cannot reproduce is hopeless).
  std::vector<int> best(m);
  for (int i = 0; i < m; ++i) best[i] = i;
  const int nb = std::min(m, 16);
  std::partial_sort(best.begin(), best.begin() + nb, best.end(),
                    [&](int a, int b) { return ys[a] < ys[b] || (ys[a] == ys[b] && a < b); });
  RowMatrix Xb(nb, d);
  for (int i = 0; i < nb; ++i) Xb.row(i) = Xs.row(best[i]);
  Eigen::VectorXd mu, var;
  gp_->predict(Xb, mu, var);
  plugin_best_ = mu.minCoeff();
}

std::vector<int> BayesEngine::local_fit_rows(const RowMatrix& X, const Eigen::VectorXd& yt) {
  const int n = static_cast<int>(X.rows());
  feats_.update(spec_, hyper_, X, !big_);
  int center = 0;
  for (int i = 1; i < n; ++i)
    if (yt[i] < yt[center]) center = i;
  return local_model_rows(KernelCache(spec_, hyper_), feats_.Z(), n, center, opt_.max_fit_points, {});
}

AcqResult BayesEngine::propose_big(const Acquisition& acq, const SeenSet& seen, const RowMatrix& inc,
                                   const AcqOptions& ao, std::uint64_t seed, BatchSearch& batch) {
  // Exact mode before the schedule starts the region (or with local_fraction = 0), or before the
  // model found structure (Unstructured::Global): the global maximizer of acq_optimizer.hpp, as
  // standard BO does.
  if (!big_ && (opt_.local_fraction <= 0.0 || n_hist_ < opt_.tr_after || !structured()))
    return maximize_acquisition(*gp_, acq, space_, seen, inc, ao, seed);
  // a stalled region (StallRule::Design returned before the batch, in propose)
  if (!big_ && opt_.tr_stall == StallRule::Global && tr_.stalled(std::max(4, spec_.dim())))
    return maximize_acquisition(*gp_, acq, space_, seen, inc, ao, seed);
  // 1 - local_fraction of the picks (every period-th): the exploration component
  const double lf = big_ ? 0.9 : opt_.local_fraction;
  const std::int64_t period = lf >= 1.0 ? 0 : std::max<std::int64_t>(1, std::llround(1.0 / (1.0 - lf)));
  ++big_picks_;
  if (period > 0 && big_picks_ % period == 0) {  // exploration: moves of a few coordinates anywhere in their range
    if (!batch.explore)
      batch.explore = std::make_unique<RegionSearch>(space_, center_, Eigen::VectorXd::Zero(spec_.dim()),
                                                     Eigen::VectorXd::Ones(spec_.dim()), ao, seed);
    AcqResult g = batch.explore->next(*gp_, acq, seen);
    return g.found ? g : maximize_acquisition(*gp_, acq, space_, seen, inc, ao, seed);
  }
  // TuRBO's weights: lengthscales within [0.005, 2] (its bounds), normalized to a geometric mean of 1
  const Eigen::ArrayXd ls = hyper_.log_ls.array().exp().max(0.005).min(2.0);
  const Eigen::ArrayXd w = ls / std::exp(ls.log().mean());
  const Eigen::ArrayXd half = 0.5 * tr_.length * w;
  Eigen::VectorXd lo = (center_.array() - half).max(0.0).matrix();
  Eigen::VectorXd hi = (center_.array() + half).min(1.0).matrix();
  for (int j = 0; j < spec_.dim(); ++j) {
    if (opt_.tr_free_categorical && spec_.categorical(j)) {
      lo[j] = 0.0;
      hi[j] = 1.0;
    } else if (opt_.tr_integer_neighbours && spec_.kind[j] == 1) {
      const Dimension& dim = space_.dimensions()[j];
      const double v = space_.decode_value(j, center_[j]);
      if (v - 1.0 >= dim.low) lo[j] = std::min(lo[j], space_.encode_value(j, v - 1.0));
      if (v + 1.0 <= dim.high) hi[j] = std::max(hi[j], space_.encode_value(j, v + 1.0));
    }
  }
  if (!batch.region) batch.region = std::make_unique<RegionSearch>(space_, center_, lo, hi, ao, seed);
  AcqResult r = batch.region->next(*gp_, acq, seen);
  if (!r.found) r = maximize_acquisition(*gp_, acq, space_, seen, inc, ao, seed);  // the region is used up
  return r;
}

void BayesEngine::set_trust_region(double local_fraction, int tr_after, bool free_categorical,
                                   bool integer_neighbours, TieRule ties, RegionCounting counting,
                                   bool noise_ties, StallRule stall) {
  if (!(local_fraction >= 0.0 && local_fraction <= 1.0))
    throw std::invalid_argument("local_fraction must be within [0, 1]");
  if (tr_after < 0) throw std::invalid_argument("tr_after must be >= 0");
  opt_.local_fraction = local_fraction;
  opt_.tr_after = tr_after;
  opt_.tr_free_categorical = free_categorical;
  opt_.tr_integer_neighbours = integer_neighbours;
  opt_.tr_ties = ties;
  opt_.tr_counting = counting;
  opt_.tr_noise_ties = noise_ties;
  opt_.tr_stall = stall;
}

}  // namespace amtune

// ------------------------------------------------------------------ trust region
#include <cmath>

#include "amtune/lbfgsb.hpp"
#include "amtune/qmc.hpp"
#include "amtune/thread_pool.hpp"

namespace amtune {

void TrustRegion::update(const Eigen::VectorXd& y, int fail_tol, TieRule ties, RegionCounting counting,
                         double tie_tol) {
  const int n = static_cast<int>(y.size());
  if (n_seen < 0 || n_seen > n) {  // a new region (first big-mode proposal, or a history not extending ours)
    *this = TrustRegion();
    for (int i = 0; i < n; ++i) best = std::min(best, y[i]);
    n_seen = n;
    return;
  }
  // relative, like the improvement margin: the rule must not depend on the units of y
  // (values scaled by 2^-700 are all within 1e-12 of each other in absolute terms); `tie_tol`
  // comes from the model's noise, in the units of y
  auto tie = [this, tie_tol](double v) { return std::abs(v - best) <= std::max(1e-12 * std::abs(best), tie_tol); };
  auto improves = [this](double v) { return v < best - 1e-3 * std::abs(best); };
  if (counting == RegionCounting::Trial) {
    for (int i = n_seen; i < n; ++i) {
      const bool up = improves(y[i]);
      count(up, tie(y[i]), 1, fail_tol, ties);
      stale = up ? 0 : stale + 1;
      best = std::min(best, y[i]);
    }
  } else if (n > n_seen) {
    // the batch: its best trial decides (TuRBO), a tie of any of its trials counts as a tie
    bool tied = false;
    double lo = std::numeric_limits<double>::infinity();
    for (int i = n_seen; i < n; ++i) {
      tied = tied || tie(y[i]);
      lo = std::min(lo, y[i]);
    }
    const bool up = improves(lo);
    count(up, tied, n - n_seen, fail_tol, ties);
    stale = up ? 0 : stale + (n - n_seen);
    best = std::min(best, lo);
  }
  n_seen = n;
}

void TrustRegion::count(bool improved, bool tied, int trials, int fail_tol, TieRule ties) {
  if (!improved && tied && ties == TieRule::Neutral) return;
  if (improved || (tied && ties == TieRule::Expand)) {
    ++successes;
    failures = 0;
  } else {
    failures += trials;  // ceil(fail_tol / q) failed batches of q trials (TuRBO's tolerance)
    successes = 0;
  }
  if (successes >= 3) {
    length = std::min(2.0 * length, kMax);
    successes = 0;
  } else if (failures >= fail_tol) {
    length /= 2.0;
    failures = 0;
  }
  if (length < kMin) {
    length = kInit;
    successes = failures = 0;
    ++restarts;
  }
}

AcqResult maximize_in_region(const GP& gp, const Acquisition& acq, const Space& space, const SeenSet& seen,
                             const Eigen::VectorXd& center, const Eigen::VectorXd& lo, const Eigen::VectorXd& hi,
                             const AcqOptions& opt, std::uint64_t seed) {
  return RegionSearch(space, center, lo, hi, opt, seed).next(gp, acq, seen);
}

}  // namespace amtune
