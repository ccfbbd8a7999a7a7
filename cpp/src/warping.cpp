#include "amtune/warping.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

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

double normal_quantile(double p) {
  if (!(p > 0.0 && p < 1.0)) return p == 0.0 ? -HUGE_VAL : (p == 1.0 ? HUGE_VAL : std::nan(""));
  // P. J. Acklam (2003), "An algorithm for computing the inverse normal cumulative distribution
  // function": rational approximations on the central region and the two tails.
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                              1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                              6.680131188771972e+01,  -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  const double p_low = 0.02425;
  double x;
  if (p < p_low || p > 1.0 - p_low) {
    const double q = std::sqrt(-2.0 * std::log(p < p_low ? p : 1.0 - p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    if (p > p_low) x = -x;
  } else {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
  }
  // Halley's method on Phi(x) - p, Phi(x) = erfc(-x / sqrt 2) / 2.
  for (int it = 0; it < 2; ++it) {
    const double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
    const double u = e * std::sqrt(2.0 * M_PI) * std::exp(0.5 * x * x);
    x -= u / (1.0 + 0.5 * x * u);
  }
  return x;
}

Eigen::VectorXd half_rank_warp(const Eigen::VectorXd& y) {
  const Eigen::Index n = y.size();
  if (n < 3) return y;
  std::vector<double> s(y.data(), y.data() + n);
  std::sort(s.begin(), s.end());
  // the lower median, an order statistic: the mean of the two middle values would carry the
  // magnitude of a bad one into the warping, which must depend on the bad half by rank only
  const double m = s[static_cast<std::size_t>((n - 1) / 2)];
  s.erase(std::unique(s.begin(), s.end()), s.end());  // the distinct values, ascending
  // spread of the good half: root mean square distance of its distinct values to the median,
  // computed on distances scaled by a power of two (exact) so that 1e300 does not overflow when
  // squared nor 1e-300 underflow, and 2^k y warps to exactly 2^k times the warped y
  auto rms = [&](bool good_only) {
    double far = 0.0;
    std::size_t cnt = 0;
    for (double u : s)
      if (!good_only || u <= m) {
        far = std::max(far, std::abs(u - m));
        ++cnt;
      }
    if (!(far > 0.0) || !std::isfinite(far)) return 0.0;
    const int e = std::ilogb(far);
    double acc = 0.0;
    for (double u : s)
      if (!good_only || u <= m) {
        const double t = std::ldexp(u - m, -e);
        acc += t * t;
      }
    return std::ldexp(std::sqrt(acc / static_cast<double>(cnt)), e);
  };
  double sd = rms(true);
  if (!(sd > 0.0) || !std::isfinite(sd)) sd = rms(false);
  if (!(sd > 0.0) || !std::isfinite(sd)) return y;
  const auto above = std::upper_bound(s.begin(), s.end(), m);  // first distinct value > m
  const double k = static_cast<double>(s.end() - above);
  const double denom = 2.0 * k + (std::binary_search(s.begin(), s.end(), m) ? 1.0 : 0.0);
  Eigen::VectorXd out = y;
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!(y[i] > m)) continue;
    // dense rank from the worst: the number of distinct values >= y_i
    const double r = static_cast<double>(s.end() - std::lower_bound(s.begin(), s.end(), y[i]));
    out[i] = m - sd * normal_quantile((r - 0.5) / denom);
    if (!std::isfinite(out[i])) return y;  // values near the largest double: left as they are
  }
  return out;
}

}  // namespace amtune
