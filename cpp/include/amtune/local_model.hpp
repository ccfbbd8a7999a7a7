// Big-history mode of the Bayesian engine (issue 4): a bounded local model and a trust region.
//
// Up to `big_threshold` finished trials (default 256) the engine keeps the exact GP on every trial,
// extending its Cholesky factor row by row between hyperparameter refits (bayes.hpp). Beyond it an
// exact factor costs O(n^2) memory and every acquisition evaluation O(n^2) time (800 MB and ~1e8
// flops per candidate at n = 10,000), so each proposal instead conditions a GP on a bounded set:
//
//  * local rows: the `local_points` (256) trials nearest to the incumbent in the kernel's own metric
//    (lengthscale-scaled, warped coordinates, Hamming distance for categoricals): the data of a
//    trust region around the incumbent (TuRBO, Eriksson et al. 2019), so the model is exact where
//    the search concentrates;
//  * global rows: the fit subset of the last full fit (the best quarter plus a farthest-point,
//    space-filling selection of the rest; `fit_subset` in bayes.hpp), so the model still knows the
//    whole space.
//
// Hyperparameters: full fits as in the exact mode (when n grew by half); warm-started refits every
// 20 trials on the `max_fit_points` trials nearest to the incumbent (local hyperparameters, as TuRBO
// fits its GP on the trust region's data). EI's incumbent is the lowest posterior mean at the 16
// best rows of the model (a plug-in incumbent: the model smooths noise and the ripples of
// multimodal functions, and improving on a value it cannot reproduce makes EI flat everywhere).
//
// Proposals: 9 in 10 maximize the acquisition inside the trust region (TrustRegion below, with
// TuRBO-1's constants; maximize_in_region); 1 in 10 over the whole box: the incumbent with a few
// coordinates moved anywhere in their range (the exploration component, which can move the
// incumbent, and with it the region, to another basin: on separable landscapes such as
// Styblinski-Tang one coordinate at a time). Batches and pending trials
// enter as Kriging-believer fantasies of the local model; used configurations are never proposed.
//
// Cost: the model never holds more than local_points + max_fit_points rows (plus pending trials and
// the batch's own fantasies); a proposal costs O(n d) for the neighbour search (features cached
// between refits) and O(m^3 + candidates m^2) for the model, m <= 384, whatever n is. Nothing of
// size n x n is ever allocated.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include <Eigen/Core>

#include "amtune/acq_optimizer.hpp"
#include "amtune/kernel.hpp"

namespace amtune {

// How a trial that ties the incumbent's value (within 1e-12 relative; a distinct configuration on
// a plateau, common in tuning losses such as a classification error) moves the trust region.
// Fail: like any non-improving trial, towards a halving (TuRBO). Neutral: neither way. Expand:
// like an improving one, towards a doubling: the flat-fitness rule of CMA-ES (Hansen 2016, "The
// CMA Evolution Strategy: A Tutorial", and its reference code, which multiplies the step size by
// exp(0.2 + c_sigma / d_sigma) when the best and a large share of a generation tie): equal values
// inside the region say the region lies on a plateau, and only a larger one can leave it.
enum class TieRule : int { Fail = 0, Neutral = 1, Expand = 2 };

// What the region counts as one success or failure. Batch: the trials learnt since the previous
// proposal, together (TuRBO's rule for batches of q, Eriksson et al. 2019, section 2: a batch is a
// success when its best trial improves on the incumbent; the region doubles after 3 successful
// batches and halves after ceil(max(4, d) / q) failed ones, i.e. once the failed batches hold
// max(4, d) trials). With one trial learnt per proposal (a sequential search, or parallel
// training jobs finishing one at a time) both rules are the same. Trial: every trial on its own,
// in the order they finished: in a batch of q with one improving trial, the others then count as
// failures and reset the successes, so a batched search shrinks its region faster than TuRBO's.
enum class RegionCounting : int { Trial = 0, Batch = 1 };

// What the exact mode proposes while the trust region is stalled (TrustRegion::stalled: at its
// largest, no improvement in the last max(4, d) trials; only ties hold a region there, on a
// plateau wider than it, where TuRBO's restart, which follows a shrinking region, never comes).
// Stay: the region goes on. Global: the acquisition's maximizer over the whole space (TREGO's
// global step, Diouane et al. 2023). Design: no point, the caller goes on with its space-filling
// design (TuRBO's restart draws a new design, Eriksson et al. 2019; the model keeps the data).
// Both until a trial improves.
enum class StallRule : int { Stay = 0, Global = 1, Design = 2 };

// Trust region of the big-history mode (TuRBO-1, Eriksson et al. 2019, with its constants): a box
// around the incumbent with side length L * w_j per dimension, w_j = l_j / (prod_k l_k)^(1/d) the
// lengthscales normalized to a geometric mean of 1; L starts at 0.8, doubles (up to 1.6) after 3
// consecutive improving batches and halves once consecutive non-improving batches hold max(4, d)
// trials; below 2^-7 it restarts at 0.8. An improvement is a value below best - 1e-3 |best|; a
// tie with the best counts as one by default (TieRule::Expand). The trials learnt since the previous proposal count
// as one batch by default (RegionCounting::Batch; their number q divides the failure tolerance); a
// history loaded at once (a resumed job) starts a new region. The exact mode uses the same region.
struct TrustRegion {
  static constexpr double kInit = 0.8, kMin = 0.0078125, kMax = 1.6;
  double length = kInit;
  int successes = 0, failures = 0, restarts = 0;
  int stale = 0;    // trials counted since the last improvement (ties included)
  int n_seen = -1;  // finished trials already counted (-1: not started)
  double best = std::numeric_limits<double>::infinity();
  // Count the trials n_seen..n-1 of y (minimization, failures imputed), given the fail tolerance
  // in trials; a trial that ties the incumbent counts as `ties` says (TieRule), and the trials
  // count together or one by one as `counting` says (RegionCounting). A trial within `tie_tol`
  // (units of y) of the incumbent also ties it (EngineOptions::tr_noise_ties).
  void update(const Eigen::VectorXd& y, int fail_tol, TieRule ties = TieRule::Expand,
              RegionCounting counting = RegionCounting::Batch, double tie_tol = 0.0);
  // Whether the region can no longer adapt: it is at its largest and the last `fail_tol` trials
  // (the failures after which TuRBO halves it) did not improve. Only ties hold a region at its
  // largest without improvements (TieRule::Expand): a plateau wider than the region.
  bool stalled(int fail_tol) const { return length >= kMax && stale >= fail_tol; }

