#include "amtune/acquisition.hpp"

#include <cmath>
#include <limits>

namespace amtune {

namespace {
constexpr double kSqrt2 = 1.4142135623730950488;
constexpr double kSqrtPi = 1.7724538509055160273;
constexpr double kLog2Pi = 1.8378770664093454836;
constexpr double kSqrtHalfPi = 1.2533141373155002512;  // sqrt(pi / 2)

// log(1 - exp(x)) for x < 0 (Maechler 2012)
double log1mexp(double x) { return x > -0.6931471805599453 ? std::log(-std::expm1(x)) : std::log1p(-std::exp(x)); }
}  // namespace

double erfcx(double x) {
  if (x < 0.0) return 2.0 * std::exp(x * x) - erfcx(-x);
  if (x < 5.0) return std::exp(x * x) * std::erfc(x);
  // Laplace continued fraction, evaluated bottom-up:
  //   erfcx(x) = 1 / (sqrt(pi) (x + (1/2) / (x + 1 / (x + (3/2) / (x + 2 / (x + ...))))))
  double f = x;
  for (int k = 60; k >= 1; --k) f = x + 0.5 * k / f;
  return 1.0 / (kSqrtPi * f);
}

double log_h(double z, double* dlogh) {
  static const double kTail = -1.0 / std::sqrt(std::numeric_limits<double>::epsilon());
  if (z > -1.0) {
    const double Phi = 0.5 * std::erfc(-z / kSqrt2);
    const double phi = std::exp(-0.5 * z * z) / std::sqrt(2.0 * M_PI);
    const double h = phi + z * Phi;
    if (dlogh) *dlogh = Phi / h;
    return std::log(h);
  }
  if (z > kTail) {
    // log h = -z^2/2 - log(2 pi)/2 + log(1 - sqrt(pi/2) erfcx(-z/sqrt 2) |z|)      (Ament et al. eq. 9)
    const double r = kSqrtHalfPi * erfcx(-z / kSqrt2);  // Phi(z) / phi(z)
    const double l = log1mexp(std::log(r * -z));          // log(1 + z r) = log(h / phi)
    if (dlogh) *dlogh = z > -1e4 ? r / std::exp(l) : -z - 2.0 / z;
    return -0.5 * z * z - 0.5 * kLog2Pi + l;
  }
  if (dlogh) *dlogh = -z - 2.0 / z;
  return -0.5 * z * z - 0.5 * kLog2Pi - 2.0 * std::log(-z);
}

double log_ndtr(double z, double* dlog) {
  if (z > -5.0) {
    const double Phi = 0.5 * std::erfc(-z / kSqrt2);
    if (dlog) *dlog = std::exp(-0.5 * z * z) / std::sqrt(2.0 * M_PI) / Phi;
    return std::log(Phi);
  }
  const double e = erfcx(-z / kSqrt2);  // Phi(z) = erfcx(-z/sqrt2) exp(-z^2/2) / 2
  if (dlog) *dlog = 1.0 / (kSqrtHalfPi * e);
  return std::log(0.5 * e) - 0.5 * z * z;
}

double Acquisition::value(double mu, double var, double* dmu, double* dvar) const {
  const bool floored = !(var > kMinVar);
  const double v = floored ? kMinVar : var;
  const double s = std::sqrt(v);
  double a, da_dmu, da_ds;
  switch (kind) {
    case AcqKind::UCB:
      a = -mu + kappa * s;
      da_dmu = -1.0;
      da_ds = kappa;
      break;
    case AcqKind::PI: {
      const double z = (best - mu) / s;
      double dl;
      a = log_ndtr(z, &dl);
      da_dmu = -dl / s;
      da_ds = -dl * z / s;
      break;
    }
    case AcqKind::LogEI:
    default: {
      const double z = (best - mu) / s;
      double dl;
      a = log_h(z, &dl) + std::log(s);
      da_dmu = -dl / s;
      da_ds = (1.0 - dl * z) / s;
      break;
    }
  }
  if (dmu) *dmu = da_dmu;
  if (dvar) *dvar = floored ? 0.0 : da_ds / (2.0 * s);
  return a;
}

}  // namespace amtune
