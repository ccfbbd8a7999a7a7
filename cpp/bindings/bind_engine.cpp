// The Bayesian-optimization engine (bayes.hpp): proposals, and its fitted model for callers other
// than the proposals (the convergence rule, transfer learning, parameter importances).
#include <tuple>
#include <vector>

#include "amtune/bayes.hpp"
#include "pybind.hpp"

void bind_engine(py::module_& m) {
  using amtune::BayesEngine;
  using amtune::RowMatrix;
  using Eigen::VectorXd;
  namespace b = amtune::bind;

  py::enum_<amtune::Unstructured>(m, "Unstructured",
                                  "What the engine proposes while the model has found no structure")
      .value("Model", amtune::Unstructured::Model, "no test: the model proposes from the first call")
      .value("Design", amtune::Unstructured::Design, "no point: the caller goes on with its design")
      .value("Global", amtune::Unstructured::Global, "the acquisition's maximizer over the whole space");
  py::enum_<amtune::NoiseSelection>(m, "NoiseSelection",
                                    "How a full fit chooses between the learned-noise and the noiseless model")
      .value("Bic", amtune::NoiseSelection::Bic, "the better BIC-penalized posterior")
      .value("Loo", amtune::NoiseSelection::Loo, "the better leave-one-out predictive log density")
      .value("Sample", amtune::NoiseSelection::Sample, "a draw from the models' BIC posterior probabilities");

  m.def(
      "fit_subset",
      [](const RowMatrix& X, const VectorXd& y, int m_) {
        b::check_matrix("fit_subset", "X", X, -1);
        b::check_vector("fit_subset", "y", y, X.rows());
        b::check_at_least("fit_subset", "m", m_, 1);
        py::gil_scoped_release release;
        return amtune::fit_subset(X, y, m_);
      },
      py::arg("X"), py::arg("y"), py::arg("m"),
      "Sorted indices of at most m rows for hyperparameter fitting: the best m/4 by y, then farthest-point");

  py::class_<BayesEngine>(m, "BayesEngine", "GP Bayesian optimization: keeps its fitted model between calls")
      .def(py::init([](const amtune::Space& space, const amtune::InputSpec& spec, amtune::AcqKind acquisition,
                       double kappa, bool deterministic, int threads, int max_fit_points, int fit_restarts,
                       int n_starts, int n_candidates, bool output_warping, int big_threshold, int local_points,
                       int big_candidates, int max_pending, bool select_noise, bool plugin_incumbent,
                       double irrelevant_lengthscale, bool ls_map_on_length, bool noise_map_on_variance,
                       bool noise_prior_gamma, amtune::NoiseSelection noise_selection,
                       amtune::Unstructured unstructured, bool half_rank, int half_rank_from) {
             const char* where = "BayesEngine";
             if (spec.dim() != space.dim()) b::fail(where, "spec and space dimensions differ");
             if (!(std::isfinite(kappa) && kappa >= 0)) b::fail(where, "kappa must be a finite number >= 0");
             b::check_at_least(where, "threads", threads, 0);
             b::check_at_least(where, "max_fit_points", max_fit_points, 8);
             b::check_at_least(where, "fit_restarts", fit_restarts, 0);
             b::check_at_least(where, "n_starts", n_starts, 1);
             b::check_at_least(where, "n_candidates", n_candidates, 0);
             b::check_at_least(where, "big_threshold", big_threshold, 0);
             b::check_at_least(where, "local_points", local_points, 1);
             b::check_at_least(where, "big_candidates", big_candidates, 1);
             b::check_at_least(where, "max_pending", max_pending, 0);
             b::check_at_least(where, "half_rank_from", half_rank_from, 0);
             if (!(std::isfinite(irrelevant_lengthscale) && irrelevant_lengthscale >= 0))
               b::fail(where, "irrelevant_lengthscale must be a finite number >= 0 (0: off)");
             amtune::EngineOptions o;
             o.acquisition = static_cast<int>(acquisition);
             o.kappa = kappa;
             o.deterministic = deterministic;
             o.threads = threads;
             o.max_fit_points = max_fit_points;
             o.fit_restarts = fit_restarts;
             o.n_starts = n_starts;
             o.n_candidates = n_candidates;
             o.output_warping = output_warping;
             o.big_threshold = big_threshold;
             o.local_points = local_points;
             o.big_candidates = big_candidates;
             o.max_pending = max_pending;
             o.select_noise = select_noise;
             o.plugin_incumbent = plugin_incumbent;
             o.irrelevant_lengthscale = irrelevant_lengthscale;
             o.ls_map_on_length = ls_map_on_length;
             o.noise_map_on_variance = noise_map_on_variance;
             o.noise_prior_gamma = noise_prior_gamma;
             o.noise_selection = noise_selection;
             o.unstructured = unstructured;
             o.half_rank = half_rank;
             o.half_rank_from = half_rank_from;
             return BayesEngine(space, spec, o);
           }),
           py::arg("space"), py::arg("spec"), py::arg("acquisition") = amtune::AcqKind::LogEI,
           py::arg("kappa") = 1.96, py::arg("deterministic") = false, py::arg("threads") = 0,
           py::arg("max_fit_points") = 128, py::arg("fit_restarts") = 2, py::arg("n_starts") = 5,
           py::arg("n_candidates") = 0, py::arg("output_warping") = true, py::arg("big_threshold") = 0,
           py::arg("local_points") = 256, py::arg("big_candidates") = 1024, py::arg("max_pending") = 64,
           py::arg("select_noise") = true, py::arg("plugin_incumbent") = false,
           py::arg("irrelevant_lengthscale") = 100.0, py::arg("ls_map_on_length") = true,
           py::arg("noise_map_on_variance") = false, py::arg("noise_prior_gamma") = false,
           py::arg("noise_selection") = amtune::NoiseSelection::Bic, py::arg("unstructured") = amtune::Unstructured::Model,
           py::arg("half_rank") = true, py::arg("half_rank_from") = 10)
      .def(
          "propose",
          [](BayesEngine& e, const RowMatrix& X, const VectorXd& y, const RowMatrix& pending, int q,
             std::uint64_t seed) {
            const char* where = "BayesEngine.propose";
            b::check_unit(where, "X", X, e.dim());
            if (y.size() != X.rows()) b::fail(where, "y must have one value per row of X");
            if ((y.array().isInf()).any()) b::fail(where, "y must be finite or NaN (a failed trial)");
            b::check_unit(where, "pending", pending, e.dim());
            b::check_at_least(where, "q", q, 1);
            py::gil_scoped_release release;
            return e.propose(X, y, pending, q, seed);
          },
          py::arg("X"), py::arg("y"), py::arg("pending"), py::arg("q"), py::arg("seed"),
          "Up to q new encoded points; y is NaN for a failed trial")
      .def(
          "fit",
          [](BayesEngine& e, const RowMatrix& X, const VectorXd& y, std::uint64_t seed) {
            const char* where = "BayesEngine.fit";
            b::check_unit(where, "X", X, e.dim());
            if (y.size() != X.rows()) b::fail(where, "y must have one value per row of X");
            if ((y.array().isInf()).any()) b::fail(where, "y must be finite or NaN (a failed trial)");
            if (!y.array().isFinite().any()) b::fail(where, "y needs at least one finite value");
            py::gil_scoped_release release;
            e.fit(X, y, seed);
          },
          py::arg("X"), py::arg("y"), py::arg("seed"),
          "Fit the model to (X, y) as propose does, without proposing (a later fit warm-starts)")
      .def(
          "predict",
          [](const BayesEngine& e, const RowMatrix& X) {
            b::check_unit("BayesEngine.predict", "X", X, e.dim());
            VectorXd mean, sd;
            {
              py::gil_scoped_release release;
              e.predict(X, mean, sd);
            }
            return std::make_tuple(mean, sd);
          },
          py::arg("X"), "Posterior mean and standard deviation of f at rows X, in the units of y")
      .def(
          "predict_grad",
          [](const BayesEngine& e, const VectorXd& x) {
            b::check_unit("BayesEngine.predict_grad", "x", x.transpose(), e.dim());
            double mean = 0.0, var = 0.0;
            VectorXd dmean, dvar;
            py::gil_scoped_release release;
            e.predict_grad(x.data(), mean, var, dmean, dvar);
            return std::make_tuple(mean, var, dmean, dvar);
          },
          py::arg("x"), "Mean, variance and their gradients at one encoded point, in the units of y")
      .def(
          "fantasize",
          [](BayesEngine& e, const RowMatrix& X) {
            b::check_unit("BayesEngine.fantasize", "X", X, e.dim());
            py::gil_scoped_release release;
            e.fantasize(X);
          },
          py::arg("X"), "Condition on rows X at their posterior mean (until the next fit)")
      .def_property_readonly("dim", &BayesEngine::dim)
      .def("set_trust_region", &BayesEngine::set_trust_region, py::arg("local_fraction"), py::arg("tr_after"),
           py::arg("free_categorical"), py::arg("integer_neighbours") = false,
           py::arg("ties") = amtune::TieRule::Expand, py::arg("counting") = amtune::RegionCounting::Batch,
           py::arg("noise_ties") = false, py::arg("stall") = amtune::StallRule::Stay, "Trust-region schedule of the exact mode (EngineOptions in bayes.hpp)")
      .def_property_readonly("fitted", &BayesEngine::fitted)
      .def_property_readonly("threads", &BayesEngine::threads)
      .def_property_readonly("fit_count", &BayesEngine::fit_count)
      .def_property_readonly("big_mode", &BayesEngine::big_mode)
      .def_property_readonly("model_points", &BayesEngine::model_points)
      .def_property_readonly("pending_fantasies", &BayesEngine::pending_fantasies_used,
                             "pending trials the last proposal conditioned on as Kriging-believer fantasies")
      .def_property_readonly("hyper", &BayesEngine::hyper, "hyperparameters of the last fit")
      .def_property_readonly("uses_warping", &BayesEngine::uses_warping, "whether the input warping is in use")
      .def_property_readonly("learns_noise", &BayesEngine::learns_noise,
                             "whether the model learns its noise variance (else it is fixed at 1e-8)")
      .def_property_readonly(
          "output_lambda", [](const BayesEngine& e) { return e.output_transform().lambda; },
          "exponent of the output transform (1: linear)")
      .def_property_readonly("output_scale", &BayesEngine::output_scale,
                             "factor from the model's standardized units to the units of y (linear transform)")
      .def_property_readonly("noise_probability", &BayesEngine::noise_probability,
                             "with NoiseSelection.Sample: the learned-noise model's probability at the last full fit")
      .def_property_readonly("map_value", &BayesEngine::map_value,
                             "negative log posterior of the last hyperparameter fit at its optimum")
      .def_property_readonly("trust_region", &BayesEngine::trust_region, "the trust region of the last proposal (TuRBO-1)")
      .def_property_readonly("structured", &BayesEngine::structured,
                             "whether the model has found structure (always true with Unstructured.Model)");
}
