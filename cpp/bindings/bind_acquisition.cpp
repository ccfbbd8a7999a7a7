// Acquisition functions and the special functions behind them (acquisition.hpp), bound so tests can
// check every value against scipy and every derivative against finite differences.
#include <tuple>

#include "amtune/acquisition.hpp"
#include "pybind.hpp"

namespace amtune::bind {

Acquisition make_acquisition(const char* where, AcqKind kind, double best, double kappa) {
  check_finite(where, "best", best);
  if (!(std::isfinite(kappa) && kappa >= 0)) fail(where, "kappa must be a finite number >= 0");
  Acquisition a;
  a.kind = kind;
  a.best = best;
  a.kappa = kappa;
  return a;
}

}  // namespace amtune::bind

void bind_acquisition(py::module_& m) {
  using amtune::AcqKind;
  namespace b = amtune::bind;

  py::enum_<AcqKind>(m, "Acquisition", "Acquisition function of the Bayesian strategy")
      .value("LogEI", AcqKind::LogEI, "log expected improvement (Ament et al. 2023)")
      .value("UCB", AcqKind::UCB, "lower confidence bound of a minimization, -(mu - kappa sd)")
      .value("PI", AcqKind::PI, "log probability of improvement");

  m.def("erfcx", &amtune::erfcx, py::arg("x"), "Scaled complementary error function exp(x^2) erfc(x)");
  m.def(
      "log_h",
      [](double z) {
        double d = 0.0;
        const double v = amtune::log_h(z, &d);
        return std::make_tuple(v, d);
      },
      py::arg("z"), "log(phi(z) + z Phi(z)) and its derivative (Ament et al. 2023)");
  m.def(
      "log_ndtr",
      [](double z) {
        double d = 0.0;
        const double v = amtune::log_ndtr(z, &d);
        return std::make_tuple(v, d);
      },
      py::arg("z"), "log Phi(z) and its derivative");
  m.def(
      "acquisition_value",
      [](AcqKind kind, double best, double kappa, double mu, double var) {
        const char* where = "acquisition_value";
        b::check_finite(where, "mu", mu);
        if (!(std::isfinite(var) && var >= 0)) b::fail(where, "var must be a finite number >= 0");
        double dm = 0.0, dv = 0.0;
        const double a = b::make_acquisition(where, kind, best, kappa).value(mu, var, &dm, &dv);
        return std::make_tuple(a, dm, dv);
      },
      py::arg("kind"), py::arg("best"), py::arg("kappa"), py::arg("mu"), py::arg("var"),
      "Acquisition value to maximize at posterior (mu, var) and its partials d/dmu, d/dvar");
}
