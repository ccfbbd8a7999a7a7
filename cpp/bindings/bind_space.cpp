// The search space's transforms (space.hpp): raw values <-> the unit hypercube.
#include <vector>

#include "pybind.hpp"

void bind_space(py::module_& m) {
  using amtune::Dimension;
  using amtune::Kind;
  using amtune::RowMatrix;
  using amtune::Scale;
  using amtune::Space;
  namespace b = amtune::bind;

  py::enum_<Kind>(m, "Kind", "Type of a range")
      .value("Continuous", Kind::Continuous)
      .value("Integer", Kind::Integer)
      .value("Categorical", Kind::Categorical);
  py::enum_<Scale>(m, "Scale", "Scaling of a numeric range (Auto is resolved in Python)")
      .value("Linear", Scale::Linear)
      .value("Logarithmic", Scale::Logarithmic)
      .value("ReverseLogarithmic", Scale::ReverseLogarithmic);

  // Python validates every range before building a Space; the checks here are a second line of
  // defence and raise ValueError through std::invalid_argument.
  py::class_<Space>(m, "Space")
      .def(py::init([](const std::vector<Kind>& kinds, const std::vector<Scale>& scales,
                       const std::vector<double>& lows, const std::vector<double>& highs) {
             if (kinds.size() != scales.size() || kinds.size() != lows.size() || kinds.size() != highs.size())
               b::fail("Space", "kinds, scales, lows and highs must have one entry per dimension");
             std::vector<Dimension> dims(kinds.size());
             for (std::size_t j = 0; j < kinds.size(); ++j) {
               if (kinds[j] == Kind::Categorical && !(highs[j] >= 1 && highs[j] <= 2147483647.0 &&
                                                     highs[j] == std::floor(highs[j])))
                 b::fail("Space", "a categorical dimension needs a whole number of values in [1, 2^31) as high");
               dims[j] = {kinds[j], scales[j], lows[j], highs[j]};
             }
             py::gil_scoped_release release;  // a logarithmic integer range fills a table of up to 65536 values
             return Space(std::move(dims));
           }),
           py::arg("kinds"), py::arg("scales"), py::arg("lows"), py::arg("highs"))
      .def_property_readonly("dim", &Space::dim)
      .def(
          "encode",
          [](const Space& s, const Eigen::Ref<const RowMatrix>& raw) {
            b::check_matrix("Space.encode", "raw", raw, s.dim());
            py::gil_scoped_release release;
            return s.encode(raw);
          },
          py::arg("raw"), "raw values (n, dim) -> encoded (n, dim) in [0, 1]")
      .def(
          "decode",
          [](const Space& s, const Eigen::Ref<const RowMatrix>& unit) {
            b::check_matrix("Space.decode", "unit", unit, s.dim());
            py::gil_scoped_release release;
            return s.decode(unit);
          },
          py::arg("unit"), "encoded (n, dim) -> raw values (integers exact, categoricals as indices)")
      .def(
          "canonicalize",
          [](const Space& s, const Eigen::Ref<const RowMatrix>& unit) {
            b::check_matrix("Space.canonicalize", "unit", unit, s.dim());
            py::gil_scoped_release release;
            return s.canonicalize(unit);
          },
          py::arg("unit"), "encoded -> encoded, snapped to what decode(encode(.)) gives")
      .def(
          "sample_unit",
          [](const Space& s, int n, std::uint64_t seed) {
            b::check_at_least("Space.sample_unit", "n", n, 0);
            py::gil_scoped_release release;
            return s.sample_unit(n, seed);
          },
          py::arg("n"), py::arg("seed"), "n seeded uniform points of [0, 1]^dim");
}
