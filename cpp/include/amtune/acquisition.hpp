// Acquisition functions for minimization, as functions of the posterior mean and variance.
//
// * LogEI (default): log expected improvement in the numerically stable form of Ament, Daulton,
//   Eriksson, Balandat & Bakshy 2023 ("Unexpected improvements to expected improvement for Bayesian
//   optimization", NeurIPS, eq. 9):  log EI = log_h(z) + log sigma,  z = (best - mu) / sigma,
//   h(z) = phi(z) + z Phi(z), with log_h evaluated through erfcx for z <= -1.
// * UCB: mu - kappa sigma, minimized (so the maximized value is -mu + kappa sigma; Srinivas et al. 2010).
// * PI: log Phi(z), log probability of improvement (Kushner 1964), also via erfcx in the tail.
#pragma once

namespace amtune {

enum class AcqKind : int { LogEI = 0, UCB = 1, PI = 2 };

// Scaled complementary error function exp(x^2) erfc(x).
double erfcx(double x);
// log(phi(z) + z Phi(z)) and its derivative.
double log_h(double z, double* dlogh);
// log Phi(z) and its derivative.
double log_ndtr(double z, double* dlog);

struct Acquisition {
  AcqKind kind = AcqKind::LogEI;
  double best = 0.0;    // incumbent (lowest standardized value)
  double kappa = 1.96;  // UCB exploration weight
  static constexpr double kMinVar = 1e-20;
  // Value to maximize and its partial derivatives with respect to mu and var.
  double value(double mu, double var, double* dmu, double* dvar) const;
};

}  // namespace amtune
