// Batch proposals (ask(q), parallel workers): one screened candidate pool and one set of local
// maximizers shared by the points of a batch.
//
// A batch is built greedily with Kriging-believer fantasies (Ginsbourger, Le Riche & Carraro 2010,
// "Kriging is well-suited to parallelize optimization", Alg. 1): after each pick x_b the GP is
// conditioned on (x_b, mean(x_b)) and the acquisition is maximized again. Before, every point of a
// batch repeated the whole search (a fresh quasi-random screening of ~1,000 candidates, each an
// O(n^2) triangular solve, plus multi-start L-BFGS), so ask(32) cost 20 times ask(1). Two facts
// make the repeated search unnecessary:
//
//  * A fantasy changes the posterior at fixed candidates by a rank-one update. With the GP's factor
//    K = L L^T, V = L^-1 k(X, C) and beta = L^-1 (y - c) (R&W 2006, eq. 2.25-26: mean = c + V^T beta,
//    var = sf2 - colsum(V o V)), appending a row x extends L by [l^T, l_nn] (GP::append) and V by the
//    row  w^T = (k(x, C) - l^T V) / l_nn,  beta by  b = (y - c - l^T beta) / l_nn; then
//    var(C) -= w o w and mean(C) += b w. That is O(n |C|) per fantasy instead of O(n^2 |C|) for a
//    new screening, and exactly the posterior a new screening of the same candidates would give.
//    For a believer fantasy y = mean(x), so b = 0: the mean is unchanged everywhere and only the
//    variances shrink near x (which is why a believer batch spreads out).
//  * The local maximizers found for the previous point stay (near-)maximizers of the updated
//    acquisition unless the new fantasy is close to them (the update is local: w(c) ~ k(x, c)).
//    They join the pool, so the next point's L-BFGS starts from the best of the updated pool
//    (screening points and previous maximizers); each pool point starts L-BFGS at most once (its
//    maximizer is in the pool). The later points use `AcqOptions::batch_starts` (1) starts instead of
//    n_starts and half the L-BFGS iterations (`batch_iter_percent`). Measured at n = 10,000, d = 20:
//    every L-BFGS run of a proposal, first point or later, stops at its iteration cap (20) rather
//    than at its tolerance, so the cap, not convergence, sets the cost; halving it for the later
//    points took ask(32) from 89 to 72 ms of CPU (ask(1): 19 ms), while the best value after 160
//    evaluations in batches of 8 and 32 (Styblinski-Tang-8, Levy-10, 4 seeds) stayed within the
//    seed-to-seed spread of the previous engine (better on 3 of the 4 medians, worse on 1).
//
// The first point of a batch is computed exactly as a single proposal (same candidates, values,
// starts), so ask(1) is unchanged; the later points see the same candidate pool (drawn once for the
// batch) rather than a fresh one each.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_set>

#include <Eigen/Core>

#include "amtune/acq_optimizer.hpp"
#include "amtune/gp.hpp"
#include "amtune/space.hpp"

namespace amtune {

// Posterior mean and variance of a GP at a set of candidate rows, kept current as the GP gains rows
// (fantasies) by the rank-one update above. Rows of the GP may only be appended (not replaced)
// between calls to extend(): the candidates' cache refers to the GP's leading rows.
class CandidatePosterior {
 public:
  // Screen rows C (encoded, canonical if wanted) under gp, in blocks of 128 rows on `threads`
  // threads (the values do not depend on the thread count).
  CandidatePosterior(const GP& gp, const RowMatrix& C, int threads);
  // Absorb the rows the GP gained since the last call (or the construction).
  void extend(const GP& gp);
  // Add candidate rows (e.g. the local maximizers just found), screened under gp as it is now.
  void add(const GP& gp, const RowMatrix& rows);
  int size() const { return nc_; }
  int gp_rows() const { return rows_; }
  Eigen::Ref<const RowMatrix> candidates() const { return C_.topRows(nc_); }
  Eigen::Ref<const Eigen::VectorXd> mean() const { return mean_.head(nc_); }
  Eigen::Ref<const Eigen::VectorXd> var() const { return var_.head(nc_); }

 private:
  void reserve(int rows, int cols);
  RowMatrix C_, Zc_;           // candidates and their kernel features (capacity rows)
  RowMatrix V_;                // L^-1 k(X, C): gp rows x candidates (capacity both ways)
  Eigen::VectorXd beta_;       // L^-1 (y - c) (capacity)
  Eigen::VectorXd mean_, var_;  // at the candidates (capacity)
  int rows_ = 0, nc_ = 0, d_ = 0;
  double prior_mean_ = 0.0, sf2_ = 1.0;
};

// Acquisition maximization in the box [lo, hi] around `center` (the trust region of local_model.hpp,
// or the whole box for the exploration proposals), reused across the points of a batch:
// next() is maximize_in_region the first time; later calls update the pool's posterior with the
// fantasies the GP gained, restart L-BFGS from the `batch_starts` best unused pool points (screening
// points and the maximizers found so far) and add the new maximizers to the pool.
class RegionSearch {
 public:
  RegionSearch(const Space& space, Eigen::VectorXd center, Eigen::VectorXd lo, Eigen::VectorXd hi,
               const AcqOptions& opt, std::uint64_t seed);
  // The best unused point (found = false when every candidate met was used).
  AcqResult next(const GP& gp, const Acquisition& acq, const SeenSet& seen);
  int calls() const { return calls_; }

 private:
  RowMatrix candidates(int d) const;
  const Space& space_;
  Eigen::VectorXd center_, lo_, hi_;
  AcqOptions opt_;
  std::uint64_t seed_;
  std::unique_ptr<CandidatePosterior> pool_;
  std::unordered_set<int> started_;  // pool points L-BFGS started from (their maximizers joined the pool)
  int calls_ = 0;
};

}  // namespace amtune
