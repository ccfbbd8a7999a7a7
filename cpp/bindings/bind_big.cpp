// Big-history mode helpers (local_model.hpp), bound so tests can check the row selection.
#include <stdexcept>
#include <vector>

#include "amtune/bayes.hpp"
#include "amtune/kernel.hpp"
#include "amtune/local_model.hpp"
#include "pybind.hpp"

void bind_big(py::module_& m) {
  using amtune::RowMatrix;
  using Eigen::VectorXd;
  m.def(
      "local_model_rows",
      [](const std::vector<int>& kinds, const std::vector<int>& cards, const VectorXd& log_ls, const RowMatrix& X,
         int center, int k, const std::vector<int>& global) {
        amtune::InputSpec spec{kinds, cards, std::vector<int>(kinds.size(), 0)};
        spec.validate();
        if (log_ls.size() != spec.dim() || X.cols() != spec.dim())
          throw std::invalid_argument("local_model_rows: log_ls and X must have one entry per dimension");
        if (k < 0) throw std::invalid_argument("local_model_rows: k must be >= 0");
        amtune::Hyper h;
        h.log_ls = log_ls;
        RowMatrix Z;
        amtune::compute_features(spec, h, X, Z);
        const amtune::KernelCache kc(spec, h);
        py::gil_scoped_release release;
        return amtune::local_model_rows(kc, Z, static_cast<int>(X.rows()), center, k, global);
      },
      py::arg("kinds"), py::arg("cards"), py::arg("log_ls"), py::arg("X"), py::arg("center"), py::arg("k"),
      py::arg("global_rows") = std::vector<int>(),
      "Sorted rows of the big-history model: the k nearest to row `center` (lengthscale-scaled "
      "metric, Hamming for categoricals) and `global_rows`");
  m.def(
      "engine_trust_region",
      [](const amtune::BayesEngine& e) {
        const amtune::TrustRegion& t = e.trust_region();
        py::dict d;
        d["length"] = t.length;
        d["successes"] = t.successes;
        d["failures"] = t.failures;
        d["restarts"] = t.restarts;
        return d;
      },
      py::arg("engine"), "State of a BayesEngine's big-history trust region");
}
