// Batch proposals (batch.hpp): the candidate posterior kept current by rank-one updates, bound so
// tests can check it against a fresh posterior of the grown GP.
#include "amtune/batch.hpp"
#include "pybind.hpp"

void bind_batch(py::module_& m) {
  using amtune::CandidatePosterior;
  using amtune::GP;
  using amtune::RowMatrix;
  using Eigen::VectorXd;
  namespace b = amtune::bind;

  py::class_<CandidatePosterior>(m, "CandidatePosterior",
                                 "Posterior mean and variance of a GP at fixed candidates, updated as the GP gains rows")
      .def(py::init([](const GP& gp, const RowMatrix& C, int threads) {
             b::check_unit("CandidatePosterior", "C", C, gp.spec().dim());
             b::check_at_least("CandidatePosterior", "threads", threads, 1);
             py::gil_scoped_release release;
             return CandidatePosterior(gp, C, threads);
           }),
           py::arg("gp"), py::arg("C"), py::arg("threads") = 1)
      .def(
          "extend",
          [](CandidatePosterior& cp, const GP& gp) {
            if (gp.n() < cp.gp_rows()) b::fail("CandidatePosterior.extend", "the GP has fewer rows than the cache");
            py::gil_scoped_release release;
            cp.extend(gp);
          },
          py::arg("gp"), "Absorb the rows the GP gained since the last update (rows may only be appended)")
      .def(
          "add",
          [](CandidatePosterior& cp, const GP& gp, const RowMatrix& rows) {
            b::check_unit("CandidatePosterior.add", "rows", rows, gp.spec().dim());
            if (gp.n() < cp.gp_rows()) b::fail("CandidatePosterior.add", "the GP has fewer rows than the cache");
            py::gil_scoped_release release;
            cp.add(gp, rows);
          },
          py::arg("gp"), py::arg("rows"), "Add candidate rows, screened under the GP as it is now")
      .def_property_readonly("size", &CandidatePosterior::size, "number of candidates")
      .def_property_readonly("gp_rows", &CandidatePosterior::gp_rows, "GP rows the cache has absorbed")
      .def_property_readonly("mean", [](const CandidatePosterior& cp) -> VectorXd { return cp.mean(); })
      .def_property_readonly("var", [](const CandidatePosterior& cp) -> VectorXd { return cp.var(); });
}
