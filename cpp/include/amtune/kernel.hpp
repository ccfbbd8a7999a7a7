// Matern-5/2 ARD kernel on the encoded space, categorical-aware.
//
//   k(x, x') = s2 (1 + sqrt(5) r + 5 r^2 / 3) exp(-sqrt(5) r)      (Rasmussen & Williams 2006, eq. 4.17)
//   r^2 = sum_j delta_j(x, x')^2 / l_j^2
//
// delta_j is w_j(x_j) - w_j(x'_j) for continuous and integer dimensions (w_j the Kumaraswamy input
// warping when the range's scaling type is Auto, else the identity) and the indicator that x_j and
// x'_j fall in different cells for a categorical dimension (a Hamming distance; equivalent to a
// one-hot block whose coordinates share one lengthscale).
//
// The kernel works on "features" z: the (warped) coordinate of numeric dimensions and the cell
// index of categorical ones, computed once per point.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include <Eigen/Core>

#include "amtune/space.hpp"
#include "amtune/warping.hpp"

namespace amtune {

using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double kSqrt5 = 2.2360679774997896964;

// What the GP needs to know about each encoded dimension.
struct InputSpec {
  std::vector<int> kind;  // 0 continuous, 1 integer, 2 categorical
  std::vector<std::int64_t> card;  // number of values of discrete dimensions, 0 for continuous
  std::vector<int> warp;  // 1: learn a Kumaraswamy warping (numeric ranges with scaling type Auto)

  int dim() const { return static_cast<int>(kind.size()); }
  bool categorical(int j) const { return kind[j] == 2; }
  std::vector<int> warped() const {
    std::vector<int> w;
    for (int j = 0; j < dim(); ++j)
      if (warp[j] && !categorical(j)) w.push_back(j);
    return w;
  }
  void validate() const {
    if (card.size() != kind.size() || warp.size() != kind.size())
      throw std::invalid_argument("InputSpec: kind, card and warp need one entry per dimension");
    for (int j = 0; j < dim(); ++j) {
      if (kind[j] < 0 || kind[j] > 2) throw std::invalid_argument("InputSpec: kind must be 0, 1 or 2");
      if (kind[j] != 0 && card[j] < 1) throw std::invalid_argument("InputSpec: discrete dimension with no value");
      if (kind[j] == 2 && card[j] > std::numeric_limits<int>::max())
        throw std::invalid_argument("InputSpec: a categorical dimension has at most 2^31 - 1 values");
    }
  }
};

// Hyperparameters, in their unconstrained (log) parametrization.
struct Hyper {
  VectorXd log_ls;          // one per dimension
  double log_sf2 = 0.0;     // signal variance s2 = exp(log_sf2)
  double log_noise = -4.0;  // noise variance = noise_floor + exp(log_noise)
  double mean = 0.0;        // constant mean
  VectorXd log_wa, log_wb;  // Kumaraswamy a, b per warped dimension (order of InputSpec::warped())
  double noise_floor = 1e-6;

  double sf2() const { return std::exp(log_sf2); }
  double noise() const { return noise_floor + std::exp(log_noise); }
};

inline double matern52(double r, double sf2) {
  return sf2 * (1.0 + kSqrt5 * r + (5.0 / 3.0) * r * r) * std::exp(-kSqrt5 * r);
}
// g(r) with dk/dr = -g(r) r, so dk/d(r^2) = -g / 2 and dk/dlog(l_j) = g q_j (q_j = delta_j^2 / l_j^2).
inline double matern52_g(double r, double sf2) {
  return sf2 * (5.0 / 3.0) * (1.0 + kSqrt5 * r) * std::exp(-kSqrt5 * r);
}

// Features of rows X (n, d) in [0, 1]: warped coordinates, or cell indices for categoricals.
inline void compute_features(const InputSpec& spec, const Hyper& h, const RowMatrix& X, RowMatrix& Z) {
  const int n = static_cast<int>(X.rows()), d = spec.dim();
  Z.resize(n, d);
  std::vector<int> widx(d, -1);
  {
    int k = 0;
    for (int j : spec.warped()) widx[j] = k++;
  }
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < d; ++j) {
      const double x = X(i, j);
      if (spec.categorical(j)) {
        double c = std::floor(x * spec.card[j]);
        Z(i, j) = c < 0 ? 0 : (c > spec.card[j] - 1 ? spec.card[j] - 1 : c);
      } else if (widx[j] >= 0) {
        Z(i, j) = Kumaraswamy::value(x, std::exp(h.log_wa[widx[j]]), std::exp(h.log_wb[widx[j]]));
      } else {
        Z(i, j) = x;
      }
    }
}

