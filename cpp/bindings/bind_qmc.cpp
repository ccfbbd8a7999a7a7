// Scrambled Halton points (qmc.hpp).
#include "amtune/qmc.hpp"
#include "pybind.hpp"

void bind_qmc(py::module_& m) {
  using amtune::RowMatrix;
  namespace b = amtune::bind;
  m.def(
      "halton",
      [](int n, int d, std::uint64_t seed, std::uint64_t start) {
        b::check_at_least("halton", "n", n, 0);
        b::check_at_least("halton", "d", d, 0);
        if (d > 100000) b::fail("halton", "d must be <= 100000");
        py::gil_scoped_release release;
        const amtune::ScrambledHalton h(d, seed);
        RowMatrix out(n, d);
        for (int i = 0; i < n; ++i) h.point(start + static_cast<std::uint64_t>(i), out.row(i).data());
        return out;
      },
      py::arg("n"), py::arg("d"), py::arg("seed"), py::arg("start") = 0,
      "Points start .. start + n - 1 of the d-dimensional scrambled Halton sequence of `seed`");
}
