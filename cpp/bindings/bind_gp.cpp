// The Gaussian-process model (kernel.hpp, gp.hpp): what it knows of the dimensions (InputSpec), its
// hyperparameters (Hyper), the exact posterior (GP) and the negative log posterior of the
// hyperparameters with its gradient, bound so tests can check every gradient against finite
// differences.
#include <optional>
#include <tuple>
#include <vector>

#include "amtune/acquisition.hpp"
#include "amtune/acq_optimizer.hpp"
#include "amtune/gp.hpp"
#include "pybind.hpp"

void bind_gp(py::module_& m) {
  using amtune::GP;
  using amtune::Hyper;
  using amtune::InputSpec;
  using amtune::Kind;
  using amtune::RowMatrix;
  using Eigen::VectorXd;
  namespace b = amtune::bind;

  py::class_<InputSpec>(m, "InputSpec", "What the GP knows of each encoded dimension")
      .def(py::init([](const std::vector<Kind>& kinds, const std::vector<std::int64_t>& cards,
                       const std::vector<bool>& warp) {
             InputSpec s;
             for (Kind k : kinds) s.kind.push_back(static_cast<int>(k));
             s.card = cards;
             for (bool w : warp) s.warp.push_back(w ? 1 : 0);
             s.validate();
             return s;
           }),
           py::arg("kinds"), py::arg("cards"), py::arg("warp"),
           "kinds per dimension, cards the number of values of discrete dimensions (0 for continuous ones), "
           "warp whether a numeric dimension learns a Kumaraswamy input warping")
      .def_property_readonly("dim", &InputSpec::dim)
      .def_property_readonly("kinds",
                             [](const InputSpec& s) {
                               std::vector<Kind> out;
                               for (int k : s.kind) out.push_back(static_cast<Kind>(k));
                               return out;
                             })
      .def_property_readonly("cards", [](const InputSpec& s) { return s.card; })
      .def_property_readonly("warp", [](const InputSpec& s) { return std::vector<bool>(s.warp.begin(), s.warp.end()); })
      .def_property_readonly("n_warped", [](const InputSpec& s) { return s.warped().size(); });

  py::class_<Hyper>(m, "Hyper", "GP hyperparameters in their log parametrization (standardized output units)")
      .def_readonly("log_ls", &Hyper::log_ls, "log lengthscale per dimension of the encoded space")
      .def_readonly("log_sf2", &Hyper::log_sf2, "log signal variance")
      .def_readonly("log_noise", &Hyper::log_noise, "log of the learned part of the noise variance")
      .def_readonly("mean", &Hyper::mean, "constant mean")
      .def_readonly("log_wa", &Hyper::log_wa, "log Kumaraswamy a per warped dimension")
      .def_readonly("log_wb", &Hyper::log_wb, "log Kumaraswamy b per warped dimension")
      .def_readonly("noise_floor", &Hyper::noise_floor, "floor of the noise variance")
      .def_property_readonly("noise", &Hyper::noise, "noise variance: noise_floor + exp(log_noise)")
      .def_property_readonly("lengthscales", [](const Hyper& h) -> VectorXd { return h.log_ls.array().exp(); },
                             "lengthscale per dimension, exp(log_ls)");

  m.def(
      "gp_neg_log_posterior",
      [](const InputSpec& spec, const RowMatrix& X, const VectorXd& y, const VectorXd& theta, bool learn_noise,
         bool noise_prior_gamma) {
        const char* where = "gp_neg_log_posterior";
        b::check_unit(where, "X", X, spec.dim());
        b::check_vector(where, "y", y, X.rows());
        const amtune::HyperLayout lay(spec, learn_noise);
        b::check_vector(where, "theta", theta, lay.size());
        py::gil_scoped_release release;
        amtune::Priors priors(spec.dim());
        if (noise_prior_gamma) priors.noise_gamma = amtune::GammaOnExpPrior::optuna_noise();
        Hyper base;
        base.noise_floor = learn_noise ? 1e-6 : 0.0;
        base.log_noise = std::log(1e-8);
        VectorXd g;
        const double v = amtune::neg_log_posterior(spec, lay, priors, base, X, y, theta, &g);
        return std::make_tuple(v, g);
      },
      py::arg("spec"), py::arg("X"), py::arg("y"), py::arg("theta"), py::arg("learn_noise") = true,
      py::arg("noise_prior_gamma") = false,
      "Negative log posterior of theta = [log_ls, log_sf2, mean, log_noise?, log_wa, log_wb] and its gradient");

  py::class_<GP>(m, "GP", "Exact GP posterior with a growable Cholesky factor")
      .def(py::init([](const InputSpec& spec, const VectorXd& log_ls, double log_sf2, double log_noise, double mean,
                       const std::optional<VectorXd>& log_wa_in, const std::optional<VectorXd>& log_wb_in,
                       double noise_floor) {
             const char* where = "GP";
             const auto w = static_cast<Eigen::Index>(spec.warped().size());
             const VectorXd log_wa = log_wa_in.value_or(VectorXd::Zero(w));
             const VectorXd log_wb = log_wb_in.value_or(VectorXd::Zero(w));
             b::check_vector(where, "log_ls", log_ls, spec.dim());
             b::check_vector(where, "log_wa", log_wa, w);
             b::check_vector(where, "log_wb", log_wb, w);
             b::check_finite(where, "log_sf2", log_sf2);
             b::check_finite(where, "log_noise", log_noise);
             b::check_finite(where, "mean", mean);
             if (!(std::isfinite(noise_floor) && noise_floor >= 0)) b::fail(where, "noise_floor must be finite and >= 0");
             Hyper h;
             h.log_ls = log_ls;
             h.log_sf2 = log_sf2;
             h.log_noise = log_noise;
             h.mean = mean;
             h.log_wa = log_wa;
             h.log_wb = log_wb;
             h.noise_floor = noise_floor;
             return GP(spec, h);
           }),
           py::arg("spec"), py::arg("log_ls"), py::arg("log_sf2") = 0.0, py::arg("log_noise") = -9.0,
           py::arg("mean") = 0.0, py::arg("log_wa") = py::none(), py::arg("log_wb") = py::none(),
           py::arg("noise_floor") = 1e-6)
      .def(
          "fit",
          [](GP& gp, const RowMatrix& X, const VectorXd& y) {
            b::check_unit("GP.fit", "X", X, gp.spec().dim());
            b::check_vector("GP.fit", "y", y, X.rows());
            py::gil_scoped_release release;
            gp.fit(X, y);
          },
          py::arg("X"), py::arg("y"), "Condition on rows X with targets y (replaces any data)")
      .def(
          "fit_rows",
          [](GP& gp, const RowMatrix& X, const VectorXd& y, const std::vector<int>& rows) {
            b::check_unit("GP.fit_rows", "X", X, gp.spec().dim());
            b::check_vector("GP.fit_rows", "y", y, X.rows());
            b::check_rows("GP.fit_rows", "rows", rows, X.rows());
            py::gil_scoped_release release;
            gp.fit_rows(X, y, rows);
          },
          py::arg("X"), py::arg("y"), py::arg("rows"), "Condition on the given rows of X only")
      .def(
          "append",
          [](GP& gp, const RowMatrix& X, const VectorXd& y, double noise) {
            b::check_unit("GP.append", "X", X, gp.spec().dim());
            b::check_vector("GP.append", "y", y, X.rows());
            b::check_finite("GP.append", "noise", noise);
            py::gil_scoped_release release;
            gp.append(X, y, noise);
          },
          py::arg("X"), py::arg("y"), py::arg("noise") = -1.0,
          "Append rows (rank-one extensions); noise >= 0 gives them their own noise variance")
      .def(
          "append_believer",
          [](GP& gp, const RowMatrix& X, double noise) {
            b::check_unit("GP.append_believer", "X", X, gp.spec().dim());
            if (!(std::isfinite(noise) && noise >= 0)) b::fail("GP.append_believer", "noise must be finite and >= 0");
            py::gil_scoped_release release;
            return gp.append_believer(X, noise);
          },
          py::arg("X"), py::arg("noise"),
          "Append rows at their posterior mean (Kriging-believer fantasies) with noise variance `noise`; "
          "returns those means")
      .def(
          "truncate",
          [](GP& gp, int n) {
            if (n < 0 || n > gp.n()) b::fail("GP.truncate", "n must be in [0, " + std::to_string(gp.n()) + "]");
            gp.truncate(n);
          },
          py::arg("n"), "Drop the rows after the first n")
      .def(
          "set_y",
          [](GP& gp, const VectorXd& y) {
            b::check_vector("GP.set_y", "y", y, gp.n());
            py::gil_scoped_release release;
            gp.set_y(y);
          },
          py::arg("y"), "Replace the targets of every row")
      .def("loo_log_density", &GP::loo_log_density,
           "Leave-one-out predictive log density of the conditioned rows (noise included)")
      .def_property_readonly("n", &GP::n)
      .def_property_readonly("jitter", &GP::jitter)
      .def_property_readonly("L", &GP::L)
      .def_property_readonly("hyper", &GP::hyper)
      .def(
          "predict",
          [](const GP& gp, const RowMatrix& X) {
            b::check_unit("GP.predict", "X", X, gp.spec().dim());
            VectorXd mu, var;
            {
              py::gil_scoped_release release;
              gp.predict(X, mu, var);
            }
            return std::make_tuple(mu, var);
          },
          py::arg("X"), "Posterior mean and variance of the latent f at rows X")
      .def(
          "predict_grad",
          [](const GP& gp, const VectorXd& x) {
            b::check_unit("GP.predict_grad", "x", x.transpose(), gp.spec().dim());
            double mu = 0.0, var = 0.0;
            VectorXd dmu, dvar;
            py::gil_scoped_release release;
            gp.predict_grad(x.data(), mu, var, dmu, dvar);
            return std::make_tuple(mu, var, dmu, dvar);
          },
          py::arg("x"), "Mean, variance and their gradients at one encoded point")
      .def(
          "acquisition_grad",
          [](const GP& gp, amtune::AcqKind kind, double best, double kappa, const VectorXd& x) {
            b::check_unit("GP.acquisition_grad", "x", x.transpose(), gp.spec().dim());
            const amtune::Acquisition acq = b::make_acquisition("GP.acquisition_grad", kind, best, kappa);
            VectorXd g;
            py::gil_scoped_release release;
            const double a = amtune::acquisition_grad(gp, acq, x.data(), g);
            return std::make_tuple(a, g);
          },
          py::arg("kind"), py::arg("best"), py::arg("kappa"), py::arg("x"),
          "Acquisition value at x and its gradient");
}
