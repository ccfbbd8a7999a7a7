// Input and output warpings of the Gaussian-process model.
//
// Input warping (Snoek et al. 2014, "Input warping for Bayesian optimization of non-stationary
// functions", ICML): each warped coordinate x in [0, 1] goes through the Kumaraswamy CDF
//     w(x) = 1 - (1 - x^a)^b,   a, b > 0,
// a flexible monotone bijection of [0, 1] (a = b = 1 is the identity). Like BoTorch's Warp
// transform, x is first squeezed into [eps, 1 - eps] so the derivatives stay finite at the ends.
//
// Output warping: objective values are z-scored, passed through the Yeo-Johnson power transform
// (Yeo & Johnson 2000, Biometrika 87(4)) and z-scored again, the output transform of HEBO
// (Cowen-Rivers et al. 2022, JAIR 74). It is monotone (ranks are preserved) and, for lambda in
// [0, 1], concave: it compresses the bad (high) tail of a minimization, such as the huge values of
// a Rosenbrock-type objective far from its optimum, and never squashes the good values together.
// lambda = 1 is the identity. The engine picks lambda from {1, 1/2, 0} by the GP's own evidence,
// the marginal likelihood of the original values including the Jacobian of the transform, as in
// warped GPs (Snelson, Rasmussen & Ghahramani 2004); `fit` is the cheaper marginal Gaussian
// maximum-likelihood choice of lambda in [0, 1].
//
// Half-rank warping (Song et al. 2024, "The Vizier Gaussian Process Bandit Algorithm",
// arXiv:2408.11527, section 3, output warping): before that transform, the values worse than the
// median are replaced by normal quantiles of their ranks, on the scale of the good half. A training
// job that diverges (a loss of 1e6 among losses near 0.3) then weighs like any other bad value
// instead of flattening the good values the acquisition must tell apart; the good half keeps its
// values, so the warping is monotone and leaves the optimum's neighbourhood as it was.
#pragma once

#include <cmath>

#include <Eigen/Core>

namespace amtune {

struct Kumaraswamy {
  static constexpr double kEps = 1e-6;
  // w(x) and its derivatives with respect to x, log a and log b.
  static double value(double x, double a, double b) {
    const double t = kEps + (1.0 - 2.0 * kEps) * x;
    const double xa = std::exp(a * std::log(t));
    return 1.0 - std::exp(b * std::log1p(-xa));
  }
  static void derivs(double x, double a, double b, double& w, double& dx, double& dloga, double& dlogb) {
    const double t = kEps + (1.0 - 2.0 * kEps) * x;
    const double lt = std::log(t);
    const double xa = std::exp(a * lt);
    const double l1 = std::log1p(-xa);           // log(1 - t^a)
    const double pb = std::exp(b * l1);           // (1 - t^a)^b
    const double pb1 = std::exp((b - 1.0) * l1);  // (1 - t^a)^(b-1)
    w = 1.0 - pb;
    dx = (1.0 - 2.0 * kEps) * a * b * std::exp((a - 1.0) * lt) * pb1;
    dloga = a * b * pb1 * xa * lt;  // a * dw/da
    dlogb = -b * pb * l1;            // b * dw/db
  }
};

// Half-rank warping of a minimization's values (the warping above). With m the lower median (the
// ((n + 1) / 2)-th smallest value, so that nothing depends on the size of a bad value) and s the
// root mean square of (u - m) over the distinct values u <= m (over all distinct values if that is
// 0), a value y > m whose dense rank among the k distinct values above m is r (the worst: r = 1)
// becomes m - s * Phi^-1(q), q = (r - 1/2) / (2 k + [m is a value]) in (0, 1/2), so the warped bad
// half is a half-normal of the good half's spread and ranks are kept; values <= m are unchanged.
// Fewer than 3 values, or no spread, are returned as they are.
Eigen::VectorXd half_rank_warp(const Eigen::VectorXd& y);

// Inverse of the standard normal CDF for p in (0, 1): Acklam's rational approximation refined by
// two Halley steps on erfc (tests/test_half_rank.py compares it with SciPy).
double normal_quantile(double p);

// Yeo-Johnson power transform of already z-scored data, then z-scored again.
//
// Values of any finite magnitude: before anything is squared, y is multiplied by 2^-exp2, exp2
// the binary exponent of max |y| when that lies outside [2^-256, 2^256] (else 0). A power of two
// scales exactly, so z-scores are bit for bit those of the unscaled values whenever those are
// computable, and 1e300 or 1e-300 no longer overflow or underflow in the variance.
struct OutputTransform {
  double mean1 = 0.0, std1 = 1.0, lambda = 1.0, mean2 = 0.0, std2 = 1.0;
  int exp2 = 0;       // y is scaled by 2^-exp2 before the first z-score
  bool power = true;  // false: plain standardization

  static double yeo_johnson(double y, double lam) {
    if (y >= 0.0) {
      return std::abs(lam) < 1e-12 ? std::log1p(y) : std::expm1(lam * std::log1p(y)) / lam;
    }
    const double l2 = 2.0 - lam;
    return std::abs(l2) < 1e-12 ? -std::log1p(-y) : -std::expm1(l2 * std::log1p(-y)) / l2;
  }
  // Fit on finite values y (lambda by Gaussian maximum likelihood); returns the transformed values.
  Eigen::VectorXd fit(const Eigen::VectorXd& y);
  // Transform with a given lambda (means and scales estimated from y).
  Eigen::VectorXd transform(const Eigen::VectorXd& y, double lam);
  // log d t(y_i) / d y_i per point, for the current parameters.
  Eigen::VectorXd log_jacobian(const Eigen::VectorXd& y) const {
    Eigen::VectorXd j(y.size());
    const double log_scale = std::log(std1) + exp2 * 0.69314718055994530942 + std::log(std2);
    for (Eigen::Index i = 0; i < y.size(); ++i) {
      const double z = (std::ldexp(y[i], -exp2) - mean1) / std1;
      j[i] = -log_scale + (power ? (lambda - 1.0) * (z >= 0 ? 1.0 : -1.0) * std::log1p(std::abs(z)) : 0.0);
    }
    return j;
  }
  double apply(double y) const {
    const double z = (std::ldexp(y, -exp2) - mean1) / std1;
    return ((power ? yeo_johnson(z, lambda) : z) - mean2) / std2;
  }
  // The value of y whose transform is t; only for the linear transform (power = false).
  double inverse(double t) const { return std::ldexp((t * std2 + mean2) * std1 + mean1, exp2); }
  // dy/dt of the linear transform.
  double scale() const { return std::ldexp(std1 * std2, exp2); }
};

}  // namespace amtune
