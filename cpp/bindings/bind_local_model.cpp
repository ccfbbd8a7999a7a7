// Big-history mode helpers (local_model.hpp), bound so tests can check the row selection.
#include <vector>

#include "amtune/local_model.hpp"
#include "pybind.hpp"

void bind_local_model(py::module_& m) {
  using amtune::RowMatrix;
  using Eigen::VectorXd;
  namespace b = amtune::bind;

  py::enum_<amtune::StallRule>(m, "StallRule", "What the exact mode proposes while the trust region is stalled")
      .value("Stay", amtune::StallRule::Stay, "the region goes on")
      .value("Global", amtune::StallRule::Global, "the acquisition's maximizer over the whole space (TREGO)")
      .value("Design", amtune::StallRule::Design, "no point: the caller's space-filling design (TuRBO's restart)");

  py::enum_<amtune::TieRule>(m, "TieRule", "How a trial tying the incumbent moves the trust region")
      .value("Fail", amtune::TieRule::Fail, "towards a halving, like any non-improving trial (TuRBO)")
      .value("Neutral", amtune::TieRule::Neutral, "neither way")
      .value("Expand", amtune::TieRule::Expand, "towards a doubling (CMA-ES's flat-fitness rule)");
  py::enum_<amtune::RegionCounting>(m, "RegionCounting", "What the trust region counts as one success or failure")
      .value("Trial", amtune::RegionCounting::Trial, "every trial on its own, in the order they finished")
      .value("Batch", amtune::RegionCounting::Batch,
             "the trials learnt since the previous proposal, together (TuRBO's batch rule)");
  py::class_<amtune::TrustRegion>(m, "TrustRegion", "The trust region (TuRBO-1) of local proposals, in the exact and the big-history mode")
      .def_readonly("length", &amtune::TrustRegion::length, "side of the box in the encoded space")
      .def_readonly("successes", &amtune::TrustRegion::successes)
      .def_readonly("failures", &amtune::TrustRegion::failures)
      .def_readonly("restarts", &amtune::TrustRegion::restarts)
      .def_readonly("stale", &amtune::TrustRegion::stale, "trials since the last improvement");

  m.def(
      "local_model_rows",
      [](const amtune::InputSpec& spec_in, const VectorXd& log_ls, const RowMatrix& X, int center, int k,
         const std::vector<int>& global_rows) {
        const char* where = "local_model_rows";
        amtune::InputSpec spec = spec_in;  // the metric of the unwarped encoded space
        spec.warp.assign(spec.warp.size(), 0);
        b::check_vector(where, "log_ls", log_ls, spec.dim());
        b::check_matrix(where, "X", X, spec.dim());
        if (X.rows() < 1) b::fail(where, "X must have at least one row");
        if (center < 0 || center >= X.rows()) b::fail(where, "center must be a row index of X");
        b::check_at_least(where, "k", k, 0);
        b::check_rows(where, "global_rows", global_rows, X.rows());
        amtune::Hyper h;
        h.log_ls = log_ls;
        py::gil_scoped_release release;
        RowMatrix Z;
        amtune::compute_features(spec, h, X, Z);
        const amtune::KernelCache kc(spec, h);
        return amtune::local_model_rows(kc, Z, static_cast<int>(X.rows()), center, k, global_rows);
      },
      py::arg("spec"), py::arg("log_ls"), py::arg("X"), py::arg("center"), py::arg("k"),
      py::arg("global_rows") = std::vector<int>(),
      "Sorted rows of the big-history model: the k nearest to row `center` (lengthscale-scaled "
      "metric on the unwarped encoded space, Hamming for categoricals) and `global_rows`");
}
