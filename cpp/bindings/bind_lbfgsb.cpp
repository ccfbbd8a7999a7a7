// Box-constrained L-BFGS (lbfgsb.hpp) for Python objectives.
#include <functional>
#include <tuple>

#include "amtune/lbfgsb.hpp"
#include "pybind.hpp"

void bind_lbfgsb(py::module_& m) {
  using Eigen::VectorXd;
  namespace b = amtune::bind;
  m.def(
      "minimize_box",
      [](const std::function<std::tuple<double, VectorXd>(const VectorXd&)>& fun, const VectorXd& x0,
         const VectorXd& lo, const VectorXd& hi, int max_iter) {
        const char* where = "minimize_box";
        b::check_vector(where, "x0", x0, -1);
        b::check_vector(where, "lower", lo, x0.size());
        b::check_vector(where, "upper", hi, x0.size());
        if (!(lo.array() <= hi.array()).all()) b::fail(where, "lower must be <= upper");
        b::check_at_least(where, "max_iter", max_iter, 0);
        amtune::LbfgsbOptions opt;
        opt.max_iter = max_iter;
        opt.pgtol = 1e-8;
        opt.ftol = 1e-14;
        // `fun` is a Python callable: pybind11's wrapper takes the GIL for each call
        const amtune::Objective f = [&](const VectorXd& x, VectorXd& g) {
          auto r = fun(x);
          g = std::move(std::get<1>(r));
          if (g.size() != x.size()) b::fail(where, "fun(x) must return a gradient of the size of x");
          return std::get<0>(r);
        };
        py::gil_scoped_release release;
        const auto r = amtune::minimize_box(f, x0, lo, hi, opt);
        return std::make_tuple(r.x, r.f, r.iterations, r.evaluations);
      },
      py::arg("fun"), py::arg("x0"), py::arg("lower"), py::arg("upper"), py::arg("max_iter") = 200,
      "Minimize fun(x) -> (value, gradient) over the box [lower, upper]; (x, f, iterations, evaluations)");
}
