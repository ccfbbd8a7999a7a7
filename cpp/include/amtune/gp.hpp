// Gaussian-process regression: exact posterior, log marginal likelihood and their gradients.
//
// Model: y = f(x) + eps, f ~ GP(c, k) with k the Matern-5/2 kernel of kernel.hpp and
// eps ~ N(0, sigma^2). With K = k(X, X) + sigma^2 I = L L^T and alpha = K^-1 (y - c):
//   mean(x) = c + k(x, X) alpha,   var(x) = k(x, x) - |L^-1 k(X, x)|^2          (R&W 2006, eq. 2.25-26)
//   log p(y | X) = -(y - c)^T alpha / 2 - sum log L_ii - n log(2 pi) / 2           (R&W eq. 2.30)
//   d log p / d theta = tr((alpha alpha^T - K^-1) dK/dtheta) / 2                   (R&W eq. 5.9)
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "amtune/kernel.hpp"
#include "amtune/priors.hpp"

namespace amtune {

// Packing of Hyper into a flat vector theta for the optimizer:
// [log_ls (d), log_sf2, mean, log_noise (if learned), log_wa (w), log_wb (w)].
struct HyperLayout {
  int d = 0, w = 0;
  bool learn_noise = true;
  HyperLayout() = default;
  // learn_warp = false keeps the warping of `base` (identity) fixed: w = 0 parameters.
  HyperLayout(const InputSpec& spec, bool learn_noise_, bool learn_warp = true)
      : d(spec.dim()), w(learn_warp ? static_cast<int>(spec.warped().size()) : 0), learn_noise(learn_noise_) {}
  int size() const { return d + 2 + (learn_noise ? 1 : 0) + 2 * w; }
  int i_sf2() const { return d; }
  int i_mean() const { return d + 1; }
  int i_noise() const { return learn_noise ? d + 2 : -1; }
  int i_wa() const { return d + 2 + (learn_noise ? 1 : 0); }
  int i_wb() const { return i_wa() + w; }
  VectorXd pack(const Hyper& h) const;
  // theta -> Hyper; fixed_noise/noise_floor used when the noise is not learned
  Hyper unpack(const VectorXd& theta, const Hyper& base) const;
  void bounds(VectorXd& lo, VectorXd& hi) const;
};

// Negative log posterior of the hyperparameters (negative log marginal likelihood minus the log
// priors, constants dropped) and its gradient. Throws std::runtime_error if K is not positive
// definite even with jitter.
double neg_log_posterior(const InputSpec& spec, const HyperLayout& lay, const Priors& priors, const Hyper& base,
                         const RowMatrix& X, const VectorXd& y, const VectorXd& theta, VectorXd* grad);

// Exact GP posterior with a growable Cholesky factor.
class GP {
 public:
  GP() = default;
  GP(InputSpec spec, Hyper h);

  // Factorize K on rows X (replaces any data); y are the targets (may be set later with set_y).
  void fit(const RowMatrix& X, const VectorXd& y);
  // Factorize on the given rows of X only (e.g. a local model on a subset of a long history).
  void fit_rows(const RowMatrix& X, const VectorXd& y, const std::vector<int>& rows);
  // Append rows with their targets; O(n^2) per row (a rank-one extension of the factor).
  // noise >= 0 gives these rows their own noise variance (fantasies of the latent f use ~0).
  void append(const RowMatrix& X, const VectorXd& y, double noise = -1.0);
  // Kriging-believer rows (Ginsbourger et al. 2010): append rows X with the posterior mean as their
  // target and noise variance `noise`, and return those means. Conditioning on a point at its own
  // posterior mean leaves the mean unchanged everywhere, so every mean is that of the model before
  // the call: c + k(X_0, x)^T alpha_0, from the kernel row the factor's extension needs anyway (one
  // triangular solve per row instead of two for predict + append).
  VectorXd append_believer(const RowMatrix& X, double noise);
  // Drop all rows after the first n (the factor of a leading block is that block of the factor).
  void truncate(int n);
  // Replace the targets of all rows and recompute alpha.
  void set_y(const VectorXd& y);

  int n() const { return n_; }
  const Hyper& hyper() const { return h_; }
  const InputSpec& spec() const { return spec_; }
  double jitter() const { return jitter_; }
  VectorXd y() const { return y_.head(n_); }
  RowMatrix X() const { return X_.topRows(n_); }
  MatrixXd L() const { return L_.topLeftCorner(n_, n_); }

  // Leave-one-out predictive log density of the conditioned rows, sum_i log p(y_i | y_-i), each
  // prediction with the noise variance (R&W 2006, eq. 5.10-5.12); -inf with fewer than 2 rows.
  double loo_log_density() const;
  // Posterior mean and variance of f at rows Xc (latent f: the noise is not included). With
  // `solved`, it also receives L^-1 k(X, Xc) (n x rows of Xc), the cache of CandidatePosterior
  // (batch.hpp).
  void predict(const RowMatrix& Xc, VectorXd& mu, VectorXd& var, MatrixXd* solved = nullptr) const;
  // Same for one point with gradients with respect to its continuous and integer coordinates
  // (zero for categorical ones).
  void predict_grad(const double* x, double& mu, double& var, VectorXd& dmu, VectorXd& dvar) const;
  // Features of rows X (for callers that cache them).
  void features(const RowMatrix& X, RowMatrix& Z) const { compute_features(spec_, h_, X, Z); }
  const KernelCache& kernel() const { return kc_; }
  // Row i of the Cholesky factor (its first i + 1 entries are used) and the features of row i,
  // without copying (CandidatePosterior in batch.hpp extends its cache from them).
  VectorXd factor_row(int i) const { return L_.row(i).head(i + 1).transpose(); }
  const double* row_features(int i) const { return Z_.row(i).data(); }

 private:
  void reserve(int cap);
  void update_alpha();
  // k(X, z) over the current rows; push_row extends the factor by one row (kernel row k).
  VectorXd kernel_row(const double* z) const;
  void push_row(const double* x, const double* z, VectorXd k, double y, double row_noise);

  InputSpec spec_;
  Hyper h_;
  KernelCache kc_;
  std::vector<int> widx_;
  int n_ = 0;
  double jitter_ = 0.0;
  RowMatrix X_, Z_;  // capacity rows
  MatrixXd L_;       // capacity x capacity, lower triangle used
  VectorXd y_, alpha_;
  VectorXd centre_;  // feature centre for kernel_matrix (fixed at fit time)
};

}  // namespace amtune
