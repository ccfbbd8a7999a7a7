// Big-history mode of the Bayesian engine (issue 4): a bounded local model instead of the exact GP.
//
// Below `big_threshold` finished trials the engine keeps the exact GP on every trial, extending its
// Cholesky factor row by row between hyperparameter refits (bayes.hpp). Beyond it, an exact factor
// costs O(n^2) memory and every acquisition evaluation O(n^2) time (800 MB and ~1e8 flops per
// candidate at n = 10,000), so each proposal instead conditions a GP, with the same
// hyperparameters, on a bounded set of rows:
//
//  * local rows: the `local_points` trials nearest to the incumbent in the kernel's own metric
//    (lengthscale-scaled, warped coordinates, Hamming distance for categoricals) - the data of a
//    trust region around the incumbent (TuRBO, Eriksson et al. 2019), so the model is exact where
//    the search concentrates;
//  * global rows: the hyperparameter-fit subset (the best quarter plus a farthest-point,
//    space-filling selection of the rest; `fit_subset` in bayes.hpp), so the model still knows the
//    whole space and the quasi-random global candidates of the acquisition search can find another
//    basin (the exploration component).
//
// The model therefore never holds more than local_points + max_fit_points rows (plus the pending
// trials and the batch's own fantasies); a proposal costs O(n d) for the neighbour search (over
// features cached between refits) and O(m^3 + candidates m^2) for the model, whatever n is.
#pragma once

#include <vector>

#include <Eigen/Core>

#include "amtune/kernel.hpp"

namespace amtune {

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
