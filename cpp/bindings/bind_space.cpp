#include <vector>

#include "pybind.hpp"

void bind_space(py::module_& m) {
  using amtune::Dimension;
  using amtune::Kind;
  using amtune::RowMatrix;
  using amtune::Scale;
  using amtune::Space;

  // Python validates every range before building a Space; checks here are a second line of defence
  // and raise ValueError through std::invalid_argument.
  py::class_<Space>(m, "Space")
      .def(py::init([](const std::vector<int>& kinds, const std::vector<int>& scales,
                       const std::vector<double>& lows, const std::vector<double>& highs) {
             if (kinds.size() != scales.size() || kinds.size() != lows.size() || kinds.size() != highs.size())
               throw std::invalid_argument("Space: kinds, scales, lows and highs must have one entry per dimension");
             std::vector<Dimension> dims(kinds.size());
             for (std::size_t j = 0; j < kinds.size(); ++j) {
               if (kinds[j] < 0 || kinds[j] > 2 || scales[j] < 0 || scales[j] > 2)
                 throw std::invalid_argument("Space: unknown kind or scale code");
               dims[j] = {static_cast<Kind>(kinds[j]), static_cast<Scale>(scales[j]), lows[j], highs[j]};
             }
             return Space(std::move(dims));
           }),
           py::arg("kinds"), py::arg("scales"), py::arg("lows"), py::arg("highs"))
      .def_property_readonly("dim", &Space::dim)
      .def("encode", [](const Space& s, const Eigen::Ref<const RowMatrix>& raw) {
             py::gil_scoped_release release;
             return s.encode(raw);
           }, py::arg("raw"))
      .def("decode", [](const Space& s, const Eigen::Ref<const RowMatrix>& unit) {
             py::gil_scoped_release release;
             return s.decode(unit);
           }, py::arg("unit"))
      .def("canonicalize", [](const Space& s, const Eigen::Ref<const RowMatrix>& unit) {
             py::gil_scoped_release release;
             return s.canonicalize(unit);
           }, py::arg("unit"))
      .def("sample_unit", [](const Space& s, int n, std::uint64_t seed) {
             py::gil_scoped_release release;
             return s.sample_unit(n, seed);
           }, py::arg("n"), py::arg("seed"));
}