// Precomputed per-dimension data for fast kernel evaluation.
struct KernelCache {
  VectorXd inv_ls2;          // 1 / l_j^2
  std::vector<char> is_cat;  // categorical flag
  double sf2 = 1.0;
  KernelCache() = default;
  KernelCache(const InputSpec& spec, const Hyper& h) {
    const int d = spec.dim();
    inv_ls2.resize(d);
    is_cat.resize(d);
    for (int j = 0; j < d; ++j) {
      inv_ls2[j] = std::exp(-2.0 * h.log_ls[j]);
      is_cat[j] = spec.categorical(j) ? 1 : 0;
    }
    sf2 = h.sf2();
  }
  double r2(const double* za, const double* zb) const {
    double s = 0.0;
    const int d = static_cast<int>(inv_ls2.size());
    for (int j = 0; j < d; ++j) {
      const double dd = is_cat[j] ? (za[j] != zb[j] ? 1.0 : 0.0) : za[j] - zb[j];
      s += dd * dd * inv_ls2[j];
    }
    return s;
  }
  double k(const double* za, const double* zb) const { return matern52(std::sqrt(r2(za, zb)), sf2); }
};

// Cross-covariance K(A, B) (na, nb) from feature rows.
inline MatrixXd cross_kernel(const KernelCache& kc, const RowMatrix& Za, const RowMatrix& Zb) {
  MatrixXd K(Za.rows(), Zb.rows());
  for (Eigen::Index b = 0; b < Zb.rows(); ++b)
    for (Eigen::Index a = 0; a < Za.rows(); ++a) K(a, b) = kc.k(Za.row(a).data(), Zb.row(b).data());
  return K;
}

// Kernel matrix K(A, B) (na, nb) computed with matrix products, for large blocks: on numeric
// dimensions r^2 = |a|^2 + |b|^2 - 2 a.b of the features scaled by 1/l (after centring at `centre`
// to limit cancellation), plus one term per categorical dimension; then the Matern-5/2 map in
// vectorized array form. Agrees with KernelCache::k to rounding (about 1e-12 relative).
inline MatrixXd kernel_matrix(const KernelCache& kc, const RowMatrix& Za, const RowMatrix& Zb, const VectorXd& centre) {
  const int d = static_cast<int>(kc.inv_ls2.size());
  const Eigen::Index na = Za.rows(), nb = Zb.rows();
  std::vector<int> num, cat;
  for (int j = 0; j < d; ++j) (kc.is_cat[j] ? cat : num).push_back(j);
  MatrixXd R2 = MatrixXd::Zero(na, nb);
  if (!num.empty()) {
    const int s = static_cast<int>(num.size());
    MatrixXd A(na, s), B(nb, s);
    for (int t = 0; t < s; ++t) {
      const int j = num[t];
      const double sc = std::sqrt(kc.inv_ls2[j]);
      A.col(t) = (Za.col(j).array() - centre[j]) * sc;
      B.col(t) = (Zb.col(j).array() - centre[j]) * sc;
    }
    const VectorXd a2 = A.rowwise().squaredNorm(), b2 = B.rowwise().squaredNorm();
    R2.noalias() = -2.0 * A * B.transpose();
    R2.colwise() += a2;
    R2.rowwise() += b2.transpose();
  }
  for (int j : cat)
    for (Eigen::Index b = 0; b < nb; ++b)
      for (Eigen::Index a = 0; a < na; ++a)
        if (Za(a, j) != Zb(b, j)) R2(a, b) += kc.inv_ls2[j];
  const Eigen::ArrayXXd r = R2.array().max(0.0).sqrt();
  return (kc.sf2 * (1.0 + kSqrt5 * r + (5.0 / 3.0) * r.square()) * (-kSqrt5 * r).exp()).matrix();
}

}  // namespace amtune
