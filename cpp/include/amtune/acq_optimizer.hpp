// Maximization of an acquisition function over the encoded space.
//
// 1. Screening: quasi-random candidates (scrambled Halton) over the whole box plus, for a quarter of
//    the budget, perturbations of the best observed points (a random subset of about 20 coordinates
//    moved by a Gaussian step of random scale, as in TuRBO's perturbation mask, Eriksson et al.
//    2019, and BoTorch's sample_around_best). Discrete coordinates are snapped to their cells.
//    The acquisition is evaluated in blocks (one triangular solve with a matrix right-hand side
//    per block), blocks in parallel.
// 2. The best distinct candidates start a box-constrained L-BFGS (lbfgsb.hpp) on analytic gradients
//    over continuous and integer coordinates (integers relaxed to their encoded interval;
//    categorical coordinates stay fixed), starts in parallel.
// 3. Exact discrete handling: the result is snapped to valid cells and improved by a local search
//    over one-coordinate moves (integers to the neighbouring values, categoricals to every other
//    value, at most 32 sampled when there are more), until no move improves.
// 4. Configurations already evaluated or pending (canonical encoded rows) are never returned.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "amtune/acquisition.hpp"
#include "amtune/gp.hpp"
#include "amtune/lbfgsb.hpp"
#include "amtune/space.hpp"

namespace amtune {

// Canonical encoded rows already used (evaluated, pending or chosen). A set may extend a `base`
// set that outlives it (the engine's set of finished trials, kept between proposals): contains()
// looks in both, add() writes only to this one.
class SeenSet {
 public:
  SeenSet() = default;
  // A set extending `base` (its keys are looked up too), with the base's ignored coordinates.
  explicit SeenSet(const SeenSet* base) : ignore_(base->ignore_), base_(base) {}
  // Coordinates left out of the keys (1: ignored): configurations that differ only there are the
  // same configuration for this set. Clears the keys (they were made without the new mask).
  void set_ignored(std::vector<unsigned char> ignore) {
    ignore_ = std::move(ignore);
    keys_.clear();
  }
  const std::vector<unsigned char>& ignored() const { return ignore_; }
  std::string key(const double* row, int d) const {
    std::string k(reinterpret_cast<const char*>(row), sizeof(double) * static_cast<std::size_t>(d));
    for (std::size_t j = 0; j < ignore_.size() && j < static_cast<std::size_t>(d); ++j)
      if (ignore_[j]) std::fill_n(k.begin() + static_cast<std::ptrdiff_t>(j * sizeof(double)), sizeof(double), '\0');
    return k;
  }
  void add(const double* row, int d) { keys_.insert(key(row, d)); }
  bool contains(const double* row, int d) const {
    const std::string k = key(row, d);
    return keys_.count(k) > 0 || (base_ && base_->keys_.count(k) > 0);
  }
  std::size_t size() const { return keys_.size() + (base_ ? base_->size() : 0); }
  void clear() { keys_.clear(); }

 private:
  std::unordered_set<std::string> keys_;
  std::vector<unsigned char> ignore_;
  const SeenSet* base_ = nullptr;
};

struct AcqOptions {
  int n_candidates = 0;  // 0: automatic (about 3e8 / n^2 flops of screening, within [256, 2048])
  int n_starts = 5;
  int max_iter = 50;
  int threads = 1;
  // L-BFGS starts of the later points of a batch (RegionSearch in batch.hpp): they start from the
  // best points of the updated pool, which holds the maximizers found for the earlier points.
  int batch_starts = 1;
  int batch_iter_percent = 50;  // their L-BFGS iterations, in percent of max_iter
};

struct AcqResult {
  bool found = false;  // false when every candidate met was already used
  Eigen::VectorXd x;
  double value = 0.0;
};

AcqResult maximize_acquisition(const GP& gp, const Acquisition& acq, const Space& space, const SeenSet& seen,
                               const RowMatrix& incumbents, const AcqOptions& opt, std::uint64_t seed);

// Acquisition values at rows X (canonicalized already if wanted).
Eigen::VectorXd acquisition_values(const GP& gp, const Acquisition& acq, const RowMatrix& X);
// Acquisition value and its gradient at x.
double acquisition_grad(const GP& gp, const Acquisition& acq, const double* x, Eigen::VectorXd& grad);
// The negated acquisition as a function of the continuous coordinates `cont` of `full` (the other
// coordinates stay as they are in `full`), for L-BFGS-B minimization; +inf where it is not finite.
// `full` and `grad` are the caller's scratch vectors and must outlive the returned function.
Objective continuous_objective(const GP& gp, const Acquisition& acq, const std::vector<int>& cont,
                               Eigen::VectorXd& full, Eigen::VectorXd& grad);

}  // namespace amtune
