// Gaussian-process model, acquisition and the Bayesian-optimization engine.
// The low-level functions are bound so tests can check every gradient against finite differences.
#include <optional>
#include <tuple>

#include "amtune/acq_optimizer.hpp"
#include "amtune/acquisition.hpp"
#include "amtune/bayes.hpp"
#include "amtune/gp.hpp"
#include "amtune/lbfgsb.hpp"
#include "amtune/qmc.hpp"
#include "amtune/warping.hpp"
#include "pybind.hpp"

namespace {

using amtune::GP;
using amtune::Hyper;
using amtune::InputSpec;
using amtune::RowMatrix;
using Eigen::VectorXd;

InputSpec make_spec(const std::vector<int>& kinds, const std::vector<int>& cards, const std::vector<int>& warp) {
  InputSpec s{kinds, cards, warp};
  s.validate();
  return s;
}

py::dict hyper_dict(const Hyper& h) {
  py::dict out;
  out["log_ls"] = h.log_ls;
  out["log_sf2"] = h.log_sf2;
  out["log_noise"] = h.log_noise;
  out["mean"] = h.mean;
  out["log_wa"] = h.log_wa;
  out["log_wb"] = h.log_wb;
  out["noise_floor"] = h.noise_floor;
  out["noise"] = h.noise();
  return out;
}

amtune::Acquisition make_acq(int kind, double best, double kappa) {
  if (kind < 0 || kind > 2) throw std::invalid_argument("acquisition kind must be 0 (LogEI), 1 (UCB) or 2 (PI)");
  amtune::Acquisition a;
  a.kind = static_cast<amtune::AcqKind>(kind);
  a.best = best;
  a.kappa = kappa;
  return a;
}

}  // namespace

