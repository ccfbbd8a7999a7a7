#include "amtune/lbfgsb.hpp"

#include <cmath>
#include <deque>
#include <limits>

namespace amtune {

using Eigen::VectorXd;

LbfgsbResult minimize_box(const Objective& fun, const VectorXd& x0, const VectorXd& lo, const VectorXd& hi,
                          const LbfgsbOptions& opt) {
  const int n = static_cast<int>(x0.size());
  LbfgsbResult res;
  VectorXd x = x0.cwiseMax(lo).cwiseMin(hi), g(n), gn(n), xn(n), d(n);
  double f = fun(x, g);
  res.evaluations = 1;
  if (!std::isfinite(f) || !g.allFinite()) {
    res.x = x;
    res.f = std::isfinite(f) ? f : std::numeric_limits<double>::infinity();
    return res;
  }
  std::deque<VectorXd> S, Y;
  std::vector<char> free_(n);
  for (int it = 0; it < opt.max_iter; ++it) {
    res.iterations = it + 1;
    double pg = 0.0;
    for (int i = 0; i < n; ++i) {
      const bool at_lo = x[i] <= lo[i] && g[i] > 0.0, at_hi = x[i] >= hi[i] && g[i] < 0.0;
      free_[i] = !(at_lo || at_hi);
      if (free_[i]) pg = std::max(pg, std::abs(g[i]));
    }
    if (pg < opt.pgtol) break;
    auto mask = [&](const VectorXd& v) {
      VectorXd m = v;
      for (int i = 0; i < n; ++i)
        if (!free_[i]) m[i] = 0.0;
      return m;
    };
    // two-loop recursion (Nocedal & Wright, Algorithm 7.4) restricted to the free variables
    VectorXd q = mask(g);
    const int k = static_cast<int>(S.size());
    std::vector<double> alpha(k, 0.0), rho(k, 0.0);
    std::vector<VectorXd> Sm(k), Ym(k);
    double gamma = 0.0;
    for (int i = k - 1; i >= 0; --i) {
      Sm[i] = mask(S[i]);
      Ym[i] = mask(Y[i]);
      const double sy = Sm[i].dot(Ym[i]);
      if (sy <= 1e-12 * Sm[i].norm() * Ym[i].norm() || sy <= 0.0) continue;
      rho[i] = 1.0 / sy;
      if (gamma == 0.0) gamma = sy / Ym[i].squaredNorm();
      alpha[i] = rho[i] * Sm[i].dot(q);
      q -= alpha[i] * Ym[i];
    }
    const bool have_memory = gamma > 0.0;
    if (have_memory) q *= gamma;
    for (int i = 0; i < k; ++i) {
      if (rho[i] == 0.0) continue;
      const double beta = rho[i] * Ym[i].dot(q);
      q += (alpha[i] - beta) * Sm[i];
    }
    d = -q;
    double gd = g.dot(d);
    if (!(gd < 0.0)) {  // not a descent direction: steepest descent, forget the memory
      d = -mask(g);
      gd = g.dot(d);
      S.clear();
      Y.clear();
    }
    // first step without curvature information: unit length in the infinity norm
    double t = have_memory ? 1.0 : std::min(1.0, 1.0 / std::max(d.cwiseAbs().maxCoeff(), 1e-300));
    double fn = f;
    bool accepted = false;
    for (int ls = 0; ls < opt.max_linesearch; ++ls) {
      xn = (x + t * d).cwiseMax(lo).cwiseMin(hi);
      const VectorXd dx = xn - x;
      if (dx.cwiseAbs().maxCoeff() == 0.0) break;
      fn = fun(xn, gn);
      ++res.evaluations;
      if (std::isfinite(fn) && gn.allFinite() && fn <= f + 1e-4 * g.dot(dx)) {
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    if (!accepted) {
      if (!S.empty()) {  // retry from steepest descent
        S.clear();
        Y.clear();
        continue;
      }
      break;
    }
    VectorXd s = xn - x, y = gn - g;
    if (s.dot(y) > 1e-12 * s.norm() * y.norm()) {
      S.push_back(s);
      Y.push_back(y);
      if (static_cast<int>(S.size()) > opt.memory) {
        S.pop_front();
        Y.pop_front();
      }
    }
    const double df = f - fn;
    x = xn;
    g = gn;
    f = fn;
    if (df <= opt.ftol * std::max({1.0, std::abs(f), std::abs(fn)})) break;
  }
  res.x = x;
  res.f = f;
  return res;
}

}  // namespace amtune
