// The one header that includes pybind11, so every binding unit sees the same casters, and the
// argument checks every binding applies before its arguments reach the core.
//
// Rules of the bindings: every array argument is checked for its shape and for finite values, and
// every count for its range, raising ValueError (std::invalid_argument) before the core sees it;
// the GIL is released around every call whose cost grows with its inputs.
#pragma once

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <pybind11/eigen.h>
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "amtune/acquisition.hpp"
#include "amtune/kernel.hpp"
#include "amtune/space.hpp"

namespace py = pybind11;

// Each bind_<topic>.cpp defines one of these; module.cpp only calls them, in this order (a type
// must be registered before a signature that uses it).
void bind_build(py::module_& m);
void bind_space(py::module_& m);
void bind_acquisition(py::module_& m);
void bind_warping(py::module_& m);
void bind_qmc(py::module_& m);
void bind_lbfgsb(py::module_& m);
void bind_gp(py::module_& m);
void bind_local_model(py::module_& m);
void bind_engine(py::module_& m);
void bind_batch(py::module_& m);

namespace amtune::bind {

[[noreturn]] inline void fail(const std::string& where, const std::string& what) {
  throw std::invalid_argument(where + ": " + what);
}

// A matrix with `cols` columns (any when cols < 0) and only finite entries.
template <class M>
void check_matrix(const char* where, const char* name, const M& X, Eigen::Index cols) {
  if (cols >= 0 && X.cols() != cols && X.rows() > 0)
    fail(where, std::string(name) + " must have " + std::to_string(cols) + " columns, got " +
                    std::to_string(X.cols()));
  if (!X.allFinite()) fail(where, std::string(name) + " must be finite (no NaN or infinity)");
}

// A vector of `size` entries (any when size < 0), all finite.
template <class V>
void check_vector(const char* where, const char* name, const V& v, Eigen::Index size) {
  if (size >= 0 && v.size() != size)
    fail(where, std::string(name) + " must have " + std::to_string(size) + " entries, got " +
                    std::to_string(v.size()));
  if (!v.allFinite()) fail(where, std::string(name) + " must be finite (no NaN or infinity)");
}

inline void check_finite(const char* where, const char* name, double x) {
  if (!std::isfinite(x)) fail(where, std::string(name) + " must be finite, got " + std::to_string(x));
}

template <class I>
void check_at_least(const char* where, const char* name, I value, I low) {
  if (value < low) fail(where, std::string(name) + " must be >= " + std::to_string(low) + ", got " + std::to_string(value));
}

// Encoded points: `cols` columns, finite, in [0, 1].
template <class M>
void check_unit(const char* where, const char* name, const M& X, Eigen::Index cols) {
  check_matrix(where, name, X, cols);
  if (X.size() && (X.minCoeff() < 0.0 || X.maxCoeff() > 1.0))
    fail(where, std::string(name) + " must be encoded points in [0, 1]");
}

// An acquisition function with checked parameters (bind_acquisition.cpp).
Acquisition make_acquisition(const char* where, AcqKind kind, double best, double kappa);

// Row indices: each in [0, rows).
inline void check_rows(const char* where, const char* name, const std::vector<int>& idx, Eigen::Index rows) {
  for (int i : idx)
    if (i < 0 || i >= rows)
      fail(where, std::string(name) + " must be row indices in [0, " + std::to_string(rows) + "), got " +
                      std::to_string(i));
}

}  // namespace amtune::bind