void bind_gp(py::module_& m) {
  m.def("erfcx", &amtune::erfcx, py::arg("x"));
  m.def("log_h", [](double z) { double d; const double v = amtune::log_h(z, &d); return std::make_tuple(v, d); },
        py::arg("z"), "log(phi(z) + z Phi(z)) and its derivative (Ament et al. 2023)");
  m.def("log_ndtr", [](double z) { double d; const double v = amtune::log_ndtr(z, &d); return std::make_tuple(v, d); },
        py::arg("z"));
  m.def("acquisition_value",
        [](int kind, double best, double kappa, double mu, double var) {
          double dm, dv;
          const double a = make_acq(kind, best, kappa).value(mu, var, &dm, &dv);
          return std::make_tuple(a, dm, dv);
        },
        py::arg("kind"), py::arg("best"), py::arg("kappa"), py::arg("mu"), py::arg("var"));
  m.def("kumaraswamy",
        [](double x, double a, double b) {
          double w, dx, da, db;
          amtune::Kumaraswamy::derivs(x, a, b, w, dx, da, db);
          return std::make_tuple(w, dx, da, db);
        },
        py::arg("x"), py::arg("a"), py::arg("b"), "w(x), dw/dx, dw/dlog a, dw/dlog b");
  m.def("output_transform",
        [](const VectorXd& y, std::optional<double> lam) {
          amtune::OutputTransform ot;
          VectorXd t = lam ? ot.transform(y, *lam) : ot.fit(y);
          py::dict p;
          p["lambda"] = ot.lambda;
          p["power"] = ot.power;
          p["log_jacobian"] = ot.log_jacobian(y);
          return std::make_tuple(t, p);
        },
        py::arg("y"), py::arg("lam") = py::none());
  m.def("halton",
        [](int n, int d, std::uint64_t seed, std::uint64_t start) {
          if (n < 0) throw std::invalid_argument("halton: n must be >= 0");
          amtune::ScrambledHalton h(d, seed);
          RowMatrix out(n, d);
          for (int i = 0; i < n; ++i) h.point(start + static_cast<std::uint64_t>(i), out.row(i).data());
          return out;
        },
        py::arg("n"), py::arg("d"), py::arg("seed"), py::arg("start") = 0);
  m.def("fit_subset", &amtune::fit_subset, py::arg("X"), py::arg("y"), py::arg("m"));
  m.def("minimize_box",
        [](const py::function& fun, const VectorXd& x0, const VectorXd& lo, const VectorXd& hi, int max_iter) {
          amtune::LbfgsbOptions opt;
          opt.max_iter = max_iter;
          opt.pgtol = 1e-8;
          opt.ftol = 1e-14;
          amtune::Objective f = [&](const VectorXd& x, VectorXd& g) {
            auto r = fun(x).cast<std::tuple<double, VectorXd>>();
            g = std::get<1>(r);
            return std::get<0>(r);
          };
          const auto r = amtune::minimize_box(f, x0, lo, hi, opt);
          return std::make_tuple(r.x, r.f, r.iterations, r.evaluations);
        },
        py::arg("fun"), py::arg("x0"), py::arg("lower"), py::arg("upper"), py::arg("max_iter") = 200,
        "Box-constrained L-BFGS: fun(x) -> (value, gradient)");
  m.def("gp_neg_log_posterior",
        [](const std::vector<int>& kinds, const std::vector<int>& cards, const std::vector<int>& warp,
           const RowMatrix& X, const VectorXd& y, const VectorXd& theta, bool learn_noise) {
          const InputSpec spec = make_spec(kinds, cards, warp);
          const amtune::HyperLayout lay(spec, learn_noise);
          if (theta.size() != lay.size()) throw std::invalid_argument("theta has the wrong size");
          const amtune::Priors priors(spec.dim());
          Hyper base;
          base.noise_floor = learn_noise ? 1e-6 : 0.0;
          base.log_noise = std::log(1e-8);
          VectorXd g;
          const double v = amtune::neg_log_posterior(spec, lay, priors, base, X, y, theta, &g);
          return std::make_tuple(v, g);
        },
        py::arg("kinds"), py::arg("cards"), py::arg("warp"), py::arg("X"), py::arg("y"), py::arg("theta"),
        py::arg("learn_noise") = true,
        "Negative log posterior of theta = [log_ls, log_sf2, mean, log_noise?, log_wa, log_wb] and its gradient");

  py::class_<GP>(m, "GP")
      .def(py::init([](const std::vector<int>& kinds, const std::vector<int>& cards, const std::vector<int>& warp,
                       const VectorXd& log_ls, double log_sf2, double log_noise, double mean, const VectorXd& log_wa,
                       const VectorXd& log_wb, double noise_floor) {
             const InputSpec spec = make_spec(kinds, cards, warp);
             const int w = static_cast<int>(spec.warped().size());
             if (log_ls.size() != spec.dim() || log_wa.size() != w || log_wb.size() != w)
               throw std::invalid_argument("GP: hyperparameter sizes do not match the dimensions");
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
           py::arg("kinds"), py::arg("cards"), py::arg("warp"), py::arg("log_ls"), py::arg("log_sf2") = 0.0,
           py::arg("log_noise") = -9.0, py::arg("mean") = 0.0, py::arg("log_wa") = VectorXd(),
           py::arg("log_wb") = VectorXd(), py::arg("noise_floor") = 1e-6)
      .def("fit", &GP::fit, py::arg("X"), py::arg("y"))
      .def("fit_rows", &GP::fit_rows, py::arg("X"), py::arg("y"), py::arg("rows"))
      .def("append", &GP::append, py::arg("X"), py::arg("y"), py::arg("noise") = -1.0)
      .def("truncate", &GP::truncate, py::arg("n"))
      .def("set_y", &GP::set_y, py::arg("y"))
      .def_property_readonly("n", &GP::n)
      .def_property_readonly("jitter", &GP::jitter)
      .def_property_readonly("L", &GP::L)
      .def("predict",
           [](const GP& gp, const RowMatrix& X) {
             VectorXd mu, var;
             {
               py::gil_scoped_release release;
               gp.predict(X, mu, var);
             }
             return std::make_tuple(mu, var);
           },
           py::arg("X"))
      .def("predict_grad",
           [](const GP& gp, const VectorXd& x) {
             if (x.size() != gp.spec().dim()) throw std::invalid_argument("x has the wrong size");
             double mu, var;
             VectorXd dmu, dvar;
             gp.predict_grad(x.data(), mu, var, dmu, dvar);
             return std::make_tuple(mu, var, dmu, dvar);
           },
           py::arg("x"))
      .def("acquisition_grad",
           [](const GP& gp, int kind, double best, double kappa, const VectorXd& x) {
             if (x.size() != gp.spec().dim()) throw std::invalid_argument("x has the wrong size");
             VectorXd g;
             const double a = amtune::acquisition_grad(gp, make_acq(kind, best, kappa), x.data(), g);
             return std::make_tuple(a, g);
           },
           py::arg("kind"), py::arg("best"), py::arg("kappa"), py::arg("x"));

  py::class_<amtune::BayesEngine>(m, "BayesEngine")
      .def(py::init([](const amtune::Space& space, const std::vector<int>& kinds, const std::vector<int>& cards,
                       const std::vector<int>& warp, int acquisition, double kappa, bool deterministic, int threads,
                       int max_fit_points, int fit_restarts, int n_starts, int n_candidates, bool output_warping,
                       int big_threshold, int local_points, int big_candidates) {
             amtune::EngineOptions o;
             o.acquisition = acquisition;
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
             return amtune::BayesEngine(space, make_spec(kinds, cards, warp), o);
           }),
           py::arg("space"), py::arg("kinds"), py::arg("cards"), py::arg("warp"), py::arg("acquisition") = 0,
           py::arg("kappa") = 1.96, py::arg("deterministic") = false, py::arg("threads") = 0,
           py::arg("max_fit_points") = 128, py::arg("fit_restarts") = 2, py::arg("n_starts") = 5,
           py::arg("n_candidates") = 0, py::arg("output_warping") = true,
           py::arg("big_threshold") = 0, py::arg("local_points") = 256, py::arg("big_candidates") = 1024)
      .def("propose",
           [](amtune::BayesEngine& e, const RowMatrix& X, const VectorXd& y, const RowMatrix& pending, int q,
              std::uint64_t seed) {
             py::gil_scoped_release release;
             return e.propose(X, y, pending, q, seed);
           },
           py::arg("X"), py::arg("y"), py::arg("pending"), py::arg("q"), py::arg("seed"))
      .def("set_trust_region", &amtune::BayesEngine::set_trust_region, py::arg("local_fraction"),
           py::arg("tr_after"), py::arg("free_categorical"), py::arg("integer_neighbours") = false)
      .def_property_readonly("fitted", &amtune::BayesEngine::fitted)
      .def_property_readonly("threads", &amtune::BayesEngine::threads)
      .def_property_readonly("fit_count", &amtune::BayesEngine::fit_count)
      .def_property_readonly("big_mode", &amtune::BayesEngine::big_mode)
      .def_property_readonly("model_points", &amtune::BayesEngine::model_points)
      .def("hyperparameters", [](const amtune::BayesEngine& e) {
        py::dict d = hyper_dict(e.hyper());
        d["output_lambda"] = e.output_transform().lambda;
        d["warping"] = e.uses_warping();
        return d;
      });
}