 private:
  // One success, failure (of `trials` trials) or neither, then the resize rules.
  void count(bool improved, bool tied, int trials, int fail_tol, TieRule ties);
};

// Acquisition maximization restricted to the box [lo, hi] around `center`: scrambled-Halton
// candidates in the box where each coordinate moves away from the centre with probability k/d, k
// uniform in 1..min(d, 20) per candidate (TuRBO's perturbation mask, min(1, 20/d), mixed with
// sparser ones: moves of a few coordinates; at least one moves), the best distinct ones polished by
// box-constrained L-BFGS within the box; never a configuration of `seen`.
AcqResult maximize_in_region(const GP& gp, const Acquisition& acq, const Space& space, const SeenSet& seen,
                             const Eigen::VectorXd& center, const Eigen::VectorXd& lo, const Eigen::VectorXd& hi,
                             const AcqOptions& opt, std::uint64_t seed);

// Targets of a local model on its own scale: z = (y - m) / s with m, s the mean and standard
// deviation of the first `n_local` entries of y (the trials near the incumbent), and z capped at
// 1 above the largest of those (far, much worse trials keep their rank without dominating the
// model's scale). Without it, on objectives with a wide range (Rosenbrock: 1e3 near the incumbent,
// 1e6 far away) the region's values are all equal on the global scale and the model is flat.
// `loc` and `scale`, when given, receive m and s.
void standardize_local(const Eigen::VectorXd& y, Eigen::Index n_local, Eigen::VectorXd& out, double* loc = nullptr,
                       double* scale = nullptr);

// Indices (ascending) of the k rows of Z (features) nearest to z0 in the metric of kc
// (ties broken by the row index, so the choice is deterministic). All rows if k >= rows.
std::vector<int> nearest_rows(const KernelCache& kc, const RowMatrix& Z, int rows, const double* z0, int k);

// Sorted union of the nearest `k` rows to row `center` and the rows `global` (indices < rows).
std::vector<int> local_model_rows(const KernelCache& kc, const RowMatrix& Z, int rows, int center, int k,
                                  const std::vector<int>& global);

// Features of the history rows for the current hyperparameters, extended row by row (amortized
// O(d) per new trial) and recomputed only when the hyperparameters change or the history is not
// an extension of the cached one.
class FeatureCache {
 public:
  // Make the cache hold the features of X under (spec, h). `hyper_changed` forces a recomputation.
  void update(const InputSpec& spec, const Hyper& h, const RowMatrix& X, bool hyper_changed);
  const RowMatrix& Z() const { return Z_; }  // capacity rows; the first n() are valid
  int n() const { return n_; }
  void clear() {
    n_ = 0;
    X_.resize(0, 0);
    Z_.resize(0, 0);
  }

 private:
  void reserve(int cap, int d);
  RowMatrix X_, Z_;
  int n_ = 0;
};

}  // namespace amtune
