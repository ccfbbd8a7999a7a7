// Priors on the GP hyperparameters (all on log-scale parameters, so they are log-normal priors).
//
// * Lengthscales: log l ~ N(sqrt(2) + log(d) / 2, 3), the dimension-scaled prior of Hvarfner,
//   Hellsten & Nardi 2024 ("Vanilla Bayesian optimization performs great in high dimensions",
//   ICML, eq. 6 with mu_0 = sqrt(2), sigma_0 = sqrt(3)), for inputs in the unit cube. The MAP
//   reads it as BoTorch does, as the density of l (GPyTorch evaluates a prior on the lengthscale
//   itself): its -log l term makes it the normal density of log l with mean mu - sigma^2, so the
//   engine shifts mu by -3 (EngineOptions::ls_map_on_length; prior mode 0.65 at d = 10, not 13).
//   Issue 12's ablation: BBOB d = 20 +18 normalized-score points, d = 10 +7-12, d = 5 +2-3, d = 2
//   and the real tuning suite no measurable change (benchmarks/results/quality.md, "Ablations").
// * Signal variance of the standardized outputs: log s2 ~ N(0, 1) (outputs have unit variance).
// * Noise variance: log(sigma^2) ~ N(-4, 1), BoTorch's default likelihood prior
//   (get_gaussian_likelihood_with_lognormal_prior), above a floor of 1e-6.
// * Kumaraswamy concentrations: log a, log b ~ N(0, 0.75), BoTorch's Warp defaults.
// * Constant mean: flat (bounded box).
#pragma once

#include <cmath>

namespace amtune {

struct NormalPrior {
  double mu = 0.0, sigma = 1.0;
  // log density up to a constant, and its derivative
  double logpdf(double x) const { const double z = (x - mu) / sigma; return -0.5 * z * z; }
  double dlogpdf(double x) const { return -(x - mu) / (sigma * sigma); }
};

// Gamma(alpha, rate beta) on v = e^t, read as the density of v itself (no Jacobian), as Optuna's
// GPSampler reads its noise prior: log p = (alpha - 1) t - beta e^t up to a constant. Off when
// beta = 0.
struct GammaOnExpPrior {
  double alpha = 0.0, beta = 0.0;
  bool on() const { return beta > 0.0; }
  double logpdf(double t) const { return (alpha - 1.0) * t - beta * std::exp(t); }
  double dlogpdf(double t) const { return (alpha - 1.0) - beta * std::exp(t); }
  // Optuna GPSampler's noise prior, Gamma(1.1, 30) on the standardized noise variance
  static GammaOnExpPrior optuna_noise() { return GammaOnExpPrior{1.1, 30.0}; }
};

struct Priors {
  NormalPrior log_ls, log_sf2{0.0, 1.0}, log_noise{-4.0, 1.0}, log_warp{0.0, std::sqrt(0.75)};
  // replaces log_noise in the posterior when on (EngineOptions::noise_prior_gamma)
  GammaOnExpPrior noise_gamma;
  double noise_logpdf(double t) const { return noise_gamma.on() ? noise_gamma.logpdf(t) : log_noise.logpdf(t); }
  double noise_dlogpdf(double t) const { return noise_gamma.on() ? noise_gamma.dlogpdf(t) : log_noise.dlogpdf(t); }
  explicit Priors(int d = 1) : log_ls{std::sqrt(2.0) + 0.5 * std::log(static_cast<double>(d < 1 ? 1 : d)), std::sqrt(3.0)} {}
};

}  // namespace amtune
