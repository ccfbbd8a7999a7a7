// Box-constrained limited-memory BFGS.
//
// A projected L-BFGS in the spirit of L-BFGS-B (Byrd, Lu, Nocedal & Zhu 1995, SIAM J. Sci. Comput.
// 16(5)) but simpler: instead of the generalized Cauchy point and subspace minimization, the
// variables at a bound whose gradient points outward are held fixed (the active set of
// Bertsekas 1982), the search direction is the two-loop recursion (Nocedal & Wright 2006,
// Algorithm 7.4) on the free variables, and a backtracking Armijo search runs along the projected
// path x(t) = P(x + t d) (Kim, Sra & Dhillon 2010). Curvature pairs with s^T y <= 0 are skipped,
// which keeps the inverse-Hessian approximation positive definite. The objective may return
// +inf or NaN (e.g. a failed Cholesky): the step is then shortened.
#pragma once

#include <functional>

#include <Eigen/Core>

namespace amtune {

struct LbfgsbOptions {
  int max_iter = 100;
  int memory = 10;
  double pgtol = 1e-6;   // stop when max |projected gradient| is below
  double ftol = 1e-10;   // or when the relative decrease of f is below
  int max_linesearch = 25;
};

struct LbfgsbResult {
  Eigen::VectorXd x;
  double f = 0.0;
  int iterations = 0;
  int evaluations = 0;
};

// f(x, grad) returns the value and writes the gradient.
using Objective = std::function<double(const Eigen::VectorXd&, Eigen::VectorXd&)>;

LbfgsbResult minimize_box(const Objective& fun, const Eigen::VectorXd& x0, const Eigen::VectorXd& lower,
                          const Eigen::VectorXd& upper, const LbfgsbOptions& opt = {});

}  // namespace amtune
