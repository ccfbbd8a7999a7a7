#include "amtune/warping.hpp"

#include <cmath>

namespace amtune {

namespace {
void moments(const Eigen::VectorXd& v, double& mean, double& sd) {
  mean = v.mean();
  sd = std::sqrt((v.array() - mean).square().mean());
}

// Binary exponent that brings max |y| near 1 when it is outside [2^-256, 2^256] (see warping.hpp).
int scale_exponent(const Eigen::VectorXd& y) {
  const double a = y.size() ? y.cwiseAbs().maxCoeff() : 0.0;
  if (!(a > 0.0) || !std::isfinite(a) || (a >= 0x1p-256 && a <= 0x1p256)) return 0;
  return std::ilogb(a);
}

// y * 2^-e (exact), or y itself when e = 0.
Eigen::VectorXd prescaled(const Eigen::VectorXd& y, int e) {
  if (e == 0) return y;
  Eigen::VectorXd out(y.size());
  for (Eigen::Index i = 0; i < y.size(); ++i) out[i] = std::ldexp(y[i], -e);
  return out;
}
}  // namespace

Eigen::VectorXd OutputTransform::fit(const Eigen::VectorXd& y_in) {
  const int n = static_cast<int>(y_in.size());
  exp2 = scale_exponent(y_in);
  const Eigen::VectorXd y = prescaled(y_in, exp2);
  moments(y, mean1, std1);
  if (!(std1 > 1e-300) || !std::isfinite(std1)) std1 = 1.0;
  Eigen::VectorXd z = (y.array() - mean1) / std1;
  lambda = 1.0;
  power = n >= 3 && z.cwiseAbs().maxCoeff() > 0.0;
  if (power) {
    // Gaussian profile log-likelihood of lambda (Yeo & Johnson 2000, section 3):
    //   l(lambda) = -n/2 log var(psi(z; lambda)) + (lambda - 1) sum sign(z) log(1 + |z|)
    double jac = 0.0;
    for (int i = 0; i < n; ++i) jac += (z[i] >= 0 ? 1.0 : -1.0) * std::log1p(std::abs(z[i]));
    auto loglik = [&](double lam) {
      Eigen::VectorXd t(n);
      for (int i = 0; i < n; ++i) t[i] = yeo_johnson(z[i], lam);
      double m, s;
      moments(t, m, s);
      if (!(s > 0.0) || !std::isfinite(s)) return -1e300;
      return -n * std::log(s) + (lam - 1.0) * jac;
    };
    // Golden-section search on [-2, 1]. lambda <= 1 is deliberate: the transform is then concave, so
    // it compresses the bad (high) tail of a minimization and stretches the good (low) values, whose
    // resolution is what the acquisition needs; lambda > 1 would squash the best observations
    // together (the same reason Vizier's output warping only reshapes the bad half of the values).
    const double gr = 0.5 * (std::sqrt(5.0) - 1.0);
    double a = 0.0, b = 1.0, c = b - gr * (b - a), d = a + gr * (b - a);
    double fc = loglik(c), fd = loglik(d);
    for (int it = 0; it < 60; ++it) {
      if (fc > fd) {
        b = d; d = c; fd = fc; c = b - gr * (b - a); fc = loglik(c);
      } else {
        a = c; c = d; fc = fd; d = a + gr * (b - a); fd = loglik(d);
      }
    }
    lambda = 0.5 * (a + b);
    if (loglik(lambda) < loglik(1.0)) lambda = 1.0;
  }
  Eigen::VectorXd t(n);
  for (int i = 0; i < n; ++i) t[i] = power ? yeo_johnson(z[i], lambda) : z[i];
  moments(t, mean2, std2);
  if (!(std2 > 1e-300) || !std::isfinite(std2)) std2 = 1.0;
  return (t.array() - mean2) / std2;
}

Eigen::VectorXd OutputTransform::transform(const Eigen::VectorXd& y_in, double lam) {
  const int n = static_cast<int>(y_in.size());
  exp2 = scale_exponent(y_in);
  const Eigen::VectorXd y = prescaled(y_in, exp2);
  moments(y, mean1, std1);
  if (!(std1 > 1e-300) || !std::isfinite(std1)) std1 = 1.0;
  lambda = lam;
  power = lam != 1.0;
  Eigen::VectorXd t(n);
  for (int i = 0; i < n; ++i) {
    const double z = (y[i] - mean1) / std1;
    t[i] = power ? yeo_johnson(z, lambda) : z;
  }
  moments(t, mean2, std2);
  if (!(std2 > 1e-300) || !std::isfinite(std2)) std2 = 1.0;
  return (t.array() - mean2) / std2;
}

}  // namespace amtune
