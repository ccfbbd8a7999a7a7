// Input (Kumaraswamy) and output (Yeo-Johnson) warpings of the GP model (warping.hpp).
#include <optional>
#include <tuple>

#include "amtune/warping.hpp"
#include "pybind.hpp"

void bind_warping(py::module_& m) {
  using amtune::OutputTransform;
  using Eigen::VectorXd;
  namespace b = amtune::bind;

  m.def(
      "kumaraswamy",
      [](double x, double a, double bb) {
        const char* where = "kumaraswamy";
        if (!(x >= 0.0 && x <= 1.0)) b::fail(where, "x must be in [0, 1]");
        if (!(std::isfinite(a) && a > 0 && std::isfinite(bb) && bb > 0)) b::fail(where, "a and b must be finite and > 0");
        double w = 0.0, dx = 0.0, da = 0.0, db = 0.0;
        amtune::Kumaraswamy::derivs(x, a, bb, w, dx, da, db);
        return std::make_tuple(w, dx, da, db);
      },
      py::arg("x"), py::arg("a"), py::arg("b"), "w(x), dw/dx, dw/dlog a, dw/dlog b");

  m.def(
      "half_rank_warp",
      [](const VectorXd& y) {
        b::check_vector("half_rank_warp", "y", y, -1);
        py::gil_scoped_release release;
        return amtune::half_rank_warp(y);
      },
      py::arg("y"), "Values worse than the median replaced by normal quantiles of their ranks (warping.hpp)");
  m.def("normal_quantile", &amtune::normal_quantile, py::arg("p"), "Inverse of the standard normal CDF");

  py::class_<OutputTransform>(m, "OutputTransform",
                              "z-score, Yeo-Johnson power transform, z-score (the engine's output transform)")
      .def(py::init<>())
      .def(
          "fit",
          [](OutputTransform& ot, const VectorXd& y) {
            b::check_vector("OutputTransform.fit", "y", y, -1);
            if (y.size() < 1) b::fail("OutputTransform.fit", "y must have at least one value");
            py::gil_scoped_release release;
            return ot.fit(y);
          },
          py::arg("y"), "Choose lambda in [0, 1] by Gaussian maximum likelihood; the transformed y")
      .def(
          "transform",
          [](OutputTransform& ot, const VectorXd& y, double lam) {
            b::check_vector("OutputTransform.transform", "y", y, -1);
            if (y.size() < 1) b::fail("OutputTransform.transform", "y must have at least one value");
            if (!(lam >= 0.0 && lam <= 1.0)) b::fail("OutputTransform.transform", "lam must be in [0, 1]");
            py::gil_scoped_release release;
            return ot.transform(y, lam);
          },
          py::arg("y"), py::arg("lam"), "Transform with exponent lam (scales estimated from y)")
      .def(
          "log_jacobian",
          [](const OutputTransform& ot, const VectorXd& y) {
            b::check_vector("OutputTransform.log_jacobian", "y", y, -1);
            return ot.log_jacobian(y);
          },
          py::arg("y"), "log d t(y_i) / d y_i per value, for the current parameters")
      .def_readonly("lam", &OutputTransform::lambda, "Yeo-Johnson exponent (1: identity)")
      .def_readonly("power", &OutputTransform::power, "whether the power transform is applied");
}
